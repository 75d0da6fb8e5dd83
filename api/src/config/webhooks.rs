//! Webhook delivery: whether private targets (and http://) are allowed, and
//! the base of the retry backoff.

use super::{ConfigError, Sources};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `SELFSERVE_WEBHOOK_ALLOW_PRIVATE`: tests and internal networks only.
    pub allow_private: bool,
    /// `SELFSERVE_WEBHOOK_RETRY_BASE_SECS` (default 30; 0 retries at the next tick).
    pub retry_base_secs: u32,
}

pub(super) fn settings(s: &Sources) -> Result<WebhookSettings, ConfigError> {
    let allow_private =
        s.parse_switch("SELFSERVE_WEBHOOK_ALLOW_PRIVATE", false, ["true", "false"])?;
    let retry_base_secs =
        s.parse_number("SELFSERVE_WEBHOOK_RETRY_BASE_SECS", 30u32, |n| *n <= 86_400)?;
    Ok(WebhookSettings {
        allow_private,
        retry_base_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;

    #[test]
    fn defaults_and_values() {
        let s = settings(&[]).unwrap();
        assert!(!s.webhooks.allow_private);
        assert_eq!(s.webhooks.retry_base_secs, 30);
        let s = settings(&[
            ("SELFSERVE_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("SELFSERVE_WEBHOOK_RETRY_BASE_SECS", "0"),
        ])
        .unwrap();
        assert!(s.webhooks.allow_private);
        assert_eq!(s.webhooks.retry_base_secs, 0);
        for (key, value) in [
            ("SELFSERVE_WEBHOOK_ALLOW_PRIVATE", "yes"),
            ("SELFSERVE_WEBHOOK_RETRY_BASE_SECS", "-1"),
            ("SELFSERVE_WEBHOOK_RETRY_BASE_SECS", "86401"),
        ] {
            assert_eq!(settings(&[(key, value)]).unwrap_err().key, key);
        }
    }
}
