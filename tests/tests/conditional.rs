#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Conditional requests: every answer that returns or changes a subscription
//! carries its current ETag, and `If-None-Match` on a read answers 304.

use tests::{json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

fn etag(reply: &tests::Reply) -> String {
    reply
        .header("etag")
        .unwrap_or_else(|| panic!("no ETag: {reply:?}"))
}

#[actix_web::test]
async fn every_answer_about_a_subscription_carries_its_current_etag() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let owner = app.signed_in(org, false).await;
    let colleague = app.signed_in(org, false).await;
    let sub = app.buy(&owner, CRM, 3).await;
    let path = format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap());
    let read = app.get(&path, &owner).await;
    let v1 = etag(&read);

    // Assign: a new version, the same one the next read shows.
    let assigned = app
        .post(
            &format!("{path}/assignments"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(assigned.status, 200, "{assigned:?}");
    let v2 = etag(&assigned);
    assert_ne!(v1, v2);
    assert_eq!(etag(&app.get(&path, &owner).await), v2);

    // Assigning a holder again changes nothing, so the version stays.
    let again = app
        .post(
            &format!("{path}/assignments"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(etag(&again), v2);

    // PATCH with the ETag from the assign answer, no re-read needed.
    let patched = app
        .send(
            Method::PATCH,
            &path,
            &owner,
            &[("If-Match", &v2)],
            Some(&json!({"auto_renew": false})),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    let v3 = etag(&patched);
    assert_ne!(v3, v2);

    // A stale If-Match: 412 names the current version, and nothing changed.
    let stale = app
        .send(
            Method::PATCH,
            &path,
            &owner,
            &[("If-Match", &v1)],
            Some(&json!({"license_count": 5})),
        )
        .await;
    assert_eq!((stale.status, stale.code()), (412, "precondition_failed"));
    assert_eq!(etag(&stale), v3);
    assert_eq!(app.get(&path, &owner).await.body["license_count"], 3);

    // Unassign (batch and single) answer with the new version too.
    let removed = app
        .post(
            &format!("{path}/assignments/remove"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(removed.status, 200, "{removed:?}");
    let v4 = etag(&removed);
    assert_ne!(v4, v3);
    app.post(
        &format!("{path}/assignments"),
        &owner,
        json!({"user_ids": [colleague.user_id]}),
    )
    .await;
    let deleted = app
        .call(
            Method::DELETE,
            &format!("{path}/assignments/{}", colleague.user_id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    let v6 = etag(&deleted);
    assert_eq!(etag(&app.get(&path, &owner).await), v6);

    // Cancel answers with the canceled version.
    let canceled = app
        .post(
            &format!("{path}/cancel"),
            &owner,
            json!({"reason": "too_expensive"}),
        )
        .await;
    assert_eq!(canceled.status, 200, "{canceled:?}");
    assert_eq!(etag(&canceled), etag(&app.get(&path, &owner).await));
}

#[actix_web::test]
async fn if_none_match_answers_304_while_the_version_is_current() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Uuid::new_v4(), false).await;
    let sub = app.buy(&owner, CRM, 2).await;
    let path = format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap());
    let current = etag(&app.get(&path, &owner).await);

    let cached = app
        .send(
            Method::GET,
            &path,
            &owner,
            &[("If-None-Match", &current)],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
    assert_eq!(cached.body, serde_json::Value::Null, "a 304 has no body");
    assert_eq!(etag(&cached), current);

    let listed = app
        .send(
            Method::GET,
            &path,
            &owner,
            &[("If-None-Match", &format!("\"0\", W/{current}"))],
            None,
        )
        .await;
    assert_eq!(listed.status, 304, "one current tag in a list is enough");

    let old = app
        .send(
            Method::GET,
            &path,
            &owner,
            &[("If-None-Match", "\"0\"")],
            None,
        )
        .await;
    assert_eq!(old.status, 200);
    assert_eq!(old.body["id"], sub["id"]);

    // After a change the old tag no longer matches.
    app.send(
        Method::PATCH,
        &path,
        &owner,
        &[("If-Match", &current)],
        Some(&json!({"auto_renew": false})),
    )
    .await;
    let changed = app
        .send(
            Method::GET,
            &path,
            &owner,
            &[("If-None-Match", &current)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(etag(&changed), current);

    // Another organisation's tag check is still a 404, never a 304.
    let stranger = app.signed_in(Uuid::new_v4(), false).await;
    let hidden = app
        .send(
            Method::GET,
            &path,
            &stranger,
            &[("If-None-Match", "*")],
            None,
        )
        .await;
    assert_eq!(hidden.status, 404);
}
