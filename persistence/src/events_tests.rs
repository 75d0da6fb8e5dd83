//! The outbox table on a real database, both backends: an event comes back
//! as stored, in order, per organisation; an unknown type is corrupt data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::error::RepoError;
use crate::repos::events;
use crate::rows::EventRow;
use crate::test_db::{Db, T};
use chrono::NaiveDate;
use domain::event::EventType;
use domain::{EventId, OrganizationId};

fn organization(db: &Db) -> OrganizationId {
    let org = OrganizationId::new_random();
    db.ok(&format!(
        "INSERT INTO organizations (id, created_at) VALUES ('{org}', {T})"
    ));
    org
}

fn event(org: OrganizationId, second: u32, event_type: EventType) -> EventRow {
    EventRow {
        id: EventId::new_random(),
        organization_id: org,
        event_type,
        created_at: NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(10, 0, second)
            .unwrap(),
        data: format!(r#"{{"n":{second}}}"#),
        dispatched_at: None,
    }
}

fn round_trips_in_order(db: &Db) {
    let (org, other) = (organization(db), organization(db));
    let mut conn = db.pool.get().unwrap();
    let second = event(org, 2, EventType::InvoiceIssued);
    let first = event(org, 1, EventType::SubscriptionCreated);
    for e in [
        &second,
        &first,
        &event(other, 0, EventType::LicensesAssigned),
    ] {
        events::insert(&mut conn, e).unwrap();
    }
    let read = events::for_organization(&mut conn, org, None, 10).unwrap();
    assert_eq!(read, vec![first.clone(), second.clone()]);
    let after = (first.created_at, first.id.to_string());
    let rest = events::for_organization(&mut conn, org, Some(after), 10).unwrap();
    assert_eq!(rest, vec![second]);
}

fn refuses_unknown_types(db: &Db) {
    let org = organization(db);
    db.ok(&format!(
        "INSERT INTO events (id, organization_id, type, created_at, data) \
         VALUES ('{}', '{org}', 'subscription.paused', {T}, '{{}}')",
        EventId::new_random()
    ));
    let mut conn = db.pool.get().unwrap();
    let read = events::for_organization(&mut conn, org, None, 10);
    assert!(matches!(read, Err(RepoError::Corrupt(_))));
}

#[test]
fn sqlite_events() {
    let db = Db::sqlite();
    round_trips_in_order(&db);
    refuses_unknown_types(&db);
}

#[test]
fn postgres_events() {
    match Db::postgres() {
        Some(db) => {
            round_trips_in_order(&db);
            refuses_unknown_types(&db);
        }
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL events check not run"),
    }
}
