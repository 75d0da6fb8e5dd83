//! Cards: validated in `domain`, stored as brand, last four, expiry, holder,
//! address and a keyed fingerprint — never the number or the security code.

use super::owned::{self, Edit, Lookup, Owned};
use super::paging;
use crate::commands::{NewPaymentMethod, PaymentMethodEdit};
use crate::error::{Conflict, Error, Invalid};
use crate::page::Page;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use domain::address::{Address, AddressInput};
use domain::audit::AuditAction;
use domain::card::{parse_holder_name, CardBrand, CardExpiry, CardNumber, Cvc};
use domain::PaymentMethodId;
use persistence::repos::{billing_profiles, payment_methods as repo};
use persistence::rows::{PaymentMethodChangeset, PaymentMethodRow};
use persistence::{Constraint, DbConnection, RepoError};

pub fn parse_address(prefix: &str, input: &AddressInput) -> Result<Address, Error> {
    Address::parse(input)
        .map_err(|e| Error::invalid_field(format!("{prefix}.{}", e.field), e.to_string()))
}

/// Validated card fields, ready to store; the number itself is dropped here.
pub struct NewCard {
    row: PaymentMethodRow,
}

pub fn validate_new(
    services: &Services,
    caller: &Actor,
    req: NewPaymentMethod,
    now: DateTime<Utc>,
) -> Result<NewCard, Error> {
    let number = CardNumber::parse(&req.card.number).map_err(Invalid::Card)?;
    let expiry = CardExpiry::parse(req.card.exp_month, req.card.exp_year, now.date_naive())
        .map_err(Invalid::Card)?;
    Cvc::check(&req.card.cvc, number.brand()).map_err(Invalid::Card)?;
    let holder = parse_holder_name(&req.card.holder_name).map_err(Invalid::Card)?;
    let address = parse_address("billing_address", &req.billing_address)?;
    let at = now.naive_utc();
    Ok(NewCard {
        row: PaymentMethodRow {
            id: PaymentMethodId::new_random(),
            organization_id: caller.organization_id,
            owner_id: caller.user_id,
            brand: number.brand().as_str().to_owned(),
            last4: number.last4().to_owned(),
            exp_month: expiry.month() as i32,
            exp_year: expiry.year(),
            holder_name: holder,
            address_line1: address.line1().to_owned(),
            address_line2: address.line2().map(str::to_owned),
            address_city: address.city().to_owned(),
            address_postal_code: address.postal_code().to_owned(),
            address_region: address.region().map(str::to_owned),
            address_country: address.country().to_owned(),
            fingerprint: services.fingerprints.card(&number),
            // The code was checked above, so the card passed the check.
            cvc_check: "pass".to_owned(),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        },
    })
}

/// Stores the card (inside the caller's transaction); the same card twice is 409.
pub fn create(
    conn: &mut DbConnection,
    caller: &Actor,
    card: NewCard,
    now: DateTime<Utc>,
) -> Result<PaymentMethodRow, Error> {
    let row = card.row;
    if let Some(existing_id) = repo::find_by_fingerprint(conn, row.owner_id, &row.fingerprint)? {
        return Err(Error::from(Conflict::DuplicatePaymentMethod {
            existing_id,
        }));
    }
    repo::insert(conn, &row).map_err(|e| match e {
        RepoError::Unique(Constraint::CardPerOwner) => Error::internal("duplicate card raced"),
        e => e.into(),
    })?;
    owned::record(
        conn,
        caller,
        AuditAction::PaymentMethodAdded,
        Edit::Created(&row),
        now,
    )?;
    Ok(row)
}

/// A stored card must still be valid on the day it is charged or made a
/// profile's default (PRODUCT.md §10): past its expiry month it is refused
/// with `card_expired`, naming the request `field` that chose it.
pub fn require_unexpired(
    card: &PaymentMethodRow,
    field: &'static str,
    today: NaiveDate,
) -> Result<(), Error> {
    let expiry = CardExpiry::stored(i64::from(card.exp_month), i64::from(card.exp_year))
        .map_err(|e| Error::internal(format!("stored card expiry invalid: {e}")))?;
    if expiry.is_expired(today) {
        return Err(Error::from(Invalid::CardExpiredAtUse {
            field,
            month: expiry.month(),
            year: expiry.year(),
        }));
    }
    Ok(())
}

impl Owned for PaymentMethodRow {
    const TARGET_TYPE: &'static str = "payment_method";
    const NOT_FOUND: &'static str = "payment method";
    /// Removed cards are not found: they stay only for invoices and history.
    type Id = PaymentMethodId;
    const LOOKUP: Lookup<Self, PaymentMethodId> = repo::find_owned;

    fn id(&self) -> PaymentMethodId {
        self.id
    }

    /// Never the fingerprint: the history is readable by admins.
    fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "brand": self.brand, "last4": self.last4, "exp_month": self.exp_month,
            "exp_year": self.exp_year, "holder_name": self.holder_name,
            "country": self.address_country, "cvc_check": self.cvc_check,
        })
    }
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<PaymentMethodRow>, Option<String>), Error> {
    let (org, owner) = (caller.organization_id, caller.user_id);
    paging::read(
        services,
        page,
        move |conn, after, limit| Ok(repo::list_owned(conn, org, owner, after, limit)?),
        |r| (r.created_at, r.id.to_string()),
    )
    .await
}

pub fn find_owned(
    conn: &mut DbConnection,
    caller: &Actor,
    id: PaymentMethodId,
) -> Result<PaymentMethodRow, Error> {
    owned::find(conn, caller, id)
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: PaymentMethodId,
) -> Result<PaymentMethodRow, Error> {
    owned::get(services, caller, id).await
}

pub async fn update(
    services: &Services,
    caller: &Actor,
    id: PaymentMethodId,
    req: PaymentMethodEdit,
) -> Result<PaymentMethodRow, Error> {
    owned::write(
        services,
        caller,
        id,
        move |conn, caller, before: PaymentMethodRow, now| {
            let brand = CardBrand::parse(&before.brand)
                .ok_or_else(|| Error::internal("stored brand unknown"))?;
            let month = req.exp_month.unwrap_or(i64::from(before.exp_month));
            let year = req.exp_year.unwrap_or(i64::from(before.exp_year));
            let expiry =
                CardExpiry::parse(month, year, now.date_naive()).map_err(Invalid::CardEdit)?;
            let holder = match &req.holder_name {
                Some(name) => parse_holder_name(name).map_err(Invalid::CardEdit)?,
                None => before.holder_name.clone(),
            };
            let cvc_check = match &req.cvc {
                Some(code) => {
                    Cvc::check(code, brand).map_err(Invalid::CardEdit)?;
                    "pass".to_owned()
                }
                None => before.cvc_check.clone(),
            };
            let address = req
                .billing_address
                .as_ref()
                .map(|a| parse_address("billing_address", a))
                .transpose()?;
            let changes = PaymentMethodChangeset {
                exp_month: expiry.month() as i32,
                exp_year: expiry.year(),
                holder_name: holder,
                address_line1: address
                    .as_ref()
                    .map_or(before.address_line1.clone(), |a| a.line1().to_owned()),
                address_line2: address.as_ref().map_or(before.address_line2.clone(), |a| {
                    a.line2().map(str::to_owned)
                }),
                address_city: address
                    .as_ref()
                    .map_or(before.address_city.clone(), |a| a.city().to_owned()),
                address_postal_code: address
                    .as_ref()
                    .map_or(before.address_postal_code.clone(), |a| {
                        a.postal_code().to_owned()
                    }),
                address_region: address.as_ref().map_or(before.address_region.clone(), |a| {
                    a.region().map(str::to_owned)
                }),
                address_country: address
                    .as_ref()
                    .map_or(before.address_country.clone(), |a| a.country().to_owned()),
                cvc_check,
                updated_at: now.naive_utc(),
            };
            repo::update(conn, before.id, &changes)?;
            let after = find_owned(conn, caller, before.id)?;
            owned::record(
                conn,
                caller,
                AuditAction::PaymentMethodUpdated,
                Edit::Updated {
                    before: &before,
                    after: &after,
                },
                now,
            )?;
            Ok(after)
        },
    )
    .await
}

/// Removal is refused while the card is the default of a profile that bills
/// live subscriptions; otherwise profiles that defaulted to it lose their default.
pub async fn remove(services: &Services, caller: &Actor, id: PaymentMethodId) -> Result<(), Error> {
    owned::write(
        services,
        caller,
        id,
        move |conn, caller, row: PaymentMethodRow, now| {
            if in_use(conn, row.id)? {
                return Err(Error::from(Conflict::PaymentMethodInUse));
            }
            billing_profiles::clear_payment_method(conn, row.id, now.naive_utc())?;
            repo::mark_deleted(conn, row.id, now.naive_utc())?;
            owned::record(
                conn,
                caller,
                AuditAction::PaymentMethodRemoved,
                Edit::Removed(&row),
                now,
            )?;
            Ok(())
        },
    )
    .await
}

/// In use: charged by a live subscription, directly or as the default of its billing profile.
fn in_use(conn: &mut DbConnection, payment_method: PaymentMethodId) -> Result<bool, Error> {
    let profiles = billing_profiles::ids_using_payment_method(conn, payment_method)?;
    Ok(
        persistence::repos::subscriptions::live_using_payment_method(
            conn,
            payment_method,
            &profiles,
        )?,
    )
}
