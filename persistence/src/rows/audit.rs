use super::Nullable;
use crate::schema::audit_events;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{AuditEventId, OrganizationId, SubscriptionId, UserId};

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: AuditEventId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = Nullable<UserId>, serialize_as = Nullable<UserId>)]
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[diesel(deserialize_as = Nullable<SubscriptionId>, serialize_as = Nullable<SubscriptionId>)]
    pub subscription_id: Option<SubscriptionId>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub occurred_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: AuditEventId,
    #[diesel(deserialize_as = Nullable<UserId>, serialize_as = Nullable<UserId>)]
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[diesel(deserialize_as = Nullable<SubscriptionId>, serialize_as = Nullable<SubscriptionId>)]
    pub subscription_id: Option<SubscriptionId>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub occurred_at: NaiveDateTime,
}
