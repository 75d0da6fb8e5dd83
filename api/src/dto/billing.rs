use super::address::AddressDto;
use chrono::{DateTime, Utc};
use persistence::rows::{BillingAccountRow, BillingProfileRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The language of the profile's invoice documents (labels, amount format).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceLanguageDto {
    #[default]
    En,
    Pl,
}

impl From<InvoiceLanguageDto> for domain::invoice_language::InvoiceLanguage {
    fn from(l: InvoiceLanguageDto) -> Self {
        match l {
            InvoiceLanguageDto::En => Self::En,
            InvoiceLanguageDto::Pl => Self::Pl,
        }
    }
}

impl From<domain::invoice_language::InvoiceLanguage> for InvoiceLanguageDto {
    fn from(l: domain::invoice_language::InvoiceLanguage) -> Self {
        match l {
            domain::invoice_language::InvoiceLanguage::En => Self::En,
            domain::invoice_language::InvoiceLanguage::Pl => Self::Pl,
        }
    }
}

/// When a billing profile pays for license increases (PRODUCT.md §9):
/// `invoice_now` issues an invoice per increase at once; `next_invoice` keeps
/// each increase as a pending charge that the subscription's next invoice
/// (renewal, cancellation, or the settlement when it lapses) carries as a
/// line, like decrease credits. The amount is the same either way.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProrationBehaviorDto {
    #[default]
    InvoiceNow,
    NextInvoice,
}

impl From<ProrationBehaviorDto> for domain::billing::ProrationBehavior {
    fn from(b: ProrationBehaviorDto) -> Self {
        match b {
            ProrationBehaviorDto::InvoiceNow => Self::InvoiceNow,
            ProrationBehaviorDto::NextInvoice => Self::NextInvoice,
        }
    }
}

impl From<domain::billing::ProrationBehavior> for ProrationBehaviorDto {
    fn from(b: domain::billing::ProrationBehavior) -> Self {
        match b {
            domain::billing::ProrationBehavior::InvoiceNow => Self::InvoiceNow,
            domain::billing::ProrationBehavior::NextInvoice => Self::NextInvoice,
        }
    }
}

/// Tells a field sent as `null` (`Some(None)`: clear it) from one left out
/// (`None`: keep it); plain `Option` reads both as `None`.
pub(crate) fn null_or_value<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A purchaser's billing account (one per purchaser, created on first use).
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingAccountDto {
    pub id: Uuid,
    pub owner_id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<BillingAccountRow> for BillingAccountDto {
    type Error = crate::error::ApiError;

    fn try_from(r: BillingAccountRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: r.id.as_uuid(),
            owner_id: r.owner_id.as_uuid(),
            name: r.name,
            created_at: r.created_at.and_utc(),
        })
    }
}

crate::list_response!(BillingAccountList, BillingAccountDto);

/// Who is billed, where invoices go, and the card subscriptions are charged to.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingProfileDto {
    pub id: Uuid,
    pub billing_account_id: Uuid,
    #[schema(example = "Marketing department")]
    pub name: String,
    pub bill_to: AddressDto,
    #[schema(example = "invoices@contoso.example")]
    pub invoice_email: String,
    #[schema(example = "PO-2026-117")]
    pub po_number: Option<String>,
    /// The default payment method; every subscription billed to this profile is charged to it.
    pub payment_method_id: Option<Uuid>,
    pub invoice_language: InvoiceLanguageDto,
    /// The buyer's tax number (VAT id, NIP …), printed in the invoice's bill-to block.
    #[schema(example = "PL 5260001246")]
    pub tax_id: Option<String>,
    pub proration_behavior: ProrationBehaviorDto,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<BillingProfileRow> for BillingProfileDto {
    type Error = crate::error::ApiError;

    fn try_from(r: BillingProfileRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: r.id.as_uuid(),
            billing_account_id: r.billing_account_id.as_uuid(),
            name: r.name,
            bill_to: AddressDto {
                line1: r.bill_to_line1,
                line2: r.bill_to_line2,
                city: r.bill_to_city,
                postal_code: r.bill_to_postal_code,
                region: r.bill_to_region,
                country: r.bill_to_country,
            },
            invoice_email: r.invoice_email,
            po_number: r.po_number,
            payment_method_id: r.payment_method_id.map(|i| i.as_uuid()),
            invoice_language: r.invoice_language.into(),
            tax_id: r.tax_id,
            proration_behavior: r.proration_behavior.into(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

crate::list_response!(BillingProfileList, BillingProfileDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Marketing department",
    "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
    "invoice_email": "invoices@contoso.example",
    "po_number": "PO-2026-117",
    "payment_method_id": null,
    "invoice_language": "en",
    "tax_id": "US 12-3456789",
    "proration_behavior": "invoice_now"
}))]
pub struct CreateBillingProfileRequest {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    pub bill_to: AddressDto,
    #[schema(max_length = 254, format = Email, pattern = r"^[^@\s\x00-\x1F\x7F-\x9F]+@[^@\s.\x00-\x1F\x7F-\x9F]([^@\s\x00-\x1F\x7F-\x9F]*\.[^@\s\x00-\x1F\x7F-\x9F]*)?[^@\s.\x00-\x1F\x7F-\x9F]$")]
    pub invoice_email: String,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub po_number: Option<String>,
    /// One of your payment methods, to charge by default.
    #[serde(default)]
    pub payment_method_id: Option<Uuid>,
    /// `en` when left out.
    #[serde(default)]
    pub invoice_language: Option<InvoiceLanguageDto>,
    /// Letters, digits, spaces, `-`, `.` and `/`.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = r"^[A-Za-z0-9 ./-]*[A-Za-z0-9][A-Za-z0-9 ./-]*$",
        example = "PL 5260001246"
    )]
    pub tax_id: Option<String>,
    /// `invoice_now` when left out.
    #[serde(default)]
    pub proration_behavior: Option<ProrationBehaviorDto>,
}

/// Every field is optional; send only what changes. An empty `po_number` clears it; `tax_id: null` clears the tax id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"invoice_email": "ap@contoso.example", "po_number": "PO-2027-001"}))]
pub struct UpdateBillingProfileRequest {
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: Option<String>,
    #[serde(default)]
    pub bill_to: Option<AddressDto>,
    #[serde(default)]
    #[schema(max_length = 254, format = Email, pattern = r"^[^@\s\x00-\x1F\x7F-\x9F]+@[^@\s.\x00-\x1F\x7F-\x9F]([^@\s\x00-\x1F\x7F-\x9F]*\.[^@\s\x00-\x1F\x7F-\x9F]*)?[^@\s.\x00-\x1F\x7F-\x9F]$")]
    pub invoice_email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub po_number: Option<String>,
    #[serde(default)]
    pub payment_method_id: Option<Uuid>,
    #[serde(default)]
    pub invoice_language: Option<InvoiceLanguageDto>,
    /// Letters, digits, spaces, `-`, `.` and `/`; `null` clears it.
    #[serde(default, deserialize_with = "null_or_value")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9 ./-]*[A-Za-z0-9][A-Za-z0-9 ./-]*$", example = "PL 5260001246")]
    pub tax_id: Option<Option<String>>,
    // Applies to increases made from now on; charges already pending stay
    // pending. `null`, like a missing field, leaves it as it is.
    #[serde(default)]
    pub proration_behavior: Option<ProrationBehaviorDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacePaymentMethodRequest {
    /// One of your payment methods; it becomes the profile's default.
    pub payment_method_id: Uuid,
}

impl From<CreateBillingProfileRequest> for usecases::commands::NewBillingProfile {
    fn from(r: CreateBillingProfileRequest) -> Self {
        Self {
            name: r.name,
            bill_to: (&r.bill_to).into(),
            invoice_email: r.invoice_email,
            po_number: r.po_number,
            payment_method_id: r.payment_method_id.map(Into::into),
            invoice_language: r.invoice_language.map(Into::into),
            tax_id: r.tax_id,
            proration_behavior: r.proration_behavior.map(Into::into),
        }
    }
}

impl From<UpdateBillingProfileRequest> for usecases::commands::BillingProfileEdit {
    fn from(r: UpdateBillingProfileRequest) -> Self {
        Self {
            name: r.name,
            bill_to: r.bill_to.as_ref().map(Into::into),
            invoice_email: r.invoice_email,
            po_number: r.po_number,
            payment_method_id: r.payment_method_id.map(Into::into),
            invoice_language: r.invoice_language.map(Into::into),
            tax_id: r.tax_id,
            proration_behavior: r.proration_behavior.map(Into::into),
        }
    }
}
