//! `Paged<K, Q>`: a list operation's query string — its filters `Q`, checked
//! strictly like `Query<Q>` — and the page it asks for (`limit`, `cursor`),
//! already validated and decoded into the keyset key `K` the use case pages by.

use super::query;
use super::shape::BodySchemas;
use crate::dto::common::PageParams;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use usecases::page::Page;
use utoipa::IntoParams;

/// A query string that carries `limit` and `cursor`.
pub trait PageFields {
    fn limit(&self) -> Option<i64>;
    fn cursor(&self) -> Option<&str>;
}

/// Implements [`PageFields`] for query structs with `limit` and `cursor` fields.
#[macro_export]
macro_rules! page_fields {
    ($($query:ty),+ $(,)?) => {$(
        impl $crate::extract::paged::PageFields for $query {
            fn limit(&self) -> Option<i64> {
                self.limit
            }
            fn cursor(&self) -> Option<&str> {
                self.cursor.as_deref()
            }
        }
    )+};
}

page_fields!(PageParams);

pub struct Paged<K, Q = PageParams> {
    pub filters: Q,
    pub page: Page<K>,
}

impl<K, Q> FromRequest for Paged<K, Q>
where
    K: DeserializeOwned,
    Q: DeserializeOwned + IntoParams + PageFields,
{
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let schemas = req.app_data::<web::Data<BodySchemas>>();
        ready(
            query::parse::<Q>(req.query_string(), schemas.map(|s| s.get_ref())).and_then(
                |filters| {
                    let page = Page::parse(filters.limit(), filters.cursor())?;
                    Ok(Paged { filters, page })
                },
            ),
        )
    }
}
