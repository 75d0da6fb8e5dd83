//! Pure business rules of selfserve.
//!
//! Nothing in this crate performs I/O or reads the clock: decisions take `now`
//! as an argument, values are parsed once at the boundary ("parse, don't
//! validate") and carried as types that cannot hold invalid data.

pub mod audit;
pub mod catalog;
pub mod ids;
pub mod money;
pub mod policy;
pub mod user;

pub use ids::{OrganizationId, ProductId, UserId};
pub use money::{Currency, Money};
