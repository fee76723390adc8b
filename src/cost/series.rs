//! Cost over time, for the report's `cost.svg`: what a run has cost so far, second by second,
//! on demand (the request units consumed) and provisioned (the capacity held), sampled so that a
//! chart stays small. The last point of each series is the run's total (`bill::price`).

use super::bill::Usage;
use super::prices::PriceTable;
use crate::engine::units::milli_to_units;
use crate::metrics::SecondStats;

/// Cumulative costs, USD, at the end of every `step` seconds, starting with zeros at 0 s.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSeries {
    /// Seconds since the start.
    pub x: Vec<f64>,
    /// The request units consumed so far, at on-demand prices.
    pub on_demand_usd: Vec<f64>,
    /// The capacity held so far, at the hourly rates, less the free tier if applied.
    pub provisioned_usd: Vec<f64>,
}

/// The cost of `usage` over time: request units from each second of `seconds` (the run's
/// per-second consumption, which may go on past the period while retries finish), capacity
/// from `usage.capacity` over the period. One point every `step` seconds and one at the end.
pub fn cumulative(
    prices: &PriceTable,
    usage: &Usage<'_>,
    seconds: &[SecondStats],
    step: usize,
) -> CostSeries {
    let step = step.max(1);
    let free = prices.free_tier.as_ref().map_or((0, 0), |f| (f.read_capacity_units, f.write_capacity_units));
    let weights: Vec<(usize, f64)> = usage.seconds().collect();
    let end = seconds.len().max(weights.len());
    let mut series = CostSeries { x: vec![0.0], on_demand_usd: vec![0.0], provisioned_usd: vec![0.0] };
    let (mut on_demand, mut provisioned) = (0.0, 0.0);
    for s in 0..end {
        if let Some(stats) = seconds.get(s) {
            let (read, write) = (milli_to_units(stats.read_milli), milli_to_units(stats.write_milli));
            on_demand += super::on_demand_usd(prices, read, write);
        }
        if let Some(&(_, w)) = weights.get(s) {
            let (read, write) = usage.capacity.at(s);
            let billed = read.saturating_sub(free.0) as f64 * prices.rcu_hour
                + write.saturating_sub(free.1) as f64 * prices.wcu_hour;
            provisioned += w * billed / 3_600.0;
        }
        if (s + 1) % step == 0 || s + 1 == end {
            series.x.push((s + 1) as f64);
            series.on_demand_usd.push(on_demand);
            series.provisioned_usd.push(provisioned);
        }
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::bill::{price, Held};
    use crate::cost::prices::{price_table, TableClass, US_EAST_1_STANDARD};

    fn second(read_milli: u64, write_milli: u64) -> SecondStats {
        SecondStats { read_milli, write_milli, ..SecondStats::default() }
    }

    #[test]
    fn the_series_climb_to_the_run_totals() {
        let seconds: Vec<SecondStats> = (0..7).map(|i| second(i * 1_000_000, 2_000_000)).collect();
        let usage = Usage {
            duration_us: 5_500_000, // the last two seconds are retries past the end
            read_units: 21_000.0,
            write_units: 14_000.0,
            storage_bytes: 0,
            capacity: Held::Constant(3_000, 100),
        };
        for prices in
            [US_EAST_1_STANDARD.clone(), price_table("us-east-1", TableClass::Standard, true).unwrap()]
        {
            let s = cumulative(&prices, &usage, &seconds, 2);
            assert_eq!(s.x, [0.0, 2.0, 4.0, 6.0, 7.0]);
            let total = price(&prices, &usage);
            let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
            assert!(close(*s.on_demand_usd.last().unwrap(), total.on_demand_usd), "{s:?}");
            assert!(close(*s.provisioned_usd.last().unwrap(), total.provisioned_usd), "{s:?}");
            assert!(s.on_demand_usd.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(s.provisioned_usd[3], s.provisioned_usd[4], "no capacity is held after the period");
        }
    }
}
