//! Answers to repeated reads, kept while the database has not changed.
//!
//! A read that misses is made as usual; its `200` (headers and body) is kept
//! under who asked (user, organisation, role), the day (views depend on
//! today's date: trial days left, the default invoice period) and the request
//! target (path and query). The same request is then answered from memory
//! while the database's version (`persistence::ChangeWatch`) is the one the
//! answer was made at. Any commit — by this process, a `selfserve` command or
//! another server on the same file — moves the version, and the next look
//! empties the cache.
//!
//! Never stale: the version is read *before* the answer is made, so an
//! answer that already includes a later commit is kept under the older
//! version and thrown away at the next look; an answer is kept only if no one
//! has seen a newer version meanwhile. `tests/tests/read_cache.rs` proves it
//! against writers in the same and in another pool (another "replica").
//!
//! Only where the watch can tell (SQLite). On PostgreSQL nothing is kept: a
//! cross-replica check costs the round trip it would save (docs/scaling.md).

use crate::auth::Caller;
use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use domain::user::Role;
use domain::{OrganizationId, UserId};
use persistence::change_watch::Version;
use persistence::ChangeWatch;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Bytes of bodies kept at most. Every commit empties the cache, so what
/// is worth keeping is the few hot answers between two writes, not a large set.
const BUDGET: usize = 2 << 20;
/// A larger answer (a long page) is not kept: it would push out many small ones.
const LARGEST: usize = 128 << 10;

pub struct ReadCache {
    watch: ChangeWatch,
    kept: Mutex<Kept>,
    /// Requests answered from memory, for tests and operators.
    hits: AtomicU64,
}

#[derive(Default)]
struct Kept {
    /// The version every entry was made at.
    version: Option<Version>,
    bytes: usize,
    answers: HashMap<Key, Answer>,
}

#[derive(PartialEq, Eq, Hash)]
struct Key {
    user: UserId,
    organization: OrganizationId,
    role: Role,
    day: NaiveDate,
    target: String,
}

struct Answer {
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn response(&self) -> HttpResponse {
        let mut response = HttpResponse::with_body(StatusCode::OK, self.body.clone());
        *response.headers_mut() = self.headers.clone();
        response.map_into_boxed_body()
    }
}

impl ReadCache {
    pub fn new(watch: ChangeWatch) -> Self {
        Self {
            watch,
            kept: Mutex::new(Kept::default()),
            hits: AtomicU64::new(0),
        }
    }

    /// How many requests were answered from memory since start.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    fn kept(&self) -> MutexGuard<'_, Kept> {
        // Entries are whole or absent whatever a panicking holder was doing.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `make`'s answer to `request` from `caller` on `day`, or the same answer
    /// kept from an earlier identical request when nothing has been committed since.
    pub async fn answer<F, Fut>(
        &self,
        caller: &Caller,
        request: &HttpRequest,
        day: NaiveDate,
        make: F,
    ) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<HttpResponse, ApiError>>,
    {
        let Some(version) = self.watch.version() else {
            return make().await;
        };
        let actor = caller.actor();
        let key = Key {
            user: actor.user_id,
            organization: actor.organization_id,
            role: actor.role,
            day,
            target: request
                .uri()
                .path_and_query()
                .map_or_else(|| request.path().to_owned(), |p| p.as_str().to_owned()),
        };
        if let Some(response) = self.lookup(version, &key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(response);
        }
        let response = make().await?;
        if response.status() != StatusCode::OK {
            return Ok(response);
        }
        let (response, body) = response.into_parts();
        match body.try_into_bytes() {
            Ok(bytes) => {
                self.keep(version, key, response.headers().clone(), bytes.clone());
                Ok(response.set_body(BoxBody::new(bytes)))
            }
            Err(body) => Ok(response.set_body(body)),
        }
    }

    fn lookup(&self, now: Version, key: &Key) -> Option<HttpResponse> {
        let mut kept = self.kept();
        if kept.version != Some(now) {
            // Something was committed since these were made.
            *kept = Kept {
                version: Some(now),
                ..Kept::default()
            };
            return None;
        }
        kept.answers.get(key).map(Answer::response)
    }

    fn keep(&self, made_at: Version, key: Key, headers: HeaderMap, body: Bytes) {
        if body.len() > LARGEST {
            return;
        }
        let mut kept = self.kept();
        // Someone has seen a newer version since this answer's was read: it
        // may be older than the database, so it is not kept.
        if kept.version != Some(made_at) {
            return;
        }
        if kept.bytes + body.len() > BUDGET {
            kept.answers.clear();
            kept.bytes = 0;
        }
        kept.bytes += body.len();
        if let Some(replaced) = kept.answers.insert(key, Answer { headers, body }) {
            kept.bytes -= replaced.body.len();
        }
    }
}
