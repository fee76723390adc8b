//! The raw scenario: serde structs that mirror the TOML one to one, with unknown keys rejected.
//! Nothing here is checked beyond TOML types; `validate` turns it into domain types.

use serde::Deserialize;
use std::collections::BTreeMap;
// Forms that take a scalar or a table live in their own module.
pub use super::raw_forms::{RawEntity, RawPartitionKey, RawRate, RawShape, RawSize, RawSizeDistribution};

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub duration: toml::Value,
    #[serde(default)]
    pub seed: Option<i64>,
    pub table: RawTable,
    #[serde(default)]
    pub workload: Vec<RawWorkload>,
    #[serde(default)]
    pub trace: Option<RawTrace>,
    #[serde(default)]
    pub client: Option<RawClient>,
    #[serde(default)]
    pub capacity: Option<RawCapacity>,
    #[serde(default)]
    pub pricing: Option<RawPricing>,
    pub expect: Option<RawExpect>,
    /// `[[variant]]` tables: a name and overrides of any key, checked by `variant`.
    #[serde(default)]
    pub variant: Vec<toml::Value>,
}

/// `[table]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub name: String,
    #[serde(deserialize_with = "super::raw_forms::partition_key")]
    pub partition_key: RawPartitionKey,
    #[serde(default)]
    pub sort_key: Option<String>,
    #[serde(default)]
    pub billing_mode: Option<String>,
    #[serde(default)]
    pub read_capacity: Option<i64>,
    #[serde(default)]
    pub write_capacity: Option<i64>,
    #[serde(default)]
    pub initial_partitions: Option<i64>,
    #[serde(default)]
    pub max_read_request_units: Option<i64>,
    #[serde(default)]
    pub max_write_request_units: Option<i64>,
    #[serde(default)]
    pub warm_read_units: Option<i64>,
    #[serde(default)]
    pub warm_write_units: Option<i64>,
    #[serde(default)]
    pub auto_scaling: Option<RawAutoScaling>,
    #[serde(default)]
    pub schedule: Vec<RawScheduled>,
    #[serde(default)]
    pub global_secondary_index: Vec<RawIndex>,
    #[serde(default)]
    pub local_secondary_index: Vec<RawIndex>,
    #[serde(default)]
    pub preload: Option<RawPreload>,
}

/// `[table.preload]`: items stored before time zero.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPreload {
    pub items: i64,
    pub item_bytes: RawSize,
    #[serde(default)]
    pub workload: Option<String>,
}

/// One `[[table.global_secondary_index]]` or `[[table.local_secondary_index]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    pub name: String,
    #[serde(default)]
    pub partition_key: Option<String>,
    #[serde(default)]
    pub sort_key: Option<String>,
    #[serde(default)]
    pub projection: Option<toml::Value>,
    #[serde(default)]
    pub read_capacity: Option<i64>,
    #[serde(default)]
    pub write_capacity: Option<i64>,
    #[serde(default)]
    pub initial_partitions: Option<i64>,
    #[serde(default)]
    pub auto_scaling: Option<RawAutoScaling>,
}

/// `[table.auto_scaling]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoScaling {
    #[serde(default)]
    pub read: Option<RawScalingTarget>,
    #[serde(default)]
    pub write: Option<RawScalingTarget>,
    #[serde(default)]
    pub update_delay_seconds: Option<i64>,
}

/// `read = { min, max, target }` in `[table.auto_scaling]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScalingTarget {
    pub min: i64,
    pub max: i64,
    pub target: f64,
}

/// One `[[table.schedule]]`: a capacity change at a given time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduled {
    pub at: toml::Value,
    #[serde(default)]
    pub read_capacity: Option<i64>,
    #[serde(default)]
    pub write_capacity: Option<i64>,
    #[serde(default)]
    pub billing_mode: Option<String>,
}

/// One `[[workload]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub name: String,
    pub operation: String,
    pub rate: RawRate,
    #[serde(default)]
    pub item_bytes: Option<RawSize>,
    #[serde(default)]
    pub consistency: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, RawAttribute>,
    #[serde(default)]
    pub entity: Option<RawEntity>,
    #[serde(default)]
    pub start: Option<toml::Value>,
    #[serde(default)]
    pub stop: Option<toml::Value>,
    #[serde(default)]
    pub arrivals: Option<String>,
    #[serde(default)]
    pub index: Option<String>,
    #[serde(default)]
    pub sort_key_condition: Option<RawSortCondition>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub descending: Option<bool>,
    #[serde(default)]
    pub items: Option<i64>,
    #[serde(default)]
    pub segments: Option<i64>,
    #[serde(default)]
    pub set: Option<Vec<String>>,
    #[serde(default)]
    pub remove: Option<Vec<String>>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub keys: Option<String>,
    #[serde(default)]
    pub fetch: Option<bool>,
}

/// `sort_key_condition = { op = "between", value = [1, 9] }` in a query workload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSortCondition {
    pub op: String,
    pub value: toml::Value,
}

/// `[trace]`: a request log replayed alongside (or instead of) the workloads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    pub file: String,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub time_unit: Option<String>,
    #[serde(default)]
    pub speed: Option<f64>,
}

/// An attribute generator in `[workload.attributes]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttribute {
    #[serde(default)]
    pub distribution: Option<String>,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub exponent: Option<f64>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub values: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub hot: Option<i64>,
    #[serde(default)]
    pub share: Option<f64>,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub step: Option<i64>,
    #[serde(default)]
    pub clock: Option<String>,
    #[serde(default)]
    pub value: Option<toml::Value>,
    #[serde(default)]
    pub per: Option<String>,
}

/// `[client]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    #[serde(default)]
    pub retry: Option<toml::Value>,
    #[serde(default)]
    pub attempt_latency_ms: Option<toml::Value>,
}

/// `[capacity]`: parameters of the admission model that AWS does not document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    #[serde(default)]
    pub burst_seconds: Option<i64>,
    #[serde(default)]
    pub initial_burst_seconds: Option<i64>,
    #[serde(default)]
    pub partition_read_units: Option<i64>,
    #[serde(default)]
    pub partition_write_units: Option<i64>,
    #[serde(default)]
    pub table_quota_units: Option<i64>,
    #[serde(default)]
    pub partition_eventual_read_units: Option<i64>,
    #[serde(default)]
    pub split_for_heat: Option<bool>,
    #[serde(default)]
    pub heat_threshold: Option<f64>,
    #[serde(default)]
    pub heat_window_seconds: Option<i64>,
    #[serde(default)]
    pub heat_split_delay_seconds: Option<i64>,
    #[serde(default)]
    pub heat_single_item_share: Option<f64>,
    #[serde(default)]
    pub heat_monotonic_share: Option<f64>,
    #[serde(default)]
    pub isolate_hot_items: Option<bool>,
    #[serde(default)]
    pub admission: Option<String>,
    #[serde(default)]
    pub partition_size_limit_bytes: Option<i64>,
    #[serde(default)]
    pub adaptive_delay_seconds: Option<i64>,
    #[serde(default)]
    pub adaptive_gain: Option<f64>,
    #[serde(default)]
    pub on_demand_initial_partitions: Option<i64>,
    #[serde(default)]
    pub on_demand_peak_window_seconds: Option<i64>,
    #[serde(default)]
    pub on_demand_growth_threshold: Option<f64>,
    #[serde(default)]
    pub on_demand_doubling_interval_seconds: Option<i64>,
    #[serde(default)]
    pub index_propagation_ms: Option<f64>,
    #[serde(default)]
    pub item_collection_limit_bytes: Option<i64>,
}

/// `[pricing]`: the price table a run is priced with, and overrides of its prices.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub table_class: Option<String>,
    #[serde(default)]
    pub free_tier: Option<bool>,
    #[serde(default)]
    pub on_demand_read_per_million: Option<f64>,
    #[serde(default)]
    pub on_demand_write_per_million: Option<f64>,
    #[serde(default)]
    pub rcu_hour: Option<f64>,
    #[serde(default)]
    pub wcu_hour: Option<f64>,
    #[serde(default)]
    pub storage_gb_month: Option<f64>,
    #[serde(default)]
    pub reserved_rcu_upfront: Option<f64>,
    #[serde(default)]
    pub reserved_rcu_hour: Option<f64>,
    #[serde(default)]
    pub reserved_wcu_upfront: Option<f64>,
    #[serde(default)]
    pub reserved_wcu_hour: Option<f64>,
}

/// `[expect]`: assertions on a run's outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(default)]
    pub throttle_ratio_max: Option<f64>,
    #[serde(default)]
    pub throttled_max: Option<i64>,
    #[serde(default)]
    pub failed_max: Option<i64>,
    #[serde(default)]
    pub p99_latency_ms_max: Option<f64>,
    #[serde(default)]
    pub cost_per_month_max: Option<f64>,
    #[serde(default)]
    pub throttles_max: BTreeMap<String, i64>,
}
