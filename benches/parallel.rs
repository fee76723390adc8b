//! Parallel scaling (DESIGN.md "Performance"): two whole runs on two threads against one run,
//! on the standard bench scenario. The target is two runs on two cores in at most 1.15x the
//! wall time of one; compare `parallel/two_runs_two_threads` with `parallel/one_run`.

use criterion::Criterion;
use ddbsim::experiment::{self, Job};
use std::hint::black_box;
use std::path::Path;

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/standard-bench.toml");

pub fn benches(c: &mut Criterion) {
    let mut scenario =
        ddbsim::scenario::load(Path::new(SCENARIO)).expect("the standard bench scenario is valid");
    // Five simulated seconds (about 500,000 attempts) keep a sample short.
    scenario.config.duration_us = scenario.config.duration_us.min(5_000_000);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool of two threads");
    let one = [Job { scenario: &scenario, seed: 1 }];
    let two = [Job { scenario: &scenario, seed: 1 }, Job { scenario: &scenario, seed: 2 }];

    let mut group = c.benchmark_group("parallel");
    group.sample_size(10);
    group.bench_function("one_run", |b| {
        b.iter(|| black_box(pool.install(|| experiment::summaries(&one)).len()))
    });
    group.bench_function("two_runs_two_threads", |b| {
        b.iter(|| black_box(pool.install(|| experiment::summaries(&two)).len()))
    });
    group.finish();
}
