//! A subscription's audit history (purchaser and admins).

use super::load_visible;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use persistence::repos::audit;
use persistence::rows::AuditEventRow;

pub async fn list(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<Vec<AuditEventRow>, ApiError> {
    let today = state.clock.now().date_naive();
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let loaded = load_visible(conn, &caller, &id.to_string(), today)?;
            Ok(audit::for_target(
                conn,
                &caller.org(),
                "subscription",
                &loaded.row.id,
            )?)
        })
        .await
}
