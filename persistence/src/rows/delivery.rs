//! Webhook endpoints, deliveries and their attempts (PRODUCT.md §8).

use super::Nullable;
use crate::schema::{deliveries, delivery_attempts, webhook_endpoints};
use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use domain::delivery::{Channel, DeliveryStatus};
use domain::ids::{DeliveryAttemptId, DeliveryId, NotificationId, WebhookEndpointId};
use domain::webhook::{EndpointHealth, EventSelection, SigningSecrets};
use domain::{EventId, OrganizationId};

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = webhook_endpoints)]
pub struct WebhookEndpointRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: WebhookEndpointId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    pub url: String,
    pub description: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub events: EventSelection,
    pub enabled: bool,
    /// `failing` when the service switched it off; `None` otherwise.
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

// Secrets never reach logs.
impl std::fmt::Debug for WebhookEndpointRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpointRow")
            .field("id", &self.id)
            .field("organization_id", &self.organization_id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl WebhookEndpointRow {
    /// A new, enabled, healthy endpoint with one secret, created at `at`.
    pub fn new(
        organization_id: OrganizationId,
        url: String,
        events: EventSelection,
        description: Option<String>,
        secret: String,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            id: WebhookEndpointId::new_random(),
            organization_id,
            url,
            description,
            events,
            enabled: true,
            disabled_reason: None,
            secret,
            previous_secret: None,
            previous_secret_expires_at: None,
            failing_since: None,
            created_at: at,
            updated_at: at,
        }
    }

    pub fn secrets(&self) -> SigningSecrets {
        SigningSecrets {
            current: self.secret.clone(),
            previous: self.previous_secret.clone().zip(
                self.previous_secret_expires_at
                    .map(|t| Utc.from_utc_datetime(&t)),
            ),
        }
    }

    pub fn health(&self) -> EndpointHealth {
        EndpointHealth {
            failing_since: self.failing_since.map(|t| Utc.from_utc_datetime(&t)),
        }
    }
}

/// What an admin may change on an endpoint (`None` leaves a field as it is).
#[derive(AsChangeset, Debug, Clone, Default)]
#[diesel(table_name = webhook_endpoints)]
pub struct WebhookEndpointChanges {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    /// The stored form of an `EventSelection`.
    pub events: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: DeliveryId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub event_id: EventId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub channel: Channel,
    #[diesel(deserialize_as = Nullable<WebhookEndpointId>, serialize_as = Nullable<WebhookEndpointId>)]
    pub endpoint_id: Option<WebhookEndpointId>,
    pub recipient: Option<String>,
    /// An e-mail of this notification; `None` on an invoice's e-mail.
    #[diesel(deserialize_as = Nullable<NotificationId>, serialize_as = Nullable<NotificationId>)]
    pub notification_id: Option<NotificationId>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_owner: Option<String>,
    pub leased_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl DeliveryRow {
    /// A pending delivery, due at `at`, to a webhook endpoint.
    pub fn to_endpoint(
        organization_id: OrganizationId,
        event_id: EventId,
        endpoint_id: WebhookEndpointId,
        at: NaiveDateTime,
    ) -> Self {
        Self::pending(organization_id, event_id, Channel::Webhook, at).with_endpoint(endpoint_id)
    }

    /// A pending e-mail, due at `at`, to `recipient`: the notification's
    /// text, or (`None`) the invoice of an `invoice.issued` event.
    pub fn to_recipient(
        organization_id: OrganizationId,
        event_id: EventId,
        recipient: String,
        notification_id: Option<NotificationId>,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            recipient: Some(recipient),
            notification_id,
            ..Self::pending(organization_id, event_id, Channel::Email, at)
        }
    }

    fn pending(
        organization_id: OrganizationId,
        event_id: EventId,
        channel: Channel,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            id: DeliveryId::new_random(),
            organization_id,
            event_id,
            channel,
            endpoint_id: None,
            recipient: None,
            notification_id: None,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: at,
            lease_owner: None,
            leased_until: None,
            created_at: at,
            delivered_at: None,
        }
    }

    fn with_endpoint(self, endpoint_id: WebhookEndpointId) -> Self {
        Self {
            endpoint_id: Some(endpoint_id),
            ..self
        }
    }
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = delivery_attempts)]
pub struct DeliveryAttemptRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: DeliveryAttemptId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub delivery_id: DeliveryId,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub succeeded: bool,
    pub error: Option<String>,
}
