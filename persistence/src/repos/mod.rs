//! One repository per aggregate; each function is one query (or one small, fixed set).

pub mod assignments;
pub mod audit;
pub mod billing_accounts;
pub mod billing_profiles;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod invoices;
pub mod license_requests;
pub mod organization_settings;
pub mod organizations;
pub mod payment_methods;
pub mod policies;
pub mod quotes;
pub mod subscriptions;
pub mod users;
