use crate::connection::DbConnection;
use crate::error::{Race, RepoError};
use crate::keyset;
use crate::on_backend;
use crate::rows::{InvoiceLineRow, InvoiceRow, PendingCreditRow};
use crate::schema::{invoice_lines as l, invoices as i, organizations as o, pending_credits as p};
use crate::typed::texts;
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::{InvoiceId, OrganizationId, PendingCreditId, SubscriptionId, UserId};

/// The organisation's next invoice number. The row update locks the counter
/// until the issuing transaction ends, so numbers are sequential with no
/// duplicates under any concurrency (and no gaps: a rollback returns it).
pub fn next_number(conn: &mut DbConnection, org: OrganizationId) -> Result<i64, RepoError> {
    let next: i64 = diesel::update(o::table.filter(o::id.eq(org.to_string())))
        .set(o::next_invoice_number.eq(o::next_invoice_number + 1))
        .returning(o::next_invoice_number)
        .get_result(conn)?;
    Ok(next - 1)
}

pub fn insert(
    conn: &mut DbConnection,
    invoice: &InvoiceRow,
    lines: &[InvoiceLineRow],
) -> Result<(), RepoError> {
    diesel::insert_into(i::table)
        .values(invoice.clone())
        .execute(conn)?;
    for line in lines {
        diesel::insert_into(l::table)
            .values(line.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn renewal_exists(conn: &mut DbConnection, renewal_key: &str) -> Result<bool, RepoError> {
    let n: i64 = i::table
        .filter(i::renewal_key.eq(renewal_key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// An invoice of the organisation, whoever owns it (the invoice e-mail).
pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: InvoiceId,
) -> Result<Option<InvoiceRow>, RepoError> {
    Ok(i::table
        .filter(i::organization_id.eq(org.to_string()))
        .filter(i::id.eq(id.to_string()))
        .select(InvoiceRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_owned(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    id: InvoiceId,
) -> Result<Option<InvoiceRow>, RepoError> {
    Ok(i::table
        .filter(i::organization_id.eq(org.to_string()))
        .filter(i::owner_id.eq(owner.to_string()))
        .filter(i::id.eq(id.to_string()))
        .select(InvoiceRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn lines(
    conn: &mut DbConnection,
    invoice_ids: &[InvoiceId],
) -> Result<Vec<InvoiceLineRow>, RepoError> {
    // On the concrete connection, as the list: see `list`.
    Ok(on_backend!(conn, |c| l::table
        .filter(l::invoice_id.eq_any(texts(invoice_ids)))
        .select(InvoiceLineRow::as_select())
        .order_by((l::invoice_id, l::position))
        .load(c))?)
}

#[derive(Default, Clone, Debug)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub billing_profile: Option<String>,
    pub subscription: Option<String>,
}

/// The owner's invoices issued in [from, to], newest first: keyset on
/// (issue_date, number), the order of the `invoices_by_owner` index, so a page
/// is one backward index walk with no sort.
pub fn list(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    filter: &Filter,
    before: Option<(NaiveDate, i64)>,
    limit: i64,
) -> Result<Vec<InvoiceRow>, RepoError> {
    // One arm per backend, on the concrete connection: through `DbConnection`,
    // diesel's MultiConnection re-serialises every query's SQL once more
    // (bench/README.md, finding 7). The boxed query is typed by its backend.
    Ok(on_backend!(conn, |c| {
        let mut query = i::table
            .filter(i::organization_id.eq(org.to_string()))
            .filter(i::owner_id.eq(owner.to_string()))
            .select(InvoiceRow::as_select())
            .into_boxed();
        if let Some(from) = filter.from {
            query = query.filter(i::issue_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(i::issue_date.le(to));
        }
        if let Some(profile) = &filter.billing_profile {
            query = query.filter(i::billing_profile_id.eq(profile.clone()));
        }
        if let Some(subscription) = &filter.subscription {
            query = query.filter(i::subscription_id.eq(subscription.clone()));
        }
        keyset::page!(
            query,
            descending (i::issue_date, i::number),
            before: before,
            limit: limit
        )
        .load(c)
    })?)
}

/// Line amounts already invoiced for a subscription within [start, end).
pub fn invoiced_amounts(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<i64>, RepoError> {
    Ok(l::table
        .filter(l::subscription_id.eq(subscription.to_string()))
        .filter(l::period_start.ge(start))
        .filter(l::period_start.lt(end))
        .select(l::amount)
        .load(conn)?)
}

pub fn add_pending_credit(
    conn: &mut DbConnection,
    credit: &PendingCreditRow,
) -> Result<(), RepoError> {
    diesel::insert_into(p::table)
        .values(credit.clone())
        .execute(conn)?;
    Ok(())
}

pub fn open_credits(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<Vec<PendingCreditRow>, RepoError> {
    Ok(p::table
        .filter(p::subscription_id.eq(subscription.to_string()))
        .filter(p::invoice_id.is_null())
        .select(PendingCreditRow::as_select())
        .order_by((p::created_at, p::id))
        .load(conn)?)
}

/// Marks `ids` as settled by `invoice`, only while they are still open: a
/// credit already on another invoice is a conflict (the caller's transaction
/// then rolls back), so no credit is ever invoiced twice.
pub fn settle_credits(
    conn: &mut DbConnection,
    ids: &[PendingCreditId],
    invoice: InvoiceId,
) -> Result<(), RepoError> {
    let settled = diesel::update(
        p::table
            .filter(p::id.eq_any(texts(ids)))
            .filter(p::invoice_id.is_null()),
    )
    .set(p::invoice_id.eq(invoice.to_string()))
    .execute(conn)?;
    if settled != ids.len() {
        return Err(RepoError::Raced(Race::CreditSettled));
    }
    Ok(())
}

/// Totals of the invoices issued to `owner` in `currency` on days
/// `[from, until)` for their self-service subscriptions (credits negative):
/// what the monthly spend cap measures. Organisation purchases billed to an
/// admin do not count against the admin's own cap.
/// Increase charges of `owner`'s self-service subscriptions in `currency`
/// recorded in [`from`, `until`) and still waiting for an invoice
/// (`next_invoice` billing profiles, PRODUCT.md §9): spending already
/// committed this month, though not yet invoiced.
pub fn pending_self_service_increases(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    currency: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<i64>, RepoError> {
    use crate::schema::subscriptions as s;
    let self_service = s::table
        .filter(s::organization_id.eq(org.to_string()))
        .filter(s::purchaser_id.eq(owner.to_string()))
        .filter(s::source.eq("self_service"))
        .filter(s::currency.eq(currency.to_owned()))
        .select(s::id);
    let (Some(from), Some(until)) = (from.and_hms_opt(0, 0, 0), until.and_hms_opt(0, 0, 0)) else {
        return Ok(Vec::new());
    };
    Ok(p::table
        .filter(p::subscription_id.eq_any(self_service))
        .filter(p::kind.eq(domain::invoice::LineKind::ProratedIncrease.as_str()))
        .filter(p::invoice_id.is_null())
        .filter(p::created_at.ge(from))
        .filter(p::created_at.lt(until))
        .select(p::amount)
        .load(conn)?)
}

pub fn self_service_totals(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    currency: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<i64>, RepoError> {
    use crate::schema::subscriptions as s;
    let (org, owner) = (org.to_string(), owner.to_string());
    let self_service = s::table
        .filter(s::organization_id.eq(&org))
        .filter(s::purchaser_id.eq(&owner))
        .filter(s::source.eq("self_service"))
        .select(s::id);
    Ok(i::table
        .filter(i::organization_id.eq(&org))
        .filter(i::owner_id.eq(&owner))
        .filter(i::currency.eq(currency))
        .filter(i::issue_date.ge(from))
        .filter(i::issue_date.lt(until))
        .filter(i::subscription_id.eq_any(self_service))
        .select(i::total)
        .load(conn)?)
}
