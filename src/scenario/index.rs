//! Validation of secondary indexes (`[[table.global_secondary_index]]`,
//! `[[table.local_secondary_index]]`) and of the index settings in `[capacity]`.

use super::raw::{RawCapacity, RawTable};
use super::validate::{one_of, positive_int, Problems, TABLE_QUOTA_UNITS};
use crate::capacity::BillingMode;
use crate::engine::{IndexKind, IndexParams, IndexSpec, Projection};
use crate::sim::IndexConfig;

/// Global secondary indexes per table (MODEL.md §7.1, default quota).
pub const MAX_GLOBAL_INDEXES: usize = 20;
/// Local secondary indexes per table (MODEL.md §7.2).
pub const MAX_LOCAL_INDEXES: usize = 5;
/// Projected attributes across all indexes (MODEL.md §7.3).
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;

fn projection(p: &mut Problems, path: &str, raw: Option<&toml::Value>) -> Option<Projection> {
    match raw {
        None => Some(Projection::All),
        Some(toml::Value::String(s)) => match s.as_str() {
            "all" => Some(Projection::All),
            "keys_only" => Some(Projection::KeysOnly),
            other => {
                p.add(
                    path,
                    one_of(path, other, &["all", "keys_only"]) + " (or { include = [\"Attr\", ...] })",
                );
                None
            }
        },
        Some(toml::Value::Table(t)) => {
            let names: Option<Vec<String>> = match t.get("include") {
                Some(toml::Value::Array(a)) => {
                    a.iter().map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string)).collect()
                }
                _ => None,
            };
            if t.keys().any(|k| k != "include") || names.as_ref().is_none_or(Vec::is_empty) {
                p.add(
                    path,
                    "must be \"all\", \"keys_only\" or { include = [\"Attr\", ...] } with attribute names",
                );
                return None;
            }
            names.map(Projection::Include)
        }
        Some(other) => {
            p.add(path, format!("must be \"all\", \"keys_only\" or {{ include = [...] }}, got {other}"));
            None
        }
    }
}

/// The table's indexes, each global one with its billing: its own provisioned capacity (the
/// table's if not given: MODEL.md §6.2 recommends at least the table's write capacity), or on
/// demand like the table.
pub(super) fn indexes(
    p: &mut Problems,
    t: &RawTable,
    table_billing: Option<BillingMode>,
) -> Vec<IndexConfig> {
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    if t.global_secondary_index.len() > MAX_GLOBAL_INDEXES {
        p.add(
            "table.global_secondary_index",
            format!("a table has at most {MAX_GLOBAL_INDEXES} global secondary indexes"),
        );
    }
    if t.local_secondary_index.len() > MAX_LOCAL_INDEXES {
        p.add(
            "table.local_secondary_index",
            format!("a table has at most {MAX_LOCAL_INDEXES} local secondary indexes"),
        );
    }
    let mut projected = 0;
    let groups = [
        (IndexKind::Global, "global_secondary_index", &t.global_secondary_index),
        (IndexKind::Local, "local_secondary_index", &t.local_secondary_index),
    ];
    for (kind, key, list) in groups {
        for (i, raw) in list.iter().enumerate() {
            let at = |k: &str| format!("table.{key}[{i}].{k}");
            if raw.name.is_empty()
                || !raw.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                p.add(
                    at("name"),
                    format!(
                        "must be non-empty and use only letters, digits, '-', '_' and '.', got \"{}\"",
                        raw.name
                    ),
                );
            } else if !names.insert(raw.name.clone()) {
                p.add(at("name"), format!("duplicate index name \"{}\"", raw.name));
            }
            let partition_key = match (kind, &raw.partition_key) {
                (IndexKind::Global, Some(pk)) if !pk.is_empty() => Some(pk.clone()),
                (IndexKind::Global, _) => {
                    p.add(at("partition_key"), "is required: the attribute the index is partitioned by");
                    None
                }
                (IndexKind::Local, Some(pk)) if *pk != t.partition_key.attribute => {
                    p.add(
                        at("partition_key"),
                        format!(
                            "a local index has the table's partition key (\"{}\"); leave it out",
                            t.partition_key.attribute
                        ),
                    );
                    None
                }
                (IndexKind::Local, _) => Some(t.partition_key.attribute.clone()),
            };
            let sort_key = match (&raw.sort_key, kind) {
                (Some(sk), _) if sk.is_empty() => {
                    p.add(at("sort_key"), "must name an attribute");
                    None
                }
                (None, IndexKind::Local) => {
                    p.add(at("sort_key"), "is required for a local index: the alternative sort key");
                    None
                }
                (sk, _) => sk.clone(),
            };
            if kind == IndexKind::Local && t.sort_key.is_none() {
                p.add(at("name"), "a local secondary index needs a table with a sort key");
            }
            let projection = projection(p, &at("projection"), raw.projection.as_ref());
            if let Some(Projection::Include(names)) = &projection {
                projected += names.len();
            }
            let billing = match (kind, table_billing) {
                (IndexKind::Local, b) => {
                    for (k, v) in [
                        ("read_capacity", raw.read_capacity),
                        ("write_capacity", raw.write_capacity),
                        ("initial_partitions", raw.initial_partitions),
                    ] {
                        if v.is_some() {
                            p.add(
                                at(k),
                                "a local index uses its table's partitions and capacity; leave it out",
                            );
                        }
                    }
                    b
                }
                (IndexKind::Global, Some(BillingMode::Provisioned { read_units, write_units })) => {
                    let r = raw.read_capacity.map_or(Some(read_units), |_| {
                        positive_int(p, &at("read_capacity"), raw.read_capacity, 1, TABLE_QUOTA_UNITS)
                    });
                    let w = raw.write_capacity.map_or(Some(write_units), |_| {
                        positive_int(p, &at("write_capacity"), raw.write_capacity, 1, TABLE_QUOTA_UNITS)
                    });
                    r.zip(w)
                        .map(|(read_units, write_units)| BillingMode::Provisioned { read_units, write_units })
                }
                (IndexKind::Global, Some(b @ BillingMode::OnDemand { .. })) => {
                    for (k, v) in
                        [("read_capacity", raw.read_capacity), ("write_capacity", raw.write_capacity)]
                    {
                        if v.is_some() {
                            p.add(at(k), "an index of an on-demand table is on demand too (MODEL.md §7.1); leave it out");
                        }
                    }
                    Some(b)
                }
                (IndexKind::Global, None) => None,
            };
            let initial_partitions =
                positive_int(p, &at("initial_partitions"), raw.initial_partitions, 1, 1_000_000)
                    .map(|n| n as u32);
            let auto_scaling = match kind {
                IndexKind::Global => {
                    super::capacity::scaling(p, &at("auto_scaling"), raw.auto_scaling.as_ref(), billing)
                }
                IndexKind::Local => {
                    if raw.auto_scaling.is_some() {
                        p.add(at("auto_scaling"), "a local index uses its table's capacity; scale the table");
                    }
                    crate::capacity::AutoScalingParams::default()
                }
            };
            if let (Some(partition_key), Some(projection), Some(billing)) =
                (partition_key, projection, billing)
            {
                out.push(IndexConfig {
                    spec: IndexSpec { name: raw.name.clone(), kind, partition_key, sort_key, projection },
                    billing,
                    initial_partitions,
                    auto_scaling,
                });
            }
        }
    }
    // MODEL.md §4.3: "These table-level quotas apply to the sum of a table's throughput together
    // with the throughput of all of its global secondary indexes".
    if let Some(BillingMode::Provisioned { read_units, write_units }) = table_billing {
        let (mut read, mut write) = (read_units, write_units);
        for ix in out.iter().filter(|ix| ix.spec.kind == IndexKind::Global) {
            if let BillingMode::Provisioned { read_units, write_units } = ix.billing {
                (read, write) = (read + read_units, write + write_units);
            }
        }
        for (side, total) in [("read", read), ("write", write)] {
            if total > TABLE_QUOTA_UNITS as u64 {
                p.add(
                    "table.global_secondary_index",
                    format!("the table and its global indexes provision {total} {side} units; the per-table quota of {TABLE_QUOTA_UNITS} counts them together (MODEL.md §4.3)"),
                );
            }
        }
    }
    if projected > MAX_PROJECTED_ATTRIBUTES {
        p.add("table", format!("indexes project {projected} attributes with include; DynamoDB allows {MAX_PROJECTED_ATTRIBUTES} in all"));
    }
    out
}

/// `[capacity]`'s index settings over their defaults.
pub(super) fn params(p: &mut Problems, raw: Option<&RawCapacity>) -> IndexParams {
    let mut params = IndexParams::default();
    let Some(raw) = raw else { return params };
    match raw.index_propagation_ms {
        Some(ms) if (0.0..=3_600_000.0).contains(&ms) => {
            params.propagation_us = (ms * 1_000.0).round() as u64
        }
        Some(ms) => {
            p.add("capacity.index_propagation_ms", format!("must be between 0 and 3600000 ms, got {ms}"))
        }
        None => {}
    }
    if let Some(limit) =
        positive_int(p, "capacity.item_collection_limit_bytes", raw.item_collection_limit_bytes, 1, i64::MAX)
    {
        params.item_collection_limit_bytes = limit;
    }
    params
}
