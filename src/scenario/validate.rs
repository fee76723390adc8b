//! Validation: raw TOML structs into a [`Scenario`], with every problem reported at once.

use super::raw::{RawScenario, RawWorkload};
use super::{Problem, Scenario};
use crate::engine::{Consistency, TableSpec};
use crate::sim::SimConfig;
use crate::time::parse_duration_micros;
use crate::workload::{ItemSize, OperationKind, TraceClass, TraceReplay, WorkloadSpec};
use std::collections::BTreeSet;
use std::path::Path;

/// Most capacity a scenario may give a table, RCU and WCU each: the default per-table quota
/// ([`crate::capacity::TABLE_QUOTA_UNITS`], MODEL.md §4.3).
pub const TABLE_QUOTA_UNITS: i64 = crate::capacity::TABLE_QUOTA_UNITS as i64;
/// Longest simulated duration accepted: 30 days.
pub const MAX_DURATION_US: u64 = 30 * 86_400 * 1_000_000;
/// Highest request rate of one workload, per second.
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;

pub(super) struct Problems(pub(super) Vec<Problem>);

impl Problems {
    pub(super) fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
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

pub(super) fn one_of(path: &str, value: &str, allowed: &[&str]) -> String {
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
        // The either-or forms of raw_forms.rs.
        "a number or a table" => toml_edit::Value::from(0.0),
        "an integer or a table" => toml_edit::Value::from(0),
        "a string or a table" => toml_edit::Value::from(""),
        _ => return None,
    })
}

pub(super) fn positive_int(
    problems: &mut Problems,
    path: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
) -> Option<u64> {
    let v = value?;
    if v < min || v > max {
        problems.add(path, format!("must be between {min} and {max}, got {v}"));
        return None;
    }
    Some(v as u64)
}

/// Validates `raw` (read from `text`) into a scenario, or returns every problem found. Data
/// files that the scenario names are read relative to the current folder.
pub fn validate(raw: RawScenario, text: &str) -> Result<Scenario, Vec<Problem>> {
    validate_in(raw, text, Path::new(""))
}

/// [`validate`] for a scenario in folder `dir`: the data files it names are relative to `dir`.
pub fn validate_in(raw: RawScenario, text: &str, dir: &Path) -> Result<Scenario, Vec<Problem>> {
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
    let partition_key = &t.partition_key.attribute;
    if partition_key.is_empty() {
        p.add("table.partition_key", "must name an attribute");
    }
    let shards = super::distribution::shards(&mut p, t.partition_key.shards);
    if t.sort_key.as_deref() == Some("") {
        p.add("table.sort_key", "must name an attribute");
    }
    if t.sort_key.is_some() && t.sort_key.as_ref() == Some(partition_key) {
        p.add("table.sort_key", "must differ from the partition key");
    }
    let billing = super::capacity::billing(&mut p, t);
    let auto_scaling = super::capacity::auto_scaling(&mut p, t, billing);
    let schedule = super::capacity::schedule(&mut p, t, billing);
    let initial_partitions =
        positive_int(&mut p, "table.initial_partitions", t.initial_partitions, 1, 1_000_000)
            .map(|n| n as u32);

    if raw.workload.is_empty() && raw.trace.is_none() {
        p.add("workload", "a scenario needs at least one [[workload]] or a [trace]");
    }
    let indexes = super::index::indexes(&mut p, t, billing);
    let index_params = super::index::params(&mut p, raw.capacity.as_ref());
    let specs: Vec<crate::engine::IndexSpec> = indexes.iter().map(|i| i.spec.clone()).collect();
    let keys = TableKeys {
        partition_key: partition_key.as_str(),
        shards: shards.unwrap_or(1),
        sort_key: t.sort_key.as_deref(),
        indexes: &indexes,
        schema: crate::engine::index::Schema::new(partition_key, t.sort_key.as_deref(), &specs),
    };
    let trace = raw.trace.as_ref().and_then(|r| super::trace::trace(&mut p, r, t.sort_key.is_some(), dir));
    let mut names = BTreeSet::new();
    let mut workloads = Vec::new();
    for (i, w) in raw.workload.iter().enumerate() {
        if !names.insert(w.name.as_str()) {
            p.add(format!("workload[{i}].name"), format!("duplicate workload name \"{}\"", w.name));
        }
        if raw.trace.is_some() && w.name.starts_with("trace/") {
            let message = "names starting with \"trace/\" are the trace's (its requests are reported as trace/get, trace/put, ...)";
            p.add(format!("workload[{i}].name"), message);
        }
        if let Some(spec) = workload(&mut p, i, w, &keys, (dir, duration_us)) {
            workloads.push(spec);
        }
    }
    crate::workload::share_equal_laws(&mut workloads);

    let preload = t.preload.as_ref().map(|pre| super::preload::preload(&mut p, pre, &raw.workload, dir));
    let (retry, attempt_latency) = super::client::client(&mut p, raw.client.as_ref());
    let (capacity, heat, growth) = super::capacity::params(&mut p, raw.capacity.as_ref());
    let pricing = super::pricing::pricing(&mut p, raw.pricing.as_ref());
    let (expect, found) = super::expect::validate(raw.expect.as_ref());
    p.0.extend(found);
    if !p.0.is_empty() {
        return Err(p.0);
    }
    let (Some(duration_us), Some(billing), Some(retry), Some(attempt_latency), Some(pricing)) =
        (duration_us, billing, retry, attempt_latency, pricing)
    else {
        return Err(vec![Problem {
            path: String::new(),
            line: None,
            message: "internal: validation lost a problem".into(),
        }]);
    };
    // The trace's requests belong to pseudo-workloads after the scenario's own.
    let trace = trace.map(|trace| {
        let first_workload = workloads.len() as u32;
        workloads.extend(trace.classes().iter().map(TraceClass::workload));
        TraceReplay { trace: std::sync::Arc::new(trace), first_workload }
    });
    let config = SimConfig {
        table: TableSpec {
            name: t.name.clone(),
            partition_key: partition_key.clone(),
            sort_key: t.sort_key.clone(),
        },
        indexes,
        index_params,
        billing,
        initial_partitions,
        capacity,
        heat,
        growth: super::capacity::warm_growth(growth, t),
        auto_scaling,
        schedule,
        workloads,
        trace,
        retry,
        attempt_latency,
        duration_us,
        preload: preload.flatten(),
    };
    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        seed,
        config,
        source: text.to_string(),
        pricing,
        variant: None,
        expect,
        variants: Vec::new(),
    })
}

/// What a workload needs to know of its table: the key attributes, the write shards of the
/// partition key, the indexes and the tracked attributes.
pub(super) struct TableKeys<'a> {
    pub partition_key: &'a str,
    pub shards: u32,
    pub sort_key: Option<&'a str>,
    pub indexes: &'a [crate::sim::IndexConfig],
    pub schema: crate::engine::index::Schema,
}

/// One workload against the table described by `keys`.
fn workload(
    p: &mut Problems,
    i: usize,
    w: &RawWorkload,
    keys: &TableKeys<'_>,
    (dir, duration_us): (&Path, Option<u64>),
) -> Option<WorkloadSpec> {
    let (pk, shards, sk) = (keys.partition_key, keys.shards, keys.sort_key);
    let at = |key: &str| format!("workload[{i}].{key}");
    if w.name.is_empty() {
        p.add(at("name"), "must not be empty");
    }
    let names: Vec<&str> = OperationKind::ALL.iter().map(|op| op.scenario_name()).collect();
    let operation = OperationKind::from_scenario_name(&w.operation);
    if operation.is_none() {
        p.add(at("operation"), one_of("", &w.operation, &names));
    }
    let traffic = super::traffic::traffic(p, i, w, dir, duration_us);
    let entity = w.entity.as_ref().map(|e| super::distribution::entity(p, &at("entity"), e));
    let has_entity = w.entity.is_some();
    let item_bytes = match (operation, &w.item_bytes) {
        (Some(op), None) if op.stores() => {
            p.add(
                at("item_bytes"),
                format!("is required for {}: the size of each item written, in bytes", op.scenario_name()),
            );
            None
        }
        (Some(op), Some(_)) if !op.stores() && op != OperationKind::Update => {
            p.add(at("item_bytes"), format!("applies to put, update, batch_write and transact_write only: {} reads the size items were written with", op.scenario_name()));
            None
        }
        (_, Some(b)) => super::size::item_size(p, &at("item_bytes"), b, has_entity, dir),
        (_, None) => Some(ItemSize::fixed(0)),
    };
    let shape = super::request::shape(p, i, w, operation, keys);
    let consistency = match (operation, w.consistency.as_deref()) {
        (_, None) => Some(Consistency::Eventual),
        (Some(op), Some(_)) if op.writes() || op == OperationKind::TransactGet => {
            p.add(at("consistency"), "applies to get, query, scan and batch_get only");
            None
        }
        (_, Some("eventual")) => Some(Consistency::Eventual),
        (_, Some("strong")) => {
            let global = shape
                .as_ref()
                .and_then(|s| s.index)
                .is_some_and(|ix| keys.indexes[ix].spec.kind == crate::engine::IndexKind::Global);
            if global {
                p.add(
                    at("consistency"),
                    "global secondary indexes support eventually consistent reads only (MODEL.md §7.1)",
                );
                None
            } else {
                Some(Consistency::Strong)
            }
        }
        (_, Some(other)) => {
            p.add(at("consistency"), one_of("", other, &["eventual", "strong"]));
            None
        }
    };
    // Each generator is built once: a Zipf sampler's table takes milliseconds to build. Every
    // attribute is validated; the table's keys and the tracked attributes are drawn.
    let mut generators = std::collections::BTreeMap::new();
    for (name, attr) in &w.attributes {
        let path = format!("workload[{i}].attributes.{name}");
        let shards = if name == pk { shards } else { 1 };
        if let Some(d) = super::distribution::attribute(p, &path, name, attr, (has_entity, shards, dir)) {
            generators.insert(name.as_str(), d);
        }
    }
    let key_gen = |p: &mut Problems, key: &str, why: &str| -> Option<crate::workload::KeyAttribute> {
        if !w.attributes.contains_key(key) {
            p.add(at("attributes"), format!("has no generator for key attribute \"{key}\" ({why}); add {key} = {{ distribution = \"uniform\", count = ... }}"));
        }
        // A generator that is there but invalid has had its problem reported above.
        generators.get(key).cloned()
    };
    let index = shape.as_ref().and_then(|s| s.index);
    let (partition_key, sort_key) = match (operation, index) {
        (Some(OperationKind::Scan), _) => {
            (Some(crate::workload::KeyAttribute::new("", crate::workload::Pick::Constant, None, 1)), None)
        }
        (Some(OperationKind::Query), Some(ix)) => {
            let ix_pk = &keys.indexes[ix].spec.partition_key;
            let generator = if ix_pk == pk { generators.get(pk).cloned() } else { None };
            (generator.or_else(|| key_gen(p, ix_pk, "the queried index's partition key")), None)
        }
        (Some(OperationKind::Query), None) => (key_gen(p, pk, "the table's partition key"), None),
        _ => {
            let partition_key = key_gen(p, pk, "the table's key");
            let sort_key = match sk {
                Some(sk) => Some(key_gen(p, sk, "the table's key")?),
                None => None,
            };
            (partition_key, sort_key)
        }
    };
    let tracked = keys.schema.tracked.iter().map(|name| generators.get(name.as_str()).cloned()).collect();
    Some(WorkloadSpec {
        name: w.name.clone(),
        operation: operation?,
        traffic: traffic?,
        item_bytes: item_bytes?,
        consistency: consistency?,
        entity: entity.map_or(Some(None), |e| e.map(Some))?,
        partition_key: partition_key?,
        sort_key,
        tracked,
        shape: shape?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A validated scenario's workloads draw from one sampler's tables where their Zipf laws are
    /// equal: the standard bench's gets and puts.
    #[test]
    fn equal_zipf_laws_of_a_scenario_share_their_tables() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/standard-bench.toml");
        let scenario = crate::scenario::load(&path).expect("the standard bench is valid");
        let zipf = |w: &crate::workload::WorkloadSpec| match w.direct_keys() {
            Some(crate::workload::ValueDistribution::Zipf(z)) => z.clone(),
            other => panic!("a zipf workload, got {other:?}"),
        };
        let (gets, puts) = (zipf(&scenario.config.workloads[0]), zipf(&scenario.config.workloads[1]));
        assert!(gets.shares_tables(&puts));
    }

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
