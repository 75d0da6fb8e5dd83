//! Ids read back from the database into response bodies. A stored id that is
//! not a UUID is a corrupt row (a bug or a manual edit): the request fails
//! with a logged 500, never an answer carrying the all-zero UUID.

use crate::error::ApiError;
use persistence::RepoError;
use uuid::Uuid;

/// A stored id, or a "corrupt row" internal error.
pub fn stored_id(s: &str) -> Result<Uuid, ApiError> {
    s.parse()
        .map_err(|_| ApiError::from(RepoError::corrupt(format!("stored id {s:?} is not a UUID"))))
}

/// A stored optional id (`NULL` is `None`; text that is not a UUID is corrupt).
pub fn stored_opt_id(s: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    s.map(stored_id).transpose()
}

/// Stored ids, all or nothing.
pub fn stored_ids(values: &[String]) -> Result<Vec<Uuid>, ApiError> {
    values.iter().map(|s| stored_id(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_id_that_is_no_uuid_is_an_internal_error_not_nil() {
        let id = Uuid::new_v4();
        assert_eq!(stored_id(&id.to_string()).ok(), Some(id));
        assert!(matches!(
            stored_id("not-a-uuid"),
            Err(ApiError::UseCase(usecases::Error::Storage(
                RepoError::Corrupt(_)
            )))
        ));
        assert!(matches!(stored_opt_id(None), Ok(None)));
        assert!(stored_opt_id(Some("x")).is_err());
        assert!(stored_ids(&[id.to_string(), "x".to_owned()]).is_err());
    }
}
