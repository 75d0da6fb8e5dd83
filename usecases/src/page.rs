//! One page of a keyset-paged list: `limit` (1–100, default 25) and an
//! opaque cursor (base64url of the JSON key of the last row shown).

use crate::error::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

/// A validated page request: how many rows, and after which key.
pub struct Page<K> {
    pub limit: i64,
    pub after: Option<K>,
}

impl<K: DeserializeOwned> Page<K> {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, Error> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid_parameter(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// Asks the store for one row more than the page, to know whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Trims the extra row and makes the cursor of the next page from the last row kept.
    pub fn finish<R, F>(&self, mut rows: Vec<R>, key_of: F) -> (Vec<R>, Option<String>)
    where
        F: Fn(&R) -> K,
        K: Serialize,
    {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|r| Cursor::encode(&key_of(r)))
        } else {
            None
        };
        (rows, next)
    }
}

/// A keyset position, opaque to clients (base64url of JSON).
pub struct Cursor;

impl Cursor {
    pub fn encode<K: Serialize>(key: &K) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
    }

    pub fn decode<K: DeserializeOwned>(raw: &str) -> Result<K, Error> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                Error::invalid_parameter("cursor", "cursor is not one this service issued")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert_eq!(Page::<String>::parse(None, None).unwrap().limit, 25);
        assert!(Page::<String>::parse(Some(1), None).is_ok());
        assert!(Page::<String>::parse(Some(100), None).is_ok());
        assert!(Page::<String>::parse(Some(0), None).is_err());
        assert!(Page::<String>::parse(Some(101), None).is_err());
        assert!(Page::<String>::parse(None, Some("!!")).is_err());
    }

    #[test]
    fn cursor_round_trip_and_next_page() {
        let q = Page::<(String, String)>::parse(Some(2), None).unwrap();
        let (rows, next) = q.finish(vec![1, 2, 3], |n| (n.to_string(), "x".to_owned()));
        assert_eq!(rows, vec![1, 2]);
        let key: (String, String) = Cursor::decode(&next.unwrap()).unwrap();
        assert_eq!(key, ("2".to_owned(), "x".to_owned()));
        let (_, none) = q.finish(vec![1, 2], |n| (n.to_string(), String::new()));
        assert!(none.is_none());
    }
}
