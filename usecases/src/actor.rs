//! `Actor`: the authenticated member a use case acts for. How a request
//! becomes one (a bearer token, a verified-token cache) is the API's business.

use crate::error::{Error, Forbidden};
use domain::user::Role;
use domain::{OrganizationId, UserId};

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub role: Role,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    /// For admin-only operations: 403 `admin_only` for members.
    pub fn require_admin(&self) -> Result<(), Error> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Forbidden::AdminOnly.into())
        }
    }

    /// The organisation's id as stored.
    pub fn org(&self) -> String {
        self.organization_id.to_string()
    }
}
