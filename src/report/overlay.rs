//! Charts of several runs side by side, for `compare` and `sweep`: one line per run or per
//! slice of a grid. The numbers come from the runs' metrics and summaries; this module only
//! arranges and draws them.

use super::chart::{self, Series, Style, TimeSeriesChart, YScale};
use super::figures::{sample, step};
use super::ReportError;
use crate::metrics::Metrics;
use std::path::Path;

/// Line colours, cycled.
const PALETTE: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (255, 127, 14),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
];

/// Per-second throttled attempts of each run, averaged over windows so the longest run has at
/// most the report's number of points; shorter runs are padded with zeros. Returns the x values
/// (seconds) and one series per run, in the order given.
pub fn throttled_per_second(runs: &[&Metrics]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let longest = runs.iter().map(|m| m.seconds.len()).max().unwrap_or(0);
    let step = step(longest);
    let x: Vec<f64> = (0..longest).step_by(step).map(|s| s as f64).collect();
    let series = runs
        .iter()
        .map(|m| {
            let mut y = sample(&m.seconds, step, |s| s.throttled as f64).y;
            y.resize(x.len(), 0.0);
            y
        })
        .collect();
    (x, series)
}

/// Draws `lines` (label, values over `x`) as one chart at `path`.
pub fn draw_lines(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    x: &[f64],
    lines: &[(String, Vec<f64>)],
) -> Result<(), ReportError> {
    let series = lines
        .iter()
        .zip(PALETTE.iter().cycle())
        .map(|((name, values), &color)| Series { name, values, color, style: Style::Line })
        .collect();
    let chart = TimeSeriesChart { title, x_label, y_label, x, series, y_scale: YScale::Linear };
    Ok(chart::draw_time_series(path, &chart)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::SecondStats;

    #[test]
    fn runs_of_different_lengths_share_one_axis() {
        let run = |throttled: &[u64]| {
            let mut m = Metrics::default();
            m.seconds =
                throttled.iter().map(|&t| SecondStats { throttled: t, ..SecondStats::default() }).collect();
            m
        };
        let (a, b) = (run(&[1, 2, 3]), run(&[5]));
        let (x, series) = throttled_per_second(&[&a, &b]);
        assert_eq!(x, [0.0, 1.0, 2.0]);
        assert_eq!(series, [vec![1.0, 2.0, 3.0], vec![5.0, 0.0, 0.0]]);
    }
}
