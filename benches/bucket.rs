//! Token bucket: lazy refill and take, as admission does it on every attempt.

use criterion::{Criterion, Throughput};
use ddbsim::capacity::TokenBucket;
use ddbsim::time::SimTime;
use std::hint::black_box;

pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("token_bucket");
    group.throughput(Throughput::Elements(1));
    group.bench_function("try_take", |b| {
        let mut bucket = TokenBucket::new(1_000_000, 300_000_000, 0, SimTime::ZERO);
        let mut now = 0u64;
        b.iter(|| {
            now += 7;
            black_box(bucket.try_take(SimTime(now), black_box(500)))
        })
    });
    group.finish();
}
