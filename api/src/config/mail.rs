//! E-mail (PRODUCT.md §8): where invoices and notifications are sent from,
//! and through which SMTP server. Without `SELFSERVE_SMTP_URL` nothing is
//! mailed.

use super::{err, ConfigError, Sources};
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::Tokio1Executor;
use secrecy::{ExposeSecret, SecretString};

#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://host:port` or `smtps://user:pass@host:port`; it may hold a
    /// password, so it is a secret.
    pub smtp_url: Option<SecretString>,
    pub from: Mailbox,
}

pub(super) fn settings(s: &Sources) -> Result<MailSettings, ConfigError> {
    let smtp_url = match s.get("SELFSERVE_SMTP_URL") {
        None => None,
        Some(url) => {
            // Parsed here so a typo stops the start, not the first invoice.
            let ok = (url.starts_with("smtp://") || url.starts_with("smtps://"))
                && AsyncSmtpTransport::<Tokio1Executor>::from_url(url).is_ok();
            if !ok {
                return Err(err(
                    "SELFSERVE_SMTP_URL",
                    "must look like smtp://host:port or smtps://user:pass@host:port",
                ));
            }
            Some(SecretString::from(url))
        }
    };
    let from = s
        .get("SELFSERVE_MAIL_FROM")
        .unwrap_or("selfserve@localhost")
        .parse::<Mailbox>()
        .map_err(|_| err("SELFSERVE_MAIL_FROM", "must be an e-mail address"))?;
    Ok(MailSettings { smtp_url, from })
}

impl MailSettings {
    pub fn smtp_url(&self) -> Option<&str> {
        self.smtp_url.as_ref().map(|u| u.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;

    #[test]
    fn off_by_default_from_localhost() {
        let s = settings(&[]).unwrap();
        assert!(s.mail.smtp_url().is_none());
        assert_eq!(s.mail.from.email.to_string(), "selfserve@localhost");
    }

    #[test]
    fn urls_and_senders() {
        let s = settings(&[
            ("SELFSERVE_SMTP_URL", "smtps://u:p@mail.example.com:465"),
            ("SELFSERVE_MAIL_FROM", "Billing <billing@example.com>"),
        ])
        .unwrap();
        assert_eq!(s.mail.smtp_url(), Some("smtps://u:p@mail.example.com:465"));
        assert_eq!(s.mail.from.email.to_string(), "billing@example.com");
        // The password never reaches a log line through Debug.
        assert!(!format!("{:?}", s.mail).contains("u:p@"));
        for (key, value) in [
            ("SELFSERVE_SMTP_URL", "http://mail.example.com"),
            ("SELFSERVE_SMTP_URL", "mail.example.com:25"),
            ("SELFSERVE_MAIL_FROM", "not an address"),
        ] {
            assert_eq!(settings(&[(key, value)]).unwrap_err().key, key);
        }
    }
}
