//! A quick, interleaved measurement of exact mode against the bare loop (DESIGN.md's 3x
//! target), for working on the hot path. Each round times:
//! - the bare loop;
//! - the standard bench scenario with every metric;
//! - the same run with an observer that records nothing;
//! - the floor loop (`benches/floor.rs`), the same per-request work without the simulator's
//!   generality.
//!
//! A change in the machine's speed then moves all four alike. Criterion (`cargo bench -- e2e/`)
//! times them one after the other; this gives ratios in a few seconds.
//!
//! Run: `cargo run --release --example hotpath [ROUNDS]`

#![allow(clippy::disallowed_methods)] // wall-clock timing is this example's purpose

#[path = "../benches/bare.rs"]
mod bare;
#[path = "../benches/floor.rs"]
mod floor;

use ddbsim::metrics::Metrics;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    let scenario = ddbsim::scenario::load(Path::new(bare::STANDARD_BENCH))
        .expect("the standard bench scenario is valid");
    let mut probe = Metrics::default();
    ddbsim::sim::run(&scenario.config, 1, &mut probe, &mut |_| {});
    let attempts = probe.totals().attempts;
    let per = |start: Instant| start.elapsed().as_nanos() as f64 / attempts as f64;
    let mut bare = bare::BareLoop::new();
    let (mut b, mut m, mut n, mut f) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut floor_served = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        black_box(bare.run(attempts));
        b.push(per(start));
        let start = Instant::now();
        let mut metrics = Metrics::default();
        black_box(ddbsim::sim::run(&scenario.config, 1, &mut metrics, &mut |_| {}).end_us);
        m.push(per(start));
        let start = Instant::now();
        black_box(ddbsim::sim::run(&scenario.config, 1, &mut bare::NullObserver, &mut |_| {}).end_us);
        n.push(per(start));
        let mut lean = floor::FloorLoop::new();
        let start = Instant::now();
        floor_served = black_box(lean.run(attempts));
        f.push(per(start));
    }
    let (bm, mm, nm, fm) = (median(&mut b), median(&mut m), median(&mut n), median(&mut f));
    println!("{attempts} attempts, {rounds} rounds, median ns per attempt (min):");
    println!("  bare loop          {bm:7.1} ({:.1})", b[0]);
    println!("  exact, metrics     {mm:7.1} ({:.1})  {:.2}x the bare loop", m[0], mm / bm);
    println!("  exact, no metrics  {nm:7.1} ({:.1})  {:.2}x", n[0], nm / bm);
    println!("  floor loop         {fm:7.1} ({:.1})  {:.2}x", f[0], fm / bm);
    let throttled = probe.totals().throttled;
    println!(
        "exact mode throttled {throttled} attempts; the floor loop {} requests",
        attempts - floor_served
    );
}
