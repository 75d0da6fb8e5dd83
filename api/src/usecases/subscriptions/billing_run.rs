//! The billing run: renews due subscriptions with auto-renew (one invoice per
//! period, guaranteed by a unique renewal key), lets the others lapse, and
//! expires ended trials. Each subscription is its own transaction, so
//! replicas running it at once, or a second run for the same date, change nothing twice.

use super::invoicing::{self, Issue, Reason};
use super::Loaded;
use crate::error::ApiError;
use crate::usecases::audit::{self, SystemChange};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::audit::AuditAction;
use domain::subscription::{renewal, SubscriptionStatus};
use persistence::repos::{assignments, idempotency, invoices, subscriptions as repo};
use persistence::rows::SubscriptionChanges;
use persistence::{write_transaction, DbConnection};
use std::collections::HashSet;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub renewals: usize,
    pub lapsed: usize,
    pub expired_trials: usize,
}

const BATCH: i64 = 200;

enum Outcome {
    Renewed(usize),
    Lapsed,
    Expired,
    Skipped,
}

/// Runs everything due on `as_of`.
pub fn run(
    conn: &mut DbConnection,
    as_of: NaiveDate,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Report, ApiError> {
    let mut report = Report::default();
    let mut seen = HashSet::new();
    loop {
        let due = repo::due_ids(conn, as_of, BATCH)?;
        let fresh: Vec<_> = due
            .into_iter()
            .filter(|(_, id)| seen.insert(id.clone()))
            .collect();
        if fresh.is_empty() {
            break;
        }
        for (org, id) in fresh {
            match write_transaction(conn, |conn| renew_one(conn, &org, &id, as_of, tax_rate_bps)) {
                Ok(Outcome::Renewed(n)) => report.renewals += n,
                Ok(Outcome::Lapsed) => report.lapsed += 1,
                Ok(_) => {}
                // Another replica renewed it first: its unique renewal key won.
                Err(ApiError::Internal(e))
                    if e.contains("renewal_key") || e.contains("constraint") => {}
                Err(e) => return Err(e),
            }
        }
    }
    loop {
        let ended = repo::ended_trial_ids(conn, as_of, BATCH)?;
        let fresh: Vec<_> = ended
            .into_iter()
            .filter(|(_, id)| seen.insert(id.clone()))
            .collect();
        if fresh.is_empty() {
            break;
        }
        for (org, id) in fresh {
            if let Outcome::Expired =
                write_transaction(conn, |conn| expire_trial(conn, &org, &id, as_of, now))?
            {
                report.expired_trials += 1;
            }
        }
    }
    // Idempotency records are replayed for 24 hours; older ones go.
    idempotency::purge_older_than(conn, (now - Duration::hours(48)).naive_utc())?;
    Ok(report)
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn renew_one(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    as_of: NaiveDate,
    tax_rate_bps: u32,
) -> Result<Outcome, ApiError> {
    let Some(row) = repo::find(conn, org, id)? else {
        return Ok(Outcome::Skipped);
    };
    let loaded = Loaded::parse(row, as_of)?;
    let (Some(mut period), Some(unit), Some(frequency)) =
        (loaded.period, loaded.unit_price, loaded.frequency)
    else {
        return Ok(Outcome::Skipped);
    };
    if loaded.status != SubscriptionStatus::Active || period.end() > as_of {
        return Ok(Outcome::Skipped);
    }
    let ended_on = midnight(period.end());
    if !loaded.row.auto_renew {
        release(conn, &loaded, SubscriptionStatus::Expired, ended_on)?;
        return Ok(Outcome::Lapsed);
    }
    let profile = loaded
        .row
        .billing_profile_id
        .clone()
        .ok_or_else(|| ApiError::internal("renewing subscription without billing profile"))?;
    let mut renewed = 0;
    // A run that was missed for several periods catches up, one invoice per period.
    while period.end() <= as_of {
        let (next, line) = renewal(loaded.licenses, unit, &period, frequency)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let key = format!("renewal:{id}:{}", next.start());
        if invoices::renewal_exists(conn, &key)? {
            return Ok(Outcome::Skipped);
        }
        invoicing::issue(
            conn,
            Issue {
                subscription: &loaded.row,
                billing_profile_id: &profile,
                reason: Reason::Renewal,
                period_start: next.start(),
                period_end: next.end(),
                lines: vec![line],
                renewal_key: Some(key),
            },
            tax_rate_bps,
            midnight(next.start()),
        )?;
        period = next;
        renewed += 1;
    }
    let changes = SubscriptionChanges {
        current_period_start: Some(Some(period.start())),
        current_period_end: Some(Some(period.end())),
        period_anchor_day: Some(Some(period.anchor_day() as i32)),
        updated_at: Some(midnight(period.start()).naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, loaded.row.version, &changes)? {
        return Err(ApiError::internal("renewal raced: constraint"));
    }
    audit::record_system(
        conn,
        SystemChange {
            organization_id: org.to_owned(),
            action: AuditAction::Renewed,
            subscription_id: id.to_owned(),
            before: Some(serde_json::json!({"current_period_end": loaded.row.current_period_end})),
            after: Some(
                serde_json::json!({"current_period_end": period.end(), "renewals": renewed}),
            ),
            at: midnight(period.start()),
        },
    )?;
    Ok(Outcome::Renewed(renewed))
}

fn expire_trial(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Outcome, ApiError> {
    let Some(row) = repo::find(conn, org, id)? else {
        return Ok(Outcome::Skipped);
    };
    if row.status != SubscriptionStatus::Trial.as_str()
        || row.trial_ends_on.is_none_or(|end| end > as_of)
    {
        return Ok(Outcome::Skipped);
    }
    let loaded = Loaded::parse(row, as_of)?;
    let at = loaded.row.trial_ends_on.map(midnight).unwrap_or(now);
    release(conn, &loaded, SubscriptionStatus::Expired, at)?;
    Ok(Outcome::Expired)
}

/// Ends a subscription without a refund (lapsed or expired trial): licenses released.
pub fn release(
    conn: &mut DbConnection,
    loaded: &Loaded,
    status: SubscriptionStatus,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let changes = SubscriptionChanges {
        status: Some(status.as_str().to_owned()),
        auto_renew: Some(false),
        updated_at: Some(at.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, &loaded.row.id, loaded.row.version, &changes)? {
        return Err(ApiError::internal("expiry raced: constraint"));
    }
    let released = assignments::delete_all(conn, &loaded.row.id)?;
    repo::reset_assigned(conn, &loaded.row.id)?;
    audit::record_system(
        conn,
        SystemChange {
            organization_id: loaded.row.organization_id.clone(),
            action: AuditAction::Expired,
            subscription_id: loaded.row.id.clone(),
            before: Some(
                serde_json::json!({"status": loaded.row.status, "assigned_count": loaded.row.assigned_count}),
            ),
            after: Some(
                serde_json::json!({"status": status.as_str(), "released_assignments": released}),
            ),
            at,
        },
    )?;
    Ok(())
}

/// Before a purchaser starts a new trial: their ended trials of that product
/// that no run has expired yet are expired now (they hold the one-trial slot).
pub fn expire_stale_trials(
    conn: &mut DbConnection,
    org: &str,
    purchaser: &str,
    product: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let filter = repo::Filter {
        purchaser: Some(purchaser.to_owned()),
        status: Some("trial".to_owned()),
        product: Some(product.to_owned()),
        source: None,
    };
    for row in repo::list(conn, org, &filter, None, 10)? {
        if row.trial_ends_on.is_some_and(|end| end <= today) {
            expire_trial(conn, org, &row.id, today, now)?;
        }
    }
    Ok(())
}
