//! Partition lookup: which partition owns a partition-key hash.

use criterion::{BenchmarkId, Criterion, Throughput};
use ddbsim::engine::{Table, TableSpec};
use ddbsim::rng::mix64;
use std::hint::black_box;

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("partition_lookup");
    group.throughput(Throughput::Elements(1));
    // An unsplit table finds a partition by arithmetic; once one partition split, every lookup
    // reads the directory (`split_1000`, `split_50000`).
    let cases = [1_000u32, 50_000].into_iter().flat_map(|n| [(n, false), (n, true)]);
    for (partitions, split) in cases {
        let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        let mut table = Table::new(spec, partitions);
        if split {
            let middle = table.middle_hash(0).expect("a partition wide enough to split");
            table.split_at_hash(0, middle).expect("the middle is inside");
        }
        let name = if split { format!("split_{partitions}") } else { partitions.to_string() };
        group.bench_with_input(BenchmarkId::from_parameter(name), &table, |b, table| {
            let mut i = 0u64;
            b.iter(|| {
                i += 1;
                black_box(table.partition_index(mix64(i)))
            })
        });
    }
    group.finish();
}
