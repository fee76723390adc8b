//! The raw scenario: serde structs that mirror the TOML one to one, with unknown keys rejected.
//! Nothing here is checked beyond TOML types; `validate` turns it into domain types.

use serde::Deserialize;
use std::collections::BTreeMap;

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
    pub client: Option<RawClient>,
    #[serde(default)]
    pub capacity: Option<RawCapacity>,
    #[serde(default)]
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
    pub partition_key: String,
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
}

/// One `[[workload]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub name: String,
    pub operation: String,
    pub rate: f64,
    #[serde(default)]
    pub item_bytes: Option<i64>,
    #[serde(default)]
    pub consistency: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, RawAttribute>,
}

/// An attribute generator in `[workload.attributes]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttribute {
    pub distribution: String,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub exponent: Option<f64>,
}

/// `[client]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    #[serde(default)]
    pub retry: Option<String>,
    #[serde(default)]
    pub attempt_latency_ms: Option<f64>,
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
