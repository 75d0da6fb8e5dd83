#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Webhooks (PRODUCT.md §8) through the real stack, both backends: endpoint
//! management, signed deliveries to a receiver on 127.0.0.1 (private targets
//! allowed by configuration), retries, rotation, redelivery, the 3-day
//! switch-off driven by the test clock, leases, and replicas sharing one
//! database.

mod delivery;
mod endpoints;
mod replicas;
mod snippet;

use chrono::{DateTime, Utc};
use domain::event::EventType;
use domain::{EventId, OrganizationId};
use hmac::{Hmac, Mac};
use persistence::rows::EventRow;
use sha2::Sha256;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use tests::{json, Actor, TestApp};
use usecases::deliveries::{PassReport, Worker};
use usecases::Clock;
use uuid::Uuid;

pub const PRIVATE_OK: (&str, &str) = ("SELFSERVE_WEBHOOK_ALLOW_PRIVATE", "true");

pub fn clock_at(at: &str) -> Clock {
    let t: DateTime<Utc> = at.parse().unwrap();
    Clock::Fixed(Arc::new(RwLock::new(t)))
}

/// A server that may call 127.0.0.1, its clock fixed at 2026-12-02 10:00 UTC.
pub async fn app() -> TestApp {
    TestApp::spawn_with(&[PRIVATE_OK], clock_at("2026-12-02T10:00:00Z")).await
}

pub fn now(app: &TestApp) -> DateTime<Utc> {
    app.state.services.clock.now()
}

pub fn advance_to(app: &TestApp, to: DateTime<Utc>) {
    app.state.services.clock.set(to);
}

/// One dispatch and delivery pass, as the server's worker makes every second.
pub async fn pass(app: &TestApp, worker: &Worker) -> PassReport {
    worker
        .pass(&app.state.services, &AtomicBool::new(false))
        .await
        .unwrap()
}

/// An event in the outbox, as a use case would write it.
pub fn insert_event(
    app: &TestApp,
    org: Uuid,
    event_type: EventType,
    data: serde_json::Value,
) -> EventId {
    let row = EventRow {
        id: EventId::new_random(),
        organization_id: OrganizationId::from(org),
        event_type,
        created_at: now(app).naive_utc(),
        data: data.to_string(),
        dispatched_at: None,
    };
    let mut conn = app.state.services.db.pool().get().unwrap();
    persistence::repos::events::insert(&mut conn, &row).unwrap();
    row.id
}

/// An endpoint of `admin`'s organisation; returns (id, secret).
pub async fn endpoint(
    app: &TestApp,
    admin: &Actor,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let reply = app
        .post(
            "/v1/admin/webhook-endpoints",
            admin,
            json!({"url": url, "events": events, "description": "test receiver"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    (
        reply.body["id"].as_str().unwrap().to_owned(),
        reply.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// The signature as a receiver computes it, independently of the service.
pub fn expected_signature(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// `t` and every `v1` of a `Selfserve-Signature` header.
pub fn parse_signature(header: &str) -> (String, Vec<String>) {
    let mut t = String::new();
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.to_owned(),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => panic!("unexpected signature part {part:?}"),
        }
    }
    (t, v1)
}

/// The endpoint's delivery log, newest first.
pub async fn log(app: &TestApp, admin: &Actor, endpoint: &str) -> Vec<serde_json::Value> {
    let reply = app
        .get(
            &format!("/v1/admin/webhook-endpoints/{endpoint}/deliveries?limit=100"),
            admin,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().clone()
}
