//! Reading invoices: by period (presets computed in UTC), profile or subscription.

use crate::error::{Error, Invalid};
use crate::page::Page;
use crate::Actor;
use crate::Services;
use chrono::{Months, NaiveDate};
use domain::InvoiceId;
use persistence::repos::invoices::{self as repo, Filter};
use persistence::rows::{InvoiceLineRow, InvoiceRow};
use persistence::DbConnection;
use std::collections::HashMap;

/// The issue-date window of a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Last3Months,
    Last6Months,
    Custom,
}

/// Inclusive [from, to] in UTC dates. Presets end today and start the same day
/// 3 (or 6) months earlier; custom ranges are at most 24 months long.
pub fn window(
    period: Option<Period>,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Error> {
    let parse = |parameter: &'static str, raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| Invalid::DateRange {
            parameter,
            detail: format!("`{parameter}` must be a date like 2026-01-31"),
        })
    };
    let months_back = |n: u32| {
        today
            .checked_sub_months(Months::new(n))
            .unwrap_or(NaiveDate::MIN)
    };
    match period.unwrap_or(Period::Last3Months) {
        preset @ (Period::Last3Months | Period::Last6Months) => {
            if let Some(parameter) = from.map(|_| "from").or(to.map(|_| "to")) {
                return Err(Error::from(Invalid::DateRange {
                    parameter,
                    detail: format!("`{parameter}` is only allowed with period=custom"),
                }));
            }
            let n = if preset == Period::Last3Months { 3 } else { 6 };
            Ok((months_back(n), today))
        }
        Period::Custom => {
            let from = parse(
                "from",
                from.ok_or(Invalid::DateRange {
                    parameter: "from",
                    detail: "period=custom needs `from` and `to`".to_owned(),
                })?,
            )?;
            let to = parse(
                "to",
                to.ok_or(Invalid::DateRange {
                    parameter: "to",
                    detail: "period=custom needs `from` and `to`".to_owned(),
                })?,
            )?;
            if from > to {
                return Err(Error::from(Invalid::DateRange {
                    parameter: "from",
                    detail: "`from` must not be after `to`".to_owned(),
                }));
            }
            if from
                .checked_add_months(Months::new(24))
                .is_some_and(|limit| to > limit)
            {
                return Err(Error::from(Invalid::DateRange {
                    parameter: "to",
                    detail: "a custom range is at most 24 months".to_owned(),
                }));
            }
            Ok((from, to))
        }
    }
}

pub struct Invoice {
    pub row: InvoiceRow,
    pub lines: Vec<InvoiceLineRow>,
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    filter: Filter,
    page: Page<(NaiveDate, i64)>,
) -> Result<(Vec<Invoice>, Option<String>), Error> {
    let (org, owner, limit, before) = (
        caller.organization_id,
        caller.user_id,
        page.fetch_limit(),
        page.after,
    );
    // The page and its lines in one trip to the database.
    services
        .db
        .read(move |conn| {
            let rows = repo::list(conn, org, owner, &filter, before, limit)?;
            let (rows, next) = page.finish(rows, |r| (r.issue_date, r.number));
            Ok((with_lines(conn, rows)?, next))
        })
        .await
}

pub async fn get(services: &Services, caller: &Actor, id: InvoiceId) -> Result<Invoice, Error> {
    let (org, owner) = (caller.organization_id, caller.user_id);
    services
        .db
        .read(move |conn| {
            let row = repo::find_owned(conn, org, owner, id)?.ok_or(Error::NotFound("invoice"))?;
            with_lines(conn, vec![row])?
                .pop()
                .ok_or_else(|| Error::internal("invoice lost"))
        })
        .await
}

fn with_lines(conn: &mut DbConnection, rows: Vec<InvoiceRow>) -> Result<Vec<Invoice>, Error> {
    let ids: Vec<InvoiceId> = rows.iter().map(|r| r.id).collect();
    let lines = repo::lines(conn, &ids)?;
    let mut by_invoice: HashMap<InvoiceId, Vec<InvoiceLineRow>> = HashMap::new();
    for line in lines {
        by_invoice.entry(line.invoice_id).or_default().push(line);
    }
    Ok(rows
        .into_iter()
        .map(|row| Invoice {
            lines: by_invoice.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn presets_and_custom_ranges() {
        let today = d("2026-11-23");
        assert_eq!(
            window(None, None, None, today).unwrap(),
            (d("2026-08-23"), today)
        );
        assert_eq!(
            window(Some(Period::Last6Months), None, None, today).unwrap(),
            (d("2026-05-23"), today)
        );
        assert_eq!(
            window(
                Some(Period::Custom),
                Some("2026-01-01"),
                Some("2026-01-01"),
                today
            )
            .unwrap(),
            (d("2026-01-01"), d("2026-01-01"))
        );
        for (period, from, to, parameter) in [
            (
                Some(Period::Custom),
                Some("2026-02-01"),
                Some("2026-01-01"),
                "from",
            ),
            (
                Some(Period::Custom),
                Some("2026-02-30"),
                Some("2026-03-01"),
                "from",
            ),
            (Some(Period::Custom), None, Some("2026-03-01"), "from"),
            (
                Some(Period::Custom),
                Some("2020-01-01"),
                Some("2022-01-02"),
                "to",
            ),
            (None, Some("2026-01-01"), None, "from"),
        ] {
            match window(period, from, to, today) {
                Err(Error::Invalid(Invalid::DateRange { parameter: p, .. })) => {
                    assert_eq!(p, parameter)
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(window(
            Some(Period::Custom),
            Some("2020-01-01"),
            Some("2022-01-01"),
            today
        )
        .is_ok());
    }
}
