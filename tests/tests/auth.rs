#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The JWT matrix: every bad token is a 401 problem with `WWW-Authenticate: Bearer`.

use serde_json::Value;
use tests::{json, Method, TestApp};
use uuid::Uuid;

async fn assert_rejected(app: &TestApp, token: &str, why: &str) {
    let reply = app.call(Method::GET, "/v1/me", Some(token), None).await;
    assert_eq!(reply.status, 401, "{why}: {reply:?}");
    assert_eq!(reply.code(), "unauthorized", "{why}");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{why}"
    );
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")),
        "{why}"
    );
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

#[actix_web::test]
async fn a_valid_token_is_accepted() {
    let app = TestApp::spawn().await;
    let actor = app.actor(Uuid::new_v4(), false);
    let reply = app.get("/v1/me", &actor).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["user"]["id"], json!(actor.user_id));
    assert_eq!(reply.body["organization_id"], json!(actor.org));
    assert_eq!(reply.body["is_admin"], json!(false));
    assert_eq!(reply.body["cloud"], json!("global"));
    assert!(reply.body["portal_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
}

#[actix_web::test]
async fn every_bad_token_is_401() {
    let app = TestApp::spawn().await;
    let base = TestApp::claims(Uuid::new_v4(), Uuid::new_v4(), false);
    let now = chrono::Utc::now().timestamp();

    // alg: none, hand-assembled (no library will sign it).
    let b64 = |v: &Value| {
        use base64_like::encode;
        encode(v.to_string().as_bytes())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&base)
    );
    assert_rejected(&app, &none, "alg none").await;

    assert_rejected(
        &app,
        &app.sign(&with(base.clone(), "aud", json!("someone-else"))),
        "wrong audience",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&with(base.clone(), "iss", json!("evil"))),
        "wrong issuer",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&with(base.clone(), "exp", json!(now - 61 - 5))),
        "expired beyond leeway",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&without(base.clone(), "tid")),
        "missing tid",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&without(base.clone(), "sub")),
        "missing sub",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&without(base.clone(), "exp")),
        "missing exp",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&with(base.clone(), "sub", json!("not-a-uuid"))),
        "sub not a UUID",
    )
    .await;
    assert_rejected(
        &app,
        &app.sign(&with(base.clone(), "nbf", json!(now + 3600))),
        "not yet valid",
    )
    .await;

    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &base,
        &jsonwebtoken::EncodingKey::from_secret(b"another-secret-another-secret-0000000"),
    )
    .unwrap();
    assert_rejected(&app, &wrong_key, "wrong key").await;

    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &base,
        &jsonwebtoken::EncodingKey::from_secret(tests::SECRET.as_bytes()),
    )
    .unwrap();
    assert_rejected(&app, &hs512, "algorithm not configured").await;

    assert_rejected(&app, "garbage", "garbage").await;
    assert_rejected(&app, "a.b.c", "garbage with dots").await;

    let reply = app.call(Method::GET, "/v1/me", None, None).await;
    assert_eq!(reply.status, 401, "no token");
    assert!(reply.header("www-authenticate").is_some());
}

#[actix_web::test]
async fn expiry_within_leeway_is_accepted() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let claims = with(
        TestApp::claims(Uuid::new_v4(), Uuid::new_v4(), false),
        "exp",
        json!(now - 30),
    );
    let reply = app
        .call(Method::GET, "/v1/me", Some(&app.sign(&claims)), None)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn the_admin_role_comes_from_the_roles_claim() {
    let app = TestApp::spawn().await;
    let admin = app.actor(Uuid::new_v4(), true);
    let reply = app.get("/v1/me", &admin).await;
    assert_eq!(reply.body["is_admin"], json!(true));
    assert_eq!(reply.body["roles"], json!(["admin"]));
}

/// Base64url without padding, as JWT segments use (a few lines, to build `alg: none` by hand).
mod base64_like {
    pub fn encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}
