//! The black-box test harness: a real `selfserve` server on a free loopback
//! port, over a fresh database — a new SQLite file per test, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a new schema per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::dev::ServerHandle;
use actix_web::{web, HttpServer};
use api::config::{Settings, Sources};
use api::startup::app::{self, Shared};
use api::startup::state::AppState;
use serde_json::Value;
use usecases::Clock;
use uuid::Uuid;

pub mod proxy;
pub mod receiver;
pub mod smtp_sink;

pub use actix_web::http::Method;
pub use serde_json::json;

/// The HS256 secret test servers are configured with.
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

pub struct TestApp {
    pub base: String,
    pub state: web::Data<AppState>,
    /// `http://addr` of the metrics listener, when `SELFSERVE_METRICS_BIND` is set (e.g. `127.0.0.1:0`).
    pub metrics_base: Option<String>,
    client: awc::Client,
    server: ServerHandle,
    metrics_server: Option<ServerHandle>,
    _dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
    /// The server's `DATABASE_URL`, so a second replica can share the database.
    database_url: String,
}

/// A member (or admin) with a token.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Uuid,
    pub org: Uuid,
    pub token: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The problem `code`, when the body is a problem.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

pub fn backend_is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[], Clock::System).await
    }

    /// Extra configuration pairs override the test defaults.
    pub async fn spawn_with(extra: &[(&str, &str)], clock: Clock) -> Self {
        Self::spawn_full(extra, clock, None).await
    }

    /// A PostgreSQL-backed server that reaches the database through `proxy`
    /// (the schema itself is created directly).
    pub async fn spawn_through(proxy: &proxy::Proxy, extra: &[(&str, &str)]) -> Self {
        Self::spawn_full(extra, Clock::System, Some(proxy.port)).await
    }

    /// A second server on this one's database (another replica): its own
    /// pool, state and listener. Drop it before the first.
    pub async fn replica(&self, extra: &[(&str, &str)], clock: Clock) -> Self {
        Self::spawn_on(extra, clock, Some(self.database_url.clone()), None).await
    }

    async fn spawn_full(extra: &[(&str, &str)], clock: Clock, pg_port: Option<u16>) -> Self {
        Self::spawn_on(extra, clock, None, pg_port).await
    }

    async fn spawn_on(
        extra: &[(&str, &str)],
        clock: Clock,
        shared_database: Option<String>,
        pg_port: Option<u16>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg_schema) = match std::env::var("TEST_DATABASE_URL") {
            _ if shared_database.is_some() => (shared_database.unwrap_or_default(), None),
            Ok(url) if url.starts_with("postgres") => {
                let schema = format!("t_{}", Uuid::new_v4().simple());
                postgres_admin(&url, &format!("CREATE SCHEMA {schema}"));
                let sep = if url.contains('?') { '&' } else { '?' };
                let server_url = match pg_port {
                    Some(port) => with_port(&url, port),
                    None => url.clone(),
                };
                (
                    format!("{server_url}{sep}options=-csearch_path%3D{schema}"),
                    Some((url, schema)),
                )
            }
            _ => (
                dir.path()
                    .join("selfserve.db")
                    .to_string_lossy()
                    .into_owned(),
                None,
            ),
        };
        let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog.toml");
        let data_dir = dir.path().to_string_lossy().into_owned();
        let mut pairs: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database_url.clone()),
            ("SELFSERVE_DATA_DIR".into(), data_dir),
            ("SELFSERVE_JWT_SECRET".into(), SECRET.into()),
            ("SELFSERVE_CATALOG".into(), catalog.into()),
            ("SELFSERVE_BILLING_INTERVAL_SECS".into(), "0".into()),
            ("SELFSERVE_DB_POOL_SIZE".into(), "8".into()),
            // Off unless a test asks: concurrency tests must not meet rate limits,
            // and parallel tests cannot share the default metrics port.
            ("SELFSERVE_RATE_LIMIT_WRITES".into(), "off".into()),
            ("SELFSERVE_RATE_LIMIT_READS".into(), "off".into()),
            ("SELFSERVE_METRICS_BIND".into(), "off".into()),
        ];
        for (k, v) in extra {
            pairs.retain(|(key, _)| key != k);
            pairs.push(((*k).into(), (*v).into()));
        }
        let settings = Settings::from_sources(&Sources::from_pairs(pairs)).expect("test settings");
        let state = api::startup::runtime::state(&settings, clock).expect("test state");
        let shared = Shared::new(state, &settings.edge);
        let state = shared.state.clone();
        // As `selfserve serve` does before listening (JWKS keys, when configured).
        state.verifier.prime().await;
        let (metrics_base, metrics_server) = match settings.edge.metrics_bind {
            Some(bind) => {
                let (server, addr) =
                    api::startup::server::metrics_server(&shared, bind).expect("metrics bind");
                let handle = server.handle();
                actix_web::rt::spawn(server);
                (Some(format!("http://{addr}")), Some(handle))
            }
            None => (None, None),
        };
        let server = HttpServer::new(move || app::build(&shared))
            .workers(2)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .expect("bind");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            base: format!("http://{addr}"),
            state,
            metrics_base,
            metrics_server,
            client: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            server: handle,
            _dir: dir,
            pg_schema,
            database_url,
        }
    }

    /// A token with the given claims, signed with the test secret.
    pub fn sign(&self, claims: &Value) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    }

    pub fn claims(org: Uuid, user: Uuid, admin: bool) -> Value {
        let now = chrono::Utc::now().timestamp();
        let short = &user.simple().to_string()[..8];
        json!({
            "iss": "selfserve", "aud": "selfserve-api", "iat": now, "exp": now + 3600,
            "sub": user, "tid": org,
            "name": format!("User {short}"), "email": format!("{short}@example.com"),
            "roles": if admin { vec!["admin"] } else { vec![] },
        })
    }

    pub fn actor(&self, org: Uuid, admin: bool) -> Actor {
        let user_id = Uuid::new_v4();
        Actor {
            user_id,
            org,
            token: self.sign(&Self::claims(org, user_id, admin)),
        }
    }

    /// An actor whose user row exists (one authenticated call made).
    pub async fn signed_in(&self, org: Uuid, admin: bool) -> Actor {
        let actor = self.actor(org, admin);
        let reply = self.get("/v1/me", &actor).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        actor
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let mut response = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        }
        .expect("request");
        raw_reply(&mut response).await
    }

    /// Sends raw bytes with a content type, for malformed and oversized bodies.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut response = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .expect("request");
        raw_reply(&mut response).await
    }

    /// A JSON request with one extra header (say, `Idempotency-Key`).
    pub async fn call_with_header(
        &self,
        method: Method,
        path: &str,
        token: &str,
        header: (&str, &str),
        body: &Value,
    ) -> Reply {
        let mut response = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header((header.0, header.1))
            .send_json(body)
            .await
            .expect("request");
        raw_reply(&mut response).await
    }

    /// Everything the test's database holds, as bytes to scan: the SQLite files
    /// (database and WAL), or a `pg_dump` of the test's PostgreSQL schema.
    pub fn database_bytes(&self) -> Vec<(String, Vec<u8>)> {
        match &self.pg_schema {
            Some((url, schema)) => {
                let output = std::process::Command::new("pg_dump")
                    .args(["--data-only", "--schema", schema, url])
                    .output()
                    .expect("pg_dump (postgresql-client) is needed for the PostgreSQL scan");
                assert!(
                    output.status.success(),
                    "pg_dump: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                vec![(format!("pg_dump of {schema}"), output.stdout)]
            }
            None => std::fs::read_dir(self._dir.path())
                .expect("data dir")
                .map(|e| e.expect("entry").path())
                .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
                .collect(),
        }
    }

    /// The test server's data folder (its SQLite file and generated secrets).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_path_buf()
    }

    pub async fn get(&self, path: &str, actor: &Actor) -> Reply {
        self.call(Method::GET, path, Some(&actor.token), None).await
    }

    pub async fn post(&self, path: &str, actor: &Actor, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&actor.token), Some(&body))
            .await
    }

    /// A card and a billing profile for `actor`: (billing_profile_id, payment_method_id).
    pub async fn billing_setup(&self, actor: &Actor) -> (String, String) {
        let card = json!({
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "Test Purchaser"},
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
        });
        let reply = self.post("/v1/payment-methods", actor, card).await;
        let pm = match reply.status {
            201 => reply.body["id"].as_str().unwrap().to_owned(),
            409 => reply.body["existing_id"].as_str().unwrap().to_owned(),
            _ => panic!("card: {reply:?}"),
        };
        let account = self.get("/v1/billing-accounts", actor).await.body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let profile = json!({
            "name": "Team", "invoice_email": "ap@example.com", "payment_method_id": pm,
            "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
        });
        let reply = self
            .post(
                &format!("/v1/billing-accounts/{account}/billing-profiles"),
                actor,
                profile,
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        (reply.body["id"].as_str().unwrap().to_owned(), pm)
    }

    /// Buys `licenses` of `product` monthly; returns the subscription body.
    pub async fn buy(&self, actor: &Actor, product: &str, licenses: i64) -> Value {
        let (profile, pm) = self.billing_setup(actor).await;
        let reply = self
            .post(
                "/v1/subscriptions",
                actor,
                json!({"product_id": product, "license_count": licenses, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": pm}),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body
    }

    /// Sets the service's clock (servers spawned with `Clock::Fixed`).
    pub fn set_today(&self, date: &str) {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        self.state
            .services
            .clock
            .set(day.and_hms_opt(12, 0, 0).unwrap().and_utc());
    }

    /// Runs the billing run as of `date` (what `selfserve billing run --as-of` does).
    pub fn billing_run(&self, date: &str) -> usecases::subscriptions::billing_run::Report {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let mut conn = self.state.services.db.pool().get().unwrap();
        usecases::subscriptions::billing_run::run(
            &mut conn,
            &self.state.services.outbox,
            day,
            self.state.services.tax_rate_bps,
            self.state.services.clock.now(),
        )
        .unwrap()
    }

    /// The outbox events of organisation `org` of one type, oldest first: their
    /// `data`. Read from the database: no endpoint lists events (webhooks
    /// deliver them), so tests look where the dispatcher will.
    pub fn events(&self, org: Uuid, event_type: &str) -> Vec<Value> {
        self.all_events(org)
            .into_iter()
            .filter(|(t, _)| t == event_type)
            .map(|(_, data)| data)
            .collect()
    }

    /// Every outbox event of organisation `org`, oldest first: (type, data).
    pub fn all_events(&self, org: Uuid) -> Vec<(String, Value)> {
        let mut conn = self.state.services.db.pool().get().unwrap();
        persistence::repos::events::for_organization(&mut conn, org.into(), None, 10_000)
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.event_type.as_str().to_owned(),
                    serde_json::from_str(&e.data).unwrap(),
                )
            })
            .collect()
    }

    /// A request with arbitrary extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        actor: &Actor,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .insert_header(("Authorization", format!("Bearer {}", actor.token)));
        for (k, v) in headers {
            request = request.insert_header((*k, *v));
        }
        let mut response = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        }
        .expect("request");
        raw_reply(&mut response).await
    }

    /// A server whose clock starts at noon UTC on `date`.
    pub async fn spawn_at(date: &str) -> Self {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let clock = Clock::Fixed(std::sync::Arc::new(std::sync::RwLock::new(
            day.and_hms_opt(12, 0, 0).unwrap().and_utc(),
        )));
        Self::spawn_with(&[], clock).await
    }

    pub async fn put(&self, path: &str, actor: &Actor, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&actor.token), Some(&body))
            .await
    }
}

async fn raw_reply<S>(response: &mut awc::ClientResponse<S>) -> Reply
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.body().limit(16 * 1024 * 1024).await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
        if let Some(metrics) = &self.metrics_server {
            drop(metrics.stop(false));
        }
        if let Some((url, schema)) = &self.pg_schema {
            postgres_admin(url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// The upstream `host:port` of a postgres:// URL (port 5432 when absent).
pub fn pg_host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let after_at = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host_port = after_at.split(['/', '?']).next().unwrap_or("127.0.0.1");
    if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    }
}

/// The same URL with its host's port replaced.
fn with_port(url: &str, port: u16) -> String {
    let host_port = pg_host_port(url);
    let host = host_port
        .rsplit_once(':')
        .map_or(host_port.as_str(), |(h, _)| h);
    let original = {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let after_at = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        after_at.split(['/', '?']).next().unwrap_or("").to_owned()
    };
    url.replacen(&format!("@{original}"), &format!("@{host}:{port}"), 1)
}

fn postgres_admin(url: &str, sql: &str) {
    use persistence::DbConnection;
    let pool = persistence::connect_pool(
        &persistence::DatabaseUrl::parse(url).unwrap(),
        &persistence::PoolOptions {
            max_size: 1,
            ..Default::default()
        },
    )
    .expect("PostgreSQL from TEST_DATABASE_URL");
    let mut conn = pool.get().unwrap();
    if let DbConnection::Pg(_) = &mut *conn {
        persistence::repos::health::execute_admin(&mut conn, sql).unwrap();
    }
}

/// Everything the service logs in this test process (every level), for scans.
pub fn captured_logs() -> Vec<u8> {
    LOGS.lock().map(|l| l.clone()).unwrap_or_default()
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the service's logs (at trace level) into `captured_logs()`; idempotent.
pub fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_writer(|| LogSink)
            .with_ansi(false)
            .try_init();
    });
}
