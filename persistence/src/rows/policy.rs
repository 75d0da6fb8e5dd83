use crate::schema::self_service_policies;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::policy::SelfServicePolicy;
use domain::{OrganizationId, ProductId, UserId};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = self_service_policies)]
pub struct PolicyRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub product_id: ProductId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub policy: SelfServicePolicy,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub updated_by: UserId,
    pub updated_at: NaiveDateTime,
}
