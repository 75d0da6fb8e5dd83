use chrono::{DateTime, Utc};
use domain::assignment::AssignmentState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// 1 to 20 distinct members of the organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_ids": ["3f2c8a4e-0b7d-4e8a-9a31-6c2f0e9d1b77"]}))]
pub struct UserBatchRequest {
    #[schema(min_items = 1, max_items = 20, value_type = BTreeSet<Uuid>)]
    pub user_ids: Vec<Uuid>,
}

/// 1–20 members to assign. With `"add_licenses": true` (and `If-Match`),
/// free licenses that fall short are added first: the total grows by exactly
/// the shortfall, within the product's maximum (a trial's: its trial
/// maximum), charged like an increase, in the same transaction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_ids": ["3d6c1a2b-8e4f-4a7d-9c1b-2e5f6a7b8c9d"], "add_licenses": true}))]
pub struct AssignRequest {
    #[schema(min_items = 1, max_items = 20, value_type = BTreeSet<Uuid>)]
    pub user_ids: Vec<Uuid>,
    /// Grow the total when free licenses are short (needs `If-Match`).
    #[serde(default)]
    #[schema(nullable = false, default = false)]
    pub add_licenses: Option<bool>,
}

/// All-or-nothing: either every listed user now holds a license, or nothing changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignResponse {
    /// Users who received a license with this request.
    pub assigned: Vec<Uuid>,
    /// Users who already held one (they consumed nothing).
    pub already_assigned: Vec<Uuid>,
    pub assigned_count: i64,
    pub available_count: i64,
    /// Licenses added to the total by `add_licenses` (0 otherwise).
    #[schema(example = 2)]
    pub licenses_added: u32,
    /// The invoice charging the added licenses, when one was issued at once
    /// (not for a trial, nor when the billing profile's `proration_behavior`
    /// is `next_invoice`); `null` otherwise.
    pub invoice_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnassignResponse {
    pub removed: Vec<Uuid>,
    /// Users who held no license: reported, not an error.
    pub not_assigned: Vec<Uuid>,
    pub assigned_count: i64,
    pub available_count: i64,
}

/// Whether an assignment is a license its user holds.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStateDto {
    /// The user holds the license.
    Active,
    /// The subscription is `disabled`: the assignment is kept so that a
    /// reactivation gives it back, but the user holds no license (it is not
    /// in their license list and not in `assigned_count`).
    Suspended,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDto {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: Option<String>,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: Uuid,
    pub state: AssignmentStateDto,
}

impl
    TryFrom<(
        persistence::rows::AssignmentRow,
        Option<persistence::rows::UserRow>,
    )> for AssignmentDto
{
    type Error = crate::error::ApiError;

    fn try_from(
        (row, person): (
            persistence::rows::AssignmentRow,
            Option<persistence::rows::UserRow>,
        ),
    ) -> Result<Self, Self::Error> {
        Ok(Self {
            user_id: row.user_id.as_uuid(),
            display_name: person
                .as_ref()
                .map(|p| p.display_name.clone())
                .unwrap_or_default(),
            email: person.and_then(|p| p.email),
            assigned_at: row.assigned_at.and_utc(),
            assigned_by: row.assigned_by.as_uuid(),
            state: match row.state {
                AssignmentState::Active => AssignmentStateDto::Active,
                AssignmentState::Suspended => AssignmentStateDto::Suspended,
            },
        })
    }
}

crate::list_response!(AssignmentList, AssignmentDto);

/// A license a user holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseDto {
    pub subscription_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub purchaser_id: Uuid,
    pub assigned_at: DateTime<Utc>,
}

crate::list_response!(LicenseList, LicenseDto);

/// The users an assignment change named, as the answer lists them.
fn uuids(users: &[domain::UserId]) -> Vec<Uuid> {
    users.iter().map(|u| u.as_uuid()).collect()
}

impl From<&usecases::assignments::Outcome> for AssignResponse {
    fn from(o: &usecases::assignments::Outcome) -> Self {
        AssignResponse {
            assigned: uuids(&o.changed),
            already_assigned: uuids(&o.unchanged),
            assigned_count: o.assigned_count,
            available_count: o.available(),
            licenses_added: 0,
            invoice_id: None,
        }
    }
}

impl From<&usecases::assignments::Outcome> for UnassignResponse {
    fn from(o: &usecases::assignments::Outcome) -> Self {
        UnassignResponse {
            removed: uuids(&o.changed),
            not_assigned: uuids(&o.unchanged),
            assigned_count: o.assigned_count,
            available_count: o.available(),
        }
    }
}
