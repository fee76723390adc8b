//! `summary.json`: the stable contract of DESIGN.md, built from a run's metrics.
//!
//! Field order and names follow DESIGN.md; fields this version cannot compute are left out,
//! never filled with a made-up value. Every map is a `BTreeMap` and every list has a fixed
//! order, so the same run gives the same bytes.

use crate::capacity::{BillingMode, ThrottleReason};
use crate::cost::{on_demand_usd, provisioned_usd, storage_usd, PriceTable, HOURS_PER_MONTH};
use crate::engine::units::milli_to_units;
use crate::metrics::Metrics;
use crate::scenario::Scenario;
use crate::sim::RunOutput;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many partitions and keys the hot lists show.
pub const HOT_LIST_LEN: usize = 10;

/// The whole summary.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub variant: Option<String>,
    pub seed: u64,
    pub simulated_seconds: u64,
    /// `provisioned` or `on_demand`.
    pub billing_mode: &'static str,
    pub requests: Requests,
    pub throttle_ratio: f64,
    pub consumed: Consumed,
    pub throttles_by_reason: BTreeMap<&'static str, u64>,
    pub partitions: Partitions,
    pub capacity: Capacity,
    pub latency_ms: Latency,
    pub cost: Cost,
    pub storage_bytes: u64,
    pub items: u64,
    pub hot_partitions: Vec<HotPartition>,
    pub hot_keys: Vec<HotKey>,
}

/// Request and attempt counts (DESIGN.md defines each).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Requests {
    pub offered: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub attempts: u64,
    pub throttled: u64,
}

/// Capacity units consumed by admitted attempts.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Consumed {
    pub read_units: f64,
    pub write_units: f64,
}

/// Partition counts.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Partitions {
    pub initial: u32,
    #[serde(rename = "final")]
    pub final_count: u32,
    pub splits: u64,
}

/// Provisioned capacity at the end.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Capacity {
    pub final_read_capacity: u64,
    pub final_write_capacity: u64,
}

/// End-to-end latency of completed requests, milliseconds.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// Prices of one period.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CostFigures {
    pub on_demand_usd: f64,
    pub provisioned_usd: f64,
    pub storage_usd: f64,
}

/// The simulated period priced, and scaled to a 730-hour month.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cost {
    pub simulated: CostFigures,
    pub per_month: CostFigures,
    /// The capacity `provisioned_usd` prices, RCU and WCU: the table's own averaged over the run
    /// (provisioned), or its busiest second at 70% utilisation (on demand).
    pub provisioned_read_units: f64,
    pub provisioned_write_units: f64,
    pub prices: &'static str,
}

/// One of the busiest partitions.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HotPartition {
    pub id: u32,
    pub start_hash: String,
    pub attempts: u64,
    pub throttled: u64,
    pub share_of_attempts: f64,
    pub read_units: f64,
    pub write_units: f64,
    pub items: u64,
}

/// One of the busiest partition-key values.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HotKey {
    pub key: String,
    pub attempts: u64,
    pub throttled: u64,
    pub share_of_attempts: f64,
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Rounds to 9 significant decimals, so that summaries stay readable and stable.
fn round(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Builds the summary of a run of `scenario` with `seed`.
pub fn build(
    scenario: &Scenario,
    seed: u64,
    metrics: &Metrics,
    out: &RunOutput,
    prices: &PriceTable,
) -> Summary {
    let totals = metrics.totals();
    let config = &scenario.config;
    let seconds = config.duration_us / 1_000_000;
    let hours = config.duration_us as f64 / 3.6e9;
    let read_units = milli_to_units(totals.read_milli);
    let write_units = milli_to_units(totals.write_milli);
    let throttles_by_reason = ThrottleReason::all()
        .filter(|r| totals.throttled_by_reason[r.index()] > 0)
        .map(|r| (r.code(), u64::from(totals.throttled_by_reason[r.index()])))
        .collect();
    let storage_bytes = out.table.storage_bytes();
    let (rcu, wcu) = provisioned_equivalent(config, metrics);
    let simulated = CostFigures {
        on_demand_usd: round(on_demand_usd(prices, read_units, write_units)),
        provisioned_usd: round(provisioned_usd(prices, rcu, wcu, hours)),
        storage_usd: round(storage_usd(prices, storage_bytes, hours)),
    };
    let scale = HOURS_PER_MONTH / hours;
    let per_month = CostFigures {
        on_demand_usd: round(on_demand_usd(prices, read_units * scale, write_units * scale)),
        provisioned_usd: round(provisioned_usd(prices, rcu, wcu, HOURS_PER_MONTH)),
        storage_usd: round(storage_usd(prices, storage_bytes, HOURS_PER_MONTH)),
    };
    let ms = |us: u64| us as f64 / 1_000.0;
    Summary {
        scenario: scenario.name.clone(),
        variant: None,
        seed,
        simulated_seconds: seconds,
        billing_mode: match config.billing {
            BillingMode::Provisioned { .. } => "provisioned",
            BillingMode::OnDemand { .. } => "on_demand",
        },
        requests: Requests {
            offered: totals.offered,
            succeeded: totals.succeeded,
            failed: totals.failed,
            attempts: totals.attempts,
            throttled: totals.throttled,
        },
        throttle_ratio: round(ratio(totals.throttled, totals.attempts)),
        consumed: Consumed { read_units, write_units },
        throttles_by_reason,
        partitions: Partitions {
            initial: out.initial_partitions,
            final_count: out.table.partition_count() as u32,
            splits: out.splits,
        },
        capacity: Capacity {
            final_read_capacity: out.admission.ceiling_units().0,
            final_write_capacity: out.admission.ceiling_units().1,
        },
        latency_ms: Latency {
            p50: ms(metrics.latency_us.quantile(0.5)),
            p99: ms(metrics.latency_us.quantile(0.99)),
            max: ms(metrics.latency_us.max()),
        },
        cost: Cost {
            simulated,
            per_month,
            provisioned_read_units: round(rcu),
            provisioned_write_units: round(wcu),
            prices: prices.label,
        },
        storage_bytes,
        items: out.table.item_count(),
        hot_partitions: hot_partitions(metrics, out, totals.attempts),
        hot_keys: metrics
            .keys
            .top(HOT_LIST_LEN)
            .into_iter()
            .map(|(key, s)| HotKey {
                key: key.to_string(),
                attempts: s.attempts,
                throttled: s.throttled,
                share_of_attempts: round(ratio(s.attempts, totals.attempts)),
            })
            .collect(),
    }
}

/// Target utilisation at which an on-demand table's peak is priced as provisioned capacity: the
/// console's auto-scaling default when switching to provisioned (MODEL.md §4.3: "target 70%").
pub const PROVISIONED_EQUIVALENT_TARGET: f64 = 0.7;

/// The provisioned capacity to price (RCU, WCU): for a provisioned table, its capacity averaged
/// over the simulated seconds, as auto scaling and scheduled changes moved it; for an on-demand
/// table, the capacity that serves its busiest second at the target utilisation (DESIGN.md,
/// `cost.provisioned_usd`).
fn provisioned_equivalent(config: &crate::sim::SimConfig, metrics: &Metrics) -> (f64, f64) {
    match config.billing {
        BillingMode::Provisioned { read_units, write_units } => {
            let seconds = (config.duration_us / 1_000_000).max(1) as usize;
            let states = &metrics.table_states[..seconds.min(metrics.table_states.len())];
            if states.is_empty() {
                return (read_units as f64, write_units as f64);
            }
            let mean = |units: fn(&crate::sim::TableState) -> u64| {
                states.iter().map(units).sum::<u64>() as f64 / states.len() as f64
            };
            (mean(|s| s.read_ceiling_units), mean(|s| s.write_ceiling_units))
        }
        BillingMode::OnDemand { .. } => {
            let peak = |milli: fn(&crate::metrics::SecondStats) -> u64| {
                let busiest = metrics.seconds.iter().map(milli).max().unwrap_or(0);
                (milli_to_units(busiest) / PROVISIONED_EQUIVALENT_TARGET).ceil().max(1.0)
            };
            (peak(|s| s.read_milli), peak(|s| s.write_milli))
        }
    }
}

fn hot_partitions(metrics: &Metrics, out: &RunOutput, attempts: u64) -> Vec<HotPartition> {
    let mut rows: Vec<HotPartition> = out
        .table
        .partitions()
        .iter()
        .filter_map(|p| {
            let s = metrics.partitions.get(p.id().0 as usize)?;
            (s.attempts > 0).then(|| HotPartition {
                id: p.id().0,
                start_hash: format!("{:016x}", p.start()),
                attempts: s.attempts,
                throttled: s.throttled,
                share_of_attempts: round(ratio(s.attempts, attempts)),
                read_units: milli_to_units(s.read_milli),
                write_units: milli_to_units(s.write_milli),
                items: p.item_count(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.attempts.cmp(&a.attempts).then(a.id.cmp(&b.id)));
    rows.truncate(HOT_LIST_LEN);
    rows
}
