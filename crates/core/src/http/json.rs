//! Decoding provider answers: one place that words "this is not what the
//! documentation promised" the same way for every provider.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// Decodes a JSON body; the error is a short description for
/// [`CoreError::Garbage`](crate::error::CoreError::Garbage).
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| describe(body, &e))
}

fn describe(body: &[u8], e: &serde_json::Error) -> String {
    let text = String::from_utf8_lossy(body);
    let start = text.trim_start();
    if start.is_empty() {
        return "the answer was empty".into();
    }
    if e.is_syntax() || e.is_eof() {
        let preview: String = start.chars().take(40).collect();
        return format!("the answer is not JSON (it starts with {preview:?})");
    }
    format!("the JSON does not have the documented shape ({e})")
}

/// Provider ids are numbers in some APIs and strings in others; both become
/// the string form `ArticleRef` uses.
pub fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id (string or number), found {}",
            kind_of(&other)
        ))),
    }
}

/// A person's name given as `"Ann"` or `{"name": "Ann", ...}`; anything else
/// (including absent or null) is no name.
pub fn person_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(Value::Object(map)) => map
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string),
        _ => None,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "an empty string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Thing {
        #[serde(deserialize_with = "id_string")]
        id: String,
        #[serde(default, deserialize_with = "person_name")]
        author: Option<String>,
    }

    #[test]
    fn ids_and_names() {
        let t: Thing = decode(br#"{"id": 12, "author": {"name": "Ann"}}"#).unwrap();
        assert_eq!((t.id.as_str(), t.author.as_deref()), ("12", Some("Ann")));
        let t: Thing = decode(br#"{"id": "a-1", "author": "Bo"}"#).unwrap();
        assert_eq!((t.id.as_str(), t.author.as_deref()), ("a-1", Some("Bo")));
        let t: Thing = decode(br#"{"id": "a-1"}"#).unwrap();
        assert_eq!(t.author, None);
        assert!(decode::<Thing>(br#"{"id": null}"#).is_err());
    }

    #[test]
    fn garbage_descriptions() {
        assert_eq!(decode::<Thing>(b"").unwrap_err(), "the answer was empty");
        assert!(decode::<Thing>(b"<!DOCTYPE html><html>")
            .unwrap_err()
            .starts_with("the answer is not JSON"));
        let e = decode::<Thing>(br#"{"nope": 1}"#).unwrap_err();
        assert!(e.contains("missing field `id`"), "{e}");
    }
}
