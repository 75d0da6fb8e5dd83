//! A subscription's audit history (purchaser and admins).

use super::load_visible;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::startup::state::AppState;
use chrono::NaiveDateTime;
use persistence::repos::audit;
use persistence::rows::AuditEventRow;

pub async fn list(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
    page: PageQuery<(NaiveDateTime, String)>,
) -> Result<(Vec<AuditEventRow>, Option<String>), ApiError> {
    let today = state.clock.now().date_naive();
    let caller = caller.clone();
    let (limit, after) = (page.fetch_limit(), page.after.clone());
    let rows = state
        .db
        .read(move |conn| {
            let loaded = load_visible(conn, &caller, &id.to_string(), today)?;
            Ok(audit::for_target(
                conn,
                &caller.org(),
                "subscription",
                &loaded.row.id,
                after,
                limit,
            )?)
        })
        .await?;
    Ok(page.finish(rows, |r| (r.occurred_at, r.id.clone())))
}
