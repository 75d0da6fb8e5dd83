//! Use cases: each owns its transaction, asks `domain` for decisions and
//! `persistence` for rows, and answers in `ApiError` terms.

pub mod audit;
pub mod authenticate;
pub mod products;
pub mod users;
