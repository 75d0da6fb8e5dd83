//! Assigning and unassigning licenses: all-or-nothing batches of 1 to 20
//! members, never more assigned than purchased, under any concurrency.
//!
//! The invariant `0 <= assigned_count <= license_count` is enforced three
//! times over: the conditional update that takes licenses (`take_licenses`),
//! a CHECK constraint, and the unique (subscription, user) key.

use super::audit::{self, Change};
use super::paging;
use super::subscriptions::{load_visible, owned, Loaded};
use crate::error::{Conflict, Error, Invalid};
use crate::page::Page;
use crate::Services;
use crate::{Actor, Origin, Outbox};
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::assignment::{check_capacity, AssignmentBatch};
use domain::audit::AuditAction;
use domain::event::EventType;
use domain::subscription::SubscriptionStatus;
use domain::{SubscriptionId, UserId};
use persistence::repos::subscriptions::Named;
use persistence::repos::{assignments as repo, subscriptions, users};
use persistence::rows::{AssignmentRow, SubscriptionRow, UserRow};
use persistence::{Constraint, DbConnection, RepoError};
use std::collections::HashSet;

pub struct Outcome {
    pub changed: Vec<UserId>,
    pub unchanged: Vec<UserId>,
    pub assigned_count: i64,
    pub license_count: i64,
    /// The subscription's version after the change (its ETag): exact, because the
    /// subscription is serialised for the whole transaction.
    pub version: i64,
}

impl Outcome {
    /// `row`: the subscription after the change, as its lock holder knows
    /// it — exact, since nothing else touches it until the transaction ends.
    fn of(row: &SubscriptionRow, changed: Vec<UserId>, unchanged: Vec<UserId>) -> Self {
        Self {
            changed,
            unchanged,
            assigned_count: row.assigned_count,
            license_count: row.license_count,
            version: row.version,
        }
    }

    /// The subscription's strong ETag after the change, as reads show it.
    pub fn etag(&self) -> String {
        super::subscriptions::version_etag(self.version)
    }

    /// Licenses still free after the change.
    pub fn available(&self) -> i64 {
        (self.license_count - self.assigned_count).max(0)
    }
}

pub fn batch(ids: Vec<uuid::Uuid>) -> Result<AssignmentBatch, Error> {
    batch_in("user_ids", ids.into_iter().map(UserId::from).collect())
}

fn batch_in(field: &'static str, ids: Vec<UserId>) -> Result<AssignmentBatch, Error> {
    AssignmentBatch::parse(ids).map_err(|error| Invalid::Batch { field, error }.into())
}

/// The members a purchase assigns (PRODUCT.md §9): a batch like any other,
/// and no more users than the licenses bought.
pub(crate) fn at_purchase(
    ids: Option<Vec<UserId>>,
    license_count: i64,
) -> Result<Option<AssignmentBatch>, Error> {
    let Some(ids) = ids else { return Ok(None) };
    let batch = batch_in("assign_user_ids", ids)?;
    if batch.len() as i64 > license_count {
        return Err(Error::invalid_field(
            "assign_user_ids",
            format!(
                "{} users named but only {license_count} licenses bought; name at most `license_count` users",
                batch.len()
            ),
        ));
    }
    Ok(Some(batch))
}

/// Assigns inside the caller's transaction: a purchase that assigns at once
/// (its users are `assign_user_ids`), or grow-on-assign (`user_ids`).
pub(crate) fn assign_within(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    id: SubscriptionId,
    batch: &AssignmentBatch,
    field: &'static str,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    assign_in(conn, caller, outbox, id, batch, now).map_err(|e| match e {
        Error::Invalid(Invalid::UsersNotInOrganization {
            user_ids, count, ..
        }) => Invalid::UsersNotInOrganization {
            field,
            user_ids,
            count,
        }
        .into(),
        other => other,
    })
}

fn counts(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
) -> Result<(i64, i64), Error> {
    let row = subscriptions::find(conn, caller.organization_id, id)?
        .ok_or(Error::NotFound("subscription"))?;
    Ok((row.assigned_count, row.license_count))
}

fn live_for_assignment(loaded: &Loaded) -> Result<(), Error> {
    if loaded.status.is_live() {
        Ok(())
    } else if loaded.status == SubscriptionStatus::Deleted {
        Err(Error::from(Conflict::SubscriptionDeleted))
    } else {
        Err(Error::from(Conflict::SubscriptionNotActive {
            status: loaded.status.as_str().to_owned(),
        }))
    }
}

pub async fn assign(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    users_batch: AssignmentBatch,
) -> Result<Outcome, Error> {
    let (now, outbox) = (services.clock.now(), services.outbox.clone());
    let caller = caller.clone();
    // A unique-key race (two requests naming the same user at once on
    // PostgreSQL) is retried: on the second pass that user is a holder.
    let mut attempt = 0;
    loop {
        let (caller, outbox, users_batch) = (caller.clone(), outbox.clone(), users_batch.clone());
        match services
            .db
            .write(move |conn| assign_in(conn, &caller, &outbox, id, &users_batch, now))
            .await
        {
            Err(Error::Storage(RepoError::Unique(Constraint::AssignmentUnique))) if attempt < 2 => {
                attempt += 1
            }
            other => return other,
        }
    }
}

pub(crate) fn assign_in(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    id: SubscriptionId,
    batch: &AssignmentBatch,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let today = now.date_naive();
    let (loaded, purchaser) = serialised_named(conn, caller, id, today)?;
    live_for_assignment(&loaded)?;
    let (already, new) = newcomers(conn, caller, id, batch)?;
    let (assigned, total) = (loaded.row.assigned_count, loaded.row.license_count);
    if !new.is_empty() {
        if let Err((available, requested)) = check_capacity(new.len(), total, assigned) {
            return Err(Error::from(Conflict::NotEnoughLicenses {
                available,
                requested,
            }));
        }
        // The guard that holds under any interleaving, lock or not: one conditional statement.
        if !subscriptions::take_licenses(conn, id, new.len() as i64, now.naive_utc())? {
            let (assigned, total) = counts(conn, caller, id)?;
            return Err(Error::from(Conflict::NotEnoughLicenses {
                available: (total - assigned).max(0),
                requested: new.len() as i64,
            }));
        }
        for user in &new {
            repo::insert(
                conn,
                &AssignmentRow {
                    subscription_id: id,
                    user_id: *user,
                    organization_id: caller.organization_id,
                    assigned_by: caller.user_id,
                    assigned_at: now.naive_utc(),
                    state: domain::assignment::AssignmentState::Active,
                },
            )?;
        }
        let after = subscriptions::with_seats_moved(loaded.row, new.len() as i64, now.naive_utc());
        let outcome = Outcome::of(&after, new, already);
        record(
            conn,
            caller,
            outbox,
            AuditAction::LicensesAssigned,
            (after, purchaser),
            &outcome.changed,
            now,
        )?;
        return Ok(outcome);
    }
    Ok(Outcome::of(&loaded.row, new, already))
}

/// The batch split into users who already hold a license and users who need
/// one, after checking that every one is a member of the caller's organisation.
pub(crate) fn newcomers(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    batch: &AssignmentBatch,
) -> Result<(Vec<UserId>, Vec<UserId>), Error> {
    let wanted: Vec<UserId> = batch.users().to_vec();
    let found = repo::members_holding(conn, caller.organization_id, id, &wanted)?;
    let members: HashSet<UserId> = found.iter().map(|(user, _)| *user).collect();
    let strangers: Vec<String> = wanted
        .iter()
        .filter(|u| !members.contains(*u))
        .map(ToString::to_string)
        .collect();
    if !strangers.is_empty() {
        return Err(Error::from(Invalid::UsersNotInOrganization {
            field: "user_ids",
            count: strangers.len(),
            user_ids: strangers,
        }));
    }
    let holders: HashSet<UserId> = found
        .iter()
        .filter(|(_, held)| *held)
        .map(|(user, _)| *user)
        .collect();
    Ok(wanted.into_iter().partition(|u| holders.contains(u)))
}

/// The caller's subscription, with work on its assignments serialised until
/// the transaction ends (`subscriptions::find_locked`), so the reads stay true
/// until commit.
pub(crate) fn serialised(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    today: chrono::NaiveDate,
) -> Result<Loaded, Error> {
    serialised_named(conn, caller, id, today).map(|(loaded, _)| loaded)
}

/// [`serialised`], with the purchaser's name its event will show.
fn serialised_named(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    today: chrono::NaiveDate,
) -> Result<(Loaded, Option<String>), Error> {
    let (row, purchaser) = subscriptions::find_locked(conn, caller.organization_id, id)?
        .ok_or(Error::NotFound("subscription"))?;
    Ok((owned(caller, row, today)?, purchaser))
}

pub async fn unassign(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    users_batch: AssignmentBatch,
) -> Result<Outcome, Error> {
    let outbox = services.outbox.clone();
    services
        .write(caller, move |conn, caller, now| {
            unassign_in(conn, caller, &outbox, id, &users_batch, now)
        })
        .await
}

fn unassign_in(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    id: SubscriptionId,
    batch: &AssignmentBatch,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let (loaded, purchaser) = serialised_named(conn, caller, id, now.date_naive())?;
    // A disabled subscription's licenses are suspended (kept for a
    // reactivation to give back), a deleted one's gone: neither changes here.
    // In its grace an expired one's are held, and may be taken back.
    if matches!(
        loaded.status,
        SubscriptionStatus::Disabled | SubscriptionStatus::Deleted
    ) {
        loaded.require_live()?;
    }
    let (mut removed, mut not_assigned) = (Vec::new(), Vec::new());
    for &user in batch.users() {
        if repo::delete(conn, id, user)? {
            removed.push(user);
        } else {
            not_assigned.push(user);
        }
    }
    if !removed.is_empty() {
        let n = removed.len() as i64;
        subscriptions::release_licenses(conn, id, n, now.naive_utc())?;
        let after = subscriptions::with_seats_moved(loaded.row, -n, now.naive_utc());
        let outcome = Outcome::of(&after, removed, not_assigned);
        record(
            conn,
            caller,
            outbox,
            AuditAction::LicensesUnassigned,
            (after, purchaser),
            &outcome.changed,
            now,
        )?;
        return Ok(outcome);
    }
    Ok(Outcome::of(&loaded.row, removed, not_assigned))
}

/// Records licenses given or taken: the audit entry, the event, and the
/// seat threshold the change may have crossed (PRODUCT.md §8). `after` is the
/// subscription after the change, as its lock holder knows it.
fn record(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    action: AuditAction,
    after: Named,
    users: &[UserId],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let id = after.0.id;
    let changed = serde_json::json!({ "user_ids": users });
    audit::record(
        conn,
        Change::on_subscription(action, id, None, Some(changed), caller, now),
    )?;
    let kind = match action {
        AuditAction::LicensesUnassigned => EventType::LicensesUnassigned,
        _ => EventType::LicensesAssigned,
    };
    let origin = Origin::of(caller, now);
    outbox.licenses_after(conn, &origin, kind, after, users)
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<(AssignmentRow, Option<UserRow>)>, Option<String>), Error> {
    let today = services.clock.now().date_naive();
    let caller = caller.clone();
    paging::read(
        services,
        page,
        move |conn, after, limit| {
            let loaded = load_visible(conn, &caller, id, today)?;
            let rows = repo::page(conn, loaded.row.id, after, limit)?;
            let ids: Vec<UserId> = rows.iter().map(|r| r.user_id).collect();
            let people = users::find_many(conn, caller.organization_id, &ids)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let person = people.iter().find(|p| p.id == r.user_id).cloned();
                    (r, person)
                })
                .collect())
        },
        |(r, _)| (r.assigned_at, r.user_id.to_string()),
    )
    .await
}

/// Licenses a user holds: in live subscriptions and paid ones in their grace
/// (never suspended ones), asked by the user themself or an admin.
pub async fn of_user(
    services: &Services,
    caller: &Actor,
    user: UserId,
) -> Result<Vec<(AssignmentRow, persistence::rows::SubscriptionRow)>, Error> {
    let caller = caller.clone();
    let today = services.clock.now().date_naive();
    services
        .db
        .read(move |conn| {
            let org = caller.organization_id;
            users::find(conn, org, user)?.ok_or(Error::NotFound("user"))?;
            if user != caller.user_id {
                caller.require_admin()?;
            }
            let mut out = Vec::new();
            for row in repo::for_user(conn, org, user)? {
                if let Some(sub) = subscriptions::find(conn, org, row.subscription_id)? {
                    if Loaded::parse(sub.clone(), today)?.holds_licenses() {
                        out.push((row, sub));
                    }
                }
            }
            Ok(out)
        })
        .await
}
