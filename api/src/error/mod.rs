//! The API's one error type, rendered as RFC 9457 `application/problem+json`.
//! What the use cases refuse arrives as `UseCase(usecases::Error)` and is
//! mapped in `usecase.rs`; the variants here are the refusals only HTTP knows
//! (authentication, routing, body and header parsing, limits, CORS).

pub mod answers;
pub mod handlers;
mod problem;
mod usecase;

pub use problem::Problem;

use crate::auth::AuthError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use persistence::RepoError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    UseCase(#[from] usecases::Error),
    #[error("{0}")]
    Unauthorized(AuthError),
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
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still in progress; retry shortly")]
    IdempotencyInProgress,
    #[error("too many requests; retry after {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("the URL exceeds {limit} bytes")]
    UriTooLong { limit: usize },
    #[error("the request headers exceed {limit} bytes")]
    HeadersTooLarge { limit: usize },
    #[error("{0}")]
    CorsRefused(String),
}

impl ApiError {
    pub fn internal(what: impl Into<String>) -> Self {
        usecases::Error::internal(what).into()
    }

    pub fn invalid_field(field: impl Into<String>, detail: impl ToString) -> Self {
        usecases::Error::invalid_field(field, detail).into()
    }

    pub fn invalid_parameter(parameter: impl Into<String>, detail: impl ToString) -> Self {
        usecases::Error::invalid_parameter(parameter, detail).into()
    }

    pub fn not_found(what: &'static str) -> Self {
        usecases::Error::NotFound(what).into()
    }

    /// Stable code, status and title: the contract of every error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::UseCase(e) => usecase::code(e),
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::RouteNotFound(_) => "route_not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::DuplicateField { .. } => "duplicate_field",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::IdempotencyInProgress => "idempotency_request_in_progress",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::UriTooLong { .. } => "uri_too_long",
            ApiError::HeadersTooLarge { .. } => "request_header_too_large",
            ApiError::CorsRefused(_) => "cors_refused",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::UseCase(e) => usecase::title(e),
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::RouteNotFound(_) => "Not found",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::MalformedJson(_) => "Malformed JSON",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::PayloadTooLarge { .. } => "Payload too large",
            ApiError::UnknownField { .. } | ApiError::DuplicateField { .. } => {
                "Invalid request body"
            }
            ApiError::IdempotencyKeyReused => "Idempotency key reused",
            ApiError::IdempotencyInProgress => "Request in progress",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::UriTooLong { .. } => "URI too long",
            ApiError::HeadersTooLarge { .. } => "Request headers too large",
            ApiError::CorsRefused(_) => "Cross-origin request refused",
        }
    }

    fn problem(&self) -> Problem {
        let mut problem =
            Problem::new(self.status_code(), self.code(), self.title(), self.detail());
        match self {
            ApiError::UseCase(e) => usecase::extend(e, &mut problem),
            ApiError::UnknownField { field } | ApiError::DuplicateField { field } => {
                problem.field = Some(field.clone())
            }
            ApiError::MethodNotAllowed(allow) => problem.allow = Some(allow.clone()),
            // The rest carry no extension members.
            _ => {}
        }
        problem
    }

    fn detail(&self) -> String {
        match self {
            // Internals go to the log, never to the client.
            ApiError::UseCase(usecases::Error::Internal(_) | usecases::Error::Storage(_)) => {
                "an unexpected error occurred; quote the request id when reporting it".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::UseCase(e) => usecase::status(e),
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnknownField { .. }
            | ApiError::DuplicateField { .. }
            | ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::IdempotencyInProgress => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::CorsRefused(_) => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        use usecases::{Error as UseCase, Precondition};
        let mut problem = self.problem();
        problem.request_id = crate::middleware::request_id::current();
        match self {
            ApiError::UseCase(e @ (UseCase::Internal(_) | UseCase::Storage(_))) => {
                tracing::error!(request_id = ?problem.request_id, error = %e, "internal error")
            }
            ApiError::UseCase(UseCase::Unavailable) => {
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
            ApiError::UseCase(UseCase::Unavailable) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::UseCase(UseCase::Precondition(Precondition::Failed { etag: Some(etag) })) => {
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

impl From<RepoError> for ApiError {
    fn from(err: RepoError) -> Self {
        usecases::Error::from(err).into()
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
