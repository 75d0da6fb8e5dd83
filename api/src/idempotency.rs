//! `Idempotency-Key` on creating POSTs.
//!
//! 1. Reserve the key (its own short transaction): a completed record with the
//!    same request hash replays its response; another hash is 422; a live
//!    reservation is 409.
//! 2. Do the work and store the response in ONE transaction, so that a
//!    response is recorded exactly when its effects are. A crash in between
//!    leaves only a reservation whose lease expires, and whose work never
//!    committed — so a later retry may safely take it over.
//!
//! The record holds a keyed hash of the request, never the body (a card
//! number must not reach it), and the response, which never holds card data.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::startup::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use domain::UserId;
use futures_util::future::LocalBoxFuture;
use persistence::repos::idempotency as repo;
use persistence::rows::IdempotencyRow;
use persistence::{write_transaction, Constraint, DbConnection, RepoError};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::{ready, Ready};

pub const HEADER: &str = "Idempotency-Key";
/// How long a response is replayed.
const RETENTION_HOURS: i64 = 24;
/// How long a reservation blocks duplicates before it counts as abandoned.
const LEASE_SECONDS: i64 = 30;

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(HEADER) else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let valid = value.to_str().ok().filter(|v| {
            !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| (0x21..=0x7e).contains(&b))
        });
        ready(match valid {
            Some(v) => Ok(IdempotencyKey(Some(v.to_owned()))),
            None => Err(ApiError::invalid_parameter(
                HEADER,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )),
        })
    }
}

/// What a creating operation answers: stored for replays.
pub struct Created {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
    /// For resources under optimistic concurrency (subscriptions).
    pub etag: Option<String>,
}

impl Created {
    pub fn new(body: impl serde::Serialize, location: Option<String>) -> Result<Self, ApiError> {
        Ok(Self {
            status: StatusCode::CREATED,
            body: serde_json::to_value(body).map_err(|e| ApiError::internal(e.to_string()))?,
            location,
            etag: None,
        })
    }

    fn stored(&self) -> String {
        serde_json::json!({"body": self.body, "location": self.location, "etag": self.etag})
            .to_string()
    }

    fn from_stored(status: i32, text: &str) -> Result<Self, ApiError> {
        let mut value: Value =
            serde_json::from_str(text).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(Self {
            status: u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .ok_or_else(|| ApiError::internal("stored status invalid"))?,
            location: value["location"].as_str().map(str::to_owned),
            etag: value["etag"].as_str().map(str::to_owned),
            body: value["body"].take(),
        })
    }

    fn respond(self, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(location) = &self.location {
            response.insert_header(("Location", location.as_str()));
        }
        if let Some(etag) = &self.etag {
            response.insert_header((actix_web::http::header::ETAG, etag.as_str()));
        }
        if replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.json(self.body)
    }
}

/// A creating request: its JSON body, and what makes it the same request
/// again (the optional key, the method, the path and the raw body).
pub struct Idempotent<T> {
    body: T,
    once: Once,
}

/// What [`Once::run`] needs to run a creating request at most once per key.
pub struct Once {
    key: IdempotencyKey,
    method: Method,
    path: String,
    raw_body: Bytes,
}

impl<T> Idempotent<T> {
    pub fn into_parts(self) -> (T, Once) {
        (self.body, self.once)
    }
}

impl<T: DeserializeOwned + utoipa::ToSchema + 'static> FromRequest for Idempotent<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The key is checked before the body, as when they were two extractors.
        let key = IdempotencyKey::from_request(req, payload).into_inner();
        let (method, path) = (req.method().clone(), req.path().to_owned());
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move {
            let key = key?;
            let (body, raw_body) = body.await?.into_parts();
            Ok(Idempotent {
                body,
                once: Once {
                    key,
                    method,
                    path,
                    raw_body,
                },
            })
        })
    }
}

/// A creating POST that takes no body (reactivate): what makes it the same
/// request again is the optional key, the method and the path.
pub struct IdempotentWithoutBody(Once);

impl IdempotentWithoutBody {
    pub fn into_once(self) -> Once {
        self.0
    }
}

impl FromRequest for IdempotentWithoutBody {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let key = IdempotencyKey::from_request(req, payload).into_inner();
        ready(key.map(|key| {
            IdempotentWithoutBody(Once {
                key,
                method: req.method().clone(),
                path: req.path().to_owned(),
                raw_body: Bytes::new(),
            })
        }))
    }
}

impl Once {
    /// Runs `work` in a write transaction, exactly once per caller and key.
    pub async fn run<F>(
        self,
        state: &AppState,
        caller: &Caller,
        work: F,
    ) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<Created, ApiError> + Send + 'static,
    {
        run(state, caller, self, work).await
    }
}

async fn run<F>(
    state: &AppState,
    caller: &Caller,
    once: Once,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<Created, ApiError> + Send + 'static,
{
    let Once {
        key,
        method,
        path,
        raw_body,
    } = once;
    let Some(key) = key.0 else {
        let created = state
            .services
            .db
            .run_as(move |conn| write_transaction(conn, work))
            .await?;
        return Ok(created.respond(false));
    };
    let canonical = serde_json::from_slice::<Value>(&raw_body)
        .map(|v| v.to_string().into_bytes())
        .unwrap_or_else(|_| raw_body.to_vec());
    let hash = state
        .services
        .fingerprints
        .request(method.as_str(), &path, &canonical);
    let owner = caller.actor().user_id;
    let now = state.services.clock.now();

    let (o, k) = (owner, key.clone());
    if let Some(replay) = state
        .services
        .db
        .run_as(move |conn| reserve(conn, o, &k, &hash, now))
        .await?
    {
        return Ok(replay.respond(true));
    }

    let (o, k) = (owner, key.clone());
    let outcome = state
        .services
        .db
        .run_as(move |conn| {
            write_transaction(conn, |conn| {
                let created = work(conn)?;
                repo::complete(
                    conn,
                    o,
                    &k,
                    i32::from(created.status.as_u16()),
                    &created.stored(),
                )?;
                Ok(created)
            })
        })
        .await;
    match outcome {
        Ok(created) => Ok(created.respond(false)),
        Err(error) => {
            // Nothing committed: free the key so that a corrected retry runs.
            // If this fails too, the lease simply expires.
            let _ = state
                .services
                .db
                .run(move |conn| Ok(repo::delete(conn, owner, &key)?))
                .await;
            Err(error)
        }
    }
}

/// Reserves the key, or returns the response to replay.
fn reserve(
    conn: &mut DbConnection,
    owner: UserId,
    key: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Created>, ApiError> {
    write_transaction(conn, |conn| {
        let fresh = IdempotencyRow {
            owner_id: owner,
            idempotency_key: key.to_owned(),
            request_hash: hash.to_owned(),
            state: "in_progress".to_owned(),
            locked_until: (now + Duration::seconds(LEASE_SECONDS)).naive_utc(),
            response_status: None,
            response_body: None,
            created_at: now.naive_utc(),
        };
        let Some(existing) = repo::find(conn, owner, key)? else {
            return match repo::insert(conn, &fresh) {
                Ok(()) => Ok(None),
                // A concurrent request reserved it first (PostgreSQL).
                Err(RepoError::Unique(Constraint::IdempotencyKey)) => {
                    Err(ApiError::IdempotencyInProgress)
                }
                Err(e) => Err(e.into()),
            };
        };
        let expired = existing.created_at < (now - Duration::hours(RETENTION_HOURS)).naive_utc();
        if expired {
            repo::reset(conn, &fresh)?;
            return Ok(None);
        }
        if existing.request_hash != hash {
            return Err(ApiError::IdempotencyKeyReused);
        }
        match (
            existing.state.as_str(),
            existing.response_status,
            existing.response_body.as_deref(),
        ) {
            ("completed", Some(status), Some(body)) => Created::from_stored(status, body).map(Some),
            _ if existing.locked_until > now.naive_utc() => Err(ApiError::IdempotencyInProgress),
            _ => {
                repo::reset(conn, &fresh)?;
                Ok(None)
            }
        }
    })
}
