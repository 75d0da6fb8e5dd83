use crate::schema::organizations;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Insertable, Debug)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    pub id: String,
    pub created_at: NaiveDateTime,
}
