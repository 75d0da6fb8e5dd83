//! The note a member writes when asking for a license, or an admin when
//! deciding: at most 500 characters of the service's one free-text rule.

use crate::text::{self, Lines, TextProblem};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestMessage(String);

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum MessageError {
    #[error("message must be at most {max} characters, got {got}")]
    TooLong { max: usize, got: usize },
    #[error("message {0}")]
    Text(TextProblem),
}

impl RequestMessage {
    /// Characters (Unicode scalar values, not bytes) after trimming.
    pub const MAX_CHARS: usize = 500;

    /// A message is optional: absent or blank text is no message, rather
    /// than an empty string kept for a year.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, MessageError> {
        let text = match raw.map(str::trim) {
            None | Some("") => return Ok(None),
            Some(text) => text,
        };
        let got = text.chars().count();
        if got > Self::MAX_CHARS {
            return Err(MessageError::TooLong {
                max: Self::MAX_CHARS,
                got,
            });
        }
        text::check(text, Lines::Multi).map_err(MessageError::Text)?;
        Ok(Some(Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_hundred_characters_pass_and_501_fail() {
        let ok = RequestMessage::parse_optional(Some(&"ż".repeat(500))).unwrap();
        assert_eq!(ok.unwrap().as_str().chars().count(), 500);
        assert_eq!(
            RequestMessage::parse_optional(Some(&"ż".repeat(501))),
            Err(MessageError::TooLong { max: 500, got: 501 })
        );
        // Trimmed before counting.
        let padded = format!("  {}\n", "x".repeat(500));
        assert!(RequestMessage::parse_optional(Some(&padded)).is_ok());
    }

    #[test]
    fn blank_is_no_message() {
        assert_eq!(RequestMessage::parse_optional(None), Ok(None));
        assert_eq!(RequestMessage::parse_optional(Some(" \n ")), Ok(None));
    }

    #[test]
    fn the_free_text_rule_applies() {
        assert_eq!(
            RequestMessage::parse_optional(Some("please\nthanks"))
                .unwrap()
                .unwrap()
                .as_str(),
            "please\nthanks"
        );
        assert_eq!(
            RequestMessage::parse_optional(Some("a\u{0}b")),
            Err(MessageError::Text(TextProblem::ControlCharacter))
        );
        assert_eq!(
            RequestMessage::parse_optional(Some("a\u{202E}b")),
            Err(MessageError::Text(TextProblem::BidiControl))
        );
        assert_eq!(
            RequestMessage::parse_optional(Some("\u{200B}")),
            Err(MessageError::Text(TextProblem::InvisibleOnly))
        );
    }
}
