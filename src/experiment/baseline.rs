//! Baselines for `ddbsim check`: the figures of earlier runs, keyed by `scenario` or
//! `scenario/variant`, and the comparison that finds regressions.
//!
//! A figure regresses when it rises above its baseline by more than the tolerance: the larger
//! of a relative tolerance (default 10% of the baseline) and an absolute one per figure, for
//! figures near zero (defaults in [`Tolerances::default`]). Falling is never a regression.
//! The file is pretty JSON with sorted keys, so that it diffs well under version control.

use crate::report::expectations::cost_per_month_usd;
use crate::report::Summary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the baseline file format.
pub const FORMAT_VERSION: u32 = 1;

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version, [`FORMAT_VERSION`].
    pub ddbsim_baseline: u32,
    /// Figures by run label: `scenario` or `scenario/variant`.
    pub runs: BTreeMap<String, Entry>,
}

/// The figures of one run that a baseline keeps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The seed run (a different seed makes the comparison one across seeds).
    pub seed: u64,
    /// `throttled / attempts`.
    pub throttle_ratio: f64,
    /// Requests that failed after their retries.
    pub failed: u64,
    /// p99 end-to-end latency, milliseconds.
    pub p99_latency_ms: f64,
    /// Monthly cost under the billing mode (provisioned capacity plus storage), USD.
    pub cost_per_month_usd: f64,
}

/// The figures compared, in order.
pub const FIGURES: [&str; 4] = ["throttle_ratio", "failed", "p99_latency_ms", "cost_per_month_usd"];

impl Entry {
    /// The baseline figures of a run.
    pub fn of(s: &Summary) -> Entry {
        Entry {
            seed: s.seed,
            throttle_ratio: s.throttle_ratio,
            failed: s.requests.failed,
            p99_latency_ms: s.latency_ms.p99,
            cost_per_month_usd: cost_per_month_usd(s),
        }
    }

    fn values(&self) -> [f64; 4] {
        [self.throttle_ratio, self.failed as f64, self.p99_latency_ms, self.cost_per_month_usd]
    }
}

/// How far a figure may rise above its baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// Fraction of the baseline.
    pub relative: f64,
    /// Absolute allowance per figure, in the order of [`FIGURES`], in the figure's unit.
    pub absolute: [f64; 4],
}

impl Default for Tolerances {
    /// 10%, or 0.001 of throttle ratio, 10 failed requests, 1 ms of p99 latency, $0.01 a
    /// month, whichever allows more.
    fn default() -> Self {
        Tolerances { relative: 0.10, absolute: [0.001, 10.0, 1.0, 0.01] }
    }
}

impl Tolerances {
    /// Sets the absolute tolerance of `figure` (one of [`FIGURES`]).
    pub fn set_absolute(&mut self, figure: &str, value: f64) -> Result<(), String> {
        let i = FIGURES
            .iter()
            .position(|f| *f == figure)
            .ok_or_else(|| format!("unknown figure \"{figure}\"; expected one of {}", FIGURES.join(", ")))?;
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!("the tolerance of {figure} must be a number of 0 or more, got {value}"));
        }
        self.absolute[i] = value;
        Ok(())
    }
}

/// One figure compared with its baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureCheck {
    /// Which figure (one of [`FIGURES`]).
    pub figure: &'static str,
    /// This run's value.
    pub actual: f64,
    /// The baseline's value.
    pub baseline: f64,
    /// The highest value that passes: baseline plus tolerance.
    pub allowed: f64,
    /// Whether `actual <= allowed`.
    pub passed: bool,
    /// The tolerances applied: relative fraction, absolute allowance.
    pub tolerance: (f64, f64),
}

impl std::fmt::Display for FigureCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.passed { "within" } else { "regressed beyond" };
        write!(
            f,
            "{} {verb} tolerance: {} against baseline {} (allowed up to {}: {}% or {}, whichever is larger)",
            self.figure,
            self.actual,
            self.baseline,
            crate::experiment::stats::round(self.allowed),
            self.tolerance.0 * 100.0,
            self.tolerance.1
        )
    }
}

/// Compares the figures of a run, `now`, with its baseline.
pub fn compare(now: &Entry, baseline: &Entry, tolerances: &Tolerances) -> Vec<FigureCheck> {
    let (now, base) = (now.values(), baseline.values());
    (0..FIGURES.len())
        .map(|i| {
            let allowance = (tolerances.relative * base[i].abs()).max(tolerances.absolute[i]);
            let allowed = base[i] + allowance;
            FigureCheck {
                figure: FIGURES[i],
                actual: now[i],
                baseline: base[i],
                allowed,
                passed: now[i] <= allowed,
                tolerance: (tolerances.relative, tolerances.absolute[i]),
            }
        })
        .collect()
}

impl Baseline {
    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not a ddbsim baseline: {e}"))?;
        if baseline.ddbsim_baseline != FORMAT_VERSION {
            return Err(format!(
                "baseline format {} is not supported (this ddbsim reads format {FORMAT_VERSION})",
                baseline.ddbsim_baseline
            ));
        }
        Ok(baseline)
    }

    /// The file's text: pretty JSON, every object's keys sorted, ending in a newline.
    pub fn to_json(&self) -> String {
        // Through a `serde_json::Value`, whose objects are sorted maps.
        let value = serde_json::to_value(self).expect("a baseline always serializes");
        let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(throttle_ratio: f64, failed: u64, p99: f64, cost: f64) -> Entry {
        Entry { seed: 1, throttle_ratio, failed, p99_latency_ms: p99, cost_per_month_usd: cost }
    }

    #[test]
    fn rises_beyond_the_larger_tolerance_regress_and_falls_never_do() {
        let base = entry(0.2, 1000, 5.0, 100.0);
        let t = Tolerances::default();
        let passed = |now: Entry| compare(&now, &base, &t).iter().map(|c| c.passed).collect::<Vec<_>>();
        assert_eq!(passed(entry(0.22, 1100, 6.0, 110.0)), [true; 4], "exactly at 10% (or 1 ms) passes");
        assert_eq!(passed(entry(0.221, 1101, 6.01, 110.1)), [false; 4]);
        assert_eq!(passed(entry(0.0, 0, 0.0, 0.0)), [true; 4]);
        // Near zero, the absolute tolerance decides.
        let zero = entry(0.0, 0, 0.0, 0.0);
        let checks = compare(&entry(0.0011, 10, 1.0, 0.01), &zero, &t);
        assert_eq!(checks.iter().map(|c| c.passed).collect::<Vec<_>>(), [false, true, true, true]);
        assert_eq!(
            checks[0].to_string(),
            "throttle_ratio regressed beyond tolerance: 0.0011 against baseline 0 (allowed up to 0.001: 10% or 0.001, whichever is larger)"
        );
    }

    #[test]
    fn files_round_trip_sorted_and_versions_are_checked() {
        let mut b = Baseline { ddbsim_baseline: FORMAT_VERSION, runs: BTreeMap::new() };
        b.runs.insert("z".into(), entry(0.5, 1, 2.0, 3.0));
        b.runs.insert("a/v".into(), entry(0.0, 0, 5.0, 1.5));
        let text = b.to_json();
        assert!(text.find("\"a/v\"") < text.find("\"z\""), "{text}");
        assert_eq!(Baseline::parse(&text), Ok(b));
        assert!(
            Baseline::parse("{\"ddbsim_baseline\": 2, \"runs\": {}}").is_err_and(|e| e.contains("format 2"))
        );
        assert!(Baseline::parse("[]").is_err_and(|e| e.starts_with("not a ddbsim baseline")));
        let mut t = Tolerances::default();
        assert!(t.set_absolute("failed", 0.0).is_ok() && t.absolute[1] == 0.0);
        assert!(t.set_absolute("fialed", 1.0).is_err());
    }
}
