//! `summary.json`: the stable contract of DESIGN.md, built from a run's metrics.
//!
//! Field order and names follow DESIGN.md; fields this version cannot compute are left out,
//! never filled with a made-up value. Every map is a `BTreeMap` and every list has a fixed
//! order, so the same run gives the same bytes.

use crate::capacity::{BillingMode, ThrottleReason};
use crate::cost::{PriceTable, RunCost, TableClass, Usage};
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
    /// What `[table.preload]` stored before time zero; left out without a preload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preload: Option<Preload>,
    pub hot_partitions: Vec<HotPartition>,
    pub hot_keys: Vec<HotKey>,
    /// Secondary indexes, in declaration order (left out for a table without indexes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexSummary>,
    /// Requests that ended with an error other than throttling, by exception (left out when
    /// there were none).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<&'static str, u64>,
    /// `[expect]` results, in a fixed order (`report::expectations`); empty without `[expect]`.
    pub expectations: Vec<super::expectations::Outcome>,
}

/// One partition of a global index in `summary.json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IndexPartition {
    /// The partition's id in its index.
    pub id: u32,
    /// Charges it took.
    pub charges: u64,
    /// Units consumed.
    pub read_units: f64,
    pub write_units: f64,
    /// Its share of the index's consumed units.
    pub share_of_units: f64,
}

/// One secondary index in `summary.json` (present only for tables with indexes).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IndexSummary {
    /// Index name.
    pub name: String,
    /// "global" or "local".
    pub kind: &'static str,
    /// Units consumed from a global index's own capacity (left out for a local index, whose
    /// reads and writes are served by, and counted in, its table's capacity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed: Option<Consumed>,
    /// A provisioned global index's RCU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_read_capacity: Option<u64>,
    /// A provisioned global index's WCU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_write_capacity: Option<u64>,
    /// A global index's read and write capacity at the end (after auto scaling); for an
    /// on-demand index, its ceiling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_read_capacity: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_write_capacity: Option<u64>,
    /// Partitions at the end (a local index's are its table's).
    pub partitions: usize,
    /// A global index's partitions that took the most units, up to 5: where a hot index key
    /// lands (its throttles show in `throttles_by_reason` as `Index...` reasons).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hot_partitions: Vec<IndexPartition>,
    /// Entries at the end.
    pub items: u64,
    /// Storage of the entries, with 100 bytes of overhead each.
    pub storage_bytes: u64,
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

/// The table a preload left at time zero.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Preload {
    /// Distinct items stored.
    pub items: u64,
    /// Their storage, with the 100-byte overhead per item (MODEL.md §1.2).
    pub bytes: u64,
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

/// Prices of one period, computed by `cost::price` (MODEL.md §9).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CostFigures {
    pub on_demand_usd: f64,
    pub provisioned_usd: f64,
    pub storage_usd: f64,
    /// The provisioned capacity with reserved blocks; `null` for a class without reserved
    /// capacity (Standard-IA).
    pub reserved_usd: Option<f64>,
}

impl CostFigures {
    fn of(cost: &RunCost) -> CostFigures {
        CostFigures {
            on_demand_usd: round(cost.on_demand_usd),
            provisioned_usd: round(cost.provisioned_usd),
            storage_usd: round(cost.storage_usd),
            reserved_usd: cost.reserved_usd.map(round),
        }
    }
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
    /// RCU and WCU that `reserved_usd` covers with reserved blocks.
    pub reserved_read_units: u64,
    pub reserved_write_units: u64,
    /// The price table, for people.
    pub prices: String,
    pub region: String,
    pub table_class: TableClass,
    /// Whether the free tier was applied.
    pub free_tier: bool,
    /// The prices used.
    pub price_table: PriceTable,
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
    // The table's and its global indexes' units (DESIGN.md: "base table and indexes").
    let read_units = milli_to_units(totals.read_milli + totals.index_read_milli);
    let write_units = milli_to_units(totals.write_milli + totals.index_write_milli);
    let throttles_by_reason = ThrottleReason::all()
        .filter(|r| totals.throttled_by_reason[r.index()] > 0)
        .map(|r| (r.code(), u64::from(totals.throttled_by_reason[r.index()])))
        .collect();
    // Index entries are stored and billed too (MODEL.md §7.1, "Storage").
    let storage_bytes = out.table.storage_bytes() + out.indexes.iter().map(|i| i.storage_bytes).sum::<u64>();
    let cost = crate::cost::price(prices, &Usage::of_run(config, metrics, storage_bytes));
    let ms = |us: u64| us as f64 / 1_000.0;
    let mut summary = Summary {
        scenario: scenario.name.clone(),
        variant: scenario.variant.clone(),
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
            simulated: CostFigures::of(&cost),
            per_month: CostFigures::of(&cost.per_month()),
            provisioned_read_units: round(cost.provisioned_read_units),
            provisioned_write_units: round(cost.provisioned_write_units),
            reserved_read_units: cost.reserved_read_units,
            reserved_write_units: cost.reserved_write_units,
            prices: prices.label.clone(),
            region: prices.region.clone(),
            table_class: prices.table_class,
            free_tier: prices.free_tier.is_some(),
            price_table: prices.clone(),
        },
        storage_bytes,
        items: out.table.item_count(),
        preload: out.preload.map(|p| Preload { items: p.items, bytes: p.bytes }),
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
        indexes: indexes(metrics, out, config),
        errors: metrics.errors.iter().map(|(e, n)| (e.name(), *n)).collect(),
        expectations: Vec::new(),
    };
    summary.expectations = super::expectations::evaluate(&scenario.expect, &summary);
    summary
}

fn indexes(metrics: &Metrics, out: &RunOutput, config: &crate::sim::SimConfig) -> Vec<IndexSummary> {
    out.indexes
        .iter()
        .enumerate()
        .map(|(i, ix)| {
            let global = ix.spec.kind == crate::engine::IndexKind::Global;
            let stats = metrics.indexes.get(i).cloned().unwrap_or_default();
            let provisioned = match config.indexes.get(i).map(|c| c.billing) {
                Some(BillingMode::Provisioned { read_units, write_units }) if global => {
                    Some((read_units, write_units))
                }
                _ => None,
            };
            IndexSummary {
                name: ix.spec.name.clone(),
                kind: if global { "global" } else { "local" },
                consumed: global.then(|| Consumed {
                    read_units: milli_to_units(stats.read_milli),
                    write_units: milli_to_units(stats.write_milli),
                }),
                provisioned_read_capacity: provisioned.map(|p| p.0),
                provisioned_write_capacity: provisioned.map(|p| p.1),
                final_read_capacity: ix.ceiling_units.map(|c| c.0),
                final_write_capacity: ix.ceiling_units.map(|c| c.1),
                partitions: ix.partitions,
                hot_partitions: index_hot_partitions(&stats),
                items: ix.items,
                storage_bytes: ix.storage_bytes,
            }
        })
        .collect()
}

fn index_hot_partitions(stats: &crate::metrics::IndexStats) -> Vec<IndexPartition> {
    let total = stats.read_milli + stats.write_milli;
    let mut rows: Vec<IndexPartition> = stats
        .partitions
        .iter()
        .enumerate()
        .filter(|(_, p)| p.attempts > 0)
        .map(|(id, p)| IndexPartition {
            id: id as u32,
            charges: p.attempts,
            read_units: milli_to_units(p.read_milli),
            write_units: milli_to_units(p.write_milli),
            share_of_units: round(ratio(p.read_milli + p.write_milli, total)),
        })
        .collect();
    rows.sort_by(|a, b| b.share_of_units.total_cmp(&a.share_of_units).then(a.id.cmp(&b.id)));
    rows.truncate(5);
    rows
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
