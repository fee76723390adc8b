//! Traffic: a workload's request rate over time (its *shape*) and the arrivals it generates.
//!
//! Shapes are pure functions of time measured from the workload's start, in seconds: constant,
//! ramp, steps, spike and rates read from a file are piecewise linear ([`Segment`]s); diurnal
//! is a cosine, `mean * (1 - a cos(2πt / period))` with `a = (r - 1) / (r + 1)` for a
//! peak-to-trough ratio `r`, so it starts at its trough and peaks half a period in.
//!
//! Arrivals are exact and allocate nothing per arrival:
//! * Poisson arrivals of a piecewise-linear shape invert the integrated rate: each gap is an
//!   Exp(1) amount of integrated rate, walked segment by segment and solved in closed form
//!   within a segment (a quadratic for a sloped one).
//! * Poisson arrivals of a diurnal shape thin a Poisson process at the peak rate, keeping a
//!   candidate at time t with probability rate(t) / peak.
//! * Uniform ("evenly spaced") arrivals put the n-th arrival where the integrated rate reaches
//!   n: the same walk with gaps of exactly 1, or a safeguarded Newton solve for diurnal.
//! * A constant Poisson rate keeps the historical fast path: one exponential gap per arrival.

mod arrivals;
#[cfg(test)]
mod tests;

pub use arrivals::Arrivals;
use std::f64::consts::TAU;
use std::sync::Arc;

/// One piece of a piecewise-linear rate: from `start_s` on, the rate is
/// `rate + slope * (t - start_s)` requests per second, until the next segment starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Start, seconds from the workload's start.
    pub start_s: f64,
    /// Rate at the start, requests per second.
    pub rate: f64,
    /// Change of the rate per second, requests per second per second.
    pub slope: f64,
}

/// A request rate as a function of time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateShape {
    /// Piecewise linear: the first segment starts at 0 and the last, flat, lasts forever.
    Piecewise(Arc<[Segment]>),
    /// `mean * (1 - amplitude * cos(2π t / period_s))`.
    Diurnal {
        /// Mean rate, requests per second.
        mean: f64,
        /// Relative swing around the mean, in [0, 1).
        amplitude: f64,
        /// Period, seconds.
        period_s: f64,
    },
}

impl RateShape {
    /// Always `rate`.
    pub fn constant(rate: f64) -> RateShape {
        RateShape::Piecewise(Arc::from(vec![Segment { start_s: 0.0, rate, slope: 0.0 }]))
    }

    /// From `from` to `to` linearly over `over_s` seconds (> 0), then `to`.
    pub fn ramp(from: f64, to: f64, over_s: f64) -> RateShape {
        RateShape::Piecewise(Arc::from(vec![
            Segment { start_s: 0.0, rate: from, slope: (to - from) / over_s },
            Segment { start_s: over_s, rate: to, slope: 0.0 },
        ]))
    }

    /// `(time_s, rate)` steps with strictly increasing times (checked by the caller): each
    /// rate holds until the next step; before the first step the rate is 0.
    pub fn steps(steps: &[(f64, f64)]) -> RateShape {
        let mut segments = Vec::with_capacity(steps.len() + 1);
        if steps.first().is_none_or(|&(t, _)| t > 0.0) {
            segments.push(Segment { start_s: 0.0, rate: 0.0, slope: 0.0 });
        }
        segments.extend(steps.iter().map(|&(start_s, rate)| Segment { start_s, rate, slope: 0.0 }));
        RateShape::Piecewise(Arc::from(segments))
    }

    /// `base`, then `peak` for `duration_s` seconds from `at_s`, then `base` again.
    pub fn spike(base: f64, peak: f64, at_s: f64, duration_s: f64) -> RateShape {
        RateShape::steps(&[(0.0, base), (at_s, peak), (at_s + duration_s, base)])
    }

    /// A daily (or any `period_s`) cycle around `mean` whose peak is `peak_to_trough` (>= 1)
    /// times its trough.
    pub fn diurnal(mean: f64, peak_to_trough: f64, period_s: f64) -> RateShape {
        let amplitude = (peak_to_trough - 1.0) / (peak_to_trough + 1.0);
        RateShape::Diurnal { mean, amplitude, period_s }
    }

    /// The rate at `t_s` seconds, requests per second (0 before time 0).
    pub fn rate(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        match self {
            RateShape::Piecewise(segments) => {
                let i = segments.partition_point(|s| s.start_s <= t_s).saturating_sub(1);
                let s = segments[i];
                (s.rate + s.slope * (t_s - s.start_s)).max(0.0)
            }
            RateShape::Diurnal { mean, amplitude, period_s } => {
                mean * (1.0 - amplitude * (TAU * t_s / period_s).cos())
            }
        }
    }

    /// The highest rate the shape reaches.
    pub fn max_rate(&self) -> f64 {
        match self {
            RateShape::Piecewise(segments) => {
                let ends =
                    segments.windows(2).map(|w| w[0].rate + w[0].slope * (w[1].start_s - w[0].start_s));
                segments.iter().map(|s| s.rate).chain(ends).fold(0.0, f64::max)
            }
            RateShape::Diurnal { mean, amplitude, .. } => mean * (1.0 + amplitude),
        }
    }

    /// Expected arrivals in `[t0_s, t1_s)`: the integral of the rate.
    pub fn integral(&self, t0_s: f64, t1_s: f64) -> f64 {
        match self {
            RateShape::Piecewise(segments) => {
                let mut total = 0.0;
                for (i, s) in segments.iter().enumerate() {
                    let end = segments.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
                    let (a, b) = (t0_s.max(s.start_s), t1_s.min(end));
                    if b > a {
                        let (ra, rb) =
                            (s.rate + s.slope * (a - s.start_s), s.rate + s.slope * (b - s.start_s));
                        total += (ra + rb) / 2.0 * (b - a);
                    }
                }
                total
            }
            RateShape::Diurnal { .. } => diurnal_integral(self, t1_s) - diurnal_integral(self, t0_s),
        }
    }
}

/// Λ(t) of a diurnal shape: `mean * (t - amplitude * period / 2π * sin(2π t / period))`.
fn diurnal_integral(shape: &RateShape, t_s: f64) -> f64 {
    match *shape {
        RateShape::Diurnal { mean, amplitude, period_s } => {
            let t = t_s.max(0.0);
            mean * (t - amplitude * period_s / TAU * (TAU * t / period_s).sin())
        }
        RateShape::Piecewise(_) => shape.integral(0.0, t_s),
    }
}

/// How arrivals are spaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Process {
    /// A (non-homogeneous) Poisson process: independent, exponentially spaced at a constant
    /// rate.
    #[default]
    Poisson,
    /// Evenly spaced in integrated rate: exactly one arrival per unit of Λ(t).
    Uniform,
}

/// A workload's traffic: its shape, arrival process and active window.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    /// The rate over time, from `start_us` on.
    pub shape: RateShape,
    /// How arrivals are spaced.
    pub process: Process,
    /// When the workload starts, microseconds into the run; shape times count from here.
    pub start_us: u64,
    /// When it stops (no arrival at or after), microseconds into the run; `None`: never.
    pub stop_us: Option<u64>,
}

impl Traffic {
    /// Poisson arrivals at a constant `rate_per_s` for the whole run.
    pub fn poisson(rate_per_s: f64) -> Traffic {
        Traffic {
            shape: RateShape::constant(rate_per_s),
            process: Process::Poisson,
            start_us: 0,
            stop_us: None,
        }
    }
}
