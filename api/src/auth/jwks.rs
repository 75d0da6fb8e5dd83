//! Signing keys read from an identity provider's JWKS endpoint
//! (`SELFSERVE_JWT_JWKS_URL`), cached in memory.
//!
//! The keys are fetched at start (a failure only logs a warning: the service
//! starts and fetches on first need) and again when a token names a `kid`
//! the cache does not hold — which is how a provider's key rotation shows up.
//! Such refetches go out at most once a minute, whoever asks, so a stream of
//! tokens with invented `kid`s cannot turn the service into a load generator
//! against the provider. A failed fetch keeps the keys already held; the token
//! that asked is answered 401, never 500, and never waits more than
//! `FETCH_TIMEOUT`. Keys older than `MAX_AGE` are refetched on the next
//! token, so a key the provider withdrew stops working within about a day.

use super::keys::{self, VerificationKey};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Bounds a fetch from connect to the last byte.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// At most one refetch per this interval for unknown `kid`s (and stale keys).
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Keys held longer than this are refreshed on the next token.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// A JWKS document is a few kilobytes; anything far bigger is not one.
const MAX_BODY: usize = 1024 * 1024;

struct Held {
    keys: Arc<Vec<VerificationKey>>,
    fetched_at: Option<Instant>,
}

pub struct JwksKeys {
    url: String,
    client: reqwest::Client,
    held: RwLock<Held>,
    /// When the last refetch went out; the async lock also makes concurrent
    /// requests with the same new `kid` wait for one fetch instead of each
    /// starting their own.
    last_refetch: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksKeys {
    pub fn new(url: &str) -> Result<Self, keys::KeyLoadError> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            // A key set must come from the configured place, not wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            // Fetches are minutes apart and may run on any worker's runtime:
            // pooled connections would tie one runtime to another.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("selfserve/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| keys::KeyLoadError(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            url: url.to_owned(),
            client,
            held: RwLock::new(Held {
                keys: Arc::new(Vec::new()),
                fetched_at: None,
            }),
            last_refetch: tokio::sync::Mutex::new(None),
        })
    }

    /// The keys held now.
    pub fn snapshot(&self) -> Arc<Vec<VerificationKey>> {
        match self.held.read() {
            Ok(held) => held.keys.clone(),
            Err(poisoned) => poisoned.into_inner().keys.clone(),
        }
    }

    fn knows(&self, kid: &str) -> bool {
        self.snapshot()
            .iter()
            .any(|k| k.kid.as_deref() == Some(kid))
    }

    fn stale(&self) -> bool {
        let fetched_at = match self.held.read() {
            Ok(held) => held.fetched_at,
            Err(poisoned) => poisoned.into_inner().fetched_at,
        };
        fetched_at.is_none_or(|at| at.elapsed() >= MAX_AGE)
    }

    /// The fetch at start. Not counted against the refetch interval, so a
    /// start with the provider unreachable fetches again on the first token.
    pub async fn prime(&self) {
        match self.fetch().await {
            Ok(count) => tracing::info!(url = %self.url, keys = count, "JWKS keys fetched"),
            Err(e) => tracing::warn!(
                url = %self.url,
                error = %e,
                "JWKS keys could not be fetched at start; tokens will be refused until a fetch succeeds"
            ),
        }
    }

    /// Before verifying a token with header `kid`: refetches when that `kid`
    /// is unknown (or the keys are stale) and the last refetch is at least
    /// `REFETCH_INTERVAL` old. Never fails: the caller verifies with whatever
    /// keys are held afterwards.
    pub async fn refresh_for(&self, kid: Option<&str>) {
        let wanted = |this: &Self| kid.is_some_and(|k| !this.knows(k)) || this.stale();
        if !wanted(self) {
            return;
        }
        let mut last = self.last_refetch.lock().await;
        // Another request may have fetched while this one waited.
        if !wanted(self) {
            return;
        }
        if last.is_some_and(|at| at.elapsed() < REFETCH_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.fetch().await {
            tracing::warn!(url = %self.url, error = %e, kid, "JWKS refetch failed; keeping the keys held");
        } else if kid.is_some_and(|k| !self.knows(k)) {
            tracing::info!(url = %self.url, kid, "a token names a kid the JWKS does not list");
        }
    }

    /// One fetch; on success the held keys are replaced (a withdrawn key goes
    /// away), on failure they stay as they were.
    async fn fetch(&self) -> Result<usize, String> {
        let mut response = self
            .client
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| describe(&e))?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(format!("the document is larger than {MAX_BODY} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| "the document is not UTF-8".to_owned())?;
        let (keys, skipped) = keys::from_jwks(&text).map_err(|e| e.0)?;
        if !skipped.is_empty() {
            tracing::debug!(url = %self.url, ?skipped, "JWKS keys left out");
        }
        if keys.is_empty() {
            return Err("the document holds no RS256 or ES256 signing key".into());
        }
        let count = keys.len();
        let mut held = match self.held.write() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        };
        *held = Held {
            keys: Arc::new(keys),
            fetched_at: Some(Instant::now()),
        };
        Ok(count)
    }
}

/// reqwest's top-level message hides the cause ("error sending request").
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    if e.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}
