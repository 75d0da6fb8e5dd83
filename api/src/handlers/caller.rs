//! `Caller` as a request extractor, taken by every authenticated handler:
//! the bearer token, authenticated by the use case with what the application
//! state holds, then the per-caller rate limits. It sits with the handlers,
//! above both `auth` and `usecases`, so that `auth` depends on nothing above
//! it (no state, no use cases) and `extract` does not depend on use cases.

use crate::auth::{AuthError, Caller};
use crate::error::ApiError;
use crate::startup::state::AppState;
use crate::usecases::authenticate::authenticate;
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

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
                &state.db,
                &state.verifier,
                &state.tokens,
                state.clock.now(),
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
