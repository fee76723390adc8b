//! Key generation: drawing a workload's key (Zipf rank to item key with its hash).

use criterion::{Criterion, Throughput};
use ddbsim::rng::stream;
use ddbsim::workload::{DrawState, OperationKind, ValueDistribution, WorkloadSpec, Zipf};
use std::hint::black_box;

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("key_generation");
    group.throughput(Throughput::Elements(1));
    let zipf = ValueDistribution::Zipf(Zipf::new(1_000_000, 0.99).expect("valid zipf"));
    let spec = WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, zipf);
    let (mut rng, mut sizes, mut state) = (stream(1, "keys"), stream(1, "sizes"), DrawState::default());
    group.bench_function("zipf_0.99_1e6", |b| {
        b.iter(|| black_box(spec.draw(&mut rng, &mut sizes, &mut state, 0).key))
    });
    group.finish();
}
