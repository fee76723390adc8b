//! JSON-lines traces: one JSON object per line, its keys the record's fields.
//!
//! The object is read by a visitor of its own, not a derived struct, so that a wrongly typed
//! value is reported by field name (a derived struct would report only a column), and strings
//! without escapes are borrowed from the line.

use super::{Cell, Cells, FIELDS};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads JSON line `line` into `cells`.
pub(super) fn record<'a>(line: &'a str, cells: &mut Cells<'a>) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(line);
    let outcome = (&mut de).deserialize_map(RecordVisitor { cells }).and_then(|()| de.end());
    match outcome {
        Ok(()) => Ok(()),
        Err(e) if e.is_data() => Err(message(&e)),
        Err(e) => Err(format!("invalid JSON: {}", message(&e))),
    }
}

/// serde_json's message with its position as a column (a record is one line).
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) if e.column() > 0 => format!("{} (column {})", &text[..at], e.column()),
        Some(at) => text[..at].to_string(),
        None => text,
    };
    // A line that is not an object.
    match text.strip_prefix("invalid type: ").and_then(|t| t.split_once(", expected ")) {
        Some((got, expected)) => {
            let got = got.replace("map", "an object").replace("sequence", "an array");
            format!("expected {expected}, got {got}")
        }
        None => text,
    }
}

struct RecordVisitor<'c, 'a> {
    cells: &'c mut Cells<'a>,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = [false; FIELDS.len()];
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            let Some(i) = FIELDS.iter().position(|f| *f == name) else {
                let hint = crate::scenario::validate::nearest(&name, &FIELDS)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(de::Error::custom(format!(
                    "unknown field `{}`{hint}; the fields are {}",
                    name.escape_default(),
                    FIELDS.map(|f| format!("`{f}`")).join(", ")
                )));
            };
            if seen[i] {
                return Err(de::Error::custom(format!("field `{name}` appears twice")));
            }
            seen[i] = true;
            self.cells[i] = map.next_value::<Scalar<'de>>()?.0;
        }
        Ok(())
    }
}

/// A field name, borrowed when it has no escapes.
struct Name<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor).map(Name)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

/// Any JSON value, as a [`Cell`]: scalars kept, arrays and objects named and skipped.
struct Scalar<'a>(Cell<'a>);

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Other("a boolean"))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Cell<'de>, E> {
        Ok(i64::try_from(n).map_or(Cell::Float(n as f64), Cell::Int))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Cell<'de>, E> {
        Ok(Cell::Float(f))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(s.to_string())))
    }

    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Absent)
    }

    fn visit_none<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Absent)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Cell<'de>, S::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Other("an array"))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Cell<'de>, M::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Other("an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Result<Cells<'_>, String> {
        let mut cells = Cells::default();
        record(line, &mut cells).map(|()| cells)
    }

    #[test]
    fn fields_keep_their_json_types() {
        let cells = read(r#"{"timestamp": 1.5, "operation": "get", "partition_key": 42, "sort_key": null, "consistency": "str\u006fng"}"#)
            .expect("a record");
        assert_eq!(cells[0], Cell::Float(1.5));
        assert_eq!(cells[1], Cell::Str(Cow::Borrowed("get")));
        assert_eq!(cells[2], Cell::Int(42));
        assert_eq!(cells[3], Cell::Absent);
        assert_eq!(cells[4], Cell::Absent, "missing");
        assert_eq!(cells[5], Cell::Str(Cow::Owned("strong".into())), "unescaped");
        let cells = read(r#"{"partition_key": [1, {"a": 2}], "sort_key": {}, "item_bytes": true, "timestamp": 18446744073709551615}"#)
            .expect("a record");
        assert_eq!(
            (&cells[2], &cells[3], &cells[4], &cells[0]),
            (
                &Cell::Other("an array"),
                &Cell::Other("an object"),
                &Cell::Other("a boolean"),
                &Cell::Float(u64::MAX as f64)
            )
        );
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_where() {
        assert_eq!(
            read(r#"{"timestamp": 1, "partiton_key": 1}"#),
            Err("unknown field `partiton_key` (did you mean `partition_key`?); the fields are `timestamp`, `operation`, `partition_key`, `sort_key`, `item_bytes`, `consistency` (column 31)".to_string())
        );
        assert_eq!(
            read(r#"{"timestamp": 1, "timestamp": 2}"#),
            Err("field `timestamp` appears twice (column 28)".to_string())
        );
        assert_eq!(read("[1, 2]"), Err("expected a JSON object, got an array".to_string()));
        assert_eq!(
            read(r#"{"timestamp": 1} x"#),
            Err("invalid JSON: trailing characters (column 18)".to_string())
        );
        assert_eq!(
            read(r#"{"timestamp": 1"#),
            Err("invalid JSON: EOF while parsing an object (column 15)".to_string())
        );
    }
}
