//! Nullable typed columns. A non-null id or status column is read and
//! written through `String` (`deserialize_as`/`serialize_as = String`, with
//! the domain type's `TryFrom<String>` and `Into<String>`); an optional one
//! goes through [`Nullable`], because `Option<String>` cannot be converted
//! into `Option<T>` by a trait implemented here.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromStaticSqlRow, Queryable};
use diesel::expression::AsExpression;
use diesel::sql_types::{Nullable as NullableSql, Text};

/// An optional stored value of type `T` (an id, a status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nullable<T>(pub Option<T>);

impl<T> From<Nullable<T>> for Option<T> {
    fn from(value: Nullable<T>) -> Self {
        value.0
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Nullable(value)
    }
}

/// Reading: a value that does not convert is a deserialization error, which
/// `RepoError` reports as corrupt data.
impl<T, DB> Queryable<NullableSql<Text>, DB> for Nullable<T>
where
    DB: Backend,
    Option<String>: FromStaticSqlRow<NullableSql<Text>, DB>,
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    type Row = Option<String>;

    fn build(row: Option<String>) -> deserialize::Result<Self> {
        Ok(Nullable(row.map(T::try_from).transpose()?))
    }
}

/// Writing: as the text the domain type stores as, or NULL.
impl<T: Into<String>> AsExpression<NullableSql<Text>> for Nullable<T> {
    type Expression = <Option<String> as AsExpression<NullableSql<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        <Option<String> as AsExpression<NullableSql<Text>>>::as_expression(self.0.map(Into::into))
    }
}
