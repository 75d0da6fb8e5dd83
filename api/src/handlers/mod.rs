//! Thin HTTP handlers, one module per resource: extract, call one use case, map the result.
//!
//! A handler's path (`#[get("/{subscription_id}")]`) is relative to the
//! scope `startup::app` mounts it under (`/v1/subscriptions`); the full
//! paths are in `openapi/openapi.json`.

pub mod admin;
pub mod assignments;
pub mod billing;
pub mod caller;
pub mod fallback;
pub mod health;
pub mod invoices;
pub mod license_requests;
pub mod me;
pub mod notifications;
pub mod organization;
pub mod payment_methods;
pub mod products;
pub mod reactivate;
pub mod subscriptions;
pub mod take_control;
pub mod users;
pub mod webhook_deliveries;
pub mod webhooks;
