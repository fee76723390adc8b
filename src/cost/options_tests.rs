use super::*;
use crate::cost::bill::Held;
use crate::cost::prices::{price_table, TableClass, US_EAST_1_STANDARD};
use crate::time::SimTime;

const HOUR_US: u64 = 3_600_000_000;

fn scenario(text: &str) -> SimConfig {
    crate::scenario::parse(std::path::Path::new("t.toml"), text).unwrap().config
}

const PROVISIONED: &str = r#"name = "t"
duration = "1h"
[table]
name = "T"
partition_key = "K"
read_capacity = 500
write_capacity = 300
[[table.schedule]]
at = "10m"
write_capacity = 900
[[workload]]
name = "w"
operation = "put"
rate = 10
item_bytes = 100
[workload.attributes]
K = { distribution = "uniform", count = 10 }
"#;

#[test]
fn each_option_gets_its_own_billing_and_no_schedule() {
    let c = scenario(PROVISIONED);
    assert_eq!(
        c.schedule,
        vec![(SimTime::from_secs(600), BillingMode::Provisioned { read_units: 500, write_units: 900 })]
    );
    let od = on_demand_config(&c);
    assert_eq!(od.billing, BillingMode::OnDemand { max_read_units: None, max_write_units: None });
    assert!(od.schedule.is_empty() && od.auto_scaling.read.is_none() && od.auto_scaling.write.is_none());
    let fixed = fixed_config(&c, (143, 2_143));
    assert_eq!(fixed.billing, BillingMode::Provisioned { read_units: 143, write_units: 2_143 });
    assert!(fixed.schedule.is_empty() && fixed.auto_scaling.write.is_none());
    let scaled = auto_scaling_config(&c, (143, 2_143));
    assert_eq!(scaled.billing, fixed.billing, "auto scaling starts at the peak capacity");
    let target = |min| Some(ScalingTarget { min, max: 40_000, target: 0.7 });
    assert_eq!((scaled.auto_scaling.read, scaled.auto_scaling.write), (target(15), target(215)));
    assert_eq!(auto_scaling_config(&c, (1, 1)).auto_scaling.read, target(1));
    assert_eq!((scaled.workloads.len(), scaled.duration_us), (1, HOUR_US), "the same traffic");
}

#[test]
fn a_scenario_with_its_own_auto_scaling_keeps_it() {
    let text = PROVISIONED.replace(
        "[[table.schedule]]",
        "[table.auto_scaling]\nwrite = { min = 100, max = 2000, target = 0.5 }\n[[table.schedule]]",
    );
    let c = scenario(&text);
    let scaled = auto_scaling_config(&c, (143, 2_143));
    assert_eq!(scaled.billing, BillingMode::Provisioned { read_units: 500, write_units: 300 });
    assert_eq!(scaled.auto_scaling.write, Some(ScalingTarget { min: 100, max: 2_000, target: 0.5 }));
    assert!(scaled.auto_scaling.read.is_none() && scaled.schedule.is_empty());
}

/// An outcome of an hour at constant capacity, consuming `consumed` write units.
fn outcome(prices: &PriceTable, capacity: (u64, u64), consumed: f64, throttled: u64) -> Outcome {
    let usage = Usage {
        duration_us: HOUR_US,
        read_units: 0.0,
        write_units: consumed,
        storage_bytes: 1 << 30,
        capacity: Held::Constant(capacity.0, capacity.1),
    };
    Outcome {
        cost: price(prices, &usage),
        list: price(&prices.without_free_tier(), &usage),
        attempts: 1_000,
        throttled,
        offered: 900,
        failed: throttled / 10,
        consumed: (0.0, consumed),
        busiest_second: (0.0, consumed / 3_600.0),
        peak_capacity: capacity,
    }
}

#[test]
fn rows_price_each_option_and_rank_them() {
    let p = &*US_EAST_1_STANDARD;
    // 1,500 WCU a second for an hour; the peak capacity is 1,500 / 0.7.
    let consumed = 1_500.0 * 3_600.0;
    let on_demand = outcome(p, (1, 2_143), consumed, 0);
    let peak = outcome(p, (1, 2_143), consumed, 0);
    let scaled = outcome(p, (1, 1_800), consumed, 50);
    let rows = compare(&on_demand, &peak, &scaled, p);
    let options: Vec<BillingOption> = rows.iter().map(|r| r.option).collect();
    assert_eq!(
        options,
        [
            BillingOption::OnDemand,
            BillingOption::ProvisionedAtPeak,
            BillingOption::AutoScaling,
            BillingOption::Reserved
        ]
    );
    let ranks: Vec<usize> = rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, [4, 3, 2, 1], "reserved, auto scaling, fixed, on demand");
    // On demand: the consumed units at $0.625 a million, over 730 hours.
    assert!((rows[0].throughput_usd - consumed * 0.625e-6 * 730.0).abs() < 1e-9);
    assert!((rows[1].throughput_usd - (2_143.0 * 0.000_65 + 0.000_13) * 730.0).abs() < 1e-9);
    assert!((rows[0].storage_usd - 0.25).abs() < 1e-12 && rows[0].per_month_usd > rows[0].throughput_usd);
    assert_eq!((rows[0].read_capacity_units, rows[0].utilisation), (None, None));
    assert_eq!(rows[1].write_capacity_units, Some(2_143.0));
    assert_eq!((rows[3].reserved_read_units, rows[3].reserved_write_units), (Some(0), Some(2_100)));
    for row in &rows[..3] {
        assert!((row.break_even_utilisation - 0.2889).abs() < 1e-3, "{row:?}");
    }
    assert!(rows[3].break_even_utilisation < 0.14, "{}", rows[3].break_even_utilisation);
    let used = rows[1].utilisation.unwrap();
    assert!((used - 1_500.0 / 2_143.0).abs() < 1e-3, "{used}");
    assert_eq!((rows[2].throttle_ratio, rows[2].failed_requests), (0.05, 5));
}

#[test]
fn standard_ia_has_no_reserved_row_and_the_free_tier_lowers_the_bill_not_the_break_even() {
    let ia = price_table("us-east-1", TableClass::StandardIa, true).unwrap();
    let o = outcome(&ia, (10, 20), 3_600.0, 0);
    let rows = compare(&o, &o, &o, &ia);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].throughput_usd, 0.0, "25 free units cover 10 RCU and 20 WCU");
    assert!((rows[1].break_even_utilisation - 0.2889).abs() < 1e-3);
    assert_eq!(rows[1].storage_usd, 0.0, "1 GB is within the 25 free GB");
}

/// MODEL.md §7.1: a global index inherits its table's capacity mode, so the on-demand option
/// makes the indexes on demand; the provisioned options keep an index's declared capacity.
#[test]
fn billing_options_carry_global_indexes_along() {
    let text = r#"name = "t"
duration = "1m"
[table]
name = "T"
partition_key = "K"
read_capacity = 100
write_capacity = 100
[[table.global_secondary_index]]
name = "G"
partition_key = "Tag"
write_capacity = 300
auto_scaling = { write = { min = 100, max = 1000, target = 0.7 } }
[[workload]]
name = "w"
operation = "put"
rate = 1
item_bytes = 100
[workload.attributes]
K = { distribution = "uniform", count = 10 }
Tag = { distribution = "uniform", count = 10 }
"#;
    let c = crate::scenario::parse(std::path::Path::new("t.toml"), text).expect("valid").config;
    let od = on_demand_config(&c);
    assert!(matches!(od.indexes[0].billing, BillingMode::OnDemand { .. }));
    assert!(od.indexes[0].auto_scaling.write.is_none());
    let fixed = fixed_config(&c, (500, 700));
    assert_eq!(fixed.indexes[0].billing, BillingMode::Provisioned { read_units: 100, write_units: 300 });
}
