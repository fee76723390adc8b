//! Validation of value distributions: `[workload.entity]` and key attributes. Weighted values
//! are in [`super::weights`], item sizes in [`super::size`].

use super::raw::{RawAttribute, RawEntity};
use super::validate::{one_of, positive_int, Problems};
use super::weights::{weighted, weights};
use crate::engine::KeyValue;
use crate::workload::value::HotsetError;
use crate::workload::{Hotset, KeyAttribute, Pick, Sequential, ValueDistribution, Zipf};
use std::path::Path;

/// Most distinct values of a counted distribution: 2^53, so every value is exact as a float
/// (the Zipf sampler's own limit).
pub const MAX_COUNT: i64 = crate::workload::zipf::MAX_COUNT as i64;
/// Distributions of an attribute.
pub const ATTRIBUTE_DISTRIBUTIONS: [&str; 6] =
    ["uniform", "zipf", "hotset", "weighted", "sequential", "constant"];
/// Distributions of entity popularity.
pub const ENTITY_DISTRIBUTIONS: [&str; 3] = ["uniform", "zipf", "hotset"];
/// Largest step of a sequential attribute.
const MAX_STEP: i64 = 1_000_000_000;

/// Most write shards of a partition key.
pub const MAX_SHARDS: i64 = 1_000;

/// `[table] partition_key = { attribute, shards }`: write shards, 1 when not given.
pub fn shards(p: &mut Problems, shards: Option<i64>) -> Option<u32> {
    match shards {
        None => Some(1),
        Some(n) => positive_int(p, "table.partition_key.shards", Some(n), 1, MAX_SHARDS).map(|n| n as u32),
    }
}

/// Reports each present key that `allowed` does not list as not applying to `what`.
pub fn reject_extra(p: &mut Problems, path: &str, what: &str, present: &[(&str, bool)], allowed: &[&str]) {
    for (key, _) in present.iter().filter(|(k, is)| *is && !allowed.contains(k)) {
        p.add(format!("{path}.{key}"), format!("does not apply to {what}"));
    }
}

/// Whether draws are per entity: `per` as written, by default whenever there are entities.
pub fn per_entity(p: &mut Problems, path: &str, per: Option<&str>, has_entity: bool) -> Option<bool> {
    match per {
        None => Some(has_entity),
        Some("request") => Some(false),
        Some("entity") if has_entity => Some(true),
        Some("entity") => {
            p.add(format!("{path}.per"), "needs a [workload.entity] table to draw per entity");
            None
        }
        Some(other) => {
            p.add(format!("{path}.per"), one_of("", other, &["entity", "request"]));
            None
        }
    }
}

/// A distribution over `count` values: uniform, zipf (`exponent`) or hotset (`hot`, `share`).
fn counted(
    p: &mut Problems,
    path: &str,
    dist: &str,
    count: Option<i64>,
    (exponent, hot, share): (Option<f64>, Option<i64>, Option<f64>),
) -> Option<ValueDistribution> {
    let count = match count {
        None => {
            p.add(format!("{path}.count"), "is required: the number of distinct values");
            None
        }
        Some(c) => positive_int(p, &format!("{path}.count"), Some(c), 1, MAX_COUNT),
    };
    match dist {
        "zipf" => {
            let Some(exponent) = exponent else {
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
        "hotset" => {
            if hot.is_none() {
                p.add(format!("{path}.hot"), "is required for hotset: how many values are hot");
            }
            if share.is_none() {
                p.add(
                    format!("{path}.share"),
                    "is required for hotset: the fraction of draws that go to hot values",
                );
            }
            match Hotset::new(count?, u64::try_from(hot?).unwrap_or(0), share?) {
                Ok(h) => Some(ValueDistribution::Hotset(h)),
                Err(e @ HotsetError::Hot { .. }) => {
                    p.add(format!("{path}.hot"), e.to_string());
                    None
                }
                Err(e @ HotsetError::Share(_)) => {
                    p.add(format!("{path}.share"), e.to_string());
                    None
                }
            }
        }
        _ => Some(ValueDistribution::Uniform { count: count? }),
    }
}

/// `[workload.entity]`: the popularity of the workload's logical items.
pub fn entity(p: &mut Problems, path: &str, e: &RawEntity) -> Option<ValueDistribution> {
    let dist = e.distribution.as_str();
    if !ENTITY_DISTRIBUTIONS.contains(&dist) {
        p.add(format!("{path}.distribution"), one_of("", dist, &ENTITY_DISTRIBUTIONS));
        return None;
    }
    let present =
        [("exponent", e.exponent.is_some()), ("hot", e.hot.is_some()), ("share", e.share.is_some())];
    let allowed: &[&str] = match dist {
        "zipf" => &["exponent"],
        "hotset" => &["hot", "share"],
        _ => &[],
    };
    reject_extra(p, path, &format!("a {dist} distribution"), &present, allowed);
    counted(p, path, dist, e.count, (e.exponent, e.hot, e.share))
}

/// An attribute generator: the entity id (`from = "entity"`) or a distribution, drawn per
/// entity or per request, with `shards` write shards.
pub fn attribute(
    p: &mut Problems,
    path: &str,
    name: &str,
    a: &RawAttribute,
    (has_entity, shards, dir): (bool, u32, &Path),
) -> Option<KeyAttribute> {
    let present = [
        ("count", a.count.is_some()),
        ("exponent", a.exponent.is_some()),
        ("values", a.values.is_some()),
        ("file", a.file.is_some()),
        ("hot", a.hot.is_some()),
        ("share", a.share.is_some()),
        ("start", a.start.is_some()),
        ("step", a.step.is_some()),
        ("clock", a.clock.is_some()),
        ("value", a.value.is_some()),
        ("per", a.per.is_some()),
    ];
    if let Some(from) = &a.from {
        if from != "entity" {
            p.add(format!("{path}.from"), one_of("", from, &["entity"]));
            return None;
        }
        if a.distribution.is_some() {
            p.add(
                format!("{path}.distribution"),
                "cannot be combined with `from`: an attribute is the entity id or drawn from a distribution",
            );
        }
        reject_extra(p, path, "an attribute taken from the entity", &present, &[]);
        if !has_entity {
            p.add(format!("{path}.from"), "needs a [workload.entity] table to take entities from");
            return None;
        }
        return Some(KeyAttribute::new(name, Pick::Entity, None, shards));
    }
    let Some(dist) = a.distribution.as_deref() else {
        p.add(
            path,
            "needs a `distribution` (\"uniform\", \"zipf\", \"weighted\", ...) or `from = \"entity\"`",
        );
        return None;
    };
    let allowed: &[&str] = match dist {
        "uniform" => &["count", "per"],
        "zipf" => &["count", "exponent", "per"],
        "hotset" => &["count", "hot", "share", "per"],
        "weighted" => &["values", "file", "per"],
        "sequential" => &["start", "step", "clock"],
        "constant" => &["value"],
        other => {
            p.add(format!("{path}.distribution"), one_of("", other, &ATTRIBUTE_DISTRIBUTIONS));
            return None;
        }
    };
    reject_extra(p, path, &format!("a {dist} distribution"), &present, allowed);
    let per = per_entity(p, path, a.per.as_deref(), has_entity);
    let pick = |d, per: bool| if per { Pick::PerEntity(d) } else { Pick::PerRequest(d) };
    match dist {
        "weighted" => {
            let listed = weights(p, path, a.values.as_ref(), a.file.as_deref(), dir, "value,weight")?;
            let categories: Vec<KeyValue> =
                listed.labels.iter().map(|l| KeyValue::S(l.as_str().into())).collect();
            let w = weighted(p, path, &listed.weights)?;
            Some(KeyAttribute::new(
                name,
                pick(ValueDistribution::Weighted(w), per?),
                Some(&categories),
                shards,
            ))
        }
        "sequential" => {
            sequential(p, path, a).map(|s| KeyAttribute::new(name, Pick::Sequential(s), None, shards))
        }
        "constant" => {
            let value = match &a.value {
                Some(toml::Value::Integer(n)) => KeyValue::N(*n),
                Some(toml::Value::String(s)) if !s.is_empty() => KeyValue::S(s.as_str().into()),
                Some(other) => {
                    p.add(
                        format!("{path}.value"),
                        format!("must be a non-empty string or an integer, got {other}"),
                    );
                    return None;
                }
                None => {
                    p.add(format!("{path}.value"), "is required for constant: the value every request uses");
                    return None;
                }
            };
            Some(KeyAttribute::new(name, Pick::Constant, Some(&[value]), shards))
        }
        _ => {
            let d = counted(p, path, dist, a.count, (a.exponent, a.hot, a.share))?;
            Some(KeyAttribute::new(name, pick(d, per?), None, shards))
        }
    }
}

fn sequential(p: &mut Problems, path: &str, a: &RawAttribute) -> Option<Sequential> {
    let step = a.step.unwrap_or(1);
    let step_ok = (1..=MAX_STEP).contains(&step);
    if !step_ok {
        p.add(format!("{path}.step"), format!("must be between 1 and {MAX_STEP}, got {step}"));
    }
    let clock_us = match a.clock.as_deref() {
        None => Some(None),
        Some("s") => Some(Some(1_000_000)),
        Some("ms") => Some(Some(1_000)),
        Some("us") => Some(Some(1)),
        Some(other) => {
            p.add(format!("{path}.clock"), one_of("", other, &["s", "ms", "us"]));
            None
        }
    };
    let start = a.start.unwrap_or(0);
    Some(Sequential { start, step: step_ok.then_some(step)?, clock_us: clock_us? })
}
