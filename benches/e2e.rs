//! End to end: DESIGN.md's standard bench scenario in exact (per-request) mode, against the
//! bare loop that the performance target is stated against (key draw + hash + partition
//! lookup + token bucket, per request).

use crate::bare::{BareLoop, NullObserver, STANDARD_BENCH};
use crate::floor::FloorLoop;
use criterion::{Criterion, Throughput};
use ddbsim::metrics::Metrics;
use std::hint::black_box;
use std::path::Path;

pub fn benches(c: &mut Criterion) {
    let scenario =
        ddbsim::scenario::load(Path::new(STANDARD_BENCH)).expect("the standard bench scenario is valid");
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
    group.bench_function("bare_loop", |b| {
        let mut bare = BareLoop::new();
        b.iter(|| black_box(bare.run(attempts)))
    });

    // The floor: the same per-request work as one plain loop (benches/floor.rs).
    group.bench_function("floor_loop", |b| b.iter(|| black_box(FloorLoop::new().run(attempts))));
    group.finish();
}
