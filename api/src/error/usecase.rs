//! The one table from the use cases' errors to problem+json: stable code,
//! title, status and extension members, each case by variant. The detail is
//! the error's own message (internals excepted, see `ApiError::detail`).

use super::{Problem, Requested};
use actix_web::http::StatusCode;
use domain::assignment::BatchError;
use domain::card::CardError;
use domain::policy::PolicyRefusal;
use usecases::{Conflict, Error, Forbidden, Invalid, Precondition};

pub(super) fn code(e: &Error) -> &'static str {
    match e {
        Error::NotFound(_) => "not_found",
        Error::Forbidden(f) => match f {
            Forbidden::AdminOnly => "admin_only",
            Forbidden::AdminReadOnly => "admin_read_only",
            Forbidden::Policy(PolicyRefusal::SelfServiceDisabled) => "self_service_disabled",
            Forbidden::Policy(PolicyRefusal::TrialsOnly) => "trials_only",
            Forbidden::SpendCapExceeded { .. } => "spend_cap_exceeded",
            Forbidden::SpendCapCurrency { .. } => "spend_cap_currency_mismatch",
            Forbidden::LicenseRequestsDisabled => "license_requests_disabled",
            Forbidden::LicenseRequestsExternal { .. } => "license_requests_external",
        },
        Error::Conflict(c) => match c {
            Conflict::EmailTaken => "email_taken",
            Conflict::DuplicatePaymentMethod { .. } => "duplicate_payment_method",
            Conflict::PaymentMethodInUse => "payment_method_in_use",
            Conflict::TrialAlreadyActive => "trial_already_active",
            Conflict::LicensesInUse { .. } => "licenses_in_use",
            Conflict::SubscriptionNotActive { .. } => "subscription_not_active",
            Conflict::AlreadyCanceled => "already_canceled",
            Conflict::SubscriptionDeleted => "subscription_deleted",
            Conflict::NotReactivatable { .. } => "not_reactivatable",
            Conflict::PaymentMethodRequired => "payment_method_required",
            Conflict::NotATrial => "not_a_trial",
            Conflict::NotEnoughLicenses { .. } => "not_enough_licenses",
            Conflict::LicenseRequestPending { .. } => "license_request_pending",
            Conflict::LicenseRequestDecided { .. } => "license_request_decided",
            Conflict::NotSelfService => "not_self_service",
            Conflict::QuoteExpired { .. } => "quote_expired",
            Conflict::QuoteMismatch(_) => "quote_mismatch",
        },
        Error::Invalid(i) => match i {
            Invalid::Field { .. } => "invalid_field",
            Invalid::Parameter { .. } => "invalid_parameter",
            Invalid::DateRange { .. } => "invalid_date_range",
            Invalid::Reference { .. } => "invalid_reference",
            Invalid::Card(e) | Invalid::CardEdit(e) => card_code(e),
            Invalid::CardExpiredAtUse { .. } => "card_expired",
            Invalid::LicenseCount { .. } => "invalid_license_count",
            Invalid::TrialNotOffered => "trial_not_offered",
            Invalid::TrialLicenseLimit { .. } => "trial_license_limit",
            Invalid::Batch { error, .. } => match error {
                BatchError::Empty => "no_users",
                BatchError::TooMany { .. } => "too_many_users",
                BatchError::Duplicates(_) => "duplicate_user_ids",
            },
            Invalid::UsersNotInOrganization { .. } => "users_not_in_organization",
            Invalid::TargetSubscription(_) => "invalid_target_subscription",
            Invalid::UsersNotRequested { .. } => "users_not_requested",
        },
        Error::Precondition(Precondition::Required) => "precondition_required",
        Error::Precondition(Precondition::Failed { .. }) => "precondition_failed",
        Error::Unavailable => "database_unavailable",
        Error::Storage(_) | Error::Internal(_) => "internal_error",
    }
}

pub(super) fn title(e: &Error) -> &'static str {
    match e {
        Error::NotFound(_) => "Not found",
        Error::Forbidden(Forbidden::AdminOnly) => "Admins only",
        Error::Forbidden(Forbidden::AdminReadOnly) => "Read-only for admins",
        Error::Forbidden(Forbidden::Policy(_)) => "Blocked by the self-service policy",
        Error::Forbidden(
            Forbidden::SpendCapExceeded { .. } | Forbidden::SpendCapCurrency { .. },
        ) => "Spend cap reached",
        Error::Forbidden(
            Forbidden::LicenseRequestsDisabled | Forbidden::LicenseRequestsExternal { .. },
        ) => "License requests not taken here",
        Error::Conflict(c) => match c {
            Conflict::EmailTaken => "E-mail address taken",
            Conflict::DuplicatePaymentMethod { .. } => "Duplicate payment method",
            Conflict::PaymentMethodInUse => "Payment method in use",
            Conflict::TrialAlreadyActive => "Trial already active",
            Conflict::LicensesInUse { .. } => "Licenses in use",
            Conflict::SubscriptionNotActive { .. } => "Subscription not active",
            Conflict::AlreadyCanceled => "Already canceled",
            Conflict::SubscriptionDeleted => "Subscription deleted",
            Conflict::NotReactivatable { .. } => "Not reactivatable",
            Conflict::PaymentMethodRequired => "Payment method required",
            Conflict::NotATrial => "Not a trial",
            Conflict::NotEnoughLicenses { .. } => "Not enough licenses",
            Conflict::LicenseRequestPending { .. } => "License request pending",
            Conflict::LicenseRequestDecided { .. } => "License request decided",
            Conflict::NotSelfService => "Not a self-service purchase",
            Conflict::QuoteExpired { .. } => "Quote expired",
            Conflict::QuoteMismatch(_) => "Quote does not match",
        },
        Error::Invalid(i) => match i {
            Invalid::Field { .. } => "Invalid request body",
            Invalid::Parameter { .. } => "Invalid parameter",
            Invalid::DateRange { .. } => "Invalid date range",
            Invalid::Reference { .. } => "Invalid reference",
            Invalid::Card(_) | Invalid::CardEdit(_) => "Card declined by validation",
            Invalid::CardExpiredAtUse { .. } => "Card expired",
            Invalid::LicenseCount { .. } => "Invalid license count",
            Invalid::TrialNotOffered | Invalid::TrialLicenseLimit { .. } => "Trial not possible",
            Invalid::Batch { .. } => "Invalid user batch",
            Invalid::UsersNotInOrganization { .. } => "Users not in organization",
            Invalid::TargetSubscription(_) => "Invalid target subscription",
            Invalid::UsersNotRequested { .. } => "Users not requested",
        },
        Error::Precondition(Precondition::Required) => "Precondition required",
        Error::Precondition(Precondition::Failed { .. }) => "Precondition failed",
        Error::Unavailable => "Service unavailable",
        Error::Storage(_) | Error::Internal(_) => "Internal server error",
    }
}

pub(super) fn status(e: &Error) -> StatusCode {
    match e {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Precondition(Precondition::Required) => StatusCode::PRECONDITION_REQUIRED,
        Error::Precondition(Precondition::Failed { .. }) => StatusCode::PRECONDITION_FAILED,
        Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Error::Storage(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The extension members a case defines (`field`, `available`, …).
pub(super) fn extend(e: &Error, problem: &mut Problem) {
    match e {
        Error::Invalid(i) => match i {
            Invalid::Field { field, .. } => problem.field = Some(field.clone()),
            Invalid::Parameter { parameter, .. } => problem.parameter = Some(parameter.clone()),
            Invalid::DateRange { parameter, .. } => {
                problem.parameter = Some((*parameter).to_owned())
            }
            Invalid::Card(e) => problem.field = Some(e.field().to_owned()),
            Invalid::CardEdit(e) => {
                problem.field = Some(e.field().trim_start_matches("card.").to_owned())
            }
            Invalid::Reference { field, .. } | Invalid::CardExpiredAtUse { field, .. } => {
                problem.field = Some((*field).to_owned())
            }
            Invalid::LicenseCount { .. } | Invalid::TrialLicenseLimit { .. } => {
                problem.field = Some("license_count".to_owned())
            }
            Invalid::Batch { field, error } => {
                problem.field = Some((*field).to_owned());
                if let BatchError::Duplicates(ids) = error {
                    problem.user_ids = Some(ids.iter().map(ToString::to_string).collect());
                }
            }
            Invalid::UsersNotInOrganization {
                field, user_ids, ..
            } => {
                problem.user_ids = Some(user_ids.clone());
                problem.field = Some((*field).to_owned());
            }
            Invalid::TargetSubscription(_) => {
                problem.field = Some("target_subscription_id".to_owned())
            }
            Invalid::UsersNotRequested { user_ids } => {
                problem.user_ids = Some(user_ids.clone());
                problem.field = Some("user_ids".to_owned());
            }
            Invalid::TrialNotOffered => {}
        },
        Error::Conflict(Conflict::DuplicatePaymentMethod { existing_id }) => {
            problem.existing_id = Some(existing_id.clone())
        }
        Error::Conflict(Conflict::LicensesInUse { assigned, .. }) => {
            problem.assigned_count = Some(*assigned)
        }
        Error::Conflict(Conflict::NotEnoughLicenses {
            available,
            requested,
        }) => {
            problem.available = Some(*available);
            problem.requested = Some(Requested::Licenses(*requested));
        }
        Error::Forbidden(Forbidden::SpendCapExceeded {
            cap,
            spent,
            requested,
        }) => {
            problem.cap = Some((*cap).into());
            problem.spent = Some((*spent).into());
            problem.requested = Some(Requested::Money((*requested).into()));
        }
        Error::Forbidden(Forbidden::LicenseRequestsExternal { url }) => {
            problem.url = Some(url.clone())
        }
        Error::Conflict(Conflict::LicenseRequestPending { existing_id }) => {
            problem.existing_id = Some(existing_id.clone())
        }
        Error::Conflict(Conflict::QuoteExpired { .. } | Conflict::QuoteMismatch(_)) => {
            problem.field = Some("quote_id".to_owned())
        }
        // The rest carry no extension members.
        _ => {}
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
