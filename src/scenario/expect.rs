//! `[expect]`: assertions on a run's outcome, which make `ddbsim run` and `ddbsim check` exit 1
//! when one fails. This module validates them; `report::expectations` evaluates them against a
//! summary, in the fixed order of [`Expectations::names`].

use super::raw::RawExpect;
use super::validate::nearest;
use super::Problem;
use crate::capacity::ThrottleReason;

/// Validated `[expect]` limits; `None` (or an empty list) asserts nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expectations {
    /// Highest `throttled / attempts` accepted, a fraction.
    pub throttle_ratio_max: Option<f64>,
    /// Most throttled attempts accepted.
    pub throttled_max: Option<u64>,
    /// Most failed requests (given up after their retries) accepted.
    pub failed_max: Option<u64>,
    /// Highest p99 end-to-end latency accepted, milliseconds.
    pub p99_latency_ms_max: Option<f64>,
    /// Highest cost per 730-hour month under the scenario's billing mode (provisioned capacity
    /// plus storage), USD.
    pub cost_per_month_max: Option<f64>,
    /// Most throttled attempts accepted per throttling reason, in reason index order.
    pub throttles_max: Vec<(ThrottleReason, u64)>,
}

impl Expectations {
    /// Whether nothing is asserted.
    pub fn is_empty(&self) -> bool {
        *self == Expectations::default()
    }
}

/// The keys of `[expect]`, in the order their results are reported.
pub const EXPECT_KEYS: [&str; 6] = [
    "throttle_ratio_max",
    "throttled_max",
    "failed_max",
    "p99_latency_ms_max",
    "cost_per_month_max",
    "throttles_max",
];

/// Validates `raw`, returning the expectations and every problem found.
pub fn validate(raw: Option<&RawExpect>) -> (Expectations, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some(raw) = raw else {
        return (Expectations::default(), problems);
    };
    let mut add = |path: String, message: String| problems.push(Problem { path, line: None, message });
    let mut real = |key: &str, value: Option<f64>, max: f64, unit: &str| -> Option<f64> {
        let v = value?;
        if v.is_finite() && (0.0..=max).contains(&v) {
            Some(v)
        } else {
            add(format!("expect.{key}"), format!("must be {unit} from 0 to {max}, got {v}"));
            None
        }
    };
    let throttle_ratio_max = real("throttle_ratio_max", raw.throttle_ratio_max, 1.0, "a fraction");
    let p99_latency_ms_max = real("p99_latency_ms_max", raw.p99_latency_ms_max, 1e9, "milliseconds");
    let cost_per_month_max = real("cost_per_month_max", raw.cost_per_month_max, 1e12, "US dollars");
    let mut count = |path: &str, value: Option<i64>| -> Option<u64> {
        let v = value?;
        let n = u64::try_from(v).ok();
        if n.is_none() {
            add(path.to_string(), format!("must be a count of 0 or more, got {v}"));
        }
        n
    };
    let throttled_max = count("expect.throttled_max", raw.throttled_max);
    let failed_max = count("expect.failed_max", raw.failed_max);
    let codes: Vec<&str> = ThrottleReason::all().map(ThrottleReason::code).collect();
    let mut throttles_max = Vec::new();
    let mut unknown = Vec::new();
    for (name, &limit) in &raw.throttles_max {
        let path = format!("expect.throttles_max.{name}");
        let limit = count(&path, Some(limit));
        match ThrottleReason::all().find(|r| r.code() == name) {
            Some(reason) => throttles_max.extend(limit.map(|limit| (reason, limit))),
            None => unknown.push((path, name)),
        }
    }
    for (path, name) in unknown {
        let hint = nearest(name, &codes).map(|n| format!(" (did you mean \"{n}\"?)")).unwrap_or_default();
        problems.push(Problem {
            path,
            line: None,
            message: format!(
                "unknown throttling reason \"{name}\"{hint}; expected one of DynamoDB's 16 codes, \
                 such as \"TableReadKeyRangeThroughputExceeded\" (MODEL.md §6.4)"
            ),
        });
    }
    throttles_max.sort_by_key(|(r, _)| r.index());
    let expect = Expectations {
        throttle_ratio_max,
        throttled_max,
        failed_max,
        p99_latency_ms_max,
        cost_per_month_max,
        throttles_max,
    };
    (expect, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn raw() -> RawExpect {
        RawExpect {
            throttle_ratio_max: None,
            throttled_max: None,
            failed_max: None,
            p99_latency_ms_max: None,
            cost_per_month_max: None,
            throttles_max: BTreeMap::new(),
        }
    }

    #[test]
    fn limits_are_checked_and_reasons_sorted_by_index() {
        let mut r = raw();
        r.throttle_ratio_max = Some(0.01);
        r.failed_max = Some(3);
        r.throttles_max.insert("TableWriteKeyRangeThroughputExceeded".into(), 5);
        r.throttles_max.insert("TableReadKeyRangeThroughputExceeded".into(), 7);
        let (e, problems) = validate(Some(&r));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(e.throttle_ratio_max, Some(0.01));
        assert_eq!(e.failed_max, Some(3));
        let codes: Vec<_> = e.throttles_max.iter().map(|(r, n)| (r.code(), *n)).collect();
        assert_eq!(
            codes,
            vec![("TableReadKeyRangeThroughputExceeded", 7), ("TableWriteKeyRangeThroughputExceeded", 5)]
        );
        assert!(validate(None).0.is_empty());
    }

    #[test]
    fn bad_limits_and_unknown_reasons_are_reported_with_a_suggestion() {
        let mut r = raw();
        r.throttle_ratio_max = Some(1.5);
        r.throttled_max = Some(-1);
        r.throttles_max.insert("TableReadKeyRangeThroughputExceded".into(), 1);
        let (_, problems) = validate(Some(&r));
        let found: Vec<(&str, &str)> =
            problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], ("expect.throttle_ratio_max", "must be a fraction from 0 to 1, got 1.5"));
        assert_eq!(found[1], ("expect.throttled_max", "must be a count of 0 or more, got -1"));
        assert_eq!(found[2].0, "expect.throttles_max.TableReadKeyRangeThroughputExceded");
        assert!(
            found[2].1.contains("did you mean \"TableReadKeyRangeThroughputExceeded\"?"),
            "{}",
            found[2].1
        );
    }
}
