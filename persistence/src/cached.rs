//! Statements written as fixed SQL so that each connection prepares them once.
//!
//! diesel caches a prepared statement only when its SQL cannot vary: it
//! never caches an `UPDATE` (every changeset is marked unsafe to cache), nor
//! a SQLite `IN (…)` of variable length. On SQLite, preparing is parsing and
//! planning the statement again — 17 % of an assignment's instructions went
//! there (callgrind, bench/README.md "Third round"). The hot ones live here
//! as `QueryFragment`s with a static `QueryId`, which diesel's statement
//! cache keys by type. Their SQL is the one the query builder wrote.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

/// `UPDATE subscriptions` taking `n` licenses of a live subscription, only
/// while `assigned_count + n <= license_count` (one row updated, or none).
/// The columns it sets are mirrored by `subscriptions::with_seats_moved`:
/// keep the two in step.
#[derive(QueryId)]
pub(crate) struct TakeLicenses {
    pub id: String,
    pub n: i64,
    pub at: NaiveDateTime,
}

impl<DB> QueryFragment<DB> for TakeLicenses
where
    DB: Backend,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
    DB: diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<BigInt>
        + diesel::sql_types::HasSqlType<Timestamp>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE subscriptions SET assigned_count = assigned_count + ");
        out.push_bind_param::<BigInt, _>(&self.n)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", version = version + 1 WHERE id = ");
        out.push_bind_param::<Text, _>(&self.id)?;
        out.push_sql(" AND status IN ('trial', 'active') AND assigned_count + ");
        out.push_bind_param::<BigInt, _>(&self.n)?;
        out.push_sql(" <= license_count");
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for TakeLicenses {}

/// The display name of a subscription's purchaser, as a subquery of a
/// `subscriptions` query (`None` when the member is gone). A subquery, not
/// a join, where the row is locked: a lock cannot cover the nullable side
/// of an outer join. Its own type so that the query keeps a static id and
/// stays prepared (as a `sql` literal the whole statement was parsed and
/// planned again on every call).
#[derive(QueryId, Clone, Copy, Debug)]
pub(crate) struct PurchaserName;

impl diesel::Expression for PurchaserName {
    type SqlType = diesel::sql_types::Nullable<Text>;
}

// The same rule as `repos::subscriptions`' `purchasers!` join (the member of
// the subscription's own organisation): keep the two in step.
impl<DB: Backend> QueryFragment<DB> for PurchaserName {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "(SELECT u.display_name FROM users u WHERE u.id = subscriptions.purchaser_id \
             AND u.organization_id = subscriptions.organization_id)",
        );
        Ok(())
    }
}

impl diesel::expression::AppearsOnTable<crate::schema::subscriptions::table> for PurchaserName {}
impl diesel::expression::SelectableExpression<crate::schema::subscriptions::table>
    for PurchaserName
{
}
impl diesel::expression::ValidGrouping<()> for PurchaserName {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}
