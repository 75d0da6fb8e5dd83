//! The API's one error type, rendered as RFC 9457 `application/problem+json`.

pub mod answers;
pub mod handlers;
mod problem;
mod usecase;

pub use problem::Problem;

use crate::auth::AuthError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use domain::card::CardError;
use domain::policy::PolicyRefusal;
use persistence::RepoError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(AuthError),
    #[error("only organisation admins may do this")]
    AdminOnly,
    #[error("admins can read, but not change, another member's self-service purchase")]
    AdminReadOnly,
    #[error("{0}")]
    PolicyRefused(PolicyRefusal),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("no route matches {0}")]
    RouteNotFound(String),
    #[error("method not allowed here; allowed: {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("unknown field `{field}`")]
    UnknownField { field: String },
    #[error("`{field}` appears more than once; send each field once")]
    DuplicateField { field: String },
    #[error("{detail}")]
    InvalidField { field: String, detail: String },
    #[error("{detail}")]
    InvalidParameter { parameter: String, detail: String },
    #[error("a member with this e-mail address already exists")]
    EmailTaken,
    /// A card field of `POST /v1/payment-methods` (fields under `card.`).
    #[error("{0}")]
    Card(CardError),
    /// A card field of `PATCH /v1/payment-methods/{id}` (top-level fields).
    #[error("{0}")]
    CardEdit(CardError),
    /// A stored card past its expiry month, at the moment it would be charged
    /// or made a profile's default (PRODUCT.md §10).
    #[error("the card expired at the end of {month:02}/{year}; update its expiry or choose another payment method")]
    CardExpiredAtUse {
        field: &'static str,
        month: u32,
        year: i32,
    },
    #[error("this card is already one of your payment methods")]
    DuplicatePaymentMethod { existing_id: String },
    #[error("the payment method is the default of a billing profile with active subscriptions; replace it there first")]
    PaymentMethodInUse,
    #[error("`{field}` does not name one of your {what}")]
    InvalidReference {
        field: &'static str,
        what: &'static str,
    },
    #[error("{detail}")]
    InvalidLicenseCount { detail: String },
    #[error("this product offers no free trial")]
    TrialNotOffered,
    #[error("a trial of this product is limited to {max} licenses")]
    TrialLicenseLimit { max: u32 },
    #[error("you already have an active trial of this product")]
    TrialAlreadyActive,
    #[error("this operation needs an If-Match header with the subscription's ETag")]
    PreconditionRequired,
    #[error("the subscription changed since you read it; read it again and retry")]
    PreconditionFailed {
        /// The subscription's current ETag, sent back so the client can re-read or retry.
        etag: Option<String>,
    },
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
    #[error("only trial subscriptions can be converted")]
    NotATrial,
    #[error("{requested} licenses requested but only {available} are available")]
    NotEnoughLicenses { available: i64, requested: i64 },
    #[error("the quote expired at {expires_at}; ask for a new one")]
    QuoteExpired {
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    #[error("{0}")]
    QuoteMismatch(domain::subscription::QuoteMismatch),
    #[error("{0}")]
    Batch(domain::assignment::BatchError),
    #[error("{count} of the users are not members of your organisation")]
    UsersNotInOrganization { user_ids: Vec<String>, count: usize },
    #[error("{detail}")]
    InvalidDateRange {
        parameter: &'static str,
        detail: String,
    },
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still in progress; retry shortly")]
    IdempotencyInProgress,
    #[error("the database is unavailable; retry shortly")]
    DatabaseUnavailable,
    #[error("too many requests; retry after {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("the URL exceeds {limit} bytes")]
    UriTooLong { limit: usize },
    #[error("the request headers exceed {limit} bytes")]
    HeadersTooLarge { limit: usize },
    #[error("{0}")]
    CorsRefused(String),
    /// Never shown to the client: logged with the request id.
    #[error("internal error")]
    Internal(String),
    /// A storage error with no answer of its own (a constraint, a lost race,
    /// corrupt data): kept typed so use cases can match on it, answered like
    /// `Internal` (500, logged, never shown).
    #[error("{0}")]
    Storage(RepoError),
}

impl ApiError {
    pub fn internal(what: impl Into<String>) -> Self {
        ApiError::Internal(what.into())
    }

    pub fn invalid_field(field: impl Into<String>, detail: impl ToString) -> Self {
        ApiError::InvalidField {
            field: field.into(),
            detail: detail.to_string(),
        }
    }

    pub fn invalid_parameter(parameter: impl Into<String>, detail: impl ToString) -> Self {
        ApiError::InvalidParameter {
            parameter: parameter.into(),
            detail: detail.to_string(),
        }
    }

    /// Stable code, status and title: the contract of every error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::AdminOnly => "admin_only",
            ApiError::AdminReadOnly => "admin_read_only",
            ApiError::PolicyRefused(PolicyRefusal::SelfServiceDisabled) => "self_service_disabled",
            ApiError::PolicyRefused(PolicyRefusal::TrialsOnly) => "trials_only",
            ApiError::NotFound(_) => "not_found",
            ApiError::RouteNotFound(_) => "route_not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::DuplicateField { .. } => "duplicate_field",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::InvalidParameter { .. } => "invalid_parameter",
            ApiError::EmailTaken => "email_taken",
            ApiError::Card(e) | ApiError::CardEdit(e) => card_code(e),
            ApiError::CardExpiredAtUse { .. } => "card_expired",
            ApiError::DuplicatePaymentMethod { .. } => "duplicate_payment_method",
            ApiError::PaymentMethodInUse => "payment_method_in_use",
            ApiError::InvalidReference { .. } => "invalid_reference",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::InvalidDateRange { .. } => "invalid_date_range",
            ApiError::InvalidLicenseCount { .. } => "invalid_license_count",
            ApiError::TrialNotOffered => "trial_not_offered",
            ApiError::TrialLicenseLimit { .. } => "trial_license_limit",
            ApiError::TrialAlreadyActive => "trial_already_active",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::PreconditionFailed { .. } => "precondition_failed",
            ApiError::LicensesInUse { .. } => "licenses_in_use",
            ApiError::SubscriptionNotActive { .. } => "subscription_not_active",
            ApiError::AlreadyCanceled => "already_canceled",
            ApiError::NotATrial => "not_a_trial",
            ApiError::NotEnoughLicenses { .. } => "not_enough_licenses",
            ApiError::QuoteExpired { .. } => "quote_expired",
            ApiError::QuoteMismatch(_) => "quote_mismatch",
            ApiError::UsersNotInOrganization { .. } => "users_not_in_organization",
            ApiError::Batch(domain::assignment::BatchError::Empty) => "no_users",
            ApiError::Batch(domain::assignment::BatchError::TooMany { .. }) => "too_many_users",
            ApiError::Batch(domain::assignment::BatchError::Duplicates(_)) => "duplicate_user_ids",
            ApiError::IdempotencyInProgress => "idempotency_request_in_progress",
            ApiError::DatabaseUnavailable => "database_unavailable",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::UriTooLong { .. } => "uri_too_long",
            ApiError::HeadersTooLarge { .. } => "request_header_too_large",
            ApiError::CorsRefused(_) => "cors_refused",
            ApiError::Internal(_) | ApiError::Storage(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::AdminOnly => "Admins only",
            ApiError::AdminReadOnly => "Read-only for admins",
            ApiError::PolicyRefused(_) => "Blocked by the self-service policy",
            ApiError::NotFound(_) | ApiError::RouteNotFound(_) => "Not found",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::MalformedJson(_) => "Malformed JSON",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::PayloadTooLarge { .. } => "Payload too large",
            ApiError::UnknownField { .. }
            | ApiError::DuplicateField { .. }
            | ApiError::InvalidField { .. } => "Invalid request body",
            ApiError::InvalidParameter { .. } => "Invalid parameter",
            ApiError::EmailTaken => "E-mail address taken",
            ApiError::Card(_) | ApiError::CardEdit(_) => "Card declined by validation",
            ApiError::CardExpiredAtUse { .. } => "Card expired",
            ApiError::DuplicatePaymentMethod { .. } => "Duplicate payment method",
            ApiError::PaymentMethodInUse => "Payment method in use",
            ApiError::InvalidReference { .. } => "Invalid reference",
            ApiError::IdempotencyKeyReused => "Idempotency key reused",
            ApiError::InvalidDateRange { .. } => "Invalid date range",
            ApiError::InvalidLicenseCount { .. } => "Invalid license count",
            ApiError::TrialNotOffered | ApiError::TrialLicenseLimit { .. } => "Trial not possible",
            ApiError::TrialAlreadyActive => "Trial already active",
            ApiError::PreconditionRequired => "Precondition required",
            ApiError::PreconditionFailed { .. } => "Precondition failed",
            ApiError::LicensesInUse { .. } => "Licenses in use",
            ApiError::SubscriptionNotActive { .. } => "Subscription not active",
            ApiError::AlreadyCanceled => "Already canceled",
            ApiError::NotATrial => "Not a trial",
            ApiError::NotEnoughLicenses { .. } => "Not enough licenses",
            ApiError::QuoteExpired { .. } => "Quote expired",
            ApiError::QuoteMismatch(_) => "Quote does not match",
            ApiError::UsersNotInOrganization { .. } => "Users not in organization",
            ApiError::Batch(_) => "Invalid user batch",
            ApiError::IdempotencyInProgress => "Request in progress",
            ApiError::DatabaseUnavailable => "Service unavailable",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::UriTooLong { .. } => "URI too long",
            ApiError::HeadersTooLarge { .. } => "Request headers too large",
            ApiError::CorsRefused(_) => "Cross-origin request refused",
            ApiError::Internal(_) | ApiError::Storage(_) => "Internal server error",
        }
    }

    fn problem(&self) -> Problem {
        let mut problem =
            Problem::new(self.status_code(), self.code(), self.title(), self.detail());
        match self {
            ApiError::UnknownField { field }
            | ApiError::DuplicateField { field }
            | ApiError::InvalidField { field, .. } => problem.field = Some(field.clone()),
            ApiError::InvalidParameter { parameter, .. } => {
                problem.parameter = Some(parameter.clone())
            }
            ApiError::MethodNotAllowed(allow) => problem.allow = Some(allow.clone()),
            ApiError::Card(e) => problem.field = Some(e.field().to_owned()),
            ApiError::CardEdit(e) => {
                problem.field = Some(e.field().trim_start_matches("card.").to_owned())
            }
            ApiError::InvalidReference { field, .. } | ApiError::CardExpiredAtUse { field, .. } => {
                problem.field = Some((*field).to_owned())
            }
            ApiError::DuplicatePaymentMethod { existing_id } => {
                problem.existing_id = Some(existing_id.clone())
            }
            ApiError::InvalidDateRange { parameter, .. } => {
                problem.parameter = Some((*parameter).to_owned())
            }
            ApiError::InvalidLicenseCount { .. } | ApiError::TrialLicenseLimit { .. } => {
                problem.field = Some("license_count".to_owned())
            }
            ApiError::QuoteExpired { .. } | ApiError::QuoteMismatch(_) => {
                problem.field = Some("quote_id".to_owned())
            }
            ApiError::LicensesInUse { assigned, .. } => problem.assigned_count = Some(*assigned),
            ApiError::NotEnoughLicenses {
                available,
                requested,
            } => {
                problem.available = Some(*available);
                problem.requested = Some(*requested);
            }
            ApiError::Batch(e) => {
                problem.field = Some("user_ids".to_owned());
                if let domain::assignment::BatchError::Duplicates(ids) = e {
                    problem.user_ids = Some(ids.iter().map(ToString::to_string).collect());
                }
            }
            ApiError::UsersNotInOrganization { user_ids, .. } => {
                problem.user_ids = Some(user_ids.clone());
                problem.field = Some("user_ids".to_owned());
            }
            // The rest carry no extension members.
            _ => {}
        }
        problem
    }

    fn detail(&self) -> String {
        match self {
            // Internals go to the log, never to the client.
            ApiError::Internal(_) | ApiError::Storage(_) => {
                "an unexpected error occurred; quote the request id when reporting it".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::AdminOnly | ApiError::AdminReadOnly | ApiError::PolicyRefused(_) => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound(_) | ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnknownField { .. }
            | ApiError::DuplicateField { .. }
            | ApiError::InvalidField { .. }
            | ApiError::InvalidParameter { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Card(_)
            | ApiError::CardEdit(_)
            | ApiError::CardExpiredAtUse { .. }
            | ApiError::InvalidReference { .. }
            | ApiError::IdempotencyKeyReused
            | ApiError::InvalidDateRange { .. }
            | ApiError::InvalidLicenseCount { .. }
            | ApiError::TrialNotOffered
            | ApiError::TrialLicenseLimit { .. }
            | ApiError::UsersNotInOrganization { .. }
            | ApiError::Batch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::TrialAlreadyActive
            | ApiError::LicensesInUse { .. }
            | ApiError::SubscriptionNotActive { .. }
            | ApiError::AlreadyCanceled
            | ApiError::NotATrial
            | ApiError::NotEnoughLicenses { .. }
            | ApiError::QuoteExpired { .. }
            | ApiError::QuoteMismatch(_) => StatusCode::CONFLICT,
            ApiError::EmailTaken
            | ApiError::DuplicatePaymentMethod { .. }
            | ApiError::PaymentMethodInUse
            | ApiError::IdempotencyInProgress => StatusCode::CONFLICT,
            ApiError::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::CorsRefused(_) => StatusCode::FORBIDDEN,
            ApiError::Internal(_) | ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut problem = self.problem();
        problem.request_id = crate::middleware::request_id::current();
        match self {
            ApiError::Internal(what) => {
                tracing::error!(request_id = ?problem.request_id, error = %what, "internal error")
            }
            ApiError::Storage(what) => {
                tracing::error!(request_id = ?problem.request_id, error = %what, "internal error")
            }
            ApiError::DatabaseUnavailable => {
                tracing::warn!(request_id = ?problem.request_id, "database unavailable")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::DatabaseUnavailable => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::PreconditionFailed { etag: Some(etag) } => {
                response.insert_header((header::ETAG, etag.as_str()));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.json(problem)
    }
}

fn card_code(e: &CardError) -> &'static str {
    match e {
        CardError::NumberInvalid => "card_number_invalid",
        CardError::BrandUnsupported => "card_brand_unsupported",
        CardError::Expired => "card_expired",
        CardError::ExpiryInvalid | CardError::ExpiryYearInvalid => "card_expiry_invalid",
        CardError::CvcInvalid => "cvc_invalid",
        CardError::HolderNameInvalid => "holder_name_invalid",
    }
}

impl From<RepoError> for ApiError {
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::Unavailable(_) => ApiError::DatabaseUnavailable,
            RepoError::NotFound => ApiError::internal("row unexpectedly missing"),
            other => ApiError::Storage(other),
        }
    }
}

impl From<persistence::DbError> for ApiError {
    fn from(err: persistence::DbError) -> Self {
        RepoError::from(err).into()
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError::internal("blocking pool is gone")
    }
}
