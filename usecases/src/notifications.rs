//! In-app notifications (PRODUCT.md §8): each member reads and marks only
//! their own; anyone else's id is not found.

use crate::error::Error;
use crate::page::Page;
use crate::{paging, Actor, Services};
use chrono::NaiveDateTime;
use domain::ids::NotificationId;
use persistence::repos::notifications as repo;
use persistence::rows::NotificationRow;

/// The caller's notifications, newest first (`unread_only`: not read yet).
pub async fn list(
    services: &Services,
    caller: &Actor,
    unread_only: bool,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<NotificationRow>, Option<String>), Error> {
    let (org, me) = (caller.organization_id, caller.user_id);
    paging::read(
        services,
        page,
        move |conn, before, limit| {
            Ok(repo::for_recipient(
                conn,
                org,
                me,
                unread_only,
                before,
                limit,
            )?)
        },
        |n| (n.created_at, n.id.to_string()),
    )
    .await
}

/// Marks one of the caller's notifications read; again is harmless (the
/// first time is kept).
pub async fn read(
    services: &Services,
    caller: &Actor,
    id: NotificationId,
) -> Result<NotificationRow, Error> {
    services
        .write(caller, move |conn, caller, now| {
            repo::mark_read(
                conn,
                caller.organization_id,
                caller.user_id,
                id,
                now.naive_utc(),
            )?
            .ok_or(Error::NotFound("notification"))
        })
        .await
}
