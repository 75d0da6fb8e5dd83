#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The edge of the service (PRODUCT.md §10): CORS, HEAD, the common headers,
//! metrics on their own listener with bounded labels, per-user rate limits,
//! and oversized URLs and headers answered as problems.

use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use api::state::Clock;
use std::collections::BTreeSet;
use tests::{json, Actor, TestApp};
use uuid::Uuid;

const APP: &str = "https://app.example.com";
const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A comma-separated header as a set of lowercase items.
    fn list(&self, name: &str) -> BTreeSet<String> {
        self.header(name)
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn cors_headers(&self) -> Vec<String> {
        self.headers
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k.starts_with("access-control-"))
            .collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }
}

/// Any request, with exactly the headers given (no token unless given).
async fn raw(base: &str, method: Method, path: &str, headers: &[(&str, &str)]) -> Raw {
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

fn bearer(actor: &Actor) -> String {
    format!("Bearer {}", actor.token)
}

async fn cors_app() -> TestApp {
    TestApp::spawn_with(
        &[(
            "SELFSERVE_CORS_ORIGINS",
            "https://app.example.com, http://localhost:5173",
        )],
        Clock::System,
    )
    .await
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[actix_web::test]
async fn an_allowed_origin_gets_preflight_answers_and_cors_headers_on_every_answer() {
    let app = cors_app().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;

    let preflight = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/subscriptions",
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            ),
        ],
    )
    .await;
    assert_eq!(preflight.status, 200, "{:?}", preflight.headers);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        preflight.list("access-control-allow-methods"),
        set(&["get", "head", "post"]),
        "the route's methods"
    );
    assert_eq!(
        preflight.list("access-control-allow-headers"),
        set(&[
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id"
        ])
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));
    assert_eq!(preflight.header("x-content-type-options"), Some("nosniff"));

    let item = raw(
        &app.base,
        Method::OPTIONS,
        &format!("/v1/subscriptions/{}", Uuid::new_v4()),
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "PATCH"),
            ("Access-Control-Request-Headers", "authorization, if-match"),
        ],
    )
    .await;
    assert_eq!(item.status, 200);
    assert_eq!(
        item.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(item.list("access-control-allow-methods").contains("patch"));

    let exposed = set(&[
        "etag",
        "location",
        "x-request-id",
        "retry-after",
        "idempotent-replayed",
        "content-disposition",
    ]);
    let token = bearer(&member);
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Origin", APP), ("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("access-control-allow-origin"), Some(APP));
    assert!(me.list("vary").contains("origin"), "{:?}", me.headers);
    assert_eq!(me.list("access-control-expose-headers"), exposed);

    // Problems too: a browser can read why it failed.
    let no_token = raw(&app.base, Method::GET, "/v1/me", &[("Origin", APP)]).await;
    let unknown = raw(&app.base, Method::GET, "/v1/nope", &[("Origin", APP)]).await;
    let huge_url = format!("/v1/me?x={}", "a".repeat(20 * 1024));
    let too_long = raw(&app.base, Method::GET, &huge_url, &[("Origin", APP)]).await;
    for (reply, status, code) in [
        (&no_token, 401, "unauthorized"),
        (&unknown, 404, "route_not_found"),
        (&too_long, 414, "uri_too_long"),
    ] {
        assert_eq!(reply.status, status);
        assert_eq!(reply.code(), code);
        assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
        assert_eq!(reply.list("access-control-expose-headers"), exposed);
    }

    // A preflight asking for a header the API does not take is refused, as a problem.
    let refused = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/subscriptions",
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "x-something-else"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "cors_refused");
    assert!(refused.cors_headers().is_empty(), "{:?}", refused.headers);
}

#[actix_web::test]
async fn other_origins_get_no_cors_headers_and_their_preflights_fail() {
    let app = cors_app().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let token = bearer(&member);
    for origin in [
        "https://evil.example.com",
        "https://app.example.com.evil.example",
        "http://app.example.com",
    ] {
        let me = raw(
            &app.base,
            Method::GET,
            "/v1/me",
            &[("Origin", origin), ("Authorization", &token)],
        )
        .await;
        assert_eq!(me.status, 200);
        assert!(me.cors_headers().is_empty(), "{origin}: {:?}", me.headers);

        let preflight = raw(
            &app.base,
            Method::OPTIONS,
            "/v1/me",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
        )
        .await;
        assert_eq!(preflight.status, 403, "{origin}");
        assert_eq!(preflight.code(), "cors_refused");
        assert!(
            preflight.cors_headers().is_empty(),
            "{:?}",
            preflight.headers
        );
    }
    // No Origin at all (curl, servers): as without CORS.
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert!(me.cors_headers().is_empty(), "{:?}", me.headers);
}

#[actix_web::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let token = bearer(&member);
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Origin", APP), ("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert!(me.cors_headers().is_empty(), "{:?}", me.headers);
    // A preflight meets the routes as before: OPTIONS is no method of theirs.
    let preflight = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/me",
        &[("Origin", APP), ("Access-Control-Request-Method", "GET")],
    )
    .await;
    assert_eq!(preflight.status, 405);
    assert_eq!(preflight.code(), "method_not_allowed");
    assert!(
        preflight.cors_headers().is_empty(),
        "{:?}",
        preflight.headers
    );
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let member = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    app.buy(&member, CRM, 3).await;
    let invoice = app.get("/v1/invoices", &member).await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member_token = bearer(&member);
    let admin_token = bearer(&admin);
    let cases: Vec<(String, Option<&str>)> = vec![
        ("/healthz".into(), None),
        ("/readyz".into(), None),
        ("/openapi.json".into(), None),
        ("/swagger-ui/".into(), None),
        ("/v1/me".into(), Some(&member_token)),
        ("/v1/subscriptions".into(), Some(&member_token)),
        (format!("/v1/invoices/{invoice}/pdf"), Some(&member_token)),
        ("/v1/invoices.csv".into(), Some(&member_token)),
        ("/v1/admin/subscriptions.csv".into(), Some(&admin_token)),
        ("/v1/me".into(), None), // a problem answer
    ];
    for (path, token) in cases {
        let headers: Vec<(&str, &str)> = token.iter().map(|t| ("Authorization", *t)).collect();
        let get = raw(&app.base, Method::GET, &path, &headers).await;
        let head = raw(&app.base, Method::HEAD, &path, &headers).await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(!get.body.is_empty(), "{path}");
        assert!(head.body.is_empty(), "{path}: HEAD sent a body");
        for name in [
            "content-type",
            "content-length",
            "content-disposition",
            "cache-control",
            "x-content-type-options",
        ] {
            assert_eq!(head.header(name), get.header(name), "{path}: {name}");
        }
    }
    // A path without GET: 405, and GET's companion is listed wherever GET is.
    let post_only = raw(&app.base, Method::HEAD, "/v1/subscriptions/x/convert", &[]).await;
    assert_eq!(post_only.status, 405);
    let put_me = raw(&app.base, Method::PUT, "/v1/me", &[]).await;
    assert_eq!(put_me.status, 405);
    assert_eq!(put_me.list("allow"), set(&["get", "head"]));
    assert_eq!(put_me.json()["allow"], json!(["GET", "HEAD"]));
}

#[actix_web::test]
async fn every_answer_is_nosniff_and_v1_answers_are_not_stored() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let token = bearer(&member);
    for (path, auth, status) in [
        ("/healthz", false, 200),
        ("/openapi.json", false, 200),
        ("/nowhere", false, 404),
        ("/v1/me", true, 200),
        ("/v1/me", false, 401),
        ("/v1/nowhere", true, 404),
    ] {
        let headers: Vec<(&str, &str)> = if auth {
            vec![("Authorization", token.as_str())]
        } else {
            vec![]
        };
        let reply = raw(&app.base, Method::GET, path, &headers).await;
        assert_eq!(reply.status, status, "{path}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        let no_store = reply.header("cache-control") == Some("no-store");
        assert_eq!(
            no_store,
            path.starts_with("/v1/"),
            "{path}: {:?}",
            reply.headers
        );
    }
}

/// `name{a="x",b="y"} 1` → the value of label `label`.
fn label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let start = line.find(&format!("{label}=\""))? + label.len() + 2;
    let rest = &line[start..];
    Some(&rest[..rest.find('"')?])
}

#[actix_web::test]
async fn metrics_live_on_their_own_listener_with_bounded_labels() {
    let app =
        TestApp::spawn_with(&[("SELFSERVE_METRICS_BIND", "127.0.0.1:0")], Clock::System).await;
    let metrics_base = app.metrics_base.clone().expect("metrics listener");

    let public = raw(&app.base, Method::GET, "/metrics", &[]).await;
    assert_eq!(public.status, 404);
    assert_eq!(public.code(), "route_not_found");

    for i in 0..200 {
        let method = Method::from_bytes(
            format!("X{}", Uuid::new_v4().simple())
                .to_uppercase()
                .as_bytes(),
        )
        .unwrap();
        let path = match i % 4 {
            0 => format!("/{}", Uuid::new_v4()),
            1 => format!("/v1/{}/{}", Uuid::new_v4(), i),
            2 => "/v1/me".to_owned(),
            _ => format!("/swagger-uii/{i}"),
        };
        let reply = raw(&app.base, method, &path, &[]).await;
        assert!(
            matches!(reply.status, 404 | 405),
            "{path}: {}",
            reply.status
        );
    }
    for _ in 0..20 {
        let path = format!("/{}", Uuid::new_v4());
        raw(&app.base, Method::GET, &path, &[]).await;
    }

    let exposition = raw(&metrics_base, Method::GET, "/metrics", &[]).await;
    assert_eq!(exposition.status, 200);
    let text = String::from_utf8(exposition.body).unwrap();
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("selfserve_http_requests_total{"))
        .collect();
    let methods: BTreeSet<&str> = series.iter().filter_map(|l| label(l, "method")).collect();
    let routes: BTreeSet<&str> = series.iter().filter_map(|l| label(l, "route")).collect();
    assert_eq!(methods, ["GET", "other"].into_iter().collect(), "{text}");
    assert_eq!(
        routes,
        ["/v1/me", "unmatched"].into_iter().collect(),
        "{text}"
    );
    assert!(series.len() <= 6, "series: {series:#?}");
    let other: u64 = series
        .iter()
        .filter(|l| label(l, "method") == Some("other"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(other, 200, "every invented method counted as `other`");

    // The listener serves metrics and nothing else.
    let other_path = raw(&metrics_base, Method::GET, "/v1/me", &[]).await;
    assert_eq!(other_path.status, 404);
}

async fn add_card(app: &TestApp, actor: &Actor) -> tests::Reply {
    app.post(
        "/v1/payment-methods",
        actor,
        json!({
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "Rate Limited"},
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
        }),
    )
    .await
}

#[actix_web::test]
async fn writes_past_the_burst_are_refused_per_user() {
    // 10/min: a burst of 10, then one every 6 s — nothing refills during the test.
    let app =
        TestApp::spawn_with(&[("SELFSERVE_RATE_LIMIT_WRITES", "10/min")], Clock::System).await;
    let org = Uuid::new_v4();
    let busy = app.signed_in(org, false).await;
    let other = app.signed_in(org, false).await;

    for i in 0..10 {
        let reply = add_card(&app, &busy).await;
        assert!(matches!(reply.status, 201 | 409), "write {i}: {reply:?}");
    }
    let refused = add_card(&app, &busy).await;
    assert_eq!(refused.status, 429, "{refused:?}");
    assert_eq!(refused.code(), "rate_limited");
    assert_eq!(
        refused.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=6).contains(&retry), "Retry-After {retry}");

    // Nothing changed: still the one card.
    let cards = app.get("/v1/payment-methods", &busy).await;
    assert_eq!(cards.status, 200, "reads are not limited: {cards:?}");
    assert_eq!(cards.body["data"].as_array().unwrap().len(), 1);
    for _ in 0..30 {
        assert_eq!(app.get("/v1/me", &busy).await.status, 200);
    }
    // Another member of the same organisation has their own bucket.
    assert_eq!(add_card(&app, &other).await.status, 201);
    // The busy member is still refused.
    assert_eq!(add_card(&app, &busy).await.status, 429);
}

#[actix_web::test]
async fn reads_are_limited_only_when_configured() {
    let app = TestApp::spawn_with(&[("SELFSERVE_RATE_LIMIT_READS", "5/min")], Clock::System).await;
    let member = app.signed_in(Uuid::new_v4(), false).await; // one read
    for _ in 0..4 {
        assert_eq!(app.get("/v1/me", &member).await.status, 200);
    }
    let refused = app.get("/v1/me", &member).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.code(), "rate_limited");
    // HEAD is a read too.
    let token = bearer(&member);
    let head = raw(
        &app.base,
        Method::HEAD,
        "/v1/me",
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(head.status, 429);
    // Writes have their own (here: no) limit.
    assert_eq!(add_card(&app, &member).await.status, 201);
}

#[actix_web::test]
async fn oversized_tokens_and_urls_are_problems() {
    let app = TestApp::spawn().await;
    let token = format!("Bearer {}", "a".repeat(100 * 1024));
    let big = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(big.status, 431);
    assert_eq!(big.header("content-type"), Some("application/problem+json"));
    assert_eq!(big.code(), "request_header_too_large");
    assert_eq!(big.json()["status"], 431);
    assert!(big.header("x-request-id").is_some());
    assert_eq!(big.header("x-content-type-options"), Some("nosniff"));

    let path = format!("/v1/subscriptions?cursor={}", "b".repeat(20 * 1024));
    let long = raw(&app.base, Method::GET, &path, &[]).await;
    assert_eq!(long.status, 414);
    assert_eq!(
        long.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(long.code(), "uri_too_long");

    // Just under the limits, the request is answered normally.
    let member = app.signed_in(Uuid::new_v4(), false).await;

    // A write with oversized headers is refused before it does anything.
    let pad = "p".repeat(20 * 1024);
    let refused = app
        .send(
            Method::POST,
            "/v1/payment-methods",
            &member,
            &[("X-Pad", &pad)],
            Some(&json!({
                "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "Big Header"},
                "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
            })),
        )
        .await;
    assert_eq!(refused.status, 431, "{refused:?}");
    assert_eq!(refused.code(), "request_header_too_large");
    let cards = app.get("/v1/payment-methods", &member).await;
    assert_eq!(cards.body["data"], json!([]), "nothing was created");
    let padded = format!("/v1/me?pad={}", "c".repeat(7 * 1024));
    let ok = raw(
        &app.base,
        Method::GET,
        &padded,
        &[("Authorization", &bearer(&member))],
    )
    .await;
    assert_eq!(ok.status, 200);
}
