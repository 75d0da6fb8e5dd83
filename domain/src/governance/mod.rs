//! How an organisation's admins govern self-service (PRODUCT.md §7): the
//! policy every product falls back to, the organisation's settings, the
//! monthly spend cap per purchaser, license requests, and taking control of
//! a member's purchase.
//!
//! Like the rest of the domain these are pure decisions: the use case loads
//! the facts (stored settings, this month's charges, who holds which
//! license), asks here, and stores the answer in its own transaction.

mod access;
mod effective_policy;
mod license_request;
mod request_message;
mod settings;
mod spend_cap;
mod take_control;

pub use access::{may_buy, subscription_access, Access, Viewer};
pub use effective_policy::{check_purchase, check_trial, effective_policy};
pub use license_request::{
    purge_cutoff, DecideError, Decision, InvalidRequestStatus, LicenseRequest, LicenseRequestParts,
    LicenseRequestStatus, RequestedUser, RestoreError, UserOutcome, PURGE_AFTER_MONTHS,
};
pub use request_message::{MessageError, RequestMessage};
pub use settings::{
    InvalidLicenseRequests, LicenseRequestRefusal, LicenseRequestUrl, LicenseRequests,
    OrganizationSettings, UrlError,
};
pub use spend_cap::{calendar_month, check_spend, SpendCap, SpendCapError, SpendRefusal};
pub use take_control::{
    check_source, check_target, plan_move, MovePlan, NotEnoughLicenses, SourceRefusal, TargetFacts,
    TargetRefusal,
};
