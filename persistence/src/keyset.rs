//! Keyset pagination, the one way every list in this crate pages.
//!
//! A page is "the rows strictly past the last key seen, in index order", over a
//! unique two-column key (a timestamp or text, then a tiebreaker). The
//! predicate is spelled out as `first > k1 OR (first = k1 AND second > k2)`
//! (not as a row-value comparison) because that is the shape both SQLite and
//! PostgreSQL turn into a range scan of a `(first, second)` index, and the
//! `ORDER BY` follows the same columns in the same direction, so a page is one
//! index walk with no sort (see bench/README.md on the invoice list).
//!
//! It is a macro rather than a generic function because diesel's boxed
//! queries would need a dozen trait bounds to say the same thing; the
//! expansion is exactly the code each repository used to write by hand.

/// Orders a boxed query by a two-column key, starts it past `key` and limits
/// it to `limit` rows; call it after every other filter, then `load`.
///
/// - `keyset::page!(query, ascending (t::created_at, t::id), after: key, limit: n)`:
///   oldest first, rows after `key`.
/// - `keyset::page!(query, descending (t::created_at, t::id), before: key, limit: n)`:
///   newest first, rows before `key`.
///
/// `key` is an `Option<(A, B)>` of the two columns' values; `None` is the first page.
macro_rules! page {
    (
        $query:expr,
        ascending ($first:expr, $second:expr),
        after: $key:expr,
        limit: $limit:expr $(,)?
    ) => {
        $crate::keyset::page!(@walk $query, $first, $second, $key, $limit, asc, gt)
    };
    (
        $query:expr,
        descending ($first:expr, $second:expr),
        before: $key:expr,
        limit: $limit:expr $(,)?
    ) => {
        $crate::keyset::page!(@walk $query, $first, $second, $key, $limit, desc, lt)
    };
    // `$order` is the ORDER BY direction, `$past` the comparison that means "later in that order".
    (@walk $query:expr, $first:expr, $second:expr, $key:expr, $limit:expr,
        $order:ident, $past:ident) => {{
        let mut query = $query
            .order_by(($first.$order(), $second.$order()))
            .limit($limit);
        if let Some((first, second)) = $key {
            query = query.filter(
                $first
                    .$past(first.clone())
                    .or($first.eq(first).and($second.$past(second))),
            );
        }
        query
    }};
}

pub(crate) use page;

#[cfg(test)]
mod tests {
    use crate::schema::audit_events as a;
    use chrono::{NaiveDate, NaiveDateTime};
    use diesel::debug_query;
    use diesel::pg::Pg;
    use diesel::prelude::*;
    use diesel::sqlite::Sqlite;

    fn key() -> Option<(NaiveDateTime, String)> {
        let at = NaiveDate::from_ymd_opt(2026, 11, 30)?.and_hms_opt(10, 0, 0)?;
        Some((at, "e1".to_owned()))
    }

    /// The SQL each repository wrote by hand before this helper: the index
    /// walks (and so the plans) depend on exactly this shape.
    macro_rules! hand_written {
        ($db:ty, $order:ident, $past:ident) => {{
            let (at, id) = key().unwrap();
            let query = a::table
                .filter(a::target_id.eq("s1"))
                .select(a::id)
                .order_by((a::occurred_at.$order(), a::id.$order()))
                .limit(11)
                .into_boxed::<$db>()
                .filter(
                    a::occurred_at
                        .$past(at)
                        .or(a::occurred_at.eq(at).and(a::id.$past(id))),
                );
            debug_query::<$db, _>(&query).to_string()
        }};
    }

    /// The part of a list query before its page: filters and selection.
    macro_rules! boxed {
        ($db:ty) => {
            a::table
                .filter(a::target_id.eq("s1"))
                .select(a::id)
                .into_boxed::<$db>()
        };
    }

    /// The SQL of a page of `boxed!($db)` made by the helper.
    macro_rules! paged {
        ($db:ty, $($walk:tt)*) => {
            debug_query::<$db, _>(&super::page!(boxed!($db), $($walk)*)).to_string()
        };
    }

    #[test]
    fn ascending_pages_are_the_hand_written_sql() {
        assert_eq!(
            paged!(Sqlite, ascending (a::occurred_at, a::id), after: key(), limit: 11),
            hand_written!(Sqlite, asc, gt)
        );
        assert_eq!(
            paged!(Pg, ascending (a::occurred_at, a::id), after: key(), limit: 11),
            hand_written!(Pg, asc, gt)
        );
    }

    #[test]
    fn descending_pages_are_the_hand_written_sql() {
        assert_eq!(
            paged!(Sqlite, descending (a::occurred_at, a::id), before: key(), limit: 11),
            hand_written!(Sqlite, desc, lt)
        );
        assert_eq!(
            paged!(Pg, descending (a::occurred_at, a::id), before: key(), limit: 11),
            hand_written!(Pg, desc, lt)
        );
    }

    #[test]
    fn the_first_page_has_no_key_filter() {
        let none = None::<(NaiveDateTime, String)>;
        let sql = paged!(Sqlite, ascending (a::occurred_at, a::id), after: none, limit: 11);
        assert!(!sql.contains("`occurred_at` >"), "{sql}");
        assert!(
            sql.contains(
                "ORDER BY `audit_events`.`occurred_at` ASC, `audit_events`.`id` ASC LIMIT ?"
            ),
            "{sql}"
        );
    }
}
