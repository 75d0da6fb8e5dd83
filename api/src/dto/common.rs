use domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An amount of money: integer minor units (cents for USD) and an ISO 4217 currency.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct MoneyDto {
    #[schema(example = 1250)]
    pub amount: i64,
    #[schema(example = "USD")]
    pub currency: String,
}

impl From<Money> for MoneyDto {
    fn from(m: Money) -> Self {
        Self {
            amount: m.amount(),
            currency: m.currency().to_string(),
        }
    }
}

/// Declares a list response `{ "data": [...], "next_cursor": ... }` for one item type.
#[macro_export]
macro_rules! list_response {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub data: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }
    };
}

/// `limit` and `cursor` of a list without other filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A downloaded file (the body is the file's bytes).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(pub Vec<u8>);

/// The optional `Idempotency-Key` request header of creating operations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// Makes a retry safe: the same key and body within 24 h replay the first response.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7E]+$",
        nullable = false
    )]
    pub idempotency_key: Option<String>,
}
