#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Buy and assign in one step (PRODUCT.md §9): bought and assigned in one
//! transaction, or nothing.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, max 300, trial max 25

/// `n` members added by an admin of `org`.
async fn members(app: &TestApp, admin: &Actor, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let tag = Uuid::new_v4().simple().to_string();
        let reply = app
            .post(
                "/v1/users",
                admin,
                json!({"display_name": format!("M {tag}"), "email": format!("{tag}@example.org")}),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    ids
}

async fn count_of(app: &TestApp, actor: &Actor, path: &str) -> usize {
    let reply = app.get(path, actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().len()
}

async fn buy_body(app: &TestApp, actor: &Actor, licenses: i64, users: &[String]) -> Value {
    let (profile, pm) = app.billing_setup(actor).await;
    json!({"product_id": CRM, "license_count": licenses, "billing_frequency": "monthly",
           "billing_profile_id": profile, "payment_method_id": pm, "assign_user_ids": users})
}

#[actix_web::test]
async fn twenty_members_bought_and_assigned_in_one_call() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let people = members(&app, &admin, 20).await;
    let body = buy_body(&app, &ada, 25, &people).await;
    let reply = app.post("/v1/subscriptions", &ada, body).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["assigned_count"], json!(20));
    assert_eq!(reply.body["available_count"], json!(5));
    let id = reply.body["id"].as_str().unwrap();
    let path = format!("/v1/subscriptions/{id}/assignments?limit=100");
    assert_eq!(count_of(&app, &ada, &path).await, 20);
    // The ETag of the answer is the subscription's current one.
    let etag = reply.header("etag").unwrap();
    let read = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(read.header("etag").unwrap(), etag);
}

#[actix_web::test]
async fn a_refused_assignment_buys_nothing() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let people = members(&app, &admin, 21).await;
    let stranger = app
        .signed_in(Uuid::new_v4(), false)
        .await
        .user_id
        .to_string();

    let body = buy_body(&app, &ada, 30, &people).await;
    let reply = app.post("/v1/subscriptions", &ada, body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "too_many_users"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("assign_user_ids"));

    let mut with_stranger = people[..3].to_vec();
    with_stranger.push(stranger.clone());
    let body = buy_body(&app, &ada, 30, &with_stranger).await;
    let reply = app.post("/v1/subscriptions", &ada, body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "users_not_in_organization"),
        "{reply:?}"
    );
    assert_eq!(reply.body["user_ids"], json!([stranger]));
    assert_eq!(reply.body["field"], json!("assign_user_ids"));

    // More users than licenses bought.
    let body = buy_body(&app, &ada, 2, &people[..3]).await;
    let reply = app.post("/v1/subscriptions", &ada, body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "invalid_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("assign_user_ids"));

    let body = buy_body(&app, &ada, 2, &[]).await;
    let reply = app.post("/v1/subscriptions", &ada, body).await;
    assert_eq!((reply.status, reply.code()), (422, "no_users"), "{reply:?}");

    assert_eq!(count_of(&app, &ada, "/v1/subscriptions").await, 0);
    assert_eq!(count_of(&app, &ada, "/v1/invoices").await, 0);
}

#[actix_web::test]
async fn a_replayed_buy_and_assign_makes_one_subscription_and_one_invoice() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let people = members(&app, &admin, 3).await;
    let body = buy_body(&app, &ada, 3, &people).await;
    let send = || {
        app.send(
            Method::POST,
            "/v1/subscriptions",
            &ada,
            &[("Idempotency-Key", "buy-and-assign")],
            Some(&body),
        )
    };
    let first = send().await;
    assert_eq!(first.status, 201, "{first:?}");
    let again = send().await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(count_of(&app, &ada, "/v1/subscriptions").await, 1);
    assert_eq!(count_of(&app, &ada, "/v1/invoices").await, 1);
    let id = first.body["id"].as_str().unwrap();
    let path = format!("/v1/subscriptions/{id}/assignments");
    assert_eq!(count_of(&app, &ada, &path).await, 3);
}

#[actix_web::test]
async fn a_trial_can_be_started_with_its_users() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let people = members(&app, &admin, 4).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 5, "trial": true, "assign_user_ids": people}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["assigned_count"], json!(4));
}
