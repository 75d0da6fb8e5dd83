use crate::schema::organizations;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::OrganizationId;

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: OrganizationId,
    pub created_at: NaiveDateTime,
}
