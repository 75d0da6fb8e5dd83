//! The one error type of the persistence layer.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RepoError {
    #[error("row not found")]
    NotFound,
    /// A unique or check constraint refused the write; `constraint` names it when the database says.
    #[error("constraint violated: {constraint}")]
    Conflict { constraint: String },
    /// The database cannot be reached or is too busy (pool exhausted, server down, lock timeout).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Stored data that no longer parses into the domain: a bug or a manual edit.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

impl RepoError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        RepoError::Corrupt(what.to_string())
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, RepoError::Conflict { .. })
    }
}

impl From<DieselError> for RepoError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => RepoError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = info
                    .constraint_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| info.message().to_owned());
                match kind {
                    DatabaseErrorKind::UniqueViolation
                    | DatabaseErrorKind::CheckViolation
                    | DatabaseErrorKind::ForeignKeyViolation
                    | DatabaseErrorKind::SerializationFailure => RepoError::Conflict { constraint },
                    DatabaseErrorKind::ClosedConnection => {
                        RepoError::Unavailable(info.message().to_owned())
                    }
                    _ if is_unavailable(info.message()) => {
                        RepoError::Unavailable(info.message().to_owned())
                    }
                    _ => RepoError::Other(info.message().to_owned()),
                }
            }
            DieselError::BrokenTransactionManager => {
                RepoError::Unavailable("connection lost mid-transaction".into())
            }
            other if is_unavailable(&other.to_string()) => {
                RepoError::Unavailable(other.to_string())
            }
            other => RepoError::Other(other.to_string()),
        }
    }
}

/// Lost or refused connections and lock time-outs: the database is (for now)
/// unavailable, which callers answer with 503 and a retry, never a 500.
fn is_unavailable(message: &str) -> bool {
    const SIGNS: [&str; 12] = [
        "database is locked",
        "database is busy",
        "server closed the connection",
        "terminating connection",
        "no connection to the server",
        "connection refused",
        "could not connect",
        "connection reset",
        "broken pipe",
        "ssl syscall",
        "the database system is starting up",
        "the database system is shutting down",
    ];
    let lower = message.to_lowercase();
    SIGNS.iter().any(|sign| lower.contains(sign))
}

impl From<diesel::r2d2::PoolError> for RepoError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        RepoError::Unavailable(err.to_string())
    }
}
