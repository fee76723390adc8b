//! Partition lookup: which partition owns a partition-key hash.

use criterion::{BenchmarkId, Criterion, Throughput};
use ddbsim::engine::{Table, TableSpec};
use ddbsim::rng::mix64;
use std::hint::black_box;

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("partition_lookup");
    group.throughput(Throughput::Elements(1));
    for partitions in [1_000u32, 50_000] {
        let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        let table = Table::new(spec, partitions);
        group.bench_with_input(BenchmarkId::from_parameter(partitions), &table, |b, table| {
            let mut i = 0u64;
            b.iter(|| {
                i += 1;
                black_box(table.partition_index(mix64(i)))
            })
        });
    }
    group.finish();
}
