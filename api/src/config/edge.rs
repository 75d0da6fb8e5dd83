//! What the edge of the service does for browsers, scrapers and busy callers.

use super::{err, ConfigError, Sources};
use crate::middleware::{cors, rate_limit};
use std::net::SocketAddr;

#[derive(Clone, Debug)]
pub struct EdgeSettings {
    /// Exact origins (`https://app.example.com`) allowed to call from a browser; empty = no CORS.
    pub cors_origins: Vec<String>,
    /// The separate listener for Prometheus scrapes; `None` = no metrics listener.
    pub metrics_bind: Option<SocketAddr>,
    pub rate_limits: rate_limit::Limits,
}

impl Default for EdgeSettings {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            metrics_bind: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            rate_limits: rate_limit::Limits::default(),
        }
    }
}

pub(super) fn settings(s: &Sources) -> Result<EdgeSettings, ConfigError> {
    use rate_limit::Rate;
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

#[cfg(test)]
mod tests {
    use super::super::tests::settings;

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
}
