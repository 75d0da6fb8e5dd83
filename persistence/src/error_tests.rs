//! Real violations on a migrated database, classified: on SQLite always, on
//! PostgreSQL when `TEST_DATABASE_URL` names a server (in a fresh schema).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{Constraint, RepoError};
use crate::test_db::{Db, T};

/// An organisation, a member, a billing profile and an active subscription.
fn seed(db: &Db) {
    db.ok(&format!(
        "INSERT INTO organizations (id, created_at) VALUES ('o', {T})"
    ));
    db.ok(&format!(
        "INSERT INTO users (id, organization_id, subject, display_name, display_name_key, email, email_key, created_at) \
         VALUES ('u', 'o', 's', 'U', 'u', 'a@x.io', 'a@x.io', {T})"
    ));
    db.ok(&format!(
        "INSERT INTO billing_accounts (id, organization_id, owner_id, name, created_at) VALUES ('ba', 'o', 'u', 'n', {T})"
    ));
    db.ok(&format!(
        "INSERT INTO billing_profiles (id, organization_id, billing_account_id, owner_id, name, bill_to_line1, bill_to_city, \
         bill_to_postal_code, bill_to_country, invoice_email, created_at, updated_at) \
         VALUES ('bp', 'o', 'ba', 'u', 'n', 'l', 'c', 'p', 'PL', 'a@x.io', {T}, {T})"
    ));
    db.ok(&subscription("sub", "active", 2));
    db.ok(&invoice("i1", 1, "renewal:sub:2026-02-01"));
}

fn subscription(id: &str, status: &str, licenses: i64) -> String {
    format!(
        "INSERT INTO subscriptions (id, organization_id, purchaser_id, product_id, source, status, license_count, currency, \
         auto_renew, created_at, updated_at) VALUES ('{id}', 'o', 'u', 'p', 'self_service', '{status}', {licenses}, 'EUR', \
         false, {T}, {T})"
    )
}

fn invoice(id: &str, number: i64, key: &str) -> String {
    format!(
        "INSERT INTO invoices (id, organization_id, owner_id, number, billing_profile_id, subscription_id, reason, issued_at, \
         issue_date, due_date, period_start, period_end, status, currency, subtotal, tax, total, bill_to, renewal_key) \
         VALUES ('{id}', 'o', 'u', {number}, 'bp', 'sub', 'renewal', {T}, '2026-01-01', '2026-01-01', '2026-01-01', \
         '2026-02-01', 'due', 'EUR', 0, 0, 0, '{{}}', '{key}')"
    )
}

fn classifies_every_violation(db: &Db) {
    seed(db);
    let unique = |sql: &str| match db.exec(sql) {
        Err(RepoError::Unique(c)) => c,
        other => panic!("{sql}: {other:?}"),
    };
    assert_eq!(
        unique(&invoice("i2", 2, "renewal:sub:2026-02-01")),
        Constraint::RenewalKey
    );
    assert_eq!(
        unique(&invoice("i2", 1, "renewal:sub:2026-03-01")),
        Constraint::InvoiceNumber
    );
    db.ok(&format!(
        "INSERT INTO license_assignments (subscription_id, user_id, organization_id, assigned_by, assigned_at) \
         VALUES ('sub', 'u', 'o', 'u', {T})"
    ));
    assert_eq!(
        unique(&format!(
            "INSERT INTO license_assignments (subscription_id, user_id, organization_id, assigned_by, assigned_at) \
             VALUES ('sub', 'u', 'o', 'u', {T})"
        )),
        Constraint::AssignmentUnique
    );
    let idempotency = format!(
        "INSERT INTO idempotency_keys (owner_id, idempotency_key, request_hash, state, locked_until, created_at) \
         VALUES ('u', 'k', 'h', 'in_progress', {T}, {T})"
    );
    db.ok(&idempotency);
    assert_eq!(unique(&idempotency), Constraint::IdempotencyKey);
    assert_eq!(
        unique(&format!(
            "INSERT INTO billing_accounts (id, organization_id, owner_id, name, created_at) VALUES ('ba2', 'o', 'u', 'n', {T})"
        )),
        Constraint::BillingAccountOwner
    );
    let user = |id: &str, subject: &str, email: &str, key: &str| {
        format!(
            "INSERT INTO users (id, organization_id, subject, display_name, display_name_key, email, email_key, created_at) \
             VALUES ('{id}', 'o', '{subject}', 'V', 'v', '{email}', '{key}', {T})"
        )
    };
    assert_eq!(
        unique(&user("u", "s2", "b@x.io", "b@x.io")),
        Constraint::UserId
    );
    assert_eq!(
        unique(&user("v", "s", "b@x.io", "b@x.io")),
        Constraint::SubjectPerOrg
    );
    assert_eq!(
        unique(&user("v", "s2", "b@x.io", "a@x.io")),
        Constraint::EmailPerOrg
    );
    // Only the expression index `users_email_lower` sees these as one address.
    assert_eq!(
        unique(&user("v", "s2", "A@x.io", "other")),
        Constraint::EmailPerOrg
    );
    assert_eq!(
        unique(&format!(
            "INSERT INTO organizations (id, created_at) VALUES ('o', {T})"
        )),
        Constraint::OrganizationId
    );
    db.ok(&subscription("t1", "trial", 1));
    assert_eq!(
        unique(&subscription("t2", "trial", 1)),
        Constraint::OneTrial
    );

    match db.exec("UPDATE subscriptions SET assigned_count = 3 WHERE id = 'sub'") {
        Err(RepoError::Check(Constraint::AssignedWithinTotal)) => {}
        other => panic!("{other:?}"),
    }
    match db.exec("UPDATE subscriptions SET license_count = 0 WHERE id = 'sub'") {
        Err(RepoError::Check(Constraint::Other(_))) => {}
        other => panic!("{other:?}"),
    }
    match db.exec(&format!(
        "INSERT INTO users (id, organization_id, display_name, display_name_key, created_at) VALUES ('w', 'nowhere', 'W', 'w', {T})"
    )) {
        Err(RepoError::ForeignKey(Constraint::Other(_))) => {}
        other => panic!("{other:?}"),
    }
    seats_constraints(db);
}

/// PRODUCT.md §9: a profile's proration behaviour defaults to `invoice_now`
/// and takes no other word than the two; a quote expires after it was priced.
fn seats_constraints(db: &Db) {
    let behaviour: Vec<String> = {
        use crate::schema::billing_profiles as p;
        use diesel::prelude::*;
        // The pool holds one connection: this one goes back at the block's end.
        let mut conn = db.pool.get().unwrap();
        p::table
            .filter(p::id.eq("bp"))
            .select(p::proration_behavior)
            .load(&mut *conn)
            .unwrap()
    };
    assert_eq!(behaviour, ["invoice_now"]);
    db.ok("UPDATE billing_profiles SET proration_behavior = 'next_invoice' WHERE id = 'bp'");
    match db.exec("UPDATE billing_profiles SET proration_behavior = 'later' WHERE id = 'bp'") {
        Err(RepoError::Check(Constraint::Other(_))) => {}
        other => panic!("{other:?}"),
    }
    let quote = |id: &str, expires: &str| {
        format!(
            "INSERT INTO quotes (id, organization_id, subscription_id, subscription_version, license_count, amount, \
             currency, priced_at, expires_at) VALUES ('{id}', 'o', 'sub', 1, 3, 1250, 'EUR', {T}, {expires})"
        )
    };
    db.ok(&quote("q1", "'2026-01-01 00:15:00'"));
    match db.exec(&quote("q2", T)) {
        Err(RepoError::Check(Constraint::Other(_))) => {}
        other => panic!("{other:?}"),
    }
}

/// The governance tables (PRODUCT.md §7) hold their rules themselves.
fn governance_constraints_hold(db: &Db) {
    seed(db);
    let request = |id: &str, status: &str, decided: &str| {
        format!(
            "INSERT INTO license_requests (id, organization_id, requester_id, product_id, status, decided_by, decided_at, created_at) \
             VALUES ('{id}', 'o', 'u', 'p', '{status}', {decided}, {decided_at}, {T})",
            decided_at = if decided == "NULL" { "NULL" } else { T },
        )
    };
    db.ok(&request("r1", "pending", "NULL"));
    match db.exec(&request("r2", "pending", "NULL")) {
        Err(RepoError::Unique(Constraint::OnePendingRequest)) => {}
        other => panic!("{other:?}"),
    }
    // Decided requests for the same product do not count against the one pending.
    db.ok(&request("r3", "denied", "'u'"));
    db.ok(&request("r4", "approved", "'u'"));
    let check = |sql: &str| match db.exec(sql) {
        Err(RepoError::Check(_)) => {}
        other => panic!("{sql}: {other:?}"),
    };
    check(&request("r5", "denied", "NULL"));
    check(&request("r5", "maybe", "'u'"));
    check("UPDATE license_requests SET status = 'approved' WHERE id = 'r1'");
    check(&format!(
        "UPDATE license_requests SET message = '{}' WHERE id = 'r1'",
        "é".repeat(501)
    ));
    db.ok(&format!(
        "UPDATE license_requests SET message = '{}' WHERE id = 'r1'",
        "é".repeat(500)
    ));

    let user = |position: i32, outcome: &str| {
        format!(
            "INSERT INTO license_request_users (request_id, user_id, position, outcome) VALUES ('r1', 'u', {position}, '{outcome}')"
        )
    };
    check(&user(20, "pending"));
    check(&user(0, "maybe"));
    db.ok(&user(0, "pending"));
    // Purging a request takes its users with it.
    db.ok("DELETE FROM license_requests WHERE id = 'r1'");

    let settings = |url: &str, amount: &str, currency: &str| {
        format!(
            "INSERT INTO organization_settings (organization_id, license_request_url, spend_cap_amount, spend_cap_currency, updated_by, updated_at) \
             VALUES ('o', {url}, {amount}, {currency}, 'u', {T})"
        )
    };
    check(&settings("'http://it.example'", "NULL", "NULL"));
    check(&settings("NULL", "-1", "'USD'"));
    check(&settings("NULL", "100", "NULL"));
    check(&settings("NULL", "NULL", "'USD'"));
    db.ok(&settings("'HTTPS://it.example/ask'", "100", "'USD'"));
    check("UPDATE organization_settings SET default_policy = 'sometimes'");
    check("UPDATE organization_settings SET license_requests = 'maybe'");
}

#[test]
fn sqlite_governance_constraints_hold() {
    governance_constraints_hold(&Db::sqlite());
}

#[test]
fn postgres_governance_constraints_hold() {
    match Db::postgres() {
        Some(db) => governance_constraints_hold(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL governance constraints not run"),
    }
}

/// Rows whose ids are not UUIDs (the seed's 'o', 'u', 'sub'), or whose status
/// no variant names, are refused as corrupt when read: never defaulted.
fn refuses_corrupt_rows(db: &Db) {
    use crate::rows::{SubscriptionRow, UserRow};
    use crate::schema::{subscriptions, users};
    use diesel::{QueryDsl, RunQueryDsl, SelectableHelper};
    seed(db);
    let mut conn = db.pool.get().unwrap();
    let read: Result<Vec<SubscriptionRow>, _> = subscriptions::table
        .select(SubscriptionRow::as_select())
        .load(&mut *conn);
    assert!(matches!(
        read.map_err(RepoError::from),
        Err(RepoError::Corrupt(_))
    ));
    let read: Result<Vec<UserRow>, _> = users::table.select(UserRow::as_select()).load(&mut *conn);
    assert!(matches!(
        read.map_err(RepoError::from),
        Err(RepoError::Corrupt(_))
    ));
}

#[test]
fn sqlite_violations_are_typed() {
    classifies_every_violation(&Db::sqlite());
}

#[test]
fn postgres_violations_are_typed() {
    match Db::postgres() {
        Some(db) => classifies_every_violation(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL classification not run"),
    }
}

/// Every down.sql undoes its up.sql: the whole chain reverts to nothing and
/// applies again.
fn migrations_revert_and_reapply(db: &Db) {
    use crate::connection::DbConnection;
    use crate::migrations::{POSTGRES, SQLITE};
    use diesel_migrations::MigrationHarness;
    let mut conn = db.pool.get().unwrap();
    let (reverted, applied) = match &mut *conn {
        DbConnection::Sqlite(c) => (
            c.revert_all_migrations(SQLITE).unwrap().len(),
            c.run_pending_migrations(SQLITE).unwrap().len(),
        ),
        DbConnection::Pg(c) => (
            c.revert_all_migrations(POSTGRES).unwrap().len(),
            c.run_pending_migrations(POSTGRES).unwrap().len(),
        ),
    };
    assert!(reverted > 0);
    assert_eq!(reverted, applied);
    drop(conn);
    // The schema is whole again: the seats constraints hold as before.
    seed(db);
    seats_constraints(db);
}

#[test]
fn sqlite_migrations_revert_and_reapply() {
    migrations_revert_and_reapply(&Db::sqlite());
}

#[test]
fn postgres_migrations_revert_and_reapply() {
    match Db::postgres() {
        Some(db) => migrations_revert_and_reapply(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL migrations not reverted"),
    }
}

#[test]
fn sqlite_corrupt_rows_are_refused() {
    refuses_corrupt_rows(&Db::sqlite());
}

#[test]
fn postgres_corrupt_rows_are_refused() {
    match Db::postgres() {
        Some(db) => refuses_corrupt_rows(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL corrupt-row check not run"),
    }
}

#[test]
fn unavailable_is_told_from_other_errors() {
    use diesel::result::{DatabaseErrorKind, Error};
    let db = |kind, message: &str| Error::DatabaseError(kind, Box::new(message.to_owned()));
    assert!(matches!(
        RepoError::from(db(DatabaseErrorKind::Unknown, "database is locked")),
        RepoError::Unavailable(_)
    ));
    assert!(matches!(
        RepoError::from(db(DatabaseErrorKind::ClosedConnection, "gone")),
        RepoError::Unavailable(_)
    ));
    assert!(matches!(
        RepoError::from(db(DatabaseErrorKind::Unknown, "syntax error")),
        RepoError::Other(_)
    ));
    assert!(matches!(
        RepoError::from(Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(db(DatabaseErrorKind::Unknown, "database is locked")),
        }),
        RepoError::Unavailable(_)
    ));
}
