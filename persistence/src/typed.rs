//! Typed values to and from the text columns that store them, for queries
//! that bind or select ids directly rather than through a row.

use crate::error::RepoError;

/// The stored text of each value, for `eq_any`.
pub fn texts<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// Selected text converted back; a value that does not convert is corrupt data.
pub fn parse_all<T>(stored: Vec<String>) -> Result<Vec<T>, RepoError>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    stored
        .into_iter()
        .map(|s| T::try_from(s).map_err(RepoError::corrupt))
        .collect()
}
