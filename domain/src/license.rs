//! How many licenses a subscription holds.

use thiserror::Error;

/// A subscription's total license count: at least 1 and at most the limit it
/// was parsed against (the product's max licenses, or the trial's max).
///
/// Zero licenses is not a subscription: it is a cancellation, which has its
/// own rules, so a count of 0 cannot be constructed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LicenseCount(u32);

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum LicenseCountError {
    #[error("license_count must be at least 1")]
    TooFew,
    #[error("license_count must be at most {max}")]
    TooMany { max: u32 },
}

impl LicenseCount {
    /// Parses a count as the client sent it. `n` is an `i64` so that a
    /// negative or huge JSON number is answered with the rule it breaks, not
    /// with a deserialisation error.
    pub fn parse(n: i64, max: u32) -> Result<Self, LicenseCountError> {
        if n < 1 {
            return Err(LicenseCountError::TooFew);
        }
        match u32::try_from(n) {
            Ok(count) if count <= max => Ok(Self(count)),
            _ => Err(LicenseCountError::TooMany { max }),
        }
    }

    pub fn get(&self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_zero_one_max_and_max_plus_one() {
        let max = 300;
        assert_eq!(LicenseCount::parse(0, max), Err(LicenseCountError::TooFew));
        assert_eq!(LicenseCount::parse(1, max).unwrap().get(), 1);
        assert_eq!(LicenseCount::parse(300, max).unwrap().get(), 300);
        assert_eq!(
            LicenseCount::parse(301, max),
            Err(LicenseCountError::TooMany { max })
        );
    }

    #[test]
    fn negative_and_huge_numbers_name_the_broken_rule() {
        assert_eq!(LicenseCount::parse(-5, 10), Err(LicenseCountError::TooFew));
        assert_eq!(
            LicenseCount::parse(i64::MIN, 10),
            Err(LicenseCountError::TooFew)
        );
        assert_eq!(
            LicenseCount::parse(i64::MAX, 10),
            Err(LicenseCountError::TooMany { max: 10 })
        );
        assert_eq!(
            LicenseCount::parse(i64::from(u32::MAX) + 1, u32::MAX),
            Err(LicenseCountError::TooMany { max: u32::MAX })
        );
    }

    #[test]
    fn counts_order_by_value() {
        let two = LicenseCount::parse(2, 10).unwrap();
        let five = LicenseCount::parse(5, 10).unwrap();
        assert!(two < five);
    }
}
