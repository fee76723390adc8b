use super::*;
use crate::cost::prices::{price_table, TableClass, US_EAST_1_STANDARD};
use proptest::prelude::*;

const DAY_US: u64 = 86_400 * 1_000_000;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

fn constant(read: u64, write: u64, duration_us: u64) -> Usage<'static> {
    Usage {
        duration_us,
        read_units: 0.0,
        write_units: 0.0,
        storage_bytes: 0,
        capacity: Held::Constant(read, write),
    }
}

fn states(caps: &[(u64, u64)]) -> Vec<TableState> {
    caps.iter()
        .map(|&(r, w)| TableState { partitions: 1, read_ceiling_units: r, write_ceiling_units: w })
        .collect()
}

/// MODEL.md §12 H1: 12 RCU and 12 WCU for a day cost $0.03744 and $0.1872; with the free tier
/// (25 RCU, 25 WCU) nothing, and 28 GB of storage then bills 3 GB, $0.75 a month.
#[test]
fn h1_capacity_held_for_a_day() {
    let p = &*US_EAST_1_STANDARD;
    assert!(close(price(p, &constant(0, 12, DAY_US)).provisioned_usd, 0.1872));
    assert!(close(price(p, &constant(12, 0, DAY_US)).provisioned_usd, 0.03744));
    let month = price(p, &constant(12, 12, 30 * DAY_US));
    assert!((month.provisioned_usd - 6.74).abs() < 0.005, "{}", month.provisioned_usd);
    let free = price_table("us-east-1", TableClass::Standard, true).unwrap();
    let gb28 = (28.0 * STORAGE_GB_BYTES) as u64;
    let usage = Usage { storage_bytes: gb28, ..constant(12, 12, 30 * DAY_US) };
    let with_free = price(&free, &usage).per_month();
    assert_eq!(with_free.provisioned_usd, 0.0, "25 free units cover 12");
    assert!(close(with_free.storage_usd, 0.75), "{}", with_free.storage_usd);
    assert!(close(price(p, &usage).per_month().storage_usd, 7.0), "no free tier: all 28 GB");
    // H1's $7.49: the throughput in full plus the storage beyond its 25 free GB.
    assert!((month.provisioned_usd + with_free.storage_usd - 7.49).abs() < 0.005);
}

/// MODEL.md §12 H2: a million writes and a million strongly consistent reads a day on demand
/// cost $0.625 + $0.125; over 30 days $22.50, plus H1's $0.75 of storage $23.25.
#[test]
fn h2_request_units_on_demand() {
    let usage = Usage { read_units: 30e6, write_units: 30e6, ..constant(1, 1, 30 * DAY_US) };
    let cost = price(&US_EAST_1_STANDARD, &usage);
    assert!(close(cost.on_demand_usd, 22.5), "{}", cost.on_demand_usd);
    assert!(close(cost.per_month().on_demand_usd, 22.5 * 730.0 / 720.0), "a 730-hour month");
    let free = price_table("us-east-1", TableClass::Standard, true).unwrap();
    let stored = Usage { storage_bytes: (28.0 * STORAGE_GB_BYTES) as u64, ..usage };
    let cost = price(&free, &stored);
    assert!((cost.on_demand_usd + cost.storage_usd * 730.0 / 720.0 - 23.25).abs() < 1e-9);
    assert_eq!(cost.on_demand_usd, 22.5, "no free tier for request units");
}

#[test]
fn capacity_is_priced_second_by_second_as_it_was() {
    let s = states(&[(100, 10), (300, 30)]);
    let usage = Usage {
        capacity: Held::PerSecond { states: &s, fallback: (1, 1), extra: (0, 0) },
        ..constant(0, 0, 3_000_000) // the third second has the last state
    };
    let cost = price(&US_EAST_1_STANDARD, &usage);
    assert!(close(cost.read_unit_hours, 700.0 / 3_600.0) && close(cost.provisioned_read_units, 700.0 / 3.0));
    assert!(close(cost.provisioned_usd, (700.0 * 0.000_13 + 70.0 * 0.000_65) / 3_600.0));
    let empty = Usage { capacity: Held::PerSecond { states: &[], fallback: (5, 7), extra: (0, 0) }, ..usage };
    assert!(close(price(&US_EAST_1_STANDARD, &empty).provisioned_write_units, 7.0));
    let half = Usage { duration_us: 1_500_000, ..usage };
    assert!(close(price(&US_EAST_1_STANDARD, &half).read_unit_hours, 250.0 / 3_600.0), "half a second");
}

/// A block of 100 WCU costs $150 / 8,760 + $0.0128 an hour, as much as 46 WCU at $0.00065:
/// blocks cover the baseline, and one more when the rest is worth more than a block.
#[test]
fn reserved_blocks_minimise_the_bill() {
    let p = &*US_EAST_1_STANDARD;
    let block = 150.0 / 8_760.0 + 0.0128;
    let at = |write: u64| price(p, &constant(1, write, 3_600_000_000));
    let c = at(2_143);
    assert_eq!(c.reserved_write_units, 2_100);
    assert!(close(c.reserved_usd.unwrap(), 21.0 * block + 43.0 * 0.000_65 + 0.000_13));
    assert_eq!(at(2_190).reserved_write_units, 2_200, "90 WCU by the hour cost more than a block");
    assert_eq!((at(40).reserved_write_units, at(40).reserved_usd), (0, Some(at(40).provisioned_usd)));
    // Mostly 1,000 WCU, briefly 100: ten blocks, not the one the minimum would give.
    let mut caps = vec![(1, 1_000); 99];
    caps.push((1, 100));
    let s = states(&caps);
    let usage = Usage {
        capacity: Held::PerSecond { states: &s, fallback: (1, 1), extra: (0, 0) },
        ..constant(0, 0, 100_000_000)
    };
    assert_eq!(price(p, &usage).reserved_write_units, 1_000);
    let ia = price_table("us-east-1", TableClass::StandardIa, false).unwrap();
    assert_eq!(price(&ia, &usage).reserved_usd, None, "not sold for Standard-IA");
}

fn prices() -> impl Strategy<Value = PriceTable> {
    (any::<bool>(), any::<bool>()).prop_map(|(ia, free)| {
        let class = if ia { TableClass::StandardIa } else { TableClass::Standard };
        price_table("us-east-1", class, free).expect("us-east-1")
    })
}

proptest! {
    /// DESIGN.md/STYLE.md: cost never decreases as usage grows, whichever figure and whatever
    /// grows: request units, storage, the capacity of any second, or the period.
    #[test]
    fn cost_never_decreases_as_usage_grows(
        p in prices(),
        caps in prop::collection::vec((1u64..3_000, 1u64..3_000), 1..40),
        extra in prop::collection::vec((0u64..500, 0u64..500), 1..40),
        units in (0.0..1e9f64, 0.0..1e9f64, 0u64..(100u64 << 30)),
        more in (0.0..1e8f64, 0.0..1e8f64, 0u64..(1u64 << 33), 0u64..5_000_000),
    ) {
        let grown_caps: Vec<(u64, u64)> =
            caps.iter().zip(extra.iter().cycle()).map(|(&(r, w), &(dr, dw))| (r + dr, w + dw)).collect();
        let (before_states, after_states) = (states(&caps), states(&grown_caps));
        let duration_us = caps.len() as u64 * 1_000_000;
        let before = Usage {
            duration_us,
            read_units: units.0,
            write_units: units.1,
            storage_bytes: units.2,
            capacity: Held::PerSecond { states: &before_states, fallback: (1, 1), extra: (0, 0) },
        };
        let after = Usage {
            duration_us: duration_us + more.3,
            read_units: units.0 + more.0,
            write_units: units.1 + more.1,
            storage_bytes: units.2 + more.2,
            capacity: Held::PerSecond { states: &after_states, fallback: (1, 1), extra: (0, 0) },
        };
        let (a, b) = (price(&p, &before), price(&p, &after));
        let grew = |x: f64, y: f64| y >= x - 1e-9 * x.abs().max(1.0);
        prop_assert!(grew(a.on_demand_usd, b.on_demand_usd));
        prop_assert!(grew(a.provisioned_usd, b.provisioned_usd));
        prop_assert!(grew(a.storage_usd, b.storage_usd));
        prop_assert_eq!(a.reserved_usd.is_some(), b.reserved_usd.is_some());
        if let (Some(x), Some(y)) = (a.reserved_usd, b.reserved_usd) {
            prop_assert!(grew(x, y), "reserved {} then {}", x, y);
            prop_assert!(x <= a.provisioned_usd * (1.0 + 1e-12) + 1e-12, "reserved never dearer");
        }
    }
}
