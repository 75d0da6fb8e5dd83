//! The shape of a JSON body, checked against the contract: wherever the
//! contract expects an object, an array is refused. (serde would otherwise
//! accept a struct written as an array of its fields in order, which the
//! contract does not allow.)

use serde_json::Value;

/// `components.schemas` of the served contract, as JSON.
pub struct BodySchemas {
    schemas: serde_json::Map<String, Value>,
}

/// Deep enough for every body; a cycle in `$ref`s stops here instead of looping.
const MAX_DEPTH: usize = 32;

impl BodySchemas {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let doc = serde_json::to_value(api).unwrap_or_default();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        Self { schemas }
    }

    /// What a value of `schema` (which may `$ref` a component) must be, in plain words.
    pub fn describe(&self, schema: &Value) -> String {
        super::expectation::describe(schema, &|s| self.resolve(s))
    }

    /// What the value at `steps` inside the body schema `name` must be, in plain words.
    pub fn expectation(&self, name: &str, steps: &[super::expectation::Step]) -> Option<String> {
        let root = self.schemas.get(name)?;
        let resolve = |s| self.resolve(s);
        let leaf = super::expectation::walk(root, steps, &resolve)?;
        Some(super::expectation::describe(leaf, &resolve))
    }

    /// `Err(path)` names the first place an array stands where the schema `name` wants an object.
    pub fn check(&self, name: &str, value: &Value) -> Result<(), String> {
        match self.schemas.get(name) {
            Some(schema) => self.walk(schema, value, "", 0),
            None => Ok(()),
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> Option<&'a Value> {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self.schemas.get(r.rsplit('/').next().unwrap_or_default()),
            None => Some(schema),
        }
    }

    fn expects_object(&self, schema: &Value, depth: usize) -> bool {
        let Some(schema) = self.resolve(schema) else {
            return false;
        };
        let is_object = |t: &Value| t == "object";
        match schema.get("type") {
            Some(Value::Array(types)) => types.iter().any(is_object),
            Some(t) => is_object(t),
            None => {
                schema.get("properties").is_some()
                    || self.variants(schema).is_some_and(|v| {
                        !v.is_empty()
                            && depth < MAX_DEPTH
                            && v.iter().all(|s| self.expects_object(s, depth + 1))
                    })
            }
        }
    }

    /// The non-null alternatives of a `oneOf` / `anyOf` / `allOf`.
    fn variants<'a>(&self, schema: &'a Value) -> Option<Vec<&'a Value>> {
        ["oneOf", "anyOf", "allOf"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_array))
            .map(|all| {
                all.iter()
                    .filter(|s| s.get("type").is_none_or(|t| t != "null"))
                    .collect()
            })
    }

    fn walk(&self, schema: &Value, value: &Value, path: &str, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let Some(schema) = self.resolve(schema) else {
            return Ok(());
        };
        let here = || {
            if path.is_empty() {
                "body".to_owned()
            } else {
                path.to_owned()
            }
        };
        if value.is_array() && self.expects_object(schema, depth) {
            return Err(here());
        }
        if let Some(variants) = self.variants(schema) {
            // Fine when the value fits the shape of at least one alternative.
            let mut first_error = None;
            for variant in variants {
                match self.walk(variant, value, path, depth + 1) {
                    Ok(()) => return Ok(()),
                    Err(e) => first_error = first_error.or(Some(e)),
                }
            }
            return first_error.map_or(Ok(()), Err);
        }
        if let (Some(properties), Some(object)) = (
            schema.get("properties").and_then(Value::as_object),
            value.as_object(),
        ) {
            for (key, inner) in object {
                if let Some(property) = properties.get(key) {
                    let nested = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    self.walk(property, inner, &nested, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> BodySchemas {
        let doc = json!({
            "Address": {"type": "object", "properties": {"line1": {"type": "string"}}},
            "Card": {"type": "object", "properties": {"number": {"type": "string"}}},
            "Body": {"type": "object", "properties": {
                "card": {"$ref": "#/components/schemas/Card"},
                "address": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Address"}]},
                "user_ids": {"type": "array", "items": {"type": "string"}}
            }}
        });
        BodySchemas {
            schemas: doc.as_object().cloned().unwrap(),
        }
    }

    #[test]
    fn arrays_where_objects_belong_are_named() {
        let s = schemas();
        assert_eq!(s.check("Body", &json!([1, 2])), Err("body".to_owned()));
        assert_eq!(
            s.check("Body", &json!({"card": ["4242"]})),
            Err("card".to_owned())
        );
        assert_eq!(
            s.check("Body", &json!({"address": ["x"]})),
            Err("address".to_owned())
        );
        assert_eq!(
            s.check(
                "Body",
                &json!({"card": {"number": "1"}, "address": null, "user_ids": ["a"]})
            ),
            Ok(())
        );
        assert_eq!(s.check("Unknown", &json!([1])), Ok(()));
    }
}
