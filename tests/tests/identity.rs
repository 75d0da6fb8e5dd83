#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Just-in-time sign-ins: e-mails unique per organisation whatever their
//! case, concurrent first sign-ins, and names and e-mails refreshed from
//! newer tokens.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

/// A token for `sub` in `org` with the given profile claims and `iat` offset.
fn token(app: &TestApp, org: Uuid, sub: Uuid, name: &str, email: &str, iat_ago: i64) -> String {
    let mut claims = TestApp::claims(org, sub, false);
    claims["name"] = json!(name);
    claims["email"] = json!(email);
    claims["iat"] = json!(chrono::Utc::now().timestamp() - iat_ago);
    app.sign(&claims)
}

async fn me(app: &TestApp, token: &str) -> Value {
    let reply = app.call(Method::GET, "/v1/me", Some(token), None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["user"].clone()
}

/// Every member of the organisation (one page is plenty here).
async fn directory(app: &TestApp, admin: &Actor) -> Vec<Value> {
    let reply = app.get("/v1/users?limit=100", admin).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["data"].as_array().unwrap().clone()
}

fn holding(members: &[Value], email: &str) -> Vec<Value> {
    members
        .iter()
        .filter(|m| {
            m["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .cloned()
        .collect()
}

#[actix_web::test]
async fn an_admin_added_address_links_whatever_its_case() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let added = app
        .post(
            "/v1/users",
            &admin,
            json!({"display_name": "Ann (added)", "email": "Ann@Example.com"}),
        )
        .await;
    assert_eq!(added.status, 201, "{added:?}");
    let id = added.body["id"].clone();

    // The same address in another case is the same address.
    let before = directory(&app, &admin).await;
    let again = app
        .post(
            "/v1/users",
            &admin,
            json!({"display_name": "Ann again", "email": "ann@EXAMPLE.com"}),
        )
        .await;
    assert_eq!(again.status, 409, "{again:?}");
    assert_eq!(again.code(), "email_taken");
    assert_eq!(directory(&app, &admin).await, before, "nothing changed");

    let sub = Uuid::new_v4();
    let user = me(
        &app,
        &token(&app, org, sub, "Ann Lee", "ann@example.COM", 0),
    )
    .await;
    assert_eq!(user["id"], id, "linked to the member the admin added");
    assert_eq!(user["signed_in"], json!(true));
    assert_eq!(
        user["display_name"],
        json!("Ann Lee"),
        "the provider's name"
    );
    let members = directory(&app, &admin).await;
    assert_eq!(members.len(), 2, "{members:?}");
    assert_eq!(holding(&members, "ann@example.com").len(), 1);
}

/// Two `sub`s with one address in different cases sign in at the same moment.
async fn race(app: &TestApp, org: Uuid, email: &str) -> (Value, Value) {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let ta = token(app, org, a, "First", email, 0);
    let tb = token(app, org, b, "Second", &email.to_uppercase(), 0);
    let (ra, rb) = futures_util::future::join(
        app.call(Method::GET, "/v1/me", Some(&ta), None),
        app.call(Method::GET, "/v1/me", Some(&tb), None),
    )
    .await;
    assert_eq!(ra.status, 200, "{ra:?}");
    assert_eq!(rb.status, 200, "{rb:?}");
    (ra.body["user"].clone(), rb.body["user"].clone())
}

#[actix_web::test]
async fn concurrent_first_sign_ins_with_one_address_make_one_member_with_it() {
    let app = TestApp::spawn().await;
    for round in 0..6 {
        let org = Uuid::new_v4();
        let admin = app.signed_in(org, true).await;
        let email = format!("pat{round}@example.com");
        let (a, b) = race(&app, org, &email).await;
        assert_ne!(a["id"], b["id"], "two people, two members");
        let members = directory(&app, &admin).await;
        assert_eq!(members.len(), 3, "{members:?}");
        assert_eq!(
            holding(&members, &email).len(),
            1,
            "round {round}: {members:?}"
        );
        // The other one signed in without the address.
        assert!(a["email"].is_null() != b["email"].is_null(), "{a} / {b}");
    }
}

#[actix_web::test]
async fn concurrent_first_sign_ins_link_an_added_member_once() {
    let app = TestApp::spawn().await;
    for round in 0..6 {
        let org = Uuid::new_v4();
        let admin = app.signed_in(org, true).await;
        let email = format!("Cat{round}@Example.com");
        let added = app
            .post(
                "/v1/users",
                &admin,
                json!({"display_name": "Cat", "email": email}),
            )
            .await;
        assert_eq!(added.status, 201, "{added:?}");
        let (a, b) = race(&app, org, &email.to_lowercase()).await;
        let linked = [&a, &b]
            .iter()
            .filter(|u| u["id"] == added.body["id"])
            .count();
        assert_eq!(linked, 1, "round {round}: {a} / {b}");
        let members = directory(&app, &admin).await;
        assert_eq!(members.len(), 3, "{members:?}");
        assert_eq!(holding(&members, &email).len(), 1, "{members:?}");
        // Both `sub`s keep answering as the member they got.
        assert!(members.iter().all(|m| m["signed_in"] == json!(true)));
    }
}

#[actix_web::test]
async fn names_and_addresses_follow_newer_tokens() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let sub = Uuid::new_v4();
    let user = me(&app, &token(&app, org, sub, "Ann", "ann@example.com", 300)).await;
    let path = format!("/v1/users/{}", user["id"].as_str().unwrap());

    // Newer token, new name and address: both shown everywhere.
    let newer = token(&app, org, sub, "Ann Smith", "Ann.Smith@Example.com", 200);
    let user = me(&app, &newer).await;
    assert_eq!(user["display_name"], json!("Ann Smith"));
    assert_eq!(user["email"], json!("Ann.Smith@Example.com"));
    let read = app.get(&path, &admin).await;
    assert_eq!(read.body["display_name"], json!("Ann Smith"), "{read:?}");
    assert_eq!(read.body["email"], json!("Ann.Smith@Example.com"));
    let found = app.get("/v1/users?search=ann%20smith", &admin).await;
    assert_eq!(found.body["data"].as_array().unwrap().len(), 1, "{found:?}");

    // An older token (issued before the last one applied) changes nothing.
    let older = token(&app, org, sub, "Old Name", "old@example.com", 250);
    let user = me(&app, &older).await;
    assert_eq!(user["display_name"], json!("Ann Smith"));
    assert_eq!(user["email"], json!("Ann.Smith@Example.com"));

    // An address another member holds is not taken over; the name still moves.
    let bob = app
        .post(
            "/v1/users",
            &admin,
            json!({"display_name": "Bob", "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(bob.status, 201);
    let user = me(
        &app,
        &token(&app, org, sub, "Ann S.", "BOB@example.com", 100),
    )
    .await;
    assert_eq!(user["display_name"], json!("Ann S."));
    assert_eq!(user["email"], json!("Ann.Smith@Example.com"));
    let members = directory(&app, &admin).await;
    assert_eq!(holding(&members, "bob@example.com").len(), 1);

    // Claims left out change nothing.
    let mut claims = TestApp::claims(org, sub, false);
    claims.as_object_mut().unwrap().remove("name");
    claims.as_object_mut().unwrap().remove("email");
    let user = me(&app, &app.sign(&claims)).await;
    assert_eq!(user["display_name"], json!("Ann S."));
    assert_eq!(user["email"], json!("Ann.Smith@Example.com"));
    let read = app.get(&path, &admin).await;
    assert_eq!(read.body["display_name"], json!("Ann S."));
}
