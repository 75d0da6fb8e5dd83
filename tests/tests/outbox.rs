#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The outbox (PRODUCT.md §8): every business change writes exactly its
//! event, in its own transaction, with `data` equal to what the API answered;
//! a refused change writes none. Events are read from the database (see
//! `TestApp::events`).

use serde_json::Value;
use tests::{json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

fn only(events: Vec<Value>) -> Value {
    assert_eq!(events.len(), 1, "{events:?}");
    events.into_iter().next().unwrap()
}

async fn invoice(app: &TestApp, actor: &tests::Actor, id: &Value) -> Value {
    let reply = app
        .get(&format!("/v1/invoices/{}", id.as_str().unwrap()), actor)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body
}

/// The assign and the unassign build their event from the row they hold
/// locked instead of reading it again: it must show what a read shows, to
/// the last digit of `updated_at` (PostgreSQL keeps microseconds, the clock
/// has nanoseconds) — also after a growth earlier in the same transaction
/// (`add_licenses`), and at a new time for each step.
#[actix_web::test]
async fn license_events_show_the_subscription_exactly_as_a_read_does() {
    let at = |nanos: &str| {
        chrono::DateTime::parse_from_rfc3339(&format!("2026-03-02T12:00:00.{nanos}Z"))
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let app = TestApp::spawn_at("2026-03-02").await;
    let clock = &app.state.services.clock;
    clock.set(at("123456789"));
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let (ada, bob) = (
        app.signed_in(org, false).await,
        app.signed_in(org, false).await,
    );
    let sub = app.buy(&owner, CRM, 1).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let steps = [
        (
            "assignments",
            json!({"user_ids": [ada.user_id]}),
            "licenses.assigned",
            "234567891",
        ),
        (
            "assignments",
            json!({"user_ids": [bob.user_id], "add_licenses": true}),
            "licenses.assigned",
            "345678912",
        ),
        (
            "assignments/remove",
            json!({"user_ids": [ada.user_id]}),
            "licenses.unassigned",
            "456789123",
        ),
    ];
    for (path, body, kind, nanos) in steps {
        clock.set(at(nanos));
        let reply = app
            .send(
                Method::POST,
                &format!("/v1/subscriptions/{sub}/{path}"),
                &owner,
                &[("If-Match", "*")],
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let read = app.get(&format!("/v1/subscriptions/{sub}"), &owner).await;
        let event = app.events(org, kind).pop().unwrap();
        assert_eq!(event["subscription"], read.body, "{path} {body}");
    }
}

#[actix_web::test]
async fn each_change_writes_its_event_with_the_answer_as_data() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let colleague = app.signed_in(org, false).await;

    let bought = app.buy(&owner, CRM, 5).await;
    let sub = bought["id"].as_str().unwrap().to_owned();
    assert_eq!(only(app.events(org, "subscription.created")), bought);
    let issued = only(app.events(org, "invoice.issued"));
    assert_eq!(issued, invoice(&app, &owner, &issued["id"]).await);

    let assigned = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(assigned.status, 200, "{assigned:?}");
    let read = app
        .get(&format!("/v1/subscriptions/{sub}"), &owner)
        .await
        .body;
    assert_eq!(
        only(app.events(org, "licenses.assigned")),
        json!({"subscription": read, "user_ids": [colleague.user_id]})
    );

    let patched = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{sub}"),
            &owner,
            &[("If-Match", "*")],
            Some(&json!({"license_count": 7})),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(
        only(app.events(org, "subscription.license_count_changed")),
        patched.body
    );
    assert_eq!(app.events(org, "invoice.issued").len(), 2);

    let removed = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments/remove"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(removed.status, 200, "{removed:?}");
    let read = app
        .get(&format!("/v1/subscriptions/{sub}"), &owner)
        .await
        .body;
    assert_eq!(
        only(app.events(org, "licenses.unassigned")),
        json!({"subscription": read, "user_ids": [colleague.user_id]})
    );

    let canceled = app
        .post(
            &format!("/v1/subscriptions/{sub}/cancel"),
            &owner,
            json!({"reason": "too_expensive"}),
        )
        .await;
    assert_eq!(canceled.status, 200, "{canceled:?}");
    assert_eq!(
        only(app.events(org, "subscription.canceled")),
        canceled.body
    );
    let credit = app.events(org, "invoice.issued").pop().unwrap();
    assert_eq!(credit, invoice(&app, &owner, &credit["id"]).await);
    assert_eq!(app.events(org, "invoice.issued").len(), 3);

    // A trial and its conversion.
    let trial = app
        .post(
            "/v1/subscriptions",
            &colleague,
            json!({"product_id": CRM, "license_count": 2, "trial": true}),
        )
        .await;
    assert_eq!(trial.status, 201, "{trial:?}");
    assert_eq!(
        only(app.events(org, "subscription.trial_started")),
        trial.body
    );
    let (profile, card) = app.billing_setup(&colleague).await;
    let converted = app
        .post(
            &format!("/v1/subscriptions/{}/convert", trial.body["id"].as_str().unwrap()),
            &colleague,
            json!({"billing_profile_id": profile, "payment_method_id": card, "billing_frequency": "monthly"}),
        )
        .await;
    assert_eq!(converted.status, 200, "{converted:?}");
    assert_eq!(
        only(app.events(org, "subscription.converted")),
        converted.body
    );
    assert_eq!(app.events(org, "invoice.issued").len(), 4);
    // Nothing else was recorded; nothing leaked into another organisation.
    assert_eq!(app.all_events(org).len(), 11);
    assert!(app.all_events(Uuid::new_v4()).is_empty());
}

#[actix_web::test]
async fn a_refused_change_writes_no_event() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let bought = app.buy(&owner, CRM, 1).await;
    let sub = bought["id"].as_str().unwrap();
    let before = app.all_events(org);

    let (a, b) = (
        app.signed_in(org, false).await,
        app.signed_in(org, false).await,
    );
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &owner,
            json!({"user_ids": [a.user_id, b.user_id]}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (409, "not_enough_licenses"));
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{sub}"),
            &owner,
            &[("If-Match", "\"999\"")],
            Some(&json!({"license_count": 3})),
        )
        .await;
    assert_eq!(reply.status, 412, "{reply:?}");
    let reply = app
        .post(
            "/v1/subscriptions",
            &owner,
            json!({"product_id": CRM, "license_count": 0, "trial": true}),
        )
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    // A spend cap refusal happens after the subscription row was written: all of it rolls back.
    let admin = app.signed_in(org, true).await;
    let reply = app
        .send(
            Method::PATCH,
            "/v1/organization/settings",
            &admin,
            &[],
            Some(&json!({"spend_cap": {"amount": 100, "currency": "USD"}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let (profile, card) = app.billing_setup(&owner).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &owner,
            json!({"product_id": CRM, "license_count": 5, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": card}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "spend_cap_exceeded"));
    assert_eq!(app.all_events(org), before);
}

#[actix_web::test]
async fn take_over_and_license_requests_write_their_events() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let user = app.signed_in(org, false).await;
    let mine = app.buy(&owner, CRM, 2).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{mine}/assignments"),
            &owner,
            json!({"user_ids": [user.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let (profile, card) = app.billing_setup(&admin).await;
    let target = app
        .post(
            "/v1/subscriptions",
            &admin,
            json!({"product_id": CRM, "license_count": 5, "billing_frequency": "monthly", "billing_profile_id": profile,
                   "payment_method_id": card, "source": "organization"}),
        )
        .await;
    let target = target.body["id"].as_str().unwrap().to_owned();
    let taken = app
        .post(
            &format!("/v1/admin/subscriptions/{mine}/take-control"),
            &admin,
            json!({"action": "move_users", "target_subscription_id": target}),
        )
        .await;
    assert_eq!(taken.status, 200, "{taken:?}");
    assert_eq!(only(app.events(org, "subscription.taken_over")), taken.body);
    let mut subscription = taken.body.clone();
    subscription
        .as_object_mut()
        .unwrap()
        .remove("moved_user_ids");
    assert_eq!(only(app.events(org, "subscription.canceled")), subscription);
    let moved_in = app.events(org, "licenses.assigned").pop().unwrap();
    assert_eq!(moved_in["subscription"]["id"], json!(target));
    assert_eq!(moved_in["user_ids"], json!([user.user_id]));

    let asked = app
        .post("/v1/license-requests", &owner, json!({"product_id": CRM}))
        .await;
    assert_eq!(asked.status, 201, "{asked:?}");
    assert_eq!(only(app.events(org, "license_request.created")), asked.body);
    let decided = app
        .post(
            &format!(
                "/v1/license-requests/{}/approve",
                asked.body["id"].as_str().unwrap()
            ),
            &admin,
            json!({"subscription_id": target}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(
        only(app.events(org, "license_request.decided")),
        decided.body
    );
}

async fn assign(app: &TestApp, owner: &tests::Actor, sub: &str, users: &[&tests::Actor]) {
    let ids: Vec<Uuid> = users.iter().map(|u| u.user_id).collect();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            owner,
            json!({"user_ids": ids}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn seat_thresholds_are_announced_once_per_crossing() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(app.signed_in(org, false).await);
    }
    let sub = app.buy(&owner, CRM, 5).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let thresholds = |app: &TestApp| -> Vec<Value> {
        app.events(org, "seats.threshold_reached")
            .iter()
            .map(|e| e["threshold"].clone())
            .collect()
    };
    assign(&app, &owner, &sub, &[&people[0], &people[1], &people[2]]).await;
    assert!(thresholds(&app).is_empty());
    assign(&app, &owner, &sub, &[&people[3]]).await;
    assert_eq!(thresholds(&app), vec![json!(80)]);
    // Again the same user: nothing changes, nothing is said.
    assign(&app, &owner, &sub, &[&people[3]]).await;
    assign(&app, &owner, &sub, &[&people[4]]).await;
    assert_eq!(thresholds(&app), vec![json!(80), json!(100)]);
    let last = app.events(org, "seats.threshold_reached").pop().unwrap();
    let read = app
        .get(&format!("/v1/subscriptions/{sub}"), &owner)
        .await
        .body;
    assert_eq!(last, json!({"subscription": read, "threshold": 100}));

    // Falling to 80 % re-arms 100 % silently; reaching it again is announced again.
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments/remove"),
            &owner,
            json!({"user_ids": [people[4].user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(thresholds(&app).len(), 2);
    // A lower total takes use to 100 % (4 of 4).
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{sub}"),
            &owner,
            &[("If-Match", "*")],
            Some(&json!({"license_count": 4})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(thresholds(&app), vec![json!(80), json!(100), json!(100)]);
    // Growing on assign keeps it full: no new crossing.
    let reply = app
        .send(
            Method::POST,
            &format!("/v1/subscriptions/{sub}/assignments"),
            &owner,
            &[("If-Match", "*")],
            Some(&json!({"user_ids": [people[4].user_id], "add_licenses": true})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(thresholds(&app).len(), 3);
}

#[actix_web::test]
async fn an_expiring_card_is_announced_once_per_expiry() {
    let app = TestApp::spawn_at("2026-03-10").await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    app.billing_setup(&owner).await; // a card ending in 2040: never announced
    let card = app
        .post(
            "/v1/payment-methods",
            &owner,
            json!({"card": {"number": "5555555555554444", "exp_month": 3, "exp_year": 2026, "cvc": "123", "holder_name": "Soon"},
                   "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}),
        )
        .await;
    assert_eq!(card.status, 201, "{card:?}");
    let id = card.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.billing_run("2026-03-10").cards_expiring, 1);
    assert_eq!(only(app.events(org, "payment_method.expiring")), card.body);
    assert_eq!(app.billing_run("2026-03-11").cards_expiring, 0);

    // A new expiry is announced again, once it is within 30 days.
    let edited = app
        .send(
            Method::PATCH,
            &format!("/v1/payment-methods/{id}"),
            &owner,
            &[],
            Some(&json!({"exp_month": 4, "exp_year": 2026})),
        )
        .await;
    assert_eq!(edited.status, 200, "{edited:?}");
    assert_eq!(app.billing_run("2026-03-20").cards_expiring, 0);
    app.set_today("2026-04-05");
    assert_eq!(app.billing_run("2026-04-05").cards_expiring, 1);
    assert_eq!(app.billing_run("2026-04-05").cards_expiring, 0);
    let events = app.events(org, "payment_method.expiring");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["exp_month"], json!(4));
}

/// The lifecycle (PRODUCT.md §8) writes its events from the billing run, and
/// tells the purchaser; their own reactivation is recorded but not told to them.
#[actix_web::test]
async fn lifecycle_changes_write_events_and_tell_the_purchaser() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let lapsing = app.buy(&owner, CRM, 2).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{lapsing}"),
            &owner,
            &[("If-Match", "*")],
            Some(&json!({"auto_renew": false})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    app.set_today("2026-04-02");
    app.billing_run("2026-04-02");
    let expired = only(app.events(org, "subscription.expired"));
    assert_eq!(expired["id"], json!(lapsing));
    assert_eq!(expired["status"], json!("expired"));
    app.set_today("2026-05-02");
    app.billing_run("2026-05-02");
    assert_eq!(
        only(app.events(org, "subscription.disabled"))["status"],
        json!("disabled")
    );

    let reactivated = app
        .post(
            &format!("/v1/subscriptions/{lapsing}/reactivate"),
            &owner,
            json!(null),
        )
        .await;
    assert_eq!(reactivated.status, 200, "{reactivated:?}");
    assert_eq!(
        only(app.events(org, "subscription.reactivated")),
        reactivated.body
    );

    let told: Vec<Value> = app.get("/v1/notifications", &owner).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event_type"].clone())
        .collect();
    assert_eq!(
        told,
        vec![
            json!("subscription.disabled"),
            json!("subscription.expired")
        ]
    );
}
