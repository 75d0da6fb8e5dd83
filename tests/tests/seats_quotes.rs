#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Binding quotes (PRODUCT.md §9): a preview's price holds for 15 minutes, and
//! a PATCH naming the quote charges exactly that, or changes nothing.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, max 300

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

async fn quote(app: &TestApp, actor: &Actor, id: &str, licenses: i64) -> Value {
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/license-count-preview"),
            actor,
            json!({ "license_count": licenses }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body
}

async fn patch(app: &TestApp, actor: &Actor, id: &str, body: Value) -> tests::Reply {
    let etag = app
        .get(&format!("/v1/subscriptions/{id}"), actor)
        .await
        .header("etag")
        .unwrap();
    app.send(
        Method::PATCH,
        &format!("/v1/subscriptions/{id}"),
        actor,
        &[("If-Match", &etag)],
        Some(&body),
    )
    .await
}

async fn invoices(app: &TestApp, actor: &Actor) -> Vec<Value> {
    let reply = app.get("/v1/invoices", actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().clone()
}

async fn license_count(app: &TestApp, actor: &Actor, id: &str) -> i64 {
    app.get(&format!("/v1/subscriptions/{id}"), actor)
        .await
        .body["license_count"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_quote_charges_its_price_even_when_the_patch_comes_after_midnight() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 100).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // March 16, 23:55: 16 of 31 days left. round(5 × 1250 × 16 / 31) = 3226.
    app.state.services.clock.set(at("2026-03-16T23:55:00Z"));
    let q = quote(&app, &ada, &id, 105).await;
    assert_eq!(
        q["prorated_amount"],
        json!({"amount": 3226, "currency": "USD"})
    );
    assert_eq!(q["quote_expires_at"], json!("2026-03-17T00:10:00Z"));
    let quote_id = q["quote_id"].as_str().unwrap().to_owned();
    assert!(Uuid::parse_str(&quote_id).is_ok());

    // Ten minutes later it is March 17: a fresh price would be 15 days (3024).
    app.state.services.clock.set(at("2026-03-17T00:05:00Z"));
    let fresh = quote(&app, &ada, &id, 105).await;
    assert_eq!(fresh["prorated_amount"]["amount"], json!(3024));
    let reply = patch(
        &app,
        &ada,
        &id,
        json!({"license_count": 105, "quote_id": quote_id}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["license_count"], json!(105));
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2);
    let increase = &list[0];
    assert_eq!(increase["lines"][0]["kind"], json!("prorated_increase"));
    assert_eq!(
        increase["lines"][0]["amount"],
        json!({"amount": 3226, "currency": "USD"})
    );
    assert_eq!(increase["lines"][0]["period_start"], json!("2026-03-16"));
}

#[actix_web::test]
async fn a_refused_quote_changes_nothing() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let org = Uuid::new_v4();
    let ada = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = invoices(&app, &ada).await.len();
    let refused = |reply: &tests::Reply, code: &str| {
        assert_eq!((reply.status, reply.code()), (409, code), "{reply:?}");
    };

    let q = quote(&app, &ada, &id, 12).await["quote_id"].clone();
    // Another count, another subscription.
    let reply = patch(&app, &ada, &id, json!({"license_count": 13, "quote_id": q})).await;
    refused(&reply, "quote_mismatch");
    let reply = patch(
        &app,
        &ada,
        &other,
        json!({"license_count": 12, "quote_id": q}),
    )
    .await;
    refused(&reply, "quote_mismatch");
    assert_eq!(license_count(&app, &ada, &id).await, 10);
    assert_eq!(license_count(&app, &ada, &other).await, 10);

    // Used once, then never again.
    let reply = patch(&app, &ada, &id, json!({"license_count": 12, "quote_id": q})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = patch(&app, &ada, &id, json!({"license_count": 12, "quote_id": q})).await;
    refused(&reply, "quote_mismatch");

    // Stale: an assignment moved the subscription after the quote.
    let q = quote(&app, &ada, &id, 15).await["quote_id"].clone();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/assignments"),
            &ada,
            json!({"user_ids": [ada.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = patch(&app, &ada, &id, json!({"license_count": 15, "quote_id": q})).await;
    refused(&reply, "quote_mismatch");

    // Expired: valid for 15 minutes, not one more.
    let q = quote(&app, &ada, &id, 15).await;
    let expires = at(q["quote_expires_at"].as_str().unwrap());
    app.state.services.clock.set(expires);
    let body = json!({"license_count": 15, "quote_id": q["quote_id"]});
    refused(&patch(&app, &ada, &id, body.clone()).await, "quote_expired");
    app.state.services.clock.set(expires - Duration::seconds(1));
    // An admin cannot spend a member's quote either.
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{id}"),
            &admin,
            &[("If-Match", "\"1\"")],
            Some(&body),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
    app.state.services.clock.set(expires);

    // A quote id that names nothing, and a quote alone (it asks for the
    // count it priced: this one's 15 minutes are over).
    let unknown = json!({"license_count": 15, "quote_id": Uuid::new_v4()});
    let reply = patch(&app, &ada, &id, unknown).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_reference"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("quote_id"));
    let reply = patch(
        &app,
        &ada,
        &id,
        json!({"auto_renew": false, "quote_id": q["quote_id"]}),
    )
    .await;
    refused(&reply, "quote_expired");

    assert_eq!(license_count(&app, &ada, &id).await, 12);
    assert_eq!(invoices(&app, &ada).await.len(), before + 1);
}

#[actix_web::test]
async fn the_billing_run_forgets_old_quotes() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = quote(&app, &ada, &id, 11).await["quote_id"].clone();
    let body = json!({"license_count": 11, "quote_id": q});
    app.set_today("2026-03-02");
    app.billing_run("2026-03-02");
    // Expired a day ago: still known (and answered as expired) until a run
    // after that day has passed.
    let reply = patch(&app, &ada, &id, body.clone()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "quote_expired"),
        "{reply:?}"
    );
    app.set_today("2026-03-03");
    app.billing_run("2026-03-03");
    let reply = patch(&app, &ada, &id, body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_reference"),
        "{reply:?}"
    );
}

#[actix_web::test]
async fn a_trial_quote_costs_nothing_and_binds_the_same_way() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 5, "trial": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let q = quote(&app, &ada, &id, 8).await;
    assert_eq!(q["prorated_amount"]["amount"], json!(0));
    let reply = patch(
        &app,
        &ada,
        &id,
        json!({"license_count": 9, "quote_id": q["quote_id"]}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (409, "quote_mismatch"));
    let reply = patch(
        &app,
        &ada,
        &id,
        json!({"license_count": 8, "quote_id": q["quote_id"]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["license_count"], json!(8));
}

#[actix_web::test]
async fn a_quote_alone_asks_for_the_count_it_priced() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = quote(&app, &ada, &id, 14).await;
    let reply = patch(&app, &ada, &id, json!({"quote_id": q["quote_id"]})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(license_count(&app, &ada, &id).await, 14);
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2, "the purchase and the increase");
    let increase = &list[0]["lines"][0];
    assert_eq!(increase["kind"], json!("prorated_increase"));
    assert_eq!(
        increase["amount"], q["prorated_amount"],
        "exactly the quoted price"
    );
}
