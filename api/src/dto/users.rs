use domain::user::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A member of the organisation's directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    #[schema(example = "3f2c8a4e-0b7d-4e8a-9a31-6c2f0e9d1b77")]
    pub id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    #[schema(example = "ada@contoso.example")]
    pub email: Option<String>,
    /// False for a member an admin added who has not signed in yet.
    pub signed_in: bool,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.as_uuid(),
            display_name: u.display_name.as_str().to_owned(),
            email: u.email.map(|e| e.as_str().to_owned()),
            signed_in: u.signed_in,
        }
    }
}

crate::list_response!(UserList, UserDto);

/// Adds a member ahead of their first sign-in, so they can receive licenses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Grace Hopper", "email": "grace@contoso.example"}))]
pub struct CreateUserRequest {
    /// 1 to 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub display_name: String,
    /// Unique in the organisation (case-insensitive).
    #[schema(max_length = 254, format = Email, pattern = r"^[^@\s\x00-\x1F\x7F-\x9F]+@[^@\s.\x00-\x1F\x7F-\x9F]([^@\s\x00-\x1F\x7F-\x9F]*\.[^@\s\x00-\x1F\x7F-\x9F]*)?[^@\s.\x00-\x1F\x7F-\x9F]$")]
    pub email: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Prefix of the display name or e-mail address (case-insensitive).
    #[param(max_length = 100)]
    pub search: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_fields!(UserListQuery);
