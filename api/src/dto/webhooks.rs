//! Webhook endpoints and their delivery log (PRODUCT.md §8).

use super::billing::null_or_value;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! webhook_events {
    ($($variant:ident => $wire:literal),+ $(,)?) => {
        /// An event type an endpoint takes, or `*` for every type (PRODUCT.md §8).
        #[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
        pub enum WebhookEventDto {
            #[serde(rename = "*")]
            All,
            $(#[serde(rename = $wire)] $variant),+
        }

        impl WebhookEventDto {
            pub const ALL: &'static [WebhookEventDto] = &[WebhookEventDto::All, $(WebhookEventDto::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    WebhookEventDto::All => "*",
                    $(WebhookEventDto::$variant => $wire),+
                }
            }

            /// The item for a stored wire name (`None` for a name this contract does not know).
            pub fn from_wire(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|e| e.as_str() == name)
            }
        }
    };
}

// The contract's enum; a test checks it against the domain's 17 types.
webhook_events! {
    SubscriptionCreated => "subscription.created",
    SubscriptionTrialStarted => "subscription.trial_started",
    SubscriptionConverted => "subscription.converted",
    SubscriptionLicenseCountChanged => "subscription.license_count_changed",
    SubscriptionCanceled => "subscription.canceled",
    SubscriptionExpired => "subscription.expired",
    SubscriptionDisabled => "subscription.disabled",
    SubscriptionDeleted => "subscription.deleted",
    SubscriptionReactivated => "subscription.reactivated",
    SubscriptionTakenOver => "subscription.taken_over",
    LicensesAssigned => "licenses.assigned",
    LicensesUnassigned => "licenses.unassigned",
    LicenseRequestCreated => "license_request.created",
    LicenseRequestDecided => "license_request.decided",
    InvoiceIssued => "invoice.issued",
    PaymentMethodExpiring => "payment_method.expiring",
    SeatsThresholdReached => "seats.threshold_reached",
}

// Written by hand: the derive does not see `serde(rename)` through the macro.
impl utoipa::PartialSchema for WebhookEventDto {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An event type an endpoint takes, or `*` for every type (PRODUCT.md §8).",
            ))
            .enum_values(Some(WebhookEventDto::ALL.iter().map(|e| e.as_str())))
            .build()
            .into()
    }
}

impl ToSchema for WebhookEventDto {}

/// A present field must hold a value: `null` is refused (leave the field out instead).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.com/selfserve", "events": ["subscription.created", "invoice.issued"], "description": "Finance system"}))]
pub struct CreateWebhookEndpointRequest {
    /// An `https://` URL without credentials that does not resolve to a
    /// loopback, link-local or private address (`http://` and private
    /// addresses only where the service allows them).
    #[schema(
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[^@/?#]+([/?#].*)?$",
        example = "https://hooks.example.com/selfserve"
    )]
    pub url: String,
    /// The event types to send, or `["*"]` for all of them.
    #[schema(min_items = 1, max_items = 17, value_type = BTreeSet<WebhookEventDto>)]
    pub events: Vec<WebhookEventDto>,
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$",
        example = "Finance system"
    )]
    pub description: Option<String>,
}

/// A partial change: fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"events": ["*"], "enabled": true}))]
pub struct UpdateWebhookEndpointRequest {
    /// As on creation; checked again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 2048, pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[^@/?#]+([/?#].*)?$", nullable = false)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(min_items = 1, max_items = 17, value_type = BTreeSet<WebhookEventDto>, nullable = false)]
    pub events: Option<Vec<WebhookEventDto>>,
    /// `true` turns a disabled endpoint back on (its failure count starts afresh).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, nullable = false)]
    pub enabled: Option<bool>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "null_or_value")]
    #[schema(value_type = Option<String>, max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$")]
    pub description: Option<Option<String>>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DisabledReasonDto {
    /// Every attempt failed for 3 days; the service switched it off.
    Failing,
}

/// A webhook endpoint. Its signing secret is shown only when created and when rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointDto {
    pub id: Uuid,
    #[schema(example = "https://hooks.example.com/selfserve")]
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<WebhookEventDto>,
    pub enabled: bool,
    /// Why the service switched it off; `null` when on, or switched off by an admin.
    pub disabled_reason: Option<DisabledReasonDto>,
    /// Since when every attempt has failed; `null` while healthy.
    pub failing_since: Option<DateTime<Utc>>,
    /// After a rotation, until when the previous secret still signs beside the new one.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The endpoint with its new signing secret: keep it now, it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointWithSecretDto {
    #[serde(flatten)]
    pub endpoint: WebhookEndpointDto,
    /// Verify `Selfserve-Signature` with it (HMAC-SHA256 keyed with this string's UTF-8 bytes).
    #[schema(example = "whsec_5f0c8a4e9d2b7c1a3e6f8b0d2c4a6e8f1b3d5c7e9a0b2c4d6e8f0a1b3c5d7e9f")]
    pub secret: String,
}

crate::list_response!(WebhookEndpointList, WebhookEndpointDto);

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatusDto {
    /// Waiting for its first attempt or a retry.
    Pending,
    Delivered,
    /// Retried for 3 days without a 2xx, or its endpoint was switched off.
    Failed,
}

/// One try: when, what came back, how long it took.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptDto {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when no answer came.
    #[schema(example = 200)]
    pub status_code: Option<u16>,
    #[schema(example = 84)]
    pub duration_ms: i64,
    pub succeeded: bool,
    /// Why it failed (a status that is not 2xx, a timeout, a refused connection, a private address).
    pub error: Option<String>,
}

/// One event on its way to the endpoint, with every attempt so far (oldest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: WebhookEventDto,
    pub status: DeliveryStatusDto,
    /// When the next attempt is due, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<DeliveryAttemptDto>,
}

crate::list_response!(DeliveryList, DeliveryDto);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_lists_exactly_the_domain_event_types() {
        let contract: Vec<&str> = WebhookEventDto::ALL[1..]
            .iter()
            .map(|e| e.as_str())
            .collect();
        let domain: Vec<&str> = domain::event::EventType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect();
        assert_eq!(contract, domain);
        assert_eq!(WebhookEventDto::from_wire("*"), Some(WebhookEventDto::All));
    }
}
