//! Request and response bodies of the HTTP API (`serde` + `utoipa::ToSchema`).
//! Request bodies deny unknown fields; none of them can set ids, owners,
//! organisations, statuses, assigned counts or prices.

pub mod address;
pub mod assignments;
pub mod billing;
pub mod common;
pub mod events;
pub mod governance;
pub mod invoices;
pub mod me;
pub mod notifications;
pub mod payment_methods;
pub mod products;
pub mod subscriptions;
pub mod time;
pub mod users;
pub mod webhooks;
