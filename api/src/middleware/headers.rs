//! Headers every answer carries (PRODUCT.md §10): `X-Content-Type-Options:
//! nosniff` everywhere, so a browser never runs a CSV or a problem document
//! as something else; `Cache-Control: no-store` on `/v1`, whose answers are
//! one member's private data and must not sit in shared or browser caches.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let private = req.path() == "/v1" || req.path().starts_with("/v1/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
