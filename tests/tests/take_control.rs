#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Taking control of a member's purchase (PRODUCT.md §7): its users move to
//! an organisation subscription, all or nothing, or it is canceled.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month
const MAIL: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a04";

struct Org {
    admin: Actor,
    purchaser: Actor,
    users: Vec<Actor>,
    /// The purchaser's self-service subscription, with users[0..3] assigned.
    source: String,
}

async fn org(app: &TestApp) -> Org {
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let purchaser = app.signed_in(org, false).await;
    let mut users = Vec::new();
    for _ in 0..3 {
        users.push(app.signed_in(org, false).await);
    }
    let source = app.buy(&purchaser, CRM, 4).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{source}/assignments"),
            &purchaser,
            json!({"user_ids": users.iter().map(|u| u.user_id).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    Org {
        admin,
        purchaser,
        users,
        source,
    }
}

/// An organisation subscription of `product` with `licenses`, holding `holders`.
async fn target(
    app: &TestApp,
    admin: &Actor,
    product: &str,
    licenses: i64,
    holders: &[&Actor],
) -> String {
    let (profile, card) = app.billing_setup(admin).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            admin,
            json!({"product_id": product, "license_count": licenses, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": card, "source": "organization"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    if !holders.is_empty() {
        let reply = app
            .post(
                &format!("/v1/subscriptions/{id}/assignments"),
                admin,
                json!({"user_ids": holders.iter().map(|u| u.user_id).collect::<Vec<_>>()}),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    id
}

async fn take(app: &TestApp, admin: &Actor, id: &str, key: &str, body: Value) -> tests::Reply {
    app.send(
        Method::POST,
        &format!("/v1/admin/subscriptions/{id}/take-control"),
        admin,
        &[("Idempotency-Key", key)],
        Some(&body),
    )
    .await
}

async fn subscription(app: &TestApp, actor: &Actor, id: &str) -> Value {
    let reply = app.get(&format!("/v1/subscriptions/{id}"), actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body
}

async fn invoice_totals(app: &TestApp, actor: &Actor) -> Vec<i64> {
    let reply = app.get("/v1/invoices", actor).await;
    let mut totals: Vec<i64> = reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["total"]["amount"].as_i64().unwrap())
        .collect();
    totals.reverse();
    totals
}

#[actix_web::test]
async fn moving_users_cancels_the_purchase_with_its_credit_and_consumes_only_what_is_needed() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    // users[1] already holds a license of the target: 2 of its 3 free licenses are taken.
    let target = target(&app, &o.admin, CRM, 4, &[&o.users[1]]).await;

    let reply = take(
        &app,
        &o.admin,
        &o.source,
        "take-1",
        json!({"action": "move_users", "target_subscription_id": target}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["id"], json!(o.source));
    assert_eq!(reply.body["status"], json!("canceled"));
    assert_eq!(
        reply.body["cancellation"]["reason"],
        json!("taken_over_by_admin")
    );
    assert_eq!(reply.body["assigned_count"], json!(0));
    let mut moved: Vec<String> = reply.body["moved_user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    moved.sort();
    let mut expected: Vec<String> = o.users.iter().map(|u| u.user_id.to_string()).collect();
    expected.sort();
    assert_eq!(moved, expected);

    let t = subscription(&app, &o.admin, &target).await;
    assert_eq!(
        (t["assigned_count"].clone(), t["available_count"].clone()),
        (json!(3), json!(1))
    );
    for user in &o.users {
        let licenses = app
            .get(&format!("/v1/users/{}/licenses", user.user_id), &o.admin)
            .await;
        let held: Vec<&Value> = licenses.body["data"].as_array().unwrap().iter().collect();
        assert_eq!(held.len(), 1, "{licenses:?}");
        assert_eq!(held[0]["subscription_id"], json!(target));
    }
    // Bought today and canceled today: inside the refund window, 4 × 1250 back.
    assert_eq!(invoice_totals(&app, &o.purchaser).await, vec![5000, -5000]);
    // The purchaser still reads their (now canceled) purchase, and its history says who did it.
    let events = app
        .get(
            &format!("/v1/subscriptions/{}/events", o.source),
            &o.purchaser,
        )
        .await;
    assert_eq!(events.status, 200, "{events:?}");

    // The same key answers the same again; a second take is refused.
    let again = take(
        &app,
        &o.admin,
        &o.source,
        "take-1",
        json!({"action": "move_users", "target_subscription_id": target}),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let reply = take(
        &app,
        &o.admin,
        &o.source,
        "take-2",
        json!({"action": "cancel", "reason": "other"}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (409, "already_canceled"));
}

#[actix_web::test]
async fn a_target_short_of_licenses_changes_nothing_anywhere() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    // 3 users need 3 licenses; the target has 2 (one of them free).
    let target = target(&app, &o.admin, CRM, 2, &[&o.admin]).await;
    let source_before = subscription(&app, &o.purchaser, &o.source).await;
    let target_before = subscription(&app, &o.admin, &target).await;
    let invoices_before = invoice_totals(&app, &o.purchaser).await;

    let reply = take(
        &app,
        &o.admin,
        &o.source,
        "short",
        json!({"action": "move_users", "target_subscription_id": target}),
    )
    .await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "not_enough_licenses"),
        "{reply:?}"
    );
    assert_eq!(
        (
            reply.body["available"].clone(),
            reply.body["requested"].clone()
        ),
        (json!(1), json!(3))
    );

    assert_eq!(
        subscription(&app, &o.purchaser, &o.source).await,
        source_before
    );
    assert_eq!(subscription(&app, &o.admin, &target).await, target_before);
    assert_eq!(invoice_totals(&app, &o.purchaser).await, invoices_before);
}

#[actix_web::test]
async fn a_target_must_be_a_live_organisation_subscription_of_the_same_product() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    let other_product = target(&app, &o.admin, MAIL, 5, &[]).await;
    let someone_elses = app.buy(&o.users[0], CRM, 5).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let canceled = target(&app, &o.admin, CRM, 5, &[]).await;
    let reply = app
        .post(
            &format!("/v1/subscriptions/{canceled}/cancel"),
            &o.admin,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let elsewhere_admin = app.signed_in(Uuid::new_v4(), true).await;
    let foreign = target(&app, &elsewhere_admin, CRM, 5, &[]).await;
    for (n, bad) in [
        other_product,
        someone_elses,
        canceled,
        foreign,
        Uuid::new_v4().to_string(),
        o.source.clone(),
    ]
    .iter()
    .enumerate()
    {
        let reply = take(
            &app,
            &o.admin,
            &o.source,
            &format!("bad-{n}"),
            json!({"action": "move_users", "target_subscription_id": bad}),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "invalid_target_subscription"),
            "{bad}: {reply:?}"
        );
    }
    assert_eq!(
        subscription(&app, &o.purchaser, &o.source).await["status"],
        json!("active")
    );
}

#[actix_web::test]
async fn the_cancel_action_cancels_as_the_purchaser_would_and_releases_every_license() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    let reply = take(
        &app,
        &o.admin,
        &o.source,
        "cancel",
        json!({"action": "cancel", "reason": "switched_service", "feedback": "We buy this centrally."}),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("canceled"));
    assert_eq!(
        reply.body["cancellation"]["reason"],
        json!("switched_service")
    );
    assert_eq!(
        reply.body["cancellation"]["feedback"],
        json!("We buy this centrally.")
    );
    assert_eq!(reply.body["moved_user_ids"], json!([]));
    assert_eq!(reply.body["assigned_count"], json!(0));
    assert_eq!(invoice_totals(&app, &o.purchaser).await, vec![5000, -5000]);
    let licenses = app
        .get(
            &format!("/v1/users/{}/licenses", o.users[0].user_id),
            &o.admin,
        )
        .await;
    assert!(
        licenses.body["data"].as_array().unwrap().is_empty(),
        "{licenses:?}"
    );
}

#[actix_web::test]
async fn only_admins_take_control_and_only_of_live_self_service_purchases() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    let reply = take(
        &app,
        &o.users[0],
        &o.source,
        "m",
        json!({"action": "cancel", "reason": "other"}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));
    // Every other write on someone else's purchase stays read-only for an admin.
    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/cancel", o.source),
            &o.admin,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
    // Another organisation's admin does not see it at all.
    let stranger = app.signed_in(Uuid::new_v4(), true).await;
    let reply = take(
        &app,
        &stranger,
        &o.source,
        "s",
        json!({"action": "cancel", "reason": "other"}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));

    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/cancel", o.source),
            &o.purchaser,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = take(
        &app,
        &o.admin,
        &o.source,
        "late",
        json!({"action": "cancel", "reason": "other"}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (409, "already_canceled"));
}

#[actix_web::test]
async fn twenty_concurrent_take_control_requests_have_one_winner() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let o = org(&app).await;
    let target = target(&app, &o.admin, CRM, 10, &[]).await;
    let body = json!({"action": "move_users", "target_subscription_id": target});
    let keys: Vec<String> = (0..20).map(|n| format!("race-{n}")).collect();
    let replies = futures_util::future::join_all(
        keys.iter()
            .map(|key| take(&app, &o.admin, &o.source, key, body.clone())),
    )
    .await;
    let winners = replies.iter().filter(|r| r.status == 200).count();
    for r in &replies {
        assert!(
            r.status == 200 || (r.status == 409 && r.code() == "already_canceled"),
            "{r:?}"
        );
    }
    assert_eq!(winners, 1);
    let t = subscription(&app, &o.admin, &target).await;
    assert_eq!(t["assigned_count"], json!(3));
    assert_eq!(invoice_totals(&app, &o.purchaser).await, vec![5000, -5000]);
}
