//! Validation of how a table is billed and of the capacity model's parameters: `[table]`'s
//! billing keys and the `[capacity]` section.

use super::raw::{RawCapacity, RawTable};
use super::validate::{one_of, positive_int, Problems, TABLE_QUOTA_UNITS};
use crate::capacity::{BillingMode, CapacityParams, GrowthParams, HeatParams};
use crate::engine::initial_partition_count;

/// The table's billing mode, or `None` after recording what is wrong.
pub(super) fn billing(p: &mut Problems, t: &RawTable) -> Option<BillingMode> {
    let capacity = |p: &mut Problems, key: &str, value| {
        positive_int(p, &format!("table.{key}"), value, 1, TABLE_QUOTA_UNITS)
    };
    let reject = |p: &mut Problems, key: &str, value: Option<i64>, mode: &str| {
        if value.is_some() {
            p.add(format!("table.{key}"), format!("does not apply to a {mode} table"));
        }
    };
    match t.billing_mode.as_deref().unwrap_or("provisioned") {
        "provisioned" => {
            for (key, value) in [("read_capacity", t.read_capacity), ("write_capacity", t.write_capacity)] {
                if value.is_none() {
                    p.add(format!("table.{key}"), "is required for a provisioned table (1 to 40000 units)");
                }
            }
            for (key, value) in [
                ("max_read_request_units", t.max_read_request_units),
                ("max_write_request_units", t.max_write_request_units),
                ("warm_read_units", t.warm_read_units),
                ("warm_write_units", t.warm_write_units),
            ] {
                reject(p, key, value, "provisioned");
            }
            let read_units = capacity(p, "read_capacity", t.read_capacity);
            let write_units = capacity(p, "write_capacity", t.write_capacity);
            Some(BillingMode::Provisioned { read_units: read_units?, write_units: write_units? })
        }
        "on_demand" => {
            reject(p, "read_capacity", t.read_capacity, "on-demand");
            reject(p, "write_capacity", t.write_capacity, "on-demand");
            let max_read_units = capacity(p, "max_read_request_units", t.max_read_request_units);
            let max_write_units = capacity(p, "max_write_request_units", t.max_write_request_units);
            capacity(p, "warm_read_units", t.warm_read_units);
            capacity(p, "warm_write_units", t.warm_write_units);
            Some(BillingMode::OnDemand { max_read_units, max_write_units })
        }
        other => {
            p.add("table.billing_mode", one_of("table.billing_mode", other, &["provisioned", "on_demand"]));
            None
        }
    }
}

/// Warm throughput (MODEL.md §4.4): a pre-warmed on-demand table starts with the partitions
/// that serve its warm values, by the documented formula (§2.2), if that is more than a new
/// table's.
pub(super) fn warm_growth(mut growth: GrowthParams, t: &RawTable) -> GrowthParams {
    let warm = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
    if t.warm_read_units.is_some() || t.warm_write_units.is_some() {
        let needed = initial_partition_count(warm(t.warm_read_units), warm(t.warm_write_units));
        growth.initial_partitions = growth.initial_partitions.max(needed);
    }
    growth
}

fn share(p: &mut Problems, path: &str, value: Option<f64>, slot: &mut f64) {
    match value {
        Some(v) if v > 0.0 && v <= 1.0 => *slot = v,
        Some(v) => p.add(path, format!("must be a share in (0, 1], got {v}")),
        None => {}
    }
}

/// The capacity model's parameters: defaults from MODEL.md, overridden by `[capacity]`.
pub(super) fn params(
    p: &mut Problems,
    raw: Option<&RawCapacity>,
) -> (CapacityParams, HeatParams, GrowthParams) {
    let mut capacity = CapacityParams::default();
    let mut heat = HeatParams::default();
    let mut growth = GrowthParams::default();
    let Some(c) = raw else { return (capacity, heat, growth) };
    let mut initial_partitions = u64::from(growth.initial_partitions);
    let ints = [
        ("burst_seconds", c.burst_seconds, 0, 3_600, &mut capacity.burst_seconds),
        ("initial_burst_seconds", c.initial_burst_seconds, 0, 3_600, &mut capacity.initial_burst_seconds),
        ("partition_read_units", c.partition_read_units, 1, 1_000_000, &mut capacity.partition_read_units),
        ("partition_write_units", c.partition_write_units, 1, 1_000_000, &mut capacity.partition_write_units),
        ("table_quota_units", c.table_quota_units, 1, 10_000_000, &mut capacity.table_quota_units),
        ("heat_window_seconds", c.heat_window_seconds, 1, 86_400, &mut heat.window_seconds),
        ("heat_split_delay_seconds", c.heat_split_delay_seconds, 0, 86_400, &mut heat.delay_seconds),
        ("on_demand_initial_partitions", c.on_demand_initial_partitions, 1, 100_000, &mut initial_partitions),
        (
            "on_demand_peak_window_seconds",
            c.on_demand_peak_window_seconds,
            1,
            86_400,
            &mut growth.peak_window_seconds,
        ),
        (
            "on_demand_doubling_interval_seconds",
            c.on_demand_doubling_interval_seconds,
            0,
            30 * 86_400,
            &mut growth.doubling_interval_seconds,
        ),
    ];
    for (key, value, min, max, slot) in ints {
        if let Some(v) = positive_int(p, &format!("capacity.{key}"), value, min, max) {
            *slot = v;
        }
    }
    growth.initial_partitions = initial_partitions as u32;
    if let Some(enabled) = c.split_for_heat {
        heat.enabled = enabled;
    }
    share(p, "capacity.heat_threshold", c.heat_threshold, &mut heat.threshold);
    share(p, "capacity.heat_single_item_share", c.heat_single_item_share, &mut heat.single_item_share);
    share(p, "capacity.on_demand_growth_threshold", c.on_demand_growth_threshold, &mut growth.threshold);
    (capacity, heat, growth)
}
