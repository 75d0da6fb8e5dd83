//! A webhook endpoint's URL: `https://` (or `http://` where private targets
//! are allowed), a host, no credentials, and no address a webhook must not
//! reach. Name resolution is I/O and happens outside; its answers come back
//! here through [`check_addresses`].

use super::address::{classify, AddressClass};
use std::net::IpAddr;
use thiserror::Error;

/// Longer URLs are refused; no receiver needs more.
pub const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: url::Url,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookUrlError {
    #[error("`url` is not an absolute URL with a host")]
    Malformed,
    #[error("`url` is longer than {MAX_URL_LEN} characters")]
    TooLong,
    #[error("`url` must use https://")]
    NotHttps,
    #[error("`url` must not carry a user name or password")]
    Credentials,
    /// The host is, or resolves to, an address a webhook must not reach.
    #[error("`url` reaches {ip}, a {} address; webhooks go to public addresses only", .class.as_str())]
    PrivateAddress { ip: IpAddr, class: AddressClass },
}

impl WebhookUrl {
    /// `allow_private` (`SELFSERVE_WEBHOOK_ALLOW_PRIVATE`) also allows `http://`
    /// and loopback, link-local and private hosts: tests, internal networks.
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, WebhookUrlError> {
        if raw.len() > MAX_URL_LEN {
            return Err(WebhookUrlError::TooLong);
        }
        // Taken as written: the WHATWG parser would quietly strip spaces,
        // tabs and line breaks and skip extra slashes, and a URL that means
        // something else than it reads is not one to call.
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(WebhookUrlError::Malformed);
        }
        let authority = raw
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
            .ok_or(WebhookUrlError::Malformed)?;
        if authority.is_empty() {
            return Err(WebhookUrlError::Malformed);
        }
        if authority.contains('@') {
            return Err(WebhookUrlError::Credentials);
        }
        let url = url::Url::parse(raw).map_err(|_| WebhookUrlError::Malformed)?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            "http" => return Err(WebhookUrlError::NotHttps),
            _ => return Err(WebhookUrlError::Malformed),
        }
        if url.host().is_none() || url.cannot_be_a_base() {
            return Err(WebhookUrlError::Malformed);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(WebhookUrlError::Credentials);
        }
        let parsed = Self { url };
        if let Some(ip) = parsed.literal_ip() {
            check_addresses(&[ip], allow_private)?;
        }
        Ok(parsed)
    }

    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The host as written (a name, or an IP literal without brackets).
    pub fn host(&self) -> String {
        match self.url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }

    pub fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(443)
    }

    /// The address when the host is an IP literal (no name to resolve).
    pub fn literal_ip(&self) -> Option<IpAddr> {
        match self.url.host()? {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        }
    }
}

impl std::fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every address a host resolved to must be public (unless private targets
/// are allowed): one private answer is enough to refuse, since the client
/// might connect to any of them.
pub fn check_addresses(addresses: &[IpAddr], allow_private: bool) -> Result<(), WebhookUrlError> {
    if allow_private {
        return Ok(());
    }
    match addresses
        .iter()
        .map(|ip| (*ip, classify(*ip)))
        .find(|(_, class)| !class.is_public())
    {
        Some((ip, class)) => Err(WebhookUrlError::PrivateAddress { ip, class }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_with_a_public_host_is_accepted() {
        let url = WebhookUrl::parse("https://hooks.example.com/selfserve?x=1", false).unwrap();
        assert_eq!(url.host(), "hooks.example.com");
        assert_eq!(url.port(), 443);
        assert_eq!(url.literal_ip(), None);
        assert!(WebhookUrl::parse("https://93.184.216.34:8443/h", false).is_ok());
    }

    #[test]
    fn http_only_where_private_targets_are_allowed() {
        assert_eq!(
            WebhookUrl::parse("http://hooks.example.com/", false),
            Err(WebhookUrlError::NotHttps)
        );
        let url = WebhookUrl::parse("http://127.0.0.1:9000/hook", true).unwrap();
        assert_eq!(url.port(), 9000);
    }

    #[test]
    fn credentials_and_odd_schemes_are_refused() {
        for (raw, error) in [
            (
                "https://user:pw@hooks.example.com/",
                WebhookUrlError::Credentials,
            ),
            (
                "https://user@hooks.example.com/",
                WebhookUrlError::Credentials,
            ),
            ("ftp://hooks.example.com/", WebhookUrlError::Malformed),
            ("hooks.example.com/x", WebhookUrlError::Malformed),
            ("file:///etc/passwd", WebhookUrlError::Malformed),
            ("", WebhookUrlError::Malformed),
            (" https://hooks.example.com/", WebhookUrlError::Malformed),
            ("https://hooks.example.com/a\nb", WebhookUrlError::Malformed),
            ("https:///hooks.example.com/", WebhookUrlError::Malformed),
            ("https://@hooks.example.com/", WebhookUrlError::Credentials),
        ] {
            assert_eq!(WebhookUrl::parse(raw, false), Err(error.clone()), "{raw}");
        }
        assert_eq!(
            WebhookUrl::parse(
                &format!("https://a.example/{}", "x".repeat(MAX_URL_LEN)),
                true
            ),
            Err(WebhookUrlError::TooLong)
        );
    }

    #[test]
    fn literal_private_addresses_are_refused_in_every_spelling() {
        for raw in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://[::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://10.0.0.8/",
            "https://0.0.0.0/",
        ] {
            assert!(
                matches!(
                    WebhookUrl::parse(raw, false),
                    Err(WebhookUrlError::PrivateAddress { .. })
                ),
                "{raw}"
            );
            assert!(WebhookUrl::parse(raw, true).is_ok(), "{raw}");
        }
    }

    #[test]
    fn one_private_answer_among_public_ones_is_enough_to_refuse() {
        let public: IpAddr = "93.184.216.34".parse().unwrap();
        let private: IpAddr = "192.168.0.10".parse().unwrap();
        assert!(check_addresses(&[public], false).is_ok());
        assert_eq!(
            check_addresses(&[public, private], false),
            Err(WebhookUrlError::PrivateAddress {
                ip: private,
                class: AddressClass::Private
            })
        );
        assert!(check_addresses(&[private], true).is_ok());
    }
}
