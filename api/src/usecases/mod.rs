//! Use cases: each owns its transaction, asks `domain` for decisions and
//! `persistence` for rows, and answers in `ApiError` terms.

pub mod assignments;
pub mod audit;
pub mod authenticate;
pub mod billing_accounts;
pub mod billing_profiles;
pub mod invoices;
mod owned;
mod paging;
pub mod payment_methods;
pub mod products;
pub mod subscriptions;
pub mod users;
