//! Validation of how a table is billed and of the capacity model's parameters: `[table]`'s
//! billing keys and the `[capacity]` section.

use super::raw::{RawCapacity, RawScalingTarget, RawTable};
use super::validate::{one_of, positive_int, Problems, TABLE_QUOTA_UNITS};
use crate::capacity::{
    AdmissionModel, AutoScalingParams, BillingMode, CapacityParams, GrowthParams, HeatParams, ScalingTarget,
};
use crate::engine::initial_partition_count;
use crate::time::{parse_duration_micros, SimTime};

/// The table's billing mode, or `None` after recording what is wrong.
pub(super) fn billing(p: &mut Problems, t: &RawTable) -> Option<BillingMode> {
    let capacity = |p: &mut Problems, key: &str, value| {
        positive_int(p, &format!("table.{key}"), value, 1, TABLE_QUOTA_UNITS)
    };
    let reject = |p: &mut Problems, key: &str, value: Option<i64>, mode: &str| {
        if value.is_some() {
            p.add(format!("table.{key}"), format!("does not apply to {mode} table"));
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
                reject(p, key, value, "a provisioned");
            }
            let read_units = capacity(p, "read_capacity", t.read_capacity);
            let write_units = capacity(p, "write_capacity", t.write_capacity);
            Some(BillingMode::Provisioned { read_units: read_units?, write_units: write_units? })
        }
        "on_demand" => {
            reject(p, "read_capacity", t.read_capacity, "an on-demand");
            reject(p, "write_capacity", t.write_capacity, "an on-demand");
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
        (
            "partition_eventual_read_units",
            c.partition_eventual_read_units,
            1,
            1_000_000,
            &mut capacity.partition_eventual_read_units,
        ),
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
    if let Some(isolate) = c.isolate_hot_items {
        heat.isolate_hot_items = isolate;
    }
    match c.admission.as_deref() {
        None | Some("modern") => {}
        Some("legacy") => capacity.model = AdmissionModel::Legacy,
        Some(other) => p.add("capacity.admission", one_of("", other, &["modern", "legacy"])),
    }
    if let Some(delay) =
        positive_int(p, "capacity.adaptive_delay_seconds", c.adaptive_delay_seconds, 0, 86_400)
    {
        capacity.legacy.adaptive_delay_seconds = delay;
    }
    share(p, "capacity.adaptive_gain", c.adaptive_gain, &mut capacity.legacy.adaptive_gain);
    if let Some(limit) = positive_int(
        p,
        "capacity.partition_size_limit_bytes",
        c.partition_size_limit_bytes,
        1_000_000,
        1_i64 << 50,
    ) {
        capacity.partition_size_limit_bytes = limit;
    }
    share(p, "capacity.heat_threshold", c.heat_threshold, &mut heat.threshold);
    share(p, "capacity.heat_single_item_share", c.heat_single_item_share, &mut heat.single_item_share);
    share(p, "capacity.heat_monotonic_share", c.heat_monotonic_share, &mut heat.monotonic_share);
    share(p, "capacity.on_demand_growth_threshold", c.on_demand_growth_threshold, &mut growth.threshold);
    (capacity, heat, growth)
}

fn scaling_target(p: &mut Problems, path: &str, raw: &RawScalingTarget) -> Option<ScalingTarget> {
    let min = positive_int(p, &format!("{path}.min"), Some(raw.min), 1, TABLE_QUOTA_UNITS);
    let max = positive_int(p, &format!("{path}.max"), Some(raw.max), 1, TABLE_QUOTA_UNITS);
    if !(0.2..=0.9).contains(&raw.target) {
        p.add(
            format!("{path}.target"),
            format!("must be a utilisation from 0.2 to 0.9 (MODEL.md §5), got {}", raw.target),
        );
        return None;
    }
    let (min, max) = (min?, max?);
    if max < min {
        p.add(format!("{path}.max"), format!("must be at least min ({min}), got {max}"));
        return None;
    }
    Some(ScalingTarget { min, max, target: raw.target })
}

/// `[table.auto_scaling]`, for provisioned tables only.
pub(super) fn auto_scaling(
    p: &mut Problems,
    t: &RawTable,
    billing: Option<BillingMode>,
) -> AutoScalingParams {
    scaling(p, "table.auto_scaling", t.auto_scaling.as_ref(), billing)
}

/// The auto scaling at `path` (a table's or a global index's, MODEL.md §5: each scales
/// separately).
pub(super) fn scaling(
    p: &mut Problems,
    path: &str,
    raw: Option<&super::raw::RawAutoScaling>,
    billing: Option<BillingMode>,
) -> AutoScalingParams {
    let mut params = AutoScalingParams::default();
    let Some(raw) = raw else { return params };
    if matches!(billing, Some(BillingMode::OnDemand { .. })) {
        p.add(path, "applies to provisioned tables only: on demand scales by itself");
        return params;
    }
    params.read = raw.read.as_ref().and_then(|r| scaling_target(p, &format!("{path}.read"), r));
    params.write = raw.write.as_ref().and_then(|w| scaling_target(p, &format!("{path}.write"), w));
    if raw.read.is_none() && raw.write.is_none() {
        p.add(path, "needs `read` or `write`, e.g. write = { min = 5, max = 1000, target = 0.7 }");
    }
    if let Some(delay) =
        positive_int(p, &format!("{path}.update_delay_seconds"), raw.update_delay_seconds, 0, 3_600)
    {
        params.update_delay_seconds = delay;
    }
    params
}

/// `[[table.schedule]]`: capacity changes at given times, for provisioned tables, in time order.
/// Switches from provisioned to on-demand mode allowed in a rolling 24 hours (MODEL.md §4.3,
/// current documentation: "up to four times in a 24-hour rolling window"; switching back to
/// provisioned is allowed at any time).
pub const ON_DEMAND_SWITCHES_PER_DAY: usize = 4;

pub(super) fn schedule(
    p: &mut Problems,
    t: &RawTable,
    billing: Option<BillingMode>,
) -> Vec<(SimTime, BillingMode)> {
    let Some(initial) = billing else { return Vec::new() };
    let (mut read, mut write) = match initial {
        BillingMode::Provisioned { read_units, write_units } => (Some(read_units), Some(write_units)),
        BillingMode::OnDemand { .. } => (None, None),
    };
    let mut mode = initial;
    let mut switches_to_on_demand: Vec<u64> = Vec::new();
    let mut changes: Vec<(SimTime, BillingMode)> = Vec::new();
    for (i, change) in t.schedule.iter().enumerate() {
        let path = format!("table.schedule[{i}]");
        let at = match &change.at {
            toml::Value::String(s) => parse_duration_micros(s),
            toml::Value::Integer(n) if *n > 0 => Some(*n as u64 * 1_000_000),
            _ => None,
        };
        let Some(at) = at else {
            p.add(
                format!("{path}.at"),
                format!("must be a time such as \"10m\" or a number of seconds, got {}", change.at),
            );
            continue;
        };
        if changes.last().is_some_and(|&(last, _)| last.micros() > at) {
            p.add(format!("{path}.at"), "changes must be listed in time order");
        }
        let target = match change.billing_mode.as_deref() {
            None => mode,
            Some("provisioned") => BillingMode::Provisioned { read_units: 0, write_units: 0 },
            Some("on_demand") => BillingMode::OnDemand { max_read_units: None, max_write_units: None },
            Some(other) => {
                p.add(format!("{path}.billing_mode"), one_of("", other, &["provisioned", "on_demand"]));
                continue;
            }
        };
        match target {
            BillingMode::OnDemand { .. } => {
                for (key, value) in
                    [("read_capacity", change.read_capacity), ("write_capacity", change.write_capacity)]
                {
                    if value.is_some() {
                        p.add(format!("{path}.{key}"), "does not apply to an on-demand table");
                    }
                }
                if matches!(mode, BillingMode::OnDemand { .. }) {
                    if change.billing_mode.is_some() {
                        p.add(format!("{path}.billing_mode"), "the table is already on demand then");
                    } else {
                        p.add(path.clone(), "capacity changes apply to provisioned tables only; switch with billing_mode = \"provisioned\"");
                    }
                    continue;
                }
                // MODEL.md §4.3: at most four switches to on demand in any 24 hours.
                let day = 86_400 * 1_000_000;
                let recent = switches_to_on_demand.iter().filter(|&&s| s + day > at).count();
                if recent >= ON_DEMAND_SWITCHES_PER_DAY {
                    p.add(format!("{path}.billing_mode"), format!("a table can switch to on-demand mode at most {ON_DEMAND_SWITCHES_PER_DAY} times in 24 hours (MODEL.md §4.3)"));
                }
                switches_to_on_demand.push(at);
                mode = target;
            }
            BillingMode::Provisioned { .. } => {
                let switching = matches!(mode, BillingMode::OnDemand { .. });
                if change.read_capacity.is_none() && change.write_capacity.is_none() && !switching {
                    p.add(path.clone(), "changes nothing: give read_capacity, write_capacity or both");
                }
                if switching {
                    for (key, value) in
                        [("read_capacity", change.read_capacity), ("write_capacity", change.write_capacity)]
                    {
                        if value.is_none() {
                            p.add(format!("{path}.{key}"), "is required when switching to provisioned mode");
                        }
                    }
                }
                let r = positive_int(
                    p,
                    &format!("{path}.read_capacity"),
                    change.read_capacity,
                    1,
                    TABLE_QUOTA_UNITS,
                )
                .or(read);
                let w = positive_int(
                    p,
                    &format!("{path}.write_capacity"),
                    change.write_capacity,
                    1,
                    TABLE_QUOTA_UNITS,
                )
                .or(write);
                let (Some(r), Some(w)) = (r, w) else { continue };
                (read, write) = (Some(r), Some(w));
                mode = BillingMode::Provisioned { read_units: r, write_units: w };
            }
        }
        changes.push((SimTime(at), mode));
    }
    changes
}
