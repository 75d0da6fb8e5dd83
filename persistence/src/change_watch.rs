//! Has the database changed since I last looked? Asked cheaply, by any
//! process sharing the database.
//!
//! On SQLite this is `PRAGMA data_version` on a connection of its own that
//! never writes: its value changes whenever any other connection — of this
//! process or of another one on the same file (a `selfserve` command, a
//! second server) — commits a change, and stays put otherwise. Reading it
//! takes a lock on the WAL index in shared memory, no I/O and no statement
//! on a pooled connection.
//!
//! On PostgreSQL there is no such counter short of a round trip to the
//! server, which is what a reader would want to save, and a counter row
//! bumped by every write would serialise every writer of an organisation on
//! that row (docs/scaling.md). So the watch cannot tell there, and callers
//! that cache must not.

use crate::connection::DatabaseUrl;
use crate::error::RepoError;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryDsl, RunQueryDsl};
use std::sync::{Mutex, PoisonError};

pub struct ChangeWatch {
    sqlite: Option<Mutex<SqliteConnection>>,
}

// `PRAGMA data_version` as SQLite's eponymous table: a query diesel can
// keep prepared (it re-prepares every `sql_query`, a quarter of this read).
diesel::table! {
    pragma_data_version (data_version) {
        data_version -> BigInt,
    }
}

/// A version of the whole database: equal twice only if nothing was committed between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version(i64);

impl ChangeWatch {
    /// The watch for `url`'s database: a connection of its own on SQLite,
    /// nothing on PostgreSQL.
    pub fn open(url: &DatabaseUrl) -> Result<Self, RepoError> {
        let sqlite = match url {
            // Deliberately without the pool's `busy_timeout`: when the WAL
            // index is locked for a moment (a checkpoint restarting the WAL),
            // the read fails at once and the caller reads the database
            // instead of waiting — the same answer as "changed", never a stale one.
            DatabaseUrl::Sqlite(path) => {
                let conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| RepoError::Unavailable(format!("cannot connect: {e}")))?;
                Some(Mutex::new(conn))
            }
            DatabaseUrl::Postgres(_) => None,
        };
        Ok(Self { sqlite })
    }

    /// A watch that never tells: callers behave as without a cache.
    pub fn blind() -> Self {
        Self { sqlite: None }
    }

    /// The database's current version, or `None` when this backend cannot
    /// tell cheaply (PostgreSQL) or the read failed — either way, do not
    /// trust anything cached.
    pub fn version(&self) -> Option<Version> {
        let conn = self.sqlite.as_ref()?;
        // A poisoned lock only means a panic elsewhere mid-read; the
        // connection itself holds no state that could be half-changed.
        let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
        pragma_data_version::table
            .select(pragma_data_version::data_version)
            .get_result::<i64>(&mut *conn)
            .ok()
            .map(Version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    #[test]
    fn a_commit_by_any_other_connection_moves_the_version_and_reads_do_not() {
        let dir = std::env::temp_dir().join(format!("watch-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.db");
        let mut writer = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        writer
            .batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .unwrap();
        let watch = ChangeWatch::open(&DatabaseUrl::Sqlite(path.clone())).unwrap();
        let before = watch.version().unwrap();
        assert_eq!(watch.version(), Some(before), "nothing committed");
        writer.batch_execute("SELECT count(*) FROM t;").unwrap();
        assert_eq!(watch.version(), Some(before), "a read is not a change");
        writer.batch_execute("INSERT INTO t VALUES (1);").unwrap();
        let after = watch.version().unwrap();
        assert_ne!(after, before, "a commit is");
        // A transaction that changes no row writes nothing.
        writer
            .batch_execute("BEGIN IMMEDIATE; UPDATE t SET x = 2 WHERE x = 9; COMMIT;")
            .unwrap();
        assert_eq!(watch.version(), Some(after));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn postgres_cannot_tell() {
        let watch = ChangeWatch::open(&DatabaseUrl::Postgres("postgres://x@h/d".into())).unwrap();
        assert_eq!(watch.version(), None);
        assert_eq!(ChangeWatch::blind().version(), None);
    }
}
