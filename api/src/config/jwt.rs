//! Which tokens are accepted: the HS256 secret, or public keys from a file
//! or a JWKS endpoint, and the issuer and audience they must name.

use super::{err, ConfigError, Sources};
use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// Printed as `[REDACTED]` by `Debug`; generated into the data folder when unset.
    pub secret: Option<SecretString>,
    pub issuer: String,
    pub audience: String,
    pub public_keys: Option<PathBuf>,
    /// An identity provider's JWKS endpoint (https, or http on loopback).
    pub jwks_url: Option<String>,
}

pub(super) fn settings(s: &Sources) -> Result<JwtSettings, ConfigError> {
    let secret = match s.get("SELFSERVE_JWT_SECRET") {
        Some(secret) if secret.len() < 32 => {
            return Err(err(
                "SELFSERVE_JWT_SECRET",
                "must be at least 32 characters",
            ))
        }
        Some(secret) => Some(SecretString::from(secret)),
        None => None,
    };
    let public_keys = s.get("SELFSERVE_JWT_PUBLIC_KEYS").map(PathBuf::from);
    if let Some(path) = &public_keys {
        if !path.is_file() {
            return Err(err(
                "SELFSERVE_JWT_PUBLIC_KEYS",
                format!("{} is not a readable file", path.display()),
            ));
        }
    }
    Ok(JwtSettings {
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
    })
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
    use super::super::tests::settings;

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
    fn issuer_and_audience_can_be_set() {
        let s = settings(&[
            ("SELFSERVE_JWT_ISSUER", "https://login.example.com"),
            ("SELFSERVE_JWT_AUDIENCE", "billing"),
        ])
        .unwrap();
        assert_eq!(s.jwt.issuer, "https://login.example.com");
        assert_eq!(s.jwt.audience, "billing");
    }
}
