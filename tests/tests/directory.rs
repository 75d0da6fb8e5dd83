#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The directory: JIT provisioning, admin-added members, search, tenancy.

use tests::{json, Method, TestApp};
use uuid::Uuid;

#[actix_web::test]
async fn members_cannot_add_users_admins_can_and_emails_are_unique() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let member = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let body = json!({"display_name": "Grace Hopper", "email": "Grace@Contoso.example"});

    let reply = app.post("/v1/users", &member, body.clone()).await;
    assert_eq!(
        (reply.status, reply.code()),
        (403, "admin_only"),
        "{reply:?}"
    );

    let reply = app.post("/v1/users", &admin, body.clone()).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location"), Some(format!("/v1/users/{id}")));
    assert_eq!(reply.body["signed_in"], json!(false));

    let again = json!({"display_name": "Someone Else", "email": "grace@contoso.EXAMPLE"});
    let reply = app.post("/v1/users", &admin, again).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "email_taken"),
        "{reply:?}"
    );

    let reply = app.get("/v1/users?search=gr", &member).await;
    assert_eq!(reply.status, 200);
    let names: Vec<_> = reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["display_name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Grace Hopper")], "nothing else changed");
}

#[actix_web::test]
async fn invalid_new_members_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    for (body, field) in [
        (
            json!({"display_name": "", "email": "a@b.example"}),
            "display_name",
        ),
        (
            json!({"display_name": "x".repeat(101), "email": "a@b.example"}),
            "display_name",
        ),
        (
            json!({"display_name": "Ann", "email": "not-an-address"}),
            "email",
        ),
        (json!({"display_name": "Ann"}), "email"),
    ] {
        let reply = app.post("/v1/users", &admin, body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "invalid_field"),
            "{reply:?}"
        );
        assert_eq!(reply.body["field"], json!(field));
    }
    let reply = app
        .post(
            "/v1/users",
            &admin,
            json!({"display_name": "Ann", "email": "a@b.example", "id": Uuid::new_v4()}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (422, "unknown_field"));
    assert_eq!(reply.body["field"], json!("id"));
    let reply = app.get("/v1/users", &admin).await;
    assert_eq!(
        reply.body["data"].as_array().unwrap().len(),
        1,
        "only the admin: {reply:?}"
    );
}

#[actix_web::test]
async fn another_organisations_user_is_404() {
    let app = TestApp::spawn().await;
    let ours = app.signed_in(Uuid::new_v4(), true).await;
    let theirs = app.signed_in(Uuid::new_v4(), true).await;
    let reply = app
        .get(&format!("/v1/users/{}", theirs.user_id), &ours)
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (404, "not_found"),
        "{reply:?}"
    );
    let reply = app.get(&format!("/v1/users/{}", ours.user_id), &ours).await;
    assert_eq!(reply.status, 200);
    let reply = app.get("/v1/users/not-a-uuid", &ours).await;
    assert_eq!(reply.status, 404);
    let reply = app.get("/v1/users", &ours).await;
    let ids: Vec<_> = reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(ours.user_id)]);
}

#[actix_web::test]
async fn a_member_added_ahead_is_linked_at_first_sign_in() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let reply = app
        .post(
            "/v1/users",
            &admin,
            json!({"display_name": "Linus", "email": "linus@example.org"}),
        )
        .await;
    let added = reply.body["id"].clone();

    let subject = Uuid::new_v4();
    let mut claims = TestApp::claims(org, subject, false);
    claims["email"] = json!("LINUS@example.org");
    let token = app.sign(&claims);
    let reply = app.call(Method::GET, "/v1/me", Some(&token), None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body["user"]["id"], added,
        "the pre-added member, not a new one"
    );
    assert_eq!(reply.body["user"]["signed_in"], json!(true));
}

#[actix_web::test]
async fn directory_pages_with_a_cursor_in_name_order() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    for i in 0..5 {
        let reply = app
            .post(
                "/v1/users",
                &admin,
                json!({"display_name": format!("Zed {i}"), "email": format!("zed{i}@example.org")}),
            )
            .await;
        assert_eq!(reply.status, 201);
    }
    let mut seen = Vec::new();
    let mut path = "/v1/users?limit=2".to_owned();
    loop {
        let reply = app.get(&path, &admin).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let page = reply.body["data"].as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(
            page.iter()
                .map(|u| u["display_name"].as_str().unwrap().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(seen, sorted);

    for bad in ["limit=0", "limit=101", "limit=abc", "cursor=%21%21"] {
        let reply = app.get(&format!("/v1/users?{bad}"), &admin).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "invalid_parameter"),
            "{bad}: {reply:?}"
        );
    }
}

#[actix_web::test]
async fn concurrent_first_requests_provision_one_user() {
    let app = TestApp::spawn().await;
    let actor = app.actor(Uuid::new_v4(), false);
    let calls = (0..8).map(|_| app.get("/v1/me", &actor));
    for reply in futures_util::future::join_all(calls).await {
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let reply = app.get("/v1/users", &actor).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
}
