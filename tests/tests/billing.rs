#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Billing accounts, profiles and cards — and card data that is never kept.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

pub const VISA: &str = "4242 4242 4242 4242";
pub const AMEX: &str = "378282246310005";

fn card(number: &str, cvc: &str) -> Value {
    json!({
        "card": {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": cvc, "holder_name": "Ada Lovelace"},
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    })
}

fn profile(payment_method_id: Option<&Value>) -> Value {
    json!({
        "name": "Marketing",
        "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "us"},
        "invoice_email": "ap@contoso.example",
        "po_number": "PO-1",
        "payment_method_id": payment_method_id,
    })
}

async fn account_id(app: &TestApp, actor: &Actor) -> String {
    let reply = app.get("/v1/billing-accounts", actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"][0]["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_purchaser_sets_up_account_profile_and_card() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let account = account_id(&app, &ada).await;
    assert_eq!(
        account_id(&app, &ada).await,
        account,
        "one account, created once"
    );

    let reply = app
        .post("/v1/payment-methods", &ada, card(VISA, "123"))
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let pm = reply.body["id"].clone();
    assert_eq!(reply.body["brand"], json!("visa"));
    assert_eq!(reply.body["last4"], json!("4242"));
    assert_eq!(reply.body["cvc_check"], json!("pass"));
    assert_eq!(reply.body["type"], json!("card"));
    assert!(!reply.body.to_string().contains("4242424242424242"));

    let reply = app
        .post(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
            profile(Some(&pm)),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let profile_id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.body["payment_method_id"], pm);
    assert_eq!(reply.body["bill_to"]["country"], json!("US"));

    let reply = app
        .get(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
        )
        .await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);

    // Edit the profile, then replace its card.
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/billing-profiles/{profile_id}"),
            Some(&ada.token),
            Some(&json!({"invoice_email": "bills@contoso.example", "po_number": ""})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["invoice_email"], json!("bills@contoso.example"));
    assert_eq!(reply.body["po_number"], json!(null));

    let reply = app
        .post("/v1/payment-methods", &ada, card(AMEX, "1234"))
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let amex = reply.body["id"].clone();
    let reply = app
        .put(
            &format!("/v1/billing-profiles/{profile_id}/payment-method"),
            &ada,
            json!({"payment_method_id": amex}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["payment_method_id"], amex);

    // Edit the card: expiry and a re-verified security code.
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/payment-methods/{}", pm.as_str().unwrap()),
            Some(&ada.token),
            Some(&json!({"exp_month": 1, "exp_year": 2036, "cvc": "999"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        (
            reply.body["exp_month"].clone(),
            reply.body["exp_year"].clone()
        ),
        (json!(1), json!(2036))
    );

    // The number cannot be edited.
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/payment-methods/{}", pm.as_str().unwrap()),
            Some(&ada.token),
            Some(&json!({"number": "4111111111111111"})),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (422, "unknown_field"));
    assert!(!reply.body.to_string().contains("4111111111111111"));
}

#[actix_web::test]
async fn each_card_validation_failure_has_its_code_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let mut expired = card(VISA, "123");
    expired["card"]["exp_year"] = json!(2020);
    let mut bad_month = card(VISA, "123");
    bad_month["card"]["exp_month"] = json!(13);
    let mut no_holder = card(VISA, "123");
    no_holder["card"]["holder_name"] = json!("  ");
    let mut bad_country = card(VISA, "123");
    bad_country["billing_address"]["country"] = json!("XX");
    let mut number_as_integer = card(VISA, "123");
    number_as_integer["card"]["number"] = json!(4242424242424242_u64);
    for (body, status, code, field) in [
        (
            card("4242 4242 4242 4241", "123"),
            422,
            "card_number_invalid",
            "card.number",
        ),
        (
            card("3530111333300000", "123"),
            422,
            "card_brand_unsupported",
            "card.number",
        ),
        (expired, 422, "card_expired", "card.exp_month"),
        (bad_month, 422, "card_expiry_invalid", "card.exp_month"),
        (card(VISA, "12"), 422, "cvc_invalid", "card.cvc"),
        (card(AMEX, "123"), 422, "cvc_invalid", "card.cvc"),
        (no_holder, 422, "holder_name_invalid", "card.holder_name"),
        (bad_country, 422, "invalid_field", "billing_address.country"),
        (number_as_integer, 422, "invalid_field", "card.number"),
    ] {
        let reply = app.post("/v1/payment-methods", &ada, body).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{reply:?}");
        assert_eq!(reply.body["field"], json!(field), "{reply:?}");
        assert!(
            !reply.body.to_string().contains("424242424242"),
            "no number in errors: {reply:?}"
        );
    }
    let reply = app.get("/v1/payment-methods", &ada).await;
    assert_eq!(reply.body["data"], json!([]), "nothing stored");
}

#[actix_web::test]
async fn the_same_card_twice_is_a_conflict_naming_the_first() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let first = app
        .post("/v1/payment-methods", &ada, card(VISA, "123"))
        .await;
    let again = app
        .post(
            "/v1/payment-methods",
            &ada,
            card("4242-4242-4242-4242", "321"),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "duplicate_payment_method")
    );
    assert_eq!(again.body["existing_id"], first.body["id"]);
    // Another member may hold the same card.
    let bob = app.signed_in(ada.org, false).await;
    assert_eq!(
        app.post("/v1/payment-methods", &bob, card(VISA, "123"))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn only_the_owner_sees_cards_and_profiles() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let ada = app.signed_in(org, false).await;
    let colleague = app.signed_in(org, true).await;
    let stranger = app.signed_in(Uuid::new_v4(), true).await;
    let pm = app
        .post("/v1/payment-methods", &ada, card(VISA, "123"))
        .await
        .body["id"]
        .clone();
    let account = account_id(&app, &ada).await;
    let profile = app
        .post(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
            profile(None),
        )
        .await
        .body["id"]
        .clone();
    for other in [&colleague, &stranger] {
        for path in [
            format!("/v1/payment-methods/{}", pm.as_str().unwrap()),
            format!("/v1/billing-profiles/{}", profile.as_str().unwrap()),
            format!("/v1/billing-accounts/{account}"),
            format!("/v1/billing-accounts/{account}/billing-profiles"),
        ] {
            let reply = app.get(&path, other).await;
            assert_eq!(
                (reply.status, reply.code()),
                (404, "not_found"),
                "{path}: {reply:?}"
            );
        }
        let reply = app
            .call(
                Method::DELETE,
                &format!("/v1/payment-methods/{}", pm.as_str().unwrap()),
                Some(&other.token),
                None,
            )
            .await;
        assert_eq!(reply.status, 404);
        // Someone else's card cannot become my profile's default.
        let own_account = account_id(&app, other).await;
        let reply = app
            .post(
                &format!("/v1/billing-accounts/{own_account}/billing-profiles"),
                other,
                self::profile(Some(&pm)),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "invalid_reference"),
            "{reply:?}"
        );
    }
    assert_eq!(
        app.get(
            &format!("/v1/payment-methods/{}", pm.as_str().unwrap()),
            &ada
        )
        .await
        .status,
        200
    );
}

#[actix_web::test]
async fn a_card_charged_by_live_subscriptions_cannot_be_removed_until_replaced() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let visa = app
        .post("/v1/payment-methods", &ada, card(VISA, "123"))
        .await
        .body["id"]
        .clone();
    let amex = app
        .post("/v1/payment-methods", &ada, card(AMEX, "1234"))
        .await
        .body["id"]
        .clone();
    let account = account_id(&app, &ada).await;
    let profile = app
        .post(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
            profile(Some(&visa)),
        )
        .await
        .body["id"]
        .clone();
    let visa_path = format!("/v1/payment-methods/{}", visa.as_str().unwrap());
    let buy = json!({"product_id": "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01", "license_count": 2, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": visa});
    let sub = app.post("/v1/subscriptions", &ada, buy).await;
    assert_eq!(sub.status, 201, "{sub:?}");

    let reply = app
        .call(Method::DELETE, &visa_path, Some(&ada.token), None)
        .await;
    assert_eq!((reply.status, reply.code()), (409, "payment_method_in_use"));
    assert_eq!(app.get(&visa_path, &ada).await.status, 200, "still there");

    // Replacing the profile's default moves the subscription to the new card.
    let reply = app
        .put(
            &format!(
                "/v1/billing-profiles/{}/payment-method",
                profile.as_str().unwrap()
            ),
            &ada,
            json!({"payment_method_id": amex}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let sub = app
        .get(
            &format!("/v1/subscriptions/{}", sub.body["id"].as_str().unwrap()),
            &ada,
        )
        .await;
    assert_eq!(
        sub.body["payment_method_id"], amex,
        "the subscription follows the profile"
    );

    let reply = app
        .call(Method::DELETE, &visa_path, Some(&ada.token), None)
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(app.get(&visa_path, &ada).await.status, 404);
    // A removed card can be added again.
    assert_eq!(
        app.post("/v1/payment-methods", &ada, card(VISA, "123"))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn removing_an_unused_default_card_clears_the_profile_default() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let visa = app
        .post("/v1/payment-methods", &ada, card(VISA, "123"))
        .await
        .body["id"]
        .clone();
    let account = account_id(&app, &ada).await;
    let profile = app
        .post(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
            profile(Some(&visa)),
        )
        .await
        .body["id"]
        .clone();
    let reply = app
        .call(
            Method::DELETE,
            &format!("/v1/payment-methods/{}", visa.as_str().unwrap()),
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
    let reply = app
        .get(
            &format!("/v1/billing-profiles/{}", profile.as_str().unwrap()),
            &ada,
        )
        .await;
    assert_eq!(reply.body["payment_method_id"], json!(null));
}

#[actix_web::test]
async fn idempotency_replays_refuses_reuse_and_absorbs_concurrent_duplicates() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let send = |key: &'static str, body: Value| {
        let app = &app;
        let token = ada.token.clone();
        async move {
            let client = awc::Client::default();
            let mut response = client
                .post(format!("{}/v1/payment-methods", app.base))
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Idempotency-Key", key))
                .send_json(&body)
                .await
                .unwrap();
            let status = response.status().as_u16();
            let replayed = response.headers().contains_key("idempotent-replayed");
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, replayed, body)
        }
    };
    let (s1, r1, b1) = send("key-1", card(VISA, "123")).await;
    let (s2, r2, b2) = send("key-1", card(VISA, "123")).await;
    assert_eq!((s1, r1), (201, false));
    assert_eq!((s2, r2), (201, true), "replayed");
    assert_eq!(b1, b2, "same response");
    let (s3, _, b3) = send("key-1", card(AMEX, "1234")).await;
    assert_eq!(
        (s3, b3["code"].clone()),
        (422, json!("idempotency_key_reused"))
    );

    let results = futures_util::future::join_all(
        (0..10).map(|_| send("key-2", card("5555555555554444", "123"))),
    )
    .await;
    let created: Vec<_> = results
        .iter()
        .filter(|(s, r, _)| *s == 201 && !*r)
        .collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for (status, _, body) in &results {
        assert!(
            *status == 201
                || (*status == 409 && body["code"] == json!("idempotency_request_in_progress")),
            "{status} {body}"
        );
    }
    let list = app.get("/v1/payment-methods", &ada).await;
    assert_eq!(
        list.body["data"].as_array().unwrap().len(),
        2,
        "one visa, one mastercard"
    );
}

#[actix_web::test]
async fn concurrent_first_calls_create_one_billing_account() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let replies =
        futures_util::future::join_all((0..10).map(|_| app.get("/v1/billing-accounts", &ada)))
            .await;
    let ids: std::collections::HashSet<_> = replies
        .iter()
        .map(|r| r.body["data"][0]["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{replies:?}");
}

#[actix_web::test]
async fn no_card_number_or_security_code_reaches_the_database_or_logs() {
    tests::capture_logs();
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let secrets = [
        ("4242424242424242", "4242 4242 4242 4242", "9071"),
        ("378282246310005", "378282246310005", "8274"),
        ("5555555555554444", "5555555555554444", "6315"),
    ];
    for (_, number, cvc) in secrets {
        let mut body = card(number, cvc);
        if number.starts_with('3') {
            body["card"]["cvc"] = json!(cvc);
        } else {
            body["card"]["cvc"] = json!(&cvc[..3]);
        }
        let key = Uuid::new_v4().to_string();
        let reply = app
            .call_with_header(
                Method::POST,
                "/v1/payment-methods",
                &ada.token,
                ("Idempotency-Key", &key),
                &body,
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let pm = reply.body["id"].as_str().unwrap().to_owned();
        let reply = app
            .call(
                Method::PATCH,
                &format!("/v1/payment-methods/{pm}"),
                Some(&ada.token),
                Some(&json!({"cvc": body["card"]["cvc"]})),
            )
            .await;
        assert_eq!(reply.status, 200);
    }
    let mut scanned = 0;
    // The SQLite file and WAL, or a pg_dump of the test's schema; then the logs.
    let database = app.database_bytes();
    assert!(
        database
            .iter()
            .any(|(_, bytes)| contains(bytes, b"Ada Lovelace")),
        "the scan sees the stored cards (holder name present)"
    );
    for (path, bytes) in database
        .into_iter()
        .chain([("logs".to_owned(), tests::captured_logs())])
    {
        scanned += bytes.len();
        for (digits, spaced, cvc) in secrets {
            let cvc = if digits.starts_with('3') {
                cvc
            } else {
                &cvc[..3]
            };
            for needle in [digits, spaced] {
                assert!(
                    !contains(&bytes, needle.as_bytes()),
                    "{path} holds a card number"
                );
            }
            let quoted = format!("\"{cvc}\"");
            assert!(
                !contains(&bytes, quoted.as_bytes()),
                "{path} holds a security code"
            );
        }
    }
    assert!(scanned > 0);
    assert!(
        !tests::captured_logs().is_empty(),
        "the service logged through the capture"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
