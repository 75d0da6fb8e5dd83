//! A subscription's lifecycle status and the words a customer leaves when
//! canceling.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    Trial,
    Active,
    Canceled,
    /// A trial that ended without being converted, or a paid subscription
    /// whose period ended without renewal: its 30 days of grace, licenses
    /// still held and usable (see [`super::lifecycle`]).
    Expired,
    /// A paid subscription 30 days past its expiry: assignments kept but
    /// suspended (no one holds a license); it can still be reactivated.
    Disabled,
    /// 90 days after being disabled: assignments released, read-only for good.
    Deleted,
}

impl SubscriptionStatus {
    pub const ALL: [SubscriptionStatus; 6] = [
        SubscriptionStatus::Trial,
        SubscriptionStatus::Active,
        SubscriptionStatus::Canceled,
        SubscriptionStatus::Expired,
        SubscriptionStatus::Disabled,
        SubscriptionStatus::Deleted,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SubscriptionStatus::Trial => "trial",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Canceled => "canceled",
            SubscriptionStatus::Expired => "expired",
            SubscriptionStatus::Disabled => "disabled",
            SubscriptionStatus::Deleted => "deleted",
        }
    }

    /// Live subscriptions hold licenses that count as assigned and can be
    /// changed; the others are in their lifecycle (expired, disabled) or
    /// history (canceled, deleted).
    pub fn is_live(&self) -> bool {
        matches!(self, SubscriptionStatus::Trial | SubscriptionStatus::Active)
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "status must be `trial`, `active`, `canceled`, `expired`, `disabled` or `deleted`, got {0:?}"
)]
pub struct InvalidSubscriptionStatus(pub String);

impl FromStr for SubscriptionStatus {
    type Err = InvalidSubscriptionStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SubscriptionStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| InvalidSubscriptionStatus(s.to_owned()))
    }
}

/// Why a subscription was canceled: what its customer said (PRODUCT.md
/// §2.6), or that an admin took control of it (§7). The API lets customers
/// choose among the first seven only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CancelReason {
    NoLongerNeeded,
    TooExpensive,
    MissingFeatures,
    SwitchedService,
    TooComplex,
    TechnicalIssues,
    Other,
    /// An admin moved its users to an organisation subscription.
    TakenOverByAdmin,
}

impl CancelReason {
    pub const ALL: [CancelReason; 8] = [
        CancelReason::NoLongerNeeded,
        CancelReason::TooExpensive,
        CancelReason::MissingFeatures,
        CancelReason::SwitchedService,
        CancelReason::TooComplex,
        CancelReason::TechnicalIssues,
        CancelReason::Other,
        CancelReason::TakenOverByAdmin,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            CancelReason::NoLongerNeeded => "no_longer_needed",
            CancelReason::TooExpensive => "too_expensive",
            CancelReason::MissingFeatures => "missing_features",
            CancelReason::SwitchedService => "switched_service",
            CancelReason::TooComplex => "too_complex",
            CancelReason::TechnicalIssues => "technical_issues",
            CancelReason::Other => "other",
            CancelReason::TakenOverByAdmin => "taken_over_by_admin",
        }
    }
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("reason must be one of no_longer_needed, too_expensive, missing_features, switched_service, too_complex, technical_issues, other, taken_over_by_admin; got {0:?}")]
pub struct InvalidCancelReason(pub String);

impl FromStr for CancelReason {
    type Err = InvalidCancelReason;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CancelReason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == s)
            .ok_or_else(|| InvalidCancelReason(s.to_owned()))
    }
}

/// Free-text feedback left when canceling: trimmed, at most 2000 characters
/// (Unicode scalar values, not bytes, so accents and emoji count as one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback(String);

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum FeedbackError {
    #[error("feedback must be at most {max} characters, got {got}")]
    TooLong { max: usize, got: usize },
    /// Line breaks and tabs are text; other control characters are not, and
    /// NUL cannot even be stored in a PostgreSQL text column.
    #[error("feedback must not contain control characters other than line breaks and tabs")]
    ControlCharacter,
    #[error("feedback {0}")]
    Text(crate::text::TextProblem),
}

impl Feedback {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, FeedbackError> {
        let text = raw.trim();
        let got = text.chars().count();
        if got > Self::MAX_CHARS {
            return Err(FeedbackError::TooLong {
                max: Self::MAX_CHARS,
                got,
            });
        }
        match crate::text::check(text, crate::text::Lines::Multi) {
            Ok(()) => {}
            Err(crate::text::TextProblem::ControlCharacter) => {
                return Err(FeedbackError::ControlCharacter)
            }
            Err(other) => return Err(FeedbackError::Text(other)),
        }
        Ok(Self(text.to_owned()))
    }

    /// Feedback is optional: absent or blank text is no feedback at all,
    /// rather than an empty string stored forever.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, FeedbackError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Self::parse(text).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in SubscriptionStatus::ALL {
            assert_eq!(status.as_str().parse::<SubscriptionStatus>(), Ok(status));
        }
        for reason in CancelReason::ALL {
            assert_eq!(reason.as_str().parse::<CancelReason>(), Ok(reason));
        }
        assert!("Active".parse::<SubscriptionStatus>().is_err());
        assert!("bored".parse::<CancelReason>().is_err());
    }

    #[test]
    fn only_trial_and_active_are_live() {
        let live: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(SubscriptionStatus::is_live)
            .collect();
        assert_eq!(
            live,
            vec![SubscriptionStatus::Trial, SubscriptionStatus::Active]
        );
    }

    #[test]
    fn feedback_of_2000_chars_passes_and_2001_fails() {
        assert!(Feedback::parse(&"é".repeat(2000)).is_ok());
        assert_eq!(
            Feedback::parse(&"é".repeat(2001)),
            Err(FeedbackError::TooLong {
                max: 2000,
                got: 2001
            })
        );
        // Surrounding whitespace is trimmed before counting.
        let padded = format!("  {}\n", "x".repeat(2000));
        assert_eq!(Feedback::parse(&padded).unwrap().as_str().len(), 2000);
    }

    #[test]
    fn feedback_keeps_line_breaks_and_refuses_other_controls() {
        assert_eq!(
            Feedback::parse(" too slow\nand buggy ").unwrap().as_str(),
            "too slow\nand buggy"
        );
        assert_eq!(
            Feedback::parse("a\u{0}b"),
            Err(FeedbackError::ControlCharacter)
        );
    }

    #[test]
    fn blank_feedback_is_no_feedback() {
        assert_eq!(Feedback::parse_optional(None), Ok(None));
        assert_eq!(Feedback::parse_optional(Some("   ")), Ok(None));
        assert_eq!(
            Feedback::parse_optional(Some(" ok "))
                .unwrap()
                .unwrap()
                .as_str(),
            "ok"
        );
    }
}
