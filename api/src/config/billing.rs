//! Billing: the run's interval, the tax rate, and the key behind card
//! fingerprints and request hashes.

use super::{err, ConfigError, Sources};
use secrecy::SecretString;
use std::time::Duration;

/// Shorter keys would make the keyed hashes guessable.
const MIN_KEY_LEN: usize = 32;

pub(super) fn card_fingerprint_key(s: &Sources) -> Result<Option<SecretString>, ConfigError> {
    match s.get("SELFSERVE_CARD_FINGERPRINT_KEY") {
        Some(key) if key.len() < MIN_KEY_LEN => Err(err(
            "SELFSERVE_CARD_FINGERPRINT_KEY",
            "must be at least 32 characters",
        )),
        Some(key) => Ok(Some(SecretString::from(key))),
        None => Ok(None),
    }
}

/// How often the billing run wakes up, and the tax it charges in basis points.
pub(super) fn run(s: &Sources) -> Result<(Duration, u32), ConfigError> {
    let interval =
        Duration::from_secs(s.parse_number("SELFSERVE_BILLING_INTERVAL_SECS", 3600u64, |_| true)?);
    let tax_rate_bps = s.parse_number("SELFSERVE_TAX_RATE_BPS", 0u32, |n| *n <= 10_000)?;
    Ok((interval, tax_rate_bps))
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    #[test]
    fn defaults_and_values() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.billing_interval, Duration::from_secs(3600));
        assert_eq!(s.tax_rate_bps, 0);
        let s = settings(&[
            ("SELFSERVE_BILLING_INTERVAL_SECS", "0"),
            ("SELFSERVE_TAX_RATE_BPS", "825"),
        ])
        .unwrap();
        assert_eq!(s.billing_interval, Duration::ZERO);
        assert_eq!(s.tax_rate_bps, 825);
    }
}
