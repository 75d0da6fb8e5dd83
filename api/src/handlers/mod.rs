//! Thin HTTP handlers, one module per resource: extract, call one use case, map the result.

pub mod fallback;
pub mod health;
pub mod me;
pub mod products;
pub mod users;
