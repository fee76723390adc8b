//! Validation of a workload's operation settings: `index`, `sort_key_condition`, `limit`,
//! `descending`, `items`, `segments`, `set`, `remove`, `condition`, `keys`, `fetch`.

use super::raw::RawWorkload;
use super::validate::{one_of, positive_int, Problems, TableKeys};
use crate::engine::index::AttrRef;
use crate::engine::operation::{BATCH_GET_MAX_ITEMS, BATCH_WRITE_MAX_ITEMS, TRANSACT_MAX_ITEMS};
use crate::engine::{Condition, IndexKind, KeyValue, SortCondition};
use crate::workload::{KeyPattern, OperationKind, RequestShape};

/// A sort-key value from TOML: an integer is a number key, a string a string key.
fn key_value(p: &mut Problems, path: &str, v: &toml::Value) -> Option<KeyValue> {
    match v {
        toml::Value::Integer(n) => Some(KeyValue::N(*n)),
        toml::Value::String(s) => Some(KeyValue::S(s.as_str().into())),
        other => {
            p.add(path, format!("must be an integer or a string (a sort-key value), got {other}"));
            None
        }
    }
}

const OPS: [&str; 7] = ["=", "<", "<=", ">", ">=", "between", "begins_with"];

fn sort_condition(p: &mut Problems, path: &str, op: &str, value: &toml::Value) -> Option<SortCondition> {
    let vpath = format!("{path}.value");
    if op == "between" {
        let toml::Value::Array(pair) = value else {
            p.add(vpath, "must be [low, high] for between");
            return None;
        };
        if pair.len() != 2 {
            p.add(vpath, "must be [low, high] for between");
            return None;
        }
        let lo = key_value(p, &vpath, &pair[0])?;
        let hi = key_value(p, &vpath, &pair[1])?;
        if lo > hi {
            p.add(vpath, "low must not be above high");
            return None;
        }
        return Some(SortCondition::Between(lo, hi));
    }
    let v = key_value(p, &vpath, value);
    match op {
        "=" => Some(SortCondition::Eq(v?)),
        "<" => Some(SortCondition::Lt(v?)),
        "<=" => Some(SortCondition::Le(v?)),
        ">" => Some(SortCondition::Gt(v?)),
        ">=" => Some(SortCondition::Ge(v?)),
        "begins_with" => match v? {
            s @ KeyValue::S(_) => Some(SortCondition::BeginsWith(s)),
            _ => {
                p.add(vpath, "begins_with takes a string");
                None
            }
        },
        other => {
            p.add(format!("{path}.op"), one_of("", other, &OPS));
            None
        }
    }
}

/// The settings of workload `i` (operation `op`); every setting that does not apply to the
/// operation is an error naming the operations it applies to.
pub(super) fn shape(
    p: &mut Problems,
    i: usize,
    w: &RawWorkload,
    op: Option<OperationKind>,
    keys: &TableKeys<'_>,
) -> Option<RequestShape> {
    let at = |key: &str| format!("workload[{i}].{key}");
    let op = op?;
    let before = p.0.len();
    let only = |p: &mut Problems, key: &str, present: bool, allowed: &[OperationKind], what: &str| {
        if present && !allowed.contains(&op) {
            p.add(at(key), format!("applies to {what} only, not {}", op.scenario_name()));
        }
    };
    use OperationKind::*;
    only(p, "index", w.index.is_some(), &[Query, Scan], "query and scan");
    only(p, "sort_key_condition", w.sort_key_condition.is_some(), &[Query], "query");
    only(p, "descending", w.descending.is_some(), &[Query], "query");
    only(p, "fetch", w.fetch.is_some(), &[Query], "query");
    only(p, "limit", w.limit.is_some(), &[Query, Scan], "query and scan");
    only(p, "segments", w.segments.is_some(), &[Scan], "scan");
    let multi = [BatchGet, BatchWrite, TransactGet, TransactWrite];
    only(p, "items", w.items.is_some(), &multi, "batch_get, batch_write, transact_get and transact_write");
    only(p, "set", w.set.is_some(), &[Update], "update");
    only(p, "remove", w.remove.is_some(), &[Update], "update");
    only(
        p,
        "condition",
        w.condition.is_some(),
        &[Put, Update, Delete, TransactWrite],
        "put, update, delete and transact_write",
    );
    only(
        p,
        "keys",
        w.keys.is_some(),
        &[Get, Update, Delete, BatchGet, TransactGet],
        "get, update, delete, batch_get and transact_get",
    );

    let index = match &w.index {
        None => None,
        Some(name) => match keys.indexes.iter().position(|ix| ix.spec.name == *name) {
            Some(ix) => Some(ix),
            None => {
                let names: Vec<&str> = keys.indexes.iter().map(|ix| ix.spec.name.as_str()).collect();
                if names.is_empty() {
                    p.add(at("index"), format!("the table has no index \"{name}\"; declare it in [[table.global_secondary_index]]"));
                } else {
                    p.add(at("index"), one_of("", name, &names));
                }
                None
            }
        },
    };
    let local = index.is_some_and(|ix| keys.indexes[ix].spec.kind == IndexKind::Local);
    if w.fetch == Some(true) && !local {
        p.add(at("fetch"), "applies to queries of a local secondary index only (MODEL.md §7.2)");
    }
    let sort = match &w.sort_key_condition {
        None => None,
        Some(c) => {
            let has_sort = match index {
                Some(ix) => keys.indexes[ix].spec.sort_key.is_some(),
                None => keys.sort_key.is_some(),
            };
            if !has_sort {
                p.add(at("sort_key_condition"), "the queried table or index has no sort key");
            }
            sort_condition(p, &at("sort_key_condition"), &c.op, &c.value)
        }
    };
    let limit = positive_int(p, &at("limit"), w.limit, 1, 1_000_000).map(|n| n as u32);
    let items = match op {
        BatchGet => positive_int(p, &at("items"), w.items, 1, BATCH_GET_MAX_ITEMS as i64),
        BatchWrite => positive_int(p, &at("items"), w.items, 1, BATCH_WRITE_MAX_ITEMS as i64),
        TransactGet | TransactWrite => positive_int(p, &at("items"), w.items, 1, TRANSACT_MAX_ITEMS as i64),
        _ => None,
    }
    .map_or(if op.is_multi_item() { 10 } else { 1 }, |n| n as u32);
    let segments = positive_int(p, &at("segments"), w.segments, 1, 1_000_000).map_or(1, |n| n as u32);
    let tracked = |p: &mut Problems, key: &str, names: &Option<Vec<String>>| -> Vec<u16> {
        let mut out = Vec::new();
        for name in names.iter().flatten() {
            match keys.schema.attr(name) {
                Some(AttrRef::Tracked(slot)) => out.push(slot),
                Some(_) => p.add(at(key), format!("\"{name}\" is a key attribute of the table; an update cannot change it")),
                None => p.add(
                    at(key),
                    format!("\"{name}\" is not an attribute any index keys on or projects; the engine keeps only those (change the item's size with item_bytes)"),
                ),
            }
        }
        out
    };
    let set = tracked(p, "set", &w.set);
    let remove = tracked(p, "remove", &w.remove);
    for name in w.set.iter().flatten() {
        if !w.attributes.contains_key(name) {
            p.add(
                at("set"),
                format!("\"{name}\" has no generator in [workload.attributes] to draw the new value from"),
            );
        }
    }
    let condition = match w.condition.as_deref() {
        None => None,
        Some("attribute_exists") => Some(Condition::Exists(AttrRef::Partition)),
        Some("attribute_not_exists") => Some(Condition::NotExists(AttrRef::Partition)),
        Some(other) => {
            p.add(at("condition"), one_of("", other, &["attribute_exists", "attribute_not_exists"]));
            None
        }
    };
    let pattern = match w.keys.as_deref() {
        None | Some("drawn") => KeyPattern::Drawn,
        Some("recent") => KeyPattern::Recent,
        Some("existing") => KeyPattern::Existing,
        Some("missing") => KeyPattern::Missing,
        Some(other) => {
            p.add(at("keys"), one_of("", other, &["drawn", "recent", "existing", "missing"]));
            KeyPattern::Drawn
        }
    };
    if p.0.len() > before {
        return None;
    }
    Some(RequestShape {
        index,
        sort,
        descending: w.descending.unwrap_or(false),
        limit,
        items,
        segments,
        set,
        remove,
        condition,
        keys: pattern,
        fetch: w.fetch.unwrap_or(false),
    })
}
