//! Card DTOs. Request types redact the number and security code when printed.

use super::address::AddressDto;
use chrono::{DateTime, NaiveDate, Utc};
use domain::card::CardExpiry;
use persistence::rows::PaymentMethodRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

// No `Debug`, here or on the request bodies that hold it: the number and the
// code must never reach a log line. What travels on, the use cases'
// `CardFields`, redacts both. (Not a doc comment: it would join the contract.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardInput {
    /// The full card number; checked (Luhn, brand) and never stored or echoed.
    #[schema(example = "4242 4242 4242 4242", min_length = 12, max_length = 23)]
    pub number: String,
    #[schema(example = 12, minimum = 1, maximum = 12)]
    pub exp_month: i64,
    #[schema(example = 2030)]
    pub exp_year: i64,
    /// The security code: 3 digits (4 for American Express); checked, never stored.
    #[schema(
        example = "123",
        min_length = 3,
        max_length = 4,
        pattern = r"^[0-9]{3,4}$"
    )]
    pub cvc: String,
    #[schema(
        example = "Ada Lovelace",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub holder_name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "card": {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder_name": "Ada Lovelace"},
    "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
}))]
pub struct CreatePaymentMethodRequest {
    pub card: CardInput,
    pub billing_address: AddressDto,
}

/// Edits a card. The number cannot change: a new number is a new payment method.
/// A `cvc` is checked against the brand and recorded as `cvc_check: pass`, never kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"exp_month": 1, "exp_year": 2031, "cvc": "123"}))]
pub struct UpdatePaymentMethodRequest {
    #[serde(default)]
    #[schema(minimum = 1, maximum = 12)]
    pub exp_month: Option<i64>,
    #[serde(default)]
    pub exp_year: Option<i64>,
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub holder_name: Option<String>,
    #[serde(default)]
    pub billing_address: Option<AddressDto>,
    #[serde(default)]
    #[schema(min_length = 3, max_length = 4, pattern = r"^[0-9]{3,4}$")]
    pub cvc: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodType {
    Card,
}

/// A stored card: never the number or the security code.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodDto {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: PaymentMethodType,
    #[schema(example = "visa")]
    pub brand: String,
    #[schema(example = "4242")]
    pub last4: String,
    #[schema(example = 12)]
    pub exp_month: i32,
    #[schema(example = 2030)]
    pub exp_year: i32,
    pub holder_name: String,
    pub billing_address: AddressDto,
    /// `pass` once a security code was checked, else `unchecked`.
    #[schema(example = "pass")]
    pub cvc_check: String,
    /// `true` once the expiry month has passed (valid through its last day):
    /// an expired card cannot pay for a purchase, conversion or renewal, nor
    /// become a billing profile's default.
    #[schema(example = false)]
    pub expired: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PaymentMethodDto {
    /// The card as read on `today` (which decides `expired`).
    pub fn new(r: PaymentMethodRow, today: NaiveDate) -> Result<Self, crate::error::ApiError> {
        // A stored expiry always has a valid month; one that somehow does not
        // cannot pay either, so it reads as expired.
        let expired = CardExpiry::stored(i64::from(r.exp_month), i64::from(r.exp_year))
            .map_or(true, |e| e.is_expired(today));
        Ok(Self {
            id: r.id.as_uuid(),
            kind: PaymentMethodType::Card,
            brand: r.brand,
            last4: r.last4,
            exp_month: r.exp_month,
            exp_year: r.exp_year,
            holder_name: r.holder_name,
            billing_address: AddressDto {
                line1: r.address_line1,
                line2: r.address_line2,
                city: r.address_city,
                postal_code: r.address_postal_code,
                region: r.address_region,
                country: r.address_country,
            },
            cvc_check: r.cvc_check,
            expired,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

crate::list_response!(PaymentMethodList, PaymentMethodDto);

impl From<CreatePaymentMethodRequest> for usecases::commands::NewPaymentMethod {
    fn from(r: CreatePaymentMethodRequest) -> Self {
        Self {
            card: usecases::commands::CardFields {
                number: r.card.number,
                exp_month: r.card.exp_month,
                exp_year: r.card.exp_year,
                cvc: r.card.cvc,
                holder_name: r.card.holder_name,
            },
            billing_address: (&r.billing_address).into(),
        }
    }
}

impl From<UpdatePaymentMethodRequest> for usecases::commands::PaymentMethodEdit {
    fn from(r: UpdatePaymentMethodRequest) -> Self {
        Self {
            exp_month: r.exp_month,
            exp_year: r.exp_year,
            holder_name: r.holder_name,
            billing_address: r.billing_address.as_ref().map(Into::into),
            cvc: r.cvc,
        }
    }
}
