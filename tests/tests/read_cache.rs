#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The read cache (`api::read_cache`) never answers with anything older than
//! the last acknowledged write: not after a write through this server, not
//! after one through another server on the same database (a replica), not
//! while writes run, not to another caller, and not on another day. On
//! PostgreSQL it keeps nothing, which these tests check too.

use serde_json::Value;
use tests::{backend_is_postgres, json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, trial 30 days

fn hits(app: &TestApp) -> u64 {
    app.state.reads.hits()
}

/// On SQLite the repeated read was answered from memory; on PostgreSQL never.
fn assert_hits(app: &TestApp, before: u64, more: u64) {
    let expected = if backend_is_postgres() { 0 } else { more };
    assert_eq!(hits(app) - before, expected, "cache hits");
}

/// Buys `licenses` of CRM for `owner`; the subscription's id.
async fn bought(app: &TestApp, owner: &tests::Actor, licenses: i64) -> String {
    app.buy(owner, CRM, licenses).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn subscription(app: &TestApp, actor: &tests::Actor, id: &str) -> tests::Reply {
    let reply = app.get(&format!("/v1/subscriptions/{id}"), actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply
}

async fn set_licenses(app: &TestApp, actor: &tests::Actor, id: &str, etag: &str, n: i64) {
    let reply = app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{id}"),
            actor,
            &[("If-Match", etag)],
            Some(&json!({ "license_count": n })),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn a_repeated_read_is_kept_and_a_write_here_ends_it() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Uuid::new_v4(), false).await;
    let id = bought(&app, &owner, 3).await;

    let first = subscription(&app, &owner, &id).await;
    let before = hits(&app);
    let again = subscription(&app, &owner, &id).await;
    assert_hits(&app, before, 1);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(
        again.header("content-type").as_deref(),
        Some("application/json")
    );
    // The kept answer still honours If-None-Match.
    let etag = first.header("etag").unwrap();
    let reply = app
        .send(
            Method::GET,
            &format!("/v1/subscriptions/{id}"),
            &owner,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(reply.status, 304);

    set_licenses(&app, &owner, &id, &etag, 5).await;
    let before = hits(&app);
    let after = subscription(&app, &owner, &id).await;
    assert_hits(&app, before, 0);
    assert_eq!(after.body["license_count"], json!(5));
    assert_ne!(after.header("etag"), first.header("etag"));
}

#[actix_web::test]
async fn a_write_through_another_replica_is_seen_at_once() {
    let first = TestApp::spawn().await;
    let second = first.replica(&[], usecases::Clock::System).await;
    let owner = first.signed_in(Uuid::new_v4(), false).await;
    let id = bought(&first, &owner, 3).await;
    // Kept on the first server, for the one subscription and for the list.
    let read = subscription(&first, &owner, &id).await;
    subscription(&first, &owner, &id).await;
    first.get("/v1/subscriptions?limit=25", &owner).await;
    first.get("/v1/subscriptions?limit=25", &owner).await;
    first.get("/v1/invoices", &owner).await;

    // Changed through the second: the first answers with the change.
    set_licenses(&second, &owner, &id, &read.header("etag").unwrap(), 7).await;
    let before = hits(&first);
    assert_eq!(
        subscription(&first, &owner, &id).await.body["license_count"],
        json!(7)
    );
    let listed = first.get("/v1/subscriptions?limit=25", &owner).await;
    assert_eq!(listed.body["data"][0]["license_count"], json!(7));
    // The increase was invoiced at once: the invoice list shows it.
    let invoices = first.get("/v1/invoices", &owner).await;
    assert_eq!(
        invoices.body["data"].as_array().unwrap().len(),
        2,
        "{invoices:?}"
    );
    assert_hits(&first, before, 0);
    drop(second);
}

#[actix_web::test]
async fn reads_during_writes_never_go_behind_an_acknowledged_write() {
    let first = TestApp::spawn().await;
    let second = first.replica(&[], usecases::Clock::System).await;
    let org = Uuid::new_v4();
    let owner = first.signed_in(org, false).await;
    let id = bought(&first, &owner, 40).await;
    let mut members = Vec::new();
    for _ in 0..30 {
        members.push(first.signed_in(org, false).await.user_id.to_string());
    }
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));

    // Readers hammer the first server (filling and hitting its cache) while
    // writes alternate between both servers.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (acknowledged, stop, owner, id) = (
            acknowledged.clone(),
            stop.clone(),
            owner.clone(),
            id.clone(),
        );
        let app = &first;
        async move {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let floor = acknowledged.load(std::sync::atomic::Ordering::SeqCst);
                let seen = subscription(app, &owner, &id).await.body["assigned_count"]
                    .as_i64()
                    .unwrap();
                assert!(
                    seen >= floor,
                    "read {seen} assigned after {floor} were acknowledged"
                );
                let listed: Value = app.get("/v1/subscriptions?limit=25", &owner).await.body;
                let seen = listed["data"][0]["assigned_count"].as_i64().unwrap();
                assert!(
                    seen >= floor,
                    "listed {seen} assigned after {floor} were acknowledged"
                );
                reads += 1;
            }
            reads
        }
    };
    let writer = {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        let (first, second, owner, id) = (&first, &second, owner.clone(), id.clone());
        async move {
            for (n, member) in members.iter().enumerate() {
                let app = if n % 2 == 0 { first } else { second };
                let reply = app
                    .post(
                        &format!("/v1/subscriptions/{id}/assignments"),
                        &owner,
                        json!({ "user_ids": [member] }),
                    )
                    .await;
                assert_eq!(reply.status, 200, "{reply:?}");
                acknowledged.store(n as i64 + 1, std::sync::atomic::Ordering::SeqCst);
                // Right after the acknowledgement, through the first server.
                let seen = subscription(first, &owner, &id).await.body["assigned_count"]
                    .as_i64()
                    .unwrap();
                assert_eq!(seen, n as i64 + 1);
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    };
    let (reads, ()) = tokio::join!(reader, writer);
    assert!(reads > 0);
    drop(second);
}

#[actix_web::test]
async fn another_caller_never_gets_a_kept_answer() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let colleague = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let id = bought(&app, &owner, 2).await;
    let path = format!("/v1/subscriptions/{id}");
    subscription(&app, &owner, &id).await;
    subscription(&app, &owner, &id).await;

    assert_eq!(
        app.get(&path, &colleague).await.status,
        404,
        "not the purchaser's kept answer"
    );
    assert_eq!(app.get(&path, &admin).await.status, 200);
    let mine = app.get("/v1/subscriptions?limit=25", &owner).await;
    assert_eq!(mine.body["data"].as_array().unwrap().len(), 1);
    let theirs = app.get("/v1/subscriptions?limit=25", &colleague).await;
    assert_eq!(
        theirs.body["data"].as_array().unwrap().len(),
        0,
        "{theirs:?}"
    );
    let other_org = app.signed_in(Uuid::new_v4(), true).await;
    assert_eq!(app.get(&path, &other_org).await.status, 404);
}

#[actix_web::test]
async fn a_new_day_is_a_new_answer_without_any_write() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let owner = app.signed_in(Uuid::new_v4(), false).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &owner,
            json!({"product_id": CRM, "license_count": 2, "trial": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        subscription(&app, &owner, &id).await.body["status"],
        json!("trial")
    );
    assert_eq!(
        subscription(&app, &owner, &id).await.body["status"],
        json!("trial")
    );
    // Past the trial's end, before any billing run records it.
    app.set_today("2026-05-02");
    assert_eq!(
        subscription(&app, &owner, &id).await.body["status"],
        json!("expired")
    );
}
