#![allow(clippy::unwrap_used, clippy::expect_used)]
//! In-app notifications (PRODUCT.md §8): who is told about what, the
//! caller's own list (unread filter, cursor pages), read marks that are
//! idempotent, and nobody else's notification reachable.

use serde_json::Value;
use tests::{json, Actor, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const SHAREPOINT: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a02";

async fn types(app: &TestApp, actor: &Actor) -> Vec<String> {
    let reply = app.get("/v1/notifications?limit=100", actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event_type"].as_str().unwrap().to_owned())
        .collect()
}

async fn trial(app: &TestApp, actor: &Actor, product: &str) -> Value {
    let reply = app
        .post(
            "/v1/subscriptions",
            actor,
            json!({"product_id": product, "license_count": 1, "trial": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.body
}

#[actix_web::test]
async fn each_is_told_what_concerns_them() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let (a1, a2) = (
        app.signed_in(org, true).await,
        app.signed_in(org, true).await,
    );
    let (bob, eve) = (
        app.signed_in(org, false).await,
        app.signed_in(org, false).await,
    );

    // Admins: every self-service purchase, the first trial of each product, every request.
    let bought = app.buy(&bob, CRM, 1).await;
    trial(&app, &bob, SHAREPOINT).await;
    trial(&app, &eve, SHAREPOINT).await; // not the first trial of that product
    let asked = app
        .post("/v1/license-requests", &eve, json!({"product_id": CRM}))
        .await;
    assert_eq!(asked.status, 201);
    let expected = [
        "license_request.created",
        "subscription.trial_started",
        "subscription.created",
    ];
    assert_eq!(types(&app, &a1).await, expected);
    assert_eq!(types(&app, &a2).await, expected);
    // An admin is not told of their own purchase; the other admin is.
    app.buy(&a1, CRM, 1).await;
    assert_eq!(types(&app, &a1).await.len(), 3);
    assert_eq!(types(&app, &a2).await[0], "subscription.created");

    // The purchaser: seat use (here 1 of 1: 100 %) and the take-over, told once.
    let sub = bought["id"].as_str().unwrap();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &bob,
            json!({"user_ids": [bob.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(types(&app, &bob).await, ["seats.threshold_reached"]);
    let reply = app
        .post(
            &format!("/v1/admin/subscriptions/{sub}/take-control"),
            &a2,
            json!({"action": "cancel", "reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        types(&app, &bob).await,
        ["subscription.taken_over", "seats.threshold_reached"]
    );

    // The requester: the decision. Their own cancellation is not news to them.
    let reply = app
        .post(
            &format!(
                "/v1/license-requests/{}/deny",
                asked.body["id"].as_str().unwrap()
            ),
            &a1,
            json!({"message": "no"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let told = app.get("/v1/notifications", &eve).await.body;
    assert_eq!(
        told["data"][0]["event_type"],
        json!("license_request.decided")
    );
    assert_eq!(told["data"][0]["title"], json!("License request decided"));
    assert!(told["data"][0]["summary"]
        .as_str()
        .unwrap()
        .contains("denied"));
    let own = app.buy(&eve, CRM, 1).await;
    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/cancel", own["id"].as_str().unwrap()),
            &eve,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(types(&app, &eve).await, ["license_request.decided"]);

    // Every notification names the event it tells about.
    let mut conn = app.state.services.db.pool().get().unwrap();
    for n in app.get("/v1/notifications", &bob).await.body["data"]
        .as_array()
        .unwrap()
    {
        let event: domain::EventId = n["event_id"].as_str().unwrap().parse().unwrap();
        let rows = persistence::repos::notifications::for_event(&mut conn, event).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].recipient_id.as_uuid(), bob.user_id);
    }
}

#[actix_web::test]
async fn unread_pages_and_idempotent_reads_of_ones_own() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let other_admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    for _ in 0..3 {
        let reply = app
            .post("/v1/license-requests", &member, json!({"product_id": CRM}))
            .await;
        assert_eq!(reply.status, 201);
        let id = reply.body["id"].as_str().unwrap().to_owned();
        let reply = app
            .post(
                &format!("/v1/license-requests/{id}/deny"),
                &other_admin,
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 200);
    }
    // Newest first, one at a time.
    let mut seen = Vec::new();
    let mut path = "/v1/notifications?limit=1".to_owned();
    loop {
        let page = app.get(&path, &admin).await;
        assert_eq!(page.status, 200, "{page:?}");
        seen.extend(page.body["data"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/notifications?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    let all = app.get("/v1/notifications", &admin).await.body["data"].clone();
    assert_eq!(json!(seen), all);

    let first = all[0]["id"].as_str().unwrap().to_owned();
    let read = app
        .post(
            &format!("/v1/notifications/{first}/read"),
            &admin,
            json!(null),
        )
        .await;
    assert_eq!(read.status, 200, "{read:?}");
    let read_at = read.body["read_at"].clone();
    assert!(read_at.is_string());
    let again = app
        .post(
            &format!("/v1/notifications/{first}/read"),
            &admin,
            json!(null),
        )
        .await;
    assert_eq!((again.status, &again.body["read_at"]), (200, &read_at));

    let unread = app.get("/v1/notifications?unread=true", &admin).await.body;
    let ids: Vec<&str> = unread["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&first.as_str()));

    // Another admin's copy, another organisation, an unknown id: 404.
    let stranger = app.signed_in(Uuid::new_v4(), true).await;
    for who in [&other_admin, &member, &stranger] {
        let reply = app
            .post(&format!("/v1/notifications/{first}/read"), who, json!(null))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (404, "not_found"),
            "{reply:?}"
        );
    }
    let unknown = Uuid::new_v4();
    let reply = app
        .post(
            &format!("/v1/notifications/{unknown}/read"),
            &admin,
            json!(null),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert!(app.get("/v1/notifications", &stranger).await.body["data"]
        .as_array()
        .unwrap()
        .is_empty());
    for bad in ["unread=maybe", "cursor=&=null"] {
        let reply = app.get(&format!("/v1/notifications?{bad}"), &admin).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "invalid_parameter"),
            "{bad}"
        );
    }
}
