#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Assignments: 1–20 members at once, all or nothing, never oversold.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

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

struct Setup {
    app: TestApp,
    owner: Actor,
    sub: String,
    people: Vec<String>,
}

async fn setup(licenses: i64, people: usize) -> Setup {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let sub = app.buy(&owner, CRM, licenses).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let people = members(&app, &admin, people).await;
    Setup {
        app,
        owner,
        sub,
        people,
    }
}

async fn assign(s: &Setup, ids: &[String]) -> tests::Reply {
    s.app
        .post(
            &format!("/v1/subscriptions/{}/assignments", s.sub),
            &s.owner,
            json!({ "user_ids": ids }),
        )
        .await
}

async fn state_of(s: &Setup) -> (i64, i64, usize) {
    let sub = s
        .app
        .get(&format!("/v1/subscriptions/{}", s.sub), &s.owner)
        .await;
    let rows = s
        .app
        .get(
            &format!("/v1/subscriptions/{}/assignments?limit=100", s.sub),
            &s.owner,
        )
        .await;
    (
        sub.body["assigned_count"].as_i64().unwrap(),
        sub.body["license_count"].as_i64().unwrap(),
        rows.body["data"].as_array().unwrap().len(),
    )
}

#[actix_web::test]
async fn twenty_at_once_but_never_twenty_one_and_only_members() {
    let s = setup(50, 22).await;
    let reply = assign(&s, &s.people[..21]).await;
    assert_eq!((reply.status, reply.code()), (422, "too_many_users"));
    assert_eq!(state_of(&s).await, (0, 50, 0), "nothing changed");

    let reply = assign(&s, &[]).await;
    assert_eq!((reply.status, reply.code()), (422, "no_users"));
    let dup = vec![s.people[0].clone(), s.people[0].clone()];
    let reply = assign(&s, &dup).await;
    assert_eq!((reply.status, reply.code()), (422, "duplicate_user_ids"));

    let stranger = Uuid::new_v4().to_string();
    let outsider_app_user = s
        .app
        .signed_in(Uuid::new_v4(), false)
        .await
        .user_id
        .to_string();
    let mixed = vec![
        s.people[0].clone(),
        stranger.clone(),
        outsider_app_user.clone(),
    ];
    let reply = assign(&s, &mixed).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "users_not_in_organization")
    );
    let mut named: Vec<String> = reply.body["user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    named.sort();
    let mut expected = vec![stranger, outsider_app_user];
    expected.sort();
    assert_eq!(named, expected, "only the strangers are named");
    assert_eq!(state_of(&s).await, (0, 50, 0), "nothing changed");

    let reply = assign(&s, &s.people[..20]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["assigned"].as_array().unwrap().len(), 20);
    assert_eq!(
        (
            reply.body["assigned_count"].clone(),
            reply.body["available_count"].clone()
        ),
        (json!(20), json!(30))
    );
    assert_eq!(state_of(&s).await, (20, 50, 20));
}

#[actix_web::test]
async fn a_retry_consumes_nothing_and_a_shortfall_changes_nothing() {
    let s = setup(5, 8).await;
    let first = assign(&s, &s.people[..3]).await;
    assert_eq!(first.status, 200);
    let retry = assign(&s, &s.people[..3]).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.body["assigned"], json!([]));
    assert_eq!(retry.body["already_assigned"].as_array().unwrap().len(), 3);
    assert_eq!(state_of(&s).await, (3, 5, 3));

    // 2 holders + 3 new against 2 free: all or nothing.
    let reply = assign(&s, &s.people[1..6]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "not_enough_licenses"),
        "{reply:?}"
    );
    assert_eq!(
        (
            reply.body["available"].clone(),
            reply.body["requested"].clone()
        ),
        (json!(2), json!(3))
    );
    assert_eq!(state_of(&s).await, (3, 5, 3), "no batch is partly applied");
}

#[actix_web::test]
async fn unassigning_reports_and_releases() {
    let s = setup(5, 4).await;
    assign(&s, &s.people[..2]).await;
    let reply = s
        .app
        .post(
            &format!("/v1/subscriptions/{}/assignments/remove", s.sub),
            &s.owner,
            json!({"user_ids": [s.people[0], s.people[3]]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["removed"], json!([s.people[0]]));
    assert_eq!(reply.body["not_assigned"], json!([s.people[3]]));
    assert_eq!(reply.body["assigned_count"], json!(1));
    let path = format!("/v1/subscriptions/{}/assignments/{}", s.sub, s.people[1]);
    assert_eq!(
        s.app
            .call(Method::DELETE, &path, Some(&s.owner.token), None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.app
            .call(Method::DELETE, &path, Some(&s.owner.token), None)
            .await
            .status,
        404
    );
    assert_eq!(state_of(&s).await, (0, 5, 0));
}

#[actix_web::test]
async fn forty_concurrent_single_assigns_on_ten_free_licenses() {
    let s = setup(10, 40).await;
    let replies = futures_util::future::join_all(
        s.people.iter().map(|p| assign(&s, std::slice::from_ref(p))),
    )
    .await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let refused = replies
        .iter()
        .filter(|r| r.status == 409 && r.code() == "not_enough_licenses")
        .count();
    assert_eq!(
        (ok, refused),
        (10, 30),
        "{:?}",
        replies
            .iter()
            .filter(|r| r.status != 200 && r.status != 409)
            .collect::<Vec<_>>()
    );
    assert_eq!(state_of(&s).await, (10, 10, 10));
}

#[actix_web::test]
async fn concurrent_mixed_batches_never_exceed_the_total() {
    let s = setup(25, 60).await;
    let sizes = [1usize, 7, 20, 3, 12, 5, 9, 2, 1];
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut next = 0;
    for n in sizes {
        batches.push(s.people[next..next + n].to_vec());
        next += n;
    }
    let replies = futures_util::future::join_all(batches.iter().map(|b| assign(&s, b))).await;
    let mut granted = 0;
    for (batch, reply) in batches.iter().zip(&replies) {
        match reply.status {
            200 => {
                assert_eq!(
                    reply.body["assigned"].as_array().unwrap().len(),
                    batch.len(),
                    "whole batch or nothing"
                );
                granted += batch.len();
            }
            409 => assert_eq!(reply.code(), "not_enough_licenses"),
            _ => panic!("{reply:?}"),
        }
    }
    assert!(granted <= 25);
    let (assigned, total, rows) = state_of(&s).await;
    assert_eq!((assigned as usize, rows), (granted, granted));
    assert_eq!(total, 25);
}

#[actix_web::test]
async fn lowering_the_total_and_assigning_never_interleave_into_a_breach() {
    let s = setup(20, 20).await;
    assign(&s, &s.people[..10]).await;
    for round in 0..5 {
        let tag = s
            .app
            .get(&format!("/v1/subscriptions/{}", s.sub), &s.owner)
            .await
            .header("etag")
            .unwrap();
        let target = 10 + round;
        let path = format!("/v1/subscriptions/{}", s.sub);
        let headers = [("If-Match", tag.as_str())];
        let body = json!({ "license_count": target });
        let lower = s
            .app
            .send(Method::PATCH, &path, &s.owner, &headers, Some(&body));
        let grab = assign(&s, &s.people[10 + round * 2..12 + round * 2]);
        let (lowered, grabbed) = futures_util::future::join(lower, grab).await;
        assert!(matches!(lowered.status, 200 | 409 | 412), "{lowered:?}");
        if lowered.status == 409 {
            assert_eq!(lowered.code(), "licenses_in_use");
        }
        assert!(matches!(grabbed.status, 200 | 409), "{grabbed:?}");
        let (assigned, total, rows) = state_of(&s).await;
        assert!(assigned <= total, "round {round}: {assigned} > {total}");
        assert_eq!(assigned as usize, rows);
    }
}

#[actix_web::test]
async fn below_the_assigned_count_is_refused_with_the_count() {
    let s = setup(10, 6).await;
    assign(&s, &s.people[..6]).await;
    let tag = s
        .app
        .get(&format!("/v1/subscriptions/{}", s.sub), &s.owner)
        .await
        .header("etag")
        .unwrap();
    let reply = s
        .app
        .send(
            Method::PATCH,
            &format!("/v1/subscriptions/{}", s.sub),
            &s.owner,
            &[("If-Match", &tag)],
            Some(&json!({"license_count": 4})),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (409, "licenses_in_use"));
    assert_eq!(reply.body["assigned_count"], json!(6));
    assert_eq!(state_of(&s).await, (6, 10, 6));
}

#[actix_web::test]
async fn canceling_releases_every_assignment_and_stops_new_ones() {
    let s = setup(10, 4).await;
    assign(&s, &s.people[..4]).await;
    let licenses = s
        .app
        .get(&format!("/v1/users/{}/licenses", s.owner.user_id), &s.owner)
        .await;
    assert_eq!(licenses.status, 200);
    let reply = s
        .app
        .post(
            &format!("/v1/subscriptions/{}/cancel", s.sub),
            &s.owner,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(state_of(&s).await, (0, 10, 0));
    let reply = assign(&s, &s.people[..1]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "subscription_not_active")
    );
}

#[actix_web::test]
async fn users_see_their_licenses_and_admins_see_anyones() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let colleague = app.signed_in(org, false).await;
    let sub = app.buy(&owner, CRM, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &owner,
            json!({"user_ids": [colleague.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let own: Value = app
        .get(
            &format!("/v1/users/{}/licenses", colleague.user_id),
            &colleague,
        )
        .await
        .body;
    assert_eq!(own["data"][0]["subscription_id"], json!(sub));
    assert_eq!(own["data"][0]["product_name"], json!("Contoso CRM"));
    assert_eq!(
        app.get(&format!("/v1/users/{}/licenses", colleague.user_id), &admin)
            .await
            .status,
        200
    );
    let reply = app
        .get(&format!("/v1/users/{}/licenses", colleague.user_id), &owner)
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));
    // An admin cannot assign on someone else's purchase.
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &admin,
            json!({"user_ids": [admin.user_id]}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
}
