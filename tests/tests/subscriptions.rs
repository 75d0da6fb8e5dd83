#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Buying, trials, license-count changes, cancellation — and the invoices each money event produces.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, max 300, trial 30 days / 25
const MAIL: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a04"; // no trial

async fn invoices(app: &TestApp, actor: &Actor, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/invoices{query}"), actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let mut list = reply.body["data"].as_array().unwrap().clone();
    list.reverse(); // oldest first
    list
}

async fn patch(
    app: &TestApp,
    actor: &Actor,
    id: &str,
    etag: Option<&str>,
    body: Value,
) -> tests::Reply {
    let headers: Vec<(&str, &str)> = etag.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.send(
        Method::PATCH,
        &format!("/v1/subscriptions/{id}"),
        actor,
        &headers,
        Some(&body),
    )
    .await
}

async fn etag(app: &TestApp, actor: &Actor, id: &str) -> String {
    app.get(&format!("/v1/subscriptions/{id}"), actor)
        .await
        .header("etag")
        .unwrap()
}

fn assert_lines_sum(invoice: &Value) {
    let lines: i64 = invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        invoice["subtotal"]["amount"].as_i64().unwrap(),
        lines,
        "{invoice}"
    );
    let total = invoice["subtotal"]["amount"].as_i64().unwrap()
        + invoice["tax"]["amount"].as_i64().unwrap();
    assert_eq!(invoice["total"]["amount"].as_i64().unwrap(), total);
}

#[actix_web::test]
async fn the_seed_flow_invoices_what_an_accountant_expects() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let sub = app.buy(&ada, CRM, 100).await;
    let id = sub["id"].as_str().unwrap().to_owned();
    assert_eq!(sub["status"], json!("active"));
    assert_eq!(sub["auto_renew"], json!(true));
    assert_eq!(sub["license_count"], json!(100));
    assert_eq!(sub["available_count"], json!(100));
    assert_eq!(
        sub["unit_price"],
        json!({"amount": 1250, "currency": "USD"})
    );
    assert_eq!(
        sub["total_price"],
        json!({"amount": 125000, "currency": "USD"})
    );
    assert_eq!(
        (
            sub["current_period_start"].clone(),
            sub["current_period_end"].clone()
        ),
        (json!("2026-03-01"), json!("2026-04-01"))
    );

    // Day 16 of 31: 16 days remain (16th..31st).
    app.set_today("2026-03-16");
    let preview = app
        .post(
            &format!("/v1/subscriptions/{id}/license-count-preview"),
            &ada,
            json!({"license_count": 105}),
        )
        .await;
    assert_eq!(preview.status, 200, "{preview:?}");
    // round(5 × 1250 × 16 / 31) = round(3225.81) = 3226
    assert_eq!(
        preview.body["prorated_amount"],
        json!({"amount": 3226, "currency": "USD"})
    );
    assert_eq!(preview.body["billing"], json!("invoiced_now"));
    assert_eq!(
        invoices(&app, &ada, "").await.len(),
        1,
        "a preview stores nothing"
    );

    let tag = etag(&app, &ada, &id).await;
    let reply = patch(&app, &ada, &id, Some(&tag), json!({"license_count": 105})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["license_count"], json!(105));
    assert_ne!(reply.header("etag").unwrap(), tag);

    app.set_today("2026-03-20");
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &ada,
            json!({"reason": "too_expensive", "feedback": "Spring only."}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("canceled"));
    assert_eq!(reply.body["cancellation"]["reason"], json!("too_expensive"));
    assert_eq!(reply.body["auto_renew"], json!(false));

    let list = invoices(&app, &ada, "").await;
    assert_eq!(list.len(), 3, "purchase, increase, cancellation");
    let numbers: Vec<i64> = list.iter().map(|i| i["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, vec![1, 2, 3], "sequential per organisation");
    for invoice in &list {
        assert_lines_sum(invoice);
    }
    assert_eq!(list[0]["total"]["amount"], json!(125_000));
    assert_eq!(list[0]["lines"][0]["kind"], json!("purchase"));
    assert_eq!(list[1]["total"]["amount"], json!(3226));
    assert_eq!(list[1]["lines"][0]["kind"], json!("prorated_increase"));
    // 12 days remain (20th..31st): −round(105 × 1250 × 12 / 31) = −50806
    assert_eq!(list[2]["lines"][0]["kind"], json!("cancellation_credit"));
    assert_eq!(list[2]["total"]["amount"], json!(-50_806));
    assert_eq!(list[2]["status"], json!("credited"));

    let again = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &ada,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "already_canceled"));
    assert_eq!(invoices(&app, &ada, "").await.len(), 3, "nothing changed");

    let events = app
        .get(&format!("/v1/subscriptions/{id}/events"), &ada)
        .await;
    let actions: Vec<_> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        vec![
            json!("purchased"),
            json!("license_count_changed"),
            json!("canceled")
        ]
    );
}

#[actix_web::test]
async fn canceling_within_seven_days_refunds_everything_paid() {
    let app = TestApp::spawn_at("2026-05-10").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_today("2026-05-12");
    let tag = etag(&app, &ada, &id).await;
    assert_eq!(
        patch(&app, &ada, &id, Some(&tag), json!({"license_count": 20}))
            .await
            .status,
        200
    );
    app.set_today("2026-05-16"); // day 6 after purchase
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &ada,
            json!({"reason": "no_longer_needed"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let net: i64 = invoices(&app, &ada, "")
        .await
        .iter()
        .map(|i| i["total"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(net, 0, "a full refund nets every charge to zero");
}

#[actix_web::test]
async fn a_decrease_credits_the_next_invoice_and_renewal_is_once_per_period() {
    let app = TestApp::spawn_at("2026-01-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_today("2026-01-22"); // 10 days remain of 31
    let tag = etag(&app, &ada, &id).await;
    let reply = patch(&app, &ada, &id, Some(&tag), json!({"license_count": 4})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        invoices(&app, &ada, "").await.len(),
        1,
        "a decrease issues no invoice by itself"
    );

    app.set_today("2026-02-01");
    let report = app.billing_run("2026-02-01");
    assert_eq!(report.renewals, 1);
    let list = invoices(&app, &ada, "").await;
    assert_eq!(list.len(), 2);
    let renewal = &list[1];
    assert_lines_sum(renewal);
    let kinds: Vec<_> = renewal["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        vec![json!("renewal"), json!("prorated_decrease_credit")]
    );
    // 4 × 1250 for February, less round(6 × 1250 × 10 / 31) = 2419
    assert_eq!(renewal["total"]["amount"], json!(5000 - 2419));
    assert_eq!(renewal["issue_date"], json!("2026-02-01"));

    assert_eq!(
        app.billing_run("2026-02-01").renewals,
        0,
        "the same date twice changes nothing"
    );
    assert_eq!(invoices(&app, &ada, "").await.len(), 2);
    let sub = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(sub.body["current_period_start"], json!("2026-02-01"));
    assert_eq!(sub.body["current_period_end"], json!("2026-03-01"));
}

#[actix_web::test]
async fn if_match_is_required_and_stale_etags_lose() {
    let app = TestApp::spawn_at("2026-06-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let reply = patch(&app, &ada, &id, None, json!({"license_count": 11})).await;
    assert_eq!((reply.status, reply.code()), (428, "precondition_required"));
    let reply = patch(
        &app,
        &ada,
        &id,
        Some("\"999\""),
        json!({"license_count": 11}),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (412, "precondition_failed"));

    let tag = etag(&app, &ada, &id).await;
    let (a, b) = futures_util::future::join(
        patch(&app, &ada, &id, Some(&tag), json!({"license_count": 12})),
        patch(&app, &ada, &id, Some(&tag), json!({"license_count": 13})),
    )
    .await;
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{a:?} {b:?}");
    assert_eq!(
        invoices(&app, &ada, "").await.len(),
        2,
        "one purchase, one increase"
    );
}

#[actix_web::test]
async fn ten_concurrent_buys_with_one_key_make_one_subscription_and_one_invoice() {
    let app = TestApp::spawn_at("2026-06-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, pm) = app.billing_setup(&ada).await;
    let body = json!({"product_id": CRM, "license_count": 5, "billing_frequency": "annual", "billing_profile_id": profile, "payment_method_id": pm});
    let replies = futures_util::future::join_all((0..10).map(|_| {
        app.send(
            Method::POST,
            "/v1/subscriptions",
            &ada,
            &[("Idempotency-Key", "buy-once")],
            Some(&body),
        )
    }))
    .await;
    for r in &replies {
        assert!(
            r.status == 201 || (r.status == 409 && r.code() == "idempotency_request_in_progress"),
            "{r:?}"
        );
    }
    let again = app
        .send(
            Method::POST,
            "/v1/subscriptions",
            &ada,
            &[("Idempotency-Key", "buy-once")],
            Some(&body),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let created_tag = again
        .header("etag")
        .expect("a created subscription carries its ETag");
    let id = again.body["id"].as_str().unwrap();
    assert_eq!(etag(&app, &ada, id).await, created_tag);
    let subs = app.get("/v1/subscriptions", &ada).await;
    assert_eq!(subs.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(invoices(&app, &ada, "").await.len(), 1);
}

#[actix_web::test]
async fn trials_limits_one_at_a_time_expiry_and_conversion() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let trial =
        |n: i64, product: &str| json!({"product_id": product, "license_count": n, "trial": true});

    let reply = app.post("/v1/subscriptions", &ada, trial(26, CRM)).await;
    assert_eq!((reply.status, reply.code()), (422, "trial_license_limit"));
    let reply = app.post("/v1/subscriptions", &ada, trial(5, MAIL)).await;
    assert_eq!((reply.status, reply.code()), (422, "trial_not_offered"));

    let first = app.post("/v1/subscriptions", &ada, trial(25, CRM)).await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(first.body["status"], json!("trial"));
    assert_eq!(first.body["is_trial"], json!(true));
    assert_eq!(first.body["unit_price"], json!(null));
    assert_eq!(first.body["trial_ends_at"], json!("2026-05-01T00:00:00Z"));
    let reply = app.post("/v1/subscriptions", &ada, trial(1, CRM)).await;
    assert_eq!((reply.status, reply.code()), (409, "trial_already_active"));

    // Conversion keeps the id.
    let id = first.body["id"].as_str().unwrap().to_owned();
    let (profile, pm) = app.billing_setup(&ada).await;
    let reply = app
        .post(&format!("/v1/subscriptions/{id}/convert"), &ada, json!({"billing_profile_id": profile, "payment_method_id": pm, "billing_frequency": "monthly"}))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["id"], json!(id));
    assert_eq!(reply.body["status"], json!("active"));
    assert_eq!(reply.body["total_price"]["amount"], json!(25 * 1250));
    let list = invoices(&app, &ada, "").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["lines"][0]["kind"], json!("trial_conversion"));

    // A new trial, left to expire.
    let second = app.post("/v1/subscriptions", &ada, trial(3, CRM)).await;
    assert_eq!(second.status, 201, "{second:?}");
    let trial_id = second.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.billing_run("2026-04-30").expired_trials, 0, "not yet");
    let report = app.billing_run("2026-05-01");
    assert_eq!(report.expired_trials, 1);
    app.set_today("2026-05-01");
    let reply = app
        .get(&format!("/v1/subscriptions/{trial_id}"), &ada)
        .await;
    assert_eq!(reply.body["status"], json!("expired"));
    assert_eq!(reply.body["assigned_count"], json!(0));
    let reply = app
        .post(&format!("/v1/subscriptions/{trial_id}/convert"), &ada, json!({"billing_profile_id": profile, "payment_method_id": pm, "billing_frequency": "monthly"}))
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "subscription_not_active")
    );
}

#[actix_web::test]
async fn the_policy_blocks_purchases_and_trials() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let (profile, pm) = app.billing_setup(&ada).await;
    let buy = json!({"product_id": CRM, "license_count": 1, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": pm});
    let trial = json!({"product_id": CRM, "license_count": 1, "trial": true});
    let policy = format!("/v1/products/{CRM}/self-service-policy");

    assert_eq!(
        app.put(&policy, &admin, json!({"policy": "disabled"}))
            .await
            .status,
        200
    );
    let reply = app.post("/v1/subscriptions", &ada, buy.clone()).await;
    assert_eq!((reply.status, reply.code()), (403, "self_service_disabled"));
    let reply = app.post("/v1/subscriptions", &ada, trial.clone()).await;
    assert_eq!((reply.status, reply.code()), (403, "self_service_disabled"));

    assert_eq!(
        app.put(&policy, &admin, json!({"policy": "trials_only"}))
            .await
            .status,
        200
    );
    let reply = app.post("/v1/subscriptions", &ada, buy.clone()).await;
    assert_eq!((reply.status, reply.code()), (403, "trials_only"));
    assert_eq!(app.post("/v1/subscriptions", &ada, trial).await.status, 201);

    let subs = app.get("/v1/subscriptions", &ada).await;
    assert_eq!(
        subs.body["data"].as_array().unwrap().len(),
        1,
        "only the trial"
    );
    assert_eq!(invoices(&app, &ada, "").await.len(), 0);
}

#[actix_web::test]
async fn bad_purchases_change_nothing() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, pm) = app.billing_setup(&ada).await;
    let base = json!({"product_id": CRM, "license_count": 1, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": pm});
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    for (body, status, code) in [
        (
            with("license_count", json!(0)),
            422,
            "invalid_license_count",
        ),
        (
            with("license_count", json!(301)),
            422,
            "invalid_license_count",
        ),
        (
            with("product_id", json!(Uuid::new_v4())),
            422,
            "invalid_reference",
        ),
        (
            with("billing_profile_id", json!(Uuid::new_v4())),
            422,
            "invalid_reference",
        ),
        (
            with("payment_method_id", json!(Uuid::new_v4())),
            422,
            "invalid_reference",
        ),
        (
            with("billing_frequency", json!("weekly")),
            422,
            "invalid_field",
        ),
        (without("billing_frequency"), 422, "invalid_field"),
        (with("status", json!("active")), 422, "unknown_field"),
        (with("unit_price", json!(1)), 422, "unknown_field"),
        (with("assigned_count", json!(0)), 422, "unknown_field"),
        (
            with("purchaser_id", json!(Uuid::new_v4())),
            422,
            "unknown_field",
        ),
    ] {
        let reply = app.post("/v1/subscriptions", &ada, body).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{reply:?}");
    }
    assert_eq!(
        app.get("/v1/subscriptions", &ada).await.body["data"],
        json!([])
    );
    assert_eq!(invoices(&app, &ada, "").await.len(), 0);
}

#[actix_web::test]
async fn admins_read_but_never_change_anothers_purchase() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let org = Uuid::new_v4();
    let ada = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let bob = app.signed_in(org, false).await;
    let outsider = app.signed_in(Uuid::new_v4(), true).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tag = etag(&app, &ada, &id).await;

    assert_eq!(
        app.get(&format!("/v1/subscriptions/{id}"), &admin)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/v1/subscriptions/{id}/events"), &admin)
            .await
            .status,
        200
    );
    let reply = patch(&app, &admin, &id, Some(&tag), json!({"license_count": 11})).await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/cancel"),
            &admin,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/license-count-preview"),
            &admin,
            json!({"license_count": 11}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));

    for other in [&bob, &outsider] {
        assert_eq!(
            app.get(&format!("/v1/subscriptions/{id}"), other)
                .await
                .status,
            404
        );
        let reply = app
            .post(
                &format!("/v1/subscriptions/{id}/cancel"),
                other,
                json!({"reason": "other"}),
            )
            .await;
        assert_eq!(reply.status, 404);
    }
    let sub = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(
        (
            sub.body["status"].clone(),
            sub.body["license_count"].clone()
        ),
        (json!("active"), json!(10)),
        "nothing changed"
    );
    assert_eq!(sub.header("etag").unwrap(), tag);
}

#[actix_web::test]
async fn invoice_periods_are_inclusive_and_validated() {
    let app = TestApp::spawn_at("2025-01-15").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    app.buy(&ada, CRM, 2).await;
    for month in 2..=12 {
        app.billing_run(&format!("2025-{month:02}-15"));
    }
    app.set_today("2025-12-20");
    let all = invoices(
        &app,
        &ada,
        "?period=custom&from=2025-01-01&to=2025-12-31&limit=100",
    )
    .await;
    assert_eq!(all.len(), 12);
    let three = invoices(&app, &ada, "").await;
    // 2025-09-20 .. 2025-12-20: the renewals of Oct 15, Nov 15 and Dec 15.
    assert_eq!(three.len(), 3, "{three:?}");
    assert_eq!(invoices(&app, &ada, "?period=last_6_months").await.len(), 6);
    let edge = invoices(&app, &ada, "?period=custom&from=2025-03-15&to=2025-03-15").await;
    assert_eq!(edge.len(), 1, "the first and last day are included");
    for bad in [
        "?period=custom&from=2025-02-01&to=2025-01-01",
        "?period=custom&from=nope&to=2025-01-01",
        "?from=2025-01-01",
        "?period=custom&from=2020-01-01&to=2025-01-01",
        "?period=weekly",
    ] {
        let reply = app.get(&format!("/v1/invoices{bad}"), &ada).await;
        assert_eq!(reply.status, 422, "{bad}: {reply:?}");
        assert!(
            reply.code() == "invalid_date_range" || reply.code() == "invalid_parameter",
            "{bad}: {reply:?}"
        );
    }
}

#[actix_web::test]
async fn concurrent_billing_runs_renew_once() {
    let app = TestApp::spawn_at("2026-01-05").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    for _ in 0..3 {
        app.buy(&ada, CRM, 2).await;
    }
    app.set_today("2026-03-06");
    // Two "replicas" at once (the billing run is synchronous: run it on two threads).
    let state = app.state.clone();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let state = state.clone();
            std::thread::spawn(move || {
                let mut conn = state.services.db.pool().get().unwrap();
                let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
                usecases::subscriptions::billing_run::run(
                    &mut conn,
                    &state.services.outbox,
                    day,
                    0,
                    state.services.clock.now(),
                )
                .unwrap()
            })
        })
        .collect();
    let total: usize = runs.into_iter().map(|r| r.join().unwrap().renewals).sum();
    assert_eq!(
        total, 6,
        "3 subscriptions x 2 missed periods, each renewed once"
    );
    let list = invoices(
        &app,
        &ada,
        "?period=custom&from=2026-01-01&to=2026-03-31&limit=100",
    )
    .await;
    assert_eq!(list.len(), 9, "3 purchases + 6 renewals");
    let mut keys: Vec<_> = list
        .iter()
        .map(|i| {
            (
                i["subscription_id"].to_string(),
                i["period_start"].to_string(),
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 9, "no period invoiced twice");
}
