//! Webhook endpoints (PRODUCT.md §8), admins only: create (the secret shown
//! once), list, read, change, delete, rotate the secret; and each endpoint's
//! delivery log with redelivery. Sending is the delivery worker's
//! (`crate::deliveries`).

pub mod endpoints;
pub mod log;

pub use endpoints::{Endpoint, EndpointPatch, NewEndpoint, Prepared, WithSecret};
pub use log::{Attempt, LoggedDelivery};
