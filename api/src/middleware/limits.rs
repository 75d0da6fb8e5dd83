//! URL and header size limits, answered as problem documents (PRODUCT.md §10).
//!
//! actix-http reads a request head into a buffer of at most 128 KiB; a head
//! that does not fit is answered by the codec itself with a bare `431` (no
//! body) and the connection is closed, before any middleware runs. These
//! limits sit far below that, so every oversized URL or header block a
//! client can send within 128 KiB gets a `414 uri_too_long` or
//! `431 request_header_too_large` problem with the usual headers.

use crate::error::ApiError;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;

/// The longest path and query string accepted (ids and cursors need a few hundred).
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The most header bytes accepted (names, values and separators): room for
/// large identity-provider tokens (Entra ID tokens with many groups reach ~8 KiB).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let uri_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let refusal = if uri_bytes > MAX_URI_BYTES {
        Some(ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        })
    } else {
        // ": " and CRLF around each header, as on the wire.
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        (header_bytes > MAX_HEADER_BYTES).then_some(ApiError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
        })
    };
    match refusal {
        Some(error) => Ok(req
            .into_response(error.error_response())
            .map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}
