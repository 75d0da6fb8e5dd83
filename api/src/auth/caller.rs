//! `Caller`: the authenticated member behind a request.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use domain::user::Role;
use domain::{OrganizationId, UserId};
use futures_util::future::LocalBoxFuture;

#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub role: Role,
    /// The token's roles claim as given, reported by `GET /v1/me`.
    pub roles: Vec<String>,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    /// For admin-only operations: 403 `admin_only` for members.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::AdminOnly)
        }
    }

    pub fn org(&self) -> String {
        self.organization_id.to_string()
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let rate_limit = crate::middleware::rate_limit::Gate::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token =
                token.ok_or(ApiError::Unauthorized(crate::auth::AuthError::MissingToken))?;
            let caller = crate::usecases::authenticate::authenticate(&state, &token).await?;
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
