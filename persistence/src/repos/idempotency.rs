use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::rows::IdempotencyRow;
use crate::schema::idempotency_keys as k;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::UserId;

pub fn find(
    conn: &mut DbConnection,
    owner: UserId,
    key: &str,
) -> Result<Option<IdempotencyRow>, RepoError> {
    Ok(k::table
        .filter(k::owner_id.eq(owner.to_string()))
        .filter(k::idempotency_key.eq(key))
        .select(IdempotencyRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Reserves the key; a concurrent reservation of the same key is `RepoError::Unique(Constraint::IdempotencyKey)`.
pub fn insert(conn: &mut DbConnection, row: &IdempotencyRow) -> Result<(), RepoError> {
    diesel::insert_into(k::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Takes over an abandoned or expired record (its work never committed).
pub fn reset(conn: &mut DbConnection, row: &IdempotencyRow) -> Result<(), RepoError> {
    diesel::update(
        k::table
            .filter(k::owner_id.eq(row.owner_id.to_string()))
            .filter(k::idempotency_key.eq(&row.idempotency_key)),
    )
    .set((
        k::request_hash.eq(&row.request_hash),
        k::state.eq(&row.state),
        k::locked_until.eq(row.locked_until),
        k::response_status.eq(None::<i32>),
        k::response_body.eq(None::<String>),
        k::created_at.eq(row.created_at),
    ))
    .execute(conn)?;
    Ok(())
}

/// Stores the response, in the transaction of the work it answers.
pub fn complete(
    conn: &mut DbConnection,
    owner: UserId,
    key: &str,
    status: i32,
    body: &str,
) -> Result<(), RepoError> {
    let updated = diesel::update(
        k::table
            .filter(k::owner_id.eq(owner.to_string()))
            .filter(k::idempotency_key.eq(key)),
    )
    .set((
        k::state.eq("completed"),
        k::response_status.eq(Some(status)),
        k::response_body.eq(Some(body)),
    ))
    .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        Err(RepoError::NotFound)
    }
}

pub fn delete(conn: &mut DbConnection, owner: UserId, key: &str) -> Result<(), RepoError> {
    diesel::delete(
        k::table
            .filter(k::owner_id.eq(owner.to_string()))
            .filter(k::idempotency_key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets records older than `before` (replays are promised for 24 hours).
pub fn purge_older_than(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<usize, RepoError> {
    Ok(diesel::delete(k::table.filter(k::created_at.lt(before))).execute(conn)?)
}
