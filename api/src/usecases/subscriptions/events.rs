//! A subscription's audit history (purchaser and admins).

use super::load_visible;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::startup::state::AppState;
use crate::usecases::paging;
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
    paging::read(
        state,
        page,
        move |conn, after, limit| {
            let loaded = load_visible(conn, &caller, &id.to_string(), today)?;
            Ok(audit::for_target(
                conn,
                &caller.org(),
                "subscription",
                &loaded.row.id,
                after,
                limit,
            )?)
        },
        |r| (r.occurred_at, r.id.clone()),
    )
    .await
}
