//! Storage for selfserve: one diesel schema for SQLite and PostgreSQL, chosen
//! at run time from the database URL (`diesel::MultiConnection`).
//!
//! Repositories are plain functions over `&mut DbConnection`, one module per
//! aggregate; the transaction belongs to the caller (the use case).

mod cached;
pub mod change_watch;
pub mod connection;
#[cfg(test)]
mod deliveries_tests;
pub mod error;
#[cfg(test)]
mod events_tests;
#[cfg(test)]
mod governance_tests;
mod group_commit;
mod keyset;
pub mod migrations;
#[cfg(test)]
mod planner_tests;
pub mod repos;
pub mod rows;
pub mod schema;
#[cfg(test)]
mod test_db;
mod typed;
mod writer_gate;

pub use change_watch::ChangeWatch;
pub use connection::{
    connect_pool, cores, write_transaction, Backend, DatabaseUrl, DbConnection, DbPool, PoolOptions,
};
/// The raw diesel error, for `From` impls of callers that own transactions.
pub use diesel::result::Error as DbError;
pub use error::{Constraint, Race, RepoError};
pub use group_commit::GroupWriter;
