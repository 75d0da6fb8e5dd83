//! Turns actix's own extractor errors (query, path) into problems.

use super::ApiError;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::HttpRequest;

pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        QueryPayloadError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    let parameter = detail.split('`').nth(1).unwrap_or("query").to_owned();
    ApiError::invalid_parameter(parameter, detail).into()
}

/// A path segment that does not parse (say, an id that is not a UUID) names no resource.
pub fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound("resource").into()
}
