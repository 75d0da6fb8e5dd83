//! Organisation settings and license requests (PRODUCT.md §7), and their
//! conversions to and from the domain.

use crate::error::RepoError;
use crate::schema::{license_request_users, license_requests, organization_settings};
use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use domain::governance::{
    Decision, LicenseRequest, LicenseRequestParts, LicenseRequestUrl, LicenseRequests,
    OrganizationSettings, RequestMessage, RequestedUser, SpendCap,
};
use domain::{Currency, Money, OrganizationId, UserId};
use std::str::FromStr;

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = organization_settings)]
#[diesel(treat_none_as_null = true)]
pub struct OrganizationSettingsRow {
    pub organization_id: String,
    pub default_policy: String,
    pub license_requests: String,
    pub license_request_url: Option<String>,
    pub spend_cap_amount: Option<i64>,
    pub spend_cap_currency: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

impl OrganizationSettingsRow {
    /// The row that stores `settings` for `organization_id`.
    pub fn new(
        organization_id: OrganizationId,
        settings: &OrganizationSettings,
        version: i64,
        updated_by: UserId,
        updated_at: NaiveDateTime,
    ) -> Self {
        let cap = settings.spend_cap.map(|cap| cap.money());
        Self {
            organization_id: organization_id.to_string(),
            default_policy: settings.default_policy.as_str().to_owned(),
            license_requests: settings.license_requests.as_str().to_owned(),
            license_request_url: settings
                .license_request_url
                .as_ref()
                .map(|u| u.as_str().to_owned()),
            spend_cap_amount: cap.map(|m| m.amount()),
            spend_cap_currency: cap.map(|m| m.currency().as_str().to_owned()),
            version,
            updated_by: updated_by.to_string(),
            updated_at,
        }
    }
}

fn corrupt(table: &str, id: &str, what: &str) -> RepoError {
    RepoError::corrupt(format!("{table} {id}: stored {what} is invalid"))
}

impl TryFrom<&OrganizationSettingsRow> for OrganizationSettings {
    type Error = RepoError;

    fn try_from(row: &OrganizationSettingsRow) -> Result<Self, RepoError> {
        let bad = |what: &str| corrupt("organization_settings", &row.organization_id, what);
        let spend_cap = match (row.spend_cap_amount, row.spend_cap_currency.as_deref()) {
            (Some(amount), Some(currency)) => {
                let currency = Currency::parse(currency).map_err(|_| bad("spend cap currency"))?;
                Some(SpendCap::parse(Money::new(amount, currency)).map_err(|_| bad("spend cap"))?)
            }
            (None, None) => None,
            _ => return Err(bad("spend cap")),
        };
        Ok(OrganizationSettings {
            default_policy: row
                .default_policy
                .parse()
                .map_err(|_| bad("default policy"))?,
            license_requests: LicenseRequests::from_str(&row.license_requests)
                .map_err(|_| bad("license_requests"))?,
            license_request_url: row
                .license_request_url
                .as_deref()
                .map(LicenseRequestUrl::parse)
                .transpose()
                .map_err(|_| bad("license_request_url"))?,
            spend_cap,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = license_requests)]
pub struct LicenseRequestRow {
    pub id: String,
    pub organization_id: String,
    pub requester_id: String,
    pub product_id: String,
    pub status: String,
    pub message: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_subscription_id: Option<String>,
    pub decision_message: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = license_request_users)]
pub struct LicenseRequestUserRow {
    pub request_id: String,
    pub user_id: String,
    pub position: i32,
    pub outcome: String,
}

/// A request and its users as stored (users in any order; `position` orders them).
pub struct StoredLicenseRequest {
    pub request: LicenseRequestRow,
    pub users: Vec<LicenseRequestUserRow>,
}

impl From<&LicenseRequest> for StoredLicenseRequest {
    fn from(r: &LicenseRequest) -> Self {
        let id = r.id().to_string();
        let decision = r.decision();
        Self {
            request: LicenseRequestRow {
                id: id.clone(),
                organization_id: r.organization_id().to_string(),
                requester_id: r.requester_id().to_string(),
                product_id: r.product_id().to_string(),
                status: r.status().as_str().to_owned(),
                message: r.message().map(|m| m.as_str().to_owned()),
                decided_by: decision.map(|d| d.decided_by.to_string()),
                decided_at: decision.map(|d| d.decided_at.naive_utc()),
                decision_subscription_id: decision
                    .and_then(|d| d.subscription_id)
                    .map(|s| s.to_string()),
                decision_message: decision
                    .and_then(|d| d.message.as_ref())
                    .map(|m| m.as_str().to_owned()),
                created_at: r.created_at().naive_utc(),
            },
            users: r
                .users()
                .iter()
                .zip(0..)
                .map(|(u, position)| LicenseRequestUserRow {
                    request_id: id.clone(),
                    user_id: u.user_id.to_string(),
                    position,
                    outcome: u.outcome.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

impl TryFrom<StoredLicenseRequest> for LicenseRequest {
    type Error = RepoError;

    fn try_from(stored: StoredLicenseRequest) -> Result<Self, RepoError> {
        let row = &stored.request;
        let bad = |what: &str| corrupt("license_requests", &row.id, what);
        let id = |text: &str, what: &str| uuid::Uuid::parse_str(text).map_err(|_| bad(what));
        let message = |text: Option<&str>, what: &str| {
            RequestMessage::parse_optional(text).map_err(|_| bad(what))
        };
        let mut users = stored.users;
        users.sort_by_key(|u| u.position);
        let users = users
            .iter()
            .map(|u| {
                Ok(RequestedUser {
                    user_id: id(&u.user_id, "user id")?.into(),
                    outcome: u.outcome.parse().map_err(|_| bad("user outcome"))?,
                })
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
        let decision = match (&row.decided_by, row.decided_at) {
            (Some(by), Some(at)) => Some(Decision {
                decided_by: id(by, "decided_by")?.into(),
                decided_at: Utc.from_utc_datetime(&at),
                subscription_id: row
                    .decision_subscription_id
                    .as_deref()
                    .map(|s| id(s, "decision subscription").map(Into::into))
                    .transpose()?,
                message: message(row.decision_message.as_deref(), "decision message")?,
            }),
            (None, None) => None,
            _ => return Err(bad("decision")),
        };
        LicenseRequest::restore(LicenseRequestParts {
            id: id(&row.id, "id")?.into(),
            organization_id: id(&row.organization_id, "organization id")?.into(),
            requester_id: id(&row.requester_id, "requester id")?.into(),
            product_id: id(&row.product_id, "product id")?.into(),
            users,
            message: message(row.message.as_deref(), "message")?,
            status: row.status.parse().map_err(|_| bad("status"))?,
            created_at: Utc.from_utc_datetime(&row.created_at),
            decision,
        })
        .map_err(|e| bad(&e.to_string()))
    }
}
