//! Configuration: environment variables over an optional `selfserve.toml`
//! with the same keys. Every bad value stops the start with one line naming
//! the key.

use persistence::{DatabaseUrl, PoolOptions};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
    "SELFSERVE_LOG_FORMAT",
    "SELFSERVE_CORS_ORIGINS",
    "SELFSERVE_METRICS_BIND",
    "SELFSERVE_RATE_LIMIT_WRITES",
    "SELFSERVE_RATE_LIMIT_READS",
];

#[derive(Debug, Error, PartialEq, Eq)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// Which sovereign cloud this deployment belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    Global,
    China,
}

impl Cloud {
    pub fn as_str(&self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::China => "china",
        }
    }

    fn default_portal_url(&self) -> &'static str {
        match self {
            Cloud::Global => "https://portal.selfserve.example.com",
            Cloud::China => "https://portal.selfserve.example.cn",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct JwtSettings {
    pub secret: Option<String>,
    pub issuer: String,
    pub audience: String,
    pub public_keys: Option<PathBuf>,
    /// An identity provider's JWKS endpoint (https, or http on loopback).
    pub jwks_url: Option<String>,
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
    pub card_fingerprint_key: Option<String>,
    /// How often the server's billing run wakes up; 0 disables it.
    pub billing_interval: Duration,
    /// Tax on invoices, in basis points of the subtotal (825 = 8.25 %).
    pub tax_rate_bps: u32,
    pub pool: PoolOptions,
    pub workers: Option<usize>,
    pub log_format: LogFormat,
    pub edge: EdgeSettings,
}

/// What the edge of the service does for browsers, scrapers and busy callers.
#[derive(Clone, Debug)]
pub struct EdgeSettings {
    /// Exact origins (`https://app.example.com`) allowed to call from a browser; empty = no CORS.
    pub cors_origins: Vec<String>,
    /// The separate listener for Prometheus scrapes; `None` = no metrics listener.
    pub metrics_bind: Option<SocketAddr>,
    pub rate_limits: crate::middleware::rate_limit::Limits,
}

impl Default for EdgeSettings {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            metrics_bind: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            rate_limits: crate::middleware::rate_limit::Limits::default(),
        }
    }
}

fn edge_settings(s: &Sources) -> Result<EdgeSettings, ConfigError> {
    use crate::middleware::{cors, rate_limit::Rate};
    let mut edge = EdgeSettings::default();
    if let Some(raw) = s.get("SELFSERVE_CORS_ORIGINS") {
        edge.cors_origins =
            cors::parse_origins(raw).map_err(|m| err("SELFSERVE_CORS_ORIGINS", m))?;
    }
    match s.get("SELFSERVE_METRICS_BIND").map(str::trim) {
        None => {}
        Some("off") => edge.metrics_bind = None,
        Some(raw) => {
            edge.metrics_bind = Some(raw.parse::<SocketAddr>().map_err(|_| {
                err(
                    "SELFSERVE_METRICS_BIND",
                    format!("{raw:?} is not an address like 127.0.0.1:9464, or `off`"),
                )
            })?)
        }
    }
    if let Some(raw) = s.get("SELFSERVE_RATE_LIMIT_WRITES") {
        edge.rate_limits.writes =
            Rate::parse(raw).map_err(|m| err("SELFSERVE_RATE_LIMIT_WRITES", m))?;
    }
    if let Some(raw) = s.get("SELFSERVE_RATE_LIMIT_READS") {
        edge.rate_limits.reads =
            Rate::parse(raw).map_err(|m| err("SELFSERVE_RATE_LIMIT_READS", m))?;
    }
    Ok(edge)
}

/// Raw key/value pairs, before parsing.
#[derive(Default, Debug, Clone)]
pub struct Sources {
    values: BTreeMap<String, String>,
}

impl Sources {
    /// Reads the optional TOML file, then lets the environment override it.
    pub fn load(file: &Path, explicit: bool) -> Result<Self, ConfigError> {
        let mut sources = Sources::default();
        match std::fs::read_to_string(file) {
            Ok(text) => sources.merge_toml(&text, &file.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {}
            Err(e) => {
                return Err(err(
                    "--config",
                    format!("cannot read {}: {e}", file.display()),
                ))
            }
        }
        for key in KEYS {
            if let Ok(value) = std::env::var(key) {
                sources.values.insert((*key).to_owned(), value);
            }
        }
        Ok(sources)
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Sources {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    fn merge_toml(&mut self, text: &str, origin: &str) -> Result<(), ConfigError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            err(origin, format!("not valid TOML: {}", e.message()))
        })?;
        for (key, value) in table {
            if !KEYS.contains(&key.as_str()) {
                return Err(err(&key, format!("unknown key in {origin}")));
            }
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return Err(err(&key, "must be a string or a number")),
            };
            self.values.insert(key, text);
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn parse_number<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
        valid: impl Fn(&T) -> bool,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<T>()
                .ok()
                .filter(|v| valid(v))
                .ok_or_else(|| err(key, format!("{raw:?} is not a valid number here"))),
        }
    }
}

impl Settings {
    pub fn from_sources(s: &Sources) -> Result<Self, ConfigError> {
        let bind_raw = s.get("SELFSERVE_BIND").unwrap_or("127.0.0.1:8080");
        let bind = bind_raw.trim().parse::<SocketAddr>().map_err(|_| {
            err(
                "SELFSERVE_BIND",
                format!("{bind_raw:?} is not an address like 127.0.0.1:8080"),
            )
        })?;

        let data_dir_explicit = s.get("SELFSERVE_DATA_DIR").map(PathBuf::from);
        let database = match s.get("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(raw).map_err(|m| err("DATABASE_URL", m))?,
            None => DatabaseUrl::Sqlite(
                data_dir_explicit
                    .clone()
                    .unwrap_or_else(|| "data".into())
                    .join("selfserve.db"),
            ),
        };
        let data_dir = data_dir_explicit.unwrap_or_else(|| match &database {
            DatabaseUrl::Sqlite(path) => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| ".".into()),
            DatabaseUrl::Postgres(_) => "data".into(),
        });

        let secret = s.get("SELFSERVE_JWT_SECRET").map(str::to_owned);
        if let Some(secret) = &secret {
            if secret.len() < 32 {
                return Err(err(
                    "SELFSERVE_JWT_SECRET",
                    "must be at least 32 characters",
                ));
            }
        }
        let public_keys = s.get("SELFSERVE_JWT_PUBLIC_KEYS").map(PathBuf::from);
        if let Some(path) = &public_keys {
            if !path.is_file() {
                return Err(err(
                    "SELFSERVE_JWT_PUBLIC_KEYS",
                    format!("{} is not a readable file", path.display()),
                ));
            }
        }
        let jwt = JwtSettings {
            secret,
            issuer: s
                .get("SELFSERVE_JWT_ISSUER")
                .unwrap_or("selfserve")
                .to_owned(),
            audience: s
                .get("SELFSERVE_JWT_AUDIENCE")
                .unwrap_or("selfserve-api")
                .to_owned(),
            public_keys,
            jwks_url: s
                .get("SELFSERVE_JWT_JWKS_URL")
                .map(|raw| jwks_url(raw.trim()))
                .transpose()?,
        };

        let cloud = match s.get("SELFSERVE_CLOUD").unwrap_or("global") {
            "global" => Cloud::Global,
            "china" => Cloud::China,
            other => {
                return Err(err(
                    "SELFSERVE_CLOUD",
                    format!("{other:?} must be `global` or `china`"),
                ))
            }
        };
        let portal_url = s
            .get("SELFSERVE_PORTAL_URL")
            .unwrap_or(cloud.default_portal_url())
            .to_owned();
        if !(portal_url.starts_with("https://") || portal_url.starts_with("http://")) {
            return Err(err("SELFSERVE_PORTAL_URL", "must be an http(s) URL"));
        }

        let card_fingerprint_key = s.get("SELFSERVE_CARD_FINGERPRINT_KEY").map(str::to_owned);
        if matches!(&card_fingerprint_key, Some(k) if k.len() < 32) {
            return Err(err(
                "SELFSERVE_CARD_FINGERPRINT_KEY",
                "must be at least 32 characters",
            ));
        }

        let billing_interval = Duration::from_secs(s.parse_number(
            "SELFSERVE_BILLING_INTERVAL_SECS",
            3600u64,
            |_| true,
        )?);
        let tax_rate_bps = s.parse_number("SELFSERVE_TAX_RATE_BPS", 0u32, |n| *n <= 10_000)?;
        let pool = PoolOptions {
            max_size: s.parse_number(
                "SELFSERVE_DB_POOL_SIZE",
                PoolOptions::default().max_size,
                |n| (1..=256).contains(n),
            )?,
            checkout_timeout: Duration::from_millis(s.parse_number(
                "SELFSERVE_DB_TIMEOUT_MS",
                3000u64,
                |n| (10..=60_000).contains(n),
            )?),
        };
        let workers = match s.get("SELFSERVE_WORKERS") {
            None => None,
            Some(_) => {
                Some(s.parse_number("SELFSERVE_WORKERS", 1usize, |n| (1..=256).contains(n))?)
            }
        };
        let log_format = match s.get("SELFSERVE_LOG_FORMAT").unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(err(
                    "SELFSERVE_LOG_FORMAT",
                    format!("{other:?} must be `text` or `json`"),
                ))
            }
        };

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
            log_format,
            edge: edge_settings(s)?,
        })
    }
}

/// Keys must come over TLS; plain http only from this machine (tests, a
/// local identity provider), where nobody can tamper with them in transit.
fn jwks_url(raw: &str) -> Result<String, ConfigError> {
    const KEY: &str = "SELFSERVE_JWT_JWKS_URL";
    let url = url::Url::parse(raw).map_err(|e| err(KEY, format!("{raw:?} is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(err(
            KEY,
            format!("{raw:?} must use https (plain http only on 127.0.0.1, ::1 or localhost)"),
        )),
        _ => Err(err(KEY, format!("{raw:?} must be an https URL"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
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
    }

    #[test]
    fn bad_values_name_their_key() {
        for (key, value) in [
            ("SELFSERVE_BIND", "nowhere"),
            ("DATABASE_URL", "mysql://x/y"),
            ("SELFSERVE_CLOUD", "mars"),
            ("SELFSERVE_JWT_SECRET", "short"),
            ("SELFSERVE_DB_POOL_SIZE", "0"),
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
        }
    }

    #[test]
    fn edge_defaults_and_values() {
        use crate::middleware::rate_limit::{Per, Rate};
        let s = settings(&[]).unwrap();
        assert!(s.edge.cors_origins.is_empty());
        assert_eq!(s.edge.metrics_bind.unwrap().to_string(), "127.0.0.1:9464");
        assert_eq!(s.edge.rate_limits.writes, Some(Rate::new(20, Per::Second)));
        assert_eq!(s.edge.rate_limits.reads, None);
        let s = settings(&[
            (
                "SELFSERVE_CORS_ORIGINS",
                "https://app.example.com, http://localhost:5173",
            ),
            ("SELFSERVE_METRICS_BIND", "off"),
            ("SELFSERVE_RATE_LIMIT_WRITES", "off"),
            ("SELFSERVE_RATE_LIMIT_READS", "600/min"),
        ])
        .unwrap();
        assert_eq!(
            s.edge.cors_origins,
            ["https://app.example.com", "http://localhost:5173"]
        );
        assert_eq!(s.edge.metrics_bind, None);
        assert_eq!(s.edge.rate_limits.writes, None);
        assert_eq!(s.edge.rate_limits.reads, Some(Rate::new(600, Per::Minute)));
    }

    #[test]
    fn jwks_urls_are_https_or_loopback_http() {
        for ok in [
            "https://login.example.com/common/discovery/v2.0/keys",
            "http://127.0.0.1:8081/jwks",
            "http://127.9.9.9/jwks",
            "http://[::1]:9000/jwks",
            "http://LOCALHOST/jwks",
        ] {
            let s = settings(&[("SELFSERVE_JWT_JWKS_URL", ok)]).unwrap();
            assert!(s.jwt.jwks_url.is_some(), "{ok}");
        }
        assert!(settings(&[]).unwrap().jwt.jwks_url.is_none());
    }

    #[test]
    fn toml_file_uses_the_same_keys_and_refuses_unknown_ones() {
        let mut s = Sources::default();
        s.merge_toml(
            "SELFSERVE_CLOUD = \"china\"\nSELFSERVE_DB_POOL_SIZE = 4\n",
            "f",
        )
        .unwrap();
        let settings = Settings::from_sources(&s).unwrap();
        assert_eq!(settings.cloud, Cloud::China);
        assert_eq!(settings.pool.max_size, 4);
        assert!(settings.portal_url.ends_with(".cn"));
        let e = Sources::default()
            .merge_toml("SELFSERVE_BINDD = \"x\"", "f")
            .unwrap_err();
        assert_eq!(e.key, "SELFSERVE_BINDD");
    }
}
