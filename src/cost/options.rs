//! `ddbsim cost`: one scenario's traffic under every billing option (DESIGN.md question 2).
//!
//! The options, each priced from a run of its own so that its throttles are its own:
//! 1. **on demand**: the scenario with billing switched to on demand;
//! 2. **provisioned at the peak**: fixed capacity that serves the on-demand run's busiest second
//!    at 70% utilisation ([`table_peak_capacity`]: the table's own units; global indexes keep
//!    their declared capacity), no auto scaling;
//! 3. **auto scaling**: the scenario's own `[table.auto_scaling]` if it has one; otherwise target
//!    tracking at 70% between a tenth of the peak capacity and 40,000 units (MODEL.md §5),
//!    starting at the peak capacity;
//! 4. **reserved**: option 2's run priced with reserved capacity (MODEL.md §9.1).
//!
//! Scheduled capacity changes are dropped in every option: the options replace them.
//! Here the configurations are built and the runs' outcomes compared; the command line runs them.

use super::bill::{busiest_table_second, price, table_peak_capacity, RunCost, Usage, MAX_PROVISIONED_UNITS};
use super::prices::PriceTable;
use super::{HOURS_PER_MONTH, PEAK_TARGET_UTILISATION};
use crate::capacity::{BillingMode, ScalingTarget};
use crate::metrics::Metrics;
use crate::sim::SimConfig;
use serde::Serialize;

/// The auto-scaling minimum, as a share of the peak capacity: a tenth.
pub const AUTO_SCALING_MIN_DIVISOR: u64 = 10;

/// A billing option, in the order `ddbsim cost` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingOption {
    /// On demand.
    OnDemand,
    /// Provisioned, fixed at the on-demand run's peak.
    ProvisionedAtPeak,
    /// Provisioned with auto scaling.
    AutoScaling,
    /// The peak capacity with reserved capacity.
    Reserved,
}

impl BillingOption {
    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            BillingOption::OnDemand => "on-demand",
            BillingOption::ProvisionedAtPeak => "provisioned at the peak",
            BillingOption::AutoScaling => "provisioned, auto scaling",
            BillingOption::Reserved => "reserved (1-year)",
        }
    }
}

/// `config` with billing switched to on demand (its own on-demand settings kept if it is
/// already on demand), no auto scaling and no scheduled changes. Its global indexes are on
/// demand too (MODEL.md §7.1: an index inherits its table's capacity mode).
pub fn on_demand_config(config: &SimConfig) -> SimConfig {
    let mut c = config.clone();
    if !matches!(c.billing, BillingMode::OnDemand { .. }) {
        c.billing = BillingMode::OnDemand { max_read_units: None, max_write_units: None };
    }
    c.auto_scaling.read = None;
    c.auto_scaling.write = None;
    c.schedule.clear();
    for ix in &mut c.indexes {
        ix.billing = c.billing;
        ix.auto_scaling.read = None;
        ix.auto_scaling.write = None;
    }
    c
}

/// `config` provisioned with `capacity` (RCU, WCU) throughout. Its global indexes keep the
/// capacity they were declared with, or, declared on demand, get the table's.
pub fn fixed_config(config: &SimConfig, capacity: (u64, u64)) -> SimConfig {
    let mut c = on_demand_config(config);
    c.billing = BillingMode::Provisioned { read_units: capacity.0, write_units: capacity.1 };
    for (ix, declared) in c.indexes.iter_mut().zip(&config.indexes) {
        ix.billing = match declared.billing {
            b @ BillingMode::Provisioned { .. } => b,
            BillingMode::OnDemand { .. } => c.billing,
        };
    }
    c
}

/// Whether `config` is a provisioned table with auto scaling of its own.
pub fn has_own_auto_scaling(config: &SimConfig) -> bool {
    let scales = config.auto_scaling.read.is_some() || config.auto_scaling.write.is_some();
    scales && matches!(config.billing, BillingMode::Provisioned { .. })
}

/// `config` with auto scaling: its own if it is provisioned and has some, else target
/// tracking at 70% from a tenth of `capacity` to 40,000 units, starting at `capacity`.
pub fn auto_scaling_config(config: &SimConfig, capacity: (u64, u64)) -> SimConfig {
    if has_own_auto_scaling(config) {
        let mut c = config.clone();
        c.schedule.clear();
        return c;
    }
    let mut c = fixed_config(config, capacity);
    let target = |units: u64| ScalingTarget {
        min: units.div_ceil(AUTO_SCALING_MIN_DIVISOR).max(1),
        max: MAX_PROVISIONED_UNITS,
        target: PEAK_TARGET_UTILISATION,
    };
    c.auto_scaling.read = Some(target(capacity.0));
    c.auto_scaling.write = Some(target(capacity.1));
    c
}

/// What one option's run did: its cost, billed and at list prices (no free tier), and how its
/// requests fared.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The run priced as billed.
    pub cost: RunCost,
    /// The run priced without the free tier, for utilisation and break-even.
    pub list: RunCost,
    /// Attempts, retries included.
    pub attempts: u64,
    /// Throttled attempts.
    pub throttled: u64,
    /// Client requests issued.
    pub offered: u64,
    /// Requests that gave up after their retries.
    pub failed: u64,
    /// Read and write units consumed over the run.
    pub consumed: (f64, f64),
    /// Read and write units consumed in the busiest second.
    pub busiest_second: (f64, f64),
    /// Capacity that serves the busiest second at 70% utilisation.
    pub peak_capacity: (u64, u64),
}

impl Outcome {
    /// The outcome of a run of `config` that left `metrics` and `storage_bytes`.
    pub fn of_run(prices: &PriceTable, config: &SimConfig, metrics: &Metrics, storage_bytes: u64) -> Outcome {
        let usage = Usage::of_run(config, metrics, storage_bytes);
        let totals = metrics.totals();
        Outcome {
            cost: price(prices, &usage),
            list: price(&prices.without_free_tier(), &usage),
            attempts: totals.attempts,
            throttled: totals.throttled,
            offered: totals.offered,
            failed: totals.failed,
            consumed: (usage.read_units, usage.write_units),
            // The table's own: a global index keeps its declared capacity in every option.
            busiest_second: busiest_table_second(metrics),
            peak_capacity: table_peak_capacity(metrics),
        }
    }
}

/// One billing option compared; money per 730-hour month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionRow {
    /// Which option.
    pub option: BillingOption,
    /// Its name for people.
    pub label: &'static str,
    /// 1 for the cheapest; ties keep the listing order.
    pub rank: usize,
    /// Mean provisioned RCU (`None` on demand).
    pub read_capacity_units: Option<f64>,
    /// Mean provisioned WCU (`None` on demand).
    pub write_capacity_units: Option<f64>,
    /// RCU covered by reserved blocks (reserved option only).
    pub reserved_read_units: Option<u64>,
    /// WCU covered by reserved blocks (reserved option only).
    pub reserved_write_units: Option<u64>,
    /// Throughput and storage.
    pub per_month_usd: f64,
    /// Request units or capacity.
    pub throughput_usd: f64,
    /// Storage.
    pub storage_usd: f64,
    /// Read units consumed in this option's run (over the simulated period, not a month).
    pub consumed_read_units: f64,
    /// Write units consumed in this option's run.
    pub consumed_write_units: f64,
    /// Throttled attempts over attempts, in this option's run.
    pub throttle_ratio: f64,
    /// Client requests issued in this option's run.
    pub offered_requests: u64,
    /// Requests that gave up after their retries, in this option's run.
    pub failed_requests: u64,
    /// On-demand price of the units consumed over that of the capacity fully used (`None` on
    /// demand): above the break-even, this option costs less than on demand.
    pub utilisation: Option<f64>,
    /// The utilisation above which this option's capacity costs less than on demand (MODEL.md
    /// §9.2); for on demand, that of the peak capacity at the hourly rate.
    pub break_even_utilisation: f64,
}

/// Rounds to 9 decimals, so that JSON output stays readable and stable.
fn round(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// The rows for the outcomes of the on-demand, peak and auto-scaling runs, ranked; the reserved
/// row prices the peak run, and is left out where the table class has no reserved capacity.
pub fn compare(on_demand: &Outcome, peak: &Outcome, scaled: &Outcome, prices: &PriceTable) -> Vec<OptionRow> {
    let row = |option, o: &Outcome, throughput: f64, list: f64| {
        let month = o.cost.per_month();
        let to_month = ratio(HOURS_PER_MONTH, o.cost.hours);
        let full_use = o.list.full_use_on_demand_usd(prices);
        let provisioned = option != BillingOption::OnDemand;
        let reserved = option == BillingOption::Reserved;
        OptionRow {
            option,
            label: BillingOption::label(option),
            rank: 0,
            read_capacity_units: provisioned.then_some(round(month.provisioned_read_units)),
            write_capacity_units: provisioned.then_some(round(month.provisioned_write_units)),
            reserved_read_units: reserved.then_some(o.cost.reserved_read_units),
            reserved_write_units: reserved.then_some(o.cost.reserved_write_units),
            per_month_usd: round(throughput * to_month + month.storage_usd),
            throughput_usd: round(throughput * to_month),
            storage_usd: round(month.storage_usd),
            consumed_read_units: o.consumed.0,
            consumed_write_units: o.consumed.1,
            throttle_ratio: round(ratio(o.throttled as f64, o.attempts as f64)),
            offered_requests: o.offered,
            failed_requests: o.failed,
            utilisation: provisioned.then(|| round(ratio(o.list.on_demand_usd, full_use))),
            break_even_utilisation: round(ratio(list, full_use)),
        }
    };
    let mut rows = vec![
        row(BillingOption::OnDemand, on_demand, on_demand.cost.on_demand_usd, 0.0),
        row(BillingOption::ProvisionedAtPeak, peak, peak.cost.provisioned_usd, peak.list.provisioned_usd),
        row(BillingOption::AutoScaling, scaled, scaled.cost.provisioned_usd, scaled.list.provisioned_usd),
    ];
    // On demand has no capacity of its own: its break-even is the peak capacity's.
    rows[0].break_even_utilisation = rows[1].break_even_utilisation;
    if let (Some(billed), Some(list)) = (peak.cost.reserved_usd, peak.list.reserved_usd) {
        rows.push(row(BillingOption::Reserved, peak, billed, list));
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[a].per_month_usd.total_cmp(&rows[b].per_month_usd).then(a.cmp(&b)));
    for (rank, i) in order.into_iter().enumerate() {
        rows[i].rank = rank + 1;
    }
    rows
}

/// Read and write units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Units<T> {
    /// Read units.
    pub read_units: T,
    /// Write units.
    pub write_units: T,
}

/// `ddbsim cost`'s answer: the options compared for one scenario's traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostComparison {
    /// The scenario.
    pub scenario: String,
    /// The root seed of every run.
    pub seed: u64,
    /// Each run's simulated duration.
    pub simulated_seconds: u64,
    /// The price table, for people.
    pub prices: String,
    /// Units consumed in the on-demand run's busiest second.
    pub busiest_second: Units<f64>,
    /// The capacity provisioned at the peak: the busiest second at 70% utilisation.
    pub peak_capacity: Units<u64>,
    /// Whether the auto-scaling option is the scenario's own `[table.auto_scaling]` (else the
    /// default: 70% from a tenth of the peak capacity to 40,000 units, starting at the peak).
    pub own_auto_scaling: bool,
    /// The options, in listing order, each with its rank.
    pub options: Vec<OptionRow>,
}

impl CostComparison {
    /// The comparison of the option runs (on demand, at the peak, auto scaling) of scenario
    /// `name`, whose configuration is `config`, with `seed`.
    pub fn new(
        name: &str,
        config: &SimConfig,
        seed: u64,
        prices: &PriceTable,
        runs: [&Outcome; 3],
    ) -> CostComparison {
        let [on_demand, peak, scaled] = runs;
        CostComparison {
            scenario: name.to_string(),
            seed,
            simulated_seconds: config.duration_us / 1_000_000,
            prices: prices.label.clone(),
            busiest_second: Units {
                read_units: on_demand.busiest_second.0,
                write_units: on_demand.busiest_second.1,
            },
            peak_capacity: Units {
                read_units: on_demand.peak_capacity.0,
                write_units: on_demand.peak_capacity.1,
            },
            own_auto_scaling: has_own_auto_scaling(config),
            options: compare(on_demand, peak, scaled, prices),
        }
    }

    /// The cheapest option, and the cheapest whose run failed no request, if any.
    pub fn cheapest(&self) -> (Option<&OptionRow>, Option<&OptionRow>) {
        let cheapest = self.options.iter().min_by_key(|r| r.rank);
        let safe = self.options.iter().filter(|r| r.failed_requests == 0).min_by_key(|r| r.rank);
        (cheapest, safe)
    }
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
