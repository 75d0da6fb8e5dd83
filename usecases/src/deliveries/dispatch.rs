//! Fan-out: each undispatched event becomes one delivery per receiver, and
//! is marked dispatched, in one transaction — so a dispatcher that dies
//! midway leaves the event for the next pass, and two never both fan it out.

use crate::error::Error;
use chrono::NaiveDateTime;
use domain::OrganizationId;
use persistence::repos::{deliveries, events, webhook_endpoints};
use persistence::rows::{DeliveryRow, EventRow, WebhookEndpointRow};
use persistence::{write_transaction, DbConnection};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// Events fanned out per transaction.
pub const BATCH: i64 = 100;

/// Fans out one batch; returns how many events it dispatched.
pub fn dispatch_batch(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, Error> {
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
            for row in email_deliveries(conn, event, now)? {
                deliveries::insert(conn, &row)?;
            }
        }
        let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
        events::mark_dispatched(conn, &ids, now)?;
        Ok(batch.len())
    })
}

/// THE E-MAIL SPOT (the phase after webhooks, PRODUCT.md §8 "E-mail"): the
/// e-mail deliveries of one event, made with `DeliveryRow::to_recipient` —
/// `invoice.issued` → the billing profile's `invoice_email`; every in-app
/// notification written for the event (`notifications.event_id`) → its
/// recipient's address. The worker's claim, lease, retry and log already
/// serve the `email` channel; only its sender is missing. None yet.
fn email_deliveries(
    _conn: &mut DbConnection,
    _event: &EventRow,
    _now: NaiveDateTime,
) -> Result<Vec<DeliveryRow>, Error> {
    Ok(Vec::new())
}
