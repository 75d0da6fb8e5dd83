//! The delivery queue on a real database, both backends: a claimed delivery
//! is not claimed again until its lease runs out; a worker that lost its
//! lease records nothing; released claims are free at once; deliveries of a
//! switched-off endpoint are not claimed; undispatched events come once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::repos::deliveries::{self, Lease, Settled};
use crate::repos::{events, webhook_endpoints};
use crate::rows::{DeliveryAttemptRow, DeliveryRow, EventRow, WebhookEndpointRow};
use crate::test_db::{Db, T};
use crate::{write_transaction, DbConnection};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::delivery::DeliveryStatus;
use domain::event::EventType;
use domain::ids::{DeliveryAttemptId, WebhookEndpointId};
use domain::webhook::EventSelection;
use domain::{EventId, OrganizationId};

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 2)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

struct Setup {
    endpoint: WebhookEndpointId,
    event: EventId,
    org: OrganizationId,
}

fn setup(db: &Db) -> Setup {
    let org = OrganizationId::new_random();
    db.ok(&format!(
        "INSERT INTO organizations (id, created_at) VALUES ('{org}', {T})"
    ));
    let mut conn = db.pool.get().unwrap();
    let event = EventRow {
        id: EventId::new_random(),
        organization_id: org,
        event_type: EventType::InvoiceIssued,
        created_at: t0(),
        data: "{}".into(),
        dispatched_at: None,
    };
    events::insert(&mut conn, &event).unwrap();
    let endpoint = WebhookEndpointRow::new(
        org,
        "https://hooks.example.com/".into(),
        EventSelection::All,
        None,
        "whsec_test".into(),
        t0(),
    );
    webhook_endpoints::insert(&mut conn, &endpoint).unwrap();
    Setup {
        endpoint: endpoint.id,
        event: event.id,
        org,
    }
}

fn lease(owner: &str, now: NaiveDateTime) -> Lease {
    Lease {
        owner: owner.into(),
        now,
        until: now + Duration::seconds(60),
    }
}

fn claim(conn: &mut DbConnection, owner: &str, now: NaiveDateTime) -> Vec<DeliveryRow> {
    write_transaction(conn, |c| deliveries::claim_due(c, &lease(owner, now), 10)).unwrap()
}

fn attempt(delivery: &DeliveryRow, at: NaiveDateTime) -> DeliveryAttemptRow {
    DeliveryAttemptRow {
        id: DeliveryAttemptId::new_random(),
        delivery_id: delivery.id,
        attempted_at: at,
        status_code: Some(500),
        duration_ms: 12,
        succeeded: false,
        error: None,
    }
}

fn leases_hold_until_they_run_out(db: &Db) {
    let s = setup(db);
    let row = DeliveryRow::to_endpoint(s.org, s.event, s.endpoint, t0());
    let mut conn = db.pool.get().unwrap();
    let conn = &mut *conn;
    deliveries::insert(conn, &row).unwrap();

    let a = claim(conn, "a", t0());
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].lease_owner.as_deref(), Some("a"));
    // Held: nobody else gets it, even a second later.
    assert!(claim(conn, "b", t0() + Duration::seconds(1)).is_empty());
    // The lease ran out (worker "a" died): "b" takes it over…
    let b = claim(conn, "b", t0() + Duration::seconds(61));
    assert_eq!(b.len(), 1);
    // …and "a", back from the dead, records nothing.
    assert!(!deliveries::settle(conn, "a", &attempt(&a[0], t0()), Settled::Failed).unwrap());
    let later = t0() + Duration::seconds(90);
    assert!(deliveries::settle(
        conn,
        "b",
        &attempt(&b[0], later),
        Settled::RetryAt(later + Duration::seconds(30))
    )
    .unwrap());
    // Not due before its retry time; due after.
    assert!(claim(conn, "c", later + Duration::seconds(29)).is_empty());
    let c = claim(conn, "c", later + Duration::seconds(30));
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].attempts, 1);
    // Released on shutdown: free at once.
    assert_eq!(deliveries::release(conn, "c").unwrap(), 1);
    assert_eq!(claim(conn, "d", later + Duration::seconds(31)).len(), 1);
    let logged = deliveries::log_of_endpoint(conn, s.endpoint, None, 10).unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].attempts.len(), 1);
    assert_eq!(logged[0].event_type, EventType::InvoiceIssued);
    assert_eq!(logged[0].delivery.status, DeliveryStatus::Pending);
}

fn switched_off_endpoints_are_not_claimed(db: &Db) {
    let s = setup(db);
    let row = DeliveryRow::to_endpoint(s.org, s.event, s.endpoint, t0());
    let mut conn = db.pool.get().unwrap();
    deliveries::insert(&mut conn, &row).unwrap();
    assert!(webhook_endpoints::disable_failing(&mut conn, s.endpoint, t0()).unwrap());
    assert!(!webhook_endpoints::disable_failing(&mut conn, s.endpoint, t0()).unwrap());
    let claimed = claim(&mut conn, "a", t0() + Duration::days(1));
    assert!(claimed.iter().all(|d| d.endpoint_id != Some(s.endpoint)));
}

fn events_are_dispatched_once(db: &Db) {
    let s = setup(db);
    let mut conn = db.pool.get().unwrap();
    let first = write_transaction(&mut conn, |c| {
        let rows = events::claim_undispatched(c, 100)?;
        let ids: Vec<EventId> = rows.iter().map(|r| r.id).collect();
        events::mark_dispatched(c, &ids, t0())?;
        Ok::<_, crate::RepoError>(ids)
    })
    .unwrap();
    assert!(first.contains(&s.event));
    let again = events::claim_undispatched(&mut conn, 100).unwrap();
    assert!(again.iter().all(|r| r.id != s.event));
}

fn all(db: &Db) {
    leases_hold_until_they_run_out(db);
    switched_off_endpoints_are_not_claimed(db);
    events_are_dispatched_once(db);
}

#[test]
fn sqlite_delivery_queue() {
    all(&Db::sqlite());
}

#[test]
fn postgres_delivery_queue() {
    match Db::postgres() {
        Some(db) => all(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL delivery queue check not run"),
    }
}
