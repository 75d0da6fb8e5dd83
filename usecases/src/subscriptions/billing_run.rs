//! The billing run: renews due subscriptions with auto-renew (one invoice per
//! period, guaranteed by a unique renewal key), cancels the ones canceled at
//! period end, lets the others lapse into their lifecycle (PRODUCT.md §8:
//! `expired`, then `disabled`, then `deleted`), expires ended trials, and
//! forgets old idempotency records and quotes. Each subscription is its own
//! transaction, so replicas running it at once, or a second run for the same
//! date, change nothing twice.
//!
//! A subscription that ends here (lapse, expired card, cancellation at period
//! end, ended trial) settles any line still waiting for a next invoice with
//! an invoice of its own, in the same transaction (PRODUCT.md §8).

use super::invoicing::{self, Issue, Reason};
use super::lifecycle::{self, midnight, Ending};
use super::Loaded;
use crate::audit::{self, SystemChange};
use crate::error::Error;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::audit::AuditAction;
use domain::card::CardExpiry;
use domain::subscription::lifecycle::{at_period_end, PeriodEnd};
use domain::subscription::{renewal, SubscriptionStatus};
use domain::{OrganizationId, ProductId, SubscriptionId, UserId};
use persistence::repos::subscriptions::Due;
use persistence::repos::{idempotency, invoices, payment_methods, subscriptions as repo};
use persistence::rows::SubscriptionChanges;
use persistence::{write_transaction, Constraint, DbConnection, Race, RepoError};
use std::collections::HashSet;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub renewals: usize,
    /// Paid subscriptions whose period ended without renewing (auto-renew
    /// off, or a card expired or gone), now `expired`; `card_expired` included.
    pub lapsed: usize,
    /// Of `lapsed`: the ones that would have renewed but for their card.
    pub card_expired: usize,
    /// Canceled at the end of their period, as asked.
    pub canceled: usize,
    /// Expired subscriptions past their 30 days of grace, now `disabled`.
    pub disabled: usize,
    /// Disabled subscriptions 90 days on, now `deleted`.
    pub deleted: usize,
    pub expired_trials: usize,
    /// Credit invoices settling decrease credits of subscriptions that ended.
    pub credits_settled: usize,
    /// License requests filed more than 12 months ago, deleted.
    pub purged_license_requests: usize,
}

const BATCH: i64 = 200;

enum Outcome {
    Renewed(usize),
    /// Ended without (further) renewal; `settled` when a credit invoice was issued.
    Ended {
        renewed: usize,
        ending: Ending,
        settled: bool,
    },
    Skipped,
}

/// Runs everything due on `as_of`.
pub fn run(
    conn: &mut DbConnection,
    as_of: NaiveDate,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let mut report = Report::default();
    let mut seen = HashSet::new();
    let due = |conn: &mut DbConnection| repo::due_ids(conn, Due::PeriodEnd, as_of, BATCH);
    in_batches(conn, &mut seen, due, |conn, org, id| {
        match write_transaction(conn, |conn| renew_one(conn, org, id, as_of, tax_rate_bps)) {
            Ok(Outcome::Renewed(n)) => report.renewals += n,
            Ok(Outcome::Ended {
                renewed,
                ending,
                settled,
            }) => {
                report.renewals += renewed;
                match ending {
                    Ending::Lapsed(lapse) => {
                        report.lapsed += 1;
                        report.card_expired += usize::from(lapse.is_card());
                    }
                    Ending::CanceledAtPeriodEnd => report.canceled += 1,
                    Ending::TrialEnded => report.expired_trials += 1,
                }
                report.credits_settled += usize::from(settled);
            }
            Ok(Outcome::Skipped) => {}
            // Another run (a replica, or a second run for the same date)
            // got there first; anything else, a CHECK included, is an error.
            Err(Error::Storage(e)) if another_run_won(&e) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    })?;
    let ended = |conn: &mut DbConnection| repo::due_ids(conn, Due::TrialEnd, as_of, BATCH);
    in_batches(conn, &mut seen, ended, |conn, org, id| {
        if let Outcome::Ended { settled, .. } = write_transaction(conn, |conn| {
            expire_trial(conn, org, id, as_of, tax_rate_bps, now)
        })? {
            report.expired_trials += 1;
            report.credits_settled += usize::from(settled);
        }
        Ok(())
    })?;
    // After the period ends above, so a run that comes late takes a
    // subscription it just expired on through every step now due. Its own
    // `seen`: the walks above may have touched the same subscriptions.
    let mut stepped = HashSet::new();
    let steps = |conn: &mut DbConnection| repo::due_ids(conn, Due::LifecycleStep, as_of, BATCH);
    in_batches(conn, &mut stepped, steps, |conn, org, id| {
        match write_transaction(conn, |conn| lifecycle::advance(conn, org, id, as_of)) {
            Ok(done) => {
                report.disabled += done.disabled;
                report.deleted += done.deleted;
            }
            Err(Error::Storage(e)) if another_run_won(&e) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    })?;
    // Idempotency records are replayed for 24 hours; older ones go.
    idempotency::purge_older_than(conn, (now - Duration::hours(48)).naive_utc())?;
    // License requests are kept a year (PRODUCT.md §7), decided or not.
    report.purged_license_requests = persistence::repos::license_requests::purge(
        conn,
        domain::governance::purge_cutoff(now).naive_utc(),
    )?;
    // Binding quotes last 15 minutes; a day after expiry they are forgotten.
    super::quote::purge(conn, now)?;
    Ok(report)
}

/// Runs `each` on every (organisation, subscription) that `next_batch` finds,
/// batch after batch, until a batch brings none not `seen` yet: a
/// subscription the work leaves due (skipped, or won by another run) is not
/// tried twice, and the walk ends even then.
fn in_batches<B, E>(
    conn: &mut DbConnection,
    seen: &mut HashSet<SubscriptionId>,
    next_batch: B,
    mut each: E,
) -> Result<(), Error>
where
    B: Fn(&mut DbConnection) -> Result<Vec<(OrganizationId, SubscriptionId)>, RepoError>,
    E: FnMut(&mut DbConnection, OrganizationId, SubscriptionId) -> Result<(), Error>,
{
    loop {
        let fresh: Vec<_> = next_batch(conn)?
            .into_iter()
            .filter(|(_, id)| seen.insert(*id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        for (org, id) in fresh {
            each(conn, org, id)?;
        }
    }
}

/// The losers' errors of two runs on one subscription: the winner's renewal
/// or settlement invoice took the unique renewal key, settled the pending
/// credits, or moved the subscription's version first. The loser's
/// transaction rolled back, so it changed nothing.
fn another_run_won(e: &RepoError) -> bool {
    matches!(
        e,
        RepoError::Unique(Constraint::RenewalKey)
            | RepoError::Raced(Race::CreditSettled | Race::SubscriptionVersion)
    )
}

fn renew_one(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: SubscriptionId,
    as_of: NaiveDate,
    tax_rate_bps: u32,
) -> Result<Outcome, Error> {
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
    let card = renewal_card(conn, &loaded)?;
    let mut renewed = 0;
    // A run that was missed for several periods catches up, one invoice per
    // period. Each period end is decided on its own date (the card judged
    // then, PRODUCT.md §10), so a late or repeated run decides as a run on
    // time: it renews the periods the card still covered and stops at the
    // first it does not.
    let ending = loop {
        if period.end() > as_of {
            break None;
        }
        let row = &loaded.row;
        match at_period_end(row.cancel_at, row.auto_renew, card, period.end()) {
            PeriodEnd::Renew => {}
            PeriodEnd::Cancel => break Some(Ending::CanceledAtPeriodEnd),
            PeriodEnd::Expire(lapse) => break Some(Ending::Lapsed(lapse)),
        }
        let profile = row
            .billing_profile_id
            .ok_or_else(|| Error::internal("renewing subscription without billing profile"))?;
        let (next, line) = renewal(loaded.licenses, unit, &period, frequency)
            .map_err(|e| Error::internal(e.to_string()))?;
        let key = format!("renewal:{id}:{}", next.start());
        if invoices::renewal_exists(conn, &key)? {
            return Ok(Outcome::Skipped);
        }
        invoicing::issue(
            conn,
            Issue {
                subscription: row,
                billing_profile_id: profile,
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
    };
    if renewed > 0 {
        let changes = SubscriptionChanges {
            current_period_start: Some(Some(period.start())),
            current_period_end: Some(Some(period.end())),
            period_anchor_day: Some(Some(period.anchor_day() as i32)),
            updated_at: Some(midnight(period.start()).naive_utc()),
            ..Default::default()
        };
        if !repo::update_if_version(conn, id, loaded.row.version, &changes)? {
            return Err(Error::Storage(RepoError::Raced(Race::SubscriptionVersion)));
        }
        audit::record_system(
            conn,
            SystemChange {
                organization_id: org,
                action: AuditAction::Renewed,
                subscription_id: id,
                before: Some(
                    serde_json::json!({"current_period_end": loaded.row.current_period_end}),
                ),
                after: Some(
                    serde_json::json!({"current_period_end": period.end(), "renewals": renewed}),
                ),
                at: midnight(period.start()),
            },
        )?;
    }
    let Some(ending) = ending else {
        return Ok(Outcome::Renewed(renewed));
    };
    // Read again after renewals: they moved the period and the version.
    let loaded = if renewed > 0 {
        let row = repo::find(conn, org, id)?
            .ok_or_else(|| Error::internal("renewing subscription vanished"))?;
        Loaded::parse(row, as_of)?
    } else {
        loaded
    };
    let settled = lifecycle::end(conn, &loaded, ending, midnight(period.end()), tax_rate_bps)?;
    Ok(Outcome::Ended {
        renewed,
        ending,
        settled,
    })
}

/// The expiry of the card a renewal would charge: the subscription's own
/// payment method (it follows its billing profile's default). `None` when the
/// card is gone, which renews no more than an expired one.
fn renewal_card(conn: &mut DbConnection, loaded: &Loaded) -> Result<Option<CardExpiry>, Error> {
    let Some(card_id) = loaded.row.payment_method_id else {
        return Ok(None);
    };
    let Some(card) = payment_methods::find_live(conn, loaded.row.organization_id, card_id)? else {
        return Ok(None);
    };
    CardExpiry::stored(i64::from(card.exp_month), i64::from(card.exp_year))
        .map(Some)
        .map_err(|e| Error::internal(format!("stored card expiry invalid: {e}")))
}

fn expire_trial(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: SubscriptionId,
    as_of: NaiveDate,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let Some(row) = repo::find(conn, org, id)? else {
        return Ok(Outcome::Skipped);
    };
    if row.status != SubscriptionStatus::Trial || row.trial_ends_on.is_none_or(|end| end > as_of) {
        return Ok(Outcome::Skipped);
    }
    let loaded = Loaded::parse(row, as_of)?;
    let at = loaded.row.trial_ends_on.map(midnight).unwrap_or(now);
    let settled = lifecycle::end(conn, &loaded, Ending::TrialEnded, at, tax_rate_bps)?;
    Ok(Outcome::Ended {
        renewed: 0,
        ending: Ending::TrialEnded,
        settled,
    })
}

/// Before a purchaser starts a new trial: their ended trials of that product
/// that no run has expired yet are expired now (they hold the one-trial slot).
pub fn expire_stale_trials(
    conn: &mut DbConnection,
    org: OrganizationId,
    purchaser: UserId,
    product: ProductId,
    today: NaiveDate,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let filter = repo::Filter {
        purchaser: Some(purchaser),
        status: Some(SubscriptionStatus::Trial),
        product: Some(product),
        ..Default::default()
    };
    for row in repo::list(conn, org, &filter, None, 10)? {
        if row.trial_ends_on.is_some_and(|end| end <= today) {
            expire_trial(conn, org, row.id, today, tax_rate_bps, now)?;
        }
    }
    Ok(())
}
