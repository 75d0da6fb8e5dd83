//! Embedded migrations, run at start and by `selfserve migrate`.

use crate::connection::DbConnection;
use crate::error::RepoError;
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub(crate) const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub(crate) const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// An arbitrary, fixed key for PostgreSQL's advisory lock around migrations.
const MIGRATION_LOCK_KEY: i64 = 0x5e1f_5e7e_0001;

/// Applies every pending migration; returns how many ran.
///
/// Safe when several replicas start at once: on PostgreSQL the run holds a
/// session advisory lock, so the second replica waits and then finds nothing
/// pending. On SQLite the single-file database is one node's by design.
pub fn run_pending(conn: &mut DbConnection) -> Result<usize, RepoError> {
    match conn {
        DbConnection::Sqlite(c) => apply(c, SQLITE),
        DbConnection::Pg(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            let result = apply(c, POSTGRES);
            let unlocked =
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                    .execute(c);
            let applied = result?;
            unlocked?;
            Ok(applied)
        }
    }
}

fn apply<C>(conn: &mut C, migrations: EmbeddedMigrations) -> Result<usize, RepoError>
where
    C: MigrationHarness<C::Backend> + diesel::Connection,
{
    conn.run_pending_migrations(migrations)
        .map(|applied| applied.len())
        .map_err(|e| RepoError::Other(format!("migration failed: {e}")))
}
