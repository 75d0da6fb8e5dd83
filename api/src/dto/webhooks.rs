//! Webhook endpoints and their delivery log (PRODUCT.md §8).

use super::billing::null_or_value;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An event type an endpoint takes (one of the domain's wire names), or `*`
/// for every type. The names come from `domain::event::EventType`, so the
/// contract's enum cannot drift from the events the service writes.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(transparent)]
pub struct WebhookEventDto(&'static str);

impl WebhookEventDto {
    /// `*` first, then every type in the domain's order.
    fn names() -> impl Iterator<Item = &'static str> {
        std::iter::once(domain::webhook::selection::ALL)
            .chain(domain::event::EventType::ALL.iter().map(|t| t.as_str()))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The item for a wire name (`None` for a name this contract does not know).
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::names().find(|n| *n == name).map(Self)
    }
}

impl From<domain::event::EventType> for WebhookEventDto {
    fn from(t: domain::event::EventType) -> Self {
        Self(t.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEventDto {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_wire(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{name:?} is not an event type; use one of the listed types, or \"*\""
            ))
        })
    }
}

impl utoipa::PartialSchema for WebhookEventDto {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An event type an endpoint takes, or `*` for every type (PRODUCT.md §8).",
            ))
            .enum_values(Some(WebhookEventDto::names()))
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
    #[schema(min_items = 1, max_items = 18, value_type = BTreeSet<WebhookEventDto>)]
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
    #[schema(min_items = 1, max_items = 18, value_type = BTreeSet<WebhookEventDto>, nullable = false)]
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
    fn the_contract_lists_star_and_the_domain_event_types() {
        let names: Vec<&str> = WebhookEventDto::names().collect();
        assert_eq!(names.len(), domain::event::EventType::ALL.len() + 1);
        assert_eq!(names[0], "*");
        assert_eq!(
            WebhookEventDto::from_wire("invoice.issued").map(WebhookEventDto::as_str),
            Some("invoice.issued")
        );
        assert!(WebhookEventDto::from_wire("invoice.paid").is_none());
        assert!(serde_json::from_str::<WebhookEventDto>("\"invoice.paid\"").is_err());
    }
}
