//! What a webhook carries: the event as JSON, `{"id", "type", "created_at",
//! "organization_id", "data"}`, and the headers that identify and sign it.

use crate::error::Error;
use chrono::{DateTime, TimeZone, Utc};
use domain::webhook::signature_header;
use domain::{EventId, OrganizationId};
use persistence::rows::{DeliveryRow, EventRow};
use serde::Serialize;

#[derive(Serialize)]
struct Envelope<'a> {
    id: EventId,
    #[serde(rename = "type")]
    event_type: &'static str,
    created_at: DateTime<Utc>,
    organization_id: OrganizationId,
    data: &'a serde_json::Value,
}

/// The raw body: the same bytes are signed and sent.
pub fn body(event: &EventRow) -> Result<String, Error> {
    let data: serde_json::Value = serde_json::from_str(&event.data)
        .map_err(|e| Error::internal(format!("event {} holds no JSON: {e}", event.id)))?;
    serde_json::to_string(&Envelope {
        id: event.id,
        event_type: event.event_type.as_str(),
        created_at: Utc.from_utc_datetime(&event.created_at),
        organization_id: event.organization_id,
        data: &data,
    })
    .map_err(|e| Error::internal(format!("event {}: {e}", event.id)))
}

/// The headers of one webhook request, signed at `timestamp` (unix seconds)
/// with every active secret.
pub fn headers(
    delivery: &DeliveryRow,
    event: &EventRow,
    body: &str,
    timestamp: i64,
    secrets: &[&str],
) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".to_owned()),
        (
            "User-Agent",
            concat!("selfserve-webhooks/", env!("CARGO_PKG_VERSION")).to_owned(),
        ),
        ("Selfserve-Event-Id", event.id.to_string()),
        ("Selfserve-Event-Type", event.event_type.as_str().to_owned()),
        ("Selfserve-Delivery-Id", delivery.id.to_string()),
        (
            "Selfserve-Signature",
            signature_header(timestamp, body.as_bytes(), secrets),
        ),
    ]
}
