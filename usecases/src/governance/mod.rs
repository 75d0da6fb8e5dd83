//! Admin governance (PRODUCT.md §7): organisation settings and the policy
//! default, the monthly spend cap, taking control of a member's purchase,
//! license requests, and the export of who holds self-service licenses.

pub mod export;
pub mod license_requests;
pub mod settings;
pub mod spend;
pub mod take_control;
