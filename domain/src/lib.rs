//! Pure business rules of selfserve.
//!
//! Nothing in this crate performs I/O or reads the clock: decisions take `now`
//! as an argument, values are parsed once at the boundary ("parse, don't
//! validate") and carried as types that cannot hold invalid data.

pub mod address;
pub mod assignment;
pub mod audit;
pub mod billing;
pub mod card;
pub mod catalog;
pub mod event;
pub mod governance;
pub mod ids;
pub mod invoice;
pub mod invoice_language;
pub mod license;
pub mod money;
pub mod policy;
pub mod profile_refresh;
pub mod seller;
mod stored;
pub mod subscription;
pub mod tax_id;
pub mod text;
pub mod user;

pub use billing::BillingPeriod;
pub use ids::{
    AuditEventId, BillingAccountId, BillingProfileId, EventId, InvoiceId, OrganizationId,
    PaymentMethodId, PendingCreditId, ProductId, QuoteId, SubscriptionId, UserId,
};
pub use license::LicenseCount;
pub use money::{Currency, Money};
