//! Grow-on-assign (PRODUCT.md §9): `add_licenses: true` on an assignment
//! grows the total by exactly the shortfall — within the product's maximum,
//! or the trial offer's for a trial — bills it like any increase, and
//! assigns every listed user, all in one transaction under `If-Match`.

use super::change::max_licenses;
use super::purchase::record;
use super::{check_if_match, invoicing, stale, Loaded};
use crate::assignments::{self, Outcome};
use crate::error::{Conflict, Error, Invalid};
use crate::{Actor, Outbox, Services};
use chrono::{DateTime, Utc};
use domain::assignment::AssignmentBatch;
use domain::audit::AuditAction;
use domain::catalog::Catalog;
use domain::subscription::{
    change_count, grow_to_fit, Ceiling, CountChangeError, GrowthError, SubscriptionStatus,
};
use domain::{InvoiceId, SubscriptionId};
use persistence::repos::subscriptions as repo;
use persistence::{write_transaction, Constraint, DbConnection, RepoError};

/// An assignment that may have grown the subscription first.
pub struct Grown {
    pub outcome: Outcome,
    /// Licenses added to the total (0 when the free ones were enough).
    pub licenses_added: u32,
    /// The invoice charging the growth, when the profile invoices at once.
    pub invoice_id: Option<InvoiceId>,
}

pub async fn assign_adding(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    batch: AssignmentBatch,
    if_match: Option<String>,
) -> Result<Grown, Error> {
    let (now, catalog, tax, outbox) = (
        services.clock.now(),
        services.catalog.clone(),
        services.tax_rate_bps,
        services.outbox.clone(),
    );
    let caller = caller.clone();
    services
        .db
        .run(move |conn| {
            // As for a plain assignment: a unique-key race on PostgreSQL is
            // retried; the If-Match check then tells the loser the truth.
            let mut attempt = 0;
            loop {
                let work = |conn: &mut DbConnection| {
                    grow_in(
                        conn,
                        &caller,
                        &outbox,
                        &catalog,
                        id,
                        &batch,
                        if_match.as_deref(),
                        tax,
                        now,
                    )
                };
                match write_transaction(conn, work) {
                    Err(Error::Storage(RepoError::Unique(Constraint::AssignmentUnique)))
                        if attempt < 2 =>
                    {
                        attempt += 1
                    }
                    other => return other,
                }
            }
        })
        .await
}

fn ceiling(catalog: &Catalog, loaded: &Loaded) -> Result<Ceiling, Error> {
    if loaded.status != SubscriptionStatus::Trial {
        return Ok(Ceiling::Product {
            max: max_licenses(catalog, loaded)?,
        });
    }
    let offer = catalog
        .get(loaded.row.product_id)
        .and_then(|p| p.trial())
        .ok_or_else(|| Error::internal("trial without offer"))?;
    Ok(Ceiling::Trial {
        max: offer.max_licenses,
    })
}

#[allow(clippy::too_many_arguments)]
fn grow_in(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    catalog: &Catalog,
    id: SubscriptionId,
    batch: &AssignmentBatch,
    if_match: Option<&str>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Grown, Error> {
    let today = now.date_naive();
    let loaded = assignments::serialised(conn, caller, id, today)?;
    check_if_match(&loaded, if_match, true)?;
    loaded.require_live()?;
    let (_, new) = assignments::newcomers(conn, caller, id, batch)?;
    let assigned = u32::try_from(loaded.assigned()).unwrap_or(u32::MAX);
    let growth = grow_to_fit(
        loaded.licenses,
        assigned,
        new.len(),
        ceiling(catalog, &loaded)?,
    )
    .map_err(|e| match e {
        GrowthError::ProductMaximum {
            available,
            requested,
            ..
        } => Error::from(Conflict::NotEnoughLicenses {
            available,
            requested,
        }),
        GrowthError::TrialMaximum { max, .. } => Invalid::TrialLicenseLimit { max }.into(),
    })?;
    let (mut licenses_added, mut invoice_id) = (0, None);
    if let Some(growth) = growth {
        let new_total = i64::from(growth.new_total.get());
        if !repo::set_license_count(conn, id, loaded.row.version, new_total, now.naive_utc())? {
            return Err(stale(conn, caller, id));
        }
        let after = repo::find(conn, caller.organization_id, id)?
            .ok_or_else(|| Error::internal("subscription vanished"))?;
        record(
            conn,
            caller,
            outbox,
            AuditAction::LicenseCountChanged,
            Some(&loaded.row),
            &after,
            now,
        )?;
        if loaded.status == SubscriptionStatus::Active {
            let (Some(unit), Some(period)) = (loaded.unit_price, loaded.period.as_ref()) else {
                return Err(Error::internal("paid subscription without price or period"));
            };
            let change = change_count(
                loaded.licenses,
                growth.new_total,
                assigned,
                unit,
                period,
                today,
            )
            .map_err(|e| match e {
                CountChangeError::BelowAssigned { .. } => {
                    Error::internal("a growth went below the assigned count")
                }
                CountChangeError::Money(m) => Error::internal(m.to_string()),
            })?;
            let invoice = invoicing::bill_change(conn, outbox, &after, change, tax_rate_bps, now)?;
            invoice_id = invoice.map(|i| i.id);
        }
        licenses_added = growth.added;
    }
    Ok(Grown {
        outcome: assignments::assign_within(conn, caller, outbox, id, batch, "user_ids", now)?,
        licenses_added,
        invoice_id,
    })
}
