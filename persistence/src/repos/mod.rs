//! One repository per aggregate; each function is one query (or one small, fixed set).

pub mod audit;
pub mod health;
pub mod organizations;
pub mod policies;
pub mod users;
