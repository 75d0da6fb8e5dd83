//! JSON parsed strictly: an object that names one key twice is refused
//! (422 `duplicate_field`) instead of silently keeping the last value, which
//! would let two readers of the same body (a proxy and this service) disagree.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Why a body is not strict JSON.
#[derive(Debug)]
pub enum StrictError {
    /// The path of the first repeated key, such as `card.number`.
    DuplicateKey(String),
    /// Not JSON at all (serde_json's own words, for the 400).
    Syntax(serde_json::Error),
}

pub fn parse(body: &[u8]) -> Result<Value, StrictError> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = Node {
        at: Step::Root,
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    // The duplicate is reported through the side channel, not parsed out of an error's text.
    match (duplicate.into_inner(), value) {
        (Some(path), _) => Err(StrictError::DuplicateKey(path)),
        (None, Ok(value)) => Ok(value),
        (None, Err(e)) => Err(StrictError::Syntax(e)),
    }
}

/// Where a value stands, as a chain to its parent: the path is spelled out
/// only when a duplicate is found, not for every value of every body.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a Step<'a>, &'a str),
    Index(&'a Step<'a>, usize),
}

impl Step<'_> {
    fn path(&self) -> String {
        match self {
            Step::Root => String::new(),
            Step::Key(parent, key) => match parent.path() {
                p if p.is_empty() => (*key).to_owned(),
                p => format!("{p}.{key}"),
            },
            Step::Index(parent, i) => format!("{}[{i}]", parent.path()),
        }
    }
}

struct Node<'a> {
    at: Step<'a>,
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            at: Step::Index(&self.at, items.len()),
            duplicate: self.duplicate,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // The object built so far knows every key already seen.
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(Step::Key(&self.at, &key).path());
                return Err(de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(Node {
                at: Step::Key(&self.at, &key),
                duplicate: self.duplicate,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(body: &str) -> Option<String> {
        match parse(body.as_bytes()) {
            Err(StrictError::DuplicateKey(path)) => Some(path),
            _ => None,
        }
    }

    #[test]
    fn repeated_keys_are_named_by_path() {
        assert_eq!(duplicate(r#"{"a":1,"a":2}"#).as_deref(), Some("a"));
        assert_eq!(
            duplicate(r#"{"card":{"number":"1","number":"2"}}"#).as_deref(),
            Some("card.number")
        );
        assert_eq!(
            duplicate(r#"{"xs":[{"k":1},{"k":1,"k":2}]}"#).as_deref(),
            Some("xs[1].k")
        );
    }

    #[test]
    fn ordinary_json_parses_to_the_same_tree_as_serde_json() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":{"a":1}}"#;
        let strict = parse(text.as_bytes()).ok();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(strict, Some(plain));
        assert!(matches!(parse(b"{\"a\":1} x"), Err(StrictError::Syntax(_))));
        assert!(matches!(parse(b"{\"a\":"), Err(StrictError::Syntax(_))));
    }
}
