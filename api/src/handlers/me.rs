use crate::auth::Caller;
use crate::config::Cloud;
use crate::dto::me::{CloudDto, MeResponse};
use crate::error::ApiError;
use crate::startup::state::AppState;

use actix_web::{get, web};

/// The caller, their organisation and roles, and this deployment's cloud and portal.
#[utoipa::path(tag = "me", responses((status = 200, description = "The caller", body = MeResponse)))]
#[get("/v1/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<MeResponse>, ApiError> {
    let user =
        usecases::users::get(&state.services, caller.actor(), caller.actor().user_id).await?;
    Ok(web::Json(MeResponse {
        user: user.into(),
        organization_id: caller.actor().organization_id.as_uuid(),
        roles: caller.roles.clone(),
        is_admin: caller.is_admin(),
        cloud: match state.deployment.cloud {
            Cloud::Global => CloudDto::Global,
            Cloud::China => CloudDto::China,
        },
        portal_url: state.deployment.portal_url.clone(),
    }))
}
