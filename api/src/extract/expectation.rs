//! What a value must be, in the client's words, read from the contract's own
//! schema ("must be a whole number from 1 to 100"), so that messages never
//! repeat Rust's ("expected i64", "invalid type", "UUID parsing failed").

use serde_json::Value;

/// One step into a JSON value: an object key or an array position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index,
}

/// The schema that `steps` lead to from `schema`, following `$ref`s through
/// `resolve` and looking into every alternative of a `oneOf` / `anyOf` / `allOf`.
pub fn walk<'a>(
    schema: &'a Value,
    steps: &[Step],
    resolve: &dyn Fn(&'a Value) -> Option<&'a Value>,
) -> Option<&'a Value> {
    let schema = resolve(schema)?;
    let Some((first, rest)) = steps.split_first() else {
        return Some(schema);
    };
    if let Some(variants) = alternatives(schema) {
        return variants.iter().find_map(|v| walk(v, steps, resolve));
    }
    let next = match first {
        Step::Key(key) => schema.get("properties")?.get(key)?,
        Step::Index => schema.get("items")?,
    };
    walk(next, rest, resolve)
}

fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array))
}

/// "must be …" for a schema.
pub fn describe<'a>(schema: &'a Value, resolve: &dyn Fn(&'a Value) -> Option<&'a Value>) -> String {
    describe_at(schema, resolve, 0)
}

fn describe_at<'a>(
    schema: &'a Value,
    resolve: &dyn Fn(&'a Value) -> Option<&'a Value>,
    depth: usize,
) -> String {
    const FALLBACK: &str = "has a value of the wrong kind";
    let Some(schema) = resolve(schema) else {
        return FALLBACK.to_owned();
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return one_of(values);
    }
    if let Some(variants) = alternatives(schema) {
        let real: Vec<&Value> = variants.iter().filter(|v| !is_null(v)).collect();
        return match real.as_slice() {
            [only] if depth < 8 => describe_at(only, resolve, depth + 1),
            _ => FALLBACK.to_owned(),
        };
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or(""),
        _ => "",
    };
    let bound = |key: &str| schema.get(key).and_then(Value::as_i64);
    match kind {
        "integer" => format!(
            "must be a whole number{}",
            range(bound("minimum"), bound("maximum"), "")
        ),
        "number" => "must be a number".to_owned(),
        "boolean" => "must be true or false".to_owned(),
        "array" => format!(
            "must be a list{}",
            range(bound("minItems"), bound("maxItems"), " items")
        ),
        "object" => "must be an object".to_owned(),
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => "must be an id such as 3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned(),
            Some("date") => "must be a date written YYYY-MM-DD".to_owned(),
            Some("date-time") => "must be a date and time such as 2026-01-31T12:00:00Z".to_owned(),
            Some("email") => "must be an e-mail address".to_owned(),
            _ => format!(
                "must be text{}",
                range(bound("minLength"), bound("maxLength"), " characters")
            ),
        },
        _ => FALLBACK.to_owned(),
    }
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "null")
}

fn one_of(values: &[Value]) -> String {
    let names: Vec<String> = values
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    format!("must be one of: {}", names.join(", "))
}

/// " from 1 to 100" for numbers, " of 1 to 20 items" for counted things.
fn range(min: Option<i64>, max: Option<i64>, unit: &str) -> String {
    let from = if unit.is_empty() { "from" } else { "of" };
    match (min, max) {
        (Some(min), Some(max)) => format!(" {from} {min} to {max}{unit}"),
        (Some(min), None) => format!(" of at least {min}{unit}"),
        (None, Some(max)) => format!(" of at most {max}{unit}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(schema: &Value) -> String {
        describe(schema, &|s| Some(s))
    }

    #[test]
    fn speaks_the_clients_language() {
        assert_eq!(
            plain(&json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 100})),
            "must be a whole number from 1 to 100"
        );
        assert_eq!(
            plain(&json!({"type": ["boolean", "null"]})),
            "must be true or false"
        );
        assert_eq!(
            plain(&json!({"type": "string", "enum": ["monthly", "annual"]})),
            "must be one of: monthly, annual"
        );
        assert_eq!(
            plain(&json!({"type": "array", "minItems": 1, "maxItems": 20})),
            "must be a list of 1 to 20 items"
        );
        assert_eq!(
            plain(&json!({"oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]})),
            "must be an id such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"
        );
        assert_eq!(
            plain(&json!({"type": "string", "maxLength": 64})),
            "must be text of at most 64 characters"
        );
        for message in [
            plain(&json!({"type": "integer"})),
            plain(&json!({})),
            plain(&json!({"type": "string", "format": "date"})),
        ] {
            for rust in ["i64", "u32", "struct", "invalid type", "UUID parsing"] {
                assert!(!message.contains(rust), "{message}");
            }
        }
    }

    #[test]
    fn walks_keys_items_and_alternatives() {
        let schema = json!({"properties": {
            "card": {"oneOf": [{"type": "null"}, {"properties": {"exp_month": {"type": "integer"}}}]},
            "user_ids": {"type": "array", "items": {"type": "string", "format": "uuid"}}
        }});
        let id = |s| Some(s);
        let month = walk(
            &schema,
            &[Step::Key("card".into()), Step::Key("exp_month".into())],
            &id,
        );
        assert_eq!(month, Some(&json!({"type": "integer"})));
        let item = walk(&schema, &[Step::Key("user_ids".into()), Step::Index], &id);
        assert_eq!(item.and_then(|s| s.get("format")), Some(&json!("uuid")));
        assert_eq!(walk(&schema, &[Step::Key("nope".into())], &id), None);
    }
}
