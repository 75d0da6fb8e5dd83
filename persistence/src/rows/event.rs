use crate::schema::events;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::event::EventType;
use domain::{EventId, OrganizationId};

/// An outbox event (PRODUCT.md §8), as stored. `data` is the JSON text of the
/// resource as the API showed it after the change.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = events)]
pub struct EventRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: EventId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub event_type: EventType,
    pub created_at: NaiveDateTime,
    pub data: String,
    /// When the delivery worker fanned it out; `None` until then.
    pub dispatched_at: Option<NaiveDateTime>,
}
