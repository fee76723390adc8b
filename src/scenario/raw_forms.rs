//! Raw TOML forms that take either a scalar or a table: `rate = 100` or
//! `rate = { shape = "ramp", ... }`, `item_bytes = 1000` or `item_bytes = { distribution = ... }`,
//! `partition_key = "Date"` or `partition_key = { attribute = "Date", shards = 10 }`; and the
//! `[workload.entity]` table. As in [`super::raw`], nothing is checked beyond TOML types.
//!
//! Each either-or form is deserialized by hand so that a wrong type reads "expected a number
//! or a table" (not serde's "did not match any variant"), and so that the table form keeps its
//! derived, unknown-key-rejecting struct with the TOML spans of its keys.

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// `rate`: requests per second, or a traffic shape.
#[derive(Debug)]
pub enum RawRate {
    /// A constant mean rate.
    Number(f64),
    /// A shape (boxed: a shape table is large, a number is not).
    Shape(Box<RawShape>),
}

/// A traffic shape table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShape {
    pub shape: String,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub from: Option<f64>,
    #[serde(default)]
    pub to: Option<f64>,
    #[serde(default)]
    pub over: Option<toml::Value>,
    #[serde(default)]
    pub steps: Option<Vec<toml::Value>>,
    #[serde(default)]
    pub base: Option<f64>,
    #[serde(default)]
    pub peak: Option<f64>,
    #[serde(default)]
    pub at: Option<toml::Value>,
    #[serde(default)]
    pub duration: Option<toml::Value>,
    #[serde(default)]
    pub mean: Option<f64>,
    #[serde(default)]
    pub peak_to_trough: Option<f64>,
    #[serde(default)]
    pub period: Option<toml::Value>,
    #[serde(default)]
    pub file: Option<String>,
}

/// `item_bytes`: a size in bytes, or a size distribution.
#[derive(Debug)]
pub enum RawSize {
    /// A fixed size.
    Number(i64),
    /// A distribution.
    Distribution(RawSizeDistribution),
}

/// A size distribution table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSizeDistribution {
    pub distribution: String,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub median: Option<f64>,
    #[serde(default)]
    pub p99: Option<f64>,
    #[serde(default)]
    pub values: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub per: Option<String>,
}

/// `[workload.entity]`: the popularity of a workload's logical items.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntity {
    pub distribution: String,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub exponent: Option<f64>,
    #[serde(default)]
    pub hot: Option<i64>,
    #[serde(default)]
    pub share: Option<f64>,
}

/// `[table] partition_key`: an attribute name, or an attribute with write shards.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartitionKey {
    pub attribute: String,
    #[serde(default)]
    pub shards: Option<i64>,
}

struct RateVisitor;

impl<'de> Visitor<'de> for RateVisitor {
    type Value = RawRate;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a table")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawRate, E> {
        Ok(RawRate::Number(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawRate, A::Error> {
        RawShape::deserialize(MapAccessDeserializer::new(map)).map(|s| RawRate::Shape(Box::new(s)))
    }
}

impl<'de> Deserialize<'de> for RawRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawRate, D::Error> {
        d.deserialize_any(RateVisitor)
    }
}

struct SizeVisitor;

impl<'de> Visitor<'de> for SizeVisitor {
    type Value = RawSize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a table")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawSize, E> {
        Ok(RawSize::Number(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawSize, E> {
        Ok(RawSize::Number(i64::try_from(v).unwrap_or(i64::MAX)))
    }
    /// A fractional size is wrong because sizes are whole bytes: say so.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawSize, E> {
        Err(E::invalid_type(Unexpected::Float(v), &"an integer"))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSize, A::Error> {
        RawSizeDistribution::deserialize(MapAccessDeserializer::new(map)).map(RawSize::Distribution)
    }
}

impl<'de> Deserialize<'de> for RawSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawSize, D::Error> {
        d.deserialize_any(SizeVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = RawPartitionKey;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a table")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPartitionKey, E> {
        Ok(RawPartitionKey { attribute: v.to_string(), shards: None })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPartitionKey, A::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            attribute: String,
            #[serde(default)]
            shards: Option<i64>,
        }
        let t = Table::deserialize(MapAccessDeserializer::new(map))?;
        Ok(RawPartitionKey { attribute: t.attribute, shards: t.shards })
    }
}

/// The string form, or the table form `{ attribute, shards }`.
pub fn partition_key<'de, D: Deserializer<'de>>(d: D) -> Result<RawPartitionKey, D::Error> {
    d.deserialize_any(KeyVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        rate: RawRate,
        size: RawSize,
        #[serde(deserialize_with = "partition_key")]
        key: RawPartitionKey,
    }

    fn parse(text: &str) -> Result<Doc, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    #[test]
    fn scalars_and_tables_both_parse() {
        let d = parse("rate = 5\nsize = 10\nkey = \"K\"").expect("scalars");
        assert!(matches!(d.rate, RawRate::Number(r) if r == 5.0));
        assert!(matches!(d.size, RawSize::Number(10)));
        assert_eq!((d.key.attribute.as_str(), d.key.shards), ("K", None));
        let d = parse("rate = { shape = \"ramp\", from = 1, to = 2.5, over = \"1m\" }\nsize = { distribution = \"lognormal\", median = 800, p99 = 4000 }\nkey = { attribute = \"Date\", shards = 10 }").expect("tables");
        assert!(matches!(d.rate, RawRate::Shape(s) if s.to == Some(2.5)));
        assert!(matches!(d.size, RawSize::Distribution(RawSizeDistribution { p99: Some(_), .. })));
        assert_eq!(d.key.shards, Some(10));
    }

    #[test]
    fn wrong_types_name_both_forms() {
        assert_eq!(
            parse("rate = \"fast\"\nsize = 1\nkey = \"K\"").unwrap_err(),
            "invalid type: string \"fast\", expected a number or a table"
        );
        assert_eq!(
            parse("rate = 1\nsize = 1.5\nkey = \"K\"").unwrap_err(),
            "invalid type: floating point `1.5`, expected an integer"
        );
        assert_eq!(
            parse("rate = 1\nsize = 1\nkey = 3").unwrap_err(),
            "invalid type: integer `3`, expected a string or a table"
        );
        let unknown = parse("rate = { shape = \"ramp\", form = 1 }\nsize = 1\nkey = \"K\"").unwrap_err();
        assert!(
            unknown.starts_with("unknown field `form`, expected one of `shape`, `rate`, `from`"),
            "{unknown}"
        );
    }
}
