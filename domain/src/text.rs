//! Free text that people type and other people read (names, addresses,
//! feedback): one rule for every such field, so that no field lets through
//! what another refuses.
//!
//! Refused: control characters (line breaks and tabs only where a field is
//! multi-line), bidirectional overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069: an override inside "Invoice<U+202E>gpj.exe" makes it
//! display as "Invoiceexe.jpg"), and text made only of invisible characters (a "name" nobody can see).

use thiserror::Error;

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum TextProblem {
    #[error("{}", self.message())]
    ControlCharacter,
    #[error("{}", self.message())]
    BidiControl,
    #[error("{}", self.message())]
    InvisibleOnly,
}

impl TextProblem {
    /// The rule in plain words, for a message that names the field first.
    pub fn message(self) -> &'static str {
        match self {
            TextProblem::ControlCharacter => "must not contain control characters",
            TextProblem::BidiControl => "must not contain bidirectional override or isolate characters (U+202A to U+202E, U+2066 to U+2069)",
            TextProblem::InvisibleOnly => "must contain visible characters",
        }
    }
}

/// Whether line breaks and tabs are part of the text (feedback) or not (a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// Checks one field's text; emptiness and length are the field's own rules.
pub fn check(text: &str, lines: Lines) -> Result<(), TextProblem> {
    let allowed_control = |c: char| lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(TextProblem::ControlCharacter);
    }
    if text.chars().any(is_bidi_control) {
        return Err(TextProblem::BidiControl);
    }
    if !text.is_empty() && text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(TextProblem::InvisibleOnly);
    }
    Ok(())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: format characters (zero-width spaces and
/// joiners, marks, the byte-order mark, tag characters), fillers that fonts
/// draw blank, and variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for ok in [
            "Zażółć gęślą jaźń",
            "Łódź",
            "O’Brien – “Ltd”",
            "山田 太郎",
            "עברית",
            "a\u{200D}b",
        ] {
            assert_eq!(check(ok, Lines::Single), Ok(()), "{ok}");
        }
        assert_eq!(check("line one\nline two\ttab", Lines::Multi), Ok(()));
    }

    #[test]
    fn control_characters_are_refused_except_breaks_in_multi_line_text() {
        assert_eq!(
            check("a\nb", Lines::Single),
            Err(TextProblem::ControlCharacter)
        );
        assert_eq!(
            check("a\u{0}b", Lines::Multi),
            Err(TextProblem::ControlCharacter)
        );
        assert_eq!(
            check("a\u{7F}b", Lines::Multi),
            Err(TextProblem::ControlCharacter)
        );
    }

    #[test]
    fn every_bidi_override_and_isolate_is_refused() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let text = format!("Invoice{c}fdp.exe");
            assert_eq!(
                check(&text, Lines::Multi),
                Err(TextProblem::BidiControl),
                "{c:?}"
            );
        }
    }

    #[test]
    fn text_of_invisible_characters_only_is_refused() {
        for bad in [
            "\u{200B}",
            "\u{200B} \u{FEFF}",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{E0041}",
        ] {
            assert_eq!(
                check(bad, Lines::Single),
                Err(TextProblem::InvisibleOnly),
                "{bad:?}"
            );
        }
        assert_eq!(check("a\u{200B}", Lines::Single), Ok(()));
    }
}
