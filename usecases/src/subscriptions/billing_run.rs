//! The billing run: renews due subscriptions with auto-renew (one invoice per
//! period, guaranteed by a unique renewal key), lets the others lapse,
//! expires ended trials, and forgets old idempotency records and quotes. Each
//! subscription is its own transaction, so replicas running it at once, or a
//! second run for the same date, change nothing twice.
//!
//! A subscription that ends here (lapse, expired card, ended trial) settles
//! any decrease credit still waiting for a next invoice with a credit invoice
//! of its own, in the same transaction (PRODUCT.md §8).

use super::invoicing::{self, Issue, Reason};
use super::Loaded;
use crate::audit::{self, SystemChange};
use crate::error::Error;
use crate::{Origin, Outbox};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::audit::AuditAction;
use domain::card::CardExpiry;
use domain::event::EventType;
use domain::subscription::{renewal, SubscriptionStatus};
use domain::{OrganizationId, ProductId, SubscriptionId};
use persistence::repos::subscriptions::Due;
use persistence::repos::{
    assignments, idempotency, invoices, payment_methods, subscriptions as repo,
};
use persistence::rows::SubscriptionChanges;
use persistence::{write_transaction, Constraint, DbConnection, Race, RepoError};
use std::collections::HashSet;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub renewals: usize,
    /// Paid subscriptions that ended without renewing (auto-renew off, or a
    /// card expired or gone), `card_expired` included.
    pub lapsed: usize,
    /// Of `lapsed`: the ones that would have renewed but for their card.
    pub card_expired: usize,
    pub expired_trials: usize,
    /// Credit invoices settling decrease credits of subscriptions that ended.
    pub credits_settled: usize,
    /// License requests filed more than 12 months ago, deleted.
    pub purged_license_requests: usize,
    /// Cards announced as ending within 30 days (`payment_method.expiring`).
    pub cards_expiring: usize,
}

const BATCH: i64 = 200;

enum Outcome {
    Renewed(usize),
    /// Ended without (further) renewal; `settled` when a credit invoice was issued.
    Lapsed {
        renewed: usize,
        card_expired: bool,
        settled: bool,
    },
    Expired {
        settled: bool,
    },
    Skipped,
}

/// Runs everything due on `as_of`.
pub fn run(
    conn: &mut DbConnection,
    outbox: &Outbox,
    as_of: NaiveDate,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let mut report = Report::default();
    let mut seen = HashSet::new();
    let due = |conn: &mut DbConnection| repo::due_ids(conn, Due::PeriodEnd, as_of, BATCH);
    in_batches(conn, &mut seen, due, |conn, org, id| {
        match write_transaction(conn, |conn| {
            renew_one(conn, outbox, org, id, as_of, tax_rate_bps)
        }) {
            Ok(Outcome::Renewed(n)) => report.renewals += n,
            Ok(Outcome::Lapsed {
                renewed,
                card_expired,
                settled,
            }) => {
                report.renewals += renewed;
                report.lapsed += 1;
                report.card_expired += usize::from(card_expired);
                report.credits_settled += usize::from(settled);
            }
            Ok(_) => {}
            // Another run (a replica, or a second run for the same date)
            // got there first; anything else, a CHECK included, is an error.
            Err(Error::Storage(e)) if another_run_won(&e) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    })?;
    let ended = |conn: &mut DbConnection| repo::due_ids(conn, Due::TrialEnd, as_of, BATCH);
    in_batches(conn, &mut seen, ended, |conn, org, id| {
        if let Outcome::Expired { settled } = write_transaction(conn, |conn| {
            expire_trial(conn, outbox, org, id, as_of, tax_rate_bps, now)
        })? {
            report.expired_trials += 1;
            report.credits_settled += usize::from(settled);
        }
        Ok(())
    })?;
    report.cards_expiring = crate::outbox::announce_expiring_cards(conn, outbox, as_of, now)?;
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

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn renew_one(
    conn: &mut DbConnection,
    outbox: &Outbox,
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
    if !loaded.row.auto_renew {
        let settled = release(
            conn,
            outbox,
            &loaded,
            Ending::Lapsed,
            midnight(period.end()),
            tax_rate_bps,
        )?;
        return Ok(Outcome::Lapsed {
            renewed: 0,
            card_expired: false,
            settled,
        });
    }
    let profile = loaded
        .row
        .billing_profile_id
        .ok_or_else(|| Error::internal("renewing subscription without billing profile"))?;
    let card = renewal_card(conn, &loaded)?;
    let mut renewed = 0;
    let mut card_expired = false;
    // A run that was missed for several periods catches up, one invoice per period.
    while period.end() <= as_of {
        // Cards at the moment of use (PRODUCT.md §10, §8). Decision, until the
        // §8 grace lifecycle exists: a renewal whose card is past its expiry
        // month (or gone) is not renewed and charges nothing; the
        // subscription ends at the end of its paid period exactly as one with
        // auto-renew off does (`expired`, licenses released, waiting credits
        // settled). The card is judged on the day the renewal is due — the
        // date its invoice would carry — so a late or repeated run decides the
        // same as a run on time, and a catch-up run renews the periods the
        // card still covered and stops at the first one it does not.
        if card.is_none_or(|expiry| expiry.is_expired(period.end())) {
            card_expired = true;
            break;
        }
        let (next, line) = renewal(loaded.licenses, unit, &period, frequency)
            .map_err(|e| Error::internal(e.to_string()))?;
        let key = format!("renewal:{id}:{}", next.start());
        if invoices::renewal_exists(conn, &key)? {
            return Ok(Outcome::Skipped);
        }
        invoicing::issue(
            conn,
            outbox,
            Issue {
                subscription: &loaded.row,
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
    }
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
    if !card_expired {
        return Ok(Outcome::Renewed(renewed));
    }
    // Read again: the renewals above moved the period and the version.
    let row = repo::find(conn, org, id)?
        .ok_or_else(|| Error::internal("renewing subscription vanished"))?;
    let settled = release(
        conn,
        outbox,
        &Loaded::parse(row, as_of)?,
        Ending::CardExpired,
        midnight(period.end()),
        tax_rate_bps,
    )?;
    Ok(Outcome::Lapsed {
        renewed,
        card_expired: true,
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
    outbox: &Outbox,
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
    let settled = release(conn, outbox, &loaded, Ending::TrialEnded, at, tax_rate_bps)?;
    Ok(Outcome::Expired { settled })
}

/// Why a subscription ends without a refund.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// Auto-renew off and the paid period over.
    Lapsed,
    /// Would have renewed, but the card is past its expiry month or gone.
    CardExpired,
    /// A trial not converted by its end.
    TrialEnded,
}

impl Ending {
    fn as_str(self) -> &'static str {
        match self {
            Ending::Lapsed => "lapsed",
            Ending::CardExpired => "card_expired",
            Ending::TrialEnded => "trial_ended",
        }
    }
}

/// Ends a subscription without a refund as `expired` on `at`: licenses
/// released, and decrease credits still waiting for a next invoice settled by
/// a credit invoice of their own (returns whether one was issued). The status
/// change is guarded by the row's version, so of two runs racing on one
/// subscription only one gets this far; the other rolls back.
fn release(
    conn: &mut DbConnection,
    outbox: &Outbox,
    loaded: &Loaded,
    ending: Ending,
    at: DateTime<Utc>,
    tax_rate_bps: u32,
) -> Result<bool, Error> {
    let status = SubscriptionStatus::Expired;
    let changes = SubscriptionChanges {
        status: Some(status.as_str().to_owned()),
        auto_renew: Some(false),
        updated_at: Some(at.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, loaded.row.id, loaded.row.version, &changes)? {
        return Err(Error::Storage(RepoError::Raced(Race::SubscriptionVersion)));
    }
    let released = assignments::delete_all(conn, loaded.row.id)?;
    repo::reset_assigned(conn, loaded.row.id)?;
    let origin = Origin::system(loaded.row.organization_id, at);
    outbox.subscription(conn, &origin, EventType::SubscriptionExpired, loaded.row.id)?;
    let credit_invoice =
        invoicing::settle_open_credits(conn, outbox, &loaded.row, tax_rate_bps, at)?.map(|i| i.id);
    audit::record_system(
        conn,
        SystemChange {
            organization_id: loaded.row.organization_id,
            action: AuditAction::Expired,
            subscription_id: loaded.row.id,
            before: Some(
                serde_json::json!({"status": loaded.row.status.as_str(), "assigned_count": loaded.row.assigned_count}),
            ),
            after: Some(serde_json::json!({
                "status": status.as_str(),
                "reason": ending.as_str(),
                "released_assignments": released,
                "credit_invoice_id": credit_invoice,
            })),
            at,
        },
    )?;
    Ok(credit_invoice.is_some())
}

/// Before a purchaser starts a new trial: their ended trials of that product
/// that no run has expired yet are expired now (they hold the one-trial slot).
pub fn expire_stale_trials(
    conn: &mut DbConnection,
    outbox: &Outbox,
    purchaser: &crate::Actor,
    product: ProductId,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (org, today) = (purchaser.organization_id, now.date_naive());
    let filter = repo::Filter {
        purchaser: Some(purchaser.user_id),
        status: Some(SubscriptionStatus::Trial),
        product: Some(product),
        ..Default::default()
    };
    for row in repo::list(conn, org, &filter, None, 10)? {
        if row.trial_ends_on.is_some_and(|end| end <= today) {
            expire_trial(conn, outbox, org, row.id, today, tax_rate_bps, now)?;
        }
    }
    Ok(())
}
