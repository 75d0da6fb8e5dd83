#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Input hygiene (PRODUCT.md §10): repeated keys, wrong types in plain words,
//! invisible-only text and bidirectional overrides; each refused, nothing changed.

use tests::{json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

/// Words a client should never have to read.
const RUST_SPEAK: &[&str] = &[
    "i64",
    "u32",
    "u64",
    "i32",
    "usize",
    "struct",
    "invalid type",
    "UUID parsing",
    "expected",
    "variant",
    "serde",
];

fn plain_words(detail: &str) {
    for word in RUST_SPEAK {
        assert!(!detail.contains(word), "`{word}` in: {detail}");
    }
}

#[actix_web::test]
async fn a_repeated_key_is_refused_by_name_and_buys_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, card) = app.billing_setup(&owner).await;
    let body = format!(
        r#"{{"product_id":"{CRM}","license_count":1,"license_count":300,"billing_frequency":"monthly","billing_profile_id":"{profile}","payment_method_id":"{card}"}}"#
    );
    let reply = app
        .call_raw(
            Method::POST,
            "/v1/subscriptions",
            &owner.token,
            "application/json",
            body.into_bytes(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "duplicate_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], "license_count");
    let nested = r#"{"card":{"number":"4242424242424242","number":"5555555555554444","exp_month":12,"exp_year":2040,"cvc":"123","holder_name":"A"},"billing_address":{"line1":"1","city":"c","postal_code":"1","country":"US"}}"#;
    let reply = app
        .call_raw(
            Method::POST,
            "/v1/payment-methods",
            &owner.token,
            "application/json",
            nested.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "duplicate_field"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], "card.number");
    assert!(!reply.body.to_string().contains("4242424242424242"));

    let subscriptions = app.get("/v1/subscriptions", &owner).await;
    assert_eq!(subscriptions.body["data"].as_array().unwrap().len(), 0);
    let cards = app.get("/v1/payment-methods", &owner).await;
    assert_eq!(
        cards.body["data"].as_array().unwrap().len(),
        1,
        "only the set-up card"
    );
}

#[actix_web::test]
async fn wrong_types_are_explained_in_the_clients_words() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, card) = app.billing_setup(&owner).await;
    let cases = [
        (
            json!({"product_id": CRM, "license_count": "ten", "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": card}),
            "license_count",
            "whole number",
        ),
        (
            json!({"product_id": CRM, "license_count": 1.5, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": card}),
            "license_count",
            "whole number",
        ),
        (
            json!({"product_id": "not-an-id", "license_count": 1, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": card}),
            "product_id",
            "id such as",
        ),
        (
            json!({"product_id": CRM, "license_count": 1, "billing_frequency": "weekly", "billing_profile_id": profile, "payment_method_id": card}),
            "billing_frequency",
            "one of: monthly, annual",
        ),
    ];
    for (body, field, words) in cases {
        let reply = app.post("/v1/subscriptions", &owner, body).await;
        assert_eq!(reply.status, 422, "{reply:?}");
        assert_eq!(reply.body["field"], field, "{reply:?}");
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains(words), "{detail}");
        plain_words(detail);
    }
    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/assignments", Uuid::new_v4()),
            &owner,
            json!({"user_ids": "everyone"}),
        )
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    plain_words(reply.body["detail"].as_str().unwrap());
    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/assignments", Uuid::new_v4()),
            &owner,
            json!({"user_ids": [true]}),
        )
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    plain_words(reply.body["detail"].as_str().unwrap());
    let reply = app
        .post(
            "/v1/payment-methods",
            &owner,
            json!({"card": {"number": "4242424242424242", "exp_month": "December", "exp_year": 2040, "cvc": "123", "holder_name": "A"},
                   "billing_address": {"line1": "1", "city": "c", "postal_code": "1", "country": "US"}}),
        )
        .await;
    assert_eq!(reply.body["field"], "card.exp_month", "{reply:?}");
    plain_words(reply.body["detail"].as_str().unwrap());

    for query in [
        "/v1/subscriptions?limit=many",
        "/v1/subscriptions?status=sleeping",
        "/v1/invoices?from=yesterday&period=custom&to=2026-01-01",
        "/v1/invoices?subscription_id=42",
    ] {
        let reply = app.get(query, &owner).await;
        assert_eq!(reply.status, 422, "{query}: {reply:?}");
        plain_words(reply.body["detail"].as_str().unwrap());
    }
    assert_eq!(
        app.get("/v1/subscriptions", &owner).await.body["data"],
        json!([])
    );
}

#[actix_web::test]
async fn invisible_and_bidi_text_is_refused_in_every_free_text_field() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let (profile, _) = app.billing_setup(&owner).await;
    let bad_texts = [
        "\u{200B}\u{200B}",
        "Invoice\u{202E}fdp.exe",
        "a\u{2066}b",
        "\u{3164}",
    ];

    for bad in bad_texts {
        let reply = app
            .post(
                "/v1/users",
                &admin,
                json!({"display_name": bad, "email": "x@example.com"}),
            )
            .await;
        assert_eq!(reply.status, 422, "display_name {bad:?}: {reply:?}");

        let reply = app
            .call(
                Method::PATCH,
                &format!("/v1/billing-profiles/{profile}"),
                Some(&owner.token),
                Some(&json!({"name": bad})),
            )
            .await;
        assert_eq!(reply.status, 422, "profile name {bad:?}: {reply:?}");
        assert_eq!(reply.body["field"], "name");

        let reply = app
            .call(
                Method::PATCH,
                &format!("/v1/billing-profiles/{profile}"),
                Some(&owner.token),
                Some(&json!({"bill_to": {"line1": bad, "city": "Springfield", "postal_code": "1", "country": "US"}})),
            )
            .await;
        assert_eq!(reply.status, 422, "line1 {bad:?}: {reply:?}");

        let reply = app
            .post(
                "/v1/payment-methods",
                &owner,
                json!({"card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": bad},
                       "billing_address": {"line1": "1", "city": "c", "postal_code": "1", "country": "US"}}),
            )
            .await;
        assert_eq!(reply.status, 422, "holder {bad:?}: {reply:?}");
    }
    let sub = app.buy(&owner, CRM, 1).await;
    let reply = app
        .post(
            &format!("/v1/subscriptions/{}/cancel", sub["id"].as_str().unwrap()),
            &owner,
            json!({"reason": "other", "feedback": "fine\u{202E}txt"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.body["field"].as_str()),
        (422, Some("feedback")),
        "{reply:?}"
    );

    // Nothing changed: no user, the profile as set up, the subscription still active.
    let users = app.get("/v1/users?search=x", &admin).await;
    assert!(users.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["email"] != "x@example.com"));
    let p = app
        .get(&format!("/v1/billing-profiles/{profile}"), &owner)
        .await;
    assert_eq!(p.body["name"], "Team");
    assert_eq!(p.body["bill_to"]["line1"], "1 Main St");
    let s = app
        .get(
            &format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap()),
            &owner,
        )
        .await;
    assert_eq!(s.body["status"], "active");
    assert_eq!(
        app.get("/v1/payment-methods", &owner).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Visible text in any script is welcome.
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/billing-profiles/{profile}"),
            Some(&owner.token),
            Some(&json!({"name": "Zażółć gęślą jaźń – “Sp. z o.o.”"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}
