//! Turns actix's own path-extractor errors into problems. (Query strings are
//! parsed by `extract::Query`, which names the failing parameter itself.)

use super::ApiError;
use actix_web::error::PathError;
use actix_web::HttpRequest;

/// A path segment that does not parse (say, an id that is not a UUID) names no resource.
pub fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::not_found("resource").into()
}
