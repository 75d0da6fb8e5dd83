use domain::address::{Address, AddressInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A postal address; `country` is an ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"line1": "1 Main St", "line2": null, "city": "Springfield", "postal_code": "12345", "region": "IL", "country": "US"}))]
pub struct AddressDto {
    #[schema(max_length = 200)]
    pub line1: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    #[schema(max_length = 100)]
    pub city: String,
    #[schema(max_length = 20)]
    pub postal_code: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub region: Option<String>,
    #[schema(example = "US", min_length = 2, max_length = 2)]
    pub country: String,
}

impl From<&AddressDto> for AddressInput {
    fn from(d: &AddressDto) -> Self {
        AddressInput {
            line1: d.line1.clone(),
            line2: d.line2.clone(),
            city: d.city.clone(),
            postal_code: d.postal_code.clone(),
            region: d.region.clone(),
            country: d.country.clone(),
        }
    }
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        AddressDto {
            line1: a.line1().to_owned(),
            line2: a.line2().map(str::to_owned),
            city: a.city().to_owned(),
            postal_code: a.postal_code().to_owned(),
            region: a.region().map(str::to_owned),
            country: a.country().to_owned(),
        }
    }
}
