//! Row types: `XRow` (read), `NewX` (insert), converted to domain types with `TryFrom`.

pub mod audit;
pub mod organization;
pub mod policy;
pub mod user;

pub use audit::{AuditEventRow, NewAuditEvent};
pub use organization::NewOrganization;
pub use policy::PolicyRow;
pub use user::{NewUser, UserRow};
