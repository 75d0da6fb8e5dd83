//! What every use case can reach: the database, the catalog, the clock, the
//! tax rate and the keyed hasher. Built once at start-up and shared.

use crate::error::Error;
use crate::fingerprint::Fingerprinter;
use crate::{Actor, Outbox};
use chrono::{DateTime, Utc};
use domain::catalog::Catalog;
use persistence::{Backend, DatabaseUrl, DbConnection, DbPool, GroupWriter, RepoError};
use std::sync::{Arc, RwLock};

pub struct Services {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub clock: Clock,
    /// Tax on invoices, in basis points.
    pub tax_rate_bps: u32,
    pub fingerprints: Fingerprinter,
    /// Where every change records its event and notifications (PRODUCT.md §8).
    pub outbox: Outbox,
    /// Webhook delivery: private targets, the retry base, the network.
    pub outbound: crate::deliveries::Outbound,
}

impl Services {
    /// One write transaction for `actor`, stamped with the time it starts:
    /// the shape of every change that needs nothing prepared beforehand.
    pub async fn write<T, F>(&self, actor: &Actor, work: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection, &Actor, DateTime<Utc>) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let (actor, now) = (actor.clone(), self.clock.now());
        self.db.write(move |conn| work(conn, &actor, now)).await
    }
}

/// The pool plus the one way use cases touch it: on the blocking pool (diesel
/// is synchronous), with connection trouble turned into `Unavailable`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    /// SQLite only: the connection [`write`](Self::write)s share (`persistence::GroupWriter`).
    grouped: Option<Arc<GroupWriter>>,
}

impl Db {
    pub fn new(pool: DbPool, url: &DatabaseUrl) -> Self {
        let grouped = match url {
            DatabaseUrl::Sqlite(path) => Some(Arc::new(GroupWriter::new(path.clone()))),
            DatabaseUrl::Postgres(_) => None,
        };
        Self {
            pool,
            backend: url.backend(),
            grouped,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        self.run_as(f).await
    }

    /// [`run`](Self::run) for callers with an error type of their own (the
    /// API's, around work that also builds its answer).
    pub async fn run_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| E::from(persistence::RepoError::from(e).into()))?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(Error::internal("blocking pool is gone")))?
    }

    /// Runs `f` in a write transaction: on SQLite one shared with the writes
    /// queued behind it and committed for all of them (`persistence::GroupWriter`:
    /// `f`'s changes are rolled back alone when it fails, and it is answered
    /// only after the commit); on PostgreSQL its own, on a pooled connection.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let Some(grouped) = self.grouped.clone() else {
            return self
                .run(move |conn| persistence::write_transaction(conn, f))
                .await;
        };
        let committed = tokio::task::spawn_blocking(move || grouped.write(f))
            .await
            .map_err(|_| Error::internal("blocking pool is gone"))??;
        Ok(committed.committed().await.map_err(RepoError::from)?)
    }

    /// For short reads: on SQLite, when a pooled connection is free right now,
    /// the read runs on the calling worker — a local point read takes
    /// microseconds, less than the hop to the blocking pool and back. Otherwise
    /// (PostgreSQL's network round trips, or a busy pool) it goes through `run`,
    /// so an event-loop thread never waits for a connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
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
