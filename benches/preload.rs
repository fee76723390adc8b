//! Preloading (`[table.preload]`): a million and ten million items of 1 KB stored before time
//! zero, then split for size (ten million 1 KB items, 10.2 GiB with the item overhead, pass the
//! 10 GiB partition limit once). Each sample is a whole run of one simulated second with one
//! request, so it measures the preload; throughput reads as items per second.

use criterion::{BatchSize, Criterion, Throughput};
use ddbsim::metrics::Metrics;
use std::hint::black_box;
use std::path::Path;

fn scenario(items: u64) -> ddbsim::scenario::Scenario {
    let text = format!(
        "name = \"preload\"\nduration = \"1s\"\nseed = 1\n[table]\nname = \"T\"\npartition_key = \"K\"\n\
         read_capacity = 100\nwrite_capacity = 100\n[table.preload]\nitems = {items}\nitem_bytes = 1000\n\
         [[workload]]\nname = \"w\"\noperation = \"get\"\nrate = 1\n[workload.attributes]\n\
         K = {{ distribution = \"uniform\", count = {items} }}\n"
    );
    ddbsim::scenario::parse(Path::new("preload.toml"), &text).expect("a valid preload scenario")
}

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("preload");
    group.sample_size(10);
    for (name, items) in [("1m_items", 1_000_000u64), ("10m_items", 10_000_000)] {
        let scenario = scenario(items);
        group.throughput(Throughput::Elements(items));
        group.bench_function(name, |b| {
            // Freeing a table of ten million items is not part of loading it.
            b.iter_batched(
                || (),
                |()| {
                    let mut metrics = Metrics::default();
                    black_box(ddbsim::sim::run(&scenario.config, 1, &mut metrics, &mut |_| {}))
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}
