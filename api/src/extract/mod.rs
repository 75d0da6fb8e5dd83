//! Request extractors that answer with problems instead of actix's plain-text errors.

pub mod expectation;
pub mod if_match;
pub mod json;
pub mod paged;
pub mod query;
pub mod shape;
pub mod strict;

pub use if_match::IfMatch;
pub use json::JsonBody;
pub use paged::Paged;
pub use query::Query;
pub use usecases::page::{Cursor, Page};
