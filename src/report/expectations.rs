//! `[expect]` evaluated against a summary: one result per assertion, in a fixed order (the
//! order of `scenario::expect::EXPECT_KEYS`, then the per-reason limits in reason order).

use super::Summary;
use crate::scenario::Expectations;
use serde::Serialize;
use std::fmt;

/// A figure: a count or a real number (serialized as a JSON integer or float).
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Figure {
    /// A count.
    Count(u64),
    /// A real number.
    Real(f64),
}

impl Figure {
    fn as_f64(self) -> f64 {
        match self {
            Figure::Count(n) => n as f64,
            Figure::Real(x) => x,
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Count(n) => write!(f, "{n}"),
            Figure::Real(x) => write!(f, "{x}"),
        }
    }
}

/// One assertion's outcome, as `summary.json` lists it under `expectations`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Outcome {
    /// The `[expect]` key, for example `throttle_ratio_max` or
    /// `throttles_max.TableReadKeyRangeThroughputExceeded`.
    pub name: String,
    /// The limit asserted.
    pub limit: Figure,
    /// What the run gave.
    pub actual: Figure,
    /// Whether `actual <= limit`.
    pub passed: bool,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "<=" } else { ">" };
        write!(f, "{}: actual {} {verdict} limit {}", self.name, self.actual, self.limit)
    }
}

/// The cost per month under the scenario's billing mode: provisioned capacity plus storage
/// (provisioned is the only billing mode simulated), USD.
pub fn cost_per_month_usd(s: &Summary) -> f64 {
    round(s.cost.per_month.provisioned_usd + s.cost.per_month.storage_usd)
}

fn round(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Evaluates `expect` against summary `s`.
pub fn evaluate(expect: &Expectations, s: &Summary) -> Vec<Outcome> {
    let reals = [
        ("throttle_ratio_max", expect.throttle_ratio_max, s.throttle_ratio),
        ("p99_latency_ms_max", expect.p99_latency_ms_max, s.latency_ms.p99),
        ("cost_per_month_max", expect.cost_per_month_max, cost_per_month_usd(s)),
    ]
    .map(|(name, limit, actual)| (name, limit.map(Figure::Real), Figure::Real(actual)));
    let counts = [
        ("throttled_max", expect.throttled_max, s.requests.throttled),
        ("failed_max", expect.failed_max, s.requests.failed),
    ]
    .map(|(name, limit, actual)| (name, limit.map(Figure::Count), Figure::Count(actual)));
    let [ratio, p99, cost] = reals;
    let [throttled, failed] = counts;
    let mut out: Vec<Outcome> = [ratio, throttled, failed, p99, cost]
        .into_iter()
        .filter_map(|(name, limit, actual)| limit.map(|limit| outcome(name.to_string(), limit, actual)))
        .collect();
    for &(reason, limit) in &expect.throttles_max {
        let actual = s.throttles_by_reason.get(reason.code()).copied().unwrap_or(0);
        out.push(outcome(
            format!("throttles_max.{}", reason.code()),
            Figure::Count(limit),
            Figure::Count(actual),
        ));
    }
    out
}

fn outcome(name: String, limit: Figure, actual: Figure) -> Outcome {
    Outcome { name, passed: actual.as_f64() <= limit.as_f64(), limit, actual }
}

/// Lines for a terminal: how many passed, then each failure.
pub fn lines(outcomes: &[Outcome]) -> String {
    if outcomes.is_empty() {
        return String::new();
    }
    let passed = outcomes.iter().filter(|o| o.passed).count();
    let mut text = format!("  expect     {passed} of {} passed\n", outcomes.len());
    for o in outcomes.iter().filter(|o| !o.passed) {
        text.push_str(&format!("  FAILED     {o}\n"));
    }
    text
}
