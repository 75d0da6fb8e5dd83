//! Per-user rate limits.

use super::{bearer, raw};
use actix_web::http::Method;
use tests::{json, Actor, TestApp};
use usecases::Clock;
use uuid::Uuid;

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
