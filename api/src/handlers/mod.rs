//! Thin HTTP handlers, one module per resource: extract, call one use case, map the result.

pub mod admin;
pub mod assignments;
pub mod billing;
pub mod caller;
pub mod fallback;
pub mod health;
pub mod invoices;
pub mod license_requests;
pub mod me;
pub mod organization;
pub mod payment_methods;
pub mod products;
pub mod reactivate;
pub mod subscriptions;
pub mod take_control;
pub mod users;
