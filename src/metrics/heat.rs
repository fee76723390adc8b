//! The data behind the partition heat maps: for each partition, in hash-range order, and each
//! time bucket, the share of the partition's capacity consumed, reads and writes apart.
//!
//! Rows are keyed by partition id, which is stable: a split retires its parent's id and gives
//! its children new ones, so a retired partition's row shows its traffic until the split and
//! its children's rows take over from there.

use super::timeline::Timeline;
use super::PartitionStats;
use crate::engine::{Access, PartitionId, MILLI};
use std::collections::BTreeMap;

/// Consumed capacity as shares of each partition's capacity, one cell per (partition, bucket).
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMapData {
    /// Width of every column, seconds; column `c` starts at `c * bucket_seconds`.
    pub bucket_seconds: u64,
    /// Number of columns (time buckets from time zero).
    pub columns: usize,
    /// Row order: partitions by start hash, then by id (so a split parent comes just before
    /// the child that kept its start), then partitions whose start is unknown, by id.
    pub rows: Vec<PartitionId>,
    /// Read milli-units consumed / (partition read capacity x bucket seconds), row-major
    /// (`rows.len() * columns`). A cell may exceed 1: a partition's token bucket starts full,
    /// so it can serve up to two seconds' worth in one second.
    pub read_share: Vec<f64>,
    /// The same for writes.
    pub write_share: Vec<f64>,
}

/// Capacity of one partition, units per second (MODEL.md §2.1: 3,000 RCU and 1,000 WCU unless
/// the scenario's `[capacity]` says otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionCapacity {
    /// Read units per second.
    pub read_units: u64,
    /// Write units per second.
    pub write_units: u64,
}

/// Builds the heat-map data from `timeline` and the partition `totals` beside it, with rows for
/// every partition in `starts` (id to start hash) and every partition that saw an attempt.
pub fn build(
    timeline: &Timeline,
    totals: &[PartitionStats],
    starts: &BTreeMap<PartitionId, u64>,
    capacity: PartitionCapacity,
) -> HeatMapData {
    let touched = totals.iter().enumerate().filter(|(_, p)| p.attempts > 0);
    let touched = touched.map(|(i, _)| PartitionId(i as u32));
    let mut rows: Vec<PartitionId> = starts.keys().copied().chain(touched).collect();
    rows.sort_by_key(|id| (starts.get(id).is_none(), starts.get(id).copied(), *id));
    rows.dedup();
    let columns = timeline.columns();
    let seconds = timeline.bucket_seconds() as f64;
    let shares = |access: Access, units: u64| -> Vec<f64> {
        let full = (units * MILLI) as f64 * seconds;
        let cell = |id: PartitionId, c: usize| match full > 0.0 {
            true => timeline.consumed_milli(c, id, access, totals) as f64 / full,
            false => 0.0,
        };
        rows.iter().flat_map(|&id| (0..columns).map(move |c| cell(id, c))).collect()
    };
    HeatMapData {
        bucket_seconds: timeline.bucket_seconds(),
        columns,
        read_share: shares(Access::Read, capacity.read_units),
        write_share: shares(Access::Write, capacity.write_units),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ItemKey, KeyValue};
    use crate::metrics::{Metrics, MetricsConfig};

    const SECOND: u64 = crate::time::MICROS_PER_SECOND;
    const DEFAULT_CAPACITY: PartitionCapacity = PartitionCapacity { read_units: 3_000, write_units: 1_000 };

    fn metrics(seconds: u64, capacity: PartitionCapacity) -> Metrics {
        Metrics::new(MetricsConfig { duration_us: seconds * SECOND, partition_capacity: capacity })
    }

    /// Feeds `units_per_s` of `access` to `partition` in each of `seconds`, one unit per attempt.
    fn feed(
        m: &mut Metrics,
        partition: u32,
        access: Access,
        units_per_s: u64,
        seconds: std::ops::Range<u64>,
    ) {
        for second in seconds {
            for _ in 0..units_per_s {
                m.admitted(
                    second,
                    PartitionId(partition),
                    &ItemKey::new(KeyValue::N(1), None),
                    access,
                    MILLI,
                );
            }
        }
    }

    #[test]
    fn half_a_partitions_capacity_for_ten_seconds_is_half_in_every_bucket() {
        let mut m = metrics(10, DEFAULT_CAPACITY);
        feed(&mut m, 0, Access::Write, 500, 0..10);
        feed(&mut m, 1, Access::Read, 1_500, 0..5);
        m.record_partition_starts([(PartitionId(0), 1 << 63), (PartitionId(1), 0)]);
        let heat = m.heat_map();
        assert_eq!((heat.bucket_seconds, heat.columns), (1, 10));
        assert_eq!(heat.rows, [PartitionId(1), PartitionId(0)], "hash-range order, not id order");
        assert_eq!(heat.write_share[10..], [0.5; 10]);
        assert_eq!(heat.write_share[..10], [0.0; 10]);
        assert_eq!(heat.read_share[..10], [0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(heat.read_share[10..], [0.0; 10]);
    }

    #[test]
    fn wide_buckets_and_configured_capacity_set_the_denominator() {
        // 2,400 s in 240 buckets of 10 s; a partition capped at 200 WCU/s.
        let mut m = metrics(2_400, PartitionCapacity { read_units: 3_000, write_units: 200 });
        feed(&mut m, 0, Access::Write, 100, 0..100);
        feed(&mut m, 0, Access::Write, 150, 100..105);
        let heat = m.heat_map();
        assert_eq!((heat.bucket_seconds, heat.columns, heat.rows.len()), (10, 11, 1));
        let mut expected = vec![0.5; 10];
        expected.push(150.0 * 5.0 / (200.0 * 10.0));
        assert_eq!(heat.write_share, expected);
    }

    #[test]
    fn a_retired_partition_sits_before_the_child_that_kept_its_start() {
        let mut m = metrics(10, DEFAULT_CAPACITY);
        // Partition 0 (hashes 0..2^63) splits at 2^62 after 5 s into 2 and 3; 1 never splits;
        // 7 saw traffic but its start was never recorded.
        feed(&mut m, 0, Access::Read, 300, 0..5);
        feed(&mut m, 2, Access::Read, 600, 5..10);
        feed(&mut m, 3, Access::Read, 30, 5..10);
        feed(&mut m, 7, Access::Read, 3, 0..1);
        m.record_partition_starts([
            (PartitionId(1), 1 << 63),
            (PartitionId(2), 0),
            (PartitionId(3), 1 << 62),
        ]);
        m.record_partition_starts([(PartitionId(0), 0)]);
        let heat = m.heat_map();
        let ids: Vec<u32> = heat.rows.iter().map(|p| p.0).collect();
        assert_eq!(ids, [0, 2, 3, 1, 7]);
        let row = |r: usize| &heat.read_share[r * 10..(r + 1) * 10];
        assert_eq!(row(0), [0.1, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(row(1), [0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.2, 0.2, 0.2, 0.2]);
        assert_eq!(row(3), [0.0; 10], "an idle partition still has its row");
        assert_eq!(row(4)[0], 0.001);
    }

    /// A tiny seeded run through the simulator: uniform gets (3,000 RCU/s) and puts (800 WCU/s)
    /// over two partitions, four seconds. Each partition should run near half its read and
    /// 40% of its write capacity; the snapshot pins the exact shares of seed 7.
    #[test]
    fn a_tiny_run_fills_both_partitions_evenly() {
        use crate::engine::{Consistency, TableSpec};
        use crate::sim::{run, RetryProfile, SimConfig};
        use crate::workload::{OperationKind, ValueDistribution, WorkloadSpec};
        let workload = |name: &str, operation, rate_per_s| WorkloadSpec {
            consistency: Consistency::Strong,
            ..WorkloadSpec::simple(
                name,
                operation,
                rate_per_s,
                1_000,
                ValueDistribution::Uniform { count: 1_000 },
            )
        };
        let table = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        let billing = crate::capacity::BillingMode::Provisioned { read_units: 6_000, write_units: 2_000 };
        let workloads =
            vec![workload("get", OperationKind::Get, 3_000.0), workload("put", OperationKind::Put, 800.0)];
        let config = SimConfig {
            initial_partitions: Some(2),
            retry: RetryProfile::none(),
            ..SimConfig::new(table, billing, workloads, 4 * SECOND)
        };
        let mut m = Metrics::new(MetricsConfig::for_run(&config));
        let out = run(&config, 7, &mut m, &mut |_| {});
        m.record_partition_starts(out.table.partitions().iter().map(|p| (p.id(), p.start())));
        let heat = m.heat_map();
        // Every consumed unit is in some cell: shares times capacity add up to the totals.
        for (r, id) in heat.rows.iter().enumerate() {
            let cells = &heat.read_share[r * heat.columns..(r + 1) * heat.columns];
            let milli: f64 = cells.iter().map(|s| s * 3_000.0 * 1_000.0).sum();
            assert!((milli - m.partitions[id.0 as usize].read_milli as f64).abs() < 1e-3);
        }
        let mut text = format!("bucket_seconds {}, columns {}\n", heat.bucket_seconds, heat.columns);
        for (name, shares) in [("read", &heat.read_share), ("write", &heat.write_share)] {
            for (r, id) in heat.rows.iter().enumerate() {
                let cells = &shares[r * heat.columns..(r + 1) * heat.columns];
                let cells: Vec<String> = cells.iter().map(|s| format!("{s:.3}")).collect();
                text.push_str(&format!("{name} partition {}: {}\n", id.0, cells.join(" ")));
            }
        }
        insta::assert_snapshot!(text);
    }
}
