//! Changing the total license count (and auto-renew), and previewing the price of it.

use super::invoicing;
use super::purchase::{license_count, record};
use super::quote;
use super::{check_if_match, load_owned, load_visible, Loaded, View};
use crate::error::{Conflict, Error, Invalid, Precondition};
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::billing::ProrationBehavior;
use domain::catalog::Catalog;
use domain::ids::QuoteId;
use domain::subscription::{
    change_count, change_trial_count, CountChange, CountChangeError, SubscriptionStatus,
    TrialCountError,
};
use domain::Money;
use domain::SubscriptionId;
use persistence::repos::subscriptions as repo;
use persistence::rows::SubscriptionChanges;
use persistence::{write_transaction, DbConnection};

/// What a new total means for one subscription, decided without storing anything.
pub enum Decision {
    Trial,
    Paid(CountChange),
}

pub(super) fn max_licenses(catalog: &Catalog, loaded: &Loaded) -> Result<u32, Error> {
    catalog
        .get(loaded.row.product_id)
        .map(|p| p.max_licenses())
        .ok_or_else(|| Error::internal("product left the catalog"))
}

fn in_use(assigned: i64, requested: i64) -> Error {
    Error::from(Conflict::LicensesInUse {
        assigned,
        requested,
        excess: assigned - requested,
    })
}

pub fn decide(
    catalog: &Catalog,
    loaded: &Loaded,
    new_total: i64,
    now: DateTime<Utc>,
) -> Result<Decision, Error> {
    loaded.require_live()?;
    let assigned = loaded.assigned();
    let assigned_u32 = u32::try_from(assigned).unwrap_or(u32::MAX);
    if loaded.status == SubscriptionStatus::Trial {
        let product = catalog.get(loaded.row.product_id);
        let offer = product
            .and_then(|p| p.trial())
            .ok_or_else(|| Error::internal("trial without offer"))?;
        change_trial_count(new_total, offer, assigned_u32).map_err(|e| match e {
            TrialCountError::TooFew => Invalid::LicenseCount {
                detail: "license_count must be at least 1".to_owned(),
            }
            .into(),
            TrialCountError::TooMany { max } => Invalid::TrialLicenseLimit { max }.into(),
            TrialCountError::BelowAssigned { assigned } => in_use(i64::from(assigned), new_total),
        })?;
        return Ok(Decision::Trial);
    }
    let new = license_count(new_total, max_licenses(catalog, loaded)?)?;
    let (Some(unit), Some(period)) = (loaded.unit_price, loaded.period.as_ref()) else {
        return Err(Error::internal("paid subscription without price or period"));
    };
    let change = change_count(
        loaded.licenses,
        new,
        assigned_u32,
        unit,
        period,
        now.date_naive(),
    )
    .map_err(|e| match e {
        CountChangeError::BelowAssigned { assigned } => in_use(i64::from(assigned), new_total),
        CountChangeError::Money(m) => Error::internal(m.to_string()),
    })?;
    Ok(Decision::Paid(change))
}

pub struct Preview {
    pub current: i64,
    pub new: i64,
    pub prorated: Money,
    pub remaining_days: i64,
    pub period_days: i64,
    pub billing: &'static str,
    pub loaded: Loaded,
    /// The binding quote this preview stored (PRODUCT.md §9).
    pub quote_id: QuoteId,
    pub quote_expires_at: DateTime<Utc>,
}

pub fn preview(
    conn: &mut DbConnection,
    caller: &Actor,
    catalog: &Catalog,
    id: SubscriptionId,
    new_total: i64,
    now: DateTime<Utc>,
) -> Result<Preview, Error> {
    let today = now.date_naive();
    let loaded = load_owned(conn, caller, id, today)?;
    let currency = Money::zero(
        domain::Currency::parse(&loaded.row.currency)
            .map_err(|e| Error::internal(e.to_string()))?,
    );
    let decision = decide(catalog, &loaded, new_total, now)?;
    let increase_billing = match invoicing::proration_behavior(conn, &loaded.row)? {
        ProrationBehavior::InvoiceNow => "invoiced_now",
        ProrationBehavior::NextInvoice => "charged_on_next_invoice",
    };
    let (prorated, billing) = match &decision {
        Decision::Trial | Decision::Paid(CountChange::Unchanged) => (currency, "no_charge"),
        Decision::Paid(CountChange::Increase { charge, .. }) => (charge.amount, increase_billing),
        Decision::Paid(CountChange::Decrease { credit, .. }) => {
            (credit.amount, "credited_on_next_invoice")
        }
    };
    let (remaining_days, period_days) = loaded
        .period
        .as_ref()
        .map_or((0, 0), |p| (p.remaining_days(today), p.days()));
    let quote = quote::store(conn, caller, &loaded, new_total, prorated, now)?;
    Ok(Preview {
        quote_id: quote.id(),
        quote_expires_at: quote.expires_at(),
        current: loaded.row.license_count,
        new: new_total,
        prorated,
        remaining_days,
        period_days,
        billing,
        loaded,
    })
}

pub struct Patch {
    pub license_count: Option<i64>,
    pub auto_renew: Option<bool>,
    /// A quote from the preview: the change is priced at the quote's instant
    /// and must cost exactly what it quoted.
    pub quote_id: Option<QuoteId>,
}

/// Applies a PATCH under `If-Match`; an increase is invoiced at once or left
/// pending (as the billing profile says), a decrease leaves a credit for the
/// next invoice.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    conn: &mut DbConnection,
    caller: &Actor,
    catalog: &Catalog,
    id: SubscriptionId,
    if_match: Option<&str>,
    patch: Patch,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    let at = now.naive_utc();
    let mut patch = patch;
    if let (None, Some(quote_id)) = (patch.license_count, patch.quote_id) {
        // A quote alone asks for the count it priced.
        patch.license_count = Some(quote::quoted_count(conn, caller, quote_id)?);
    }
    if patch.license_count.is_none() && patch.auto_renew.is_none() {
        return Err(Error::invalid_field(
            "body",
            "send `license_count`, `auto_renew`, `quote_id` or several",
        ));
    }
    let loaded = load_owned(conn, caller, id, today)?;
    check_if_match(&loaded, if_match, true)?;
    loaded.require_live()?;
    let mut version = loaded.row.version;
    let mut billed: Option<CountChange> = None;
    if let Some(new_total) = patch.license_count {
        let decision = match patch.quote_id {
            None => decide(catalog, &loaded, new_total, now)?,
            Some(quote_id) => {
                let quote = quote::redeem(conn, caller, &loaded, quote_id, new_total, now)?;
                match decide(catalog, &loaded, new_total, quote.priced_at())? {
                    Decision::Paid(change) => {
                        Decision::Paid(quote.bind(change).map_err(quote::refusal)?)
                    }
                    Decision::Trial => Decision::Trial,
                }
            }
        };
        let changed = !matches!(decision, Decision::Paid(CountChange::Unchanged))
            && new_total != loaded.row.license_count;
        if changed {
            // The count guard (assigned <= new total) and the version check are one
            // statement: a concurrent assignment either lands first (and we refuse) or after.
            if !repo::set_license_count(conn, id, version, new_total, at)? {
                let fresh = load_visible(conn, caller, id, today)?;
                return Err(if fresh.row.version != version {
                    Error::from(Precondition::Failed {
                        etag: Some(super::etag(&fresh.row)),
                    })
                } else {
                    in_use(fresh.assigned(), new_total)
                });
            }
            version += 1;
            if let Decision::Paid(change) = decision {
                billed = Some(change);
            }
        }
    }
    if let Some(auto_renew) = patch.auto_renew {
        if auto_renew != loaded.row.auto_renew {
            if loaded.status == SubscriptionStatus::Trial && auto_renew {
                return Err(Error::invalid_field(
                    "auto_renew",
                    "a trial does not renew; convert it to paid",
                ));
            }
            // Renewing again undoes a cancellation at period end (PRODUCT.md §8).
            let unschedule = auto_renew && loaded.row.cancel_at.is_some();
            let changes = SubscriptionChanges {
                auto_renew: Some(auto_renew),
                cancel_at: unschedule.then_some(None),
                cancel_reason: unschedule.then_some(None),
                cancel_feedback: unschedule.then_some(None),
                updated_at: Some(at),
                ..Default::default()
            };
            if !repo::update_if_version(conn, id, version, &changes)? {
                return Err(super::stale(conn, caller, id));
            }
        }
    }
    let after = repo::find(conn, caller.organization_id, id)?
        .ok_or_else(|| Error::internal("subscription vanished"))?;
    if let Some(change) = billed {
        invoicing::bill_change(conn, &after, change, tax_rate_bps, now)?;
    }
    if after.license_count != loaded.row.license_count {
        record(
            conn,
            caller,
            AuditAction::LicenseCountChanged,
            Some(&loaded.row),
            &after,
            now,
        )?;
    }
    if after.auto_renew != loaded.row.auto_renew {
        record(
            conn,
            caller,
            AuditAction::AutoRenewChanged,
            Some(&loaded.row),
            &after,
            now,
        )?;
    }
    Loaded::parse(after, today)
}

/// `PATCH`: the new total and/or auto-renew, in one write transaction.
pub async fn update(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    if_match: Option<String>,
    patch: Patch,
) -> Result<View, Error> {
    let caller = caller.clone();
    super::write(services, move |conn, cx| {
        apply(
            conn,
            &caller,
            &cx.catalog,
            id,
            if_match.as_deref(),
            patch,
            cx.tax_rate_bps,
            cx.now,
        )
    })
    .await
}

/// The price of a new total, stored as a binding quote; nothing else changes.
pub async fn price(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    new_total: i64,
) -> Result<Preview, Error> {
    let (now, catalog) = (services.clock.now(), services.catalog.clone());
    let caller = caller.clone();
    services
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                preview(conn, &caller, &catalog, id, new_total, now)
            })
        })
        .await
}
