//! `Caller` as a request extractor, taken by every authenticated handler:
//! the bearer token, authenticated by the use case with what the application
//! state holds, then the per-caller rate limits. It sits with the handlers,
//! above both `auth` and `usecases`, so that `auth` depends on nothing above
//! it (no state, no use cases) and `extract` does not depend on use cases.

use crate::auth::cache::TokenCache;
use crate::auth::{AuthError, Caller, JwtVerifier};
use crate::error::ApiError;
use crate::startup::state::AppState;
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use chrono::{DateTime, Utc};
use domain::user::Role;
use futures_util::future::LocalBoxFuture;
use usecases::sign_in::{self, SignIn};
use usecases::Db;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let rate_limit = crate::middleware::rate_limit::Gate::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized(AuthError::MissingToken))?;
            let caller = authenticate(
                &state.services.db,
                &state.verifier,
                &state.tokens,
                state.services.clock.now(),
                &token,
            )
            .await?;
            rate_limit.admit(&caller)?;
            Ok(caller)
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// Token → `Caller`: a token seen before comes from the verified-token cache;
/// a new one is verified, and its member found or provisioned by the sign-in
/// use case. `now` is the application clock, stamped on what provisioning
/// creates; the cache's expiry check uses the wall clock, as the verifier does.
async fn authenticate(
    db: &Db,
    verifier: &JwtVerifier,
    tokens: &TokenCache,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Caller, ApiError> {
    let now_secs = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let key = TokenCache::key(token);
    if let Some(caller) = tokens.get(&key, now_secs) {
        return Ok(caller);
    }
    let claims = verifier
        .verify(token)
        .await
        .map_err(ApiError::Unauthorized)?;
    let sign_in = SignIn {
        organization_id: claims.tid.into(),
        subject: claims.sub,
        name: claims.name.clone(),
        email: claims.email.clone(),
        iat: claims.iat,
        is_admin: Role::from_claims(&claims.roles).is_admin(),
    };
    let user_id = db
        .run(move |conn| sign_in::provision(conn, &sign_in, now))
        .await
        .map_err(ApiError::from)?;
    let caller = Caller::new(
        usecases::Actor {
            user_id,
            organization_id: claims.tid.into(),
            role: Role::from_claims(&claims.roles),
        },
        claims.roles,
    );
    tokens.insert(key, caller.clone(), claims.exp, now_secs);
    Ok(caller)
}
