//! End to end: DESIGN.md's standard bench scenario in exact (per-request) mode, against the
//! bare loop that the performance target is stated against (key draw + hash + partition
//! lookup + token bucket, per request).

use criterion::{Criterion, Throughput};
use ddbsim::capacity::{ThrottleReason, TokenBucket};
use ddbsim::engine::{Access, ItemKey, KeyValue, PartitionId, Table, TableSpec};
use ddbsim::metrics::Metrics;
use ddbsim::rng::stream;
use ddbsim::time::SimTime;
use ddbsim::workload::Zipf;
use std::hint::black_box;
use std::path::Path;

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/standard-bench.toml");

pub fn benches(c: &mut Criterion) {
    let scenario = ddbsim::scenario::load(Path::new(SCENARIO)).expect("the standard bench scenario is valid");
    // Count the attempts of one run, so throughput reads as attempts per second.
    let mut probe = Metrics::default();
    ddbsim::sim::run(&scenario.config, 1, &mut probe, &mut |_| {});
    let attempts = probe.totals().attempts;

    let mut group = c.benchmark_group("e2e");
    group.sample_size(10);
    group.throughput(Throughput::Elements(attempts));
    group.bench_function("standard_bench_exact", |b| {
        b.iter(|| {
            let mut metrics = Metrics::default();
            let out = ddbsim::sim::run(&scenario.config, 1, &mut metrics, &mut |_| {});
            black_box((out.end_us, metrics.seconds.len()))
        })
    });

    // The same run with an observer that records nothing: what the metrics cost.
    group.bench_function("standard_bench_exact_no_metrics", |b| {
        b.iter(|| {
            let mut null = NullObserver;
            let out = ddbsim::sim::run(&scenario.config, 1, &mut null, &mut |_| {});
            black_box(out.end_us)
        })
    });

    // The bare loop, over the same number of requests.
    let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
    let table = Table::new(spec, 1_000);
    let zipf = Zipf::new(1_000_000, 0.99).expect("valid zipf");
    group.bench_function("bare_loop", |b| {
        let mut rng = stream(1, "bare");
        let mut buckets = vec![TokenBucket::new(1_000_000, 1_000_000, 1_000_000, SimTime::ZERO); 1_000];
        b.iter(|| {
            let mut admitted = 0u64;
            for i in 0..attempts {
                let key = KeyValue::N(zipf.sample(&mut rng) as i64);
                let p = table.partition_index(key.hash());
                admitted += u64::from(buckets[p].try_take(SimTime(i * 10), 500));
            }
            black_box(admitted)
        })
    });
    group.finish();
}

struct NullObserver;

impl ddbsim::sim::Observer for NullObserver {
    fn offered(&mut self, _: SimTime) {}
    fn admitted(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: Access, _: u64) {}
    fn throttled(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: ThrottleReason) {}
    fn completed(&mut self, _: SimTime, _: bool, _: u64) {}
}
