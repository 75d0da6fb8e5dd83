//! Fan-out: each undispatched event becomes one delivery per receiver, and
//! is marked dispatched, in one transaction — so a dispatcher that dies
//! midway leaves the event for the next pass, and two never both fan it out.

use crate::error::Error;
use chrono::NaiveDateTime;
use domain::OrganizationId;
use persistence::repos::{deliveries, events, webhook_endpoints};
use persistence::rows::{DeliveryRow, WebhookEndpointRow};
use persistence::{write_transaction, DbConnection};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// Events fanned out per transaction.
pub const BATCH: i64 = 100;

/// Fans out one batch; returns how many events it dispatched. E-mails are
/// queued only when an SMTP server is configured (`mail`): without one they
/// could only fail.
pub fn dispatch_batch(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    mail: bool,
) -> Result<usize, Error> {
    write_transaction(conn, |conn| {
        let batch = events::claim_undispatched(conn, BATCH)?;
        let mut endpoints: HashMap<OrganizationId, Vec<WebhookEndpointRow>> = HashMap::new();
        for event in &batch {
            let org = event.organization_id;
            let of_org = match endpoints.entry(org) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(new) => new.insert(webhook_endpoints::enabled(conn, org)?),
            };
            let subscribed = of_org
                .iter()
                .filter(|e| e.events.includes(event.event_type));
            for endpoint in subscribed {
                let row = DeliveryRow::to_endpoint(org, event.id, endpoint.id, now);
                deliveries::insert(conn, &row)?;
            }
            if mail {
                for row in super::mail::deliveries(conn, event, now)? {
                    deliveries::insert(conn, &row)?;
                }
            }
        }
        let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
        events::mark_dispatched(conn, &ids, now)?;
        Ok(batch.len())
    })
}
