use crate::schema::self_service_policies;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = self_service_policies)]
pub struct PolicyRow {
    pub organization_id: String,
    pub product_id: String,
    pub policy: String,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}
