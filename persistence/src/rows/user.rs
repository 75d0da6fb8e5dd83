use crate::error::RepoError;
use crate::schema::users;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::user::{DisplayName, Email, User};
use domain::{OrganizationId, UserId};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    pub subject: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub profile_iat: Option<i64>,
    /// The member's latest token said `roles: ["admin"]` (refreshed at sign-in).
    pub is_admin: bool,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = users)]
pub struct NewUser {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    pub subject: Option<String>,
    pub display_name: String,
    pub display_name_key: String,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub created_at: NaiveDateTime,
    /// The `iat` of the token the name and e-mail came from (`None`: an admin's entry).
    pub profile_iat: Option<i64>,
    /// The member's latest token said `roles: ["admin"]` (refreshed at sign-in).
    pub is_admin: bool,
}

/// A newer token's name and/or e-mail; `None` fields stay as they are.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = users)]
pub struct ProfileRefresh {
    pub display_name: Option<String>,
    pub display_name_key: Option<String>,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub profile_iat: i64,
}

impl TryFrom<UserRow> for User {
    type Error = RepoError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: row.id,
            organization_id: row.organization_id,
            display_name: DisplayName::parse(&row.display_name).map_err(RepoError::corrupt)?,
            email: row
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(RepoError::corrupt)?,
            signed_in: row.subject.is_some(),
            created_at: row.created_at.and_utc(),
        })
    }
}
