//! Cost: prices (MODEL.md §9) and what a run's traffic and capacity cost.
//!
//! Prices are us-east-1, Standard table class, from 1 November 2024 (MODEL.md §9.1,
//! [DOC-2nd]). The free tier is not applied.

/// Hours in a billing month, AWS's convention (MODEL.md §9.1).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// A region's prices for one table class.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PriceTable {
    /// Where and when these prices hold.
    pub label: &'static str,
    /// On-demand, USD per million read request units.
    pub on_demand_read_per_million: f64,
    /// On-demand, USD per million write request units.
    pub on_demand_write_per_million: f64,
    /// Provisioned, USD per RCU-hour.
    pub rcu_hour: f64,
    /// Provisioned, USD per WCU-hour.
    pub wcu_hour: f64,
    /// Storage, USD per GB-month.
    pub storage_gb_month: f64,
}

/// us-east-1, Standard class, prices from 1 November 2024 (MODEL.md §9.1).
pub const US_EAST_1_STANDARD: PriceTable = PriceTable {
    label: "us-east-1 standard, prices from 2024-11-01",
    on_demand_read_per_million: 0.125,
    on_demand_write_per_million: 0.625,
    rcu_hour: 0.000_13,
    wcu_hour: 0.000_65,
    storage_gb_month: 0.25,
};

/// Bytes in the GB that storage is billed by.
pub const STORAGE_GB_BYTES: f64 = 1_073_741_824.0;

/// USD for request units consumed on demand.
pub fn on_demand_usd(prices: &PriceTable, read_units: f64, write_units: f64) -> f64 {
    read_units * prices.on_demand_read_per_million / 1e6
        + write_units * prices.on_demand_write_per_million / 1e6
}

/// USD for provisioned capacity held for `hours`.
pub fn provisioned_usd(prices: &PriceTable, rcu: f64, wcu: f64, hours: f64) -> f64 {
    (rcu * prices.rcu_hour + wcu * prices.wcu_hour) * hours
}

/// USD for storing `bytes` for `hours`.
pub fn storage_usd(prices: &PriceTable, bytes: u64, hours: f64) -> f64 {
    bytes as f64 / STORAGE_GB_BYTES * prices.storage_gb_month * hours / HOURS_PER_MONTH
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

    /// MODEL.md §12 H5: provisioned is cheaper above 28.9% utilisation.
    #[test]
    fn h5_break_even() {
        let p = &US_EAST_1_STANDARD;
        let write = p.wcu_hour / (3_600.0 * p.on_demand_write_per_million / 1e6);
        let read = p.rcu_hour / (3_600.0 * 0.5 * 2.0 * p.on_demand_read_per_million / 1e6);
        assert!((write - 0.2889).abs() < 1e-4 && (read - 0.2889).abs() < 1e-4, "{write} {read}");
    }
}
