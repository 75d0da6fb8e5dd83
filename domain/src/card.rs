//! Payment cards. The full number and the security code exist only in these
//! types, only for the length of a request: they cannot be printed, logged or
//! serialised, and nothing but brand, last four, expiry and a keyed
//! fingerprint ever leaves them.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use thiserror::Error;

mod expiring;
pub use expiring::EXPIRY_NOTICE_DAYS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
}

impl CardBrand {
    pub fn as_str(&self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "visa" => Some(CardBrand::Visa),
            "mastercard" => Some(CardBrand::Mastercard),
            "amex" => Some(CardBrand::Amex),
            "discover" => Some(CardBrand::Discover),
            _ => None,
        }
    }

    /// American Express uses a 4-digit security code, the others 3.
    pub fn cvc_length(&self) -> usize {
        match self {
            CardBrand::Amex => 4,
            _ => 3,
        }
    }

    fn detect(digits: &str) -> Option<Self> {
        let prefix = |n: usize| {
            digits
                .get(..n)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        };
        let len = digits.len();
        if digits.starts_with('4') && matches!(len, 13 | 16 | 19) {
            Some(CardBrand::Visa)
        } else if ((51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)))
            && len == 16
        {
            Some(CardBrand::Mastercard)
        } else if matches!(prefix(2), 34 | 37) && len == 15 {
            Some(CardBrand::Amex)
        } else if (prefix(4) == 6011
            || prefix(2) == 65
            || (644..=649).contains(&prefix(3))
            || (622_126..=622_925).contains(&prefix(6)))
            && (16..=19).contains(&len)
        {
            Some(CardBrand::Discover)
        } else {
            None
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum CardError {
    #[error("the card number is not a valid card number")]
    NumberInvalid,
    #[error(
        "cards of this brand are not accepted (Visa, Mastercard, American Express, Discover are)"
    )]
    BrandUnsupported,
    #[error("the card has expired")]
    Expired,
    #[error("the expiry month must be 1 to 12")]
    ExpiryInvalid,
    #[error("the expiry year must be a four-digit year at most 20 years ahead")]
    ExpiryYearInvalid,
    #[error("the security code must be 3 digits (4 for American Express)")]
    CvcInvalid,
    #[error("the holder name must be 1 to 100 visible characters, without control or bidirectional override characters")]
    HolderNameInvalid,
}

impl CardError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            CardError::NumberInvalid | CardError::BrandUnsupported => "card.number",
            CardError::Expired | CardError::ExpiryInvalid => "card.exp_month",
            CardError::ExpiryYearInvalid => "card.exp_year",
            CardError::CvcInvalid => "card.cvc",
            CardError::HolderNameInvalid => "card.holder_name",
        }
    }
}

/// A Luhn-valid card number of a supported brand. Never printable.
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CardNumber({} ****{})",
            self.brand.as_str(),
            self.last4()
        )
    }
}

impl CardNumber {
    /// Accepts digits with optional spaces or dashes between them.
    pub fn parse(raw: &str) -> Result<Self, CardError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(12..=19).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !luhn(&digits)
        {
            return Err(CardError::NumberInvalid);
        }
        let brand = CardBrand::detect(&digits).ok_or(CardError::BrandUnsupported)?;
        Ok(Self { digits, brand })
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The digits, only to feed the keyed fingerprint (HMAC); never store or log them.
    pub fn digits_for_fingerprint(&self) -> &[u8] {
        self.digits.as_bytes()
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A security code checked against the brand's length. Never printable, never kept.
pub struct Cvc(());

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(***)")
    }
}

impl Cvc {
    /// Checks the code and keeps nothing of it: the type only proves it was valid.
    pub fn check(raw: &str, brand: CardBrand) -> Result<Self, CardError> {
        if raw.len() == brand.cvc_length() && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Cvc(()))
        } else {
            Err(CardError::CvcInvalid)
        }
    }
}

/// Card expiry (month, year); valid through the last day of that month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardExpiry {
    month: u32,
    year: i32,
}

impl CardExpiry {
    pub fn parse(month: i64, year: i64, today: NaiveDate) -> Result<Self, CardError> {
        let max_year = i64::from(today.year()) + 20;
        if !(1..=12).contains(&month) {
            return Err(CardError::ExpiryInvalid);
        }
        if !(2000..=max_year).contains(&year) {
            return Err(CardError::ExpiryYearInvalid);
        }
        let expiry = Self {
            month: month as u32,
            year: year as i32,
        };
        if expiry.is_expired(today) {
            return Err(CardError::Expired);
        }
        Ok(expiry)
    }

    /// An expiry read back from storage: only the month is checked, because a
    /// stored card may have expired since it was added (see [`Self::is_expired`]).
    pub fn stored(month: i64, year: i64) -> Result<Self, CardError> {
        let month = u32::try_from(month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or(CardError::ExpiryInvalid)?;
        let year = i32::try_from(year).map_err(|_| CardError::ExpiryYearInvalid)?;
        Ok(Self { month, year })
    }

    /// A card is valid through the last day of its expiry month, so it is
    /// expired on `on` only once `on` falls in a later month.
    pub fn is_expired(&self, on: NaiveDate) -> bool {
        (self.year, self.month) < (on.year(), on.month())
    }

    pub fn month(&self) -> u32 {
        self.month
    }

    pub fn year(&self) -> i32 {
        self.year
    }
}

pub fn parse_holder_name(raw: &str) -> Result<String, CardError> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > 100 || crate::text::check(name, crate::text::Lines::Single).is_err() {
        return Err(CardError::HolderNameInvalid);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn test_numbers_of_each_brand() {
        for (number, brand) in [
            ("4242 4242 4242 4242", CardBrand::Visa),
            ("4111-1111-1111-1111", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
        ] {
            let card = CardNumber::parse(number).unwrap();
            assert_eq!(card.brand(), brand, "{number}");
        }
        assert_eq!(
            CardNumber::parse("4242424242424242").unwrap().last4(),
            "4242"
        );
    }

    #[test]
    fn luhn_and_shape_failures() {
        assert_eq!(
            CardNumber::parse("4242424242424241").unwrap_err(),
            CardError::NumberInvalid
        );
        assert_eq!(
            CardNumber::parse("42424242424242a2").unwrap_err(),
            CardError::NumberInvalid
        );
        assert_eq!(
            CardNumber::parse("4242").unwrap_err(),
            CardError::NumberInvalid
        );
        // Luhn-valid, but a brand we do not accept (JCB).
        assert_eq!(
            CardNumber::parse("3530111333300000").unwrap_err(),
            CardError::BrandUnsupported
        );
    }

    #[test]
    fn debug_never_shows_the_number() {
        let card = CardNumber::parse("4242424242424242").unwrap();
        let shown = format!("{card:?}");
        assert!(!shown.contains("42424242"));
        assert!(shown.contains("****4242"));
        let cvc = Cvc::check("123", CardBrand::Visa).unwrap();
        assert!(!format!("{cvc:?}").contains("123"));
    }

    #[test]
    fn cvc_length_depends_on_brand() {
        assert!(Cvc::check("123", CardBrand::Visa).is_ok());
        assert!(Cvc::check("1234", CardBrand::Visa).is_err());
        assert!(Cvc::check("1234", CardBrand::Amex).is_ok());
        assert!(Cvc::check("123", CardBrand::Amex).is_err());
        assert!(Cvc::check("12a", CardBrand::Visa).is_err());
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        assert!(CardExpiry::parse(11, 2026, today()).is_ok());
        assert_eq!(
            CardExpiry::parse(10, 2026, today()).unwrap_err(),
            CardError::Expired
        );
        assert_eq!(
            CardExpiry::parse(13, 2027, today()).unwrap_err(),
            CardError::ExpiryInvalid
        );
        assert_eq!(
            CardExpiry::parse(1, 2047, today()).unwrap_err(),
            CardError::ExpiryYearInvalid
        );
        assert!(CardExpiry::parse(1, 2046, today()).is_ok());
    }

    #[test]
    fn a_stored_card_expires_after_its_last_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let card = CardExpiry::stored(11, 2026).unwrap();
        assert!(!card.is_expired(d(2026, 11, 1)));
        assert!(!card.is_expired(d(2026, 11, 30)), "valid through the month");
        assert!(card.is_expired(d(2026, 12, 1)));
        assert!(card.is_expired(d(2027, 1, 15)));
        assert!(!card.is_expired(d(2025, 12, 31)));
        // December rolls into the next year.
        let december = CardExpiry::stored(12, 2026).unwrap();
        assert!(!december.is_expired(d(2026, 12, 31)));
        assert!(december.is_expired(d(2027, 1, 1)));
        // Stored cards may be past expiry; only a bad month is refused.
        assert!(CardExpiry::stored(1, 2001).is_ok());
        assert_eq!(CardExpiry::stored(0, 2030), Err(CardError::ExpiryInvalid));
        assert_eq!(CardExpiry::stored(13, 2030), Err(CardError::ExpiryInvalid));
    }
}
