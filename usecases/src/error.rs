//! The use cases' one error type. Grouped by what the caller can do about it
//! (not found, not allowed, conflicting with the current services, invalid
//! input, a failed precondition, try again later); each group names the
//! exact case and carries its data, so the API maps it by variant alone.

use domain::assignment::BatchError;
use domain::card::CardError;
use domain::policy::PolicyRefusal;
use domain::subscription::QuoteMismatch;
use domain::{Currency, Money};
use persistence::RepoError;
use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum Error {
    /// The named resource does not exist for this caller (another
    /// organisation's or another member's ids answer the same).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Precondition(#[from] Precondition),
    /// The database cannot be reached right now; retrying later may work.
    #[error("the database is unavailable; retry shortly")]
    Unavailable,
    /// A storage error with no answer of its own (a constraint, a lost race,
    /// corrupt data), kept typed so use cases can match on it.
    #[error("{0}")]
    Storage(RepoError),
    /// A broken invariant: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The caller may not do this.
#[derive(Debug, Error)]
pub enum Forbidden {
    #[error("only organisation admins may do this")]
    AdminOnly,
    #[error("admins can read, but not change, another member's self-service purchase")]
    AdminReadOnly,
    #[error("{0}")]
    Policy(PolicyRefusal),
    /// The charge would take the purchaser's net charges this month above
    /// the organisation's cap (PRODUCT.md §7).
    #[error("this charge of {requested} would take your spending this month ({spent}) above the organisation's cap of {cap}", requested = .requested.to_decimal(), spent = .spent.to_decimal(), cap = .cap.to_decimal())]
    SpendCapExceeded {
        cap: Money,
        spent: Money,
        requested: Money,
    },
    /// A cap in one currency cannot judge a charge in another.
    #[error("the organisation's spend cap is in {cap}; a charge in {charge} cannot be measured against it")]
    SpendCapCurrency { cap: Currency, charge: Currency },
    #[error("license requests are turned off in this organisation")]
    LicenseRequestsDisabled,
    #[error("this organisation handles license requests at {url}")]
    LicenseRequestsExternal { url: String },
}

/// The request is valid but the current services refuses it.
#[derive(Debug, Error)]
pub enum Conflict {
    #[error("a member with this e-mail address already exists")]
    EmailTaken,
    #[error("this card is already one of your payment methods")]
    DuplicatePaymentMethod { existing_id: String },
    #[error("the payment method is the default of a billing profile with active subscriptions; replace it there first")]
    PaymentMethodInUse,
    #[error("you already have an active trial of this product")]
    TrialAlreadyActive,
    #[error("{assigned} licenses are assigned; unassign {excess} before lowering the total to {requested}")]
    LicensesInUse {
        assigned: i64,
        requested: i64,
        excess: i64,
    },
    #[error("the subscription is {status}; only active and trial subscriptions can do this")]
    SubscriptionNotActive { status: String },
    #[error("the subscription is already canceled")]
    AlreadyCanceled,
    /// Deleted 90 days after it was disabled (PRODUCT.md §8): read-only for good.
    #[error("the subscription was deleted and can no longer change; buy a new one")]
    SubscriptionDeleted,
    /// Only an expired or disabled paid subscription can be reactivated.
    #[error("the subscription is {status}; only expired or disabled paid subscriptions can be reactivated")]
    NotReactivatable { status: String },
    /// Reactivation charges the subscription's card, and it has none left.
    #[error("the subscription's payment method was removed; set a default payment method on its billing profile, then try again")]
    PaymentMethodRequired,
    #[error("only trial subscriptions can be converted")]
    NotATrial,
    #[error("{requested} licenses requested but only {available} are available")]
    NotEnoughLicenses { available: i64, requested: i64 },
    #[error("you already have a pending request for this product")]
    LicenseRequestPending { existing_id: String },
    #[error("this license request was already decided ({status})")]
    LicenseRequestDecided { status: String },
    /// Taking control applies to members' self-service purchases only.
    #[error("this is an organisation subscription; only self-service purchases can be taken over")]
    NotSelfService,
    /// A binding quote past its 15 minutes (PRODUCT.md §9).
    #[error("the quote expired at {expires_at}; ask for a new one")]
    QuoteExpired {
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// A binding quote for another subscription, another count, or a
    /// subscription that changed since it was priced.
    #[error("{0}")]
    QuoteMismatch(QuoteMismatch),
}

/// The input is wrong; `field` or `parameter` names where.
#[derive(Debug, Error)]
pub enum Invalid {
    #[error("{detail}")]
    Field { field: String, detail: String },
    #[error("{detail}")]
    Parameter { parameter: String, detail: String },
    #[error("{detail}")]
    DateRange {
        parameter: &'static str,
        detail: String,
    },
    #[error("`{field}` does not name one of your {what}")]
    Reference {
        field: &'static str,
        what: &'static str,
    },
    /// A card field of a new payment method (fields under `card.`).
    #[error("{0}")]
    Card(CardError),
    /// A card field of an edited payment method (top-level fields).
    #[error("{0}")]
    CardEdit(CardError),
    /// A stored card past its expiry month, at the moment it would be charged
    /// or made a profile's default.
    #[error("the card expired at the end of {month:02}/{year}; update its expiry or choose another payment method")]
    CardExpiredAtUse {
        field: &'static str,
        month: u32,
        year: i32,
    },
    #[error("{detail}")]
    LicenseCount { detail: String },
    #[error("this product offers no free trial")]
    TrialNotOffered,
    #[error("a trial of this product is limited to {max} licenses")]
    TrialLicenseLimit { max: u32 },
    /// `field`: the body field holding the users (`user_ids`, or a
    /// purchase's `assign_user_ids`).
    #[error("{error}")]
    Batch {
        field: &'static str,
        error: BatchError,
    },
    #[error("{count} of the users are not members of your organisation")]
    UsersNotInOrganization {
        /// The body field holding the users (`user_ids`, or a purchase's `assign_user_ids`).
        field: &'static str,
        user_ids: Vec<String>,
        count: usize,
    },
    /// The target of a take-over is not a live organisation subscription of
    /// the same product in the organisation.
    #[error("{0}")]
    TargetSubscription(TargetRefusal),
    #[error("only requested users can be approved; {} were not requested", .user_ids.len())]
    UsersNotRequested { user_ids: Vec<String> },
}

/// Why a take-over target was refused; all answer `invalid_target_subscription`.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum TargetRefusal {
    #[error("the target subscription does not exist in your organisation")]
    Missing,
    #[error("{0}")]
    Domain(domain::governance::TargetRefusal),
}

/// Optimistic concurrency: the caller's view of the subscription is missing or old.
#[derive(Debug, Error)]
pub enum Precondition {
    #[error("this operation needs an If-Match header with the subscription's ETag")]
    Required,
    #[error("the subscription changed since you read it; read it again and retry")]
    Failed {
        /// The current ETag, so the client can re-read or retry.
        etag: Option<String>,
    },
}

impl Error {
    pub fn internal(what: impl Into<String>) -> Self {
        Error::Internal(what.into())
    }

    pub fn invalid_field(field: impl Into<String>, detail: impl ToString) -> Self {
        Error::Invalid(Invalid::Field {
            field: field.into(),
            detail: detail.to_string(),
        })
    }

    pub fn invalid_parameter(parameter: impl Into<String>, detail: impl ToString) -> Self {
        Error::Invalid(Invalid::Parameter {
            parameter: parameter.into(),
            detail: detail.to_string(),
        })
    }
}

impl From<RepoError> for Error {
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::Unavailable(_) => Error::Unavailable,
            RepoError::NotFound => Error::internal("row unexpectedly missing"),
            other => Error::Storage(other),
        }
    }
}

impl From<persistence::DbError> for Error {
    fn from(err: persistence::DbError) -> Self {
        RepoError::from(err).into()
    }
}

impl From<PolicyRefusal> for Error {
    fn from(refusal: PolicyRefusal) -> Self {
        Error::Forbidden(Forbidden::Policy(refusal))
    }
}
