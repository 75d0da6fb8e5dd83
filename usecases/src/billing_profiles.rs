//! Billing profiles: who is billed, where invoices go, which card pays.

use super::owned::{self, Edit, Lookup, Owned};
use super::paging;
use super::payment_methods::{find_owned as find_payment_method, parse_address, require_unexpired};
use crate::commands::{BillingProfileEdit, NewBillingProfile};
use crate::error::{Error, Invalid};
use crate::page::Page;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use domain::audit::AuditAction;
use domain::user::Email;
use domain::{BillingAccountId, BillingProfileId, PaymentMethodId};
use persistence::repos::billing_profiles as repo;
use persistence::rows::{BillingProfileChangeset, BillingProfileRow};
use persistence::DbConnection;

fn parse_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > 100 {
        return Err(Error::invalid_field(
            "name",
            "name must be 1 to 100 characters",
        ));
    }
    domain::text::check(name, domain::text::Lines::Single)
        .map_err(|p| Error::invalid_field("name", format!("name {}", p.message())))?;
    Ok(name.to_owned())
}

fn parse_po(raw: Option<&str>) -> Result<Option<String>, Error> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) if p.chars().count() <= 64 => domain::text::check(p, domain::text::Lines::Single)
            .map(|()| Some(p.to_owned()))
            .map_err(|e| Error::invalid_field("po_number", format!("po_number {}", e.message()))),
        Some(_) => Err(Error::invalid_field(
            "po_number",
            "po_number is at most 64 characters",
        )),
    }
}

fn parse_tax_id(raw: Option<&str>) -> Result<Option<String>, Error> {
    raw.map(|t| {
        domain::tax_id::TaxId::parse(t)
            .map(|t| t.as_str().to_owned())
            .map_err(|e| Error::invalid_field("tax_id", e))
    })
    .transpose()
}

fn parse_email(raw: &str) -> Result<String, Error> {
    Email::parse(raw)
        .map(|e| e.as_str().to_owned())
        .map_err(|e| Error::invalid_field("invoice_email", e))
}

/// A payment method id from a request body must be one of the caller's cards,
/// and — since it becomes the profile's default, charged by every subscription
/// billed to the profile — not past its expiry month on `today`.
fn owned_payment_method(
    conn: &mut DbConnection,
    caller: &Actor,
    id: PaymentMethodId,
    field: &'static str,
    today: NaiveDate,
) -> Result<PaymentMethodId, Error> {
    let card = find_payment_method(conn, caller, id).map_err(|e| match e {
        Error::NotFound(_) => Invalid::Reference {
            field,
            what: "payment methods",
        }
        .into(),
        other => other,
    })?;
    require_unexpired(&card, field, today)?;
    Ok(card.id)
}

impl Owned for BillingProfileRow {
    const TARGET_TYPE: &'static str = "billing_profile";
    const NOT_FOUND: &'static str = "billing profile";
    type Id = BillingProfileId;
    const LOOKUP: Lookup<Self, BillingProfileId> = repo::find_owned;

    fn id(&self) -> BillingProfileId {
        self.id
    }

    fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name, "invoice_email": self.invoice_email, "po_number": self.po_number,
            "bill_to_country": self.bill_to_country, "payment_method_id": self.payment_method_id,
            "invoice_language": self.invoice_language.as_str(), "tax_id": self.tax_id,
            "proration_behavior": self.proration_behavior.as_str(),
        })
    }
}

pub fn find_owned(
    conn: &mut DbConnection,
    caller: &Actor,
    id: BillingProfileId,
) -> Result<BillingProfileRow, Error> {
    owned::find(conn, caller, id)
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    account_id: BillingAccountId,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<BillingProfileRow>, Option<String>), Error> {
    let account = super::billing_accounts::get(services, caller, account_id).await?;
    paging::read(
        services,
        page,
        move |conn, after, limit| Ok(repo::list_for_account(conn, account.id, after, limit)?),
        |r| (r.created_at, r.id.to_string()),
    )
    .await
}

/// Validates outside the transaction; stores inside the caller's one.
pub fn create(
    conn: &mut DbConnection,
    caller: &Actor,
    account_id: BillingAccountId,
    req: NewBillingProfile,
    now: DateTime<Utc>,
) -> Result<BillingProfileRow, Error> {
    let name = parse_name(&req.name)?;
    let bill_to = parse_address("bill_to", &req.bill_to)?;
    let invoice_email = parse_email(&req.invoice_email)?;
    let po_number = parse_po(req.po_number.as_deref())?;
    let tax_id = parse_tax_id(req.tax_id.as_deref())?;
    let invoice_language = req.invoice_language.unwrap_or_default();
    let account = super::billing_accounts::ensure(conn, caller, now)?;
    if account.id != account_id {
        return Err(Error::NotFound("billing account"));
    }
    let payment_method_id = req
        .payment_method_id
        .map(|id| owned_payment_method(conn, caller, id, "payment_method_id", now.date_naive()))
        .transpose()?;
    let at = now.naive_utc();
    let row = BillingProfileRow {
        id: BillingProfileId::new_random(),
        organization_id: caller.organization_id,
        billing_account_id: account.id,
        owner_id: caller.user_id,
        name,
        bill_to_line1: bill_to.line1().to_owned(),
        bill_to_line2: bill_to.line2().map(str::to_owned),
        bill_to_city: bill_to.city().to_owned(),
        bill_to_postal_code: bill_to.postal_code().to_owned(),
        bill_to_region: bill_to.region().map(str::to_owned),
        bill_to_country: bill_to.country().to_owned(),
        invoice_email,
        po_number,
        payment_method_id,
        created_at: at,
        updated_at: at,
        invoice_language,
        tax_id,
        proration_behavior: req.proration_behavior.unwrap_or_default(),
    };
    repo::insert(conn, &row)?;
    owned::record(
        conn,
        caller,
        AuditAction::BillingProfileCreated,
        Edit::Created(&row),
        now,
    )?;
    Ok(row)
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: BillingProfileId,
) -> Result<BillingProfileRow, Error> {
    owned::get(services, caller, id).await
}

pub async fn update(
    services: &Services,
    caller: &Actor,
    id: BillingProfileId,
    req: BillingProfileEdit,
) -> Result<BillingProfileRow, Error> {
    let action = AuditAction::BillingProfileUpdated;
    change(
        services,
        caller,
        id,
        action,
        move |conn, caller, changes, today| {
            if let Some(name) = &req.name {
                changes.name = parse_name(name)?;
            }
            if let Some(address) = &req.bill_to {
                let a = parse_address("bill_to", address)?;
                changes.bill_to_line1 = a.line1().to_owned();
                changes.bill_to_line2 = a.line2().map(str::to_owned);
                changes.bill_to_city = a.city().to_owned();
                changes.bill_to_postal_code = a.postal_code().to_owned();
                changes.bill_to_region = a.region().map(str::to_owned);
                changes.bill_to_country = a.country().to_owned();
            }
            if let Some(email) = &req.invoice_email {
                changes.invoice_email = parse_email(email)?;
            }
            if req.po_number.is_some() {
                changes.po_number = parse_po(req.po_number.as_deref())?;
            }
            if let Some(tax_id) = &req.tax_id {
                changes.tax_id = parse_tax_id(tax_id.as_deref())?;
            }
            if let Some(l) = req.invoice_language {
                changes.invoice_language = l;
            }
            if let Some(b) = req.proration_behavior {
                changes.proration_behavior = b;
            }
            if let Some(pm) = req.payment_method_id {
                changes.payment_method_id = Some(owned_payment_method(
                    conn,
                    caller,
                    pm,
                    "payment_method_id",
                    today,
                )?);
            }
            Ok(())
        },
    )
    .await
}

/// Sets the profile's default payment method; every subscription billed to the
/// profile is charged to the profile's default, so they all follow it.
pub async fn replace_payment_method(
    services: &Services,
    caller: &Actor,
    id: BillingProfileId,
    payment_method: PaymentMethodId,
) -> Result<BillingProfileRow, Error> {
    let action = AuditAction::PaymentMethodReplaced;
    change(
        services,
        caller,
        id,
        action,
        move |conn, caller, changes, today| {
            let card =
                owned_payment_method(conn, caller, payment_method, "payment_method_id", today)?;
            changes.payment_method_id = Some(card);
            Ok(())
        },
    )
    .await
}

/// One transaction that edits the caller's profile `id` (`edit` gets the
/// stored values to change, and today's date for card checks), saves it and
/// audits it as `action`.
async fn change<F>(
    services: &Services,
    caller: &Actor,
    id: BillingProfileId,
    action: AuditAction,
    edit: F,
) -> Result<BillingProfileRow, Error>
where
    F: FnOnce(
            &mut DbConnection,
            &Actor,
            &mut BillingProfileChangeset,
            NaiveDate,
        ) -> Result<(), Error>
        + Send
        + 'static,
{
    owned::write(
        services,
        caller,
        id,
        move |conn, caller, before: BillingProfileRow, now| {
            let mut changes = BillingProfileChangeset::from(&before);
            edit(conn, caller, &mut changes, now.date_naive())?;
            changes.updated_at = now.naive_utc();
            save(conn, caller, &before, &changes, action, now)
        },
    )
    .await
}

fn save(
    conn: &mut DbConnection,
    caller: &Actor,
    before: &BillingProfileRow,
    changes: &BillingProfileChangeset,
    action: AuditAction,
    now: DateTime<Utc>,
) -> Result<BillingProfileRow, Error> {
    repo::update(conn, before.id, changes)?;
    if let Some(card) = changes
        .payment_method_id
        .filter(|c| before.payment_method_id != Some(*c))
    {
        // Every live subscription billed to the profile is charged to its default card.
        persistence::repos::subscriptions::repoint_payment_method(
            conn,
            before.id,
            card,
            now.naive_utc(),
        )?;
    }
    let after = find_owned(conn, caller, before.id)?;
    owned::record(
        conn,
        caller,
        action,
        Edit::Updated {
            before,
            after: &after,
        },
        now,
    )?;
    Ok(after)
}
