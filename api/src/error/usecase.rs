//! The one table from the use cases' errors to the API's: each case by
//! variant, so a use case's refusal always becomes the same problem+json.

use super::ApiError;
use usecases::{Conflict, Error, Forbidden, Invalid, Precondition};

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        match err {
            Error::NotFound(what) => ApiError::NotFound(what),
            Error::Forbidden(f) => match f {
                Forbidden::AdminOnly => ApiError::AdminOnly,
                Forbidden::AdminReadOnly => ApiError::AdminReadOnly,
                Forbidden::Policy(refusal) => ApiError::PolicyRefused(refusal),
            },
            Error::Conflict(c) => match c {
                Conflict::EmailTaken => ApiError::EmailTaken,
                Conflict::DuplicatePaymentMethod { existing_id } => {
                    ApiError::DuplicatePaymentMethod { existing_id }
                }
                Conflict::PaymentMethodInUse => ApiError::PaymentMethodInUse,
                Conflict::TrialAlreadyActive => ApiError::TrialAlreadyActive,
                Conflict::LicensesInUse {
                    assigned,
                    requested,
                    excess,
                } => ApiError::LicensesInUse {
                    assigned,
                    requested,
                    excess,
                },
                Conflict::SubscriptionNotActive { status } => {
                    ApiError::SubscriptionNotActive { status }
                }
                Conflict::AlreadyCanceled => ApiError::AlreadyCanceled,
                Conflict::NotATrial => ApiError::NotATrial,
                Conflict::NotEnoughLicenses {
                    available,
                    requested,
                } => ApiError::NotEnoughLicenses {
                    available,
                    requested,
                },
                Conflict::QuoteExpired { expires_at } => ApiError::QuoteExpired { expires_at },
                Conflict::QuoteMismatch(why) => ApiError::QuoteMismatch(why),
            },
            Error::Invalid(i) => match i {
                Invalid::Field { field, detail } => ApiError::InvalidField { field, detail },
                Invalid::Parameter { parameter, detail } => {
                    ApiError::InvalidParameter { parameter, detail }
                }
                Invalid::DateRange { parameter, detail } => {
                    ApiError::InvalidDateRange { parameter, detail }
                }
                Invalid::Reference { field, what } => ApiError::InvalidReference { field, what },
                Invalid::Card(e) => ApiError::Card(e),
                Invalid::CardEdit(e) => ApiError::CardEdit(e),
                Invalid::CardExpiredAtUse { field, month, year } => {
                    ApiError::CardExpiredAtUse { field, month, year }
                }
                Invalid::LicenseCount { detail } => ApiError::InvalidLicenseCount { detail },
                Invalid::TrialNotOffered => ApiError::TrialNotOffered,
                Invalid::TrialLicenseLimit { max } => ApiError::TrialLicenseLimit { max },
                Invalid::Batch(e) => ApiError::Batch(e),
                Invalid::UsersNotInOrganization { user_ids, count } => {
                    ApiError::UsersNotInOrganization { user_ids, count }
                }
            },
            Error::Precondition(p) => match p {
                Precondition::Required => ApiError::PreconditionRequired,
                Precondition::Failed { etag } => ApiError::PreconditionFailed { etag },
            },
            Error::Unavailable => ApiError::DatabaseUnavailable,
            Error::Storage(e) => ApiError::Storage(e),
            Error::Internal(what) => ApiError::Internal(what),
        }
    }
}
