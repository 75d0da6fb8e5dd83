//! Cross-cutting request handling.

pub mod metrics;
pub mod request_id;
