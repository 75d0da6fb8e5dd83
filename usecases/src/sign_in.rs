//! Signing in: the member behind a verified token, provisioning the
//! organisation and the member just in time, and refreshing their profile
//! from newer tokens. The token itself is verified by the API.

use crate::error::Error;
use chrono::{DateTime, Utc};
use domain::profile_refresh::{self, StoredProfile, TokenProfile};
use domain::user::{DisplayName, Email};
use domain::{OrganizationId, UserId};
use persistence::rows::{NewOrganization, NewUser, ProfileRefresh, UserRow};
use persistence::{repos, write_transaction, Constraint, DbConnection, Race, RepoError};

/// What a verified token says about its member.
#[derive(Clone, Debug)]
pub struct SignIn {
    pub organization_id: OrganizationId,
    /// The token's `sub`.
    pub subject: uuid::Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    /// When the token was issued (seconds), to apply only newer profiles.
    pub iat: Option<u64>,
    /// The token's `roles` hold `admin`: stored, so that notifications for
    /// the organisation's admins (PRODUCT.md §8) find them.
    pub is_admin: bool,
}

/// Finds the member behind the token, or creates them (and their organisation).
///
/// E-mail addresses are unique per organisation regardless of case, and a
/// sign-in never breaks that: a new `sub` whose e-mail belongs to a member an
/// admin added (no `sub` yet) becomes that member; one whose e-mail belongs to
/// a member who already signed in with another `sub` gets a member of its own
/// without an e-mail — an address in a token is never enough to take over an
/// account that exists.
pub fn provision(
    conn: &mut DbConnection,
    claims: &SignIn,
    now: DateTime<Utc>,
) -> Result<UserId, Error> {
    let org = claims.organization_id;
    let subject = claims.subject.to_string();
    if let Some(row) = repos::users::find_by_subject(conn, org, &subject)? {
        refresh_profile(conn, &row, claims)?;
        refresh_role(conn, &row, claims)?;
        return Ok(row.id);
    }
    // Concurrent first sign-ins (of one person, or of two `sub`s with one
    // e-mail) race on PostgreSQL: the loser's insert or link hits a unique
    // index or finds the member linked already, and the whole sign-in is
    // simply tried again against what the winner committed.
    let mut attempts = 0;
    loop {
        match write_transaction(conn, |conn| {
            provision_in_transaction(conn, claims, org, &subject, now)
        }) {
            Err(ProvisionError::Repo(e)) if lost_sign_in_race(&e) && attempts < 3 => attempts += 1,
            Err(ProvisionError::Repo(e)) => return Err(e.into()),
            Err(ProvisionError::UseCase(e)) => return Err(e),
            Ok(id) => return Ok(id),
        }
    }
}

/// What a concurrent first sign-in leaves the loser: the winner's member row
/// (its id, subject or e-mail), or the member it linked first.
fn lost_sign_in_race(e: &RepoError) -> bool {
    matches!(
        e,
        RepoError::Unique(Constraint::UserId | Constraint::SubjectPerOrg | Constraint::EmailPerOrg)
            | RepoError::Raced(Race::SubjectClaimed)
    )
}

enum ProvisionError {
    Repo(RepoError),
    UseCase(Error),
}

impl From<RepoError> for ProvisionError {
    fn from(e: RepoError) -> Self {
        ProvisionError::Repo(e)
    }
}

impl From<persistence::DbError> for ProvisionError {
    fn from(e: persistence::DbError) -> Self {
        ProvisionError::Repo(e.into())
    }
}

fn provision_in_transaction(
    conn: &mut DbConnection,
    claims: &SignIn,
    org: OrganizationId,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<UserId, ProvisionError> {
    repos::organizations::ensure(
        conn,
        &NewOrganization {
            id: org,
            created_at: now.naive_utc(),
        },
    )?;
    if let Some(row) = repos::users::find_by_subject(conn, org, subject)? {
        return Ok(row.id);
    }
    let email = claims.email.as_deref().and_then(|e| Email::parse(e).ok());
    if let Some(email) = &email {
        // A member an admin added ahead of sign-in becomes this person.
        if let Some(row) = repos::users::find_unclaimed_by_email(conn, org, &email.normalized())? {
            if !repos::users::claim(conn, row.id, subject)? {
                // Linked by a concurrent sign-in with another `sub`: start over.
                return Err(RepoError::Raced(Race::SubjectClaimed).into());
            }
            refresh_profile(conn, &row, claims).map_err(ProvisionError::UseCase)?;
            refresh_role(conn, &row, claims).map_err(ProvisionError::UseCase)?;
            return Ok(row.id);
        }
    }
    let wanted = UserId::from(claims.subject);
    let id = if repos::users::id_taken(conn, wanted)? {
        UserId::new_random()
    } else {
        wanted
    };
    // Held by another member: this one is created without it (see `provision`).
    let email = match email {
        Some(e) if !repos::users::email_taken(conn, org, &e.normalized())? => Some(e),
        _ => None,
    };
    let display_name = claims
        .name
        .as_deref()
        .and_then(|n| DisplayName::parse(n).ok())
        .or_else(|| {
            email
                .as_ref()
                .and_then(|e| DisplayName::parse(e.as_str()).ok())
        })
        .or_else(|| DisplayName::parse(&format!("Member {}", &subject[..8])).ok())
        .ok_or_else(|| ProvisionError::UseCase(Error::internal("no display name")))?;
    repos::users::insert(
        conn,
        &NewUser {
            id,
            organization_id: org,
            subject: Some(subject.to_owned()),
            display_name_key: display_name.search_key(),
            display_name: display_name.as_str().to_owned(),
            email_key: email.as_ref().map(Email::normalized),
            email: email.map(|e| e.as_str().to_owned()),
            created_at: now.naive_utc(),
            profile_iat: claims.iat.and_then(|iat| i64::try_from(iat).ok()),
            is_admin: claims.is_admin,
        },
    )?;
    Ok(id)
}

/// The admin role as the latest token says it (a write only on change).
fn refresh_role(conn: &mut DbConnection, row: &UserRow, claims: &SignIn) -> Result<(), Error> {
    if row.is_admin != claims.is_admin {
        repos::users::set_admin(conn, row.id, claims.is_admin)?;
    }
    Ok(())
}

/// A token newer than the last one applied, with a different name or e-mail,
/// updates the member: one read-free comparison on every verified token (the
/// verified-token cache makes that once per token), a write only on change.
/// An e-mail another member holds is left out; the name still updates.
fn refresh_profile(conn: &mut DbConnection, row: &UserRow, claims: &SignIn) -> Result<(), Error> {
    let stored = StoredProfile {
        display_name: &row.display_name,
        email: row.email.as_deref(),
        refreshed_iat: row.profile_iat,
    };
    let token = TokenProfile {
        name: claims
            .name
            .as_deref()
            .and_then(|n| DisplayName::parse(n).ok()),
        email: claims.email.as_deref().and_then(|e| Email::parse(e).ok()),
        iat: claims.iat.and_then(|iat| i64::try_from(iat).ok()),
    };
    let Some(changes) = profile_refresh::changes(&stored, token) else {
        return Ok(());
    };
    let email = match changes.email {
        Some(e)
            if repos::users::email_taken_by_other(
                conn,
                row.organization_id,
                &e.normalized(),
                row.id,
            )? =>
        {
            None
        }
        other => other,
    };
    if changes.display_name.is_none() && email.is_none() {
        return Ok(());
    }
    let refresh = ProfileRefresh {
        display_name_key: changes.display_name.as_ref().map(DisplayName::search_key),
        display_name: changes.display_name.map(|n| n.as_str().to_owned()),
        email_key: email.as_ref().map(Email::normalized),
        email: email.map(|e| e.as_str().to_owned()),
        profile_iat: changes.iat,
    };
    match repos::users::refresh_profile(conn, row.id, &refresh) {
        Ok(_) => Ok(()),
        // Another member took the address in the meantime: keep ours, and the
        // name change still goes through on the next token. Never a failed
        // request for it.
        Err(RepoError::Unique(Constraint::EmailPerOrg)) => {
            tracing::info!(user_id = %row.id, "profile refresh skipped: the e-mail was taken meanwhile");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
