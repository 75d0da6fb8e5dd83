//! A migrated database for this crate's tests: a fresh SQLite file, or a
//! fresh schema on the PostgreSQL server `TEST_DATABASE_URL` names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::connection::{connect_pool, DatabaseUrl, DbPool, PoolOptions};
use crate::error::RepoError;
use diesel::RunQueryDsl;

pub const T: &str = "'2026-01-01 00:00:00'";

/// A migrated database; on PostgreSQL the schema is dropped again on drop.
pub struct Db {
    pub pool: DbPool,
    pg_schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::parse(&dir.path().join("t.db").to_string_lossy()).unwrap();
        Self::open(url, None, Some(dir))
    }

    pub fn postgres() -> Option<Self> {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))?;
        let schema = format!("e_{}", uuid::Uuid::new_v4().simple());
        admin(&url, &format!("CREATE SCHEMA {schema}"));
        let sep = if url.contains('?') { '&' } else { '?' };
        let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
        Some(Self::open(
            DatabaseUrl::parse(&scoped).unwrap(),
            Some((url, schema)),
            None,
        ))
    }

    fn open(
        url: DatabaseUrl,
        pg_schema: Option<(String, String)>,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        let pool = connect_pool(
            &url,
            &PoolOptions {
                max_size: 1,
                ..Default::default()
            },
        )
        .unwrap();
        crate::migrations::run_pending(&mut pool.get().unwrap()).unwrap();
        Db {
            pool,
            pg_schema,
            _dir: dir,
        }
    }

    pub fn exec(&self, sql: &str) -> Result<usize, RepoError> {
        let mut conn = self.pool.get().unwrap();
        Ok(diesel::sql_query(sql).execute(&mut *conn)?)
    }

    pub fn ok(&self, sql: &str) {
        self.exec(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg_schema {
            admin(url, &format!("DROP SCHEMA {schema} CASCADE"));
        }
    }
}

fn admin(url: &str, sql: &str) {
    let pool = connect_pool(
        &DatabaseUrl::parse(url).unwrap(),
        &PoolOptions {
            max_size: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
}
