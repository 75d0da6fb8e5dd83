use crate::schema::notifications;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::event::EventType;
use domain::ids::NotificationId;
use domain::{EventId, OrganizationId, UserId};

/// An in-app notification (PRODUCT.md §8): one recipient told about one event.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: NotificationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub recipient_id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub event_id: EventId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub event_type: EventType,
    pub title: String,
    pub summary: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}
