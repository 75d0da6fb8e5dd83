#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Grow-on-assign (PRODUCT.md §9): `add_licenses: true` grows the total by
//! exactly the shortfall, within the product's (or trial's) maximum, billed
//! like an increase, in one transaction with the assignment.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"; // 1250/month, max 300, trial max 25

/// `n` members added by an admin of `org`.
async fn members(app: &TestApp, admin: &Actor, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let tag = Uuid::new_v4().simple().to_string();
        let reply = app
            .post(
                "/v1/users",
                admin,
                json!({"display_name": format!("M {tag}"), "email": format!("{tag}@example.org")}),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    ids
}

async fn count_of(app: &TestApp, actor: &Actor, path: &str) -> usize {
    let reply = app.get(path, actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().len()
}

struct Grow {
    app: TestApp,
    owner: Actor,
    sub: String,
    people: Vec<String>,
}

async fn grow_setup(app: TestApp, licenses: i64, people: usize, trial: bool) -> Grow {
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let sub = if trial {
        let reply = app
            .post(
                "/v1/subscriptions",
                &owner,
                json!({"product_id": CRM, "license_count": licenses, "trial": true}),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body
    } else {
        app.buy(&owner, CRM, licenses).await
    };
    let people = members(&app, &admin, people).await;
    Grow {
        sub: sub["id"].as_str().unwrap().to_owned(),
        app,
        owner,
        people,
    }
}

async fn grow(g: &Grow, users: &[String], etag: Option<&str>) -> tests::Reply {
    let headers: Vec<(&str, &str)> = etag.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    g.app
        .send(
            Method::POST,
            &format!("/v1/subscriptions/{}/assignments", g.sub),
            &g.owner,
            &headers,
            Some(&json!({"user_ids": users, "add_licenses": true})),
        )
        .await
}

async fn etag_of(g: &Grow) -> String {
    g.app
        .get(&format!("/v1/subscriptions/{}", g.sub), &g.owner)
        .await
        .header("etag")
        .unwrap()
}

async fn counts(g: &Grow) -> (i64, i64) {
    let sub = g
        .app
        .get(&format!("/v1/subscriptions/{}", g.sub), &g.owner)
        .await;
    (
        sub.body["license_count"].as_i64().unwrap(),
        sub.body["assigned_count"].as_i64().unwrap(),
    )
}

#[actix_web::test]
async fn two_free_and_four_users_grow_the_total_by_two() {
    let g = grow_setup(TestApp::spawn_at("2026-03-01").await, 4, 6, false).await;
    let reply = g
        .app
        .post(
            &format!("/v1/subscriptions/{}/assignments", g.sub),
            &g.owner,
            json!({"user_ids": g.people[..2]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // Without If-Match, and with a stale one: nothing changes.
    let four = &g.people[2..];
    let reply = grow(&g, four, None).await;
    assert_eq!((reply.status, reply.code()), (428, "precondition_required"));
    let reply = grow(&g, four, Some("\"1\"")).await;
    assert_eq!((reply.status, reply.code()), (412, "precondition_failed"));
    // A stranger among them: refused before anything grows.
    let stranger = g
        .app
        .signed_in(Uuid::new_v4(), false)
        .await
        .user_id
        .to_string();
    let mut with_stranger = four.to_vec();
    with_stranger.push(stranger);
    let reply = grow(&g, &with_stranger, Some(&etag_of(&g).await)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "users_not_in_organization")
    );
    assert_eq!(counts(&g).await, (4, 2));
    assert_eq!(count_of(&g.app, &g.owner, "/v1/invoices").await, 1);

    let reply = grow(&g, four, Some(&etag_of(&g).await)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["licenses_added"], json!(2));
    assert_eq!(reply.body["assigned"].as_array().unwrap().len(), 4);
    assert_eq!(reply.body["assigned_count"], json!(6));
    assert_eq!(reply.body["available_count"], json!(0));
    assert_eq!(counts(&g).await, (6, 6));
    let invoice_id = reply.body["invoice_id"].as_str().unwrap();
    let invoice = g
        .app
        .get(&format!("/v1/invoices/{invoice_id}"), &g.owner)
        .await;
    assert_eq!(invoice.status, 200, "{invoice:?}");
    let lines = invoice.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["kind"], json!("prorated_increase"));
    assert_eq!(lines[0]["quantity"], json!(2));
    // On the first day of the period: two whole months.
    assert_eq!(lines[0]["amount"]["amount"], json!(2500));

    // A retry grows nothing and invoices nothing.
    let reply = grow(&g, four, Some(&etag_of(&g).await)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["licenses_added"], json!(0));
    assert_eq!(reply.body["invoice_id"], Value::Null);
    assert_eq!(reply.body["already_assigned"].as_array().unwrap().len(), 4);
    assert_eq!(count_of(&g.app, &g.owner, "/v1/invoices").await, 2);
}

#[actix_web::test]
async fn a_trial_grows_only_to_its_trial_maximum() {
    let g = grow_setup(TestApp::spawn().await, 20, 26, true).await;
    let reply = grow(&g, &g.people[..20], Some(&etag_of(&g).await)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = grow(&g, &g.people[20..], Some(&etag_of(&g).await)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "trial_license_limit"),
        "{reply:?}"
    );
    assert_eq!(counts(&g).await, (20, 20));
    let reply = grow(&g, &g.people[20..25], Some(&etag_of(&g).await)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["licenses_added"], json!(5));
    assert_eq!(reply.body["invoice_id"], Value::Null);
    assert_eq!(counts(&g).await, (25, 25));
}

/// A catalog with one product whose maximum is 30.
fn small_catalog(dir: &std::path::Path) -> String {
    let path = dir.join("catalog.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog.toml")).unwrap();
    std::fs::write(
        &path,
        shipped.replace("max_licenses = 300", "max_licenses = 30"),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

#[actix_web::test]
async fn forty_concurrent_growths_never_pass_the_product_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = small_catalog(dir.path());
    let app =
        TestApp::spawn_with(&[("SELFSERVE_CATALOG", &catalog)], usecases::Clock::System).await;
    let g = grow_setup(app, 10, 40, false).await;
    // Each member's request retries on 412 (another request moved the
    // subscription first), as a client following the contract does.
    let outcomes = futures_util::future::join_all(g.people.iter().map(|p| {
        let g = &g;
        async move {
            for _ in 0..200 {
                let reply = grow(g, std::slice::from_ref(p), Some(&etag_of(g).await)).await;
                if reply.status != 412 {
                    return reply;
                }
            }
            panic!("no progress in 200 tries");
        }
    }))
    .await;
    let assigned = outcomes.iter().filter(|r| r.status == 200).count();
    let told = outcomes
        .iter()
        .filter(|r| r.status == 409 && r.code() == "not_enough_licenses")
        .count();
    assert_eq!(
        (assigned, told),
        (30, 10),
        "{:?}",
        outcomes
            .iter()
            .filter(|r| r.status != 200)
            .collect::<Vec<_>>()
    );
    assert_eq!(counts(&g).await, (30, 30));
    let path = format!("/v1/subscriptions/{}/assignments?limit=100", g.sub);
    assert_eq!(count_of(&g.app, &g.owner, &path).await, 30);
    // One invoice per growth: the purchase, then 20 single-license increases.
    assert_eq!(
        count_of(&g.app, &g.owner, "/v1/invoices?limit=100").await,
        21
    );
}
