//! An endpoint's signing secrets: the current one, and after a rotation the
//! previous one for 24 hours more, so receivers can switch without missing a
//! delivery. Every active secret signs (one `v1=` each).

use chrono::{DateTime, Duration, Utc};

pub const PREVIOUS_SECRET_GRACE: Duration = Duration::hours(24);

/// The prefix of every generated secret, so one is recognisable in a config file.
pub const SECRET_PREFIX: &str = "whsec_";

#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecrets {
    pub current: String,
    pub previous: Option<(String, DateTime<Utc>)>,
}

// Secrets never appear in logs.
impl std::fmt::Debug for SigningSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningSecrets")
            .field("previous_expires_at", &self.previous.as_ref().map(|p| p.1))
            .finish_non_exhaustive()
    }
}

impl SigningSecrets {
    pub fn new(current: String) -> Self {
        Self {
            current,
            previous: None,
        }
    }

    /// The secrets that sign at `now`: the current one first.
    pub fn active(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut active = vec![self.current.as_str()];
        if let Some((previous, until)) = &self.previous {
            if now < *until {
                active.push(previous.as_str());
            }
        }
        active
    }

    /// `fresh` becomes current; the current one keeps signing for 24 hours.
    /// Rotating twice within a day drops the oldest at once.
    pub fn rotate(self, fresh: String, now: DateTime<Utc>) -> Self {
        Self {
            current: fresh,
            previous: Some((self.current, now + PREVIOUS_SECRET_GRACE)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_old_secret_signs_beside_the_new_one_for_a_day() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let s = SigningSecrets::new("a".into());
        assert_eq!(s.active(t0), vec!["a"]);
        let s = s.rotate("b".into(), t0);
        assert_eq!(s.active(t0), vec!["b", "a"]);
        assert_eq!(s.active(t0 + Duration::hours(23)), vec!["b", "a"]);
        assert_eq!(s.active(t0 + PREVIOUS_SECRET_GRACE), vec!["b"]);
        let s = s.rotate("whsec_third".into(), t0 + Duration::hours(1));
        assert_eq!(s.active(t0 + Duration::hours(2)), vec!["whsec_third", "b"]);
        assert!(!format!("{s:?}").contains("whsec_third"));
    }
}
