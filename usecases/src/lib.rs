//! Use cases: each owns its transaction, asks `domain` for decisions and
//! `persistence` for rows, and answers with domain values or an [`Error`].
//! Nothing here knows HTTP: the API and the command line both call in.

mod actor;
pub mod error;
pub mod fingerprint;
pub mod page;
mod services;

pub mod assignments;
pub mod audit;
pub mod billing_accounts;
pub mod billing_profiles;
pub mod commands;
pub mod deliveries;
pub mod governance;
pub mod invoices;
pub mod notifications;
pub mod outbox;
mod owned;
mod paging;
pub mod payment_methods;
pub mod products;
pub mod sign_in;
pub mod subscriptions;
pub mod users;
pub mod webhooks;

pub use actor::Actor;
pub use error::{Conflict, Error, Forbidden, Invalid, Precondition, Result, TargetRefusal};
pub use outbox::{Origin, Outbox, Representations};
pub use services::{Clock, Db, Services};
