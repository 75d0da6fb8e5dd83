use super::users::UserDto;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloudDto {
    Global,
    China,
}

/// Who the caller is, and where this deployment lives.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserDto,
    pub organization_id: Uuid,
    /// The token's roles; `admin` marks an organisation admin.
    #[schema(example = json!(["admin"]))]
    pub roles: Vec<String>,
    pub is_admin: bool,
    pub cloud: CloudDto,
    /// The admin portal of this cloud.
    #[schema(example = "https://portal.selfserve.example.com")]
    pub portal_url: String,
}
