//! Arrivals against the integral of their rate: for every shape, the arrivals counted in each
//! interval match the expected count (Poisson: within 5 standard deviations; evenly spaced:
//! within one arrival).

use super::*;
use crate::rng::stream;

/// Arrivals of `traffic` per interval of `width_s` seconds over `intervals` intervals.
fn counts(traffic: &Traffic, width_s: f64, intervals: usize, seed: u64) -> Vec<u64> {
    let mut rng = stream(seed, "arrivals");
    let mut arrivals = Arrivals::new(traffic, &mut rng);
    let mut counts = vec![0u64; intervals];
    let mut last = 0;
    loop {
        let t = arrivals.peek_us();
        assert!(t >= last, "arrivals are in time order");
        last = t;
        let i = (t as f64 / 1e6 / width_s) as usize;
        if i >= intervals {
            return counts;
        }
        counts[i] += 1;
        arrivals.advance(&mut rng);
    }
}

fn traffic(shape: &RateShape, process: Process) -> Traffic {
    Traffic { shape: shape.clone(), process, start_us: 0, stop_us: None }
}

fn shapes() -> Vec<(&'static str, RateShape)> {
    vec![
        ("constant", RateShape::constant(1_000.0)),
        ("ramp up", RateShape::ramp(0.0, 2_000.0, 60.0)),
        ("ramp down", RateShape::ramp(2_000.0, 100.0, 50.0)),
        ("steps", RateShape::steps(&[(0.0, 100.0), (30.0, 1_000.0), (60.0, 0.0), (90.0, 500.0)])),
        ("late steps", RateShape::steps(&[(10.0, 300.0), (70.5, 1_500.0)])),
        ("spike", RateShape::spike(200.0, 2_500.0, 40.0, 20.0)),
        ("diurnal", RateShape::diurnal(1_000.0, 4.0, 60.0)),
        ("flat diurnal", RateShape::diurnal(700.0, 1.0, 30.0)),
        ("deep diurnal", RateShape::diurnal(500.0, 1_000.0, 45.0)),
    ]
}

#[test]
fn poisson_counts_match_the_integral_of_the_rate() {
    for (seed, (name, shape)) in shapes().into_iter().enumerate() {
        let width = 2.5;
        let got = counts(&traffic(&shape, Process::Poisson), width, 48, seed as u64);
        for (i, &c) in got.iter().enumerate() {
            let expected = shape.integral(i as f64 * width, (i + 1) as f64 * width);
            let tolerance = 5.0 * expected.sqrt() + 1.0;
            assert!(
                (c as f64 - expected).abs() <= tolerance,
                "{name} [{i}]: {c} arrivals, expected {expected}"
            );
        }
        let (total, expected) = (got.iter().sum::<u64>() as f64, shape.integral(0.0, 120.0));
        assert!((total - expected).abs() <= 5.0 * expected.sqrt() + 1.0, "{name}: {total} vs {expected}");
    }
}

#[test]
fn evenly_spaced_counts_are_within_one_of_the_integral() {
    for (name, shape) in shapes() {
        let width = 1.5;
        let got = counts(&traffic(&shape, Process::Uniform), width, 80, 1);
        let mut cumulative = 0u64;
        for (i, &c) in got.iter().enumerate() {
            cumulative += c;
            let expected = shape.integral(0.0, (i + 1) as f64 * width);
            assert!(
                (cumulative as f64 - expected).abs() <= 1.0 + 1e-6,
                "{name} to [{i}]: {cumulative} vs {expected}"
            );
        }
    }
}

#[test]
fn evenly_spaced_constant_arrivals_are_one_gap_apart() {
    let mut rng = stream(1, "arrivals");
    let mut arrivals = Arrivals::new(&traffic(&RateShape::constant(1_000.0), Process::Uniform), &mut rng);
    for k in 1..=5_000u64 {
        assert!(arrivals.peek_us().abs_diff(k * 1_000) <= 1, "arrival {k} at {}", arrivals.peek_us());
        arrivals.advance(&mut rng);
    }
}

#[test]
fn rates_follow_the_shapes() {
    let ramp = RateShape::ramp(100.0, 300.0, 20.0);
    assert_eq!(
        (ramp.rate(0.0), ramp.rate(10.0), ramp.rate(20.0), ramp.rate(1e6)),
        (100.0, 200.0, 300.0, 300.0)
    );
    assert_eq!(ramp.max_rate(), 300.0);
    let spike = RateShape::spike(1_000.0, 2_500.0, 30.0, 60.0);
    assert_eq!(
        (spike.rate(29.9), spike.rate(30.0), spike.rate(89.9), spike.rate(90.0)),
        (1_000.0, 2_500.0, 2_500.0, 1_000.0)
    );
    assert_eq!(spike.integral(0.0, 120.0), 1_000.0 * 60.0 + 2_500.0 * 60.0);
    let diurnal = RateShape::diurnal(1_000.0, 3.0, 100.0);
    assert!((diurnal.rate(0.0) - 500.0).abs() < 1e-9, "trough at the start");
    assert!((diurnal.rate(50.0) - 1_500.0).abs() < 1e-9, "peak half a period in");
    assert!((diurnal.integral(0.0, 100.0) - 100_000.0).abs() < 1e-6, "a whole period averages the mean");
    let late = RateShape::steps(&[(5.0, 10.0)]);
    assert_eq!((late.rate(4.0), late.rate(5.0), late.rate(-1.0)), (0.0, 10.0, 0.0));
}

#[test]
fn start_and_stop_bound_the_arrivals_and_shape_time_counts_from_the_start() {
    let shape = RateShape::spike(0.0, 1_000.0, 5.0, 2.0);
    let t = Traffic { shape, process: Process::Poisson, start_us: 10_000_000, stop_us: Some(16_000_000) };
    let mut rng = stream(3, "arrivals");
    let mut arrivals = Arrivals::new(&t, &mut rng);
    let mut n = 0;
    while arrivals.peek_us() != u64::MAX {
        let at = arrivals.peek_us();
        assert!((15_000_000..16_000_000).contains(&at), "{at}: the spike runs 15 s to 17 s, stop at 16 s");
        n += 1;
        arrivals.advance(&mut rng);
    }
    assert!((850..1_150).contains(&n), "{n} arrivals in one second at 1,000/s");
}

#[test]
fn poisson_arrivals_have_the_requested_rate() {
    let mut rng = stream(5, "arrivals");
    let mut arrivals = Arrivals::poisson(1_000.0, &mut rng);
    let mut count = 0;
    while arrivals.peek_us() < 100_000_000 {
        count += 1;
        arrivals.advance(&mut rng);
    }
    assert!((99_000..101_000).contains(&count), "{count} arrivals in 100 s at 1,000/s");
}

#[test]
fn zero_rates_never_arrive() {
    let mut rng = stream(5, "arrivals");
    assert_eq!(Arrivals::poisson(0.0, &mut rng).peek_us(), u64::MAX);
    for process in [Process::Poisson, Process::Uniform] {
        for shape in [
            RateShape::steps(&[(0.0, 0.0)]),
            RateShape::diurnal(0.0, 2.0, 10.0),
            RateShape::ramp(5.0, 0.0, 1.0),
        ] {
            let mut arrivals = Arrivals::new(&traffic(&shape, process), &mut rng);
            for _ in 0..10 {
                arrivals.advance(&mut rng);
            }
            assert_eq!(arrivals.peek_us(), u64::MAX, "{shape:?} {process:?}");
        }
    }
}

#[test]
fn same_seed_same_arrivals() {
    let shape = RateShape::diurnal(2_000.0, 5.0, 10.0);
    let a = counts(&traffic(&shape, Process::Poisson), 0.1, 100, 9);
    assert_eq!(a, counts(&traffic(&shape, Process::Poisson), 0.1, 100, 9));
    assert_ne!(a, counts(&traffic(&shape, Process::Poisson), 0.1, 100, 10));
}
