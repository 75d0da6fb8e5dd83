//! The process itself: where it listens, how many workers, how it logs, and
//! which sovereign cloud it serves.

use super::{err, ConfigError, Sources};
use std::net::SocketAddr;

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

pub(super) fn bind(s: &Sources) -> Result<SocketAddr, ConfigError> {
    let raw = s.get("SELFSERVE_BIND").unwrap_or("127.0.0.1:8080");
    raw.trim().parse::<SocketAddr>().map_err(|_| {
        err(
            "SELFSERVE_BIND",
            format!("{raw:?} is not an address like 127.0.0.1:8080"),
        )
    })
}

/// The cloud, and the portal URL that defaults per cloud.
pub(super) fn deployment(s: &Sources) -> Result<(Cloud, String), ConfigError> {
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
    Ok((cloud, portal_url))
}

/// `None`: actix's default (one worker per core).
pub(super) fn workers(s: &Sources) -> Result<Option<usize>, ConfigError> {
    match s.get("SELFSERVE_WORKERS") {
        None => Ok(None),
        Some(_) => s
            .parse_number("SELFSERVE_WORKERS", 1usize, |n| (1..=256).contains(n))
            .map(Some),
    }
}

/// `SELFSERVE_READ_CACHE`: `on` (default) or `off`, in any case.
pub(super) fn read_cache(s: &Sources) -> Result<bool, ConfigError> {
    s.parse_switch("SELFSERVE_READ_CACHE", true, ["on", "off"])
}

pub(super) fn log_format(s: &Sources) -> Result<LogFormat, ConfigError> {
    match s.get("SELFSERVE_LOG_FORMAT").unwrap_or("text") {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(err(
            "SELFSERVE_LOG_FORMAT",
            format!("{other:?} must be `text` or `json`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    #[test]
    fn the_portal_follows_the_cloud_unless_set() {
        let s = settings(&[("SELFSERVE_CLOUD", "china")]).unwrap();
        assert_eq!(s.portal_url, "https://portal.selfserve.example.cn");
        let s = settings(&[
            ("SELFSERVE_CLOUD", "china"),
            ("SELFSERVE_PORTAL_URL", "http://localhost:3000"),
        ])
        .unwrap();
        assert_eq!(s.cloud, Cloud::China);
        assert_eq!(s.portal_url, "http://localhost:3000");
    }

    #[test]
    fn workers_and_log_format() {
        let s = settings(&[]).unwrap();
        assert_eq!((s.workers, s.log_format), (None, LogFormat::Text));
        let s = settings(&[("SELFSERVE_WORKERS", "4"), ("SELFSERVE_LOG_FORMAT", "json")]).unwrap();
        assert_eq!((s.workers, s.log_format), (Some(4), LogFormat::Json));
    }

    #[test]
    fn the_read_cache_is_on_unless_turned_off() {
        assert!(settings(&[]).unwrap().read_cache);
        assert!(
            !settings(&[("SELFSERVE_READ_CACHE", "off")])
                .unwrap()
                .read_cache
        );
        let e = settings(&[("SELFSERVE_READ_CACHE", "maybe")]).unwrap_err();
        assert_eq!(e.key, "SELFSERVE_READ_CACHE");
    }
}
