//! Writing the audit history, inside the transaction of the change it records.

use crate::error::Error;
use crate::Actor;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::{AuditEventId, OrganizationId, SubscriptionId};
use persistence::repos;
use persistence::rows::NewAuditEvent;
use persistence::DbConnection;

pub struct Change<'a> {
    pub action: AuditAction,
    pub target_type: &'static str,
    pub target_id: String,
    pub subscription_id: Option<SubscriptionId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub caller: &'a Actor,
    pub at: DateTime<Utc>,
}

impl<'a> Change<'a> {
    /// A change to subscription `id` made by `caller`.
    pub fn on_subscription(
        action: AuditAction,
        id: SubscriptionId,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
        caller: &'a Actor,
        at: DateTime<Utc>,
    ) -> Self {
        Change {
            action,
            target_type: "subscription",
            target_id: id.to_string(),
            subscription_id: Some(id),
            before,
            after,
            caller,
            at,
        }
    }
}

/// A change the system made on its own (the billing run): no acting user.
pub struct SystemChange {
    pub organization_id: OrganizationId,
    pub action: AuditAction,
    pub subscription_id: SubscriptionId,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

pub fn record_system(conn: &mut DbConnection, change: SystemChange) -> Result<(), Error> {
    repos::audit::record(
        conn,
        &NewAuditEvent {
            id: AuditEventId::new_random(),
            organization_id: change.organization_id,
            actor_id: None,
            action: change.action.as_str().to_owned(),
            target_type: "subscription".to_owned(),
            target_id: change.subscription_id.to_string(),
            subscription_id: Some(change.subscription_id),
            before_state: change.before.map(|v| v.to_string()),
            after_state: change.after.map(|v| v.to_string()),
            occurred_at: change.at.naive_utc(),
        },
    )?;
    Ok(())
}

pub fn record(conn: &mut DbConnection, change: Change<'_>) -> Result<(), Error> {
    repos::audit::record(
        conn,
        &NewAuditEvent {
            id: AuditEventId::new_random(),
            organization_id: change.caller.organization_id,
            actor_id: Some(change.caller.user_id),
            action: change.action.as_str().to_owned(),
            target_type: change.target_type.to_owned(),
            target_id: change.target_id,
            subscription_id: change.subscription_id,
            before_state: change.before.map(|v| v.to_string()),
            after_state: change.after.map(|v| v.to_string()),
            occurred_at: change.at.naive_utc(),
        },
    )?;
    Ok(())
}
