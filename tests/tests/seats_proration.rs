#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Proration behaviour per billing profile (PRODUCT.md §9): `invoice_now`
//! (the default) issues an invoice per increase; `next_invoice` leaves pending
//! charges that the next invoice (renewal, cancellation or lapse) carries.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month

/// Buys `licenses` monthly on a profile set to `behavior`; returns the subscription id.
async fn buy_on(app: &TestApp, ada: &Actor, behavior: &str, licenses: i64) -> String {
    let (profile, pm) = app.billing_setup(ada).await;
    let path = format!("/v1/billing-profiles/{profile}");
    let read = app.get(&path, ada).await;
    assert_eq!(
        read.body["proration_behavior"],
        json!("invoice_now"),
        "the default"
    );
    let reply = app
        .call(
            Method::PATCH,
            &path,
            Some(&ada.token),
            Some(&json!({ "proration_behavior": behavior })),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["proration_behavior"], json!(behavior));
    let reply = app
        .post(
            "/v1/subscriptions",
            ada,
            json!({"product_id": CRM, "license_count": licenses, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": pm}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn patch_count(app: &TestApp, ada: &Actor, id: &str, licenses: i64) {
    let path = format!("/v1/subscriptions/{id}");
    let etag = app.get(&path, ada).await.header("etag").unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &path,
            ada,
            &[("If-Match", &etag)],
            Some(&json!({ "license_count": licenses })),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

/// Oldest first.
async fn invoices(app: &TestApp, ada: &Actor) -> Vec<Value> {
    let reply = app.get("/v1/invoices?period=last_6_months", ada).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let mut list = reply.body["data"].as_array().unwrap().clone();
    list.reverse();
    list
}

fn lines(invoice: &Value) -> Vec<(String, i64, i64)> {
    invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
                l["amount"]["amount"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line(kind: &str, quantity: i64, amount: i64) -> (String, i64, i64) {
    (kind.to_owned(), quantity, amount)
}

#[actix_web::test]
async fn next_invoice_increases_accumulate_and_ride_on_the_renewal_then_the_cancellation() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = buy_on(&app, &ada, "next_invoice", 10).await;

    // March has 31 days. On the 11th, 21 are left: round(2 × 1250 × 21 / 31) = 1694.
    app.set_today("2026-03-11");
    let preview = app
        .post(
            &format!("/v1/subscriptions/{id}/license-count-preview"),
            &ada,
            json!({"license_count": 12}),
        )
        .await;
    assert_eq!(preview.body["billing"], json!("charged_on_next_invoice"));
    assert_eq!(preview.body["prorated_amount"]["amount"], json!(1694));
    patch_count(&app, &ada, &id, 12).await;
    // On the 21st, 11 are left: round(1250 × 11 / 31) = 444.
    app.set_today("2026-03-21");
    patch_count(&app, &ada, &id, 13).await;
    assert_eq!(
        invoices(&app, &ada).await.len(),
        1,
        "no invoice per increase"
    );

    app.set_today("2026-04-01");
    assert_eq!(app.billing_run("2026-04-01").renewals, 1);
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2);
    let mut renewal = lines(&list[1]);
    renewal.sort();
    assert_eq!(
        renewal,
        vec![
            line("prorated_increase", 1, 444),
            line("prorated_increase", 2, 1694),
            line("renewal", 13, 13 * 1250),
        ]
    );
    assert_eq!(list[1]["subtotal"]["amount"], json!(13 * 1250 + 1694 + 444));
    // A second run carries nothing twice.
    app.billing_run("2026-04-01");
    assert_eq!(invoices(&app, &ada).await.len(), 2);

    // April has 30 days. On the 11th, 20 are left: round(1250 × 20 / 30) = 833.
    app.set_today("2026-04-11");
    patch_count(&app, &ada, &id, 14).await;
    app.set_today("2026-04-21");
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &ada,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 3);
    let mut cancellation = lines(&list[2]);
    cancellation.sort();
    // Ten unused days of 14 licenses: round(−14 × 1250 × 10 / 30) = −5833.
    assert_eq!(
        cancellation,
        vec![
            line("cancellation_credit", -14, -5833),
            line("prorated_increase", 1, 833),
        ]
    );
}

#[actix_web::test]
async fn a_lapse_settles_the_pending_charges() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = buy_on(&app, &ada, "next_invoice", 10).await;
    app.set_today("2026-03-11");
    patch_count(&app, &ada, &id, 12).await;
    // A decrease credit waits beside it: round(−1250 × 11 / 31) = −444.
    app.set_today("2026-03-21");
    patch_count(&app, &ada, &id, 11).await;
    let path = format!("/v1/subscriptions/{id}");
    let etag = app.get(&path, &ada).await.header("etag").unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &path,
            &ada,
            &[("If-Match", &etag)],
            Some(&json!({"auto_renew": false})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    app.set_today("2026-04-01");
    let report = app.billing_run("2026-04-01");
    assert_eq!((report.lapsed, report.renewals), (1, 0));
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2);
    let mut settled = lines(&list[1]);
    settled.sort();
    assert_eq!(
        settled,
        vec![
            line("prorated_decrease_credit", -1, -444),
            line("prorated_increase", 2, 1694),
        ]
    );
    assert_eq!(list[1]["status"], json!("paid"), "it nets to a charge");
    app.billing_run("2026-04-02");
    assert_eq!(invoices(&app, &ada).await.len(), 2, "settled once");
}

#[actix_web::test]
async fn invoice_now_stays_the_default_and_bad_values_are_refused() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = buy_on(&app, &ada, "invoice_now", 10).await;
    app.set_today("2026-03-11");
    patch_count(&app, &ada, &id, 12).await;
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2);
    assert_eq!(lines(&list[1]), vec![line("prorated_increase", 2, 1694)]);

    let (profile, _) = app.billing_setup(&ada).await;
    let path = format!("/v1/billing-profiles/{profile}");
    for bad in [json!("later"), json!("Next_Invoice"), json!(1)] {
        let reply = app
            .call(
                Method::PATCH,
                &path,
                Some(&ada.token),
                Some(&json!({ "proration_behavior": bad })),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code(), reply.body["field"].as_str()),
            (422, "invalid_field", Some("proration_behavior")),
            "{bad}: {reply:?}"
        );
    }
    assert_eq!(
        app.get(&path, &ada).await.body["proration_behavior"],
        json!("invoice_now")
    );
}

#[actix_web::test]
async fn grow_on_assign_under_next_invoice_leaves_a_pending_charge() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let org = Uuid::new_v4();
    let ada = app.signed_in(org, false).await;
    let bob = app.signed_in(org, false).await;
    let id = buy_on(&app, &ada, "next_invoice", 1).await;
    app.set_today("2026-03-11");
    let path = format!("/v1/subscriptions/{id}");
    let etag = app.get(&path, &ada).await.header("etag").unwrap();
    let reply = app
        .send(
            Method::POST,
            &format!("{path}/assignments"),
            &ada,
            &[("If-Match", &etag)],
            Some(&json!({"user_ids": [ada.user_id, bob.user_id], "add_licenses": true})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["licenses_added"], json!(1));
    assert_eq!(reply.body["invoice_id"], Value::Null);
    assert_eq!(invoices(&app, &ada).await.len(), 1);
    app.set_today("2026-04-01");
    app.billing_run("2026-04-01");
    let list = invoices(&app, &ada).await;
    let mut renewal = lines(&list[1]);
    renewal.sort();
    // round(1250 × 21 / 31) = 847.
    assert_eq!(
        renewal,
        vec![line("prorated_increase", 1, 847), line("renewal", 2, 2500)]
    );
}

/// A `next_invoice` increase is spending too: the spend cap counts it when it
/// is made, together with the increases still waiting for their invoice, so
/// deferred increases cannot add up past the cap (PRODUCT.md §7, §9).
#[actix_web::test]
async fn next_invoice_increases_count_against_the_spend_cap() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let id = buy_on(&app, &ada, "next_invoice", 2).await; // 2500, invoiced
    let reply = app
        .call(
            Method::PATCH,
            "/v1/organization/settings",
            Some(&admin.token),
            Some(&json!({"spend_cap": {"amount": 5000, "currency": "USD"}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    patch_count(&app, &ada, &id, 4).await; // +2500 waiting: exactly the cap

    let path = format!("/v1/subscriptions/{id}");
    let etag = app.get(&path, &ada).await.header("etag").unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &path,
            &ada,
            &[("If-Match", &etag)],
            Some(&json!({ "license_count": 5 })),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "spend_cap_exceeded"),
        "{reply:?}"
    );
    assert_eq!(
        reply.body["spent"],
        json!({"amount": 5000, "currency": "USD"})
    );
    let after = app.get(&path, &ada).await;
    assert_eq!(after.body["license_count"], json!(4), "nothing changed");
    assert_eq!(after.header("etag").unwrap(), etag);
}
