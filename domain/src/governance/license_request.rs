//! A member's request for licenses, and an admin's decision on it.
//!
//! # States
//!
//! ```text
//! pending ──approve(all)────► approved
//!    │    ──approve(subset)─► partially_approved   (the rest denied)
//!    └────deny──────────────► denied
//! ```
//!
//! A request is decided once: deciding a decided request is an error, so
//! two admins answering at once cannot both assign (the use case also makes
//! the write conditional on `pending`). Each requested user carries their own
//! outcome, so a partial approval says who got a license and who did not.

use crate::assignment::AssignmentBatch;
use crate::governance::RequestMessage;
use crate::ids::{LicenseRequestId, OrganizationId, ProductId, SubscriptionId, UserId};
use chrono::{DateTime, Months, Utc};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Requests are kept a year after they were filed, then purged (by the
/// billing run), decided or not.
pub const PURGE_AFTER_MONTHS: u32 = 12;

/// Requests filed before this instant are purged: 12 calendar months before
/// `now`, at the same time of day (from 29 February, the 28th of February a
/// year earlier: the day is clamped to the shorter month).
pub fn purge_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(PURGE_AFTER_MONTHS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LicenseRequestStatus {
    Pending,
    Approved,
    PartiallyApproved,
    Denied,
}

impl LicenseRequestStatus {
    pub const ALL: [LicenseRequestStatus; 4] = [
        LicenseRequestStatus::Pending,
        LicenseRequestStatus::Approved,
        LicenseRequestStatus::PartiallyApproved,
        LicenseRequestStatus::Denied,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LicenseRequestStatus::Pending => "pending",
            LicenseRequestStatus::Approved => "approved",
            LicenseRequestStatus::PartiallyApproved => "partially_approved",
            LicenseRequestStatus::Denied => "denied",
        }
    }

    pub fn is_decided(&self) -> bool {
        !matches!(self, LicenseRequestStatus::Pending)
    }
}

impl fmt::Display for LicenseRequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("status must be `pending`, `approved`, `partially_approved` or `denied`, got {0:?}")]
pub struct InvalidRequestStatus(pub String);

impl FromStr for LicenseRequestStatus {
    type Err = InvalidRequestStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LicenseRequestStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| InvalidRequestStatus(s.to_owned()))
    }
}

/// What the decision meant for one requested user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserOutcome {
    Pending,
    Approved,
    Denied,
}

impl UserOutcome {
    pub const ALL: [UserOutcome; 3] = [
        UserOutcome::Pending,
        UserOutcome::Approved,
        UserOutcome::Denied,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            UserOutcome::Pending => "pending",
            UserOutcome::Approved => "approved",
            UserOutcome::Denied => "denied",
        }
    }
}

impl FromStr for UserOutcome {
    type Err = InvalidRequestStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
            .ok_or_else(|| InvalidRequestStatus(s.to_owned()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestedUser {
    pub user_id: UserId,
    pub outcome: UserOutcome,
}

/// Who decided, when, from which subscription (approvals only), and what
/// they told the requester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub decided_by: UserId,
    pub decided_at: DateTime<Utc>,
    pub subscription_id: Option<SubscriptionId>,
    pub message: Option<RequestMessage>,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum DecideError {
    #[error("this request was already decided ({status})")]
    AlreadyDecided { status: LicenseRequestStatus },
    #[error("only requested users can be approved; not requested: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    NotRequested(Vec<UserId>),
}

/// A stored request that breaks the rules above: the row is corrupt.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum RestoreError {
    #[error("a request names 1 to 20 distinct users")]
    Users,
    #[error("status {status} does not match the users' outcomes or the decision")]
    Inconsistent { status: LicenseRequestStatus },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseRequest {
    id: LicenseRequestId,
    organization_id: OrganizationId,
    requester_id: UserId,
    product_id: ProductId,
    users: Vec<RequestedUser>,
    message: Option<RequestMessage>,
    status: LicenseRequestStatus,
    created_at: DateTime<Utc>,
    decision: Option<Decision>,
}

/// Every field of a stored request, for [`LicenseRequest::restore`].
pub struct LicenseRequestParts {
    pub id: LicenseRequestId,
    pub organization_id: OrganizationId,
    pub requester_id: UserId,
    pub product_id: ProductId,
    pub users: Vec<RequestedUser>,
    pub message: Option<RequestMessage>,
    pub status: LicenseRequestStatus,
    pub created_at: DateTime<Utc>,
    pub decision: Option<Decision>,
}

impl LicenseRequest {
    /// A new, pending request for `users` (1–20 distinct members, which the
    /// batch type guarantees).
    pub fn file(
        id: LicenseRequestId,
        organization_id: OrganizationId,
        requester_id: UserId,
        product_id: ProductId,
        users: &AssignmentBatch,
        message: Option<RequestMessage>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            organization_id,
            requester_id,
            product_id,
            users: users
                .users()
                .iter()
                .map(|&user_id| RequestedUser {
                    user_id,
                    outcome: UserOutcome::Pending,
                })
                .collect(),
            message,
            status: LicenseRequestStatus::Pending,
            created_at: now,
            decision: None,
        }
    }

    /// A stored request, checked: its users and status must agree.
    pub fn restore(parts: LicenseRequestParts) -> Result<Self, RestoreError> {
        let ids: Vec<UserId> = parts.users.iter().map(|u| u.user_id).collect();
        AssignmentBatch::parse(ids).map_err(|_| RestoreError::Users)?;
        let count = |o: UserOutcome| parts.users.iter().filter(|u| u.outcome == o).count();
        let (pending, approved, denied) = (
            count(UserOutcome::Pending),
            count(UserOutcome::Approved),
            count(UserOutcome::Denied),
        );
        let all = parts.users.len();
        let consistent = match parts.status {
            LicenseRequestStatus::Pending => pending == all && parts.decision.is_none(),
            LicenseRequestStatus::Approved => approved == all,
            LicenseRequestStatus::PartiallyApproved => pending == 0 && approved > 0 && denied > 0,
            LicenseRequestStatus::Denied => denied == all,
        } && (parts.status.is_decided() == parts.decision.is_some());
        if !consistent {
            return Err(RestoreError::Inconsistent {
                status: parts.status,
            });
        }
        Ok(Self {
            id: parts.id,
            organization_id: parts.organization_id,
            requester_id: parts.requester_id,
            product_id: parts.product_id,
            users: parts.users,
            message: parts.message,
            status: parts.status,
            created_at: parts.created_at,
            decision: parts.decision,
        })
    }

    /// Approves `subset` (default: every requested user) with licenses from
    /// `subscription`; the users left out are denied. Answers the users who
    /// now need a license. On error nothing changes.
    pub fn approve(
        &mut self,
        subset: Option<&AssignmentBatch>,
        subscription_id: SubscriptionId,
        decided_by: UserId,
        message: Option<RequestMessage>,
        now: DateTime<Utc>,
    ) -> Result<Vec<UserId>, DecideError> {
        self.require_pending()?;
        let approved: HashSet<UserId> = match subset {
            None => self.users.iter().map(|u| u.user_id).collect(),
            Some(batch) => {
                let requested: HashSet<UserId> = self.users.iter().map(|u| u.user_id).collect();
                let mut strangers: Vec<UserId> = batch
                    .users()
                    .iter()
                    .copied()
                    .filter(|u| !requested.contains(u))
                    .collect();
                if !strangers.is_empty() {
                    strangers.sort();
                    return Err(DecideError::NotRequested(strangers));
                }
                batch.users().iter().copied().collect()
            }
        };
        for user in &mut self.users {
            user.outcome = if approved.contains(&user.user_id) {
                UserOutcome::Approved
            } else {
                UserOutcome::Denied
            };
        }
        self.status = if approved.len() == self.users.len() {
            LicenseRequestStatus::Approved
        } else {
            LicenseRequestStatus::PartiallyApproved
        };
        self.decision = Some(Decision {
            decided_by,
            decided_at: now,
            subscription_id: Some(subscription_id),
            message,
        });
        // In the order the requester listed them: the assignment is then
        // the same whatever order the admin's subset came in.
        Ok(self.approved_users())
    }

    /// Denies every requested user.
    pub fn deny(
        &mut self,
        decided_by: UserId,
        message: Option<RequestMessage>,
        now: DateTime<Utc>,
    ) -> Result<(), DecideError> {
        self.require_pending()?;
        for user in &mut self.users {
            user.outcome = UserOutcome::Denied;
        }
        self.status = LicenseRequestStatus::Denied;
        self.decision = Some(Decision {
            decided_by,
            decided_at: now,
            subscription_id: None,
            message,
        });
        Ok(())
    }

    fn require_pending(&self) -> Result<(), DecideError> {
        if self.status.is_decided() {
            return Err(DecideError::AlreadyDecided {
                status: self.status,
            });
        }
        Ok(())
    }

    pub fn approved_users(&self) -> Vec<UserId> {
        self.users
            .iter()
            .filter(|u| u.outcome == UserOutcome::Approved)
            .map(|u| u.user_id)
            .collect()
    }

    pub fn id(&self) -> LicenseRequestId {
        self.id
    }
    pub fn organization_id(&self) -> OrganizationId {
        self.organization_id
    }
    pub fn requester_id(&self) -> UserId {
        self.requester_id
    }
    pub fn product_id(&self) -> ProductId {
        self.product_id
    }
    pub fn users(&self) -> &[RequestedUser] {
        &self.users
    }
    pub fn message(&self) -> Option<&RequestMessage> {
        self.message.as_ref()
    }
    pub fn status(&self) -> LicenseRequestStatus {
        self.status
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }
}

#[cfg(test)]
#[path = "license_request_tests.rs"]
mod tests;
