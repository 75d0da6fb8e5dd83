#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The lifecycle of a paid subscription that is not renewed, and cancel at
//! period end (PRODUCT.md §8), driven by the billing run
//! (`selfserve billing run --as-of`).

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use usecases::subscriptions::billing_run::Report;
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month

/// Ada's subscription of 3 CRM licenses bought on 5 January 2026 (its first
/// period ends on 5 February), with Bob, a colleague, holding one.
struct Setup {
    app: TestApp,
    ada: Actor,
    bob: Actor,
    id: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_at("2026-01-05").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let bob = app.signed_in(ada.org, false).await;
    let id = app.buy(&ada, CRM, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/assignments"),
            &ada,
            json!({"user_ids": [bob.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    Setup { app, ada, bob, id }
}

impl Setup {
    async fn sub(&self) -> Value {
        let reply = self
            .app
            .get(&format!("/v1/subscriptions/{}", self.id), &self.ada)
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }

    async fn send(&self, method: Method, tail: &str, body: Option<Value>) -> tests::Reply {
        self.app
            .send(
                method,
                &format!("/v1/subscriptions/{}{tail}", self.id),
                &self.ada,
                &[("If-Match", "*")],
                body.as_ref(),
            )
            .await
    }

    async fn reactivate(&self) -> tests::Reply {
        self.send(Method::POST, "/reactivate", None).await
    }

    async fn turn_off_auto_renew(&self) {
        let reply = self
            .send(Method::PATCH, "", Some(json!({"auto_renew": false})))
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    /// The `data` of a list that `actor` reads.
    async fn list(&self, path: &str, actor: &Actor) -> Vec<Value> {
        let reply = self.app.get(path, actor).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body["data"].as_array().unwrap().clone()
    }

    /// The subscriptions whose licenses Bob holds.
    async fn bobs_licenses(&self) -> Vec<Value> {
        let path = format!("/v1/users/{}/licenses", self.bob.user_id);
        let list = self.list(&path, &self.bob).await;
        list.iter().map(|l| l["subscription_id"].clone()).collect()
    }

    async fn assignment_states(&self) -> Vec<Value> {
        let path = format!("/v1/subscriptions/{}/assignments", self.id);
        let list = self.list(&path, &self.ada).await;
        list.iter().map(|a| a["state"].clone()).collect()
    }

    async fn invoice_count(&self) -> usize {
        let path = "/v1/invoices?period=custom&from=2026-01-01&to=2026-12-31&limit=100";
        self.list(path, &self.ada).await.len()
    }

    /// The audit actions of the billing run (`actor_id` null), with when and why.
    async fn system_events(&self) -> Vec<(String, String, Value)> {
        let path = format!("/v1/subscriptions/{}/events?limit=100", self.id);
        let list = self.list(&path, &self.ada).await;
        list.iter()
            .filter(|e| e["actor_id"].is_null())
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_owned(),
                    e["occurred_at"].as_str().unwrap().to_owned(),
                    e["after"]["reason"].clone(),
                )
            })
            .collect()
    }

    /// Nothing is due the day before `date`; on `date` exactly `due`.
    fn due_on(&self, before: &str, date: &str, due: Report) {
        assert_eq!(self.run_twice(before), Report::default(), "not yet");
        assert_eq!(self.run_twice(date), due);
    }

    /// Runs the billing run on `date`, then again, which must change nothing.
    fn run_twice(&self, date: &str) -> Report {
        self.app.set_today(date);
        let report = self.app.billing_run(date);
        assert_eq!(
            self.app.billing_run(date),
            Report::default(),
            "a second run on {date} changes nothing"
        );
        report
    }
}

fn assert_code(reply: &tests::Reply, status: u16, code: &str) {
    assert_eq!((reply.status, reply.code()), (status, code), "{reply:?}");
}

#[actix_web::test]
async fn not_renewed_it_expires_then_is_disabled_then_deleted() {
    let s = setup().await;
    s.turn_off_auto_renew().await;
    let id = json!(s.id);

    // Period end: expired, with 30 days of grace in which Bob keeps his license.
    assert_eq!(s.run_twice("2026-02-04"), Report::default());
    let report = s.run_twice("2026-02-05");
    assert_eq!((report.lapsed, report.renewals), (1, 0), "{report:?}");
    let sub = s.sub().await;
    assert_eq!(sub["status"], json!("expired"));
    assert_eq!(sub["assigned_count"], json!(1));
    assert_eq!(s.bobs_licenses().await, vec![id.clone()]);
    assert_eq!(s.assignment_states().await, vec![json!("active")]);

    // 30 days later (5 February + 30 = 7 March): disabled, Bob's license suspended.
    let disabled = Report {
        disabled: 1,
        ..Default::default()
    };
    s.due_on("2026-03-06", "2026-03-07", disabled);
    let sub = s.sub().await;
    assert_eq!(sub["status"], json!("disabled"));
    assert_eq!(sub["assigned_count"], json!(0));
    assert_eq!(s.bobs_licenses().await, Vec::<Value>::new());
    assert_eq!(s.assignment_states().await, vec![json!("suspended")]);

    // 90 days later (5 June): deleted, the assignment released.
    let deleted = Report {
        deleted: 1,
        ..Default::default()
    };
    s.due_on("2026-06-04", "2026-06-05", deleted);
    let sub = s.sub().await;
    assert_eq!(sub["status"], json!("deleted"));
    assert_eq!(s.assignment_states().await, Vec::<Value>::new());
    assert_eq!(s.bobs_licenses().await, Vec::<Value>::new());
    assert_eq!(
        s.run_twice("2027-06-05"),
        Report::default(),
        "nothing after"
    );

    let actions: Vec<_> = s.system_events().await.into_iter().map(|e| e.0).collect();
    assert_eq!(actions, vec!["expired", "disabled", "deleted"]);

    // Read-only for good: every change is 409 with a code that says so.
    let bob = json!({"user_ids": [s.bob.user_id]});
    for (method, tail, body) in [
        (Method::PATCH, "", Some(json!({"license_count": 4}))),
        (Method::PATCH, "", Some(json!({"auto_renew": true}))),
        (Method::POST, "/cancel", Some(json!({"reason": "other"}))),
        (Method::POST, "/assignments", Some(bob.clone())),
        (Method::POST, "/assignments/remove", Some(bob.clone())),
        (
            Method::POST,
            "/license-count-preview",
            Some(json!({"license_count": 4})),
        ),
    ] {
        assert_code(
            &s.send(method, tail, body).await,
            409,
            "subscription_deleted",
        );
    }
    assert_code(&s.reactivate().await, 409, "not_reactivatable");
    assert_eq!(s.sub().await["status"], json!("deleted"), "nothing changed");
}

#[actix_web::test]
async fn a_late_run_takes_every_step_each_on_its_own_date() {
    let s = setup().await;
    s.turn_off_auto_renew().await;
    // 200 days after the period end of 5 February.
    let report = s.run_twice("2026-08-24");
    assert_eq!(
        (
            report.lapsed,
            report.disabled,
            report.deleted,
            report.renewals
        ),
        (1, 1, 1, 0),
        "{report:?}"
    );
    assert_eq!(s.sub().await["status"], json!("deleted"));
    let events = s.system_events().await;
    let dated: Vec<_> = events
        .iter()
        .map(|e| (e.0.as_str(), e.1.as_str()))
        .collect();
    assert_eq!(
        dated,
        vec![
            ("expired", "2026-02-05T00:00:00Z"),
            ("disabled", "2026-03-07T00:00:00Z"),
            ("deleted", "2026-06-05T00:00:00Z"),
        ]
    );
    assert_eq!(events[0].2, json!("auto_renew_off"));
}

#[actix_web::test]
async fn reactivating_an_expired_subscription_keeps_its_licenses_and_bills_a_new_period() {
    let s = setup().await;
    s.turn_off_auto_renew().await;
    s.run_twice("2026-02-05");
    assert_eq!(s.invoice_count().await, 1);

    s.app.set_today("2026-02-10");
    let reactivate = |key: &'static str| {
        let (app, path, ada) = (
            &s.app,
            format!("/v1/subscriptions/{}/reactivate", s.id),
            &s.ada,
        );
        async move {
            app.send(Method::POST, &path, ada, &[("Idempotency-Key", key)], None)
                .await
        }
    };
    let reply = reactivate("back-1").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("active"));
    assert_eq!(reply.body["current_period_start"], json!("2026-02-10"));
    assert_eq!(reply.body["current_period_end"], json!("2026-03-10"));
    assert_eq!(reply.body["auto_renew"], json!(true));
    assert_eq!(reply.body["assigned_count"], json!(1));
    assert!(reply.header("etag").is_some());
    assert_eq!(s.bobs_licenses().await, vec![json!(s.id)]);

    // Invoiced at once: 3 × 1250 for the new period.
    let invoices = s
        .app
        .get(
            "/v1/invoices?period=custom&from=2026-02-10&to=2026-02-10",
            &s.ada,
        )
        .await;
    let invoice = &invoices.body["data"][0];
    assert_eq!(invoice["subtotal"]["amount"], json!(3750), "{invoice}");
    assert_eq!(invoice["period_start"], json!("2026-02-10"));
    assert!(invoice["lines"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Reactivated"));

    // The same key replays the answer and charges nothing more.
    let replay = reactivate("back-1").await;
    assert_eq!(replay.status, 200, "{replay:?}");
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(s.invoice_count().await, 2);
    // Active again: nothing to reactivate, and auto-renew renews it.
    assert_code(&s.reactivate().await, 409, "not_reactivatable");
    let report = s.run_twice("2026-03-10");
    assert_eq!((report.renewals, report.lapsed), (1, 0), "{report:?}");
}

#[actix_web::test]
async fn reactivating_a_disabled_subscription_gives_suspended_licenses_back() {
    let s = setup().await;
    s.turn_off_auto_renew().await;
    // A late run: expired and disabled at once.
    let report = s.run_twice("2026-03-08");
    assert_eq!((report.lapsed, report.disabled), (1, 1), "{report:?}");
    assert_eq!(s.bobs_licenses().await, Vec::<Value>::new());

    let stale = s
        .app
        .send(
            Method::POST,
            &format!("/v1/subscriptions/{}/reactivate", s.id),
            &s.ada,
            &[("If-Match", "\"1\"")],
            None,
        )
        .await;
    assert_code(&stale, 412, "precondition_failed");
    assert_eq!(
        s.sub().await["status"],
        json!("disabled"),
        "nothing changed"
    );

    let tag = s
        .app
        .get(&format!("/v1/subscriptions/{}", s.id), &s.ada)
        .await
        .header("etag")
        .unwrap();
    let reply = s
        .app
        .send(
            Method::POST,
            &format!("/v1/subscriptions/{}/reactivate", s.id),
            &s.ada,
            &[("If-Match", &tag)],
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("active"));
    assert_eq!(reply.body["current_period_start"], json!("2026-03-08"));
    assert_eq!(reply.body["assigned_count"], json!(1));
    assert_eq!(reply.body["available_count"], json!(2));
    assert_eq!(s.assignment_states().await, vec![json!("active")]);
    assert_eq!(s.bobs_licenses().await, vec![json!(s.id)]);
    let actions: Vec<_> = s.system_events().await.into_iter().map(|e| e.0).collect();
    assert_eq!(actions, vec!["expired", "disabled"]);
}

#[actix_web::test]
async fn a_renewal_with_an_expired_card_enters_the_lifecycle() {
    let app = TestApp::spawn_at("2026-01-10").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, _) = app.billing_setup(&ada).await;
    let card = json!({
        "card": {"number": "5555555555554444", "exp_month": 1, "exp_year": 2026, "cvc": "123", "holder_name": "Ada"},
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    let january = app.post("/v1/payment-methods", &ada, card).await.body["id"].clone();
    let reply = app
        .post(
            "/v1/subscriptions",
            &ada,
            json!({"product_id": CRM, "license_count": 2, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": january}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let bob = app.signed_in(ada.org, false).await;
    let assigned = app
        .post(
            &format!("/v1/subscriptions/{id}/assignments"),
            &ada,
            json!({"user_ids": [bob.user_id]}),
        )
        .await;
    assert_eq!(assigned.status, 200, "{assigned:?}");
    let s = Setup { app, ada, bob, id };

    let report = s.run_twice("2026-02-10");
    assert_eq!(
        (report.renewals, report.lapsed, report.card_expired),
        (0, 1, 1),
        "{report:?}"
    );
    let sub = s.sub().await;
    assert_eq!(sub["status"], json!("expired"), "not renewed: in its grace");
    assert_eq!(sub["assigned_count"], json!(1));
    assert_eq!(s.bobs_licenses().await, vec![json!(s.id)]);
    let events = s.system_events().await;
    assert_eq!(
        (events[0].0.as_str(), &events[0].2),
        ("expired", &json!("card_expired")),
        "the audit says why"
    );

    // Reactivation charges the card too: refused while it is expired.
    let refused = s.reactivate().await;
    assert_code(&refused, 422, "card_expired");
    assert_eq!(s.sub().await["status"], json!("expired"));
    let updated = s
        .app
        .send(
            Method::PATCH,
            &format!("/v1/payment-methods/{}", january.as_str().unwrap()),
            &s.ada,
            &[],
            Some(&json!({"exp_month": 12, "exp_year": 2030})),
        )
        .await;
    assert_eq!(updated.status, 200, "{updated:?}");
    assert_eq!(s.reactivate().await.status, 200);
    assert_eq!(s.sub().await["status"], json!("active"));
}

#[actix_web::test]
async fn cancel_at_period_end_waits_for_the_run_and_settles_waiting_credits() {
    let s = setup().await;
    s.app.set_today("2026-01-20");
    // A decrease leaves a credit waiting for the next invoice.
    let reply = s
        .send(Method::PATCH, "", Some(json!({"license_count": 2})))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = s
        .send(
            Method::POST,
            "/cancel",
            Some(json!({"reason": "too_expensive", "at_period_end": true})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("active"));
    assert_eq!(reply.body["cancel_at"], json!("2026-02-05T00:00:00Z"));
    assert_eq!(reply.body["auto_renew"], json!(false));
    assert_eq!(reply.body["cancellation"], Value::Null);
    assert_eq!(s.invoice_count().await, 1, "nothing credited now");
    assert_eq!(s.bobs_licenses().await, vec![json!(s.id)]);

    let canceled = Report {
        canceled: 1,
        credits_settled: 1,
        ..Default::default()
    };
    s.due_on("2026-02-04", "2026-02-05", canceled);
    let sub = s.sub().await;
    assert_eq!(sub["status"], json!("canceled"));
    assert_eq!(sub["cancel_at"], Value::Null);
    assert_eq!(sub["cancellation"]["reason"], json!("too_expensive"));
    assert_eq!(
        sub["cancellation"]["canceled_at"],
        json!("2026-02-05T00:00:00Z")
    );
    assert_eq!(sub["assigned_count"], json!(0));
    assert_eq!(s.bobs_licenses().await, Vec::<Value>::new());
    assert_eq!(s.invoice_count().await, 2, "the waiting credit, settled");
    // No grace follows a cancellation.
    assert_eq!(s.run_twice("2026-12-31"), Report::default());
    assert_code(&s.reactivate().await, 409, "not_reactivatable");
}

#[actix_web::test]
async fn turning_auto_renew_back_on_undoes_cancel_at_period_end() {
    let s = setup().await;
    let reply = s
        .send(
            Method::POST,
            "/cancel",
            Some(json!({"reason": "other", "at_period_end": true})),
        )
        .await;
    assert_eq!(reply.body["cancel_at"], json!("2026-02-05T00:00:00Z"));
    let reply = s
        .send(Method::PATCH, "", Some(json!({"auto_renew": true})))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["cancel_at"], Value::Null);
    assert_eq!(reply.body["auto_renew"], json!(true));
    let report = s.run_twice("2026-02-05");
    assert_eq!((report.renewals, report.canceled), (1, 0), "{report:?}");
    assert_eq!(s.sub().await["status"], json!("active"));
}

#[actix_web::test]
async fn only_expired_or_disabled_paid_subscriptions_reactivate() {
    let s = setup().await;
    // Active.
    assert_code(&s.reactivate().await, 409, "not_reactivatable");
    // A trial, and a trial that ended (its own path: expired, no grace).
    let trial = s
        .app
        .post(
            "/v1/subscriptions",
            &s.bob,
            json!({"product_id": CRM, "license_count": 1, "trial": true}),
        )
        .await;
    assert_eq!(trial.status, 201, "{trial:?}");
    let trial_path = format!("/v1/subscriptions/{}", trial.body["id"].as_str().unwrap());
    let at_end = s
        .app
        .send(
            Method::POST,
            &format!("{trial_path}/cancel"),
            &s.bob,
            &[],
            Some(&json!({"reason": "other", "at_period_end": true})),
        )
        .await;
    assert_code(&at_end, 422, "invalid_field");
    let reactivate_path = format!("{trial_path}/reactivate");
    let reactivate_trial = || {
        s.app
            .send(Method::POST, &reactivate_path, &s.bob, &[], None)
    };
    assert_code(&reactivate_trial().await, 409, "not_reactivatable");
    s.app.set_today("2026-12-31");
    s.app.billing_run("2026-12-31");
    assert_eq!(
        s.app.get(&trial_path, &s.bob).await.body["status"],
        json!("expired")
    );
    assert_code(&reactivate_trial().await, 409, "not_reactivatable");
    // Canceled at once.
    let reply = s
        .send(Method::POST, "/cancel", Some(json!({"reason": "other"})))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_code(&s.reactivate().await, 409, "not_reactivatable");
}
