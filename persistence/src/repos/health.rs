use crate::connection::DbConnection;
use crate::error::RepoError;
use diesel::RunQueryDsl;

/// A round trip to the database, for readiness.
pub fn ping(conn: &mut DbConnection) -> Result<(), RepoError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// Runs one administrative statement (test harnesses create and drop schemas with it).
pub fn execute_admin(conn: &mut DbConnection, sql: &str) -> Result<(), RepoError> {
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}
