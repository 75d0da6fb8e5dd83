//! Members of an organisation: names, e-mail addresses and roles.

use thiserror::Error;

/// A person's display name: 1 to 100 characters after trimming, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UserFieldError {
    #[error("display_name must be 1 to 100 characters without control characters")]
    InvalidDisplayName,
    #[error("display_name {0}")]
    DisplayNameText(crate::text::TextProblem),
    #[error("email must be an address like name@example.com (at most 254 characters)")]
    InvalidEmail,
}

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, UserFieldError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(UserFieldError::InvalidDisplayName);
        }
        crate::text::check(name, crate::text::Lines::Single)
            .map_err(UserFieldError::DisplayNameText)?;
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key the directory searches and sorts by.
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// An e-mail address, checked for shape only (the mailbox is not verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, UserFieldError> {
        let email = raw.trim();
        let valid = email.len() <= Self::MAX_LEN
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(email.to_owned()))
        } else {
            Err(UserFieldError::InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Addresses are unique per organisation regardless of case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// What a caller may do, derived from the token's `roles` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Member,
    Admin,
}

impl Role {
    /// `"admin"` in the roles claim marks an organisation admin; every other value is ignored.
    pub fn from_claims<S: AsRef<str>>(roles: &[S]) -> Self {
        if roles.iter().any(|r| r.as_ref() == "admin") {
            Role::Admin
        } else {
            Role::Member
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_bounds() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse(&"x".repeat(100)).is_ok());
        assert_eq!(
            DisplayName::parse(&"x".repeat(101)),
            Err(UserFieldError::InvalidDisplayName)
        );
        assert_eq!(
            DisplayName::parse("   "),
            Err(UserFieldError::InvalidDisplayName)
        );
        assert_eq!(
            DisplayName::parse("a\u{0}b"),
            Err(UserFieldError::DisplayNameText(
                crate::text::TextProblem::ControlCharacter
            ))
        );
        assert_eq!(
            DisplayName::parse("\u{200B}"),
            Err(UserFieldError::DisplayNameText(
                crate::text::TextProblem::InvisibleOnly
            ))
        );
    }

    #[test]
    fn email_shape() {
        assert_eq!(
            Email::parse("Ada@Example.com").unwrap().normalized(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(UserFieldError::InvalidEmail),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_admin_role_counts() {
        assert_eq!(Role::from_claims(&["reader", "admin"]), Role::Admin);
        assert_eq!(Role::from_claims(&["Admin"]), Role::Member);
        assert_eq!(Role::from_claims::<&str>(&[]), Role::Member);
    }
}

/// A member of an organisation's directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: crate::UserId,
    pub organization_id: crate::OrganizationId,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    /// False for a member an admin added who has not signed in yet.
    pub signed_in: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
