//! One pass of the delivery worker: dispatch new events, claim what is due
//! under a lease, send outside any transaction (all claimed deliveries at
//! once, each bounded by the transport's 10 s), record each attempt. The
//! API runs a pass about every second in every server process;
//! `selfserve events deliver --once` runs one.

use super::payload;
use super::record::{self, Attempt, Recorded, Tried};
use super::transport::WebhookPost;
use crate::error::Error;
use crate::Services;
use chrono::Duration;
use domain::delivery::Channel;
use domain::ids::WebhookEndpointId;
use domain::EventId;
use persistence::repos::deliveries::{self, Lease};
use persistence::repos::{events, webhook_endpoints};
use persistence::rows::{DeliveryRow, EventRow, WebhookEndpointRow};
use persistence::write_transaction;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How long a claim holds: well past the 10 s send timeout and the
/// recording, so a live worker never loses one; a dead worker's claims come
/// free after it.
pub const LEASE: Duration = Duration::seconds(60);

/// Deliveries claimed per pass.
pub const CLAIM_BATCH: i64 = 32;

/// Dispatch batches per pass at most, so one pass stays short under a backlog.
const DISPATCH_BATCHES: usize = 10;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub dispatched: usize,
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Claimed but handed back unsent (shutting down).
    pub released: usize,
}

/// A worker: its lease owner name is unique per process and instance.
pub struct Worker {
    owner: String,
}

impl Default for Worker {
    fn default() -> Self {
        Self::new()
    }
}

impl Worker {
    pub fn new() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            owner: format!("pid{}-{}", std::process::id(), &id[..12]),
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// One dispatch and one delivery pass. With `stop` set, nothing more is
    /// sent: claimed deliveries not yet sent are released for another worker.
    pub async fn pass(&self, services: &Services, stop: &AtomicBool) -> Result<PassReport, Error> {
        let mut report = PassReport {
            dispatched: dispatch(services).await?,
            ..PassReport::default()
        };
        if stop.load(Ordering::SeqCst) {
            return Ok(report);
        }
        let claimed = self.claim(services).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let (events, endpoints) = load_targets(services, &claimed).await?;
        let sends = claimed
            .iter()
            .map(|d| send(services, d, &events, &endpoints, stop));
        let mut attempts = Vec::with_capacity(claimed.len());
        for outcome in futures_util::future::join_all(sends).await {
            match outcome {
                Ok(Sent::Tried(attempt)) => attempts.push(*attempt),
                Ok(Sent::Released) => report.released += 1,
                Ok(Sent::Gone) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "a delivery could not be sent; its lease will run out")
                }
            }
        }
        let (owner, retry, outbox) = (
            self.owner.clone(),
            services.outbound.retry,
            services.outbox.clone(),
        );
        let recorded = services
            .db
            .run(move |conn| record::attempts(conn, &outbox, &owner, &attempts, retry))
            .await;
        match recorded {
            Ok(recorded) => {
                for r in recorded {
                    match r {
                        Recorded::Delivered => report.delivered += 1,
                        Recorded::Retrying => report.retrying += 1,
                        Recorded::Failed => report.failed += 1,
                        Recorded::Lost => {}
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "recording the attempts failed; their leases will run out")
            }
        }
        if report.released > 0 {
            let owner = self.owner.clone();
            services
                .db
                .run(move |conn| Ok(deliveries::release(conn, &owner)?))
                .await?;
        }
        Ok(report)
    }

    async fn claim(&self, services: &Services) -> Result<Vec<DeliveryRow>, Error> {
        let now = services.clock.now().naive_utc();
        let lease = Lease {
            owner: self.owner.clone(),
            now,
            until: now + LEASE,
        };
        services
            .db
            .run(move |conn| {
                if !deliveries::any_due(conn, lease.now)? {
                    return Ok(Vec::new());
                }
                write_transaction(conn, |c| Ok(deliveries::claim_due(c, &lease, CLAIM_BATCH)?))
            })
            .await
    }
}

/// What became of one claimed delivery before recording.
enum Sent {
    Tried(Box<Attempt>),
    /// Left unsent: the worker is stopping (its claim is given back).
    Released,
    /// Its endpoint was deleted since the claim, and the delivery with it.
    Gone,
}

/// Sends one claimed delivery (recorded afterwards with the pass's others).
async fn send(
    services: &Services,
    delivery: &DeliveryRow,
    events: &HashMap<EventId, EventRow>,
    endpoints: &HashMap<WebhookEndpointId, WebhookEndpointRow>,
    stop: &AtomicBool,
) -> Result<Sent, Error> {
    if stop.load(Ordering::SeqCst) {
        return Ok(Sent::Released);
    }
    let event = events
        .get(&delivery.event_id)
        .ok_or_else(|| Error::internal("a delivery's event is missing"))?;
    let (tried, endpoint) = match (delivery.channel, delivery.endpoint_id) {
        (Channel::Webhook, Some(id)) => {
            // Gone since the claim (deleted): its delivery went with it.
            let Some(endpoint) = endpoints.get(&id) else {
                return Ok(Sent::Gone);
            };
            let tried = send_webhook(services, delivery, event, endpoint).await?;
            (tried, Some((id, endpoint.health())))
        }
        (Channel::Email, _) => (send_mail(services, delivery, event).await?, None),
        (Channel::Webhook, None) => (
            unsent(services, "a webhook delivery without an endpoint", true),
            None,
        ),
    };
    Ok(Sent::Tried(Box::new(Attempt {
        delivery: delivery.clone(),
        endpoint,
        tried,
    })))
}

fn unsent(services: &Services, why: &str, permanent: bool) -> Tried {
    Tried {
        at: services.clock.now(),
        status_code: None,
        duration: std::time::Duration::ZERO,
        delivered: false,
        permanent,
        error: Some(why.to_owned()),
    }
}

/// Composes the e-mail from what it is about (read now, outside any
/// transaction) and hands it to the SMTP sender.
async fn send_mail(
    services: &Services,
    delivery: &DeliveryRow,
    event: &EventRow,
) -> Result<Tried, Error> {
    let Some(sender) = services.outbound.mail.clone() else {
        // Queued while SMTP was configured; it may be again after a restart.
        return Ok(unsent(services, "no SMTP server is configured", false));
    };
    let (d, e) = (delivery.clone(), event.clone());
    let Some(mail) = services
        .db
        .read(move |conn| super::mail::compose(conn, &d, &e))
        .await?
    else {
        return Ok(unsent(services, "what the e-mail was about is gone", true));
    };
    let started = Instant::now();
    let sent = sender.send(&mail).await;
    Ok(Tried {
        at: services.clock.now(),
        status_code: None,
        duration: started.elapsed(),
        delivered: sent.is_ok(),
        permanent: sent.as_ref().is_err_and(|f| f.permanent),
        error: sent.err().map(|f| f.message),
    })
}

async fn send_webhook(
    services: &Services,
    delivery: &DeliveryRow,
    event: &EventRow,
    endpoint: &WebhookEndpointRow,
) -> Result<Tried, Error> {
    let body = payload::body(event)?;
    let signed_at = services.clock.now();
    let secrets = endpoint.secrets();
    let headers = payload::headers(
        delivery,
        event,
        &body,
        signed_at.timestamp(),
        &secrets.active(signed_at),
    );
    let post = WebhookPost {
        url: endpoint.url.clone(),
        headers,
        body,
    };
    let started = Instant::now();
    let outcome = services.outbound.transport.post(&post).await;
    let delivered = outcome.delivered();
    let error = match (outcome.error, outcome.status) {
        (Some(error), _) => Some(error),
        (None, Some(status)) if !delivered => Some(format!("the receiver answered {status}")),
        (None, _) => None,
    };
    Ok(Tried {
        at: services.clock.now(),
        status_code: outcome.status,
        duration: started.elapsed(),
        delivered,
        permanent: false,
        error,
    })
}

/// Dispatches until no undispatched event is left (or a bounded number of batches).
pub async fn dispatch(services: &Services) -> Result<usize, Error> {
    let now = services.clock.now().naive_utc();
    let mail = services.outbound.mail.is_some();
    services
        .db
        .run(move |conn| {
            let mut total = 0;
            if !events::any_undispatched(conn)? {
                return Ok(0);
            }
            for _ in 0..DISPATCH_BATCHES {
                let n = super::dispatch::dispatch_batch(conn, now, mail)?;
                total += n;
                if n < super::dispatch::BATCH as usize {
                    break;
                }
            }
            Ok(total)
        })
        .await
}

type Targets = (
    HashMap<EventId, EventRow>,
    HashMap<WebhookEndpointId, WebhookEndpointRow>,
);

async fn load_targets(services: &Services, claimed: &[DeliveryRow]) -> Result<Targets, Error> {
    let event_ids: Vec<EventId> = claimed.iter().map(|d| d.event_id).collect();
    let endpoint_ids: Vec<WebhookEndpointId> =
        claimed.iter().filter_map(|d| d.endpoint_id).collect();
    services
        .db
        .read(move |conn| {
            let events = events::by_ids(conn, &event_ids)?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
            let endpoints = webhook_endpoints::by_ids(conn, &endpoint_ids)?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
            Ok((events, endpoints))
        })
        .await
}
