//! Cross-cutting request handling.

pub mod conditional;
pub mod metrics;
pub mod request_id;
