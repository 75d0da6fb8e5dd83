//! `JsonBody<T>`: a JSON request body read with a 64 KiB limit, parsed with
//! the path of any failing field, so that every rejection says which field.

use super::expectation::Step;
use super::shape::BodySchemas;
use super::strict::StrictError;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

/// Request bodies larger than this are refused with 413 (PRODUCT.md §3).
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct JsonBody<T> {
    value: T,
    /// The body as received, for the idempotency request hash.
    raw: actix_web::web::Bytes,
}

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    pub fn into_parts(self) -> (T, actix_web::web::Bytes) {
        (self.value, self.raw)
    }
}

impl<T: DeserializeOwned + utoipa::ToSchema + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        let shapes = req
            .app_data::<actix_web::web::Data<super::shape::BodySchemas>>()
            .cloned();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > BODY_LIMIT) {
                return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
                if body.len() + chunk.len() > BODY_LIMIT {
                    return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            let raw = body.freeze();
            // Parsed once: the shape check and the typed value both read this tree.
            let tree = syntax(&raw)?;
            if let Some(shapes) = &shapes {
                shapes.check(&T::name(), &tree).map_err(|field| {
                    ApiError::invalid_field(
                        field.clone(),
                        format!("`{field}` must be a JSON object"),
                    )
                })?;
            }
            typed(tree, shapes.as_ref().map(|s| s.get_ref()), &T::name())
                .map(|value| JsonBody { value, raw })
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a body; syntax errors are 400, shape errors 422 naming the field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    typed(syntax(body)?, None, "")
}

/// Any JSON at all, with no key repeated in an object, or 400 / 422.
fn syntax(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    super::strict::parse(body).map_err(|e| match e {
        StrictError::DuplicateKey(field) => ApiError::DuplicateField { field },
        StrictError::Syntax(e) => ApiError::MalformedJson(e.to_string()),
    })
}

/// The request type, or 422 naming the field and saying what it must be.
fn typed<T: DeserializeOwned>(
    tree: serde_json::Value,
    shapes: Option<&BodySchemas>,
    schema_name: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(tree).map_err(|e| classify(e, shapes, schema_name))
}

fn steps(path: &serde_path_to_error::Path) -> Vec<Step> {
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { .. } => Step::Index,
            Segment::Map { key } => Step::Key(key.clone()),
            Segment::Enum { variant } => Step::Key(variant.clone()),
            Segment::Unknown => Step::Key(String::new()),
        })
        .collect()
}

fn classify(
    err: serde_path_to_error::Error<serde_json::Error>,
    shapes: Option<&BodySchemas>,
    schema_name: &str,
) -> ApiError {
    let path = err.path().to_string();
    let expectation = shapes.and_then(|s| s.expectation(schema_name, &steps(err.path())));
    let inner = err.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let message = strip_position(&inner.to_string());
            let quoted = message.split('`').nth(1).map(str::to_owned);
            let join = |name: &str| {
                if path == "." || path.is_empty() {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                }
            };
            if message.starts_with("unknown field") {
                // The path already ends at the unknown field itself.
                let field = if path == "." {
                    quoted.unwrap_or_else(|| "?".to_owned())
                } else {
                    path
                };
                ApiError::UnknownField { field }
            } else if message.starts_with("missing field") {
                let field = join(quoted.as_deref().unwrap_or("?"));
                ApiError::invalid_field(field.clone(), format!("`{field}` is required"))
            } else {
                // The contract says what the field must be; serde's own words
                // ("invalid type: integer `4242…`, expected i64") are Rust's, and
                // may quote a card number, so they are never repeated.
                let field = if path == "." { "body".to_owned() } else { path };
                let detail = match expectation {
                    Some(e) => format!("`{field}` {e}"),
                    None => format!("`{field}` has a value of the wrong kind"),
                };
                ApiError::invalid_field(field, detail)
            }
        }
        _ => ApiError::MalformedJson(inner.to_string()),
    }
}

/// serde_json appends " at line 1 column 9"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use usecases::Invalid;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn errors_name_the_field() {
        assert!(matches!(
            parse::<Body>(b"{\"name\": \"a\""),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse::<Body>(b"{\"name\":\"a\"} x"),
            Err(ApiError::MalformedJson(_))
        ));
        match parse::<Body>(br#"{"name":"a","id":"x"}"#) {
            Err(ApiError::UnknownField { field }) => assert_eq!(field, "id"),
            other => panic!("{other:?}"),
        }
        match parse::<Body>(br#"{"name":"a","inner":{"count":1,"x":2}}"#) {
            Err(ApiError::UnknownField { field }) => assert_eq!(field, "inner.x"),
            other => panic!("{other:?}"),
        }
        match parse::<Body>(br#"{"name":"a","inner":{"count":-1}}"#) {
            Err(ApiError::UseCase(usecases::Error::Invalid(Invalid::Field { field, .. }))) => {
                assert_eq!(field, "inner.count")
            }
            other => panic!("{other:?}"),
        }
        match parse::<Body>(br#"{"name": 4242424242424242}"#) {
            Err(e @ ApiError::UseCase(usecases::Error::Invalid(Invalid::Field { .. }))) => {
                assert!(!e.to_string().contains("4242"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        match parse::<Body>(br#"{}"#) {
            Err(ApiError::UseCase(usecases::Error::Invalid(Invalid::Field { field, .. }))) => {
                assert_eq!(field, "name")
            }
            other => panic!("{other:?}"),
        }
    }
}
