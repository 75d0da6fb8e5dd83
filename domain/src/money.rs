//! Money as integer minor units plus an ISO 4217 currency. No floats, ever.

use std::fmt;
use thiserror::Error;

/// An ISO 4217 alphabetic currency code (three upper-case ASCII letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("a currency is three upper-case letters (ISO 4217), got {0:?}")]
pub struct InvalidCurrency(pub String);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, InvalidCurrency> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(InvalidCurrency(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point (ISO 4217): 0 for JPY and KRW, 3 for BHD,
    /// JOD, KWD, OMR and TND, 2 for the rest.
    pub fn minor_units(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units (cents for USD) of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    amount: i64,
    currency: Currency,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    pub const fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    pub const fn amount(&self) -> i64 {
        self.amount
    }

    pub const fn currency(&self) -> Currency {
        self.currency
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        self.amount
            .checked_mul(factor)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn negate(self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// The amount in major units as exact decimal text: 1250 USD → "12.50", −5 USD → "-0.05".
    pub fn to_decimal(&self) -> String {
        let digits = self.currency.minor_units();
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(digits);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_accepts_only_three_upper_case_letters() {
        assert!(Currency::parse("USD").is_ok());
        for bad in ["usd", "US", "USDD", "U$D", ""] {
            assert_eq!(Currency::parse(bad), Err(InvalidCurrency(bad.to_owned())));
        }
    }

    #[test]
    fn adding_different_currencies_is_refused() {
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let err = Money::new(1, usd)
            .checked_add(Money::new(1, eur))
            .unwrap_err();
        assert_eq!(err, MoneyError::CurrencyMismatch(usd, eur));
    }

    #[test]
    fn decimals_follow_the_currency() {
        let m = |a: i64, c: &str| Money::new(a, Currency::parse(c).unwrap()).to_decimal();
        assert_eq!(m(1250, "USD"), "12.50");
        assert_eq!(m(-5, "USD"), "-0.05");
        assert_eq!(m(0, "EUR"), "0.00");
        assert_eq!(m(1250, "JPY"), "1250");
        assert_eq!(m(1250, "KWD"), "1.250");
        assert_eq!(m(i64::MIN, "USD"), "-92233720368547758.08");
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(
            Money::new(i64::MAX, usd).checked_mul(2),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::new(i64::MAX, usd).checked_add(Money::new(1, usd)),
            Err(MoneyError::Overflow)
        );
    }
}
