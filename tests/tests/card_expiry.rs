#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Cards at the moment of use (PRODUCT.md §10): a card past its expiry month
//! cannot pay for a purchase or conversion, become a profile's default, or
//! renew a subscription; reads say `expired`.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, trial 30 days / 25
const MASTERCARD: &str = "5555555555554444";

/// Adds a Mastercard expiring at the end of `month`/`year`; returns its id.
async fn card_expiring(app: &TestApp, actor: &Actor, month: i64, year: i64) -> String {
    let body = json!({
        "card": {"number": MASTERCARD, "exp_month": month, "exp_year": year, "cvc": "123", "holder_name": "Ada Lovelace"},
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    let reply = app.post("/v1/payment-methods", actor, body).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["expired"], json!(false));
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn list(app: &TestApp, actor: &Actor, path: &str) -> Vec<Value> {
    let reply = app.get(path, actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().clone()
}

fn assert_card_expired(reply: &tests::Reply) {
    assert_eq!(
        (reply.status, reply.code()),
        (422, "card_expired"),
        "{reply:?}"
    );
    assert_eq!(reply.body["field"], json!("payment_method_id"), "{reply:?}");
}

#[actix_web::test]
async fn an_expired_card_cannot_buy_convert_or_become_a_default_and_nothing_changes() {
    let app = TestApp::spawn_at("2026-01-15").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, good) = app.billing_setup(&ada).await;
    let old = card_expiring(&app, &ada, 2, 2026).await;

    // March: the February card has expired; the 2040 one has not.
    app.set_today("2026-03-01");
    let reply = app.get(&format!("/v1/payment-methods/{old}"), &ada).await;
    assert_eq!(reply.body["expired"], json!(true), "{reply:?}");
    let reply = app.get(&format!("/v1/payment-methods/{good}"), &ada).await;
    assert_eq!(reply.body["expired"], json!(false), "{reply:?}");
    let cards = list(&app, &ada, "/v1/payment-methods").await;
    // Both were added at the same instant: the list orders them by id.
    let expired: std::collections::BTreeMap<_, _> = cards
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["expired"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        expired,
        [(good.as_str(), false), (old.as_str(), true)].into()
    );

    // Buy.
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 3, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": old}),
        )
        .await;
    assert_card_expired(&reply);
    assert!(list(&app, &ada, "/v1/subscriptions").await.is_empty());

    // Convert (a trial needs no card).
    let trial = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 3, "trial": true}),
        )
        .await;
    assert_eq!(trial.status, 201, "{trial:?}");
    let trial_id = trial.body["id"].as_str().unwrap().to_owned();
    let before = app
        .get(&format!("/v1/subscriptions/{trial_id}"), &ada)
        .await;
    let reply = app
        .post(
            &format!("/v1/subscriptions/{trial_id}/convert"),
            &ada,
            json!({"billing_profile_id": profile, "payment_method_id": old, "billing_frequency": "monthly"}),
        )
        .await;
    assert_card_expired(&reply);
    let after = app
        .get(&format!("/v1/subscriptions/{trial_id}"), &ada)
        .await;
    assert_eq!(after.body, before.body, "the trial is untouched");
    assert_eq!(after.header("etag"), before.header("etag"));
    assert_eq!(after.body["status"], json!("trial"));

    // Replace the profile's default, by PUT and by PATCH.
    let profile_before = app
        .get(&format!("/v1/billing-profiles/{profile}"), &ada)
        .await;
    assert_eq!(profile_before.body["payment_method_id"], json!(good));
    let reply = app
        .put(
            &format!("/v1/billing-profiles/{profile}/payment-method"),
            &ada,
            json!({"payment_method_id": old}),
        )
        .await;
    assert_card_expired(&reply);
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/billing-profiles/{profile}"),
            Some(&ada.token),
            Some(&json!({"payment_method_id": old, "name": "Renamed"})),
        )
        .await;
    assert_card_expired(&reply);
    let profile_after = app
        .get(&format!("/v1/billing-profiles/{profile}"), &ada)
        .await;
    assert_eq!(profile_after.body, profile_before.body, "profile unchanged");

    // Nor can a new profile start with it as its default.
    let account = list(&app, &ada, "/v1/billing-accounts").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let profiles = format!("/v1/billing-accounts/{account}/billing-profiles");
    let reply = app
        .post(
            &profiles,
            &ada,
            json!({
                "name": "Second", "invoice_email": "ap@example.com", "payment_method_id": old,
                "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
            }),
        )
        .await;
    assert_card_expired(&reply);
    assert_eq!(list(&app, &ada, &profiles).await.len(), 1);

    assert!(
        list(&app, &ada, "/v1/invoices").await.is_empty(),
        "no invoice"
    );

    // The valid card still does all three.
    let reply = app
        .post(
            &format!("/v1/subscriptions/{trial_id}/convert"),
            &ada,
            json!({"billing_profile_id": profile, "payment_method_id": good, "billing_frequency": "monthly"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn a_card_is_valid_through_the_last_day_of_its_expiry_month() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, _) = app.billing_setup(&ada).await;
    let march = card_expiring(&app, &ada, 3, 2026).await;

    app.set_today("2026-03-31");
    let reply = app.get(&format!("/v1/payment-methods/{march}"), &ada).await;
    assert_eq!(reply.body["expired"], json!(false), "{reply:?}");
    let reply = app
        .put(
            &format!("/v1/billing-profiles/{profile}/payment-method"),
            &ada,
            json!({"payment_method_id": march}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 2, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": march}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");

    app.set_today("2026-04-01");
    let reply = app.get(&format!("/v1/payment-methods/{march}"), &ada).await;
    assert_eq!(reply.body["expired"], json!(true), "{reply:?}");
}

#[actix_web::test]
async fn a_renewal_with_an_expired_card_charges_nothing_ends_and_settles_credits_once() {
    let app = TestApp::spawn_with(
        &[("SELFSERVE_TAX_RATE_BPS", "825")],
        usecases::Clock::Fixed(std::sync::Arc::new(std::sync::RwLock::new(
            chrono::NaiveDate::from_ymd_opt(2026, 1, 10)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc(),
        ))),
    )
    .await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, _) = app.billing_setup(&ada).await;
    // Valid through January 2026; the first renewal is due on 10 February.
    let january = card_expiring(&app, &ada, 1, 2026).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 10, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": january}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.body["current_period_end"], json!("2026-02-10"));

    // 31 January: 10 of the period's 31 days remain.
    app.set_today("2026-01-31");
    let tag = app
        .get(&format!("/v1/subscriptions/{id}"), &ada)
        .await
        .header("etag")
        .unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{id}"),
            &ada,
            &[("If-Match", &tag)],
            Some(&json!({"license_count": 4})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    app.set_today("2026-02-10");
    let report = app.billing_run("2026-02-10");
    assert_eq!(
        (
            report.renewals,
            report.lapsed,
            report.card_expired,
            report.credits_settled
        ),
        (0, 1, 1, 1),
        "{report:?}"
    );
    let sub = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(sub.body["status"], json!("expired"), "{sub:?}");
    assert_eq!(sub.body["current_period_end"], json!("2026-02-10"));

    let invoices = list(&app, &ada, "/v1/invoices").await;
    assert_eq!(invoices.len(), 2, "the purchase and the credit: no renewal");
    let credit = &invoices[0];
    let kinds: Vec<_> = credit["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("prorated_decrease_credit")]);
    // −round(6 × 1250 × 10 / 31) = −round(2419.35) = −2419; tax −round(199.57) = −200.
    assert_eq!(credit["subtotal"]["amount"], json!(-2419));
    assert_eq!(credit["tax"]["amount"], json!(-200));
    assert_eq!(credit["total"]["amount"], json!(-2619));
    assert_eq!(credit["status"], json!("credited"));
    assert_eq!(credit["issue_date"], json!("2026-02-10"));

    let again = app.billing_run("2026-02-10");
    assert_eq!(again, Default::default(), "a second run changes nothing");
    let later = app.billing_run("2026-03-10");
    assert_eq!(later, Default::default(), "nor does a later one");
    assert_eq!(list(&app, &ada, "/v1/invoices").await.len(), 2);
}

#[actix_web::test]
async fn a_renewal_catching_up_stops_at_the_first_period_the_card_does_not_cover() {
    let app = TestApp::spawn_at("2026-01-05").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, _) = app.billing_setup(&ada).await;
    let february = card_expiring(&app, &ada, 2, 2026).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 2, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": february}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();

    // A run missed until May: the 5 February renewal is covered, 5 March is
    // not; the subscription expired on 5 March and, its 30 days of grace over
    // on 4 April, is disabled (PRODUCT.md §8).
    app.set_today("2026-05-01");
    let report = app.billing_run("2026-05-01");
    assert_eq!(
        (
            report.renewals,
            report.lapsed,
            report.card_expired,
            report.disabled
        ),
        (1, 1, 1, 1),
        "{report:?}"
    );
    let sub = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(sub.body["status"], json!("disabled"));
    assert_eq!(sub.body["current_period_start"], json!("2026-02-05"));
    assert_eq!(sub.body["current_period_end"], json!("2026-03-05"));
    let periods: Vec<_> = list(
        &app,
        &ada,
        "/v1/invoices?period=custom&from=2026-01-01&to=2026-12-31",
    )
    .await
    .iter()
    .map(|i| i["period_start"].clone())
    .collect();
    assert_eq!(periods, vec![json!("2026-02-05"), json!("2026-01-05")]);
    assert_eq!(app.billing_run("2026-05-01"), Default::default());
}
