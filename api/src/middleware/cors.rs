//! CORS for browser frontends on other origins (PRODUCT.md §10), with
//! `actix-cors` doing the protocol. `SELFSERVE_CORS_ORIGINS` lists exact
//! origins; unset, the middleware is not installed and no CORS header is sent.
//!
//! `fixup` sits just outside `actix-cors` and adjusts three things it does
//! differently from the spec: other origins get no CORS header at all (it
//! would still send `Access-Control-Expose-Headers`), a refused preflight is
//! a problem document (it answers `400 text/plain`), and a preflight names
//! the methods of the route asked about rather than every method of the API.

use crate::error::ApiError;
use crate::handlers::fallback::RouteTable;
use actix_cors::Cors;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

/// Every method some route of the API answers.
const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// Request headers a frontend may send.
const REQUEST_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
];

/// Response headers a frontend may read.
const EXPOSED_HEADERS: [&str; 6] = [
    "etag",
    "location",
    "x-request-id",
    "retry-after",
    "idempotent-replayed",
    "content-disposition",
];

/// How long a browser may cache a preflight answer.
const MAX_AGE_SECS: usize = 600;

/// `SELFSERVE_CORS_ORIGINS`: comma-separated exact origins, normalised to
/// lowercase (browsers send scheme and host in lowercase).
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(parse_origin)
        .collect()
}

fn parse_origin(raw: &str) -> Result<String, String> {
    let origin = raw.to_ascii_lowercase();
    if origin.contains('*') {
        return Err(format!(
            "{raw:?}: wildcards are not allowed; list each origin exactly"
        ));
    }
    let shape = || {
        format!("{raw:?} must be an origin like https://app.example.com or http://localhost:5173 (scheme, host and optional port; no path)")
    };
    let (scheme, authority) = origin.split_once("://").ok_or_else(shape)?;
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return Err(shape()),
    };
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@' | '\\') || c.is_whitespace())
    {
        return Err(shape());
    }
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(rest) => {
            let (ip, after) = rest.split_once(']').ok_or_else(shape)?;
            ip.parse::<std::net::Ipv6Addr>().map_err(|_| shape())?;
            match after {
                "" => (ip, None),
                _ => (ip, Some(after.strip_prefix(':').ok_or_else(shape)?)),
            }
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && (authority.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !host_ok {
        return Err(shape());
    }
    if let Some(port) = port {
        if port.parse::<u16>().ok().filter(|p| *p > 0).is_none() {
            return Err(shape());
        }
        if port == default_port {
            return Err(format!(
                "{raw:?}: leave out the default port {port}; browsers never send it"
            ));
        }
    }
    Ok(origin)
}

/// The `actix-cors` middleware for the configured origins.
pub fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(METHODS)
        .allowed_headers(REQUEST_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(MAX_AGE_SECS)
        // Other origins are served as if CORS did not exist (no headers),
        // which a browser reads as "not allowed"; only their preflights fail.
        .block_on_origin_mismatch(false);
    origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

pub async fn fixup(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let preflight = is_preflight(&req);
    let route_methods = if preflight {
        req.app_data::<web::Data<RouteTable>>()
            .and_then(|routes| routes.allowed(req.path()))
            .map(|methods| methods.join(", "))
    } else {
        None
    };
    let mut res = next.call(req).await?;
    let allowed = res
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    if !allowed {
        res.headers_mut()
            .remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    // `actix-cors` answers every preflight it refuses with 400; with CORS
    // off, preflights reach the routes and get their usual 405.
    if preflight && !allowed && res.status() == actix_web::http::StatusCode::BAD_REQUEST {
        let (req, refused) = res.into_parts();
        let reason = actix_web::body::to_bytes(refused.into_body())
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "the preflight request is not allowed".to_owned());
        let problem = ApiError::CorsRefused(format!("CORS preflight refused: {reason}"));
        return Ok(ServiceResponse::new(req, problem.error_response()).map_into_right_body());
    }
    if preflight && allowed {
        if let Some(value) = route_methods.and_then(|m| HeaderValue::from_str(&m).ok()) {
            res.headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_METHODS, value);
        }
    }
    Ok(res.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_origins_are_accepted_and_lowercased() {
        assert_eq!(
            parse_origins("https://App.Example.com, http://localhost:5173,http://[::1]:8080")
                .unwrap(),
            [
                "https://app.example.com",
                "http://localhost:5173",
                "http://[::1]:8080"
            ]
        );
        assert!(parse_origins(" , ").unwrap().is_empty());
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "*",
            "https://*.example.com",
            "app.example.com",
            "ftp://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?x=1",
            "https://user@app.example.com",
            "https://",
            "https://app.example.com:0",
            "https://app.example.com:99999",
            "https://app.example.com:443",
            "http://app.example.com:80",
            "https://app_example.com",
            "http://[::1",
            "https://a.example.com, nope",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }
}
