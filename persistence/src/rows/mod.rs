//! Row types: `XRow` (read), `NewX` (insert), converted to domain types with `TryFrom`.

pub mod audit;
pub mod billing;
pub mod event;
pub mod governance;
pub mod idempotency;
pub mod invoice;
mod nullable;
pub mod organization;
pub mod payment_method;
pub mod policy;
pub mod quote;
pub mod subscription;
pub mod user;

pub use audit::{AuditEventRow, NewAuditEvent};
pub use billing::{BillingAccountRow, BillingProfileChangeset, BillingProfileRow};
pub use event::EventRow;
pub use governance::{
    LicenseRequestRow, LicenseRequestUserRow, OrganizationSettingsRow, StoredLicenseRequest,
};
pub use idempotency::IdempotencyRow;
pub use invoice::{InvoiceLineRow, InvoiceRow, PendingCreditRow};
pub use nullable::Nullable;
pub use organization::NewOrganization;
pub use payment_method::{PaymentMethodChangeset, PaymentMethodRow};
pub use policy::PolicyRow;
pub use quote::QuoteRow;
pub use subscription::{AssignmentRow, SubscriptionChanges, SubscriptionRow};
pub use user::{NewUser, ProfileRefresh, UserRow};
