//! Request extractors that answer with problems instead of actix's plain-text errors.

pub mod json;
pub mod pagination;

pub use json::JsonBody;
pub use pagination::{Cursor, PageQuery};
