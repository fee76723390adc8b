//! DynamoDB JSON, as the AWS CLI writes and reads it: every value is an object with one type
//! descriptor, `{"Name": {"S": "x"}, "Age": {"N": "42"}, "Data": {"B": "<base64>"}}`.
//!
//! Parsing is pure (text in, item out) and never panics: malformed input is an
//! [`ItemError`] naming the attribute path. A parsed item has passed [`validate_item`].

use super::{validate_item, AttributeValue, Item, ItemError, Number, Path};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The type descriptors of DynamoDB JSON.
const DESCRIPTORS: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"];

/// Parses one item in DynamoDB JSON and checks it against DynamoDB's limits (MODEL.md §1.2).
///
/// Accepts the bare item (`aws dynamodb put-item --item`) or the output of
/// `aws dynamodb get-item`, `{"Item": {...}}` (an optional `ConsumedCapacity` beside it is
/// ignored).
pub fn parse_item_json(text: &str) -> Result<Item, ItemError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| malformed("item", format!("invalid JSON: {e}")))?;
    let Value::Object(top) = document else {
        return Err(malformed(
            "item",
            format!("expected a JSON object of attributes, found {}", kind(&document)),
        ));
    };
    let attributes = match top.get("Item") {
        Some(Value::Object(inner))
            if !is_descriptor(inner) && top.keys().all(|k| k == "Item" || k == "ConsumedCapacity") =>
        {
            inner
        }
        _ => &top,
    };
    let mut item = Item::new();
    for (name, value) in attributes {
        item.insert(name.clone(), parse_value(value, &Path::Attribute(name))?);
    }
    validate_item(&item)?;
    Ok(item)
}

/// Whether an object looks like a typed value (`{"S": ...}`) rather than a map of attributes.
fn is_descriptor(object: &Map<String, Value>) -> bool {
    object.len() == 1 && object.keys().all(|k| DESCRIPTORS.contains(&k.as_str()))
}

fn parse_value(value: &Value, path: &Path<'_>) -> Result<AttributeValue, ItemError> {
    let Value::Object(object) = value else {
        return Err(malformed(
            path,
            format!("expected a typed value such as {{\"S\": \"text\"}}, found {}", kind(value)),
        ));
    };
    let mut entries = object.iter();
    let (descriptor, inner) = match (entries.next(), entries.next()) {
        (Some(entry), None) => entry,
        _ => {
            return Err(malformed(
                path,
                format!(
                    "expected exactly one type descriptor ({}), found {} keys",
                    DESCRIPTORS.join(", "),
                    object.len()
                ),
            ))
        }
    };
    let wrong =
        |expected: &str| malformed(path, format!("\"{descriptor}\" takes {expected}, found {}", kind(inner)));
    Ok(match (descriptor.as_str(), inner) {
        ("S", Value::String(s)) => AttributeValue::S(s.clone()),
        ("N", Value::String(s)) => AttributeValue::N(number(s, path)?),
        ("B", Value::String(s)) => AttributeValue::B(binary(s, path)?),
        ("BOOL", Value::Bool(b)) => AttributeValue::Bool(*b),
        ("NULL", Value::Bool(true)) => AttributeValue::Null,
        ("L", Value::Array(list)) => AttributeValue::L(
            list.iter()
                .enumerate()
                .map(|(i, v)| parse_value(v, &Path::Index(path, i)))
                .collect::<Result<_, _>>()?,
        ),
        ("M", Value::Object(map)) => AttributeValue::M(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), parse_value(v, &Path::Key(path, k))?)))
                .collect::<Result<BTreeMap<_, _>, ItemError>>()?,
        ),
        ("SS", Value::Array(set)) => AttributeValue::Ss(strings(set, path, |s, _| Ok(s.to_string()))?),
        ("NS", Value::Array(set)) => AttributeValue::Ns(strings(set, path, number)?),
        ("BS", Value::Array(set)) => AttributeValue::Bs(strings(set, path, binary)?),
        ("S" | "N" | "B", _) => return Err(wrong("a string")),
        ("BOOL", _) => return Err(wrong("true or false")),
        ("NULL", _) => return Err(wrong("true")),
        ("L", _) | ("SS" | "NS" | "BS", _) => return Err(wrong("an array")),
        ("M", _) => return Err(wrong("an object")),
        (other, _) => {
            return Err(malformed(
                path,
                format!("unknown type descriptor \"{other}\"; expected one of {}", DESCRIPTORS.join(", ")),
            ))
        }
    })
}

/// The elements of a set, each a JSON string converted by `convert`.
fn strings<T>(
    set: &[Value],
    path: &Path<'_>,
    convert: impl Fn(&str, &Path<'_>) -> Result<T, ItemError>,
) -> Result<Vec<T>, ItemError> {
    let element = |(i, v): (usize, &Value)| {
        let at = Path::Index(path, i);
        match v {
            Value::String(s) => convert(s, &at),
            other => Err(malformed(at, format!("set elements are strings, found {}", kind(other)))),
        }
    };
    set.iter().enumerate().map(element).collect()
}

fn number(text: &str, path: &Path<'_>) -> Result<Number, ItemError> {
    Number::parse(text).map_err(|source| ItemError::Number { path: path.to_string(), source })
}

fn binary(text: &str, path: &Path<'_>) -> Result<Vec<u8>, ItemError> {
    decode_base64(text)
        .ok_or_else(|| malformed(path, "binary values are base64 and this is not valid base64"))
}

fn malformed(path: impl ToString, message: impl Into<String>) -> ItemError {
    ItemError::Malformed { path: path.to_string(), message: message.into() }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes standard base64 (RFC 4648 §4, the alphabet the AWS CLI writes), with or without
/// `=` padding. `None` for any other character, misplaced padding or an impossible length.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let data = bytes.strip_suffix(b"==").or_else(|| bytes.strip_suffix(b"=")).unwrap_or(bytes);
    if (data.len() != bytes.len() && !bytes.len().is_multiple_of(4)) || data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for &c in data {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> String {
        parse_item_json(text).expect_err(text).to_string()
    }

    #[test]
    fn base64_decodes_padded_and_unpadded() {
        assert_eq!(decode_base64(""), Some(vec![]));
        assert_eq!(decode_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64("AAEC/+8="), Some(vec![0, 1, 2, 0xff, 0xef]));
        for bad in ["a", "aGVsbG8==", "a=bc", "aGk=\n", "a-b_", "=", "YQ==="] {
            assert_eq!(decode_base64(bad), None, "{bad:?}");
        }
    }

    /// The AWS CLI example from the brief, every type once, parsed and sized.
    #[test]
    fn parses_every_type_as_the_aws_cli_writes_it() {
        let text = r#"{"Name": {"S": "x"}, "Age": {"N": "42"}, "Data": {"B": "aGVsbG8="},
            "Tags": {"SS": ["a", "bc"]}, "Scores": {"NS": ["1", "2.5"]}, "Blobs": {"BS": ["AAE=", "Ag=="]},
            "Nested": {"M": {"k": {"S": "v"}}}, "List": {"L": [{"S": "a"}]},
            "Flag": {"BOOL": true}, "Nothing": {"NULL": true}}"#;
        let item = parse_item_json(text).expect("valid item");
        assert_eq!(item["Data"], AttributeValue::B(b"hello".to_vec()));
        assert_eq!(item["Blobs"], AttributeValue::Bs(vec![vec![0, 1], vec![2]]));
        assert_eq!(item["Age"], AttributeValue::N(Number::parse("42").expect("number")));
        // Name 4+1, Age 3+2, Data 4+5, Tags 4+3, Scores 6+(2+2), Blobs 5+3, Nested 6+(3+1+1+1),
        // List 4+(3+1+1), Flag 4+1, Nothing 7+1.
        assert_eq!(super::super::item_size_bytes(&item), 5 + 5 + 9 + 7 + 10 + 8 + 12 + 9 + 5 + 8);
    }

    #[test]
    fn accepts_get_item_output() {
        let item = parse_item_json(r#"{"Item": {"id": {"S": "a"}}, "ConsumedCapacity": {}}"#).expect("item");
        assert_eq!(item.len(), 1);
        assert_eq!(item["id"], AttributeValue::S("a".into()));
        // An attribute that happens to be called Item is still an attribute.
        let item = parse_item_json(r#"{"Item": {"S": "a"}}"#).expect("item");
        assert_eq!(item["Item"], AttributeValue::S("a".into()));
    }

    #[test]
    fn malformed_input_names_the_attribute_path() {
        assert_eq!(parse_err(r#"{"a": {"S": 1}}"#), "a: \"S\" takes a string, found a number");
        assert_eq!(parse_err(r#"{"a": {"N": "x1"}}"#), "a: \"x1\" is not a number");
        assert_eq!(parse_err(r#"{"a": {"N": 42}}"#), "a: \"N\" takes a string, found a number");
        assert_eq!(parse_err(r#"{"a": {"NULL": false}}"#), "a: \"NULL\" takes true, found a boolean");
        assert_eq!(
            parse_err(r#"{"a": {"L": [{"S": "x"}, {"Q": 1}]}}"#).split(';').next(),
            Some("a[1]: unknown type descriptor \"Q\"")
        );
        assert_eq!(
            parse_err(r#"{"a": {"M": {"b": {"M": {"c": {"B": "!!"}}}}}}"#),
            "a.b.c: binary values are base64 and this is not valid base64"
        );
        assert_eq!(parse_err(r#"{"a": {"SS": ["x", 2]}}"#), "a[1]: set elements are strings, found a number");
        assert_eq!(parse_err(r#"{"a": {"NS": ["1", "1.0"]}}"#), "a: duplicate set element 1.0");
        assert_eq!(parse_err(r#"{"a": {"SS": []}}"#), "a: a set may not be empty");
        assert_eq!(
            parse_err(r#"{"a": "x"}"#),
            "a: expected a typed value such as {\"S\": \"text\"}, found a string"
        );
        assert!(parse_err(r#"{"a": {"S": "x", "N": "1"}}"#)
            .starts_with("a: expected exactly one type descriptor"));
        assert_eq!(parse_err("[1]"), "item: expected a JSON object of attributes, found an array");
        assert_eq!(parse_err("{\"a\": "), "item: invalid JSON: EOF while parsing a value at line 1 column 6");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let nest = |levels: usize| {
            format!("{{\"a\": {}{{\"S\": \"x\"}}{}}}", "{\"L\": [".repeat(levels), "]}".repeat(levels))
        };
        assert!(parse_item_json(&nest(32)).is_ok());
        assert!(parse_err(&nest(33)).ends_with("]: nested more than 32 levels deep"));
        // serde_json's own recursion limit turns absurd depth into an error too.
        assert!(parse_err(&nest(5_000)).starts_with("item: invalid JSON: recursion limit exceeded"));
    }
}
