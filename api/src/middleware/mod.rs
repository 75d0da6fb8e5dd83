//! Cross-cutting request handling.

pub mod request_id;
