use super::common::MoneyDto;
use domain::catalog::{BillingFrequency, Product};
use domain::policy::SelfServicePolicy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PolicyDto {
    Enabled,
    Disabled,
    TrialsOnly,
}

impl From<SelfServicePolicy> for PolicyDto {
    fn from(p: SelfServicePolicy) -> Self {
        match p {
            SelfServicePolicy::Enabled => PolicyDto::Enabled,
            SelfServicePolicy::Disabled => PolicyDto::Disabled,
            SelfServicePolicy::TrialsOnly => PolicyDto::TrialsOnly,
        }
    }
}

impl From<PolicyDto> for SelfServicePolicy {
    fn from(p: PolicyDto) -> Self {
        match p {
            PolicyDto::Enabled => SelfServicePolicy::Enabled,
            PolicyDto::Disabled => SelfServicePolicy::Disabled,
            PolicyDto::TrialsOnly => SelfServicePolicy::TrialsOnly,
        }
    }
}

/// Price of one license per billing period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PricesDto {
    pub monthly: MoneyDto,
    pub annual: MoneyDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialOfferDto {
    #[schema(example = 30)]
    pub days: u32,
    #[schema(example = 25)]
    pub max_licenses: u32,
}

/// A product of the catalog, with this organisation's self-service policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    pub id: Uuid,
    #[schema(example = "Contoso CRM")]
    pub name: String,
    pub description: String,
    #[schema(example = "USD")]
    pub currency: String,
    pub unit_prices: PricesDto,
    #[schema(example = 300)]
    pub max_licenses: u32,
    /// `null` when the product offers no free trial.
    pub trial: Option<TrialOfferDto>,
    pub self_service_policy: PolicyDto,
}

impl ProductDto {
    pub fn new(product: &Product, policy: SelfServicePolicy) -> Self {
        Self {
            id: product.id().as_uuid(),
            name: product.name().to_owned(),
            description: product.description().to_owned(),
            currency: product.currency().to_string(),
            unit_prices: PricesDto {
                monthly: product.unit_price(BillingFrequency::Monthly).into(),
                annual: product.unit_price(BillingFrequency::Annual).into(),
            },
            max_licenses: product.max_licenses(),
            trial: product.trial().map(|t| TrialOfferDto {
                days: t.days,
                max_licenses: t.max_licenses,
            }),
            self_service_policy: policy.into(),
        }
    }
}

crate::list_response!(ProductList, ProductDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"policy": "trials_only"}))]
pub struct PolicyRequest {
    pub policy: PolicyDto,
}
