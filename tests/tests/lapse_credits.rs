#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A decrease credit still waiting when a subscription lapses is settled by a
//! credit invoice, once (PRODUCT.md §8: settled, never dropped).

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use usecases::Clock;
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, max 300

async fn spawn_taxed(date: &str, bps: &str) -> TestApp {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let clock = Clock::Fixed(std::sync::Arc::new(std::sync::RwLock::new(
        day.and_hms_opt(12, 0, 0).unwrap().and_utc(),
    )));
    TestApp::spawn_with(&[("SELFSERVE_TAX_RATE_BPS", bps)], clock).await
}

async fn invoices(app: &TestApp, actor: &Actor) -> Vec<Value> {
    let reply = app
        .get(
            "/v1/invoices?period=custom&from=2026-01-01&to=2026-12-31&limit=100",
            actor,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let mut list = reply.body["data"].as_array().unwrap().clone();
    list.reverse(); // oldest first
    list
}

async fn patch(app: &TestApp, actor: &Actor, id: &str, body: Value) {
    let tag = app
        .get(&format!("/v1/subscriptions/{id}"), actor)
        .await
        .header("etag")
        .unwrap();
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{id}"),
            actor,
            &[("If-Match", &tag)],
            Some(&body),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn a_lapse_settles_the_waiting_decrease_credit_once() {
    let app = spawn_taxed("2026-03-01", "825").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Day 16 of March's 31: 16 days remain (16th..31st).
    app.set_today("2026-03-16");
    patch(&app, &ada, &id, json!({"auto_renew": false})).await;
    patch(&app, &ada, &id, json!({"license_count": 7})).await;
    assert_eq!(invoices(&app, &ada).await.len(), 1, "the credit waits");

    app.set_today("2026-03-31");
    assert_eq!(
        app.billing_run("2026-03-31"),
        Default::default(),
        "not before the period ends"
    );

    app.set_today("2026-04-02");
    let report = app.billing_run("2026-04-02");
    assert_eq!(
        (
            report.renewals,
            report.lapsed,
            report.card_expired,
            report.credits_settled
        ),
        (0, 1, 0, 1),
        "{report:?}"
    );
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 2, "the purchase and one credit invoice");
    // Purchase: 10 × 1250 = 12500, tax round(1031.25) = 1031.
    assert_eq!(list[0]["total"]["amount"], json!(13_531));
    let credit = &list[1];
    let lines = credit["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{credit}");
    assert_eq!(lines[0]["kind"], json!("prorated_decrease_credit"));
    assert_eq!(lines[0]["quantity"], json!(-3));
    assert_eq!(lines[0]["unit_amount"]["amount"], json!(1250));
    // −round(3 × 1250 × 16 / 31) = −round(1935.48) = −1935
    assert_eq!(lines[0]["amount"]["amount"], json!(-1935));
    assert_eq!(credit["subtotal"]["amount"], json!(-1935));
    // −round(1935 × 8.25 %) = −round(159.64) = −160
    assert_eq!(credit["tax"]["amount"], json!(-160));
    assert_eq!(credit["total"]["amount"], json!(-2095));
    assert_eq!(credit["status"], json!("credited"));
    assert_eq!(
        credit["issue_date"],
        json!("2026-04-01"),
        "dated at the lapse"
    );
    assert_eq!(
        (credit["period_start"].clone(), credit["period_end"].clone()),
        (json!("2026-03-16"), json!("2026-04-01"))
    );
    let sub = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(sub.body["status"], json!("expired"));

    assert_eq!(
        app.billing_run("2026-04-02"),
        Default::default(),
        "run again: nothing new"
    );
    // A month on, its grace is over: disabled (PRODUCT.md §8), and no invoice.
    let later = app.billing_run("2026-05-02");
    assert_eq!(
        later,
        usecases::subscriptions::billing_run::Report {
            disabled: 1,
            ..Default::default()
        }
    );
    assert_eq!(invoices(&app, &ada).await.len(), 2);
}

#[actix_web::test]
async fn a_lapse_with_nothing_waiting_issues_no_invoice() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    patch(&app, &ada, &id, json!({"auto_renew": false})).await;
    app.set_today("2026-04-01");
    let report = app.billing_run("2026-04-01");
    assert_eq!((report.lapsed, report.credits_settled), (1, 0));
    assert_eq!(invoices(&app, &ada).await.len(), 1);
}

#[actix_web::test]
async fn concurrent_billing_runs_settle_each_credit_once() {
    let app = spawn_taxed("2026-01-05", "1900").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let mut ids = vec![];
    for n in [5, 8, 12] {
        ids.push(
            app.buy(&ada, CRM, n).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    app.set_today("2026-01-20");
    for id in &ids {
        patch(
            &app,
            &ada,
            id,
            json!({"auto_renew": false, "license_count": 2}),
        )
        .await;
    }
    app.set_today("2026-02-06");
    let state = app.state.clone();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let state = state.clone();
            std::thread::spawn(move || {
                let mut conn = state.services.db.pool().get().unwrap();
                let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 6).unwrap();
                usecases::subscriptions::billing_run::run(
                    &mut conn,
                    day,
                    state.services.tax_rate_bps,
                    state.services.clock.now(),
                )
                .unwrap()
            })
        })
        .collect();
    let reports: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    let settled: usize = reports.iter().map(|r| r.credits_settled).sum();
    let lapsed: usize = reports.iter().map(|r| r.lapsed).sum();
    assert_eq!((lapsed, settled), (3, 3), "{reports:?}");
    let list = invoices(&app, &ada).await;
    assert_eq!(list.len(), 6, "3 purchases + 3 credit invoices");
    for id in &ids {
        let credits: Vec<_> = list
            .iter()
            .filter(|i| i["subscription_id"] == json!(id) && i["status"] == json!("credited"))
            .collect();
        assert_eq!(credits.len(), 1, "{id}: {credits:?}");
    }
}
