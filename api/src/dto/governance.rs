//! Bodies of admin governance (PRODUCT.md §7): organisation settings, taking
//! control of a purchase, license requests.

use super::billing::null_or_value;
use super::common::MoneyDto;
use super::products::PolicyDto;
use super::subscriptions::{CancelReasonDto, SubscriptionDto};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LicenseRequestsDto {
    /// Members may ask the organisation for licenses here.
    Enabled,
    Disabled,
}

/// Money as a request sends it; checked by the service (amount ≥ 0, ISO 4217 currency).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    #[schema(example = 50000, minimum = 0)]
    pub amount: i64,
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

/// The organisation's governance settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationSettingsDto {
    /// The policy of every product without its own, including products added later.
    pub default_self_service_policy: PolicyDto,
    pub license_requests: LicenseRequestsDto,
    /// When set, members are sent to this address instead of asking here.
    #[schema(example = "https://it.example.com/licenses")]
    pub license_request_url: Option<String>,
    /// The most one purchaser's net self-service charges may reach in a calendar month (UTC).
    pub spend_cap: Option<MoneyDto>,
}

/// A partial update: fields left out stay; `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSettingsPatch {
    #[serde(default)]
    pub default_self_service_policy: Option<PolicyDto>,
    #[serde(default)]
    pub license_requests: Option<LicenseRequestsDto>,
    /// An https URL; `null` clears it.
    #[serde(default, deserialize_with = "null_or_value")]
    #[schema(value_type = Option<String>, max_length = 2048, pattern = "^[Hh][Tt][Tt][Pp][Ss]://", example = "https://it.example.com/licenses")]
    pub license_request_url: Option<Option<String>>,
    /// `null` removes the cap.
    #[serde(default, deserialize_with = "null_or_value")]
    #[schema(value_type = Option<MoneyInput>)]
    pub spend_cap: Option<Option<MoneyInput>>,
}

/// What to do with a member's purchase.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum TakeControlRequest {
    /// Move every user to a live organisation subscription of the same
    /// product and cancel the purchase (`taken_over_by_admin`, with the usual credit).
    MoveUsers { target_subscription_id: Uuid },
    /// Cancel the purchase as its purchaser could; its users lose their licenses.
    Cancel {
        reason: CancelReasonDto,
        #[serde(default)]
        #[schema(
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
        )]
        feedback: Option<String>,
    },
}

/// The canceled purchase and who moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakeControlResponse {
    #[serde(flatten)]
    pub subscription: SubscriptionDto,
    /// Every user that held the purchase and now holds the target (empty for `cancel`).
    pub moved_user_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LicenseRequestStatusDto {
    Pending,
    Approved,
    PartiallyApproved,
    Denied,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserOutcomeDto {
    Pending,
    Approved,
    Denied,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLicenseRequest {
    pub product_id: Uuid,
    /// 1 to 20 members of the organisation; the caller when left out.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 20, value_type = Option<BTreeSet<Uuid>>)]
    pub user_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    #[schema(
        max_length = 500,
        example = "For the new sales team.",
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub message: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveLicenseRequest {
    /// A live subscription of the product that you manage; licenses come from it.
    pub subscription_id: Uuid,
    /// The requested users to approve; every one when left out. The rest are denied.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 20, value_type = Option<BTreeSet<Uuid>>)]
    pub user_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub message: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DenyLicenseRequest {
    #[serde(default)]
    #[schema(
        max_length = 500,
        example = "Please use the shared pool.",
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestedUserDto {
    pub user_id: Uuid,
    pub outcome: UserOutcomeDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseRequestDecisionDto {
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    /// The subscription an approval assigned from; `null` for a denial.
    pub subscription_id: Option<Uuid>,
    pub message: Option<String>,
}

/// A member's request for licenses.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseRequestDto {
    pub id: Uuid,
    pub product_id: Uuid,
    #[schema(example = "Contoso CRM")]
    pub product_name: String,
    pub requester_id: Uuid,
    pub status: LicenseRequestStatusDto,
    pub message: Option<String>,
    /// In the order the requester listed them, each with what the decision meant for them.
    pub users: Vec<RequestedUserDto>,
    pub decision: Option<LicenseRequestDecisionDto>,
    pub created_at: DateTime<Utc>,
}

crate::list_response!(LicenseRequestList, LicenseRequestDto);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenseRequestQuery {
    pub status: Option<LicenseRequestStatusDto>,
    pub product_id: Option<Uuid>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_fields!(LicenseRequestQuery);
