//! The outbox's delivery side (PRODUCT.md §8): the dispatcher turns each new
//! event into deliveries, and the worker sends what is due, records every
//! attempt and retries on the domain's schedule. Every server process runs
//! the worker; replicas share the work through the database (leases claimed
//! with `FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite).

pub mod dispatch;
pub mod mail;
mod payload;
mod record;
pub mod settings;
pub mod transport;
pub mod worker;

pub use mail::{Mail, MailFailure, MailSender};
pub use settings::Outbound;
pub use transport::{BoxFuture, PostOutcome, Transport, WebhookPost};
pub use worker::{PassReport, Worker};
