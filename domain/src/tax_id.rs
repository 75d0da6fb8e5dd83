//! A tax identification number (VAT id, NIP, EIN …) as printed on invoices.
//! Formats differ by country, so only the shape is checked: short, and made of
//! the characters such numbers are written with.

use std::fmt;
use thiserror::Error;

pub const MAX_LEN: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxId(String);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("tax_id must be 1 to 32 characters: letters, digits, spaces, hyphens, dots or slashes, with at least one letter or digit")]
pub struct InvalidTaxId;

impl TaxId {
    /// Trims surrounding spaces; refuses anything else a tax number never holds.
    pub fn parse(raw: &str) -> Result<Self, InvalidTaxId> {
        // Counted before trimming too, as the contract's maxLength counts the raw text.
        if raw.chars().count() > MAX_LEN {
            return Err(InvalidTaxId);
        }
        let value = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/');
        if value.is_empty()
            || value.chars().count() > MAX_LEN
            || !value.chars().all(allowed)
            || !value.chars().any(|c| c.is_ascii_alphanumeric())
        {
            return Err(InvalidTaxId);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_formats_are_accepted() {
        for ok in [
            "PL 526-000-12-46",
            "5260001246",
            "DE123456789",
            "GB 123 4567 89",
            "12-3456789",
            "FR.12/345",
            "X",
        ] {
            assert_eq!(TaxId::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(TaxId::parse("  PL123  ").unwrap().as_str(), "PL123");
        assert!(TaxId::parse(&"1".repeat(32)).is_ok());
    }

    #[test]
    fn empty_long_and_odd_characters_are_refused() {
        for bad in [
            "",
            "   ",
            "---",
            "./ -",
            "PL_123",
            "=1+2",
            "123\n456",
            "ŁÓDŹ1",
            "12\u{202e}34",
        ] {
            assert_eq!(TaxId::parse(bad), Err(InvalidTaxId), "{bad:?}");
        }
        assert_eq!(TaxId::parse(&"1".repeat(33)), Err(InvalidTaxId));
        assert_eq!(
            TaxId::parse(&format!("  {}", "1".repeat(31))),
            Err(InvalidTaxId)
        );
    }
}
