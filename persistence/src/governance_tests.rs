//! The governance repositories on a real database, both backends: what is
//! stored comes back as the same domain value, and the guards hold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::repos::{license_requests, organization_settings};
use crate::rows::{OrganizationSettingsRow, StoredLicenseRequest};
use crate::test_db::{Db, T};
use chrono::{DateTime, Utc};
use domain::assignment::AssignmentBatch;
use domain::governance::{
    LicenseRequest, LicenseRequestStatus, LicenseRequestUrl, LicenseRequests, OrganizationSettings,
    RequestMessage, SpendCap,
};
use domain::ids::{LicenseRequestId, OrganizationId, ProductId, SubscriptionId, UserId};
use domain::policy::SelfServicePolicy;
use domain::{Currency, Money};

struct Seeded {
    org: OrganizationId,
    admin: UserId,
    members: Vec<UserId>,
    subscription: SubscriptionId,
}

fn seed(db: &Db) -> Seeded {
    let org = OrganizationId::new_random();
    db.ok(&format!(
        "INSERT INTO organizations (id, created_at) VALUES ('{org}', {T})"
    ));
    let user = |n: usize| {
        let id = UserId::new_random();
        db.ok(&format!(
            "INSERT INTO users (id, organization_id, display_name, display_name_key, created_at) \
             VALUES ('{id}', '{org}', 'U{n}', 'u{n}', {T})"
        ));
        id
    };
    let admin = user(0);
    let members = (1..=3).map(user).collect();
    let subscription = SubscriptionId::new_random();
    db.ok(&format!(
        "INSERT INTO subscriptions (id, organization_id, purchaser_id, product_id, source, status, license_count, currency, \
         auto_renew, created_at, updated_at) VALUES ('{subscription}', '{org}', '{admin}', 'p', 'organization', 'active', 5, \
         'USD', true, {T}, {T})"
    ));
    Seeded {
        org,
        admin,
        members,
        subscription,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn settings_round_trip(db: &Db) {
    let s = seed(db);
    let mut conn = db.pool.get().unwrap();
    let org = s.org;
    assert!(organization_settings::find(&mut conn, org)
        .unwrap()
        .is_none());
    let row = |settings: &OrganizationSettings| {
        OrganizationSettingsRow::new(
            org,
            settings,
            1,
            s.admin,
            at("2026-03-01T00:00:00Z").naive_utc(),
        )
    };
    organization_settings::insert_if_absent(&mut conn, &row(&OrganizationSettings::default()))
        .unwrap();
    let wanted = OrganizationSettings {
        default_policy: SelfServicePolicy::TrialsOnly,
        license_requests: LicenseRequests::Disabled,
        license_request_url: Some(LicenseRequestUrl::parse("https://it.example/ask").unwrap()),
        spend_cap: Some(
            SpendCap::parse(Money::new(50_000, Currency::parse("USD").unwrap())).unwrap(),
        ),
    };
    // A second first-writer finds the row there and changes nothing.
    organization_settings::insert_if_absent(&mut conn, &row(&wanted)).unwrap();
    let stored = organization_settings::find(&mut conn, org)
        .unwrap()
        .unwrap();
    assert_eq!(
        OrganizationSettings::try_from(&stored).unwrap(),
        OrganizationSettings::default()
    );
    organization_settings::lock(&mut conn, org).unwrap();
    organization_settings::update(&mut conn, &row(&wanted)).unwrap();
    let stored = organization_settings::find(&mut conn, org)
        .unwrap()
        .unwrap();
    assert_eq!(OrganizationSettings::try_from(&stored).unwrap(), wanted);
    assert_eq!(stored.version, 2);
    // Clearing optional values stores NULLs.
    organization_settings::update(&mut conn, &row(&OrganizationSettings::default())).unwrap();
    let stored = organization_settings::find(&mut conn, org)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.license_request_url,
            stored.spend_cap_amount,
            stored.version
        ),
        (None, None, 3)
    );
}

fn requests_round_trip(db: &Db) {
    let s = seed(db);
    let mut conn = db.pool.get().unwrap();
    let org = s.org;
    let product = ProductId::new_random();
    let file = |requester: UserId, users: &[UserId], when: &str| {
        LicenseRequest::file(
            LicenseRequestId::new_random(),
            s.org,
            requester,
            product,
            &AssignmentBatch::parse(users.to_vec()).unwrap(),
            RequestMessage::parse_optional(Some("for the team")).unwrap(),
            at(when),
        )
    };
    let mut request = file(s.members[0], &s.members, "2026-03-01T10:00:00Z");
    license_requests::insert(&mut conn, &StoredLicenseRequest::from(&request)).unwrap();
    let id = request.id();
    let pending = license_requests::pending_id(&mut conn, org, s.members[0], product).unwrap();
    assert_eq!(pending, Some(id));
    let loaded = license_requests::find(&mut conn, org, id).unwrap().unwrap();
    assert_eq!(LicenseRequest::try_from(loaded).unwrap(), request);

    // A partial approval comes back with each user's outcome, in order.
    let subset = AssignmentBatch::parse(vec![s.members[2], s.members[0]]).unwrap();
    request
        .approve(
            Some(&subset),
            s.subscription,
            s.admin,
            None,
            at("2026-03-02T00:00:00Z"),
        )
        .unwrap();
    let decided = StoredLicenseRequest::from(&request);
    assert!(license_requests::decide(&mut conn, &decided).unwrap());
    // The second decision finds it decided and writes nothing.
    assert!(!license_requests::decide(&mut conn, &decided).unwrap());
    let loaded = license_requests::find(&mut conn, org, id).unwrap().unwrap();
    let loaded = LicenseRequest::try_from(loaded).unwrap();
    assert_eq!(loaded, request);
    assert_eq!(loaded.status(), LicenseRequestStatus::PartiallyApproved);

    // Another organisation sees nothing.
    let elsewhere = OrganizationId::new_random();
    assert!(license_requests::find(&mut conn, elsewhere, id)
        .unwrap()
        .is_none());

    // Lists filter and page newest first.
    let newer = file(s.members[1], &s.members[1..2], "2026-03-05T00:00:00Z");
    license_requests::insert(&mut conn, &StoredLicenseRequest::from(&newer)).unwrap();
    let all = license_requests::list(&mut conn, org, &Default::default(), None, 10).unwrap();
    let ids: Vec<LicenseRequestId> = all.iter().map(|r| r.request.id).collect();
    assert_eq!(ids, vec![newer.id(), id]);
    assert!(all.iter().all(|r| !r.users.is_empty()));
    let filter = license_requests::Filter {
        status: Some(LicenseRequestStatus::Pending),
        ..Default::default()
    };
    let pending = license_requests::list(&mut conn, org, &filter, None, 10).unwrap();
    assert_eq!(pending.len(), 1);
    let first = &all[0].request;
    let next = license_requests::list(
        &mut conn,
        org,
        &Default::default(),
        Some((first.created_at, first.id.to_string())),
        10,
    )
    .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].request.id, id);

    // The purge takes requests filed before the cutoff, with their users.
    let cutoff = at("2026-03-03T00:00:00Z").naive_utc();
    assert_eq!(license_requests::purge(&mut conn, cutoff).unwrap(), 1);
    assert!(license_requests::find(&mut conn, org, id)
        .unwrap()
        .is_none());
    let left: i64 = {
        use crate::schema::license_request_users as u;
        use diesel::prelude::*;
        u::table.count().get_result(&mut *conn).unwrap()
    };
    assert_eq!(left, 1);
}

#[test]
fn sqlite_governance_repositories() {
    let db = Db::sqlite();
    settings_round_trip(&db);
    requests_round_trip(&db);
}

#[test]
fn postgres_governance_repositories() {
    match Db::postgres() {
        Some(db) => {
            settings_round_trip(&db);
            requests_round_trip(&db);
        }
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL governance repositories not run"),
    }
}
