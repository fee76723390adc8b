//! Validation of `item_bytes`: a number of bytes, or a distribution (uniform, lognormal,
//! weighted), never above DynamoDB's 400 KB item limit (MODEL.md §1.2, §8.6).

use super::distribution::{per_entity, reject_extra};
use super::raw::{RawSize, RawSizeDistribution};
use super::validate::{one_of, positive_int, Problems};
use super::weights::weights;
use crate::engine::MAX_ITEM_BYTES;
use crate::workload::{ItemSize, SizeDistribution, Weighted};
use std::path::Path;

/// Distributions of item sizes.
pub const SIZE_DISTRIBUTIONS: [&str; 3] = ["uniform", "lognormal", "weighted"];

fn over_limit(what: &str, bytes: f64) -> String {
    format!("{what} is above the 400 KB item limit ({MAX_ITEM_BYTES} bytes), got {bytes}")
}

/// The sizes of a put's items, drawn per entity by default when the workload has entities.
pub fn item_size(
    p: &mut Problems,
    path: &str,
    raw: &RawSize,
    has_entity: bool,
    dir: &Path,
) -> Option<ItemSize> {
    let d = match raw {
        RawSize::Number(b) => {
            return positive_int(p, path, Some(*b), 1, MAX_ITEM_BYTES as i64).map(ItemSize::fixed);
        }
        RawSize::Distribution(d) => d,
    };
    let present = [
        ("min", d.min.is_some()),
        ("max", d.max.is_some()),
        ("median", d.median.is_some()),
        ("p99", d.p99.is_some()),
        ("values", d.values.is_some()),
        ("file", d.file.is_some()),
        ("per", d.per.is_some()),
    ];
    let allowed: &[&str] = match d.distribution.as_str() {
        "uniform" => &["min", "max", "per"],
        "lognormal" => &["median", "p99", "per"],
        "weighted" => &["values", "file", "per"],
        other => {
            p.add(format!("{path}.distribution"), one_of("", other, &SIZE_DISTRIBUTIONS));
            return None;
        }
    };
    reject_extra(p, path, &format!("a {} size distribution", d.distribution), &present, allowed);
    let per = per_entity(p, path, d.per.as_deref(), has_entity);
    let dist = match d.distribution.as_str() {
        "uniform" => uniform(p, path, d),
        "lognormal" => lognormal(p, path, d),
        _ => weighted_sizes(p, path, d, dir),
    };
    Some(ItemSize::new(dist?, per?))
}

fn uniform(p: &mut Problems, path: &str, d: &RawSizeDistribution) -> Option<SizeDistribution> {
    let (Some(min), Some(max)) = (d.min, d.max) else {
        p.add(path, "a uniform size needs `min` and `max`, in bytes");
        return None;
    };
    if max > MAX_ITEM_BYTES as i64 {
        p.add(format!("{path}.max"), over_limit("the largest size", max as f64));
        return None;
    }
    let min = positive_int(p, &format!("{path}.min"), Some(min), 1, MAX_ITEM_BYTES as i64)?;
    if max < min as i64 {
        p.add(format!("{path}.max"), format!("must be at least min ({min}), got {max}"));
        return None;
    }
    Some(SizeDistribution::Uniform { min, max: max as u64 })
}

fn lognormal(p: &mut Problems, path: &str, d: &RawSizeDistribution) -> Option<SizeDistribution> {
    let (Some(median), Some(p99)) = (d.median, d.p99) else {
        p.add(path, "a lognormal size needs `median` and `p99`, in bytes");
        return None;
    };
    let limit = MAX_ITEM_BYTES as f64;
    if !(median.is_finite() && median >= 1.0) {
        p.add(format!("{path}.median"), format!("must be a size of at least 1 byte, got {median}"));
        return None;
    }
    if !(p99.is_finite() && p99 >= median) {
        p.add(format!("{path}.p99"), format!("must be at least the median ({median}), got {p99}"));
        return None;
    }
    if p99 > limit {
        p.add(format!("{path}.p99"), over_limit("the 99th percentile", p99));
        return None;
    }
    Some(SizeDistribution::lognormal(median, p99))
}

fn weighted_sizes(
    p: &mut Problems,
    path: &str,
    d: &RawSizeDistribution,
    dir: &Path,
) -> Option<SizeDistribution> {
    let listed = weights(p, path, d.values.as_ref(), d.file.as_deref(), dir, "bytes,weight")?;
    let before = p.0.len();
    let mut sizes = Vec::with_capacity(listed.labels.len());
    for (i, label) in listed.labels.iter().enumerate() {
        let (at, prefix) = listed.place(path, i);
        match label.replace('_', "").parse::<u64>() {
            Ok(b) if b > MAX_ITEM_BYTES => p.add(at, format!("{prefix}{}", over_limit("a size", b as f64))),
            Ok(b) if b >= 1 => sizes.push(b),
            _ => p.add(
                at,
                format!(
                    "{prefix}`{label}` is not a size: a whole number of bytes from 1 to {MAX_ITEM_BYTES}"
                ),
            ),
        }
    }
    if p.0.len() > before {
        return None;
    }
    let pick = Weighted::new(&listed.weights).ok()?;
    Some(SizeDistribution::Weighted { pick, sizes: sizes.into() })
}
