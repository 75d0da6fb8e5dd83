//! The one error type of the persistence layer. Callers decide by variant and
//! by [`Constraint`], never by an error's text: the only place that reads a
//! database message is [`classify`] (see there why).

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RepoError {
    #[error("row not found")]
    NotFound,
    /// A unique index or primary key refused the write.
    #[error("unique constraint violated: {0}")]
    Unique(Constraint),
    /// A CHECK constraint refused the write: a bug, never a lost race.
    #[error("check constraint violated: {0}")]
    Check(Constraint),
    /// A foreign key refused the write.
    #[error("foreign key violated: {0}")]
    ForeignKey(Constraint),
    /// A conditional write found the row already changed by a concurrent
    /// writer (no constraint fired; the guard was a `WHERE`).
    #[error("lost a race: {0}")]
    Raced(Race),
    /// The database cannot be reached or is too busy (pool exhausted, server down, lock timeout).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Stored data that no longer parses into the domain: a bug or a manual edit.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

/// The constraints use cases tell apart; the rest are `Other` with the
/// database's name (PostgreSQL) or description (SQLite) of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `invoices.renewal_key`: one renewal (or credit settlement) invoice per
    /// subscription and period, whichever run issues it.
    RenewalKey,
    /// `license_assignments` primary key: a user holds a subscription's license once.
    AssignmentUnique,
    /// `subscriptions` CHECK `0 <= assigned_count <= license_count`.
    AssignedWithinTotal,
    /// `idempotency_keys` primary key `(owner_id, idempotency_key)`.
    IdempotencyKey,
    /// `billing_accounts (organization_id, owner_id)`: one account per owner.
    BillingAccountOwner,
    /// `users (organization_id, email_key)` and `users_email_lower`: one member per address.
    EmailPerOrg,
    /// `users (organization_id, subject)`: one member per identity-provider subject.
    SubjectPerOrg,
    /// `users` primary key.
    UserId,
    /// `organizations` primary key.
    OrganizationId,
    /// `payment_methods_one_per_card`: a live card once per owner.
    CardPerOwner,
    /// `subscriptions_one_trial`: one live trial per purchaser and product.
    OneTrial,
    /// `invoices (organization_id, number)`.
    InvoiceNumber,
    Other(String),
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Constraint::Other(what) => f.write_str(what),
            known => write!(f, "{known:?}"),
        }
    }
}

/// The conditional writes whose losers callers tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Race {
    /// A pending credit was settled by another invoice first.
    CreditSettled,
    /// An unclaimed member was linked to another subject first.
    SubjectClaimed,
    /// The subscription's version moved on (another writer changed it first).
    SubscriptionVersion,
    /// PostgreSQL aborted the transaction as not serialisable.
    Serialization,
}

impl std::fmt::Display for Race {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl RepoError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        RepoError::Corrupt(what.to_string())
    }
}

impl From<DieselError> for RepoError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => RepoError::NotFound,
            DieselError::DatabaseError(kind, info) => classify(kind, info.as_ref()),
            // The commit itself failed (a lost connection, SQLite busy): that error decides.
            DieselError::RollbackErrorOnCommit { commit_error, .. } => (*commit_error).into(),
            // A stored value that does not convert to its typed field (an id
            // that is not a UUID, a status no variant names): never a default.
            DieselError::DeserializationError(e) => RepoError::Corrupt(e.to_string()),
            DieselError::BrokenTransactionManager => {
                RepoError::Unavailable("connection lost mid-transaction".into())
            }
            other => RepoError::Other(other.to_string()),
        }
    }
}

/// Turns diesel's kind and information into a typed error.
///
/// The one place that reads database messages, for two reasons diesel
/// leaves no other way:
/// - SQLite reports no constraint name (`constraint_name()` is `None`); its
///   message (`UNIQUE constraint failed: invoices.renewal_key`, `CHECK
///   constraint failed: assigned_count >= 0 AND …`) is all that identifies
///   the constraint, so [`sqlite_constraint`] reads it.
/// - diesel maps neither SQLite's `SQLITE_BUSY` ("database is locked", after
///   the busy timeout) nor PostgreSQL's SQLSTATE class 57P (administrator
///   shutdown, starting up) to a kind, and exposes no result code or
///   SQLSTATE: those errors are recognised by [`unavailable_message`]. Lost
///   PostgreSQL connections are `ClosedConnection` and need no text.
fn classify(
    kind: DatabaseErrorKind,
    info: &(dyn DatabaseErrorInformation + Send + Sync),
) -> RepoError {
    let constraint = || match info.constraint_name() {
        Some(name) => pg_constraint(name),
        None => sqlite_constraint(info.message()),
    };
    match kind {
        DatabaseErrorKind::UniqueViolation => RepoError::Unique(constraint()),
        DatabaseErrorKind::CheckViolation => RepoError::Check(constraint()),
        DatabaseErrorKind::ForeignKeyViolation => RepoError::ForeignKey(constraint()),
        DatabaseErrorKind::SerializationFailure => RepoError::Raced(Race::Serialization),
        DatabaseErrorKind::ClosedConnection => RepoError::Unavailable(info.message().to_owned()),
        _ if unavailable_message(info.message()) => {
            RepoError::Unavailable(info.message().to_owned())
        }
        _ => RepoError::Other(info.message().to_owned()),
    }
}

/// PostgreSQL's names: the migrations leave table constraints unnamed, so
/// these are PostgreSQL's generated `<table>_<columns>_key|pkey|check`.
fn pg_constraint(name: &str) -> Constraint {
    match name {
        "invoices_renewal_key_key" => Constraint::RenewalKey,
        "license_assignments_pkey" => Constraint::AssignmentUnique,
        "subscriptions_check" => Constraint::AssignedWithinTotal,
        "idempotency_keys_pkey" => Constraint::IdempotencyKey,
        "billing_accounts_organization_id_owner_id_key" => Constraint::BillingAccountOwner,
        "users_organization_id_email_key_key" | "users_email_lower" => Constraint::EmailPerOrg,
        "users_organization_id_subject_key" => Constraint::SubjectPerOrg,
        "users_pkey" => Constraint::UserId,
        "organizations_pkey" => Constraint::OrganizationId,
        "payment_methods_one_per_card" => Constraint::CardPerOwner,
        "subscriptions_one_trial" => Constraint::OneTrial,
        "invoices_organization_id_number_key" => Constraint::InvoiceNumber,
        other => Constraint::Other(other.to_owned()),
    }
}

/// SQLite names the columns of a violated unique key (`UNIQUE constraint
/// failed: t.a, t.b`), an expression index by name (`… failed: index 'x'`), and
/// an unnamed CHECK by its expression; a foreign key not at all.
fn sqlite_constraint(message: &str) -> Constraint {
    let what = message
        .split_once("constraint failed: ")
        .map_or(message, |(_, what)| what);
    match what {
        "invoices.renewal_key" => Constraint::RenewalKey,
        "license_assignments.subscription_id, license_assignments.user_id" => {
            Constraint::AssignmentUnique
        }
        "assigned_count >= 0 AND assigned_count <= license_count" => {
            Constraint::AssignedWithinTotal
        }
        "idempotency_keys.owner_id, idempotency_keys.idempotency_key" => Constraint::IdempotencyKey,
        "billing_accounts.organization_id, billing_accounts.owner_id" => {
            Constraint::BillingAccountOwner
        }
        "users.organization_id, users.email_key" | "index 'users_email_lower'" => {
            Constraint::EmailPerOrg
        }
        "users.organization_id, users.subject" => Constraint::SubjectPerOrg,
        "users.id" => Constraint::UserId,
        "organizations.id" => Constraint::OrganizationId,
        "payment_methods.owner_id, payment_methods.fingerprint" => Constraint::CardPerOwner,
        "subscriptions.organization_id, subscriptions.purchaser_id, subscriptions.product_id" => {
            Constraint::OneTrial
        }
        "invoices.organization_id, invoices.number" => Constraint::InvoiceNumber,
        other => Constraint::Other(other.to_owned()),
    }
}

/// Lost or refused connections and lock time-outs that diesel reports as
/// `Unknown` (see [`classify`]): the database is (for now) unavailable, which
/// callers answer with 503 and a retry, never a 500.
fn unavailable_message(message: &str) -> bool {
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

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
