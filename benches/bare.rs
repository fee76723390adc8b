//! The bare loop that DESIGN.md states the exact-mode target against: per request, a Zipf key
//! draw (1e6 keys, exponent 0.99), its hash, the partition lookup (1,000 partitions) and a token
//! bucket; and the observer that records nothing, for exact mode without metrics. Shared by
//! `benches/e2e.rs` and `examples/hotpath.rs`.

use ddbsim::capacity::{ThrottleReason, TokenBucket};
use ddbsim::engine::{Access, ItemKey, KeyValue, PartitionId, Table, TableSpec};
use ddbsim::rng::{stream, StreamRng};
use ddbsim::time::SimTime;
use ddbsim::workload::Zipf;

/// The bare loop's state: a table of 1,000 partitions, their buckets and the key sampler.
pub struct BareLoop {
    table: Table,
    zipf: Zipf,
    buckets: Vec<TokenBucket>,
    rng: StreamRng,
}

impl BareLoop {
    pub fn new() -> BareLoop {
        let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        BareLoop {
            table: Table::new(spec, 1_000),
            zipf: Zipf::new(1_000_000, 0.99).expect("valid zipf"),
            buckets: vec![TokenBucket::new(1_000_000, 1_000_000, 1_000_000, SimTime::ZERO); 1_000],
            rng: stream(1, "bare"),
        }
    }

    /// Runs `requests` requests, 10 µs apart; returns how many the buckets admitted.
    pub fn run(&mut self, requests: u64) -> u64 {
        let mut admitted = 0u64;
        for i in 0..requests {
            let key = KeyValue::N(self.zipf.sample(&mut self.rng) as i64);
            let p = self.table.partition_index(key.hash());
            admitted += u64::from(self.buckets[p].try_take(SimTime(i * 10), 500));
        }
        admitted
    }
}

/// The standard bench scenario of DESIGN.md.
pub const STANDARD_BENCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/standard-bench.toml");

/// An observer that records nothing: what a run costs without its metrics.
pub struct NullObserver;

impl ddbsim::sim::Observer for NullObserver {
    fn offered(&mut self, _: SimTime) {}
    fn admitted(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: Access, _: u64) {}
    fn throttled(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: ThrottleReason) {}
    fn completed(&mut self, _: SimTime, _: bool, _: u64) {}
}
