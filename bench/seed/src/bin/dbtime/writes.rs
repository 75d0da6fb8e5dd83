//! The assign-one-user write transaction, in the variants `dbtime` compares.

use chrono::Utc;
use domain::{AuditEventId, OrganizationId, SubscriptionId, UserId};
use persistence::repos::{assignments, audit, subscriptions, users};
use persistence::rows::{AssignmentRow, NewAuditEvent};
use persistence::{write_transaction, DbConnection};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Pairs {
    pub next: AtomicUsize,
    pub targets: Vec<String>,
    pub members: Vec<String>,
    pub taken: HashSet<(String, String)>,
}

impl Pairs {
    pub fn take(&self) -> (String, String) {
        loop {
            let n = self.next.fetch_sub(1, Ordering::Relaxed) - 1;
            let p = (
                self.targets[n % self.targets.len()].clone(),
                self.members[(n / self.targets.len()) % self.members.len()].clone(),
            );
            if !self.taken.contains(&p) {
                return p;
            }
        }
    }
}

pub struct Ctx {
    pub org: OrganizationId,
    pub actor: UserId,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Before 57ba14e: find, lock (no-op UPDATE), members, holders, find, take, insert, audit, find.
    Before,
    /// As of 57ba14e: [PostgreSQL: lock (no-op UPDATE)], find, members, holders, take, insert, audit.
    Current,
    /// Proposed for PostgreSQL: the row lock as `SELECT ... FOR NO KEY UPDATE` (no new row version).
    PgSelectForUpdate,
    /// Proposed for SQLite: the current statements, writers queued on an in-process mutex
    /// (only differs from `Current` when run concurrently).
    SqliteOneWriter,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Before,
        Variant::Current,
        Variant::PgSelectForUpdate,
        Variant::SqliteOneWriter,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Before => "before",
            Variant::Current => "current",
            Variant::PgSelectForUpdate => "pg-select-for-update",
            Variant::SqliteOneWriter => "sqlite-one-writer",
        }
    }

    pub fn applies(self, c: &mut DbConnection) -> bool {
        match self {
            Variant::PgSelectForUpdate => matches!(c, DbConnection::Pg(_)),
            Variant::SqliteOneWriter => matches!(c, DbConnection::Sqlite(_)),
            _ => true,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Variant::Before => "before 57ba14e (9 statements: lock as no-op UPDATE, find x3)",
            Variant::Current => "as of 57ba14e (PostgreSQL: no-op UPDATE lock + 6; SQLite: 6)",
            Variant::PgSelectForUpdate => "proposed: lock with SELECT ... FOR NO KEY UPDATE + 6",
            Variant::SqliteOneWriter => {
                "proposed: as of 57ba14e, one writer at a time (in-process mutex)"
            }
        }
    }
}

/// One assign transaction; false when the pair turned out to be taken already (rolled back).
pub fn assign(c: &mut DbConnection, ctx: &Ctx, v: Variant, s: &str, u: &str) -> bool {
    let now = Utc::now();
    let (org, actor) = (ctx.org, ctx.actor);
    let (s_text, s): (&str, SubscriptionId) = (s, s.parse().expect("subscription id"));
    let u: UserId = u.parse().expect("member id");
    let result = write_transaction(c, |c| -> Result<(), persistence::RepoError> {
        match v {
            Variant::Before => {
                subscriptions::find(c, org, s)?.unwrap();
                subscriptions::lock(c, s)?;
            }
            Variant::Current | Variant::SqliteOneWriter => {
                if matches!(c, DbConnection::Pg(_)) {
                    subscriptions::lock(c, s)?;
                }
                subscriptions::find(c, org, s)?.unwrap();
            }
            Variant::PgSelectForUpdate => {
                use diesel::prelude::*;
                use persistence::schema::subscriptions as t;
                if let DbConnection::Pg(pg) = c {
                    let _: String = t::table
                        .filter(t::id.eq(s_text))
                        .select(t::id)
                        .for_no_key_update()
                        .get_result(pg)?;
                }
                subscriptions::find(c, org, s)?.unwrap();
            }
        }
        let wanted = vec![u];
        users::members_among(c, org, &wanted)?;
        assignments::holders_among(c, s, &wanted)?;
        if v == Variant::Before {
            subscriptions::find(c, org, s)?;
        }
        if !subscriptions::take_licenses(c, s, 1, now.naive_utc())? {
            // Full: roll back, as the use case answers 409.
            return Err(persistence::RepoError::Check(
                persistence::Constraint::AssignedWithinTotal,
            ));
        }
        assignments::insert(
            c,
            &AssignmentRow {
                subscription_id: s,
                user_id: u,
                organization_id: org,
                assigned_by: actor,
                assigned_at: now.naive_utc(),
                state: domain::assignment::AssignmentState::Active,
            },
        )?;
        audit::record(
            c,
            &NewAuditEvent {
                id: AuditEventId::new_random(),
                organization_id: org,
                actor_id: Some(actor),
                action: "licenses_assigned".into(),
                target_type: "subscription".into(),
                target_id: s.to_string(),
                subscription_id: Some(s),
                before_state: None,
                after_state: Some(format!("{{\"user_ids\":[\"{u}\"]}}")),
                occurred_at: now.naive_utc(),
            },
        )?;
        if v == Variant::Before {
            subscriptions::find(c, org, s)?;
        }
        Ok(())
    });
    match result {
        Ok(()) => true,
        // What the old catch-all `Conflict` covered: a refusal, not a failure.
        Err(
            persistence::RepoError::Unique(_)
            | persistence::RepoError::Check(_)
            | persistence::RepoError::ForeignKey(_)
            | persistence::RepoError::Raced(_),
        ) => false,
        Err(e) => panic!("assign: {e:?}"),
    }
}
