#![allow(clippy::unwrap_used, clippy::expect_used)]
//! License requests (PRODUCT.md §7): members ask, admins approve (all or
//! part) from a subscription they manage, or deny; decided once.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const MAIL: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a04";
const REQUESTS: &str = "/v1/license-requests";

struct Org {
    admin: Actor,
    member: Actor,
    coworker: Actor,
}

async fn org(app: &TestApp) -> Org {
    let org = Uuid::new_v4();
    Org {
        admin: app.signed_in(org, true).await,
        member: app.signed_in(org, false).await,
        coworker: app.signed_in(org, false).await,
    }
}

async fn organisation_subscription(app: &TestApp, admin: &Actor, licenses: i64) -> String {
    let (profile, card) = app.billing_setup(admin).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            admin,
            json!({"product_id": CRM, "license_count": licenses, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": card, "source": "organization"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn ask(app: &TestApp, actor: &Actor, body: Value) -> tests::Reply {
    app.post(REQUESTS, actor, body).await
}

fn outcomes(request: &Value) -> Vec<(String, String)> {
    request["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["user_id"].as_str().unwrap().to_owned(),
                u["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn holds(app: &TestApp, admin: &Actor, user: &Actor) -> usize {
    app.get(&format!("/v1/users/{}/licenses", user.user_id), admin)
        .await
        .body["data"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn a_member_asks_for_themselves_and_an_admin_approves_everyone() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let reply = ask(
        &app,
        &o.member,
        json!({"product_id": CRM, "message": "For the Q3 pipeline."}),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["status"], json!("pending"));
    assert_eq!(reply.body["requester_id"], json!(o.member.user_id));
    assert_eq!(reply.body["message"], json!("For the Q3 pipeline."));
    assert_eq!(
        outcomes(&reply.body),
        vec![(o.member.user_id.to_string(), "pending".to_owned())]
    );
    let id = reply.body["id"].as_str().unwrap().to_owned();

    // A second pending request for the same product names the first.
    let again = ask(&app, &o.member, json!({"product_id": CRM})).await;
    assert_eq!(
        (again.status, again.code()),
        (409, "license_request_pending")
    );
    assert_eq!(again.body["existing_id"], json!(id));

    let sub = organisation_subscription(&app, &o.admin, 2).await;
    let reply = app
        .post(
            &format!("{REQUESTS}/{id}/approve"),
            &o.admin,
            json!({"subscription_id": sub, "message": "Enjoy."}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("approved"));
    assert_eq!(reply.body["decision"]["subscription_id"], json!(sub));
    assert_eq!(reply.body["decision"]["decided_by"], json!(o.admin.user_id));
    assert_eq!(reply.body["decision"]["message"], json!("Enjoy."));
    assert_eq!(holds(&app, &o.admin, &o.member).await, 1);

    // Decided once: neither a second approval nor a denial goes through.
    for (path, body) in [
        (
            format!("{REQUESTS}/{id}/approve"),
            json!({"subscription_id": sub}),
        ),
        (format!("{REQUESTS}/{id}/deny"), json!({})),
    ] {
        let reply = app.post(&path, &o.admin, body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (409, "license_request_decided"),
            "{reply:?}"
        );
    }
    // Once decided, asking again is fine.
    assert_eq!(
        ask(&app, &o.member, json!({"product_id": CRM}))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn a_partial_approval_assigns_the_subset_and_denies_the_rest() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let reply = ask(
        &app,
        &o.member,
        json!({"product_id": CRM, "user_ids": [o.member.user_id, o.coworker.user_id]}),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let sub = organisation_subscription(&app, &o.admin, 5).await;
    let reply = app
        .post(
            &format!("{REQUESTS}/{id}/approve"),
            &o.admin,
            json!({"subscription_id": sub, "user_ids": [o.coworker.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("partially_approved"));
    assert_eq!(
        outcomes(&reply.body),
        vec![
            (o.member.user_id.to_string(), "denied".to_owned()),
            (o.coworker.user_id.to_string(), "approved".to_owned())
        ]
    );
    assert_eq!(holds(&app, &o.admin, &o.member).await, 0);
    assert_eq!(holds(&app, &o.admin, &o.coworker).await, 1);
}

#[actix_web::test]
async fn a_denial_assigns_nothing_and_a_short_subscription_leaves_the_request_pending() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let both = json!({"product_id": CRM, "user_ids": [o.member.user_id, o.coworker.user_id]});
    let id = ask(&app, &o.member, both).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let small = organisation_subscription(&app, &o.admin, 1).await;
    let reply = app
        .post(
            &format!("{REQUESTS}/{id}/approve"),
            &o.admin,
            json!({"subscription_id": small}),
        )
        .await;
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
        (json!(1), json!(2))
    );
    let read = app.get(&format!("{REQUESTS}/{id}"), &o.member).await;
    assert_eq!(read.body["status"], json!("pending"));
    assert_eq!(holds(&app, &o.admin, &o.member).await, 0);

    // Approving someone who was not asked for is refused.
    let stranger = app.signed_in(o.admin.org, false).await;
    let reply = app
        .post(
            &format!("{REQUESTS}/{id}/approve"),
            &o.admin,
            json!({"subscription_id": small, "user_ids": [stranger.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");

    let reply = app
        .post(
            &format!("{REQUESTS}/{id}/deny"),
            &o.admin,
            json!({"message": "Use the shared pool."}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("denied"));
    assert!(outcomes(&reply.body).iter().all(|(_, o)| o == "denied"));
    assert_eq!(reply.body["decision"]["subscription_id"], json!(null));
}

#[actix_web::test]
async fn the_organisation_can_turn_requests_off_or_send_members_elsewhere() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let settings = |body: Value| {
        let app = &app;
        let admin = &o.admin;
        async move {
            let reply = app
                .send(
                    Method::PATCH,
                    "/v1/organization/settings",
                    admin,
                    &[],
                    Some(&body),
                )
                .await;
            assert_eq!(reply.status, 200, "{reply:?}");
        }
    };
    settings(json!({"license_requests": "disabled"})).await;
    let reply = ask(&app, &o.member, json!({"product_id": CRM})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "license_requests_disabled"),
        "{reply:?}"
    );

    settings(
        json!({"license_requests": "enabled", "license_request_url": "https://it.example/ask"}),
    )
    .await;
    let reply = ask(&app, &o.member, json!({"product_id": CRM})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "license_requests_external"),
        "{reply:?}"
    );
    assert_eq!(reply.body["url"], json!("https://it.example/ask"));
    let list = app.get(REQUESTS, &o.admin).await;
    assert!(list.body["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn bad_requests_are_refused() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let outsider = app.signed_in(Uuid::new_v4(), false).await;
    for (body, code) in [
        (json!({"product_id": Uuid::new_v4()}), "invalid_reference"),
        (json!({"product_id": CRM, "user_ids": []}), "no_users"),
        (
            json!({"product_id": CRM, "user_ids": [o.member.user_id, o.member.user_id]}),
            "duplicate_user_ids",
        ),
        (
            json!({"product_id": CRM, "user_ids": (0..21).map(|_| Uuid::new_v4()).collect::<Vec<_>>()}),
            "too_many_users",
        ),
        (
            json!({"product_id": CRM, "user_ids": [outsider.user_id]}),
            "users_not_in_organization",
        ),
        (
            json!({"product_id": CRM, "message": "x".repeat(501)}),
            "invalid_field",
        ),
        (
            json!({"product_id": CRM, "message": "a\u{202E}b"}),
            "invalid_field",
        ),
    ] {
        let reply = ask(&app, &o.member, body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, code),
            "{body}: {reply:?}"
        );
    }
    assert_eq!(
        ask(
            &app,
            &o.member,
            json!({"product_id": CRM, "message": "x".repeat(500)})
        )
        .await
        .status,
        201
    );
}

#[actix_web::test]
async fn members_see_their_own_admins_see_all_and_other_organisations_nothing() {
    let app = TestApp::spawn().await;
    let o = org(&app).await;
    let mine = ask(&app, &o.member, json!({"product_id": CRM})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = ask(&app, &o.coworker, json!({"product_id": MAIL}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = |reply: &tests::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&app.get(REQUESTS, &o.member).await), vec![mine.clone()]);
    assert_eq!(
        ids(&app.get(REQUESTS, &o.admin).await),
        vec![theirs.clone(), mine.clone()]
    );
    assert_eq!(
        ids(&app
            .get(&format!("{REQUESTS}?product_id={MAIL}"), &o.admin)
            .await),
        vec![theirs.clone()]
    );
    assert_eq!(
        ids(&app
            .get(&format!("{REQUESTS}?status=denied"), &o.admin)
            .await),
        Vec::<String>::new()
    );
    let first = app.get(&format!("{REQUESTS}?limit=1"), &o.admin).await;
    assert_eq!(ids(&first), vec![theirs.clone()]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(&format!("{REQUESTS}?limit=1&cursor={cursor}"), &o.admin)
        .await;
    assert_eq!(ids(&second), vec![mine.clone()]);
    assert_eq!(second.body["next_cursor"], json!(null));

    let reply = app.get(&format!("{REQUESTS}/{theirs}"), &o.member).await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
    let reply = app
        .post(&format!("{REQUESTS}/{mine}/deny"), &o.member, json!({}))
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));

    let other_admin = app.signed_in(Uuid::new_v4(), true).await;
    for reply in [
        app.get(&format!("{REQUESTS}/{mine}"), &other_admin).await,
        app.post(&format!("{REQUESTS}/{mine}/deny"), &other_admin, json!({}))
            .await,
    ] {
        assert_eq!(
            (reply.status, reply.code()),
            (404, "not_found"),
            "{reply:?}"
        );
    }
    assert!(ids(&app.get(REQUESTS, &other_admin).await).is_empty());
}

#[actix_web::test]
async fn requests_older_than_twelve_months_are_purged_by_the_billing_run() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let o = org(&app).await;
    let old = ask(&app, &o.member, json!({"product_id": CRM})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_today("2026-06-01");
    let recent = ask(&app, &o.member, json!({"product_id": MAIL})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_today("2027-03-02");
    app.billing_run("2027-03-02");
    let reply = app.get(&format!("{REQUESTS}/{old}"), &o.member).await;
    assert_eq!(reply.status, 404, "{reply:?}");
    assert_eq!(
        app.get(&format!("{REQUESTS}/{recent}"), &o.member)
            .await
            .status,
        200
    );
}
