#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Database trouble: answered with 503 `database_unavailable` within a bounded
//! time — never a hang or a 500 — and recovered from without a restart.

use std::time::{Duration, Instant};
use tests::proxy::Proxy;
use tests::{json, Method, TestApp};
use uuid::Uuid;

#[actix_web::test]
async fn postgres_only_server_going_away_is_503_and_the_service_recovers() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        // Exercised in the PostgreSQL pass; SQLite has no server to lose (its pool test is below).
        eprintln!("outage test needs PostgreSQL: covered by the PostgreSQL pass");
        return;
    };
    tests::capture_logs();
    let proxy = Proxy::start(&tests::pg_host_port(&url));
    let app = TestApp::spawn_through(&proxy, &[("SELFSERVE_DB_TIMEOUT_MS", "1000")]).await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        200
    );

    proxy.cut();
    for path in ["/readyz", "/v1/subscriptions", "/v1/billing-accounts"] {
        let started = Instant::now();
        let reply = if path == "/readyz" {
            app.call(Method::GET, path, None, None).await
        } else {
            app.get(path, &ada).await
        };
        if reply.status != 503 {
            eprintln!("{}", String::from_utf8_lossy(&tests::captured_logs()));
        }
        assert_eq!(
            (reply.status, reply.code()),
            (503, "database_unavailable"),
            "{path}: {reply:?}"
        );
        assert_eq!(reply.header("retry-after").as_deref(), Some("1"));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    let healthz = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        healthz.status, 200,
        "liveness does not depend on the database"
    );

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = app.get("/v1/subscriptions", &ada).await;
        if reply.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {reply:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        200
    );
    let reply = app
        .post(
            "/v1/users",
            &app.signed_in(ada.org, true).await,
            json!({"display_name": "After", "email": "after@example.org"}),
        )
        .await;
    assert_eq!(reply.status, 201, "writes work again: {reply:?}");
}

#[actix_web::test]
async fn sqlite_only_exhausted_pool_is_503_within_the_checkout_timeout() {
    if tests::backend_is_postgres() {
        eprintln!("pool exhaustion is exercised on SQLite, where a test can hold the write lock");
        return;
    }
    let app = TestApp::spawn_with(
        &[
            ("SELFSERVE_DB_POOL_SIZE", "1"),
            ("SELFSERVE_DB_TIMEOUT_MS", "300"),
        ],
        usecases::Clock::System,
    )
    .await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    // Hold SQLite's write lock from outside, so a write waits (busy_timeout)
    // while holding the pool's only connection.
    let db = app.data_dir().join("selfserve.db");
    let mut lock =
        persistence::connect_pool(&persistence::DatabaseUrl::Sqlite(db), &Default::default())
            .unwrap()
            .get()
            .unwrap();
    persistence::repos::health::execute_admin(&mut lock, "BEGIN IMMEDIATE").unwrap();

    let card = json!({
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "A"},
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    let writer = app.post("/v1/payment-methods", &ada, card);
    let reader = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let started = Instant::now();
        let reply = app.call(Method::GET, "/readyz", None, None).await;
        (reply, started.elapsed())
    };
    let release = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        persistence::repos::health::execute_admin(&mut lock, "COMMIT").unwrap();
    };
    let (written, (ready, waited), ()) = futures_util::future::join3(writer, reader, release).await;
    assert_eq!(
        (ready.status, ready.code()),
        (503, "database_unavailable"),
        "{ready:?}"
    );
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert_eq!(
        written.status, 201,
        "the waiting write completes once the lock is released: {written:?}"
    );
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        200,
        "recovered"
    );
}
