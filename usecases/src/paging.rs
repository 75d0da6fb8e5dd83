//! Reading one page of a keyset-paged list.

use crate::error::Error;
use crate::page::Page;
use crate::Services;
use persistence::DbConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Loads one page on a read connection and cuts it: `load` gets the key to
/// start past and how many rows to fetch (one more than the page, so the
/// next cursor is only offered when a next page exists); `key_of` is the
/// keyset key of a row, the one `load` pages by.
pub async fn read<K, R, F, G>(
    services: &Services,
    page: Page<K>,
    load: F,
    key_of: G,
) -> Result<(Vec<R>, Option<String>), Error>
where
    K: Clone + Serialize + DeserializeOwned + Send + 'static,
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, Option<K>, i64) -> Result<Vec<R>, Error> + Send + 'static,
    G: Fn(&R) -> K,
{
    let (limit, after) = (page.fetch_limit(), page.after.clone());
    let rows = services
        .db
        .read(move |conn| load(conn, after, limit))
        .await?;
    Ok(page.finish(rows, key_of))
}
