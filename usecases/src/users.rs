//! The organisation's directory.

use super::audit::{self, Change};
use crate::error::{Conflict, Error};
use crate::page::Page;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::user::{DisplayName, Email, User};
use domain::UserId;
use persistence::repos::users::{self as repo, DirectoryKey};
use persistence::rows::NewUser;
use persistence::{Constraint, DbConnection, RepoError};

pub async fn list(
    services: &Services,
    caller: &Actor,
    search: Option<String>,
    page: Page<(String, String)>,
) -> Result<(Vec<User>, Option<String>), Error> {
    let org = caller.organization_id;
    let prefix = search
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    if prefix.as_ref().is_some_and(|p| p.chars().count() > 100) {
        return Err(Error::invalid_parameter(
            "search",
            "search is at most 100 characters",
        ));
    }
    let after = page
        .after
        .clone()
        .map(|(name_key, id)| DirectoryKey { name_key, id });
    let limit = page.fetch_limit();
    let rows = services
        .db
        .read(move |conn| {
            Ok(repo::search(
                conn,
                org,
                prefix.as_deref(),
                after.as_ref(),
                limit,
            )?)
        })
        .await?;
    let (rows, next) = page.finish(rows, |(row, key)| (key.clone(), row.id.to_string()));
    let users = rows
        .into_iter()
        .map(|(row, _)| User::try_from(row))
        .collect::<Result<_, _>>()?;
    Ok((users, next))
}

pub async fn get(services: &Services, caller: &Actor, id: UserId) -> Result<User, Error> {
    let org = caller.organization_id;
    let row = services
        .db
        .read(move |conn| Ok(repo::find(conn, org, id)?))
        .await?
        .ok_or(Error::NotFound("user"))?;
    Ok(User::try_from(row)?)
}

/// Checks an admin's new member before any transaction starts.
pub struct NewMember {
    name: DisplayName,
    email: Email,
}

pub fn validate_new(caller: &Actor, display_name: &str, email: &str) -> Result<NewMember, Error> {
    caller.require_admin()?;
    Ok(NewMember {
        name: DisplayName::parse(display_name)
            .map_err(|e| Error::invalid_field("display_name", e))?,
        email: Email::parse(email).map_err(|e| Error::invalid_field("email", e))?,
    })
}

/// An admin adds a member ahead of their first sign-in (inside the caller's transaction).
pub fn add(
    conn: &mut DbConnection,
    caller: &Actor,
    member: NewMember,
    now: DateTime<Utc>,
) -> Result<User, Error> {
    let new = NewUser {
        // Their own token says whether they are an admin, at their first sign-in.
        is_admin: false,
        id: UserId::new_random(),
        organization_id: caller.organization_id,
        subject: None,
        display_name_key: member.name.search_key(),
        display_name: member.name.as_str().to_owned(),
        email: Some(member.email.as_str().to_owned()),
        email_key: Some(member.email.normalized()),
        created_at: now.naive_utc(),
        profile_iat: None,
    };
    if repo::email_taken(conn, new.organization_id, &member.email.normalized())? {
        return Err(Error::from(Conflict::EmailTaken));
    }
    repo::insert(conn, &new).map_err(|e| match e {
        // A concurrent request added the address first.
        RepoError::Unique(Constraint::EmailPerOrg) => Error::from(Conflict::EmailTaken),
        e => e.into(),
    })?;
    audit::record(
        conn,
        Change {
            action: AuditAction::UserAdded,
            target_type: "user",
            target_id: new.id.to_string(),
            subscription_id: None,
            before: None,
            after: Some(serde_json::json!({"display_name": new.display_name, "email": new.email})),
            caller,
            at: now,
        },
    )?;
    let row = repo::find(conn, new.organization_id, new.id)?
        .ok_or(Error::internal("inserted user vanished"))?;
    Ok(User::try_from(row)?)
}
