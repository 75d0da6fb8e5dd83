//! Token → `Caller`, provisioning the organisation and user just in time.

use crate::auth::cache::TokenCache;
use crate::auth::{Caller, Claims};
use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use domain::user::{DisplayName, Email, Role};
use domain::UserId;
use persistence::rows::{NewOrganization, NewUser, UserRow};
use persistence::{repos, write_transaction, DbConnection, RepoError};

pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let now = state.clock.now();
    let now_secs = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let key = TokenCache::key(token);
    if let Some(caller) = state.tokens.get(&key, now_secs) {
        return Ok(caller);
    }
    let claims = state
        .verifier
        .verify(token)
        .await
        .map_err(ApiError::Unauthorized)?;
    let exp = claims.exp;
    let role = Role::from_claims(&claims.roles);
    let roles = claims.roles.clone();
    let organization_id = claims.tid.into();
    let user_id = state
        .db
        .run(move |conn| provision(conn, &claims, now))
        .await?;
    let caller = Caller {
        user_id,
        organization_id,
        role,
        roles,
    };
    state.tokens.insert(key, caller.clone(), exp, now_secs);
    Ok(caller)
}

/// Finds the member behind the token, or creates them (and their organisation).
fn provision(
    conn: &mut DbConnection,
    claims: &Claims,
    now: DateTime<Utc>,
) -> Result<UserId, ApiError> {
    let org = claims.tid.to_string();
    let subject = claims.sub.to_string();
    if let Some(row) = repos::users::find_by_subject(conn, &org, &subject)? {
        return parse_id(&row);
    }
    // Two first requests of one person can race on PostgreSQL; the loser's
    // insert hits the unique (organization_id, subject) and simply retries.
    let mut attempts = 0;
    loop {
        match write_transaction(conn, |conn| {
            provision_in_transaction(conn, claims, &org, &subject, now)
        }) {
            Err(ProvisionError::Repo(e)) if e.is_conflict() && attempts < 2 => attempts += 1,
            Err(ProvisionError::Repo(e)) => return Err(e.into()),
            Err(ProvisionError::Api(e)) => return Err(e),
            Ok(id) => return Ok(id),
        }
    }
}

enum ProvisionError {
    Repo(RepoError),
    Api(ApiError),
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
    claims: &Claims,
    org: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<UserId, ProvisionError> {
    repos::organizations::ensure(
        conn,
        &NewOrganization {
            id: org.to_owned(),
            created_at: now.naive_utc(),
        },
    )?;
    if let Some(row) = repos::users::find_by_subject(conn, org, subject)? {
        return parse_id(&row).map_err(ProvisionError::Api);
    }
    let email = claims.email.as_deref().and_then(|e| Email::parse(e).ok());
    if let Some(email) = &email {
        // A member an admin added ahead of sign-in becomes this person.
        if let Some(row) = repos::users::find_unclaimed_by_email(conn, org, &email.normalized())? {
            repos::users::claim(conn, &row.id, subject)?;
            return parse_id(&row).map_err(ProvisionError::Api);
        }
    }
    let id = if repos::users::id_taken(conn, subject)? {
        uuid::Uuid::new_v4().to_string()
    } else {
        subject.to_owned()
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
        .ok_or_else(|| ProvisionError::Api(ApiError::internal("no display name")))?;
    // The address stays on the profile but only claims uniqueness when free.
    let email_key = match &email {
        Some(e) if !repos::users::email_taken(conn, org, &e.normalized())? => Some(e.normalized()),
        _ => None,
    };
    repos::users::insert(
        conn,
        &NewUser {
            id: id.clone(),
            organization_id: org.to_owned(),
            subject: Some(subject.to_owned()),
            display_name_key: display_name.search_key(),
            display_name: display_name.as_str().to_owned(),
            email: email.map(|e| e.as_str().to_owned()),
            email_key,
            created_at: now.naive_utc(),
        },
    )?;
    id.parse()
        .map_err(|_| ProvisionError::Api(ApiError::internal("generated id is not a UUID")))
}

fn parse_id(row: &UserRow) -> Result<UserId, ApiError> {
    row.id
        .parse()
        .map_err(|_| ApiError::internal("stored user id is not a UUID"))
}
