//! After an attempt: the attempt in the log, the delivery's new state
//! (delivered, retried later, or failed after 3 days) and the endpoint's
//! health (healthy again, still failing, or switched off after 3 days of
//! failures), in one transaction.

use crate::error::Error;
use crate::outbox::Outbox;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::ids::{DeliveryAttemptId, WebhookEndpointId};
use domain::webhook::health::AfterEndpointFailure;
use domain::webhook::{AfterFailure, EndpointHealth, RetryPolicy};
use domain::{AuditEventId, OrganizationId};
use persistence::repos::deliveries::{self, Settled};
use persistence::repos::{audit, webhook_endpoints};
use persistence::rows::{DeliveryAttemptRow, DeliveryRow, NewAuditEvent};
use persistence::{write_transaction, DbConnection};
use std::time::Duration;

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Tried {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration: Duration,
    pub delivered: bool,
    /// Retrying cannot help (a mail server's 5xx, a recipient that is not an
    /// address): the delivery fails now.
    pub permanent: bool,
    pub error: Option<String>,
}

/// What recording changed, for the pass report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Delivered,
    Retrying,
    Failed,
    /// The lease was lost (taken over after it ran out) or the delivery is gone.
    Lost,
}

/// One attempt of a pass: the delivery, for a webhook its endpoint's
/// health as it was when the attempt began, and what came of it.
pub struct Attempt {
    pub delivery: DeliveryRow,
    pub endpoint: Option<(WebhookEndpointId, EndpointHealth)>,
    pub tried: Tried,
}

/// Records every attempt of a pass in one transaction: one commit (one
/// fsync) per pass instead of one per delivery, which capped a worker at
/// a few dozen deliveries a second behind a backlog. Should it fail, nothing
/// is recorded and the leases run out: the deliveries are sent again (at
/// least once).
pub fn attempts(
    conn: &mut DbConnection,
    outbox: &Outbox,
    owner: &str,
    attempts: &[Attempt],
    retry: RetryPolicy,
) -> Result<Vec<Recorded>, Error> {
    write_transaction(conn, |conn| {
        attempts
            .iter()
            .map(|a| attempt(conn, outbox, owner, a, retry))
            .collect()
    })
}

fn attempt(
    conn: &mut DbConnection,
    outbox: &Outbox,
    owner: &str,
    attempt: &Attempt,
    retry: RetryPolicy,
) -> Result<Recorded, Error> {
    let Attempt {
        delivery,
        endpoint,
        tried,
    } = attempt;
    let now = tried.at;
    let settled = if tried.delivered {
        Settled::Delivered {
            at: now.naive_utc(),
        }
    } else if tried.permanent {
        Settled::Failed
    } else {
        let attempts = u32::try_from(delivery.attempts).unwrap_or(0) + 1;
        let created = chrono::TimeZone::from_utc_datetime(&Utc, &delivery.created_at);
        match retry.after_failure(attempts, created, now, rand::random::<f64>()) {
            AfterFailure::RetryAt(at) => Settled::RetryAt(at.naive_utc()),
            AfterFailure::GiveUp => Settled::Failed,
        }
    };
    let row = DeliveryAttemptRow {
        id: DeliveryAttemptId::new_random(),
        delivery_id: delivery.id,
        attempted_at: now.naive_utc(),
        status_code: tried.status_code.map(i32::from),
        duration_ms: i64::try_from(tried.duration.as_millis()).unwrap_or(i64::MAX),
        succeeded: tried.delivered,
        error: tried.error.clone(),
    };
    if !deliveries::settle(conn, owner, &row, settled)? {
        return Ok(Recorded::Lost);
    }
    if let Some((id, health)) = *endpoint {
        endpoint_health(conn, outbox, delivery.organization_id, (id, health), tried)?;
    }
    Ok(match settled {
        Settled::Delivered { .. } => Recorded::Delivered,
        Settled::RetryAt(_) => Recorded::Retrying,
        Settled::Failed => Recorded::Failed,
    })
}

fn endpoint_health(
    conn: &mut DbConnection,
    outbox: &Outbox,
    org: OrganizationId,
    (id, health): (WebhookEndpointId, EndpointHealth),
    tried: &Tried,
) -> Result<(), Error> {
    if tried.delivered {
        webhook_endpoints::mark_healthy(conn, id)?;
        return Ok(());
    }
    match health.after_failure(tried.at) {
        AfterEndpointFailure::KeepFailing { since } => {
            webhook_endpoints::mark_failing(conn, id, since.naive_utc())?;
        }
        AfterEndpointFailure::Disable { since } => {
            if webhook_endpoints::disable_failing(conn, id, tried.at.naive_utc())? {
                // Its deliveries have failed with it; an admin who fixes the
                // receiver turns it back on and redelivers what matters.
                deliveries::fail_pending_of(conn, id)?;
                audit_disabled(conn, org, id, since, tried.at)?;
                let endpoint = webhook_endpoints::find(conn, org, id)?
                    .ok_or_else(|| Error::internal("a switched-off endpoint vanished"))?;
                outbox.webhook_endpoint_disabled(conn, &(&endpoint).into(), org, tried.at)?;
            }
        }
    }
    Ok(())
}

/// The switch-off in the audit log (`webhook_endpoint_disabled`, no acting
/// user); the admins' notification is the outbox's.
fn audit_disabled(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: WebhookEndpointId,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    audit::record(
        conn,
        &NewAuditEvent {
            id: AuditEventId::new_random(),
            organization_id: org,
            actor_id: None,
            action: AuditAction::WebhookEndpointDisabled.as_str().to_owned(),
            target_type: "webhook_endpoint".to_owned(),
            target_id: id.to_string(),
            subscription_id: None,
            before_state: None,
            after_state: Some(
                serde_json::json!({"enabled": false, "reason": "failing", "failing_since": since})
                    .to_string(),
            ),
            occurred_at: at.naive_utc(),
        },
    )?;
    Ok(())
}
