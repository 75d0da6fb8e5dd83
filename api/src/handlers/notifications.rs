//! In-app notifications (PRODUCT.md §8): the caller's own.

use crate::auth::Caller;
use crate::dto::notifications::{NotificationDto, NotificationList, NotificationQuery};
use crate::error::ApiError;
use crate::extract::Paged;
use crate::startup::state::AppState;
use actix_web::{get, post, web};
use persistence::rows::NotificationRow;
use usecases::notifications as usecase;
use uuid::Uuid;

impl From<NotificationRow> for NotificationDto {
    fn from(n: NotificationRow) -> Self {
        Self {
            id: n.id.as_uuid(),
            event_id: n.event_id.as_uuid(),
            event_type: n.event_type.as_str().to_owned(),
            title: n.title,
            summary: n.summary,
            created_at: n.created_at.and_utc(),
            read_at: n.read_at.map(|at| at.and_utc()),
        }
    }
}

/// The caller's notifications, newest first: admins hear of every
/// self-service purchase, the first trial of each product and every license
/// request; purchasers of take-overs, lifecycle changes, cards expiring
/// within 30 days and seat use reaching 80 % and 100 %; requesters of the
/// decision. `unread=true` lists only those not read yet.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses(
    (status = 200, description = "A page of notifications", body = NotificationList),
))]
#[get("")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(chrono::NaiveDateTime, String), NotificationQuery>,
) -> Result<web::Json<NotificationList>, ApiError> {
    let Paged { filters, page } = list;
    let unread = filters.unread.unwrap_or(false);
    let (rows, next_cursor) = usecase::list(&state.services, caller.actor(), unread, page).await?;
    Ok(web::Json(NotificationList {
        data: rows.into_iter().map(NotificationDto::from).collect(),
        next_cursor,
    }))
}

/// Marks one of the caller's notifications read. Idempotent: marking it
/// again keeps the first `read_at`. Another member's notification is 404.
#[utoipa::path(tag = "notifications", params(("notification_id" = Uuid, Path, description = "Notification id")), responses(
    (status = 200, description = "The notification, read", body = NotificationDto),
))]
#[post("/{notification_id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<NotificationDto>, ApiError> {
    let row = usecase::read(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json(row.into()))
}
