#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Storage errors are decided by their type: a billing run swallows only
//! what another run's win leaves behind (the unique renewal key, a settled
//! credit, a moved version), so any other — a CHECK violation here — stops the
//! run as an error and the subscription stays as it was; and a stored id that
//! is not a UUID is a 500, never an answer with the all-zero UUID.

use persistence::repos::health::execute_admin;
use persistence::{DbConnection, RepoError};
use tests::{backend_is_postgres, Actor, TestApp};
use usecases::Error;
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month

/// Puts the organisation's invoice counter below its CHECK
/// (`next_invoice_number >= 1`), so the next invoice's number allocation
/// violates it. The database refuses such a row, so the test gets it in
/// behind the constraint's back: SQLite ignores CHECKs for the statement,
/// PostgreSQL re-adds the constraint `NOT VALID` (existing rows unchecked).
fn break_invoice_counter(app: &TestApp, actor: &Actor) {
    let mut conn = app.state.services.db.pool().get().unwrap();
    let org = actor.org;
    let update = format!("UPDATE organizations SET next_invoice_number = -5 WHERE id = '{org}'");
    let statements = if backend_is_postgres() {
        vec![
            "ALTER TABLE organizations DROP CONSTRAINT organizations_next_invoice_number_check"
                .to_owned(),
            update,
            "ALTER TABLE organizations ADD CONSTRAINT organizations_next_invoice_number_check \
             CHECK (next_invoice_number >= 1) NOT VALID"
                .to_owned(),
        ]
    } else {
        vec![
            "PRAGMA ignore_check_constraints = ON".to_owned(),
            update,
            "PRAGMA ignore_check_constraints = OFF".to_owned(),
        ]
    };
    for sql in statements {
        execute_admin(&mut conn, &sql).unwrap();
    }
}

fn run(app: &TestApp, date: &str) -> Result<usecases::subscriptions::billing_run::Report, Error> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let mut conn = app.state.services.db.pool().get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    usecases::subscriptions::billing_run::run(
        conn,
        &app.state.services.outbox,
        day,
        app.state.services.tax_rate_bps,
        app.state.services.clock.now(),
    )
}

#[actix_web::test]
async fn a_check_violation_in_a_billing_run_is_an_error_not_a_lost_race() {
    let app = TestApp::spawn_at("2026-01-05").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 5).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(before.status, 200, "{before:?}");
    break_invoice_counter(&app, &ada);

    app.set_today("2026-02-06");
    match run(&app, "2026-02-06") {
        Err(Error::Storage(RepoError::Check(_))) => {}
        other => panic!("expected the CHECK violation as an error, got {other:?}"),
    }
    let after = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(
        after.body, before.body,
        "the failed renewal changed nothing"
    );
    let invoices = app
        .get(
            "/v1/invoices?period=custom&from=2026-01-01&to=2026-12-31",
            &ada,
        )
        .await;
    assert_eq!(invoices.status, 200, "{invoices:?}");
    assert_eq!(
        invoices.body["data"].as_array().unwrap().len(),
        1,
        "only the purchase's"
    );

    // Repaired, the next run renews it: the failure did not mark it done.
    let mut conn = app.state.services.db.pool().get().unwrap();
    execute_admin(
        &mut conn,
        &format!(
            "UPDATE organizations SET next_invoice_number = 100 WHERE id = '{}'",
            ada.org
        ),
    )
    .unwrap();
    drop(conn);
    let report = run(&app, "2026-02-06").unwrap();
    assert_eq!(report.renewals, 1, "{report:?}");
}

#[actix_web::test]
async fn a_stored_id_that_is_not_a_uuid_is_a_500_not_the_nil_uuid() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 2).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/subscriptions/{id}");
    assert_eq!(app.get(&path, &ada).await.status, 200);
    // `product_id` carries no foreign key, so a manual edit can break it.
    let mut conn = app.state.services.db.pool().get().unwrap();
    execute_admin(
        &mut conn,
        &format!("UPDATE subscriptions SET product_id = 'not-a-uuid' WHERE id = '{id}'"),
    )
    .unwrap();
    drop(conn);
    for path in [path.as_str(), "/v1/subscriptions"] {
        let reply = app.get(path, &ada).await;
        assert_eq!(reply.status, 500, "{path}: {reply:?}");
        assert_eq!(reply.code(), "internal_error", "{path}");
        assert!(
            !reply
                .body
                .to_string()
                .contains("00000000-0000-0000-0000-000000000000"),
            "{reply:?}"
        );
    }
}
