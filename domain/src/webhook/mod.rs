//! Webhooks (PRODUCT.md §8): the pure rules behind endpoints and their
//! deliveries — which URLs and addresses may be called (SSRF), which events
//! an endpoint takes, how a delivery is signed, when a failed one is retried,
//! and when a failing endpoint is switched off. No I/O, no clock: `now` is an
//! argument everywhere.

pub mod address;
pub mod health;
pub mod retry;
pub mod secrets;
pub mod selection;
pub mod signature;
pub mod url;

pub use address::{classify, AddressClass};
pub use health::{AfterEndpointFailure, EndpointHealth, DISABLE_AFTER};
pub use retry::{AfterFailure, RetryPolicy, RETRY_WINDOW};
pub use secrets::{SigningSecrets, PREVIOUS_SECRET_GRACE};
pub use selection::{EventSelection, SelectionError};
pub use signature::{sign, signature_header};
pub use url::{WebhookUrl, WebhookUrlError};
