//! Cost: price tables (dated data files, MODEL.md §9.1) and what a run's traffic and capacity
//! cost under each billing option (MODEL.md §9, §10.8).
//!
//! This layer prices runs and prepares the configurations of the runs that `ddbsim cost`
//! compares; it never simulates. The report words and draws its numbers.

pub mod bill;
pub mod options;
pub mod prices;
pub mod series;

pub use bill::{peak_capacity, price, Held, RunCost, Usage, PEAK_TARGET_UTILISATION};
pub use prices::{price_table, regions, PriceTable, TableClass, US_EAST_1_STANDARD};

/// Hours in a billing month, AWS's convention (MODEL.md §9.1).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Bytes in the GB that storage is billed by.
pub const STORAGE_GB_BYTES: f64 = 1_073_741_824.0;

/// USD for request units consumed on demand (MODEL.md §9.1). An eventually consistent read
/// counts half a unit (MODEL.md §1.3), as the units consumed already do.
pub fn on_demand_usd(prices: &PriceTable, read_units: f64, write_units: f64) -> f64 {
    read_units * prices.on_demand_read_per_million / 1e6
        + write_units * prices.on_demand_write_per_million / 1e6
}

/// USD for provisioned capacity held for `hours` at the hourly rates, no free tier.
pub fn provisioned_usd(prices: &PriceTable, rcu: f64, wcu: f64, hours: f64) -> f64 {
    (rcu * prices.rcu_hour + wcu * prices.wcu_hour) * hours
}

/// USD for storing `bytes` for `hours`, no free tier.
pub fn storage_usd(prices: &PriceTable, bytes: u64, hours: f64) -> f64 {
    bytes as f64 / STORAGE_GB_BYTES * prices.storage_gb_month * hours / HOURS_PER_MONTH
}

/// The average utilisation of provisioned capacity above which it costs less than the same
/// traffic on demand (MODEL.md §9.2): the hourly price of `read_units` RCU and `write_units`
/// WCU over what those units would cost on demand if every one were consumed for the hour.
/// With the prices of 1 November 2024 it is 28.9% for reads and writes alike.
pub fn break_even_utilisation(prices: &PriceTable, read_units: f64, write_units: f64) -> f64 {
    let hourly = read_units * prices.rcu_hour + write_units * prices.wcu_hour;
    let full_use = 3_600.0 * on_demand_usd(prices, read_units, write_units);
    if full_use > 0.0 {
        hourly / full_use
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// MODEL.md §12 H1: 12 WCU and 12 RCU for a day cost $0.1872 and $0.03744.
    #[test]
    fn h1_provisioned_per_day() {
        let p = &US_EAST_1_STANDARD;
        assert!(close(provisioned_usd(p, 0.0, 12.0, 24.0), 0.1872));
        assert!(close(provisioned_usd(p, 12.0, 0.0, 24.0), 0.03744));
        let month = provisioned_usd(p, 12.0, 12.0, 24.0 * 30.0);
        assert!((month - 6.74).abs() < 0.005, "{month}");
    }

    /// MODEL.md §12 H2: a million writes and a million strongly consistent reads of items up to
    /// 1 KB a day, on demand, cost $0.625 and $0.125 a day, $22.50 over 30 days.
    #[test]
    fn h2_on_demand_per_day() {
        let p = &US_EAST_1_STANDARD;
        assert!(close(on_demand_usd(p, 0.0, 1e6), 0.625));
        assert!(close(on_demand_usd(p, 1e6, 0.0), 0.125));
        assert!(close(on_demand_usd(p, 30e6, 30e6), 22.5));
    }

    /// MODEL.md §12 H1: 3 GB above the free tier cost $0.75 a month.
    #[test]
    fn storage_per_month() {
        let three_gb = (3.0 * STORAGE_GB_BYTES) as u64;
        assert!(close(storage_usd(&US_EAST_1_STANDARD, three_gb, HOURS_PER_MONTH), 0.75));
    }

    /// MODEL.md §12 H5: provisioned is cheaper above 28.9% utilisation, for reads and writes,
    /// Standard and Standard-IA alike; it was 14.4% before November 2024.
    #[test]
    fn h5_break_even() {
        let p = &US_EAST_1_STANDARD;
        let write = break_even_utilisation(p, 0.0, 1.0);
        let read = break_even_utilisation(p, 1.0, 0.0);
        assert!((write - 0.2889).abs() < 1e-4 && (read - 0.2889).abs() < 1e-4, "{write} {read}");
        assert!((break_even_utilisation(p, 300.0, 1_000.0) - 0.2889).abs() < 1e-4, "any mix");
        let ia = price_table("us-east-1", TableClass::StandardIa, false).unwrap();
        assert!((break_even_utilisation(&ia, 1.0, 1.0) - 0.2889).abs() < 1e-4);
        let mut before = US_EAST_1_STANDARD.clone();
        before.set("on_demand_write_per_million", 1.25).unwrap();
        assert!((break_even_utilisation(&before, 0.0, 1.0) - 0.1444).abs() < 1e-4, "pre-Nov-2024");
        assert_eq!(break_even_utilisation(p, 0.0, 0.0), 0.0);
    }
}
