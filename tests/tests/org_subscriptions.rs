#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Organisation subscriptions (PRODUCT.md §7): bought by an admin, managed by
//! every admin, invisible to members, outside the self-service policy.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month

async fn buy_for_organisation(app: &TestApp, admin: &Actor, licenses: i64) -> tests::Reply {
    let (profile, card) = app.billing_setup(admin).await;
    app.post(
        "/v1/subscriptions",
        admin,
        json!({"product_id": CRM, "license_count": licenses, "billing_frequency": "monthly",
               "billing_profile_id": profile, "payment_method_id": card, "source": "organization"}),
    )
    .await
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn an_admin_buys_for_the_organisation_and_every_admin_manages_it() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let buyer = app.signed_in(org, true).await;
    let second = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;

    let reply = buy_for_organisation(&app, &buyer, 5).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["source"], json!("organization"));
    assert_eq!(reply.body["purchaser"]["id"], json!(buyer.user_id));
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/subscriptions/{id}");

    // The second admin reads, changes, assigns and reads the history.
    let read = app.get(&path, &second).await;
    assert_eq!(read.status, 200, "{read:?}");
    let tag = read.header("etag").unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &path,
            &second,
            &[("If-Match", &tag)],
            Some(&json!({"license_count": 7})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["license_count"], json!(7));
    let reply = app
        .post(
            &format!("{path}/assignments"),
            &second,
            json!({"user_ids": [member.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = app.get(&format!("{path}/events"), &second).await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // Both admins list it as something they manage; the member sees nothing of it.
    for admin in [&buyer, &second] {
        let list = app.get("/v1/subscriptions", admin).await;
        assert_eq!(ids(&list.body), vec![id.clone()], "{list:?}");
    }
    let list = app.get("/v1/subscriptions", &member).await;
    assert!(ids(&list.body).is_empty(), "{list:?}");
    for reply in [
        app.get(&path, &member).await,
        app.get(&format!("{path}/events"), &member).await,
        app.post(
            &format!("{path}/cancel"),
            &member,
            json!({"reason": "other"}),
        )
        .await,
    ] {
        assert_eq!(
            (reply.status, reply.code()),
            (404, "not_found"),
            "{reply:?}"
        );
    }

    // The purchase was billed to the buying admin.
    let invoices = app.get("/v1/invoices", &buyer).await;
    assert_eq!(
        invoices.body["data"].as_array().unwrap().len(),
        2,
        "purchase and increase"
    );

    let reply = app
        .post(
            &format!("{path}/cancel"),
            &second,
            json!({"reason": "no_longer_needed"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("canceled"));
}

#[actix_web::test]
async fn a_member_cannot_buy_for_the_organisation() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let reply = buy_for_organisation(&app, &member, 1).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "admin_only"),
        "{reply:?}"
    );
    assert!(ids(&app.get("/v1/subscriptions", &member).await.body).is_empty());
    let invoices = app.get("/v1/invoices", &member).await;
    assert!(invoices.body["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn organisation_purchases_ignore_the_policy_and_the_spend_cap() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    let reply = app
        .send(
            Method::PATCH,
            "/v1/organization/settings",
            &admin,
            &[],
            Some(&json!({"default_self_service_policy": "disabled",
                         "spend_cap": {"amount": 0, "currency": "USD"}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = app
        .put(
            &format!("/v1/products/{CRM}/self-service-policy"),
            &admin,
            json!({"policy": "disabled"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    let reply = buy_for_organisation(&app, &admin, 3).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    // The same admin buying for themselves is a member's purchase: refused.
    let (profile, card) = app.billing_setup(&admin).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &admin,
            json!({"product_id": CRM, "license_count": 1, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": card}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "self_service_disabled"),
        "{reply:?}"
    );
}

#[actix_web::test]
async fn the_admin_views_of_self_service_leave_organisation_subscriptions_out() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    let own = app.buy(&member, CRM, 2).await;
    assert_eq!(buy_for_organisation(&app, &admin, 2).await.status, 201);
    let list = app.get("/v1/admin/subscriptions", &admin).await;
    assert_eq!(
        ids(&list.body),
        vec![own["id"].as_str().unwrap().to_owned()]
    );
}
