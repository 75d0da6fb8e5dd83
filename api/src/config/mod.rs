//! Configuration: environment variables over an optional `selfserve.toml`
//! with the same keys, merged by figment (`sources.rs`). Every bad value
//! stops the start with one line naming the key. Secrets are `SecretString`s,
//! so `Debug` of the settings prints `[REDACTED]` in their place.

mod billing;
mod database;
mod edge;
mod jwt;
mod mail;
mod server;
mod sources;
mod webhooks;

pub use edge::EdgeSettings;
pub use jwt::JwtSettings;
pub use mail::MailSettings;
pub use server::{Cloud, LogFormat};
pub use sources::Sources;
pub use webhooks::WebhookSettings;

use persistence::{DatabaseUrl, PoolOptions};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// Every key the service reads, in the environment and in the file.
pub const KEYS: &[&str] = &[
    "SELFSERVE_BIND",
    "DATABASE_URL",
    "SELFSERVE_DATA_DIR",
    "SELFSERVE_JWT_SECRET",
    "SELFSERVE_JWT_ISSUER",
    "SELFSERVE_JWT_AUDIENCE",
    "SELFSERVE_JWT_PUBLIC_KEYS",
    "SELFSERVE_JWT_JWKS_URL",
    "SELFSERVE_CATALOG",
    "SELFSERVE_CLOUD",
    "SELFSERVE_PORTAL_URL",
    "SELFSERVE_CARD_FINGERPRINT_KEY",
    "SELFSERVE_BILLING_INTERVAL_SECS",
    "SELFSERVE_TAX_RATE_BPS",
    "SELFSERVE_DB_POOL_SIZE",
    "SELFSERVE_DB_TIMEOUT_MS",
    "SELFSERVE_WORKERS",
    "SELFSERVE_READ_CACHE",
    "SELFSERVE_LOG_FORMAT",
    "SELFSERVE_CORS_ORIGINS",
    "SELFSERVE_METRICS_BIND",
    "SELFSERVE_RATE_LIMIT_WRITES",
    "SELFSERVE_RATE_LIMIT_READS",
    "SELFSERVE_WEBHOOK_ALLOW_PRIVATE",
    "SELFSERVE_WEBHOOK_RETRY_BASE_SECS",
    "SELFSERVE_SMTP_URL",
    "SELFSERVE_MAIL_FROM",
];

#[derive(Debug, Error, PartialEq, Eq)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

pub(crate) fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: DatabaseUrl,
    /// Where generated secrets (and the default SQLite file) live.
    pub data_dir: PathBuf,
    pub jwt: JwtSettings,
    pub catalog: PathBuf,
    pub cloud: Cloud,
    pub portal_url: String,
    /// Keys card fingerprints and request hashes; generated into `data_dir` when unset.
    pub card_fingerprint_key: Option<SecretString>,
    /// How often the server's billing run wakes up; 0 disables it.
    pub billing_interval: Duration,
    /// Tax on invoices, in basis points of the subtotal (825 = 8.25 %).
    pub tax_rate_bps: u32,
    pub pool: PoolOptions,
    pub workers: Option<usize>,
    /// Keep answers to repeated reads while the database is unchanged (SQLite only; `api::read_cache`).
    pub read_cache: bool,
    pub log_format: LogFormat,
    pub edge: EdgeSettings,
    pub webhooks: WebhookSettings,
    pub mail: MailSettings,
}

impl Settings {
    /// Each group parses its own keys, in the order `KEYS` lists them; the
    /// first bad value stops with its one-line error.
    pub fn from_sources(s: &Sources) -> Result<Self, ConfigError> {
        let bind = server::bind(s)?;
        let (database, data_dir) = database::location(s)?;
        let jwt = jwt::settings(s)?;
        let (cloud, portal_url) = server::deployment(s)?;
        let card_fingerprint_key = billing::card_fingerprint_key(s)?;
        let (billing_interval, tax_rate_bps) = billing::run(s)?;
        let pool = database::pool(s)?;
        let workers = server::workers(s)?;
        let read_cache = server::read_cache(s)?;
        let log_format = server::log_format(s)?;
        Ok(Settings {
            bind,
            database,
            data_dir,
            jwt,
            catalog: PathBuf::from(s.get("SELFSERVE_CATALOG").unwrap_or("catalog.toml")),
            cloud,
            portal_url,
            card_fingerprint_key,
            billing_interval,
            tax_rate_bps,
            pool,
            workers,
            read_cache,
            log_format,
            edge: edge::settings(s)?,
            webhooks: webhooks::settings(s)?,
            mail: mail::settings(s)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_sources(&Sources::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults_are_local_sqlite() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database, DatabaseUrl::Sqlite("data/selfserve.db".into()));
        assert_eq!(s.data_dir, PathBuf::from("data"));
        assert_eq!(s.cloud, Cloud::Global);
        assert_eq!(s.jwt.issuer, "selfserve");
        assert_eq!(s.jwt.audience, "selfserve-api");
        assert!(s.jwt.secret.is_none());
        assert!(s.card_fingerprint_key.is_none());
    }

    #[test]
    fn bad_values_name_their_key() {
        for (key, value) in [
            ("SELFSERVE_BIND", "nowhere"),
            ("DATABASE_URL", "mysql://x/y"),
            ("SELFSERVE_CLOUD", "mars"),
            ("SELFSERVE_PORTAL_URL", "portal.example.com"),
            ("SELFSERVE_JWT_SECRET", "short"),
            ("SELFSERVE_CARD_FINGERPRINT_KEY", "short"),
            ("SELFSERVE_JWT_PUBLIC_KEYS", "/nonexistent/keys.pem"),
            ("SELFSERVE_DB_POOL_SIZE", "0"),
            ("SELFSERVE_DB_TIMEOUT_MS", "5"),
            ("SELFSERVE_TAX_RATE_BPS", "10001"),
            ("SELFSERVE_BILLING_INTERVAL_SECS", "-1"),
            ("SELFSERVE_WORKERS", "0"),
            ("SELFSERVE_LOG_FORMAT", "xml"),
            ("SELFSERVE_CORS_ORIGINS", "https://app.example.com/"),
            ("SELFSERVE_CORS_ORIGINS", "*"),
            ("SELFSERVE_METRICS_BIND", "everywhere"),
            ("SELFSERVE_RATE_LIMIT_WRITES", "20/h"),
            ("SELFSERVE_RATE_LIMIT_READS", "0/s"),
            ("SELFSERVE_JWT_JWKS_URL", "http://idp.example.com/keys"),
            ("SELFSERVE_JWT_JWKS_URL", "http://10.0.0.1/keys"),
            ("SELFSERVE_JWT_JWKS_URL", "ftp://idp.example.com/keys"),
            ("SELFSERVE_JWT_JWKS_URL", "not a url"),
        ] {
            let e = settings(&[(key, value)]).unwrap_err();
            assert_eq!(e.key, key);
            assert!(e
                .to_string()
                .starts_with(&format!("configuration error: {key}:")));
            assert_eq!(e.to_string().lines().count(), 1, "{e}");
        }
    }

    #[test]
    fn the_messages_are_the_ones_operators_know() {
        for (key, value, message) in [
            (
                "SELFSERVE_BIND",
                "nowhere",
                "\"nowhere\" is not an address like 127.0.0.1:8080",
            ),
            (
                "SELFSERVE_JWT_SECRET",
                "short",
                "must be at least 32 characters",
            ),
            (
                "SELFSERVE_DB_POOL_SIZE",
                "0",
                "\"0\" is not a valid number here",
            ),
            (
                "SELFSERVE_CLOUD",
                "mars",
                "\"mars\" must be `global` or `china`",
            ),
            ("SELFSERVE_PORTAL_URL", "ftp://x", "must be an http(s) URL"),
        ] {
            let e = settings(&[(key, value)]).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("configuration error: {key}: {message}")
            );
        }
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let jwt = "jwt-secret-jwt-secret-jwt-secret-0123456789";
        let card = "card-key-card-key-card-key-card-key-0123456789";
        let s = settings(&[
            ("SELFSERVE_JWT_SECRET", jwt),
            ("SELFSERVE_CARD_FINGERPRINT_KEY", card),
        ])
        .unwrap();
        for printed in [format!("{s:?}"), format!("{s:#?}"), format!("{:?}", s.jwt)] {
            assert!(!printed.contains(jwt), "{printed}");
            assert!(!printed.contains(card), "{printed}");
            // No long piece of either secret either.
            assert!(!printed.contains(&jwt[..12]) && !printed.contains(&card[..12]));
            assert!(printed.contains("[REDACTED]"), "{printed}");
        }
        use secrecy::ExposeSecret;
        assert_eq!(s.jwt.secret.as_ref().unwrap().expose_secret(), jwt);
        assert_eq!(s.card_fingerprint_key.unwrap().expose_secret(), card);
    }

    #[test]
    fn blank_values_count_as_unset() {
        let s = settings(&[("SELFSERVE_BIND", "  "), ("SELFSERVE_JWT_SECRET", "")]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.jwt.secret.is_none());
    }
}
