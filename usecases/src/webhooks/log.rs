//! An endpoint's deliveries, each with its attempts, and redelivery.

use super::endpoints::load;
use crate::error::{Conflict, Error};
use crate::page::Page;
use crate::{Actor, Services};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use domain::delivery::DeliveryStatus;
use domain::event::EventType;
use domain::ids::{DeliveryId, WebhookEndpointId};
use domain::EventId;
use persistence::repos::deliveries::{self as repo, Logged};
use persistence::rows::{DeliveryAttemptRow, DeliveryRow};

#[derive(Debug, Clone)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    pub succeeded: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LoggedDelivery {
    pub id: DeliveryId,
    pub event_id: EventId,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

impl From<&DeliveryAttemptRow> for Attempt {
    fn from(a: &DeliveryAttemptRow) -> Self {
        Self {
            attempted_at: utc(a.attempted_at),
            status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
            duration_ms: a.duration_ms,
            succeeded: a.succeeded,
            error: a.error.clone(),
        }
    }
}

fn logged(
    delivery: &DeliveryRow,
    event_type: EventType,
    attempts: &[DeliveryAttemptRow],
) -> LoggedDelivery {
    LoggedDelivery {
        id: delivery.id,
        event_id: delivery.event_id,
        event_type,
        status: delivery.status,
        next_attempt_at: (delivery.status == DeliveryStatus::Pending)
            .then(|| utc(delivery.next_attempt_at)),
        created_at: utc(delivery.created_at),
        delivered_at: delivery.delivered_at.map(utc),
        attempts: attempts.iter().map(Attempt::from).collect(),
    }
}

impl From<&Logged> for LoggedDelivery {
    fn from(l: &Logged) -> Self {
        logged(&l.delivery, l.event_type, &l.attempts)
    }
}

/// The endpoint's deliveries, newest first.
pub async fn list(
    services: &Services,
    caller: &Actor,
    endpoint: WebhookEndpointId,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<LoggedDelivery>, Option<String>), Error> {
    caller.require_admin()?;
    let who = caller.clone();
    let (limit, before) = (page.fetch_limit(), page.after.clone());
    services
        .db
        .read(move |conn| {
            load(conn, &who, endpoint)?;
            let rows = repo::log_of_endpoint(conn, endpoint, before, limit)?;
            let (rows, next) =
                page.finish(rows, |l| (l.delivery.created_at, l.delivery.id.to_string()));
            Ok((rows.iter().map(LoggedDelivery::from).collect(), next))
        })
        .await
}

/// Sends the delivery's event to the endpoint again, as a new delivery due
/// now with a fresh retry window (the old one and its log stay as they were).
pub async fn redeliver(
    services: &Services,
    caller: &Actor,
    endpoint: WebhookEndpointId,
    delivery: DeliveryId,
) -> Result<LoggedDelivery, Error> {
    caller.require_admin()?;
    services
        .write(caller, move |conn, caller, now| {
            let row = load(conn, caller, endpoint)?;
            let old = repo::find_for_endpoint(conn, endpoint, delivery)?
                .ok_or(Error::NotFound("delivery"))?;
            if !row.enabled {
                return Err(Conflict::WebhookEndpointDisabled.into());
            }
            let event_type = persistence::repos::events::by_ids(conn, &[old.event_id])?
                .first()
                .map(|e| e.event_type)
                .ok_or_else(|| Error::internal("delivery without its event"))?;
            let fresh = DeliveryRow::to_endpoint(
                caller.organization_id,
                old.event_id,
                endpoint,
                now.naive_utc(),
            );
            repo::insert(conn, &fresh)?;
            Ok(logged(&fresh, event_type, &[]))
        })
        .await
}
