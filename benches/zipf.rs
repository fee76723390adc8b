//! Draw cost of `Zipf::sample` against `rand_distr::Zipf` on the simulator's typical key
//! populations; the per-request budget of the whole simulator is ~70 ns, so this must stay
//! well under it. Wired into `benches/bench_main.rs` via `criterion_group!`.

use criterion::{BenchmarkId, Criterion, Throughput};
use ddbsim::workload::zipf::Zipf;
use rand::SeedableRng;
use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;

/// One draw per iteration, so criterion's time per iteration is ns per draw.
pub fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("zipf_sample");
    group.throughput(Throughput::Elements(1));
    for (keys, s) in [(1_000_000u64, 0.99), (1_000_000, 1.2)] {
        let label = format!("{keys}_keys/s={s}");
        let ours = Zipf::new(keys, s).expect("benchmark parameters are valid");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        group.bench_function(BenchmarkId::new("ddbsim", &label), |b| b.iter(|| ours.sample(&mut rng)));
        let theirs = rand_distr::Zipf::new(keys as f64, s).expect("benchmark parameters are valid");
        group.bench_function(BenchmarkId::new("rand_distr", &label), |b| b.iter(|| theirs.sample(&mut rng)));
    }
    group.finish();
}
