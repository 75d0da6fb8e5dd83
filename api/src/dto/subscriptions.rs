use super::common::MoneyDto;
use chrono::{DateTime, NaiveDate, Utc};
use domain::subscription::SubscriptionSource;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyDto {
    Monthly,
    Annual,
}

impl From<FrequencyDto> for domain::catalog::BillingFrequency {
    fn from(f: FrequencyDto) -> Self {
        match f {
            FrequencyDto::Monthly => Self::Monthly,
            FrequencyDto::Annual => Self::Annual,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    Trial,
    Active,
    Canceled,
    /// A trial that ended unconverted (its licenses released), or a paid
    /// subscription whose period ended without renewal: 30 days of grace in
    /// which its licenses stay assigned and usable; it can be reactivated.
    Expired,
    /// 30 days after expiring: assignments kept but suspended (no one holds
    /// a license); it can still be reactivated, for 90 days.
    Disabled,
    /// 90 days after being disabled: assignments released, read-only for good.
    Deleted,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SourceDto {
    /// Bought by a member through self-service.
    SelfService,
    /// Bought by an admin for the organisation; managed by every admin.
    Organization,
}

impl From<SourceDto> for SubscriptionSource {
    fn from(s: SourceDto) -> Self {
        match s {
            SourceDto::SelfService => SubscriptionSource::SelfService,
            SourceDto::Organization => SubscriptionSource::Organization,
        }
    }
}

impl From<SubscriptionSource> for SourceDto {
    fn from(s: SubscriptionSource) -> Self {
        match s {
            SubscriptionSource::SelfService => SourceDto::SelfService,
            SubscriptionSource::Organization => SourceDto::Organization,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CancelReasonDto {
    NoLongerNeeded,
    TooExpensive,
    MissingFeatures,
    SwitchedService,
    TooComplex,
    TechnicalIssues,
    Other,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaserDto {
    pub id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
}

/// Why a subscription was canceled: the customer's reason, or
/// `taken_over_by_admin` when an admin moved its users to an organisation
/// subscription (never accepted as input).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CancellationReasonDto {
    NoLongerNeeded,
    TooExpensive,
    MissingFeatures,
    SwitchedService,
    TooComplex,
    TechnicalIssues,
    Other,
    TakenOverByAdmin,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationDto {
    pub reason: CancellationReasonDto,
    pub feedback: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub canceled_at: DateTime<Utc>,
}

/// A subscription. `license_count` is the total; `available_count = license_count - assigned_count`.
/// Prices are `null` for trials.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionDto {
    pub id: Uuid,
    pub product_id: Uuid,
    #[schema(example = "Contoso CRM")]
    pub product_name: String,
    pub purchaser: PurchaserDto,
    pub source: SourceDto,
    pub status: StatusDto,
    pub is_trial: bool,
    #[schema(example = 100)]
    pub license_count: i64,
    #[schema(example = 20)]
    pub assigned_count: i64,
    #[schema(example = 80)]
    pub available_count: i64,
    pub billing_frequency: Option<FrequencyDto>,
    /// Price of one license per billing period.
    pub unit_price: Option<MoneyDto>,
    /// `unit_price × license_count`: the price of one billing period.
    pub total_price: Option<MoneyDto>,
    #[serde(serialize_with = "super::time::date_opt")]
    pub current_period_start: Option<NaiveDate>,
    /// Exclusive: the period covers the days before this date.
    #[serde(serialize_with = "super::time::date_opt")]
    pub current_period_end: Option<NaiveDate>,
    /// When access ends unless renewed: the end of the current period (or of the trial).
    #[serde(serialize_with = "super::time::utc_opt")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The renewal date, when `auto_renew` is on.
    #[serde(serialize_with = "super::time::utc_opt")]
    pub renews_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub auto_renew: bool,
    pub billing_profile_id: Option<Uuid>,
    pub payment_method_id: Option<Uuid>,
    pub cancellation: Option<CancellationDto>,
    /// Canceled at the end of the period: when it takes effect (the end of
    /// the current period); `null` otherwise. `PATCH {"auto_renew": true}`
    /// before then undoes it.
    #[serde(serialize_with = "super::time::utc_opt")]
    pub cancel_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: DateTime<Utc>,
}

crate::list_response!(SubscriptionList, SubscriptionDto);

/// What `POST /v1/subscriptions` accepts, as one flat struct: a purchase
/// (billing fields required) or, with `"trial": true`, a free trial (no billing
/// fields). The contract documents the two shapes as a `oneOf`
/// ([`CreateSubscriptionBody`]); the use case tells them apart.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscriptionRequest {
    pub product_id: Uuid,
    pub license_count: i64,
    /// `Some(true)` for a trial; absent to buy (`false` is refused: the contract has no such shape).
    #[serde(default)]
    pub trial: Option<bool>,
    #[serde(default)]
    pub billing_frequency: Option<FrequencyDto>,
    #[serde(default)]
    pub billing_profile_id: Option<Uuid>,
    #[serde(default)]
    pub payment_method_id: Option<Uuid>,
    /// `organization` (admins only) buys for the organisation: every admin
    /// manages it, members never see it, the self-service policy and spend
    /// cap do not apply. Default `self_service`.
    #[serde(default)]
    pub source: Option<SourceDto>,
    #[serde(default)]
    pub assign_user_ids: Option<Vec<Uuid>>,
}

/// Buy a subscription: `active` at once, invoiced for its first period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "product_id": "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01",
    "license_count": 100,
    "billing_frequency": "monthly",
    "billing_profile_id": "0b6f2b8e-3c55-4b1e-9f67-3a1e6a0f4d21",
    "payment_method_id": "5d0c9d43-61c1-4b8f-9a6b-2f7f4b2f9c10",
    "assign_user_ids": ["3d6c1a2b-8e4f-4a7d-9c1b-2e5f6a7b8c9d"]
}))]
pub struct PurchaseRequest {
    pub product_id: Uuid,
    /// Total licenses: 1 to the product's maximum.
    #[schema(minimum = 1, example = 100)]
    pub license_count: i64,
    pub billing_frequency: FrequencyDto,
    pub billing_profile_id: Uuid,
    pub payment_method_id: Uuid,
    /// `organization` (admins only) buys for the organisation; default `self_service`.
    #[serde(default)]
    pub source: Option<SourceDto>,
    /// Members of the organisation to assign licenses to in the same
    /// transaction: 1 to 20 distinct users, at most `license_count`. Bought and
    /// assigned, or (any refusal) nothing at all; the `Idempotency-Key`
    /// covers both.
    #[schema(min_items = 1, max_items = 20, nullable = false)]
    pub assign_user_ids: Option<Vec<Uuid>>,
}

/// Start a free trial: no payment method; up to the product's trial maximum.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product_id": "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01", "license_count": 25, "trial": true}))]
pub struct TrialRequest {
    pub product_id: Uuid,
    /// 1 to the product's trial maximum.
    #[schema(minimum = 1, example = 25)]
    pub license_count: i64,
    /// Always `true`.
    #[schema(schema_with = always_true)]
    pub trial: bool,
    /// `organization` (admins only) tries it for the organisation; default `self_service`.
    #[serde(default)]
    pub source: Option<SourceDto>,
    /// Members to assign in the same transaction, as for a purchase.
    #[schema(min_items = 1, max_items = 20, nullable = false)]
    pub assign_user_ids: Option<Vec<Uuid>>,
}

fn always_true() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Boolean)
        .enum_values(Some([true]))
        .build()
}

/// A purchase or a free trial.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CreateSubscriptionBody {
    Purchase(PurchaseRequest),
    Trial(TrialRequest),
}

impl utoipa::PartialSchema for CreateSubscriptionRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        CreateSubscriptionBody::schema()
    }
}

/// Documented as [`CreateSubscriptionBody`], which it accepts exactly.
impl ToSchema for CreateSubscriptionRequest {
    fn name() -> std::borrow::Cow<'static, str> {
        CreateSubscriptionBody::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            PurchaseRequest::name().into_owned(),
            <PurchaseRequest as utoipa::PartialSchema>::schema(),
        ));
        schemas.push((
            TrialRequest::name().into_owned(),
            <TrialRequest as utoipa::PartialSchema>::schema(),
        ));
        CreateSubscriptionBody::schemas(schemas);
    }
}

/// Trial → paid, keeping the subscription id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertRequest {
    pub billing_profile_id: Uuid,
    pub payment_method_id: Uuid,
    pub billing_frequency: FrequencyDto,
}

/// The new **total** license count (never a delta) and/or auto-renew.
///
/// With `quote_id` (from the license-count preview, within 15 minutes), the
/// change is priced at the quote's instant and charges exactly the quoted
/// amount (a `quote_id` alone asks for the count it quoted); a quote that expired answers 409 `quote_expired`, one for another
/// subscription or count, or for a subscription that changed since, 409
/// `quote_mismatch`, and nothing changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"license_count": 105, "quote_id": "0f8e7a52-3c1d-4b0e-9a51-6d2f8c4b7e10"}), min_properties = 1)]
pub struct UpdateSubscriptionRequest {
    #[serde(default)]
    #[schema(minimum = 1, nullable = false)]
    pub license_count: Option<i64>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub auto_renew: Option<bool>,
    /// A binding quote from the preview; alone, it asks for the quoted `license_count`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub quote_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"license_count": 105}))]
pub struct PreviewRequest {
    #[schema(minimum = 1)]
    pub license_count: i64,
}

/// What a license-count change would cost, as a binding quote for 15 minutes;
/// nothing else is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub current_license_count: i64,
    pub new_license_count: i64,
    /// Positive: charged (at once, or on the next invoice as `billing` says). Negative: a credit line on the next invoice.
    pub prorated_amount: MoneyDto,
    pub remaining_days: i64,
    pub period_days: i64,
    pub current_period_end: Option<NaiveDate>,
    /// The price of the next full period at the new count.
    pub new_total_price: Option<MoneyDto>,
    /// `invoiced_now`, `charged_on_next_invoice` (an increase on a billing
    /// profile whose `proration_behavior` is `next_invoice`),
    /// `credited_on_next_invoice`, or `no_charge` (trials, unchanged).
    #[schema(example = "invoiced_now")]
    pub billing: String,
    /// A binding quote of this price: send it with the same `license_count`
    /// in `PATCH /v1/subscriptions/{id}` before `quote_expires_at`.
    pub quote_id: Uuid,
    /// 15 minutes after the preview.
    #[schema(example = "2026-03-16T12:15:00Z")]
    pub quote_expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "too_expensive", "feedback": "We only need it in spring."}))]
pub struct CancelRequest {
    pub reason: CancelReasonDto,
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub feedback: Option<String>,
    /// `true`: cancel when the current period ends instead of now. The
    /// subscription stays `active` with `cancel_at` set and auto-renew off,
    /// nothing is credited, and no grace follows. Paid subscriptions only.
    #[serde(default)]
    pub at_period_end: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionListQuery {
    pub status: Option<StatusDto>,
    pub product_id: Option<Uuid>,
    pub source: Option<SourceDto>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One entry of a subscription's audit history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: Uuid,
    #[schema(example = "license_count_changed")]
    pub action: String,
    /// `null` when the system acted (the billing run).
    pub actor_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

crate::list_response!(EventList, EventDto);

impl From<CreateSubscriptionRequest> for usecases::commands::NewSubscription {
    fn from(r: CreateSubscriptionRequest) -> Self {
        Self {
            source: r.source.map_or(SubscriptionSource::SelfService, Into::into),
            product_id: r.product_id.into(),
            license_count: r.license_count,
            trial: r.trial,
            billing_frequency: r.billing_frequency.map(Into::into),
            billing_profile_id: r.billing_profile_id.map(Into::into),
            payment_method_id: r.payment_method_id.map(Into::into),
            assign_user_ids: r
                .assign_user_ids
                .map(|ids| ids.into_iter().map(Into::into).collect()),
        }
    }
}

impl From<ConvertRequest> for usecases::commands::Conversion {
    fn from(r: ConvertRequest) -> Self {
        Self {
            billing_profile_id: r.billing_profile_id.into(),
            payment_method_id: r.payment_method_id.into(),
            billing_frequency: r.billing_frequency.into(),
        }
    }
}

crate::page_fields!(SubscriptionListQuery);
