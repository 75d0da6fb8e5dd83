//! In-app notifications (PRODUCT.md §8).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Something that happened that concerns the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5b0e7c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c", "event_id": "0f1e2d3c-4b5a-4968-8776-655443322110",
    "event_type": "subscription.created", "title": "New self-service purchase",
    "summary": "Bob bought 10 licenses of Contoso CRM.", "created_at": "2026-03-16T12:00:00Z", "read_at": null
}))]
pub struct NotificationDto {
    pub id: Uuid,
    /// The event this tells about (the same id webhooks deliver it with).
    pub event_id: Uuid,
    /// The event's type.
    #[schema(schema_with = crate::openapi::events::event_type_ref)]
    pub event_type: String,
    pub title: String,
    pub summary: String,
    pub created_at: DateTime<Utc>,
    /// When the caller first marked it read; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

crate::list_response!(NotificationList, NotificationDto);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `true`: only notifications not read yet.
    pub unread: Option<bool>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_fields!(NotificationQuery);
