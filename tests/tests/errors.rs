#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every error is a problem with a stable code, and bad input changes nothing.

use persistence::Backend;
use tests::{json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

#[actix_web::test]
async fn the_suite_runs_on_the_backend_it_was_given() {
    let app = TestApp::spawn().await;
    let expected = if tests::backend_is_postgres() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(app.state.services.db.backend(), expected);
}

#[actix_web::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let actor = app.actor(Uuid::new_v4(), false);
    let reply = app.get("/v1/nothing-here", &actor).await;
    assert_eq!((reply.status, reply.code()), (404, "route_not_found"));
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );

    let reply = app
        .call(Method::DELETE, "/v1/products", Some(&actor.token), None)
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (405, "method_not_allowed"),
        "{reply:?}"
    );
    assert_eq!(reply.header("allow").as_deref(), Some("GET, HEAD"));
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/users/{}", Uuid::new_v4()),
            Some(&actor.token),
            None,
        )
        .await;
    assert_eq!(reply.status, 405);
}

#[actix_web::test]
async fn bad_bodies_are_refused_and_the_policy_is_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    let path = format!("/v1/products/{CRM}/self-service-policy");

    let reply = app
        .call_raw(
            Method::PUT,
            &path,
            &admin.token,
            "application/json",
            b"{\"policy\": ".to_vec(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (400, "malformed_json"),
        "{reply:?}"
    );

    let reply = app
        .put(
            &path,
            &admin,
            json!({"policy": "disabled", "product_id": CRM}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (422, "unknown_field"));
    assert_eq!(reply.body["field"], json!("product_id"));

    let reply = app.put(&path, &admin, json!({"policy": "sometimes"})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("policy"));

    let reply = app
        .call_raw(
            Method::PUT,
            &path,
            &admin.token,
            "text/plain",
            b"{\"policy\":\"disabled\"}".to_vec(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (415, "unsupported_media_type")
    );

    let mut big = b"{\"policy\":\"disabled\",\"pad\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'x', 65 * 1024));
    big.extend(b"\"}");
    let reply = app
        .call_raw(Method::PUT, &path, &admin.token, "application/json", big)
        .await;
    assert_eq!((reply.status, reply.code()), (413, "payload_too_large"));

    let reply = app.get(&format!("/v1/products/{CRM}"), &admin).await;
    assert_eq!(
        reply.body["self_service_policy"],
        json!("enabled"),
        "nothing changed"
    );
}

#[actix_web::test]
async fn problems_carry_the_request_id() {
    let app = TestApp::spawn().await;
    let reply = app.call(Method::GET, "/v1/me", None, None).await;
    let id = reply.header("x-request-id").expect("x-request-id");
    assert_eq!(reply.body["request_id"], json!(id));
    assert_eq!(
        reply.body["type"],
        json!("urn:selfserve:problem:unauthorized")
    );
    assert_eq!(reply.body["status"], json!(401));
}

#[actix_web::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let reply = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (200, json!({"status": "ok"}))
    );
    let reply = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(reply.status, 200);
    let reply = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(reply.body["openapi"], json!("3.1.0"));
}

#[actix_web::test]
async fn objects_written_as_arrays_are_refused() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let positional = json!({
        "card": ["4242424242424242", 12, 2040, "123", "Ada"],
        "billing_address": {"line1": "1 Main St", "city": "X", "postal_code": "1", "country": "US"}
    });
    let reply = app.post("/v1/payment-methods", &ada, positional).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("card"));
    let reply = app
        .post("/v1/subscriptions", &ada, json!([CRM, 1, true]))
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("body"));
    assert_eq!(
        app.get("/v1/payment-methods", &ada).await.body["data"],
        json!([]),
        "nothing stored"
    );
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 1, "trial": false}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code(), reply.body["field"].clone()),
        (422, "invalid_field", json!("trial"))
    );
}
