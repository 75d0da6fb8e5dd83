//! `If-None-Match` on reads: a GET whose answer carries an `ETag` the client
//! already holds is answered 304 without a body (RFC 9110 §13.1.2). Done once
//! here rather than in every handler that sets an ETag.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(req).await?;
    let Some(held) = held.filter(|_| is_read && response.status() == StatusCode::OK) else {
        return Ok(response.map_into_left_body());
    };
    let current = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match current {
        Some(current) if matches_any(&held, &current) => {
            let (request, full) = response.into_parts();
            let mut not_modified = HttpResponse::build(StatusCode::NOT_MODIFIED);
            // The headers a 304 must repeat (RFC 9110 §15.4.5), and ours that describe the answer.
            for (name, value) in full.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    not_modified.append_header((name.clone(), value.clone()));
                }
            }
            Ok(ServiceResponse::new(request, not_modified.finish()).map_into_right_body())
        }
        _ => Ok(response.map_into_left_body()),
    }
}

/// Weak comparison, as `If-None-Match` requires: `W/` prefixes are ignored; `*` matches any.
fn matches_any(held: &str, current: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let current = strip(current);
    held.split(',')
        .map(strip)
        .any(|tag| tag == "*" || tag == current)
}

#[cfg(test)]
mod tests {
    use super::matches_any;

    #[test]
    fn weak_comparison_over_a_list() {
        assert!(matches_any("\"3\"", "\"3\""));
        assert!(matches_any("\"1\", W/\"3\"", "\"3\""));
        assert!(matches_any("*", "\"9\""));
        assert!(!matches_any("\"2\"", "\"3\""));
        assert!(!matches_any("", "\"3\""));
    }
}
