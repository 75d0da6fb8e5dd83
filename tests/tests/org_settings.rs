#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Organisation settings (PRODUCT.md §7): the default self-service policy,
//! license requests on/off or elsewhere, and the monthly spend cap.

use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, trial
const ANALYTICS: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a02"; // 2000/month, trial
const SETTINGS: &str = "/v1/organization/settings";

async fn patch(app: &TestApp, actor: &Actor, body: serde_json::Value) -> tests::Reply {
    app.send(Method::PATCH, SETTINGS, actor, &[], Some(&body))
        .await
}

async fn buy(app: &TestApp, actor: &Actor, product: &str, licenses: i64) -> tests::Reply {
    let (profile, card) = app.billing_setup(actor).await;
    app.post(
        "/v1/subscriptions",
        actor,
        json!({"product_id": product, "license_count": licenses, "billing_frequency": "monthly",
               "billing_profile_id": profile, "payment_method_id": card}),
    )
    .await
}

async fn trial(app: &TestApp, actor: &Actor, product: &str) -> tests::Reply {
    app.post(
        "/v1/subscriptions",
        actor,
        json!({"product_id": product, "license_count": 1, "trial": true}),
    )
    .await
}

#[actix_web::test]
async fn every_member_reads_the_defaults_and_only_admins_change_them() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let member = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let reply = app.get(SETTINGS, &member).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({"default_self_service_policy": "enabled", "license_requests": "enabled",
               "license_request_url": null, "spend_cap": null})
    );

    let reply = patch(&app, &member, json!({"license_requests": "disabled"})).await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));

    let reply = patch(
        &app,
        &admin,
        json!({"license_request_url": "https://it.example/licenses",
               "spend_cap": {"amount": 50000, "currency": "USD"}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({"default_self_service_policy": "enabled", "license_requests": "enabled",
               "license_request_url": "https://it.example/licenses",
               "spend_cap": {"amount": 50000, "currency": "USD"}})
    );
    // Absent fields stay as they are; null clears an optional one.
    let reply = patch(&app, &admin, json!({"spend_cap": null})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["spend_cap"], json!(null));
    assert_eq!(
        reply.body["license_request_url"],
        json!("https://it.example/licenses")
    );
    assert_eq!(app.get(SETTINGS, &member).await.body, reply.body);

    // Another organisation keeps its own defaults.
    let elsewhere = app.signed_in(Uuid::new_v4(), false).await;
    assert_eq!(
        app.get(SETTINGS, &elsewhere).await.body["license_request_url"],
        json!(null)
    );
}

#[actix_web::test]
async fn bad_settings_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    let before = app.get(SETTINGS, &admin).await.body;
    for (body, field) in [
        (
            json!({"license_request_url": "http://it.example"}),
            "license_request_url",
        ),
        (
            json!({"license_request_url": "https://user@evil.example"}),
            "license_request_url",
        ),
        (
            json!({"spend_cap": {"amount": -1, "currency": "USD"}}),
            "spend_cap",
        ),
        (
            json!({"spend_cap": {"amount": 100, "currency": "usd"}}),
            "spend_cap",
        ),
        (
            json!({"default_self_service_policy": "sometimes"}),
            "default_self_service_policy",
        ),
        (json!({"license_requests": "maybe"}), "license_requests"),
    ] {
        let reply = patch(&app, &admin, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {reply:?}");
        assert!(
            reply.body["field"]
                .as_str()
                .unwrap_or_default()
                .starts_with(field)
                || reply.body["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(field),
            "{body}: {reply:?}"
        );
    }
    let reply = patch(&app, &admin, json!({"colour": "blue"})).await;
    assert_eq!((reply.status, reply.code()), (422, "unknown_field"));
    assert_eq!(app.get(SETTINGS, &admin).await.body, before);
}

#[actix_web::test]
async fn the_default_policy_governs_products_without_their_own() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    let reply = patch(
        &app,
        &admin,
        json!({"default_self_service_policy": "disabled"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // CRM gets its own policy; Analytics has none, like a product added to
    // the catalog after the default was set (no per-product row exists).
    let reply = app
        .put(
            &format!("/v1/products/{CRM}/self-service-policy"),
            &admin,
            json!({"policy": "enabled"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    let product = app.get(&format!("/v1/products/{ANALYTICS}"), &member).await;
    assert_eq!(product.body["self_service_policy"], json!("disabled"));
    let reply = buy(&app, &member, ANALYTICS, 1).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "self_service_disabled"),
        "{reply:?}"
    );
    let reply = trial(&app, &member, ANALYTICS).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "self_service_disabled"),
        "{reply:?}"
    );

    // The product's own `enabled` wins over the default.
    assert_eq!(buy(&app, &member, CRM, 1).await.status, 201);

    // trials_only as the default: trials yes, purchases no.
    patch(
        &app,
        &admin,
        json!({"default_self_service_policy": "trials_only"}),
    )
    .await;
    let reply = buy(&app, &member, ANALYTICS, 1).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "trials_only"),
        "{reply:?}"
    );
    assert_eq!(trial(&app, &member, ANALYTICS).await.status, 201);
}

#[actix_web::test]
async fn purchases_up_to_the_cap_succeed_and_the_one_crossing_it_is_refused() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    let other = app.signed_in(org, false).await;
    let reply = patch(
        &app,
        &admin,
        json!({"spend_cap": {"amount": 5000, "currency": "USD"}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    assert_eq!(buy(&app, &member, CRM, 2).await.status, 201); // 2500
    let second = buy(&app, &member, CRM, 2).await; // 5000: exactly the cap
    assert_eq!(second.status, 201, "{second:?}");
    let subscriptions = app.get("/v1/subscriptions", &member).await.body;
    let invoices = app.get("/v1/invoices", &member).await.body;

    let reply = buy(&app, &member, CRM, 1).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "spend_cap_exceeded"),
        "{reply:?}"
    );
    assert_eq!(
        reply.body["cap"],
        json!({"amount": 5000, "currency": "USD"})
    );
    assert_eq!(
        reply.body["spent"],
        json!({"amount": 5000, "currency": "USD"})
    );
    assert_eq!(
        reply.body["requested"],
        json!({"amount": 1250, "currency": "USD"})
    );

    // An increase crossing it is refused the same way.
    let id = second.body["id"].as_str().unwrap();
    let tag = app
        .get(&format!("/v1/subscriptions/{id}"), &member)
        .await
        .header("etag")
        .unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{id}"),
            &member,
            &[("If-Match", &tag)],
            Some(&json!({"license_count": 3})),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "spend_cap_exceeded"),
        "{reply:?}"
    );
    assert_eq!(
        app.get("/v1/subscriptions", &member).await.body,
        subscriptions
    );
    assert_eq!(app.get("/v1/invoices", &member).await.body, invoices);

    // Trials carry no charge; another purchaser has a cap of their own.
    assert_eq!(trial(&app, &member, ANALYTICS).await.status, 201);
    assert_eq!(buy(&app, &other, CRM, 4).await.status, 201);

    // A cancellation's credit is money back: the month's net charge drops.
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &member,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(buy(&app, &member, CRM, 2).await.status, 201);

    // A new calendar month starts from nothing.
    app.set_today("2026-04-01");
    assert_eq!(buy(&app, &member, CRM, 4).await.status, 201);
}

#[actix_web::test]
async fn ten_concurrent_purchases_never_end_above_the_cap() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    let reply = patch(
        &app,
        &admin,
        json!({"spend_cap": {"amount": 5000, "currency": "USD"}}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let (profile, card) = app.billing_setup(&member).await;
    let body = json!({"product_id": CRM, "license_count": 1, "billing_frequency": "monthly",
                      "billing_profile_id": profile, "payment_method_id": card});
    let replies = futures_util::future::join_all(
        (0..10).map(|_| app.post("/v1/subscriptions", &member, body.clone())),
    )
    .await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    for r in &replies {
        assert!(
            r.status == 201 || (r.status == 403 && r.code() == "spend_cap_exceeded"),
            "{r:?}"
        );
    }
    assert_eq!(created, 4, "4 × 1250 = 5000 fits, a fifth would not");
    let invoices = app.get("/v1/invoices", &member).await.body;
    let spent: i64 = invoices["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["total"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(spent, 5000);
}
