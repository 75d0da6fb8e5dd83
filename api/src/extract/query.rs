//! `Query<T>`: the query string, parsed with the name of any failing parameter.

use super::shape::BodySchemas;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::web;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use utoipa::IntoParams;

pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + IntoParams> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let schemas = req.app_data::<web::Data<BodySchemas>>();
        ready(parse(req.query_string(), schemas.map(|s| s.get_ref())).map(Query))
    }
}

/// The query string as `T`, or 422 naming the parameter and saying, from the
/// contract's own parameter schema, what it must be.
pub fn parse<T: DeserializeOwned + IntoParams>(
    query: &str,
    schemas: Option<&BodySchemas>,
) -> Result<T, ApiError> {
    // `?=x` names no parameter: refused rather than silently ignored.
    if form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name.is_empty()) {
        return Err(ApiError::invalid_parameter(
            String::new(),
            "every query parameter needs a name (`name=value`)".to_owned(),
        ));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let parameter = if path == "." {
            // A parameter that is missing or unknown is named in serde's message.
            e.inner()
                .to_string()
                .split('`')
                .nth(1)
                .unwrap_or("query")
                .to_owned()
        } else {
            path
        };
        let expectation = T::into_params(|| None)
            .into_iter()
            .find(|p| p.name == parameter)
            .and_then(|p| serde_json::to_value(p.schema).ok())
            .map(|schema| match schemas {
                Some(s) => s.describe(&schema),
                None => super::expectation::describe(&schema, &|s| Some(s)),
            });
        let detail = match expectation {
            Some(e) => format!("`{parameter}` {e}"),
            None => format!("`{parameter}` is not a parameter of this operation"),
        };
        ApiError::invalid_parameter(parameter, detail)
    })
}
