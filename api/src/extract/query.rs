//! `Query<T>`: the query string, parsed with the name of any failing parameter.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};

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

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let parameter = if path == "." {
            message.split('`').nth(1).unwrap_or("query").to_owned()
        } else {
            path
        };
        let expected = message.split_once("expected ").map(|(_, e)| e.to_owned());
        let detail = match expected {
            Some(e) => format!("`{parameter}` is invalid: expected {e}"),
            None => format!("`{parameter}` is invalid: {message}"),
        };
        ApiError::invalid_parameter(parameter, detail)
    })
}
