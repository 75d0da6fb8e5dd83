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
                    _ => {
                        let message = info.message();
                        // SQLite reports lock time-outs as plain errors.
                        if message.contains("database is locked")
                            || message.contains("database is busy")
                        {
                            RepoError::Unavailable(message.to_owned())
                        } else {
                            RepoError::Other(message.to_owned())
                        }
                    }
                }
            }
            other => RepoError::Other(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for RepoError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        RepoError::Unavailable(err.to_string())
    }
}
