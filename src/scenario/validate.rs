//! Validation: raw TOML structs into a [`Scenario`], with every problem reported at once.

use super::raw::{RawAttribute, RawScenario, RawWorkload};
use super::{Problem, Scenario};
use crate::capacity::CapacityParams;
use crate::engine::{Consistency, TableSpec, MAX_ITEM_BYTES};
use crate::sim::{RetryProfile, SimConfig};
use crate::time::parse_duration_micros;
use crate::workload::{OperationKind, ValueDistribution, WorkloadSpec, Zipf};
use std::collections::BTreeSet;

/// Default per-table throughput quota, RCU and WCU each (MODEL.md §4.3: 40,000, adjustable).
pub const TABLE_QUOTA_UNITS: i64 = 40_000;
/// Longest simulated duration accepted: 30 days.
pub const MAX_DURATION_US: u64 = 30 * 86_400 * 1_000_000;
/// Highest request rate of one workload, per second.
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;
/// Default round trip of one attempt as the client sees it: DynamoDB's "single-digit
/// millisecond" latency ([FOLK], MODEL.md §3.4 gives no number), in milliseconds.
pub const DEFAULT_ATTEMPT_LATENCY_MS: f64 = 5.0;

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem { path: path.into(), line: None, message: message.into() });
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn one_of(path: &str, value: &str, allowed: &[&str]) -> String {
    let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
    let _ = path;
    match nearest(value, allowed) {
        Some(n) => {
            format!("unknown value \"{value}\" (did you mean \"{n}\"?); expected one of {list}")
        }
        None => format!("unknown value \"{value}\"; expected one of {list}"),
    }
}

/// Rewrites a serde message in our terms: unknown keys get the nearest valid name suggested,
/// and Rust type names become TOML ones. `written` is the text the message is about.
pub fn explain_serde_message(message: &str, written: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let suggestion =
            nearest(field, &allowed).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
        let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
        return format!("unknown key `{field}`{suggestion}; valid keys here: {list}");
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing required key {field}");
    }
    if let Some((got, expected)) =
        message.strip_prefix("invalid type: ").and_then(|m| m.rsplit_once(", expected "))
    {
        let got = match got {
            "sequence" => "an array",
            // The toml crate hands a date-time to serde as a table.
            "map" if written.starts_with(|c: char| c.is_ascii_digit()) => "a date-time",
            "map" => "a table",
            other => other,
        };
        return format!("expected {}, got {got}", toml_type(expected));
    }
    message.to_string()
}

/// The TOML name of the type serde calls `expected`.
fn toml_type(expected: &str) -> &str {
    match expected {
        "f64" => "a number",
        "i64" => "an integer",
        "a sequence" => "an array",
        "a map" => "a table",
        e if e.starts_with("struct ") => "a table",
        e => e,
    }
}

/// A value of the type that the serde message `message` ("invalid type: ..., expected T")
/// asks for, to stand in for a wrongly typed one so that deserialization can go on and find
/// the next problem. `None` when the type is not one the raw structs use.
pub fn stand_in(message: &str) -> Option<toml_edit::Value> {
    let (_, expected) = message.trim().rsplit_once(", expected ")?;
    Some(match toml_type(expected) {
        "a number" => toml_edit::Value::from(0.0),
        "an integer" => toml_edit::Value::from(0),
        "a string" => toml_edit::Value::from(""),
        "an array" => toml_edit::Value::Array(toml_edit::Array::new()),
        "a table" => toml_edit::Value::InlineTable(toml_edit::InlineTable::new()),
        _ => return None,
    })
}

fn positive_int(problems: &mut Problems, path: &str, value: Option<i64>, min: i64, max: i64) -> Option<u64> {
    let v = value?;
    if v < min || v > max {
        problems.add(path, format!("must be between {min} and {max}, got {v}"));
        return None;
    }
    Some(v as u64)
}

/// Validates `raw` (read from `text`) into a scenario, or returns every problem found.
pub fn validate(raw: RawScenario, text: &str) -> Result<Scenario, Vec<Problem>> {
    let mut p = Problems(Vec::new());
    if raw.name.is_empty()
        || !raw.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || raw.name.starts_with('.')
    {
        p.add("name", format!("must be non-empty and use only letters, digits, '-', '_' and '.' (it names the report folder), got \"{}\"", raw.name));
    }
    let duration_us = match &raw.duration {
        toml::Value::String(s) => parse_duration_micros(s),
        toml::Value::Integer(n) if *n > 0 => Some(*n as u64 * 1_000_000),
        _ => None,
    };
    let duration_us = match duration_us {
        Some(d) if d <= MAX_DURATION_US => Some(d),
        Some(_) => {
            p.add("duration", "must be at most 30 days");
            None
        }
        None => {
            p.add(
                "duration",
                format!(
                    "must be a positive duration such as \"90s\", \"10m\", \"2h\" or \"1d\", got {}",
                    raw.duration
                ),
            );
            None
        }
    };
    let seed = match raw.seed {
        Some(s) if s < 0 => {
            p.add("seed", format!("must be a non-negative integer, got {s}"));
            None
        }
        s => s.map(|s| s as u64),
    };

    let t = &raw.table;
    if t.name.is_empty() {
        p.add("table.name", "must not be empty");
    }
    if t.partition_key.is_empty() {
        p.add("table.partition_key", "must name an attribute");
    }
    if t.sort_key.as_deref() == Some("") {
        p.add("table.sort_key", "must name an attribute");
    }
    if t.sort_key.is_some() && t.sort_key == Some(t.partition_key.clone()) {
        p.add("table.sort_key", "must differ from the partition key");
    }
    match t.billing_mode.as_deref().unwrap_or("provisioned") {
        "provisioned" => {}
        "on_demand" => p.add("table.billing_mode", "\"on_demand\" is not simulated yet; use \"provisioned\""),
        other => {
            p.add("table.billing_mode", one_of("table.billing_mode", other, &["provisioned", "on_demand"]))
        }
    }
    let read_capacity = positive_int(&mut p, "table.read_capacity", t.read_capacity, 1, TABLE_QUOTA_UNITS);
    let write_capacity = positive_int(&mut p, "table.write_capacity", t.write_capacity, 1, TABLE_QUOTA_UNITS);
    if t.read_capacity.is_none() {
        p.add("table.read_capacity", "is required for a provisioned table (RCU, 1 to 40000)");
    }
    if t.write_capacity.is_none() {
        p.add("table.write_capacity", "is required for a provisioned table (WCU, 1 to 40000)");
    }
    let initial_partitions =
        positive_int(&mut p, "table.initial_partitions", t.initial_partitions, 1, 1_000_000)
            .map(|n| n as u32);

    if raw.workload.is_empty() {
        p.add("workload", "a scenario needs at least one [[workload]]");
    }
    let mut names = BTreeSet::new();
    let mut workloads = Vec::new();
    for (i, w) in raw.workload.iter().enumerate() {
        if !names.insert(w.name.as_str()) {
            p.add(format!("workload[{i}].name"), format!("duplicate workload name \"{}\"", w.name));
        }
        if let Some(spec) = workload(&mut p, i, w, &t.partition_key, t.sort_key.as_deref()) {
            workloads.push(spec);
        }
    }

    let client = raw.client.as_ref();
    let retry_name = client.and_then(|c| c.retry.as_deref()).unwrap_or("aws-sdk-standard");
    let retry = RetryProfile::by_name(retry_name);
    if retry.is_none() {
        p.add("client.retry", one_of("client.retry", retry_name, &RetryProfile::NAMES));
    }
    let latency_ms = client.and_then(|c| c.attempt_latency_ms).unwrap_or(DEFAULT_ATTEMPT_LATENCY_MS);
    if !(latency_ms > 0.0 && latency_ms <= 60_000.0) {
        p.add("client.attempt_latency_ms", format!("must be in (0, 60000] milliseconds, got {latency_ms}"));
    }

    let mut capacity = CapacityParams::default();
    if let Some(c) = &raw.capacity {
        let ints = [
            ("capacity.burst_seconds", c.burst_seconds, 0, 3_600, &mut capacity.burst_seconds),
            (
                "capacity.initial_burst_seconds",
                c.initial_burst_seconds,
                0,
                3_600,
                &mut capacity.initial_burst_seconds,
            ),
            (
                "capacity.partition_read_units",
                c.partition_read_units,
                1,
                1_000_000,
                &mut capacity.partition_read_units,
            ),
            (
                "capacity.partition_write_units",
                c.partition_write_units,
                1,
                1_000_000,
                &mut capacity.partition_write_units,
            ),
        ];
        for (path, value, min, max, slot) in ints {
            if let Some(v) = positive_int(&mut p, path, value, min, max) {
                *slot = v;
            }
        }
    }

    let (expect, found) = super::expect::validate(raw.expect.as_ref());
    p.0.extend(found);

    if !p.0.is_empty() {
        return Err(p.0);
    }
    let (Some(duration_us), Some(read_capacity), Some(write_capacity), Some(retry)) =
        (duration_us, read_capacity, write_capacity, retry)
    else {
        return Err(vec![Problem {
            path: String::new(),
            line: None,
            message: "internal: validation lost a problem".into(),
        }]);
    };
    let config = SimConfig {
        table: TableSpec {
            name: t.name.clone(),
            partition_key: t.partition_key.clone(),
            sort_key: t.sort_key.clone(),
        },
        read_capacity,
        write_capacity,
        initial_partitions,
        capacity,
        workloads,
        retry,
        attempt_latency_us: (latency_ms * 1_000.0).round() as u64,
        duration_us,
    };
    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        seed,
        config,
        source: text.to_string(),
        variant: None,
        expect,
        variants: Vec::new(),
    })
}

fn workload(p: &mut Problems, i: usize, w: &RawWorkload, pk: &str, sk: Option<&str>) -> Option<WorkloadSpec> {
    let at = |key: &str| format!("workload[{i}].{key}");
    if w.name.is_empty() {
        p.add(at("name"), "must not be empty");
    }
    let operation = match w.operation.as_str() {
        "get" => Some(OperationKind::Get),
        "put" => Some(OperationKind::Put),
        other => {
            p.add(at("operation"), one_of("", other, &["get", "put"]));
            None
        }
    };
    if !(w.rate.is_finite() && w.rate >= 0.0 && w.rate <= MAX_RATE_PER_S) {
        p.add(
            at("rate"),
            format!("must be a number of requests per second from 0 to {MAX_RATE_PER_S}, got {}", w.rate),
        );
    }
    let item_bytes = match (operation, w.item_bytes) {
        (Some(OperationKind::Put), None) => {
            p.add(at("item_bytes"), "is required for a put: the size of each item written, in bytes");
            None
        }
        (Some(OperationKind::Get), Some(_)) => {
            p.add(at("item_bytes"), "applies to puts only: a get reads the size the item was written with");
            None
        }
        (_, Some(b)) => positive_int(p, &at("item_bytes"), Some(b), 1, MAX_ITEM_BYTES as i64),
        (_, None) => Some(0),
    };
    let consistency = match (operation, w.consistency.as_deref()) {
        (_, None) => Some(Consistency::Eventual),
        (Some(OperationKind::Put), Some(_)) => {
            p.add(at("consistency"), "applies to reads only");
            None
        }
        (_, Some("eventual")) => Some(Consistency::Eventual),
        (_, Some("strong")) => Some(Consistency::Strong),
        (_, Some(other)) => {
            p.add(at("consistency"), one_of("", other, &["eventual", "strong"]));
            None
        }
    };
    // Each generator is built once: a Zipf sampler's table takes milliseconds to build.
    let mut generators = std::collections::BTreeMap::new();
    for (name, attr) in &w.attributes {
        if let Some(d) = distribution(p, &format!("workload[{i}].attributes.{name}"), attr) {
            generators.insert(name.as_str(), d);
        }
    }
    let key_gen = |p: &mut Problems, key: &str| -> Option<ValueDistribution> {
        if !w.attributes.contains_key(key) {
            p.add(at("attributes"), format!("has no generator for key attribute \"{key}\" (the table's key); add {key} = {{ distribution = \"uniform\", count = ... }}"));
        }
        // A generator that is there but invalid has had its problem reported above.
        generators.get(key).cloned()
    };
    let partition_key = key_gen(p, pk);
    let sort_key = match sk {
        Some(sk) => Some(key_gen(p, sk)?),
        None => None,
    };
    Some(WorkloadSpec {
        name: w.name.clone(),
        operation: operation?,
        rate_per_s: w.rate,
        item_bytes: item_bytes?,
        consistency: consistency?,
        partition_key: partition_key?,
        sort_key,
    })
}

const DISTRIBUTIONS: [&str; 2] = ["uniform", "zipf"];

fn distribution(p: &mut Problems, path: &str, a: &RawAttribute) -> Option<ValueDistribution> {
    let count = match a.count {
        None => {
            p.add(format!("{path}.count"), "is required: the number of distinct values");
            None
        }
        Some(c) => positive_int(p, &format!("{path}.count"), Some(c), 1, 1 << 53),
    };
    match a.distribution.as_str() {
        "uniform" => {
            if a.exponent.is_some() {
                p.add(format!("{path}.exponent"), "applies to zipf only");
            }
            Some(ValueDistribution::Uniform { count: count? })
        }
        "zipf" => {
            let Some(exponent) = a.exponent else {
                p.add(format!("{path}.exponent"), "is required for zipf (for example 0.99 or 1.2)");
                return None;
            };
            match Zipf::new(count?, exponent) {
                Ok(z) => Some(ValueDistribution::Zipf(z)),
                Err(e) => {
                    p.add(format!("{path}.exponent"), e.to_string());
                    None
                }
            }
        }
        other => {
            p.add(format!("{path}.distribution"), one_of("", other, &DISTRIBUTIONS));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_near_misses_only() {
        assert_eq!(nearest("rat", &["rate", "name"]), Some("rate"));
        assert_eq!(nearest("wrte_capacity", &["read_capacity", "write_capacity"]), Some("write_capacity"));
        assert_eq!(nearest("zzzzzz", &["rate", "name"]), None);
    }

    #[test]
    fn unknown_field_messages_suggest_the_nearest_key() {
        let m =
            explain_serde_message("unknown field `rat`, expected one of `name`, `operation`, `rate`", "rat");
        assert_eq!(
            m,
            "unknown key `rat` (did you mean `rate`?); valid keys here: `name`, `operation`, `rate`"
        );
    }

    #[test]
    fn type_messages_name_toml_types() {
        let check = |message: &str, written: &str, expect: &str| {
            assert_eq!(explain_serde_message(message, written), expect)
        };
        check("invalid type: string \"x\", expected f64", "\"x\"", "expected a number, got string \"x\"");
        check(
            "invalid type: floating point `1.5`, expected i64",
            "1.5",
            "expected an integer, got floating point `1.5`",
        );
        check("invalid type: sequence, expected struct RawClient", "[1]", "expected a table, got an array");
        check("invalid type: map, expected a string", "1979-05-27", "expected a string, got a date-time");
        check("missing field `name`", "", "missing required key `name`");
        assert_eq!(
            stand_in("invalid type: string \"x\", expected f64").map(|v| v.to_string()),
            Some("0.0".into())
        );
        assert!(stand_in("invalid type: string \"x\", expected something odd").is_none());
    }
}
