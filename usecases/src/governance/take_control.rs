//! An admin taking control of a member's self-service purchase (PRODUCT.md
//! §7): its users move to an organisation subscription of the same product
//! and it is canceled, or it is simply canceled. All in the caller's
//! transaction, so a refusal anywhere leaves everything as it was.
//!
//! Concurrency: the purchase's row is locked before it is read, so of two
//! take-overs (or a take-over and the purchaser's own cancellation) the
//! second reads the first's result and answers `already_canceled`. The
//! target's licenses are taken with the same conditional update as any
//! assignment (`assigned + n <= total`).

use crate::audit::{self, Change};
use crate::error::{Conflict, Error, Invalid, TargetRefusal};
use crate::subscriptions::cancel::cancel_loaded;
use crate::subscriptions::{access, Loaded};
use crate::{Actor, Origin, Outbox};
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::event::EventType;
use domain::governance::{
    check_source, check_target, plan_move, NotEnoughLicenses, SourceRefusal, TargetFacts,
};
use domain::subscription::{CancelReason, Feedback, SubscriptionStatus};
use domain::{SubscriptionId, UserId};
use persistence::repos::{assignments, subscriptions as repo};
use persistence::rows::AssignmentRow;
use persistence::DbConnection;
use std::collections::HashSet;

/// What the admin asks for.
#[derive(Debug, Clone)]
pub enum TakeControl {
    MoveUsers {
        target: SubscriptionId,
    },
    Cancel {
        reason: CancelReason,
        feedback: Option<String>,
    },
}

/// The canceled purchase and who moved (nobody for `Cancel`).
pub struct TakenOver {
    pub loaded: Loaded,
    pub moved: Vec<UserId>,
}

/// Loads the purchase under its row lock and checks it can be taken.
fn load_source(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    repo::lock(conn, id)?;
    let row =
        repo::find(conn, caller.organization_id, id)?.ok_or(Error::NotFound("subscription"))?;
    if !access(caller, &row)?.can_read() {
        return Err(Error::NotFound("subscription"));
    }
    let loaded = Loaded::parse(row, now.date_naive())?;
    check_source(loaded.source, loaded.status).map_err(|refusal| match refusal {
        // Deleted is read-only for good, and says so (PRODUCT.md §8).
        SourceRefusal::NotLive(SubscriptionStatus::Deleted) => {
            Error::from(Conflict::SubscriptionDeleted)
        }
        // Canceled, expired or disabled alike: there is nothing live to take.
        SourceRefusal::NotLive(_) => Error::from(Conflict::AlreadyCanceled),
        SourceRefusal::NotSelfService => Conflict::NotSelfService.into(),
    })?;
    Ok(loaded)
}

/// Takes control of subscription `id` (admins only; see the module docs).
pub fn take_control(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    id: SubscriptionId,
    action: TakeControl,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<TakenOver, Error> {
    caller.require_admin()?;
    let source = load_source(conn, caller, id, now)?;
    let purchaser = source.row.purchaser_id;
    let (reason, feedback, moved, target) = match action {
        TakeControl::Cancel { reason, feedback } => {
            let feedback = Feedback::parse_optional(feedback.as_deref())
                .map_err(|e| Error::invalid_field("feedback", e))?;
            (reason, feedback, Vec::new(), None)
        }
        TakeControl::MoveUsers { target } => {
            let moved = move_users(conn, caller, outbox, &source, target, now)?;
            (CancelReason::TakenOverByAdmin, None, moved, Some(target))
        }
    };
    let loaded = cancel_loaded(
        conn,
        caller,
        outbox,
        source,
        reason,
        feedback,
        tax_rate_bps,
        now,
    )?;
    // The record §8's notifications deliver to the purchaser: written in
    // this transaction, so there is no take-over without it.
    audit::record(
        conn,
        Change {
            action: AuditAction::TakenOver,
            target_type: "subscription",
            target_id: id.to_string(),
            subscription_id: Some(id),
            before: None,
            after: Some(serde_json::json!({
                "purchaser_id": purchaser.to_string(),
                "action": if target.is_some() { "move_users" } else { "cancel" },
                "target_subscription_id": target.map(|t| t.to_string()),
                "moved_user_ids": moved.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
            caller,
            at: now,
        },
    )?;
    outbox.taken_over(conn, &Origin::of(caller, now), id, &moved)?;
    Ok(TakenOver { loaded, moved })
}

/// Moves every holder of `source` onto `target_id`, all or nothing;
/// answers who moved. The source's own licenses are released by its
/// cancellation, in the same transaction.
fn move_users(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    source: &Loaded,
    target_id: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, Error> {
    let invalid = |why: TargetRefusal| Error::from(Invalid::TargetSubscription(why));
    repo::lock(conn, target_id)?;
    let target = repo::find(conn, caller.organization_id, target_id)?
        .ok_or_else(|| invalid(TargetRefusal::Missing))?;
    let target = Loaded::parse(target, now.date_naive())?;
    check_target(
        source.row.id,
        source.row.product_id,
        &TargetFacts {
            id: target_id,
            source: target.source,
            status: target.status,
            product_id: target.row.product_id,
        },
    )
    .map_err(|why| invalid(TargetRefusal::Domain(why)))?;

    let users = assignments::holders(conn, source.row.id)?;
    let holders: HashSet<UserId> = assignments::holders_among(conn, target_id, &users)?
        .into_iter()
        .collect();
    let free = target.row.license_count - target.row.assigned_count;
    let not_enough = |e: NotEnoughLicenses| {
        Error::from(Conflict::NotEnoughLicenses {
            available: e.available,
            requested: e.requested,
        })
    };
    let plan = plan_move(&users, &holders, free).map_err(not_enough)?;
    let needed = plan.licenses_consumed();
    if needed > 0 {
        // The guard that holds whatever else runs: one conditional statement.
        if !repo::take_licenses(conn, target_id, needed, now.naive_utc())? {
            return Err(not_enough(NotEnoughLicenses {
                available: free.max(0),
                requested: needed,
            }));
        }
        for user in plan.newly_assigned() {
            assignments::insert(
                conn,
                &AssignmentRow {
                    subscription_id: target_id,
                    user_id: *user,
                    organization_id: caller.organization_id,
                    assigned_by: caller.user_id,
                    assigned_at: now.naive_utc(),
                    state: domain::assignment::AssignmentState::Active,
                },
            )?;
        }
    }
    audit::record(
        conn,
        Change {
            action: AuditAction::LicensesMovedIn,
            target_type: "subscription",
            target_id: target_id.to_string(),
            subscription_id: Some(target_id),
            before: None,
            after: Some(serde_json::json!({
                "from_subscription_id": source.row.id.to_string(),
                "user_ids": plan.moved().iter().map(ToString::to_string).collect::<Vec<_>>(),
                "newly_assigned": plan.newly_assigned().iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
            caller,
            at: now,
        },
    )?;
    if needed > 0 {
        let origin = Origin::of(caller, now);
        let gained = plan.newly_assigned();
        outbox.licenses(
            conn,
            &origin,
            EventType::LicensesAssigned,
            target_id,
            gained,
        )?;
    }
    Ok(plan.moved().to_vec())
}
