//! Key generation: drawing a workload's key (Zipf rank to item key with its hash).

use criterion::{Criterion, Throughput};
use ddbsim::engine::Consistency;
use ddbsim::rng::stream;
use ddbsim::workload::{OperationKind, ValueDistribution, WorkloadSpec, Zipf};
use std::hint::black_box;

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("key_generation");
    group.throughput(Throughput::Elements(1));
    let spec = WorkloadSpec {
        name: "w".into(),
        operation: OperationKind::Get,
        rate_per_s: 1.0,
        item_bytes: 0,
        consistency: Consistency::Eventual,
        partition_key: ValueDistribution::Zipf(Zipf::new(1_000_000, 0.99).expect("valid zipf")),
        sort_key: None,
    };
    let mut rng = stream(1, "keys");
    group.bench_function("zipf_0.99_1e6", |b| b.iter(|| black_box(spec.draw_key(&mut rng))));
    group.finish();
}
