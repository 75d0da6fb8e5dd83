//! The organisation's governance settings (PRODUCT.md §7).

use crate::auth::Caller;
use crate::dto::governance::{
    LicenseRequestsDto, OrganizationSettingsDto, OrganizationSettingsPatch,
};
use crate::error::{answers, ApiError, Problem};
use crate::extract::JsonBody;
use crate::startup::state::AppState;
use actix_web::{get, patch, web};
use domain::governance::{LicenseRequests, OrganizationSettings};
use usecases::governance::settings::{self as usecase, SettingsEdit};

impl From<&OrganizationSettings> for OrganizationSettingsDto {
    fn from(s: &OrganizationSettings) -> Self {
        Self {
            default_self_service_policy: s.default_policy.into(),
            license_requests: match s.license_requests {
                LicenseRequests::Enabled => LicenseRequestsDto::Enabled,
                LicenseRequests::Disabled => LicenseRequestsDto::Disabled,
            },
            license_request_url: s
                .license_request_url
                .as_ref()
                .map(|u| u.as_str().to_owned()),
            spend_cap: s.spend_cap.map(|c| c.money().into()),
        }
    }
}

impl From<OrganizationSettingsPatch> for SettingsEdit {
    fn from(p: OrganizationSettingsPatch) -> Self {
        Self {
            default_policy: p.default_self_service_policy.map(Into::into),
            license_requests: p.license_requests.map(|l| match l {
                LicenseRequestsDto::Enabled => LicenseRequests::Enabled,
                LicenseRequestsDto::Disabled => LicenseRequests::Disabled,
            }),
            license_request_url: p.license_request_url,
            spend_cap: p.spend_cap.map(|cap| cap.map(|m| (m.amount, m.currency))),
        }
    }
}

/// The organisation's settings; every member may read them.
#[utoipa::path(tag = "organization", responses(
    (status = 200, description = "The settings (defaults until an admin changes them)", body = OrganizationSettingsDto,
        example = json!({"default_self_service_policy": "enabled", "license_requests": "enabled", "license_request_url": null, "spend_cap": {"amount": 50000, "currency": "USD"}})),
))]
#[get("/settings")]
pub async fn get_organization_settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<OrganizationSettingsDto>, ApiError> {
    let settings = usecase::get(&state.services, caller.actor()).await?;
    Ok(web::Json((&settings).into()))
}

/// Changes the settings (admins only). Fields left out stay as they are;
/// `null` clears `license_request_url` or `spend_cap`. Like product
/// policies, they govern new purchases, increases, conversions and trials;
/// existing subscriptions keep working.
#[utoipa::path(tag = "organization", request_body(content = OrganizationSettingsPatch,
    example = json!({"default_self_service_policy": "trials_only", "spend_cap": {"amount": 50000, "currency": "USD"}})),
    responses(
        (status = 200, description = "The settings after the change", body = OrganizationSettingsDto),
        answers::AdminOnly,
        (status = 422, description = "`invalid_field` (`license_request_url` not https, `spend_cap.amount` negative, `spend_cap.currency` not ISO 4217, an unknown policy), `unknown_field`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:invalid_field", "title": "Invalid request body", "status": 422, "detail": "license_request_url must start with https://", "code": "invalid_field", "field": "license_request_url"})),
    ))]
#[patch("/settings")]
pub async fn update_organization_settings(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<OrganizationSettingsPatch>,
) -> Result<web::Json<OrganizationSettingsDto>, ApiError> {
    let settings =
        usecase::update(&state.services, caller.actor(), body.into_inner().into()).await?;
    Ok(web::Json((&settings).into()))
}
