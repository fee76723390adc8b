//! Criterion benches, one file per topic (STYLE.md). Run with `cargo bench`.

use criterion::{criterion_group, criterion_main};

mod bare;
mod bucket;
mod e2e;
mod floor;
mod keys;
mod parallel;
mod partition;
mod preload;
mod store;
mod trace;
mod zipf;

criterion_group!(
    benches,
    bucket::benches,
    partition::benches,
    store::benches,
    keys::benches,
    e2e::benches,
    zipf::benches,
    parallel::benches,
    trace::benches,
    preload::benches
);
criterion_main!(benches);
