//! Deliveries to a receiver: signed, retried, logged, rotated, redelivered,
//! switched off after 3 days of failures, and claimed once at a time.

use super::*;
use chrono::Duration;
use tests::receiver::Receiver;

fn next_attempt_at(delivery: &serde_json::Value) -> DateTime<Utc> {
    delivery["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn a_delivery_is_the_signed_event_json() {
    let app = app().await;
    let receiver = Receiver::start().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (endpoint_id, secret) = endpoint(&app, &admin, &receiver.url, &["invoice.issued"]).await;
    let event = insert_event(
        &app,
        org,
        EventType::InvoiceIssued,
        json!({"id": "inv-1", "total": {"amount": 1250, "currency": "USD"}}),
    );
    // Not subscribed: no delivery.
    insert_event(&app, org, EventType::LicensesAssigned, json!({}));
    let worker = Worker::new();
    let report = pass(&app, &worker).await;
    assert_eq!((report.dispatched, report.delivered), (2, 1), "{report:?}");

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let request = &got[0];
    assert_eq!(request.header("Selfserve-Event-Id"), event.to_string());
    assert_eq!(request.header("Selfserve-Event-Type"), "invoice.issued");
    assert_eq!(request.header("Content-Type"), "application/json");
    let body = request.json();
    assert_eq!(
        body,
        json!({"id": event.to_string(), "type": "invoice.issued", "created_at": "2026-12-02T10:00:00Z",
               "organization_id": org.to_string(), "data": {"id": "inv-1", "total": {"amount": 1250, "currency": "USD"}}})
    );
    // The signature, computed here from the raw body and the secret shown at creation.
    let (t, v1) = parse_signature(request.header("Selfserve-Signature"));
    assert_eq!(t, now(&app).timestamp().to_string());
    assert_eq!(v1, vec![expected_signature(&secret, &t, &request.body)]);
    assert_ne!(v1[0], expected_signature("whsec_wrong", &t, &request.body));

    let log = log(&app, &admin, &endpoint_id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], json!("delivered"));
    assert_eq!(log[0]["event_id"], json!(event.to_string()));
    assert_eq!(log[0]["event_type"], json!("invoice.issued"));
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["status_code"], json!(200));
    assert_eq!(attempts[0]["succeeded"], json!(true));
    assert!(attempts[0]["duration_ms"].as_i64().unwrap() >= 0);
    // Nothing more to do.
    assert_eq!(pass(&app, &worker).await, PassReport::default());
}

#[actix_web::test]
async fn a_500_is_retried_after_the_backoff_and_both_attempts_are_logged() {
    let app = app().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500]);
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (endpoint_id, _) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    let event = insert_event(&app, org, EventType::SubscriptionCreated, json!({"n": 1}));
    let worker = Worker::new();
    assert_eq!(pass(&app, &worker).await.retrying, 1);

    let log1 = log(&app, &admin, &endpoint_id).await;
    assert_eq!(log1[0]["status"], json!("pending"));
    let retry_at = next_attempt_at(&log1[0]);
    // Base 30 s, first retry after 15–30 s (equal jitter).
    assert!(
        retry_at >= now(&app) + Duration::seconds(15)
            && retry_at <= now(&app) + Duration::seconds(30),
        "{retry_at}"
    );
    let endpoint = app
        .get(
            &format!("/v1/admin/webhook-endpoints/{endpoint_id}"),
            &admin,
        )
        .await;
    assert_eq!(
        endpoint.body["failing_since"],
        json!("2026-12-02T10:00:00Z")
    );

    // Not before it is due…
    advance_to(&app, retry_at - Duration::seconds(1));
    assert_eq!(pass(&app, &worker).await, PassReport::default());
    // …and then delivered.
    advance_to(&app, retry_at);
    assert_eq!(pass(&app, &worker).await.delivered, 1);

    let got = receiver.received();
    assert_eq!(
        got.iter().map(|r| r.answered).collect::<Vec<_>>(),
        vec![500, 200]
    );
    assert!(got
        .iter()
        .all(|r| r.header("Selfserve-Event-Id") == event.to_string()));
    let log2 = log(&app, &admin, &endpoint_id).await;
    assert_eq!(log2[0]["status"], json!("delivered"));
    let attempts = log2[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["status_code"], json!(500));
    assert_eq!(attempts[0]["succeeded"], json!(false));
    assert_eq!(attempts[0]["error"], json!("the receiver answered 500"));
    assert_eq!(attempts[1]["status_code"], json!(200));
    // A success makes the endpoint healthy again.
    let endpoint = app
        .get(
            &format!("/v1/admin/webhook-endpoints/{endpoint_id}"),
            &admin,
        )
        .await;
    assert_eq!(endpoint.body["failing_since"], json!(null));
}

#[actix_web::test]
async fn after_a_rotation_both_secrets_sign_for_a_day() {
    let app = app().await;
    let receiver = Receiver::start().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (endpoint_id, old) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    let rotated = app
        .post(
            &format!("/v1/admin/webhook-endpoints/{endpoint_id}/rotate-secret"),
            &admin,
            json!({}),
        )
        .await;
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    let worker = Worker::new();

    insert_event(&app, org, EventType::LicensesAssigned, json!({}));
    assert_eq!(pass(&app, &worker).await.delivered, 1);
    let first = &receiver.received()[0];
    let (t, v1) = parse_signature(first.header("Selfserve-Signature"));
    assert_eq!(
        v1,
        vec![
            expected_signature(&new, &t, &first.body),
            expected_signature(&old, &t, &first.body)
        ]
    );

    // 24 hours later only the new secret signs.
    advance_to(&app, now(&app) + Duration::hours(24));
    insert_event(&app, org, EventType::LicensesUnassigned, json!({}));
    assert_eq!(pass(&app, &worker).await.delivered, 1);
    let second = &receiver.received()[1];
    let (t, v1) = parse_signature(second.header("Selfserve-Signature"));
    assert_eq!(v1, vec![expected_signature(&new, &t, &second.body)]);
}

#[actix_web::test]
async fn redeliver_sends_the_event_again_as_a_new_delivery() {
    let app = app().await;
    let receiver = Receiver::start().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (endpoint_id, _) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    let event = insert_event(&app, org, EventType::InvoiceIssued, json!({}));
    let worker = Worker::new();
    pass(&app, &worker).await;
    let first = log(&app, &admin, &endpoint_id).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let path = format!("/v1/admin/webhook-endpoints/{endpoint_id}/deliveries/{first}/redeliver");
    let member = app.signed_in(org, false).await;
    assert_eq!(app.post(&path, &member, json!({})).await.status, 403);
    let reply = app.post(&path, &admin, json!({})).await;
    assert_eq!(reply.status, 202, "{reply:?}");
    assert_eq!(reply.body["status"], json!("pending"));
    assert_eq!(reply.body["event_id"], json!(event.to_string()));
    assert_eq!(pass(&app, &worker).await.delivered, 1);

    let ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("Selfserve-Event-Id").to_owned())
        .collect();
    assert_eq!(ids, vec![event.to_string(), event.to_string()]);
    let log = log(&app, &admin, &endpoint_id).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|d| d["status"] == json!("delivered")));

    // A delivery of another endpoint is not found through this one.
    let (other, _) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    let reply = app
        .post(
            &format!("/v1/admin/webhook-endpoints/{other}/deliveries/{first}/redeliver"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 404);
    // A switched-off endpoint redelivers nothing.
    let reply = app
        .call(
            tests::Method::PATCH,
            &format!("/v1/admin/webhook-endpoints/{endpoint_id}"),
            Some(&admin.token),
            Some(&json!({"enabled": false})),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = app.post(&path, &admin, json!({})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "webhook_endpoint_disabled")
    );
}

#[actix_web::test]
async fn an_endpoint_failing_for_three_days_is_switched_off() {
    let app = app().await;
    let receiver = Receiver::start().await;
    receiver.always(503);
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (endpoint_id, _) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    insert_event(&app, org, EventType::SubscriptionCanceled, json!({}));
    let started = now(&app);
    let worker = Worker::new();
    let mut attempts = 0;
    loop {
        let report = pass(&app, &worker).await;
        attempts += report.retrying + report.failed;
        let endpoint = app
            .get(
                &format!("/v1/admin/webhook-endpoints/{endpoint_id}"),
                &admin,
            )
            .await;
        if endpoint.body["enabled"] == json!(false) {
            assert_eq!(endpoint.body["disabled_reason"], json!("failing"));
            break;
        }
        assert!(
            now(&app) < started + Duration::days(3),
            "still enabled after 3 days"
        );
        let log = log(&app, &admin, &endpoint_id).await;
        advance_to(&app, next_attempt_at(&log[0]));
    }
    // Switched off exactly when 3 days of failures were up, not before.
    assert_eq!(now(&app), started + Duration::days(3));
    assert!((10..40).contains(&attempts), "{attempts} attempts");
    assert_eq!(receiver.received().len(), attempts);
    let log = log(&app, &admin, &endpoint_id).await;
    assert_eq!(log[0]["status"], json!("failed"));
    // Nothing is sent to it any more.
    insert_event(&app, org, EventType::SubscriptionCreated, json!({}));
    advance_to(&app, now(&app) + Duration::days(1));
    let report = pass(&app, &worker).await;
    assert_eq!(report.retrying + report.failed + report.delivered, 0);
    // Its admins are told: a notification (from a `webhook_endpoint.disabled`
    // event, e-mailed too when SMTP is set) and the audit row.
    let told = app.get("/v1/notifications", &admin).await;
    assert_eq!(told.status, 200, "{told:?}");
    assert_eq!(
        told.body["data"][0]["event_type"],
        json!("webhook_endpoint.disabled"),
        "{told:?}"
    );
    assert!(
        told.body["data"][0]["summary"]
            .as_str()
            .unwrap()
            .contains(&receiver.url),
        "{told:?}"
    );
    let event = app.events(org, "webhook_endpoint.disabled");
    assert_eq!(event.len(), 1);
    assert_eq!(event[0]["id"], json!(endpoint_id));
    assert_eq!(event[0]["enabled"], json!(false));
    assert!(event[0].get("secret").is_none());
    let mut conn = app.state.services.db.pool().get().unwrap();
    let rows = persistence::repos::audit::for_target(
        &mut conn,
        OrganizationId::from(org),
        "webhook_endpoint",
        &endpoint_id,
        None,
        100,
    )
    .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.action == "webhook_endpoint_disabled" && r.actor_id.is_none()),
        "{rows:?}"
    );
}

#[actix_web::test]
async fn a_claimed_delivery_is_not_sent_by_a_second_worker() {
    let app = app().await;
    let receiver = Receiver::start().await;
    receiver.hold(std::time::Duration::from_millis(1500));
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    endpoint(&app, &admin, &receiver.url, &["*"]).await;
    insert_event(&app, org, EventType::InvoiceIssued, json!({}));
    let (first, second) = (Worker::new(), Worker::new());
    let sending = async { pass(&app, &first).await };
    let meanwhile = async {
        // Once the first worker's request is at the receiver…
        while receiver.arrived() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // …the second finds nothing to claim.
        pass(&app, &second).await
    };
    let (a, b) = tokio::join!(sending, meanwhile);
    assert_eq!(a.delivered, 1);
    assert_eq!(b, PassReport::default());
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(receiver.overlaps(), 0);
}

#[actix_web::test]
async fn the_address_is_checked_again_at_send_time() {
    // An endpoint whose name now resolves to loopback (as after DNS
    // rebinding), on a server that does not allow private targets.
    let app = TestApp::spawn_with(&[], clock_at("2026-12-02T10:00:00Z")).await;
    let receiver = Receiver::start().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let port = receiver
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook");
    let row = persistence::rows::WebhookEndpointRow::new(
        OrganizationId::from(org),
        format!("https://localhost:{port}/hook"),
        domain::webhook::EventSelection::All,
        None,
        "whsec_test".into(),
        now(&app).naive_utc(),
    );
    persistence::repos::webhook_endpoints::insert(
        &mut app.state.services.db.pool().get().unwrap(),
        &row,
    )
    .unwrap();
    insert_event(&app, org, EventType::InvoiceIssued, json!({}));
    let report = pass(&app, &Worker::new()).await;
    assert_eq!((report.delivered, report.retrying), (0, 1), "{report:?}");
    assert_eq!(
        receiver.arrived(),
        0,
        "the request reached the private address"
    );
    let log = log(&app, &admin, &row.id.to_string()).await;
    let attempt = &log[0]["attempts"][0];
    assert_eq!(attempt["status_code"], json!(null));
    let error = attempt["error"].as_str().unwrap();
    assert!(error.contains("loopback address"), "{error}");
}
