use crate::schema::audit_events;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Insertable, Debug)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    pub id: String,
    pub organization_id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub subscription_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub occurred_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub subscription_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub occurred_at: NaiveDateTime,
}
