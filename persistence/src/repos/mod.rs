//! One repository per aggregate; each function is one query (or one small, fixed set).

pub mod audit;
pub mod billing_accounts;
pub mod billing_profiles;
pub mod health;
pub mod idempotency;
pub mod organizations;
pub mod payment_methods;
pub mod policies;
pub mod users;
