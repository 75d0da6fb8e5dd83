//! Connections and pools for both backends, behind one `DbConnection`.

use crate::error::RepoError;
use crate::writer_gate::WriterGate;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// One connection to whichever database `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed `DATABASE_URL`: a plain path or `sqlite://` URL means SQLite, `postgres://` PostgreSQL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl fmt::Debug for DatabaseUrl {
    // PostgreSQL URLs may carry a password: never print them whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            DatabaseUrl::Postgres(_) => f.write_str("postgres://…"),
        }
    }
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "scheme `{scheme}://` is not supported (use a file path, sqlite:// or postgres://)"
            ));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Pool sizing.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a connection before it is answered 503.
    pub checkout_timeout: Duration,
}

impl Default for PoolOptions {
    /// Two connections per core: more only adds database processes (and, on
    /// SQLite, writers) competing for the same cores. On 2 cores, PostgreSQL
    /// at 64 connections: pool 10 → 4 kept the reads' throughput and cut
    /// their p99 from 478 to 29 ms (bench/README.md, finding 5).
    fn default() -> Self {
        Self {
            max_size: 2 * cores(),
            checkout_timeout: Duration::from_secs(3),
        }
    }
}

/// The cores this process may use (1 when the system cannot tell).
pub fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
}

/// Opens connections of the configured backend (never guessing from the URL shape twice).
#[derive(Debug)]
pub struct DbManager {
    url: DatabaseUrl,
}

/// Per-connection SQLite settings: WAL for concurrent readers, a busy timeout
/// instead of instant "database is locked", enforced foreign keys.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// The `busy_timeout` above (5 s): also the longest a writer queues in this process.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// Writers of this process queue here before `BEGIN IMMEDIATE` (see `writer_gate`).
pub(crate) static SQLITE_WRITERS: WriterGate = WriterGate::new();

/// A new connection to the SQLite file at `path`, with the settings above.
pub(crate) fn sqlite_connection(
    path: &std::path::Path,
) -> Result<DbConnection, diesel::result::Error> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new(format!("cannot open the database: {e}")),
        )
    })?;
    conn.batch_execute(SQLITE_PRAGMAS)?;
    Ok(DbConnection::Sqlite(conn))
}

impl ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => sqlite_connection(path).map_err(r2d2::Error::QueryError),
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type DbPool = r2d2::Pool<DbManager>;

/// Builds the pool and opens its first connection (so a bad URL fails at start).
pub fn connect_pool(url: &DatabaseUrl, options: &PoolOptions) -> Result<DbPool, RepoError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                RepoError::Unavailable(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    let manager = DbManager { url: url.clone() };
    // One direct attempt first: a wrong URL fails at once with the driver's
    // message, instead of after the pool's retries and their log lines.
    manager
        .connect()
        .map_err(|e| RepoError::Unavailable(format!("cannot connect: {e}")))?;
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.checkout_timeout)
        // A checkout ping costs a round trip per request; broken connections are
        // detected by `has_broken` and replaced instead.
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| RepoError::Unavailable(e.to_string()))
}

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write
/// lock up front, so two writers never deadlock upgrading from readers; the
/// process's writers queue for it in `SQLITE_WRITERS` first), a
/// plain READ COMMITTED transaction on PostgreSQL (correctness comes from
/// conditional updates and constraints there).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Held until COMMIT or ROLLBACK, when it is dropped at the end of this function.
    let _turn = match conn {
        DbConnection::Sqlite(c) => {
            // Only the outermost transaction queues: a nested BEGIN fails anyway.
            let outermost = AnsiTransactionManager::transaction_manager_status_mut(c)
                .transaction_depth()?
                .is_none();
            let turn = outermost.then(|| SQLITE_WRITERS.enter(SQLITE_BUSY_TIMEOUT));
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            turn
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            match <DbConnection as Connection>::TransactionManager::commit_transaction(conn) {
                Ok(()) => Ok(value),
                Err(commit_error) => {
                    let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(
                        conn,
                    );
                    Err(commit_error.into())
                }
            }
        }
        Err(error) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

/// Runs the same generic diesel code on the concrete connection, for the few
/// statements the multi-backend cannot express (e.g. `ON CONFLICT`).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Sqlite($c) => $body,
            $crate::DbConnection::Pg($c) => $body,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("./data/x.db").unwrap(),
            DatabaseUrl::Sqlite("./data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://x.db").unwrap(),
            DatabaseUrl::Sqlite("x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:x.db").unwrap(),
            DatabaseUrl::Sqlite("x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert!(DatabaseUrl::parse("mysql://u@h/db").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    /// `.cargo/config.toml` sets these for the bundled SQLite; a build that
    /// lost them would quietly re-parse every `LIMIT ?` query on each call.
    #[test]
    fn sqlite_is_built_with_the_planner_flags() {
        use diesel::dsl::sql;
        use diesel::sql_types::Integer;
        use diesel::RunQueryDsl;
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for option in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            let used: i32 = diesel::select(sql::<Integer>(&format!(
                "sqlite_compileoption_used('{option}')"
            )))
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(used, 1, "SQLite compiled without SQLITE_{option}");
        }
    }

    #[test]
    fn postgres_urls_are_not_printed() {
        let url = DatabaseUrl::parse("postgres://u:secret@h/db").unwrap();
        assert!(!format!("{url:?}").contains("secret"));
    }
}
