//! The organisation's settings: read by every member, changed by admins.

use crate::audit::{self, Change};
use crate::error::Error;
use crate::{Actor, Services};
use domain::audit::AuditAction;
use domain::governance::{
    effective_policy, LicenseRequestUrl, LicenseRequests, OrganizationSettings, SpendCap,
    SpendCapError,
};
use domain::policy::SelfServicePolicy;
use domain::{Currency, Money, OrganizationId, ProductId};
use persistence::repos::{organization_settings as repo, policies};
use persistence::rows::OrganizationSettingsRow;
use persistence::{write_transaction, DbConnection};

/// Only what is `Some` changes; `Some(None)` clears an optional setting.
#[derive(Debug, Clone, Default)]
pub struct SettingsEdit {
    pub default_policy: Option<SelfServicePolicy>,
    pub license_requests: Option<LicenseRequests>,
    pub license_request_url: Option<Option<String>>,
    /// Amount in minor units and an ISO 4217 code, as sent.
    pub spend_cap: Option<Option<(i64, String)>>,
}

/// The organisation's settings, or every default when no admin set any.
pub fn load(conn: &mut DbConnection, org: OrganizationId) -> Result<OrganizationSettings, Error> {
    match repo::find(conn, org)? {
        Some(row) => Ok(OrganizationSettings::try_from(&row)?),
        None => Ok(OrganizationSettings::default()),
    }
}

/// The policy of one product for new purchases and trials: its own, else
/// the organisation's default (so a product added to the catalog later
/// follows the default from its first day).
pub fn product_policy(
    conn: &mut DbConnection,
    org: OrganizationId,
    product_id: ProductId,
) -> Result<SelfServicePolicy, Error> {
    let own = policies::find(conn, org, product_id)?.map(|p| p.policy);
    Ok(effective_policy(own, load(conn, org)?.default_policy))
}

pub async fn get(services: &Services, caller: &Actor) -> Result<OrganizationSettings, Error> {
    let org = caller.organization_id;
    services.db.read(move |conn| load(conn, org)).await
}

/// Parses the edit before any transaction: a bad value changes nothing.
fn apply(
    current: &OrganizationSettings,
    edit: &SettingsEdit,
) -> Result<OrganizationSettings, Error> {
    let mut next = current.clone();
    if let Some(policy) = edit.default_policy {
        next.default_policy = policy;
    }
    if let Some(switch) = edit.license_requests {
        next.license_requests = switch;
    }
    if let Some(url) = &edit.license_request_url {
        next.license_request_url = url
            .as_deref()
            .map(LicenseRequestUrl::parse)
            .transpose()
            .map_err(|e| Error::invalid_field("license_request_url", e))?;
    }
    if let Some(cap) = &edit.spend_cap {
        next.spend_cap = match cap {
            None => None,
            Some((amount, currency)) => {
                let currency = Currency::parse(currency)
                    .map_err(|e| Error::invalid_field("spend_cap.currency", e))?;
                Some(
                    SpendCap::parse(Money::new(*amount, currency))
                        .map_err(|e: SpendCapError| Error::invalid_field("spend_cap.amount", e))?,
                )
            }
        };
    }
    Ok(next)
}

fn summary(s: &OrganizationSettings) -> serde_json::Value {
    serde_json::json!({
        "default_self_service_policy": s.default_policy.as_str(),
        "license_requests": s.license_requests.as_str(),
        "license_request_url": s.license_request_url.as_ref().map(|u| u.as_str()),
        "spend_cap": s.spend_cap.map(|c| serde_json::json!({
            "amount": c.money().amount(), "currency": c.currency().as_str()
        })),
    })
}

/// Applies an admin's edit. Two admins editing different fields at once
/// both land: the row is locked before it is read.
pub async fn update(
    services: &Services,
    caller: &Actor,
    edit: SettingsEdit,
) -> Result<OrganizationSettings, Error> {
    caller.require_admin()?;
    let now = services.clock.now();
    let caller = caller.clone();
    services
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let org = caller.organization_id;
                let row = |settings: &OrganizationSettings| {
                    OrganizationSettingsRow::new(org, settings, 1, caller.user_id, now.naive_utc())
                };
                repo::insert_if_absent(conn, &row(&OrganizationSettings::default()))?;
                repo::lock(conn, org)?;
                let before = load(conn, org)?;
                let after = apply(&before, &edit)?;
                if after != before {
                    repo::update(conn, &row(&after))?;
                    audit::record(
                        conn,
                        Change {
                            action: AuditAction::OrganizationSettingsChanged,
                            target_type: "organization",
                            target_id: org.to_string(),
                            subscription_id: None,
                            before: Some(summary(&before)),
                            after: Some(summary(&after)),
                            caller: &caller,
                            at: now,
                        },
                    )?;
                }
                Ok(after)
            })
        })
        .await
}
