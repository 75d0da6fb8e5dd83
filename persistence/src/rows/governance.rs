//! Organisation settings and license requests (PRODUCT.md §7), and their
//! conversions to and from the domain.

use super::Nullable;
use crate::error::RepoError;
use crate::schema::{license_request_users, license_requests, organization_settings};
use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use domain::governance::{
    Decision, LicenseRequest, LicenseRequestParts, LicenseRequestStatus, LicenseRequestUrl,
    LicenseRequests, OrganizationSettings, RequestMessage, RequestedUser, SpendCap, UserOutcome,
};
use domain::ids::LicenseRequestId;
use domain::policy::SelfServicePolicy;
use domain::{Currency, Money, OrganizationId, ProductId, SubscriptionId, UserId};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = organization_settings)]
pub struct OrganizationSettingsRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub default_policy: SelfServicePolicy,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub license_requests: LicenseRequests,
    pub license_request_url: Option<String>,
    pub spend_cap_amount: Option<i64>,
    pub spend_cap_currency: Option<String>,
    pub version: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub updated_by: UserId,
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
            organization_id,
            default_policy: settings.default_policy,
            license_requests: settings.license_requests,
            license_request_url: settings
                .license_request_url
                .as_ref()
                .map(|u| u.as_str().to_owned()),
            spend_cap_amount: cap.map(|m| m.amount()),
            spend_cap_currency: cap.map(|m| m.currency().as_str().to_owned()),
            version,
            updated_by,
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
        let bad = |what: &str| {
            corrupt(
                "organization_settings",
                &row.organization_id.to_string(),
                what,
            )
        };
        let spend_cap = match (row.spend_cap_amount, row.spend_cap_currency.as_deref()) {
            (Some(amount), Some(currency)) => {
                let currency = Currency::parse(currency).map_err(|_| bad("spend cap currency"))?;
                Some(SpendCap::parse(Money::new(amount, currency)).map_err(|_| bad("spend cap"))?)
            }
            (None, None) => None,
            _ => return Err(bad("spend cap")),
        };
        Ok(OrganizationSettings {
            default_policy: row.default_policy,
            license_requests: row.license_requests,
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
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: LicenseRequestId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub requester_id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub product_id: ProductId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: LicenseRequestStatus,
    pub message: Option<String>,
    #[diesel(deserialize_as = Nullable<UserId>, serialize_as = Nullable<UserId>)]
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Nullable<SubscriptionId>, serialize_as = Nullable<SubscriptionId>)]
    pub decision_subscription_id: Option<SubscriptionId>,
    pub decision_message: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = license_request_users)]
pub struct LicenseRequestUserRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub request_id: LicenseRequestId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: UserId,
    pub position: i32,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub outcome: UserOutcome,
}

/// A request and its users as stored (users in any order; `position` orders them).
pub struct StoredLicenseRequest {
    pub request: LicenseRequestRow,
    pub users: Vec<LicenseRequestUserRow>,
}

impl From<&LicenseRequest> for StoredLicenseRequest {
    fn from(r: &LicenseRequest) -> Self {
        let id = r.id();
        let decision = r.decision();
        Self {
            request: LicenseRequestRow {
                id,
                organization_id: r.organization_id(),
                requester_id: r.requester_id(),
                product_id: r.product_id(),
                status: r.status(),
                message: r.message().map(|m| m.as_str().to_owned()),
                decided_by: decision.map(|d| d.decided_by),
                decided_at: decision.map(|d| d.decided_at.naive_utc()),
                decision_subscription_id: decision.and_then(|d| d.subscription_id),
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
                    request_id: id,
                    user_id: u.user_id,
                    position,
                    outcome: u.outcome,
                })
                .collect(),
        }
    }
}

impl TryFrom<StoredLicenseRequest> for LicenseRequest {
    type Error = RepoError;

    fn try_from(stored: StoredLicenseRequest) -> Result<Self, RepoError> {
        let row = stored.request;
        let bad = |what: &str| corrupt("license_requests", &row.id.to_string(), what);
        let message = |text: Option<&str>, what: &str| {
            RequestMessage::parse_optional(text).map_err(|_| bad(what))
        };
        let mut users = stored.users;
        users.sort_by_key(|u| u.position);
        let users = users
            .iter()
            .map(|u| RequestedUser {
                user_id: u.user_id,
                outcome: u.outcome,
            })
            .collect();
        let decision = match (row.decided_by, row.decided_at) {
            (Some(decided_by), Some(at)) => Some(Decision {
                decided_by,
                decided_at: Utc.from_utc_datetime(&at),
                subscription_id: row.decision_subscription_id,
                message: message(row.decision_message.as_deref(), "decision message")?,
            }),
            (None, None) => None,
            _ => return Err(bad("decision")),
        };
        LicenseRequest::restore(LicenseRequestParts {
            id: row.id,
            organization_id: row.organization_id,
            requester_id: row.requester_id,
            product_id: row.product_id,
            users,
            message: message(row.message.as_deref(), "message")?,
            status: row.status,
            created_at: Utc.from_utc_datetime(&row.created_at),
            decision,
        })
        .map_err(|e| bad(&e.to_string()))
    }
}
