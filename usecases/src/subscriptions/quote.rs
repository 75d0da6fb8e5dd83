//! Binding quotes (PRODUCT.md §9): the license-count preview stores what it
//! priced, and a PATCH naming the quote is priced at the quote's instant and
//! charged exactly the quoted amount — or refused, changing nothing.
//!
//! The decisions (expiry, mismatch, the amount check) are the domain's
//! [`Quote`]; this module stores and loads it.

use super::Loaded;
use crate::error::{Conflict, Error, Invalid};
use crate::Actor;
use chrono::{DateTime, Duration, Utc};
use domain::ids::QuoteId;
use domain::license::LicenseCount;
use domain::subscription::{Quote, QuoteError, QuoteTerms};
use domain::{Currency, Money};
use persistence::repos::quotes as repo;
use persistence::rows::QuoteRow;
use persistence::DbConnection;

/// How long an expired quote is still recognised (and answered as
/// `quote_expired`) before the billing run forgets it.
pub const KEEP_EXPIRED: Duration = Duration::hours(24);

/// Stores a quote for moving `loaded` to `new_total` for `amount`, priced at
/// `now`. `new_total` was already accepted by the count rules.
pub fn store(
    conn: &mut DbConnection,
    caller: &Actor,
    loaded: &Loaded,
    new_total: i64,
    amount: Money,
    now: DateTime<Utc>,
) -> Result<Quote, Error> {
    let terms = QuoteTerms {
        subscription_id: loaded.row.id,
        version: loaded.row.version,
        license_count: LicenseCount::parse(new_total, u32::MAX)
            .map_err(|_| Error::internal("quoted a count the rules refused"))?,
        amount,
    };
    let quote = Quote::issue(QuoteId::new_random(), terms, now);
    repo::insert(
        conn,
        &QuoteRow {
            id: quote.id(),
            organization_id: caller.organization_id,
            subscription_id: loaded.row.id,
            subscription_version: terms.version,
            license_count: new_total,
            amount: amount.amount(),
            currency: amount.currency().to_string(),
            priced_at: quote.priced_at().naive_utc(),
            expires_at: quote.expires_at().naive_utc(),
        },
    )?;
    Ok(quote)
}

/// The caller's organisation's quote `id`, checked against the change it is
/// named in: `loaded` (as it is now) moved to `new_total` at `now`.
pub fn redeem(
    conn: &mut DbConnection,
    caller: &Actor,
    loaded: &Loaded,
    id: QuoteId,
    new_total: i64,
    now: DateTime<Utc>,
) -> Result<Quote, Error> {
    let quote = parse(find(conn, caller, id)?)?;
    quote
        .redeem(loaded.row.id, loaded.row.version, new_total, now)
        .map_err(refusal)?;
    Ok(quote)
}

/// The license count quote `id` priced; an unknown quote is an invalid reference.
pub fn quoted_count(conn: &mut DbConnection, caller: &Actor, id: QuoteId) -> Result<i64, Error> {
    Ok(find(conn, caller, id)?.license_count)
}

fn find(conn: &mut DbConnection, caller: &Actor, id: QuoteId) -> Result<QuoteRow, Error> {
    repo::find(conn, caller.organization_id, id)?.ok_or_else(|| {
        Invalid::Reference {
            field: "quote_id",
            what: "quotes",
        }
        .into()
    })
}

pub fn refusal(e: QuoteError) -> Error {
    match e {
        QuoteError::Expired { expires_at } => Conflict::QuoteExpired { expires_at }.into(),
        QuoteError::Mismatch(why) => Conflict::QuoteMismatch(why).into(),
    }
}

/// Forgets quotes that expired more than [`KEEP_EXPIRED`] before `now`.
pub fn purge(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, Error> {
    Ok(repo::purge_expired_before(
        conn,
        (now - KEEP_EXPIRED).naive_utc(),
    )?)
}

fn parse(row: QuoteRow) -> Result<Quote, Error> {
    let corrupt =
        |what: &str| Error::internal(format!("quote {}: stored {what} is invalid", row.id));
    let currency = Currency::parse(&row.currency).map_err(|_| corrupt("currency"))?;
    let terms = QuoteTerms {
        subscription_id: row.subscription_id,
        version: row.subscription_version,
        license_count: LicenseCount::parse(row.license_count, u32::MAX)
            .map_err(|_| corrupt("license count"))?,
        amount: Money::new(row.amount, currency),
    };
    Quote::restore(
        row.id,
        terms,
        row.priced_at.and_utc(),
        row.expires_at.and_utc(),
    )
    .map_err(|_| corrupt("expiry"))
}
