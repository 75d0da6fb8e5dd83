//! PostgreSQL's plans for a subscription that grew after its table was last
//! analysed (a bulk onboarding; autovacuum analyses about once a minute): a
//! read of one assignment goes through the primary key, and the member check
//! through (organization_id, user_id) — never a walk over every assignment
//! of the subscription. Generic plans, as prepared statements get them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::test_db::{Db, T};
use diesel::sql_types::Text;
use diesel::RunQueryDsl;

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    text: String,
}

/// 3,000 members and 1,000 subscriptions of one assignment each, analysed;
/// then subscription `s0` takes 2,000 more.
fn grown(db: &Db) {
    db.ok(&format!(
        "INSERT INTO organizations (id, created_at) VALUES ('o', {T})"
    ));
    db.ok(&format!(
        "INSERT INTO users (id, organization_id, subject, display_name, display_name_key, email, email_key, created_at) \
         SELECT 'u' || i, 'o', 's' || i, 'U', 'u', i || '@x.io', i || '@x.io', {T} FROM generate_series(0, 2999) i"
    ));
    db.ok(&format!(
        "INSERT INTO subscriptions (id, organization_id, purchaser_id, product_id, source, status, license_count, \
         currency, auto_renew, created_at, updated_at) \
         SELECT 's' || i, 'o', 'u0', 'p', 'self_service', 'active', 5000, 'EUR', false, {T}, {T} \
         FROM generate_series(0, 999) i"
    ));
    let assign = |from: i32, to: i32, sub: &str| {
        format!(
            "INSERT INTO license_assignments (subscription_id, user_id, organization_id, assigned_by, assigned_at) \
             SELECT {sub}, 'u' || i, 'o', 'u0', {T} FROM generate_series({from}, {to}) i"
        )
    };
    db.ok(&assign(0, 999, "'s' || i"));
    db.ok("ANALYZE license_assignments");
    db.ok(&assign(1000, 2999, "'s0'"));
}

/// The generic plan of `statement` (with `$n` parameters of `types`), as text.
fn generic_plan(db: &Db, types: &str, statement: &str, args: &str) -> String {
    let mut conn = db.pool.get().unwrap();
    diesel::sql_query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .unwrap();
    diesel::sql_query(format!("PREPARE q({types}) AS {statement}"))
        .execute(&mut *conn)
        .unwrap();
    let lines: Vec<Line> = diesel::sql_query(format!("EXPLAIN EXECUTE q({args})"))
        .load(&mut *conn)
        .unwrap();
    diesel::sql_query("DEALLOCATE q")
        .execute(&mut *conn)
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn plans_of_a_grown_subscription(db: &Db) {
    grown(db);
    let one = generic_plan(
        db,
        "text, text",
        "DELETE FROM license_assignments WHERE subscription_id = $1 AND user_id = $2",
        "'s0', 'u2500'",
    );
    assert!(one.contains("license_assignments_pkey"), "{one}");
    let members = generic_plan(
        db,
        "text, text[]",
        "SELECT u.id, a.subscription_id FROM users u LEFT JOIN license_assignments a \
         ON a.user_id = u.id AND a.organization_id = u.organization_id \
         WHERE u.organization_id = $1 AND u.id = ANY($2)",
        "'o', ARRAY['u2500']",
    );
    assert!(members.contains("license_assignments_by_user"), "{members}");
    // The ordered pages of one subscription keep their own index.
    let page = generic_plan(
        db,
        "text",
        "SELECT * FROM license_assignments WHERE subscription_id = $1 \
         ORDER BY assigned_at, user_id LIMIT 26",
        "'s0'",
    );
    assert!(page.contains("license_assignments_page"), "{page}");
}

#[test]
fn postgres_a_grown_subscription_keeps_its_point_reads() {
    match Db::postgres() {
        Some(db) => plans_of_a_grown_subscription(&db),
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL plans not checked"),
    }
}
