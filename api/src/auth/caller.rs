//! `Caller`: the authenticated member behind a request. How a request
//! becomes one (the bearer token, the verified-token cache, provisioning)
//! is `handlers::caller` and `usecases::authenticate`: this module knows
//! nothing of requests, state or use cases.

use domain::user::Role;
use domain::{OrganizationId, UserId};

#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub role: Role,
    /// The token's roles claim as given, reported by `GET /v1/me`.
    pub roles: Vec<String>,
}

/// A member asked for an admin-only operation; answered as 403 `admin_only`
/// (see `ApiError`'s `From`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminOnly;

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    /// For admin-only operations: `AdminOnly` for members.
    pub fn require_admin(&self) -> Result<(), AdminOnly> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AdminOnly)
        }
    }

    pub fn org(&self) -> String {
        self.organization_id.to_string()
    }
}
