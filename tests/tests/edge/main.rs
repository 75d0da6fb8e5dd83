#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The edge of the service (PRODUCT.md §10): CORS, HEAD, the common headers,
//! metrics on their own listener with bounded labels, per-user rate limits,
//! and oversized URLs and headers answered as problems.

mod cors;
mod http;
mod metrics;
mod rate_limits;

use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use std::collections::BTreeSet;
use tests::Actor;

pub struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A comma-separated header as a set of lowercase items.
    pub fn list(&self, name: &str) -> BTreeSet<String> {
        self.header(name)
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub fn cors_headers(&self) -> Vec<String> {
        self.headers
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k.starts_with("access-control-"))
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }
}

/// Any request, with exactly the headers given (no token unless given).
pub async fn raw(base: &str, method: Method, path: &str, headers: &[(&str, &str)]) -> Raw {
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .finish();
    let mut request = client.request(method, format!("{base}{path}"));
    for (k, v) in headers {
        request = request.insert_header((*k, *v));
    }
    let mut response = request.send().await.expect("request");
    let body = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("body")
        .to_vec();
    Raw {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body,
    }
}

pub fn bearer(actor: &Actor) -> String {
    format!("Bearer {}", actor.token)
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
