//! An organisation's governance settings (PRODUCT.md §7, "Organisation
//! settings"), and whether a member may ask the organisation for a license.

use super::spend_cap::SpendCap;
use crate::policy::SelfServicePolicy;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Everything an admin sets for the whole organisation. The default is what
/// an organisation has before any admin touched it: self-service enabled,
/// license requests accepted here, no external process, no cap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganizationSettings {
    /// The policy of every product that has none of its own.
    pub default_policy: SelfServicePolicy,
    pub license_requests: LicenseRequests,
    pub license_request_url: Option<LicenseRequestUrl>,
    pub spend_cap: Option<SpendCap>,
}

/// Why a member may not file a license request here.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LicenseRequestRefusal {
    #[error("license requests are turned off in this organisation")]
    Disabled,
    #[error("this organisation handles license requests elsewhere")]
    External(LicenseRequestUrl),
}

impl OrganizationSettings {
    /// May a member ask for a license through this service?
    ///
    /// The external URL is checked first: an organisation that names its own
    /// process wants people sent there, which is more useful to the member
    /// than a bare "turned off", whatever the on/off switch says.
    pub fn check_license_request(&self) -> Result<(), LicenseRequestRefusal> {
        if let Some(url) = &self.license_request_url {
            return Err(LicenseRequestRefusal::External(url.clone()));
        }
        match self.license_requests {
            LicenseRequests::Enabled => Ok(()),
            LicenseRequests::Disabled => Err(LicenseRequestRefusal::Disabled),
        }
    }
}

/// Whether members may ask the organisation for licenses here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LicenseRequests {
    #[default]
    Enabled,
    Disabled,
}

impl LicenseRequests {
    pub fn as_str(&self) -> &'static str {
        match self {
            LicenseRequests::Enabled => "enabled",
            LicenseRequests::Disabled => "disabled",
        }
    }
}

impl fmt::Display for LicenseRequests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("license_requests must be `enabled` or `disabled`, got {0:?}")]
pub struct InvalidLicenseRequests(pub String);

impl FromStr for LicenseRequests {
    type Err = InvalidLicenseRequests;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "enabled" => Ok(LicenseRequests::Enabled),
            "disabled" => Ok(LicenseRequests::Disabled),
            other => Err(InvalidLicenseRequests(other.to_owned())),
        }
    }
}

/// The https address of an organisation's own license-request process.
///
/// Members are sent there, so it must be https (no mixed content, no
/// `javascript:` or `data:` that a client might follow), must name a host,
/// and must not carry credentials (`https://user@host` reads like `host`
/// to a hurried eye while going elsewhere). Only printable ASCII: an
/// internationalised host is written in its `xn--` form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LicenseRequestUrl(String);

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("license_request_url must start with https://")]
    NotHttps,
    #[error("license_request_url must name a host")]
    NoHost,
    #[error("license_request_url must not contain credentials (user@host)")]
    Credentials,
    #[error("license_request_url must be printable ASCII without spaces")]
    InvalidCharacter,
    #[error("license_request_url has an invalid host or port")]
    InvalidHost,
    #[error("license_request_url must be at most {max} characters")]
    TooLong { max: usize },
}

impl LicenseRequestUrl {
    pub const MAX_LEN: usize = 2048;
    const SCHEME: &'static str = "https://";

    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let url = raw.trim();
        if url.len() > Self::MAX_LEN {
            return Err(UrlError::TooLong { max: Self::MAX_LEN });
        }
        let scheme = url.get(..Self::SCHEME.len()).unwrap_or_default();
        if !scheme.eq_ignore_ascii_case(Self::SCHEME) {
            return Err(UrlError::NotHttps);
        }
        if !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(UrlError::InvalidCharacter);
        }
        let rest = &url[Self::SCHEME.len()..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() {
            return Err(UrlError::NoHost);
        }
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        check_authority(authority)?;
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `host[:port]`, the host a DNS name (letters, digits, `-`, `.`) or an IPv6
/// literal in brackets, the port 1 to 65535.
fn check_authority(authority: &str) -> Result<(), UrlError> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (literal, after) = inner.split_once(']').ok_or(UrlError::InvalidHost)?;
        let ok = !literal.is_empty()
            && literal
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !ok {
            return Err(UrlError::InvalidHost);
        }
        match after {
            "" => (literal, None),
            p => (
                literal,
                Some(p.strip_prefix(':').ok_or(UrlError::InvalidHost)?),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    let dns_ok = authority.starts_with('[')
        || (host
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    if !dns_ok {
        return Err(UrlError::InvalidHost);
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(UrlError::InvalidHost),
        }
    }
    Ok(())
}

impl fmt::Display for LicenseRequestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_with_a_host_pass() {
        for ok in [
            "https://it.example.com/requests",
            "https://it.example.com",
            "HTTPS://it.example.com/a?b=c#d",
            "https://intranet:8443/licenses",
            "https://[2001:db8::1]/x",
            "https://xn--bcher-kva.example/",
            "  https://padded.example/  ",
        ] {
            assert!(LicenseRequestUrl::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            LicenseRequestUrl::parse(" https://a.example/x ")
                .unwrap()
                .as_str(),
            "https://a.example/x"
        );
    }

    #[test]
    fn anything_but_https_is_refused() {
        for bad in [
            "http://it.example.com",
            "javascript:alert(1)",
            "data:text/html,hi",
            "ftp://x.example",
            "it.example.com",
            "",
            "https:/it.example.com",
        ] {
            assert_eq!(
                LicenseRequestUrl::parse(bad),
                Err(UrlError::NotHttps),
                "{bad}"
            );
        }
    }

    #[test]
    fn hosts_credentials_characters_and_ports_are_checked() {
        let err = |s: &str| LicenseRequestUrl::parse(s).unwrap_err();
        assert_eq!(err("https://"), UrlError::NoHost);
        assert_eq!(err("https:///path"), UrlError::NoHost);
        assert_eq!(err("https://:443/"), UrlError::NoHost);
        assert_eq!(err("https://user@evil.example"), UrlError::Credentials);
        assert_eq!(
            err("https://a.example/with space"),
            UrlError::InvalidCharacter
        );
        assert_eq!(err("https://bücher.example"), UrlError::InvalidCharacter);
        assert_eq!(err("https://a.example/\u{7}"), UrlError::InvalidCharacter);
        assert_eq!(err("https://a_b.example"), UrlError::InvalidHost);
        assert_eq!(err("https://a..example"), UrlError::InvalidHost);
        assert_eq!(err("https://-a.example"), UrlError::InvalidHost);
        assert_eq!(err("https://a.example:0"), UrlError::InvalidHost);
        assert_eq!(err("https://a.example:65536"), UrlError::InvalidHost);
        assert_eq!(err("https://a.example:+80"), UrlError::InvalidHost);
        assert_eq!(err("https://[zz]/"), UrlError::InvalidHost);
        assert_eq!(err("https://[::1"), UrlError::InvalidHost);
    }

    #[test]
    fn length_limit_is_2048() {
        let base = "https://a.example/";
        let exact = format!("{base}{}", "x".repeat(2048 - base.len()));
        assert!(LicenseRequestUrl::parse(&exact).is_ok());
        assert_eq!(
            LicenseRequestUrl::parse(&format!("{exact}x")),
            Err(UrlError::TooLong { max: 2048 })
        );
    }

    #[test]
    fn license_requests_names_round_trip() {
        for v in [LicenseRequests::Enabled, LicenseRequests::Disabled] {
            assert_eq!(v.as_str().parse::<LicenseRequests>(), Ok(v));
        }
        assert!("on".parse::<LicenseRequests>().is_err());
    }

    #[test]
    fn defaults_accept_requests_here() {
        let settings = OrganizationSettings::default();
        assert_eq!(settings.default_policy, SelfServicePolicy::Enabled);
        assert_eq!(settings.check_license_request(), Ok(()));
    }

    #[test]
    fn an_external_url_sends_members_there_even_when_switched_off() {
        let url = LicenseRequestUrl::parse("https://it.example/ask").unwrap();
        for switch in [LicenseRequests::Enabled, LicenseRequests::Disabled] {
            let settings = OrganizationSettings {
                license_requests: switch,
                license_request_url: Some(url.clone()),
                ..Default::default()
            };
            assert_eq!(
                settings.check_license_request(),
                Err(LicenseRequestRefusal::External(url.clone()))
            );
        }
        let off = OrganizationSettings {
            license_requests: LicenseRequests::Disabled,
            ..Default::default()
        };
        assert_eq!(
            off.check_license_request(),
            Err(LicenseRequestRefusal::Disabled)
        );
    }
}
