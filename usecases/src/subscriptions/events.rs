//! A subscription's audit history (purchaser and admins).

use super::load_visible;
use crate::error::Error;
use crate::page::Page;
use crate::paging;
use crate::Actor;
use crate::Services;
use chrono::NaiveDateTime;
use domain::SubscriptionId;
use persistence::repos::audit;
use persistence::rows::AuditEventRow;

pub async fn list(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<AuditEventRow>, Option<String>), Error> {
    let today = services.clock.now().date_naive();
    let caller = caller.clone();
    paging::read(
        services,
        page,
        move |conn, after, limit| {
            let loaded = load_visible(conn, &caller, id, today)?;
            Ok(audit::for_target(
                conn,
                caller.organization_id,
                "subscription",
                &loaded.row.id.to_string(),
                after,
                limit,
            )?)
        },
        |r| (r.occurred_at, r.id.to_string()),
    )
    .await
}
