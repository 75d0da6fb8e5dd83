//! Batched multi-row inserts, and the insert rows persistence has no batchable form of.

use chrono::NaiveDateTime;
use persistence::schema::{organizations, users};
use persistence::DbConnection;

/// Insertable users row (persistence's `NewUser`, re-declared so the seed can batch it).
#[derive(diesel::Insertable, Clone)]
#[diesel(table_name = users)]
pub struct UserIns {
    pub id: String,
    pub organization_id: String,
    pub subject: Option<String>,
    pub display_name: String,
    pub display_name_key: String,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(diesel::Insertable, Clone)]
#[diesel(table_name = organizations)]
pub struct OrgIns {
    pub id: String,
    pub next_invoice_number: i64,
    pub created_at: NaiveDateTime,
}

pub type Fail = Box<dyn std::error::Error>;

/// Bind parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
pub fn rows_per_statement(conn: &DbConnection, columns: usize, batch: usize) -> usize {
    let limit = match conn {
        DbConnection::Sqlite(_) => 32_000,
        DbConnection::Pg(_) => 65_000,
    };
    (limit / columns).clamp(1, batch.max(1))
}

/// Inserts `rows` in transactions of `batch` rows, multi-row statements inside.
#[macro_export]
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr, $batch:expr) => {{
        let conn: &mut DbConnection = $conn;
        let per_statement = $crate::insert::rows_per_statement(conn, $columns, $batch);
        let mut n = 0usize;
        for tx in $rows.chunks($batch.max(1)) {
            n += persistence::on_backend!(&mut *conn, |c| {
                use diesel::Connection;
                c.transaction::<usize, diesel::result::Error, _>(|c| {
                    let mut n = 0;
                    for chunk in tx.chunks(per_statement) {
                        n += diesel::insert_into($table)
                            .values(chunk.to_vec())
                            .execute(c)?;
                    }
                    Ok(n)
                })
            })?;
        }
        n
    }};
}
