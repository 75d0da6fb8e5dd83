//! HEAD, the common headers, and oversized URLs and headers.

use super::{bearer, raw, set};
use actix_web::http::Method;
use tests::{json, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

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
