//! The one door to the network the delivery worker and the endpoint checks
//! use. The use cases decide what to send, to whom and what an answer means;
//! the transport (the API crate's reqwest client, or a test's fake) resolves
//! names and makes the request, and must refuse to connect to an address the
//! domain calls private unless private targets are allowed — checked on the
//! addresses it actually connects to, so DNS rebinding gains nothing.
//!
//! A trait rather than reqwest here: the use cases stay free of network
//! clients and DNS, like the JWKS fetcher that lives in the API, and the
//! e-mail channel adds its own sender beside this one.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One webhook request: `POST url` with these headers and this exact body.
#[derive(Debug, Clone)]
pub struct WebhookPost {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What came back: the HTTP status when an answer came, else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostOutcome {
    pub status: Option<u16>,
    /// Transport trouble (refused, timed out, private address, TLS), for the log.
    pub error: Option<String>,
}

impl PostOutcome {
    /// A 2xx answer delivers (within the transport's 10 s timeout).
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

pub trait Transport: Send + Sync {
    /// Every address `host` resolves to; an error when it resolves to none.
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> BoxFuture<'a, Result<Vec<IpAddr>, String>>;

    /// Sends one request, following no redirects, within 10 s.
    fn post<'a>(&'a self, request: &'a WebhookPost) -> BoxFuture<'a, PostOutcome>;
}
