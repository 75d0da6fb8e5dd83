#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `SELFSERVE_JWT_JWKS_URL`: the test plays the identity provider, serving a
//! JWKS on loopback and counting every fetch.

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpResponse, HttpServer};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tests::{json, Method, TestApp};
use uuid::Uuid;

const EC_A: &[u8] = include_bytes!("../fixtures/jwks/ec-a.pem");
const EC_B: &[u8] = include_bytes!("../fixtures/jwks/ec-b.pem");
const RSA_C: &[u8] = include_bytes!("../fixtures/jwks/rsa-c.pem");

fn encoding_key(pem: &[u8], alg: Algorithm) -> EncodingKey {
    match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem).unwrap(),
    }
}

/// The public half of a fixture key, as an identity provider lists it.
fn jwk(pem: &[u8], alg: Algorithm, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(&encoding_key(pem, alg), alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    serde_json::to_value(jwk).unwrap()
}

/// A fresh token (a new `sub` each time, so the verified-token cache never answers for it).
fn token(pem: &[u8], alg: Algorithm, kid: &str) -> String {
    let claims = TestApp::claims(Uuid::new_v4(), Uuid::new_v4(), false);
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, &claims, &encoding_key(pem, alg)).unwrap()
}

struct Idp {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    failing: Arc<AtomicBool>,
    server: ServerHandle,
}

impl Idp {
    async fn start(keys: Vec<Value>) -> Self {
        let shared = (
            Arc::new(Mutex::new(keys)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let state = shared.clone();
        let server = HttpServer::new(move || {
            let (keys, fetches, failing) = state.clone();
            App::new().route(
                "/keys",
                web::get().to(move || {
                    let (keys, fetches, failing) = (keys.clone(), fetches.clone(), failing.clone());
                    async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        if failing.load(Ordering::SeqCst) {
                            return HttpResponse::ServiceUnavailable().finish();
                        }
                        let keys = keys.lock().unwrap().clone();
                        HttpResponse::Ok().json(json!({ "keys": keys }))
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Idp {
            url: format!("http://{addr}/keys"),
            keys: shared.0,
            fetches: shared.1,
            failing: shared.2,
            server: handle,
        }
    }

    fn serve(&self, keys: Vec<Value>) {
        *self.keys.lock().unwrap() = keys;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// The service, configured with this JWKS endpoint (and the harness's
    /// HS256 secret too, which the JWKS then overrules).
    async fn service(&self) -> TestApp {
        TestApp::spawn_with(
            &[("SELFSERVE_JWT_JWKS_URL", &self.url)],
            usecases::Clock::System,
        )
        .await
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let handle = self.server.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

async fn me(app: &TestApp, token: &str) -> tests::Reply {
    app.call(Method::GET, "/v1/me", Some(token), None).await
}

#[actix_web::test]
async fn keys_are_chosen_by_kid_and_a_rotated_key_is_fetched() {
    let idp = Idp::start(vec![jwk(EC_A, Algorithm::ES256, "A")]).await;
    let app = idp.service().await;
    assert_eq!(idp.fetches(), 1, "fetched once at start");

    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(idp.fetches(), 1, "a known kid needs no fetch");

    // Only the configured kinds of key count: the HS256 secret the harness
    // also sets is not accepted alongside a JWKS, nor is `A` under another kid.
    let hs256 = app.actor(Uuid::new_v4(), false);
    assert_eq!(me(&app, &hs256.token).await.status, 401);

    // The provider rotates: A is withdrawn, B (ES256) and C (RS256) listed.
    idp.serve(vec![
        jwk(EC_B, Algorithm::ES256, "B"),
        jwk(RSA_C, Algorithm::RS256, "C"),
    ]);
    let reply = me(&app, &token(EC_B, Algorithm::ES256, "B")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(idp.fetches(), 2, "the new kid was fetched");
    let reply = me(&app, &token(RSA_C, Algorithm::RS256, "C")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(idp.fetches(), 2);

    // The withdrawn key no longer verifies new tokens; a key signs only as its own kid.
    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.code(), "unauthorized");
    assert_eq!(
        me(&app, &token(EC_A, Algorithm::ES256, "B")).await.status,
        401
    );
    // RS256 key C cannot be used for ES256, nor an ES256 key for RS256.
    assert_eq!(
        me(&app, &token(EC_B, Algorithm::ES256, "C")).await.status,
        401
    );
}

#[actix_web::test]
async fn an_unknown_kid_twice_within_a_minute_fetches_once() {
    let idp = Idp::start(vec![jwk(EC_A, Algorithm::ES256, "A")]).await;
    let app = idp.service().await;
    assert_eq!(idp.fetches(), 1);

    let reply = me(&app, &token(EC_A, Algorithm::ES256, "unknown")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(idp.fetches(), 2, "an unknown kid fetches");
    let reply = me(&app, &token(EC_A, Algorithm::ES256, "unknown")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    let reply = me(&app, &token(EC_B, Algorithm::ES256, "another-unknown")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(
        idp.fetches(),
        2,
        "no second fetch within the minute, whichever kid"
    );
    // A burst at once still fetches nothing more.
    let burst: Vec<_> = (0..10)
        .map(|_| token(EC_A, Algorithm::ES256, "unknown"))
        .collect();
    let replies = futures_util::future::join_all(burst.iter().map(|t| me(&app, t))).await;
    assert!(replies.iter().all(|r| r.status == 401));
    assert_eq!(idp.fetches(), 2);

    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(reply.status, 200, "known keys keep working: {reply:?}");
}

#[actix_web::test]
async fn a_failed_fetch_keeps_the_keys_and_answers_401_quickly() {
    let idp = Idp::start(vec![jwk(EC_A, Algorithm::ES256, "A")]).await;
    let app = idp.service().await;
    idp.failing.store(true, Ordering::SeqCst);
    idp.serve(vec![jwk(EC_B, Algorithm::ES256, "B")]);

    let started = std::time::Instant::now();
    let reply = me(&app, &token(EC_B, Algorithm::ES256, "B")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.code(), "unauthorized");
    assert!(started.elapsed() < std::time::Duration::from_secs(6));
    assert_eq!(idp.fetches(), 2);

    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(
        reply.status, 200,
        "the keys held survive a failed fetch: {reply:?}"
    );
}

#[actix_web::test]
async fn a_start_without_the_provider_still_starts_and_fetches_on_first_need() {
    let idp = Idp::start(vec![jwk(EC_A, Algorithm::ES256, "A")]).await;
    idp.failing.store(true, Ordering::SeqCst);
    let app = idp.service().await;
    assert_eq!(idp.fetches(), 1, "tried at start");
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, 200);

    idp.failing.store(false, Ordering::SeqCst);
    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(idp.fetches(), 2, "fetched on first need");
}

#[actix_web::test]
async fn an_unreachable_provider_is_401_not_500() {
    // Port 1: nothing listens there, and no test server can take it — they
    // bind port 0, drawn from the ephemeral range. (A port freed a moment
    // ago was once taken by the other test's provider, running at the same
    // time, which then served the key: 200 here, and a fetch too many there.)
    let url = "http://127.0.0.1:1/keys".to_owned();
    let app = TestApp::spawn_with(
        &[("SELFSERVE_JWT_JWKS_URL", url.as_str())],
        usecases::Clock::System,
    )
    .await;
    let reply = me(&app, &token(EC_A, Algorithm::ES256, "A")).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.code(), "unauthorized");
}
