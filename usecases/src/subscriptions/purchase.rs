//! Buying, starting a trial, and converting a trial to paid.

use super::invoicing::{self, Issue, Reason};
use super::{load_owned, Loaded};
use crate::audit::{self, Change};
use crate::commands::{Conversion, NewSubscription};
use crate::error::{Conflict, Error, Forbidden, Invalid};
use crate::{billing_profiles, governance, payment_methods};
use crate::{Actor, Origin, Outbox};
use chrono::{DateTime, Utc};
use domain::assignment::AssignmentBatch;
use domain::audit::AuditAction;
use domain::catalog::{BillingFrequency, Catalog, Product};
use domain::event::EventType;
use domain::governance::{self as governance_rules, may_buy};
use domain::invoice::InvoiceLine;
use domain::license::{LicenseCount, LicenseCountError};
use domain::policy::SelfServicePolicy;
use domain::subscription::{
    self as rules, PurchasePlan, SubscriptionSource, SubscriptionStatus, TrialError,
};
use domain::{BillingProfileId, PaymentMethodId, SubscriptionId};
use persistence::repos::{billing_profiles as profiles_repo, policies, subscriptions as repo};
use persistence::rows::{BillingProfileChangeset, SubscriptionChanges, SubscriptionRow};
use persistence::{Constraint, DbConnection, RepoError};

/// A purchase or trial request, checked before any transaction starts, and
/// the members to assign licenses to in the same transaction.
pub struct Order {
    pub kind: OrderKind,
    pub assign: Option<AssignmentBatch>,
}

pub enum OrderKind {
    Buy {
        source: SubscriptionSource,
        product: Product,
        licenses: LicenseCount,
        frequency: BillingFrequency,
        billing_profile_id: BillingProfileId,
        payment_method_id: PaymentMethodId,
    },
    Trial {
        source: SubscriptionSource,
        product: Product,
        licenses: i64,
    },
}

impl OrderKind {
    fn source(&self) -> SubscriptionSource {
        match self {
            OrderKind::Buy { source, .. } | OrderKind::Trial { source, .. } => *source,
        }
    }
}

pub fn license_count(n: i64, max: u32) -> Result<LicenseCount, Error> {
    LicenseCount::parse(n, max).map_err(|e| {
        Invalid::LicenseCount {
            detail: match e {
                LicenseCountError::TooFew => "license_count must be at least 1".to_owned(),
                LicenseCountError::TooMany { max } => {
                    format!("license_count is at most {max} for this product")
                }
            },
        }
        .into()
    })
}

fn required<T>(value: Option<T>, field: &str) -> Result<T, Error> {
    value.ok_or_else(|| {
        Error::invalid_field(
            field,
            format!("`{field}` is required to buy (leave it out only with \"trial\": true)"),
        )
    })
}

pub fn validate(catalog: &Catalog, req: NewSubscription) -> Result<Order, Error> {
    let assign = crate::assignments::at_purchase(req.assign_user_ids.clone(), req.license_count)?;
    Ok(Order {
        kind: validate_kind(catalog, req)?,
        assign,
    })
}

fn validate_kind(catalog: &Catalog, req: NewSubscription) -> Result<OrderKind, Error> {
    let product = catalog
        .get(req.product_id)
        .cloned()
        .ok_or(Invalid::Reference {
            field: "product_id",
            what: "catalog's products",
        })?;
    if req.trial == Some(false) {
        return Err(Error::invalid_field(
            "trial",
            "`trial` is `true` for a free trial; leave it out to buy",
        ));
    }
    if req.trial == Some(true) {
        for (present, field) in [
            (req.billing_frequency.is_some(), "billing_frequency"),
            (req.billing_profile_id.is_some(), "billing_profile_id"),
            (req.payment_method_id.is_some(), "payment_method_id"),
        ] {
            if present {
                return Err(Error::invalid_field(
                    field,
                    format!("`{field}` is not used by a free trial; convert the trial to pay"),
                ));
            }
        }
        return Ok(OrderKind::Trial {
            source: req.source,
            product,
            licenses: req.license_count,
        });
    }
    Ok(OrderKind::Buy {
        source: req.source,
        licenses: license_count(req.license_count, product.max_licenses())?,
        frequency: required(req.billing_frequency, "billing_frequency")?,
        billing_profile_id: required(req.billing_profile_id, "billing_profile_id")?,
        payment_method_id: required(req.payment_method_id, "payment_method_id")?,
        product,
    })
}

/// The product's own policy, else the organisation's default; none applies
/// to an organisation purchase (`domain::governance::check_purchase`).
fn own_and_default(
    conn: &mut DbConnection,
    caller: &Actor,
    product: &Product,
) -> Result<(Option<SelfServicePolicy>, SelfServicePolicy), Error> {
    let own = policies::find(conn, caller.organization_id, product.id())?.map(|p| p.policy);
    let default = governance::settings::load(conn, caller.organization_id)?.default_policy;
    Ok((own, default))
}

/// The caller's billing profile and card for a purchase or conversion; the
/// card is charged today, so it must not be past its expiry month. The
/// profile adopts the card as its default when it has none.
fn billing(
    conn: &mut DbConnection,
    caller: &Actor,
    profile_id: BillingProfileId,
    payment_method_id: PaymentMethodId,
    now: DateTime<Utc>,
) -> Result<(BillingProfileId, PaymentMethodId), Error> {
    let as_reference = |field: &'static str, what: &'static str| {
        move |e: Error| match e {
            Error::NotFound(_) => Invalid::Reference { field, what }.into(),
            other => other,
        }
    };
    let profile = billing_profiles::find_owned(conn, caller, profile_id)
        .map_err(as_reference("billing_profile_id", "billing profiles"))?;
    let card = payment_methods::find_owned(conn, caller, payment_method_id)
        .map_err(as_reference("payment_method_id", "payment methods"))?;
    payment_methods::require_unexpired(&card, "payment_method_id", now.date_naive())?;
    if profile.payment_method_id.is_none() {
        let mut changes = BillingProfileChangeset::from(&profile);
        changes.payment_method_id = Some(card.id);
        changes.updated_at = now.naive_utc();
        profiles_repo::update(conn, profile.id, &changes)?;
    }
    Ok((profile.id, card.id))
}

fn summary(row: &SubscriptionRow) -> serde_json::Value {
    serde_json::json!({
        "status": row.status.as_str(), "license_count": row.license_count, "billing_frequency": row.billing_frequency,
        "unit_price": row.unit_price, "auto_renew": row.auto_renew, "billing_profile_id": row.billing_profile_id,
        "payment_method_id": row.payment_method_id, "current_period_end": row.current_period_end,
        "cancel_at": row.cancel_at,
    })
}

/// The event a subscription change recorded in its history also writes to
/// the outbox (PRODUCT.md §8); a change of auto-renew alone has none.
fn event_of(action: AuditAction) -> Option<EventType> {
    match action {
        AuditAction::Purchased => Some(EventType::SubscriptionCreated),
        AuditAction::TrialStarted => Some(EventType::SubscriptionTrialStarted),
        AuditAction::TrialConverted => Some(EventType::SubscriptionConverted),
        AuditAction::LicenseCountChanged => Some(EventType::SubscriptionLicenseCountChanged),
        AuditAction::Canceled => Some(EventType::SubscriptionCanceled),
        AuditAction::Reactivated => Some(EventType::SubscriptionReactivated),
        _ => None,
    }
}

/// Records a subscription change: its audit entry and its event, in the
/// caller's transaction.
pub fn record(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    action: AuditAction,
    before: Option<&SubscriptionRow>,
    after: &SubscriptionRow,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    audit::record(
        conn,
        Change::on_subscription(
            action,
            after.id,
            before.map(summary),
            Some(summary(after)),
            caller,
            now,
        ),
    )?;
    match event_of(action) {
        Some(kind) => outbox.subscription(conn, &Origin::of(caller, now), kind, after.id),
        None => Ok(()),
    }
}

/// How a change ends: its invoice (when it charges or credits), its audit
/// event, and the subscription as it now reads.
#[allow(clippy::too_many_arguments)]
pub fn conclude(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    action: AuditAction,
    before: &SubscriptionRow,
    after: SubscriptionRow,
    invoice: Option<(BillingProfileId, Reason, InvoiceLine)>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    if let Some((profile, reason, line)) = invoice {
        invoicing::issue(
            conn,
            outbox,
            Issue::single(&after, profile, reason, line),
            tax_rate_bps,
            now,
        )?;
    }
    record(conn, caller, outbox, action, Some(before), &after, now)?;
    Loaded::parse(after, now.date_naive())
}

/// Places the order inside the caller's transaction: the subscription, its
/// first invoice, and the assignments asked for — or, on any refusal, an
/// error that rolls all of it back.
pub fn place(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    order: Order,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let created = create(conn, caller, outbox, order.kind, tax_rate_bps, now)?;
    let Some(batch) = order.assign else {
        return Ok(created);
    };
    crate::assignments::assign_within(
        conn,
        caller,
        outbox,
        created.row.id,
        &batch,
        "assign_user_ids",
        now,
    )?;
    let row = repo::find(conn, caller.organization_id, created.row.id)?
        .ok_or_else(|| Error::internal("new subscription vanished"))?;
    Loaded::parse(row, now.date_naive())
}

fn create(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    order: OrderKind,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    let at = now.naive_utc();
    let source = order.source();
    if !may_buy(caller.viewer(), source) {
        return Err(Forbidden::AdminOnly.into());
    }
    let base = |product: &Product, status: SubscriptionStatus, licenses: u32| SubscriptionRow {
        id: SubscriptionId::new_random(),
        organization_id: caller.organization_id,
        purchaser_id: caller.user_id,
        product_id: product.id(),
        source: source.as_str().to_owned(),
        status,
        license_count: i64::from(licenses),
        assigned_count: 0,
        currency: product.currency().to_string(),
        billing_frequency: None,
        unit_price: None,
        current_period_start: None,
        current_period_end: None,
        period_anchor_day: None,
        trial_ends_on: None,
        purchased_on: None,
        auto_renew: true,
        billing_profile_id: None,
        payment_method_id: None,
        cancel_reason: None,
        cancel_feedback: None,
        canceled_at: None,
        cancel_at: None,
        seat_threshold: 0,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    match order {
        OrderKind::Buy {
            product,
            licenses,
            frequency,
            billing_profile_id,
            payment_method_id,
            ..
        } => {
            let (own, default) = own_and_default(conn, caller, &product)?;
            governance_rules::check_purchase(source, own, default).map_err(Forbidden::Policy)?;
            let (profile, card) =
                billing(conn, caller, billing_profile_id, payment_method_id, now)?;
            let plan = rules::purchase(&product, licenses, frequency, today)
                .map_err(|e| Error::internal(e.to_string()))?;
            let mut row = base(&product, SubscriptionStatus::Active, licenses.get());
            apply_plan(&mut row, &plan, frequency, profile, card, today);
            repo::insert(conn, &row)?;
            // The subscription's event before its invoice's, as they happened.
            record(
                conn,
                caller,
                outbox,
                AuditAction::Purchased,
                None,
                &row,
                now,
            )?;
            invoicing::issue(
                conn,
                outbox,
                Issue::single(&row, profile, Reason::Purchase, plan.line),
                tax_rate_bps,
                now,
            )?;
            Loaded::parse(row, today)
        }
        OrderKind::Trial {
            product, licenses, ..
        } => {
            let (own, default) = own_and_default(conn, caller, &product)?;
            governance_rules::check_trial(source, own, default).map_err(Forbidden::Policy)?;
            super::billing_run::expire_stale_trials(
                conn,
                outbox,
                caller,
                product.id(),
                tax_rate_bps,
                now,
            )?;
            let plan = rules::start_trial(&product, licenses, today).map_err(|e| match e {
                TrialError::NoTrialOffered => Invalid::TrialNotOffered,
                TrialError::TooManyLicenses { max } => Invalid::TrialLicenseLimit { max },
                TrialError::TooFewLicenses => Invalid::LicenseCount {
                    detail: "license_count must be at least 1".to_owned(),
                },
            })?;
            let mut row = base(&product, SubscriptionStatus::Trial, plan.licenses.get());
            row.trial_ends_on = Some(plan.ends_on);
            row.auto_renew = false;
            repo::insert(conn, &row).map_err(|e| match e {
                RepoError::Unique(Constraint::OneTrial) => {
                    Error::from(Conflict::TrialAlreadyActive)
                }
                e => e.into(),
            })?;
            record(
                conn,
                caller,
                outbox,
                AuditAction::TrialStarted,
                None,
                &row,
                now,
            )?;
            Loaded::parse(row, today)
        }
    }
}

fn apply_plan(
    row: &mut SubscriptionRow,
    plan: &PurchasePlan,
    frequency: BillingFrequency,
    profile: BillingProfileId,
    card: PaymentMethodId,
    today: chrono::NaiveDate,
) {
    row.billing_frequency = Some(frequency.as_str().to_owned());
    row.unit_price = Some(plan.unit_price.amount());
    row.current_period_start = Some(plan.period.start());
    row.current_period_end = Some(plan.period.end());
    row.period_anchor_day = Some(plan.period.anchor_day() as i32);
    row.purchased_on = Some(today);
    row.auto_renew = true;
    row.billing_profile_id = Some(profile);
    row.payment_method_id = Some(card);
}

/// Trial → paid, keeping the id; billing starts today.
#[allow(clippy::too_many_arguments)]
pub fn convert(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    catalog: &Catalog,
    id: SubscriptionId,
    req: Conversion,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    let loaded = load_owned(conn, caller, id, today)?;
    match loaded.status {
        SubscriptionStatus::Trial => {}
        SubscriptionStatus::Active => return Err(Error::from(Conflict::NotATrial)),
        _ => loaded.require_live()?,
    }
    let product = catalog
        .get(loaded.row.product_id)
        .cloned()
        .ok_or_else(|| Error::internal("product left the catalog"))?;
    let (own, default) = own_and_default(conn, caller, &product)?;
    governance_rules::check_purchase(loaded.source, own, default).map_err(Forbidden::Policy)?;
    let licenses = license_count(loaded.row.license_count, product.max_licenses())?;
    let frequency: BillingFrequency = req.billing_frequency;
    let (profile, card) = billing(
        conn,
        caller,
        req.billing_profile_id,
        req.payment_method_id,
        now,
    )?;
    let plan = rules::convert_trial(&product, licenses, frequency, today)
        .map_err(|e| Error::internal(e.to_string()))?;
    let mut after = loaded.row.clone();
    apply_plan(&mut after, &plan, frequency, profile, card, today);
    after.status = SubscriptionStatus::Active;
    after.trial_ends_on = None;
    let changes = SubscriptionChanges {
        status: Some(after.status.as_str().to_owned()),
        billing_frequency: Some(after.billing_frequency.clone()),
        unit_price: Some(after.unit_price),
        current_period_start: Some(after.current_period_start),
        current_period_end: Some(after.current_period_end),
        period_anchor_day: Some(after.period_anchor_day),
        trial_ends_on: Some(None),
        purchased_on: Some(after.purchased_on),
        auto_renew: Some(true),
        billing_profile_id: Some(after.billing_profile_id.map(String::from)),
        payment_method_id: Some(after.payment_method_id.map(String::from)),
        updated_at: Some(now.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, loaded.row.version, &changes)? {
        return Err(super::stale(conn, caller, id));
    }
    let after = repo::find(conn, caller.organization_id, id)?
        .ok_or_else(|| Error::internal("converted subscription vanished"))?;
    conclude(
        conn,
        caller,
        outbox,
        AuditAction::TrialConverted,
        &loaded.row,
        after,
        Some((profile, Reason::TrialConversion, plan.line)),
        tax_rate_bps,
        now,
    )
}
