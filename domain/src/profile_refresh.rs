//! Which of a member's profile fields a newer token changes.
//!
//! The identity provider owns names and addresses: a token issued after the
//! last one applied (`iat` strictly newer) and carrying a different `name` or
//! `email` updates the member. A claim that is absent, or does not parse,
//! changes nothing — an absent claim is not a deletion. Without an `iat`
//! tokens cannot be ordered, so they change nothing either.

use crate::user::{DisplayName, Email};

/// What the member row holds now.
pub struct StoredProfile<'a> {
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    /// The `iat` of the newest token applied so far (`None`: none yet).
    pub refreshed_iat: Option<i64>,
}

/// What a verified token says about its holder.
pub struct TokenProfile {
    pub name: Option<DisplayName>,
    pub email: Option<Email>,
    pub iat: Option<i64>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ProfileChanges {
    pub display_name: Option<DisplayName>,
    pub email: Option<Email>,
    /// Recorded with the change, so an older token never undoes a newer one.
    pub iat: i64,
}

/// `None` when the token changes nothing (the common case: no write at all).
pub fn changes(stored: &StoredProfile<'_>, token: TokenProfile) -> Option<ProfileChanges> {
    let iat = token.iat?;
    if stored.refreshed_iat.is_some_and(|last| iat <= last) {
        return None;
    }
    let display_name = token
        .name
        .filter(|name| name.as_str() != stored.display_name);
    // Compared as written: a change of case alone is still the provider's
    // current spelling and is shown from then on.
    let email = token
        .email
        .filter(|email| Some(email.as_str()) != stored.email);
    (display_name.is_some() || email.is_some()).then_some(ProfileChanges {
        display_name,
        email,
        iat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(iat: Option<i64>) -> StoredProfile<'static> {
        StoredProfile {
            display_name: "Ann",
            email: Some("ann@example.com"),
            refreshed_iat: iat,
        }
    }

    fn token(name: Option<&str>, email: Option<&str>, iat: Option<i64>) -> TokenProfile {
        TokenProfile {
            name: name.map(|n| DisplayName::parse(n).unwrap()),
            email: email.map(|e| Email::parse(e).unwrap()),
            iat,
        }
    }

    #[test]
    fn same_values_or_absent_claims_change_nothing() {
        assert_eq!(
            changes(
                &stored(Some(1)),
                token(Some("Ann"), Some("ann@example.com"), Some(2))
            ),
            None
        );
        assert_eq!(changes(&stored(Some(1)), token(None, None, Some(2))), None);
    }

    #[test]
    fn only_strictly_newer_tokens_count() {
        let newer = token(Some("Ann Smith"), None, Some(10));
        assert!(changes(&stored(Some(9)), newer).is_some());
        assert_eq!(
            changes(&stored(Some(10)), token(Some("Ann Smith"), None, Some(10))),
            None
        );
        assert_eq!(
            changes(&stored(Some(11)), token(Some("Ann Smith"), None, Some(10))),
            None
        );
        assert_eq!(
            changes(&stored(None), token(Some("Ann Smith"), None, None)),
            None
        );
    }

    #[test]
    fn each_field_changes_on_its_own() {
        let c = changes(
            &stored(None),
            token(Some("Ann"), Some("Ann@Example.com"), Some(5)),
        )
        .unwrap();
        assert_eq!(c.display_name, None);
        assert_eq!(c.email.unwrap().as_str(), "Ann@Example.com");
        assert_eq!(c.iat, 5);
        let c = changes(&stored(None), token(Some("Ann B"), None, Some(5))).unwrap();
        assert_eq!(c.display_name.unwrap().as_str(), "Ann B");
        assert_eq!(c.email, None);
    }
}
