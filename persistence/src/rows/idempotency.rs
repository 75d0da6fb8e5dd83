use crate::schema::idempotency_keys;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::UserId;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: UserId,
    pub idempotency_key: String,
    pub request_hash: String,
    pub state: String,
    pub locked_until: NaiveDateTime,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
}
