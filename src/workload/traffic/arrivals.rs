//! The arrival generator of a [`Traffic`]: exact, deterministic, allocation-free per arrival
//! (the module header of [`super`] gives the methods).

use super::{diurnal_integral, Process, RateShape, Segment, Traffic};
use crate::rng::{exponential, unit_f64, StreamRng};
use std::sync::Arc;

/// Arrivals of one workload, kept in floating microseconds so that rounding never drifts.
#[derive(Clone, Debug)]
pub struct Arrivals {
    /// [`Arrivals::peek_us`], computed once per arrival: the simulator peeks at every source
    /// on every event.
    next: u64,
    /// Absolute time of the next arrival, microseconds; infinite when there is none.
    next_us: f64,
    start_us: f64,
    /// Arrivals at or after this time never come: the traffic's stop, at most 2^63 µs.
    limit_us: f64,
    generator: Generator,
}

#[derive(Clone, Debug)]
enum Generator {
    /// A constant Poisson rate: exponential gaps with this (finite) mean, microseconds.
    ConstantPoisson { mean_gap_us: f64 },
    /// A rate of zero: no arrival.
    Never,
    /// A piecewise-linear shape: the segment and time (seconds) of the last arrival.
    Piecewise { segments: Arc<[Segment]>, segment: usize, t_s: f64, uniform: bool },
    /// A diurnal shape thinned from Poisson arrivals at its peak rate.
    DiurnalPoisson { shape: RateShape, peak: f64, t_s: f64 },
    /// A diurnal shape, evenly spaced: the last arrival's time and integrated rate.
    DiurnalUniform { shape: RateShape, t_s: f64, target: f64 },
}

impl Arrivals {
    /// The arrivals of `traffic`; the first comes one gap after its start.
    pub fn new(traffic: &Traffic, rng: &mut StreamRng) -> Arrivals {
        let uniform = traffic.process == Process::Uniform;
        let generator = match &traffic.shape {
            RateShape::Piecewise(segments) if segments.len() == 1 && !uniform => {
                let mean_gap_us = 1e6 / segments[0].rate;
                if mean_gap_us.is_finite() && mean_gap_us > 0.0 {
                    Generator::ConstantPoisson { mean_gap_us }
                } else {
                    Generator::Never
                }
            }
            RateShape::Piecewise(segments) => {
                Generator::Piecewise { segments: segments.clone(), segment: 0, t_s: 0.0, uniform }
            }
            shape if uniform => Generator::DiurnalUniform { shape: shape.clone(), t_s: 0.0, target: 0.0 },
            shape => Generator::DiurnalPoisson { shape: shape.clone(), peak: shape.max_rate(), t_s: 0.0 },
        };
        let start_us = traffic.start_us as f64;
        // Through i64 in `advance`: one conversion instruction, where f64 to u64 takes several.
        // Times below 2^63 µs (290,000 years) are exact either way; later ones never arrive.
        let limit_us = traffic.stop_us.map_or(f64::INFINITY, |s| s as f64).min(i64::MAX as f64);
        let mut arrivals = Arrivals { next: 0, next_us: start_us, start_us, limit_us, generator };
        arrivals.advance(rng);
        arrivals
    }

    /// Poisson arrivals at a constant `rate_per_s` from time zero. A zero rate never arrives.
    pub fn poisson(rate_per_s: f64, rng: &mut StreamRng) -> Arrivals {
        Arrivals::new(&Traffic::poisson(rate_per_s), rng)
    }

    /// Time of the next arrival, microseconds (`u64::MAX` if none).
    #[inline(always)]
    pub fn peek_us(&self) -> u64 {
        self.next
    }

    /// Moves to the arrival after the current one.
    #[inline(always)]
    pub fn advance(&mut self, rng: &mut StreamRng) {
        match self.generator {
            Generator::ConstantPoisson { mean_gap_us } => {
                self.next_us += exponential(rng, mean_gap_us);
            }
            _ => self.advance_other(rng),
        }
        self.next = if self.next_us < self.limit_us { self.next_us as i64 as u64 } else { u64::MAX };
    }

    /// [`Arrivals::advance`] of every generator but a constant Poisson rate.
    #[inline(never)]
    fn advance_other(&mut self, rng: &mut StreamRng) {
        let t_s = match &mut self.generator {
            Generator::ConstantPoisson { .. } | Generator::Never => f64::INFINITY,
            Generator::Piecewise { segments, segment, t_s, uniform } => {
                let gap = if *uniform { 1.0 } else { exponential(rng, 1.0) };
                walk(segments, segment, t_s, gap)
            }
            Generator::DiurnalPoisson { shape, peak, t_s } => thin(shape, *peak, t_s, rng),
            Generator::DiurnalUniform { shape, t_s, target } => {
                *target += 1.0;
                *t_s = invert(shape, *t_s, *target);
                *t_s
            }
        };
        self.next_us = self.start_us + t_s * 1e6;
    }
}

/// Moves `t_s` forward by `gap` units of integrated rate through the segments; infinite when
/// the rate stays at zero for ever.
fn walk(segments: &[Segment], segment: &mut usize, t_s: &mut f64, mut gap: f64) -> f64 {
    loop {
        let s = segments[*segment];
        let end = segments.get(*segment + 1).map_or(f64::INFINITY, |n| n.start_s);
        let rate = (s.rate + s.slope * (*t_s - s.start_s)).max(0.0);
        if end.is_infinite() {
            // The last segment is flat.
            if rate <= 0.0 {
                *t_s = f64::INFINITY;
            } else {
                *t_s += gap / rate;
            }
            return *t_s;
        }
        let width = end - *t_s;
        let area = rate * width + 0.5 * s.slope * width * width;
        if gap <= area {
            if gap > 0.0 {
                // rate * x + slope * x² / 2 = gap, in the form that is stable for any slope.
                let root = (rate * rate + 2.0 * s.slope * gap).max(0.0).sqrt();
                *t_s += (2.0 * gap / (rate + root)).min(width);
            }
            return *t_s;
        }
        gap -= area.max(0.0);
        *t_s = end;
        *segment += 1;
    }
}

/// The next arrival after `t_s` of a diurnal Poisson process, by thinning at rate `peak`.
fn thin(shape: &RateShape, peak: f64, t_s: &mut f64, rng: &mut StreamRng) -> f64 {
    if peak <= 0.0 {
        *t_s = f64::INFINITY;
        return *t_s;
    }
    loop {
        *t_s += exponential(rng, 1.0 / peak);
        if unit_f64(rng) * peak < shape.rate(*t_s) {
            return *t_s;
        }
    }
}

/// The time at or after `from_s` where the diurnal integrated rate reaches `target`: Newton's
/// method kept inside a shrinking bracket, with bisection where a step would leave it.
fn invert(shape: &RateShape, from_s: f64, target: f64) -> f64 {
    let RateShape::Diurnal { mean, amplitude, period_s } = *shape else {
        return f64::INFINITY;
    };
    if mean <= 0.0 {
        return f64::INFINITY;
    }
    // Λ(t) >= mean * (t - amplitude * period / 2π), so Λ reaches `target` by `hi`.
    let (mut lo, mut hi) =
        (from_s, (target / mean + amplitude * period_s / std::f64::consts::TAU).max(from_s));
    let mut t = (from_s + (target - diurnal_integral(shape, from_s)) / mean).clamp(lo, hi);
    for _ in 0..200 {
        let f = diurnal_integral(shape, t) - target;
        if f < 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        let rate = shape.rate(t);
        let next = if rate > 0.0 { t - f / rate } else { f64::NAN };
        let next = if next > lo && next < hi { next } else { 0.5 * (lo + hi) };
        if (next - t).abs() <= 1e-12 * t.max(1.0) || hi - lo <= 1e-12 * hi.max(1.0) {
            return next;
        }
        t = next;
    }
    t
}
