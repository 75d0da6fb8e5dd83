//! Cards expiring soon (PRODUCT.md §8): a card's owner is told once when its
//! last valid day is at most [`EXPIRY_NOTICE_DAYS`] days away.

use super::CardExpiry;
use chrono::{Datelike, Days, NaiveDate};
use std::fmt;

/// How many days ahead a card's expiry is announced.
pub const EXPIRY_NOTICE_DAYS: u64 = 30;

impl CardExpiry {
    /// The last day the card can pay: the last day of its expiry month.
    pub fn last_valid_day(&self) -> NaiveDate {
        let first_of_next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year.saturating_add(1), 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        };
        first_of_next
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// Still valid on `today`, and not beyond `days` days from it.
    pub fn ends_within(&self, today: NaiveDate, days: u64) -> bool {
        let horizon = today
            .checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX);
        !self.is_expired(today) && self.last_valid_day() <= horizon
    }

    /// The expiry months (year, month) whose cards can end within `days` of
    /// `today`: the months from today's to the horizon's.
    pub fn months_ending_within(today: NaiveDate, days: u64) -> Vec<(i32, u32)> {
        let horizon = today
            .checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX);
        let mut months = Vec::new();
        let mut at = (today.year(), today.month());
        while at <= (horizon.year(), horizon.month()) {
            months.push(at);
            at = if at.1 == 12 {
                (at.0 + 1, 1)
            } else {
                (at.0, at.1 + 1)
            };
        }
        months
    }
}

/// `YYYY-MM`: how an announced expiry is remembered.
impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn card(month: i64, year: i64) -> CardExpiry {
        CardExpiry::stored(month, year).unwrap()
    }

    #[test]
    fn last_valid_day_is_the_end_of_the_month() {
        assert_eq!(card(2, 2028).last_valid_day(), d("2028-02-29"));
        assert_eq!(card(12, 2027).last_valid_day(), d("2027-12-31"));
        assert_eq!(card(4, 2027).to_string(), "2027-04");
    }

    #[test]
    fn within_30_days_of_the_last_valid_day() {
        // Ends 2027-04-30: announced from 2027-03-31 on, until it has expired.
        let april = card(4, 2027);
        assert!(!april.ends_within(d("2027-03-30"), EXPIRY_NOTICE_DAYS));
        assert!(april.ends_within(d("2027-03-31"), EXPIRY_NOTICE_DAYS));
        assert!(april.ends_within(d("2027-04-30"), EXPIRY_NOTICE_DAYS));
        assert!(!april.ends_within(d("2027-05-01"), EXPIRY_NOTICE_DAYS));
    }

    #[test]
    fn the_months_to_look_at() {
        assert_eq!(
            CardExpiry::months_ending_within(d("2027-12-15"), EXPIRY_NOTICE_DAYS),
            vec![(2027, 12), (2028, 1)]
        );
        assert_eq!(
            CardExpiry::months_ending_within(d("2027-03-01"), EXPIRY_NOTICE_DAYS),
            vec![(2027, 3)]
        );
    }
}
