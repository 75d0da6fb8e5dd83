//! What every handler can reach: the database, the catalog, the token
//! verifier and cache, deployment facts and the clock.

use crate::auth::cache::TokenCache;
use crate::auth::JwtVerifier;
use crate::config::Cloud;
use crate::error::ApiError;
use actix_web::web;
use chrono::{DateTime, Utc};
use domain::catalog::Catalog;
use persistence::{Backend, DbConnection, DbPool};
use std::sync::{Arc, RwLock};

pub struct AppState {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub verifier: Arc<JwtVerifier>,
    pub tokens: TokenCache,
    pub fingerprints: crate::fingerprint::Fingerprinter,
    pub deployment: Deployment,
    /// Tax on invoices, in basis points.
    pub tax_rate_bps: u32,
    pub clock: Clock,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub cloud: Cloud,
    pub portal_url: String,
}

/// The pool plus the one way handlers touch it: on the blocking pool, with
/// connection trouble turned into 503 `database_unavailable`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
}

impl Db {
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(persistence::RepoError::from)?;
            f(&mut conn)
        })
        .await?
    }

    /// For short reads: on SQLite, when a pooled connection is free right now,
    /// the read runs on the calling worker — a local point read takes
    /// microseconds, less than the hop to the blocking pool and back. Otherwise
    /// (PostgreSQL's network round trips, or a busy pool) it goes through `run`,
    /// so an event-loop thread never waits for a connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return f(&mut conn);
            }
        }
        self.run(f).await
    }
}

/// Wall-clock time, or a settable time for tests and the billing command.
#[derive(Clone)]
pub enum Clock {
    System,
    Fixed(Arc<RwLock<DateTime<Utc>>>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at.read().map(|t| *t).unwrap_or_else(|e| *e.into_inner()),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Fixed(at) = self {
            if let Ok(mut guard) = at.write() {
                *guard = to;
            }
        }
    }
}
