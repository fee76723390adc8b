//! What a run costs (MODEL.md §9, §10.8): the request units it consumed at on-demand prices, the
//! provisioned capacity it held (second by second, as auto scaling and scheduled changes moved
//! it) at the hourly rate, the same capacity with reserved blocks, and its storage.
//!
//! Invariants: every figure is a sum of non-negative terms that grow with usage, and reserved
//! capacity is bought only where it is cheaper, so no cost decreases as usage grows and the
//! reserved price never exceeds the provisioned one (property tests below).

use super::prices::PriceTable;
use super::{HOURS_PER_MONTH, STORAGE_GB_BYTES};
use crate::capacity::BillingMode;
use crate::engine::units::milli_to_units;
use crate::metrics::Metrics;
use crate::sim::{SimConfig, TableState};
use serde::Serialize;

/// Utilisation at which an on-demand table's busiest second is priced as provisioned capacity:
/// the console's auto-scaling default when switching to provisioned (MODEL.md §4.3: "target
/// 70%").
pub const PEAK_TARGET_UTILISATION: f64 = 0.7;

/// Most provisioned units of one kind a table may have: the default per-table quota (MODEL.md
/// §4.3: 40,000 RCU and 40,000 WCU).
pub const MAX_PROVISIONED_UNITS: u64 = crate::capacity::TABLE_QUOTA_UNITS;

/// The provisioned capacity a run held, (RCU, WCU).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Held<'a> {
    /// The capacity at the end of each second; the last state stands for the seconds after it,
    /// and `fallback` for a run without states.
    PerSecond {
        /// One state per simulated second.
        states: &'a [TableState],
        /// The capacity when `states` is empty.
        fallback: (u64, u64),
        /// Capacity held besides the table's own throughout: its global secondary indexes'.
        extra: (u64, u64),
    },
    /// The same capacity throughout.
    Constant(u64, u64),
}

impl Held<'_> {
    /// The capacity during second `second`.
    pub fn at(&self, second: usize) -> (u64, u64) {
        match *self {
            Held::Constant(read, write) => (read, write),
            Held::PerSecond { states, fallback, extra } => {
                let (read, write) = states
                    .get(second)
                    .or(states.last())
                    .map_or(fallback, |s| (s.read_ceiling_units, s.write_ceiling_units));
                (read + extra.0, write + extra.1)
            }
        }
    }
}

/// What a run used, as a bill sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Usage<'a> {
    /// The billing period: the simulated duration, microseconds.
    pub duration_us: u64,
    /// Read request units consumed (an eventually consistent read is half a unit, MODEL.md §1.3).
    pub read_units: f64,
    /// Write request units consumed.
    pub write_units: f64,
    /// Bytes stored at the end, with DynamoDB's 100-byte overhead per item (MODEL.md §1.2).
    pub storage_bytes: u64,
    /// The provisioned capacity priced.
    pub capacity: Held<'a>,
}

impl<'a> Usage<'a> {
    /// The usage of a run of `config` that left `metrics` and `storage_bytes`. A provisioned
    /// table is priced at the capacity it had each second; an on-demand one at the capacity
    /// that serves its busiest second at [`PEAK_TARGET_UTILISATION`] ([`peak_capacity`]).
    pub fn of_run(config: &SimConfig, metrics: &'a Metrics, storage_bytes: u64) -> Usage<'a> {
        let totals = metrics.totals();
        let capacity = match config.billing {
            BillingMode::Provisioned { read_units, write_units } => {
                // Global indexes hold their own provisioned capacity (MODEL.md §7.1, §9).
                let extra = config.indexes.iter().fold((0, 0), |(r, w), ix| match ix.billing {
                    BillingMode::Provisioned { read_units, write_units }
                        if ix.spec.kind == crate::engine::IndexKind::Global =>
                    {
                        (r + read_units, w + write_units)
                    }
                    _ => (r, w),
                });
                Held::PerSecond { states: &metrics.table_states, fallback: (read_units, write_units), extra }
            }
            BillingMode::OnDemand { .. } => {
                let (read, write) = peak_capacity(metrics);
                Held::Constant(read, write)
            }
        };
        Usage {
            duration_us: config.duration_us,
            // Index units are billed like the table's (MODEL.md §7.1: total write cost = table
            // WCU + the indexes').
            read_units: milli_to_units(totals.read_milli + totals.index_read_milli),
            write_units: milli_to_units(totals.write_milli + totals.index_write_milli),
            storage_bytes,
            capacity,
        }
    }

    /// Each second of the period with its weight: 1, or the share of a last, partial second.
    pub fn seconds(&self) -> impl Iterator<Item = (usize, f64)> {
        let (full, part) = (self.duration_us / 1_000_000, self.duration_us % 1_000_000);
        let last = (part > 0).then_some((full as usize, part as f64 / 1e6));
        (0..full as usize).map(|s| (s, 1.0)).chain(last)
    }

    /// The period, hours.
    pub fn hours(&self) -> f64 {
        self.duration_us as f64 / 3.6e9
    }
}

/// The read and write units consumed in the busiest second of `metrics` (each side's own
/// busiest second).
pub fn busiest_second(metrics: &Metrics) -> (f64, f64) {
    let busiest = |milli: fn(&crate::metrics::SecondStats) -> u64| {
        milli_to_units(metrics.seconds.iter().map(milli).max().unwrap_or(0))
    };
    (busiest(|s| s.read_milli + s.index_read_milli), busiest(|s| s.write_milli + s.index_write_milli))
}

/// The read and write units the table itself (not its global indexes) consumed in its busiest
/// second (each side's own).
pub fn busiest_table_second(metrics: &Metrics) -> (f64, f64) {
    let busiest = |milli: fn(&crate::metrics::SecondStats) -> u64| {
        milli_to_units(metrics.seconds.iter().map(milli).max().unwrap_or(0))
    };
    (busiest(|s| s.read_milli), busiest(|s| s.write_milli))
}

/// [`peak_capacity`] of the table alone: what it would provision for its own busiest second,
/// its global indexes provisioned apart.
pub fn table_peak_capacity(metrics: &Metrics) -> (u64, u64) {
    let (read, write) = busiest_table_second(metrics);
    let units =
        |busiest: f64| ((busiest / PEAK_TARGET_UTILISATION).ceil() as u64).clamp(1, MAX_PROVISIONED_UNITS);
    (units(read), units(write))
}

/// Provisioned capacity, (RCU, WCU), that serves the busiest second of `metrics` at
/// [`PEAK_TARGET_UTILISATION`]: `ceil(units / 0.7)`, from 1 to [`MAX_PROVISIONED_UNITS`].
pub fn peak_capacity(metrics: &Metrics) -> (u64, u64) {
    let (read, write) = busiest_second(metrics);
    let units =
        |busiest: f64| ((busiest / PEAK_TARGET_UTILISATION).ceil() as u64).clamp(1, MAX_PROVISIONED_UNITS);
    (units(read), units(write))
}

/// A run priced: every figure USD over the billing period, unless named otherwise.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunCost {
    /// The period, hours.
    pub hours: f64,
    /// The consumed request units at on-demand prices (no free tier applies to them).
    pub on_demand_usd: f64,
    /// The capacity held, at the hourly rate, less the free tier if applied.
    pub provisioned_usd: f64,
    /// The capacity held, with the reserved blocks that minimise the bill; `None` where the
    /// table class has no reserved capacity.
    pub reserved_usd: Option<f64>,
    /// The final storage, less the free tier if applied.
    pub storage_usd: f64,
    /// Mean provisioned RCU over the period.
    pub provisioned_read_units: f64,
    /// Mean provisioned WCU over the period.
    pub provisioned_write_units: f64,
    /// RCU covered by reserved blocks.
    pub reserved_read_units: u64,
    /// WCU covered by reserved blocks.
    pub reserved_write_units: u64,
    /// RCU-hours held.
    pub read_unit_hours: f64,
    /// WCU-hours held.
    pub write_unit_hours: f64,
}

impl RunCost {
    /// The same run over a 730-hour month (MODEL.md §9.1): every amount and unit-hour scaled by
    /// `730 / hours`, as if the period repeated.
    pub fn per_month(&self) -> RunCost {
        let k = if self.hours > 0.0 { HOURS_PER_MONTH / self.hours } else { 0.0 };
        RunCost {
            hours: HOURS_PER_MONTH,
            on_demand_usd: self.on_demand_usd * k,
            provisioned_usd: self.provisioned_usd * k,
            reserved_usd: self.reserved_usd.map(|r| r * k),
            storage_usd: self.storage_usd * k,
            read_unit_hours: self.read_unit_hours * k,
            write_unit_hours: self.write_unit_hours * k,
            ..self.clone()
        }
    }

    /// What the capacity held would cost on demand if every unit of it were consumed.
    pub fn full_use_on_demand_usd(&self, prices: &PriceTable) -> f64 {
        3_600.0
            * (self.read_unit_hours * prices.on_demand_read_per_million
                + self.write_unit_hours * prices.on_demand_write_per_million)
            / 1e6
    }
}

/// One side's provisioned capacity priced.
struct Side {
    unit_hours: f64,
    provisioned_usd: f64,
    reserved: Option<(u64, f64)>,
}

/// Prices one side: `cap(s)` is its capacity in second `s`, `unit_hour` its hourly rate, `free`
/// its free-tier units, `block` (units, USD per block-hour) its reserved capacity.
fn side(
    usage: &Usage<'_>,
    cap: impl Fn(usize) -> u64,
    unit_hour: f64,
    free: u64,
    block: Option<(u64, f64)>,
) -> Side {
    let billable = |s: usize| cap(s).saturating_sub(free);
    let (mut unit_seconds, mut billed_seconds) = (0.0, 0.0);
    for (s, w) in usage.seconds() {
        unit_seconds += w * cap(s) as f64;
        billed_seconds += w * billable(s) as f64;
    }
    let seconds: f64 = usage.seconds().map(|(_, w)| w).sum();
    let reserved = block.map(|(units, block_hour)| {
        // Unit-seconds above `blocks` blocks, and within the next block.
        let above = |blocks: u64| -> (f64, f64) {
            let floor = blocks * units;
            usage.seconds().fold((0.0, 0.0), |(all, next), (s, w)| {
                let over = billable(s).saturating_sub(floor);
                (all + w * over as f64, next + w * over.min(units) as f64)
            })
        };
        // Block j pays when the capacity it covers costs more by the hour than the block; the
        // capacity covered only shrinks as j grows, so the blocks worth buying are a prefix.
        let pays = |j: u64| above(j).1 * unit_hour > block_hour * seconds;
        let most = usage.seconds().map(|(s, _)| billable(s)).max().unwrap_or(0).div_ceil(units.max(1));
        let (mut lo, mut hi) = (0, most);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if pays(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let usd = lo as f64 * block_hour * seconds / 3_600.0 + above(lo).0 * unit_hour / 3_600.0;
        (lo * units, usd)
    });
    Side {
        unit_hours: unit_seconds / 3_600.0,
        provisioned_usd: billed_seconds * unit_hour / 3_600.0,
        reserved,
    }
}

/// Prices `usage` with `prices` (MODEL.md §9.1, §10.8).
pub fn price(prices: &PriceTable, usage: &Usage<'_>) -> RunCost {
    let hours = usage.hours();
    let free = prices.free_tier.as_ref();
    let (free_read, free_write) = free.map_or((0, 0), |f| (f.read_capacity_units, f.write_capacity_units));
    let reserved = prices.reserved.as_ref();
    let read_block = reserved.map(|r| (r.block_units, r.read_block_hour()));
    let write_block = reserved.map(|r| (r.block_units, r.write_block_hour()));
    let read = side(usage, |s| usage.capacity.at(s).0, prices.rcu_hour, free_read, read_block);
    let write = side(usage, |s| usage.capacity.at(s).1, prices.wcu_hour, free_write, write_block);
    let gb = usage.storage_bytes as f64 / STORAGE_GB_BYTES - free.map_or(0.0, |f| f.storage_gb);
    let mean = |unit_hours: f64| if hours > 0.0 { unit_hours / hours } else { 0.0 };
    RunCost {
        hours,
        on_demand_usd: super::on_demand_usd(prices, usage.read_units, usage.write_units),
        provisioned_usd: read.provisioned_usd + write.provisioned_usd,
        reserved_usd: read.reserved.zip(write.reserved).map(|(r, w)| r.1 + w.1),
        storage_usd: gb.max(0.0) * prices.storage_gb_month * hours / HOURS_PER_MONTH,
        provisioned_read_units: mean(read.unit_hours),
        provisioned_write_units: mean(write.unit_hours),
        reserved_read_units: read.reserved.map_or(0, |r| r.0),
        reserved_write_units: write.reserved.map_or(0, |r| r.0),
        read_unit_hours: read.unit_hours,
        write_unit_hours: write.unit_hours,
    }
}

#[cfg(test)]
#[path = "bill_tests.rs"]
mod tests;
