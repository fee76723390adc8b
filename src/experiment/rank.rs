//! Rows of `ddbsim compare` and `ddbsim sweep`: the figures of one scenario, variant or sweep
//! point, averaged over its seeds with 95% confidence intervals, and the ranking of compare.
//!
//! Ranking: lowest throttle ratio first, then lowest p99 latency, then lowest monthly cost
//! under the billing mode (provisioned capacity plus storage); rows equal on all three keep
//! their input order. A row whose throttle-ratio interval overlaps the row ranked just above
//! it is marked as not distinguishable from it.

use super::stats::{estimate, Estimate};
use crate::report::expectations::cost_per_month_usd;
use crate::report::Summary;
use serde::Serialize;
use std::collections::BTreeMap;

/// The figures of a row, in column order.
pub const FIGURES: [&str; 5] = [
    "throttle_ratio",
    "hottest_partition_share",
    "p99_latency_ms",
    "cost_per_month_on_demand_usd",
    "cost_per_month_provisioned_usd",
];

/// The figures of one run, in the order of [`FIGURES`]. Monthly costs include storage.
pub fn figures(s: &Summary) -> [f64; 5] {
    let storage = s.cost.per_month.storage_usd;
    [
        s.throttle_ratio,
        s.hot_partitions.first().map_or(0.0, |p| p.share_of_attempts),
        s.latency_ms.p99,
        super::stats::round(s.cost.per_month.on_demand_usd + storage),
        cost_per_month_usd(s),
    ]
}

/// One row: a scenario, variant or sweep point over its seeds.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Row {
    /// Position in the ranking, from 1 (compare only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// The scenario's name.
    pub scenario: String,
    /// The variant's name, `null` for the base scenario.
    pub variant: Option<String>,
    /// A sweep point's overrides, by key path (sweep only).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, serde_json::Value>,
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// Mean `throttled / attempts`.
    pub throttle_ratio: f64,
    /// Mean share of all attempts taken by the busiest partition.
    pub hottest_partition_share: f64,
    /// Mean p99 end-to-end latency, milliseconds.
    pub p99_latency_ms: f64,
    /// Mean monthly cost on demand (request units plus storage), USD.
    pub cost_per_month_on_demand_usd: f64,
    /// Mean monthly cost provisioned (capacity plus storage), USD.
    pub cost_per_month_provisioned_usd: f64,
    /// 95% confidence intervals `[low, high]` of the figures, with two or more seeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<BTreeMap<&'static str, [f64; 2]>>,
    /// Whether the throttle-ratio interval overlaps the row ranked just above (compare only):
    /// the two are not distinguishable by throttle ratio at these seeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlaps_previous: Option<bool>,
    /// The figures' estimates, in the order of [`FIGURES`].
    #[serde(skip)]
    pub estimates: Vec<Estimate>,
}

/// The row of the runs `summaries` (one per seed, all of the same scenario or variant).
pub fn row(summaries: &[Summary]) -> Row {
    let per_run: Vec<[f64; 5]> = summaries.iter().map(figures).collect();
    let estimates: Vec<Estimate> =
        (0..FIGURES.len()).map(|f| estimate(&per_run.iter().map(|r| r[f]).collect::<Vec<_>>())).collect();
    let ci95 = (summaries.len() > 1)
        .then(|| FIGURES.iter().zip(&estimates).filter_map(|(&name, e)| Some((name, e.ci95?))).collect());
    let first = summaries.first();
    Row {
        rank: None,
        scenario: first.map(|s| s.scenario.clone()).unwrap_or_default(),
        variant: first.and_then(|s| s.variant.clone()),
        set: BTreeMap::new(),
        seeds: summaries.iter().map(|s| s.seed).collect(),
        throttle_ratio: estimates[0].mean,
        hottest_partition_share: estimates[1].mean,
        p99_latency_ms: estimates[2].mean,
        cost_per_month_on_demand_usd: estimates[3].mean,
        cost_per_month_provisioned_usd: estimates[4].mean,
        ci95,
        overlaps_previous: None,
        estimates,
    }
}

/// `rows` ranked best first (see the module's documentation), with `rank` and
/// `overlaps_previous` set. With a single seed per row there are no intervals, and no row is
/// marked.
pub fn rank(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| {
        a.throttle_ratio
            .total_cmp(&b.throttle_ratio)
            .then(a.p99_latency_ms.total_cmp(&b.p99_latency_ms))
            .then(a.cost_per_month_provisioned_usd.total_cmp(&b.cost_per_month_provisioned_usd))
    });
    for i in 0..rows.len() {
        let overlaps = i > 0
            && rows[i].ci95.is_some()
            && rows[i - 1].ci95.is_some()
            && rows[i].estimates[0].overlaps(&rows[i - 1].estimates[0]);
        rows[i].rank = Some(i + 1);
        rows[i].overlaps_previous = Some(overlaps);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, ratio: f64, p99: f64, cost: f64, ci: Option<[f64; 2]>) -> Row {
        let point = |mean| Estimate { mean, ci95: ci.map(|_| [mean, mean]) };
        Row {
            rank: None,
            scenario: name.into(),
            variant: None,
            set: BTreeMap::new(),
            seeds: vec![1],
            throttle_ratio: ratio,
            hottest_partition_share: 0.5,
            p99_latency_ms: p99,
            cost_per_month_on_demand_usd: cost,
            cost_per_month_provisioned_usd: cost,
            ci95: ci.map(|c| BTreeMap::from([("throttle_ratio", c)])),
            overlaps_previous: None,
            estimates: vec![
                Estimate { mean: ratio, ci95: ci },
                point(0.5),
                point(p99),
                point(cost),
                point(cost),
            ],
        }
    }

    fn names(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.scenario.as_str()).collect()
    }

    #[test]
    fn rows_rank_by_throttle_ratio_then_p99_then_cost_then_input_order() {
        let rows = rank(vec![
            row("slow", 0.0, 9.0, 1.0, None),
            row("throttles", 0.2, 5.0, 1.0, None),
            row("dear", 0.0, 5.0, 9.0, None),
            row("cheap", 0.0, 5.0, 1.0, None),
            row("cheap-too", 0.0, 5.0, 1.0, None),
        ]);
        assert_eq!(names(&rows), ["cheap", "cheap-too", "dear", "slow", "throttles"]);
        assert_eq!(rows.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 2, 3, 4, 5].map(Some));
        assert!(rows.iter().all(|r| r.overlaps_previous == Some(false)), "one seed: no intervals, no marks");
    }

    #[test]
    fn overlapping_throttle_ratio_intervals_are_marked() {
        let rows = rank(vec![
            row("c", 0.30, 5.0, 1.0, Some([0.25, 0.35])),
            row("b", 0.12, 5.0, 1.0, Some([0.08, 0.16])),
            row("a", 0.10, 5.0, 1.0, Some([0.05, 0.15])),
        ]);
        assert_eq!(names(&rows), ["a", "b", "c"]);
        assert_eq!(
            rows.iter().map(|r| r.overlaps_previous).collect::<Vec<_>>(),
            [false, true, false].map(Some)
        );
        let json = serde_json::to_value(&rows[1]).expect("serializes");
        assert_eq!(json["ci95"]["throttle_ratio"], serde_json::json!([0.08, 0.16]));
        assert!(json.get("estimates").is_none() && json.get("set").is_none());
    }
}
