//! Cross-cutting request handling.

pub mod conditional;
pub mod cors;
pub mod head;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod rate_limit;
pub mod request_id;
