//! The payloads of events (PRODUCT.md §8) that are not a resource on their
//! own; the envelope and one schema per event type are written into the
//! contract by `crate::openapi::events`, so integrators can generate webhook types.

use super::subscriptions::SubscriptionDto;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `data` of `licenses.assigned` and `licenses.unassigned`: the subscription
/// after the change and exactly the users who gained (or lost) a license.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicensesEventData {
    pub subscription: SubscriptionDto,
    /// The users whose license changed (never those already assigned, or not assigned).
    pub user_ids: Vec<Uuid>,
}

/// `data` of `seats.threshold_reached`: the subscription and the share of
/// its licenses now in use that was just reached (once per crossing).
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatsEventData {
    pub subscription: SubscriptionDto,
    /// 80 or 100 (percent of `license_count` assigned).
    #[schema(example = 80, minimum = 80, maximum = 100)]
    pub threshold: u8,
}
