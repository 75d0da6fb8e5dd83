//! The billing run's side of the lifecycle (PRODUCT.md §8): ending a
//! subscription when its period or trial ends without renewal, and moving a
//! paid one that was not renewed along `expired` → `disabled` → `deleted`.
//! The rules (which status, from which date, what becomes of the
//! assignments) are `domain::subscription::lifecycle`; this applies them.
//!
//! Every change is guarded by the row's version, so of two runs racing on
//! one subscription only one gets through; the other rolls back.

use super::invoicing;
use super::Loaded;
use crate::audit::{self, SystemChange};
use crate::error::Error;
use crate::{Origin, Outbox};
use chrono::{DateTime, NaiveDate, Utc};
use domain::audit::AuditAction;
use domain::event::EventType;
use domain::subscription::lifecycle::{self as rules, AssignmentEffect, Lapse, LapseDates, Step};
use domain::subscription::SubscriptionStatus;
use domain::{OrganizationId, SubscriptionId};
use persistence::repos::{assignments, subscriptions as repo};
use persistence::rows::SubscriptionChanges;
use persistence::{DbConnection, Race, RepoError};

pub(super) fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// How a subscription ends when its period (or trial) does.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ending {
    /// A paid period not renewed: `expired`, licenses kept for the grace.
    Lapsed(Lapse),
    /// Canceled at period end: `canceled`, licenses released, no grace.
    CanceledAtPeriodEnd,
    /// A trial not converted by its end: `expired`, licenses released.
    TrialEnded,
}

impl Ending {
    fn status(self) -> SubscriptionStatus {
        match self {
            Ending::CanceledAtPeriodEnd => SubscriptionStatus::Canceled,
            Ending::Lapsed(_) | Ending::TrialEnded => SubscriptionStatus::Expired,
        }
    }

    /// How the end is recorded: its audit action and its outbox event.
    fn recorded_as(self) -> (AuditAction, EventType) {
        match self {
            Ending::CanceledAtPeriodEnd => (AuditAction::Canceled, EventType::SubscriptionCanceled),
            Ending::Lapsed(_) | Ending::TrialEnded => {
                (AuditAction::Expired, EventType::SubscriptionExpired)
            }
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Ending::Lapsed(lapse) => lapse.as_str(),
            Ending::CanceledAtPeriodEnd => "canceled_at_period_end",
            Ending::TrialEnded => "trial_ended",
        }
    }
}

/// Ends `loaded` on `at` as `ending` says, and settles the lines still
/// waiting for a next invoice there will not be (decrease credits, deferred
/// increases) with an invoice of their own, never dropping them. Returns
/// whether one was issued.
pub(super) fn end(
    conn: &mut DbConnection,
    outbox: &Outbox,
    loaded: &Loaded,
    ending: Ending,
    at: DateTime<Utc>,
    tax_rate_bps: u32,
) -> Result<bool, Error> {
    let row = &loaded.row;
    let status = ending.status();
    let canceled = matches!(ending, Ending::CanceledAtPeriodEnd);
    let changes = SubscriptionChanges {
        status: Some(status.as_str().to_owned()),
        auto_renew: Some(false),
        cancel_at: canceled.then_some(None),
        canceled_at: canceled.then_some(Some(at.naive_utc())),
        updated_at: Some(at.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, row.id, row.version, &changes)? {
        return Err(Error::Storage(RepoError::Raced(Race::SubscriptionVersion)));
    }
    // In its grace a lapsed subscription keeps its licenses (usable);
    // a cancellation and an ended trial release them.
    let released = match ending {
        Ending::Lapsed(_) => 0,
        Ending::CanceledAtPeriodEnd | Ending::TrialEnded => release_all(conn, row.id)?,
    };
    let origin = Origin::system(row.organization_id, at);
    let (action, event) = ending.recorded_as();
    outbox.subscription(conn, &origin, event, row.id)?;
    let credit_invoice =
        invoicing::settle_open_credits(conn, outbox, row, tax_rate_bps, at)?.map(|i| i.id);
    let mut after = serde_json::json!({
        "status": status.as_str(),
        "reason": ending.reason(),
        "released_assignments": released,
        "credit_invoice_id": credit_invoice,
    });
    if let (Ending::Lapsed(_), Some(ended)) = (ending, row.current_period_end) {
        let dates = LapseDates::after(ended);
        after["disabled_on"] = serde_json::json!(dates.disabled_on);
        after["deleted_on"] = serde_json::json!(dates.deleted_on);
    }
    audit::record_system(
        conn,
        SystemChange {
            organization_id: row.organization_id,
            action,
            subscription_id: row.id,
            before: Some(serde_json::json!({
                "status": row.status.as_str(),
                "assigned_count": row.assigned_count,
                "cancel_at": row.cancel_at,
            })),
            after: Some(after),
            at,
        },
    )?;
    Ok(credit_invoice.is_some())
}

fn release_all(conn: &mut DbConnection, id: SubscriptionId) -> Result<usize, Error> {
    let released = assignments::delete_all(conn, id)?;
    repo::reset_assigned(conn, id)?;
    Ok(released)
}

/// The steps a run took on one subscription.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Advanced {
    pub disabled: usize,
    pub deleted: usize,
}

/// Takes every lifecycle step due by `as_of` on an expired or disabled paid
/// subscription, each dated the day it fell due (a late run catches up).
pub(super) fn advance(
    conn: &mut DbConnection,
    outbox: &Outbox,
    org: OrganizationId,
    id: SubscriptionId,
    as_of: NaiveDate,
) -> Result<Advanced, Error> {
    let mut done = Advanced::default();
    let Some(row) = repo::find(conn, org, id)? else {
        return Ok(done);
    };
    let loaded = Loaded::parse(row, as_of)?;
    let Some(ended) = loaded.row.current_period_end.filter(|_| loaded.is_paid()) else {
        return Ok(done);
    };
    let mut from = loaded.row.status;
    // Each step bumps the version once.
    let steps = rules::due(from, ended, as_of);
    for (version, step) in (loaded.row.version..).zip(steps) {
        take(conn, outbox, &loaded, from, version, step)?;
        from = step.to;
        match step.to {
            SubscriptionStatus::Disabled => done.disabled += 1,
            _ => done.deleted += 1,
        }
    }
    Ok(done)
}

fn take(
    conn: &mut DbConnection,
    outbox: &Outbox,
    loaded: &Loaded,
    from: SubscriptionStatus,
    version: i64,
    step: Step,
) -> Result<(), Error> {
    let id = loaded.row.id;
    let at = midnight(step.on);
    let changes = SubscriptionChanges {
        status: Some(step.to.as_str().to_owned()),
        updated_at: Some(at.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, version, &changes)? {
        return Err(Error::Storage(RepoError::Raced(Race::SubscriptionVersion)));
    }
    let (action, effect, event) = match step.assignments() {
        AssignmentEffect::Suspend => {
            let suspended = assignments::suspend_all(conn, id)?;
            // Suspended licenses are held by no one: they count as unassigned.
            repo::reset_assigned(conn, id)?;
            (
                AuditAction::Disabled,
                serde_json::json!({"suspended_assignments": suspended}),
                EventType::SubscriptionDisabled,
            )
        }
        AssignmentEffect::Release => (
            AuditAction::Deleted,
            serde_json::json!({"released_assignments": release_all(conn, id)?}),
            EventType::SubscriptionDeleted,
        ),
        AssignmentEffect::Keep => {
            return Err(Error::internal("a lifecycle step that keeps licenses"))
        }
    };
    let origin = Origin::system(loaded.row.organization_id, at);
    outbox.subscription(conn, &origin, event, id)?;
    let mut after = effect;
    after["status"] = serde_json::json!(step.to.as_str());
    audit::record_system(
        conn,
        SystemChange {
            organization_id: loaded.row.organization_id,
            action,
            subscription_id: id,
            before: Some(serde_json::json!({"status": from.as_str()})),
            after: Some(after),
            at,
        },
    )
}
