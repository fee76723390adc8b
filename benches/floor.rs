//! A floor for exact mode: the standard bench's per-request work written as one plain loop, with
//! none of the simulator's generality. It has the same two Poisson workloads (80,000 gets and
//! 20,000 puts a second), the Zipf key and its hash, the partition lookup, and a table and a
//! partition bucket per side. Each partition has a number-keyed item table, and the real heat
//! tracker runs. The metrics are per-second, per-partition and per-key counters and a latency
//! histogram.
//!
//! There is no event queue, no retry (a throttled request is only counted; retries are under 2%
//! of the standard bench's attempts), no billing mode, index or fan-out, and no observer. It
//! stands for what a leaner kernel of the common case could cost, to compare with exact mode and
//! the bare loop (`examples/hotpath.rs` prints all three). It is a measuring stick, not a
//! simulator.

use ddbsim::capacity::bucket::{Level, Limits};
use ddbsim::capacity::heat::{HeatParams, HeatTracker};
use ddbsim::capacity::CapacityParams;
use ddbsim::engine::units::{read_milli, replace_write_milli};
use ddbsim::engine::{Access, Consistency, KeyValue, Table, TableSpec};
use ddbsim::metrics::Histogram;
use ddbsim::rng::{exponential, stream, StreamRng};
use ddbsim::time::SimTime;
use ddbsim::workload::Zipf;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

/// Milli-units per unit.
const MILLI: u64 = 1_000;
/// The standard bench's provisioned capacity (`scenarios/standard-bench.toml`): RCU, WCU.
const PROVISIONED: (u64, u64) = (40_000, 25_000);
/// An attempt's round trip, microseconds: the simulator's default latency model.
const LATENCY_US: u64 = 5_000;

/// One side's (reads' or writes') buckets: the table's and each partition's.
struct Side {
    table: Level,
    table_limits: Limits,
    partitions: Vec<Level>,
    partition_limits: Limits,
}

impl Side {
    fn new(table_units: u64, partition_units: u64, burst_seconds: u64, partitions: usize) -> Side {
        let table_limits = Limits::new(table_units * MILLI, table_units * MILLI * burst_seconds);
        let partition_limits = Limits::new(partition_units * MILLI, partition_units * MILLI);
        Side {
            table: table_limits.level(table_units * MILLI, SimTime::ZERO),
            table_limits,
            partitions: vec![partition_limits.level(partition_units * MILLI, SimTime::ZERO); partitions],
            partition_limits,
        }
    }

    /// Takes `milli` from the table and partition `p` if both have it.
    #[inline(always)]
    fn admit(&mut self, now: SimTime, p: usize, milli: u64) -> bool {
        let level = &mut self.partitions[p];
        if self.table.can_take(now, milli, &self.table_limits)
            && level.can_take(now, milli, &self.partition_limits)
        {
            level.take(milli);
            self.table.take(milli);
            true
        } else {
            false
        }
    }
}

/// A partition's totals.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct PartitionTotals {
    attempts: u64,
    throttled: u64,
    read_milli: u64,
    write_milli: u64,
}

/// A second's totals.
#[derive(Clone, Copy, Default)]
struct SecondTotals {
    offered: u64,
    succeeded: u64,
    throttled: u64,
    read_milli: u64,
    write_milli: u64,
}

/// The loop's state.
pub struct FloorLoop {
    table: Table,
    zipf: Zipf,
    /// Next arrival (µs, fractional), arrival stream and key stream of the gets, then the puts.
    sources: [(f64, StreamRng, StreamRng); 2],
    reads: Side,
    writes: Side,
    items: Vec<HashTable<(i64, u32)>>,
    heat: HeatTracker,
    seconds: Vec<SecondTotals>,
    partitions: Vec<PartitionTotals>,
    keys: Vec<u32>,
    latency: Histogram,
}

impl FloorLoop {
    pub fn new() -> FloorLoop {
        let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        let table = Table::new(spec, 1_000);
        let params = CapacityParams::default();
        let caps = (params.partition_read_units, params.partition_write_units);
        let heat = HeatTracker::new(HeatParams::default(), &table, caps);
        let source =
            |name: &str| (0.0, stream(1, &format!("{name}/arrivals")), stream(1, &format!("{name}/keys")));
        FloorLoop {
            zipf: Zipf::new(1_000_000, 0.99).expect("valid zipf"),
            sources: [source("get"), source("put")],
            reads: Side::new(PROVISIONED.0, caps.0, params.burst_seconds, 1_000),
            writes: Side::new(PROVISIONED.1, caps.1, params.burst_seconds, 1_000),
            items: (0..1_000).map(|_| HashTable::new()).collect(),
            heat,
            seconds: vec![SecondTotals::default(); 1],
            partitions: vec![PartitionTotals::default(); 1_000],
            keys: vec![0; 1 << 16],
            latency: Histogram::default(),
            table,
        }
    }

    /// Runs `requests` requests; returns how many succeeded.
    pub fn run(&mut self, requests: u64) -> u64 {
        const MEAN_GAP_US: [f64; 2] = [12.5, 50.0];
        let mut succeeded = 0;
        for _ in 0..requests {
            let s = usize::from(self.sources[1].0 < self.sources[0].0);
            let (next, arrivals, keys) = &mut self.sources[s];
            let now_us = *next as u64;
            *next += exponential(arrivals, MEAN_GAP_US[s]);
            let n = self.zipf.sample(keys) as i64;
            let hash = KeyValue::number_hash(n);
            let p = self.table.partition_index(hash);
            let now = SimTime(now_us);
            let second = (now_us / 1_000_000) as usize;
            if second >= self.seconds.len() {
                self.seconds.resize(second + 1, SecondTotals::default());
            }
            let table_hash = hash.rotate_right(7);
            let (access, milli, admitted) = if s == 0 {
                let bytes = self.items[p].find(table_hash, |e| e.0 == n).map_or(0, |e| e.1);
                let milli = read_milli(u64::from(bytes), Consistency::Eventual);
                (Access::Read, milli, self.reads.admit(now, p, milli))
            } else {
                let rehash = |e: &(i64, u32)| KeyValue::number_hash(e.0).rotate_right(7);
                let writes = &mut self.writes;
                let mut put = |before: u32| {
                    let milli = replace_write_milli(u64::from(before), 1_000, false);
                    (milli, writes.admit(now, p, milli))
                };
                let (milli, admitted) = match self.items[p].entry(table_hash, |e| e.0 == n, rehash) {
                    Entry::Occupied(mut o) => {
                        let (milli, admitted) = put(o.get().1);
                        if admitted {
                            o.get_mut().1 = 1_000;
                        }
                        (milli, admitted)
                    }
                    Entry::Vacant(v) => {
                        let (milli, admitted) = put(0);
                        if admitted {
                            v.insert((n, 1_000));
                        }
                        (milli, admitted)
                    }
                };
                (Access::Write, milli, admitted)
            };
            let (sec, part) = (&mut self.seconds[second], &mut self.partitions[p]);
            sec.offered += 1;
            part.attempts += 1;
            if (0..1 << 16).contains(&n) {
                self.keys[n as usize] += 1;
            }
            if admitted {
                self.heat.observe(p, hash, access, milli);
                sec.succeeded += 1;
                match access {
                    Access::Read => {
                        sec.read_milli += milli;
                        part.read_milli += milli;
                    }
                    Access::Write => {
                        sec.write_milli += milli;
                        part.write_milli += milli;
                    }
                }
                self.latency.record(LATENCY_US);
                succeeded += 1;
            } else {
                sec.throttled += 1;
                part.throttled += 1;
            }
        }
        succeeded
    }
}
