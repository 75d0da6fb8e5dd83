//! The webhook transport: reqwest, with the SSRF rule enforced on the
//! addresses it actually connects to. Names are resolved by our own
//! resolver, which refuses the whole answer when any address in it is
//! loopback, link-local or private (the domain's classification), so a name
//! that resolved to a public address at creation and to 127.0.0.1 now (DNS
//! rebinding) is refused at send time. IP-literal URLs never reach a
//! resolver and are checked by the URL rule itself. No proxies (an
//! environment proxy would hide the target), no redirects (a redirect would
//! be a second, unchecked target), 10 s for the whole exchange.

use domain::webhook::url::check_addresses;
use domain::webhook::WebhookUrl;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use usecases::deliveries::{BoxFuture, PostOutcome, Transport, WebhookPost};

/// A 2xx within this delivers (PRODUCT.md §8).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The client is built on the first send, not at start: building it loads
/// the system's trust store (about 150 certificates, ~250 ms and several
/// MiB), which a server that never calls a webhook should not pay for, and
/// start to ready must stay well under 100 ms (issue #16).
pub struct HttpTransport {
    client: tokio::sync::OnceCell<reqwest::Client>,
    allow_private: bool,
}

struct GuardedResolver {
    allow_private: bool,
}

async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if found.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    Ok(found)
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found = lookup(name.as_str(), 0).await?;
            let ips: Vec<IpAddr> = found.iter().map(SocketAddr::ip).collect();
            check_addresses(&ips, allow_private)?;
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

impl HttpTransport {
    pub fn new(allow_private: bool) -> Self {
        Self {
            client: tokio::sync::OnceCell::new(),
            allow_private,
        }
    }

    /// The client, built once (on a blocking thread: it reads files).
    async fn client(&self) -> Result<&reqwest::Client, String> {
        let allow_private = self.allow_private;
        self.client
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || build_client(allow_private))
                    .await
                    .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?
            })
            .await
    }
}

fn build_client(allow_private: bool) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(SEND_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        // Sends may run on any runtime (the server's worker, a command,
        // a test): pooled connections would tie one runtime to another.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))
}

impl Transport for HttpTransport {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> BoxFuture<'a, Result<Vec<IpAddr>, String>> {
        Box::pin(async move {
            Ok(lookup(host, port)
                .await?
                .iter()
                .map(SocketAddr::ip)
                .collect())
        })
    }

    fn post<'a>(&'a self, request: &'a WebhookPost) -> BoxFuture<'a, PostOutcome> {
        Box::pin(async move {
            // The URL rule again: the flag may have changed since creation,
            // and an IP literal is never seen by the resolver.
            if let Err(e) = WebhookUrl::parse(&request.url, self.allow_private) {
                return PostOutcome {
                    status: None,
                    error: Some(format!("refused: {e}")),
                };
            }
            let client = match self.client().await {
                Ok(client) => client,
                Err(error) => {
                    return PostOutcome {
                        status: None,
                        error: Some(error),
                    }
                }
            };
            let mut builder = client.post(&request.url).body(request.body.clone());
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            match builder.send().await {
                Ok(response) => PostOutcome {
                    status: Some(response.status().as_u16()),
                    error: None,
                },
                Err(e) => PostOutcome {
                    status: None,
                    error: Some(describe(&e)),
                },
            }
        })
    }
}

/// reqwest's top-level message hides the cause ("error sending request").
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no answer within {} s", SEND_TIMEOUT.as_secs())
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    // Bounded: it is stored in the log and shown to admins.
    text.chars().take(500).collect()
}
