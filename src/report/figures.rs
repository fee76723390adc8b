//! The charts of a report: which charts, in which order, and the data each is drawn from,
//! prepared here from the metrics and the summary so that drawing code ([`super::chart`]) only
//! draws. Long runs are shown at a coarser step (per-second rates averaged over a few seconds)
//! so that no chart carries more than [`MAX_POINTS`] points per series.

use super::chart::{self, BarChart, BarSeries, HeatMap, Series, Style, TimeSeriesChart, YScale};
use super::format::share;
use super::{ReportError, Summary};
use crate::capacity::ThrottleReason;
use crate::engine::units::milli_to_units;
use crate::metrics::{HeatMapData, Metrics, SecondStats};
use std::path::Path;

/// Points per time series at most: about one per pixel of a chart's plot.
pub const MAX_POINTS: usize = 900;

/// Every chart a report draws, in the order the HTML report shows them, with its caption.
pub const CHARTS: [(&str, &str); 10] = [
    ("requests.svg", "Succeeded requests and throttled attempts per second."),
    ("throttles.svg", "Throttled attempts per second, one line per DynamoDB throttling reason that occurred."),
    (
        "heatmap_read.svg",
        "Read capacity consumed by each partition (rows, in hash-range order) over time, as a share \
         of the partition's read ceiling. A dark row is a hot partition.",
    ),
    ("heatmap_write.svg", "The same for write capacity."),
    ("consumed.svg", "Consumed capacity units per second against the table's capacity (dashed): provisioned, as auto scaling moved it, or the on-demand ceiling."),
    (
        "partitions.svg",
        "The table's partitions over time: splits for heat, for size, on-demand growth and capacity increases add \
         them; partitions never merge.",
    ),
    ("latency.svg", "End-to-end latency of the requests completed in each time bucket, retries included."),
    ("hot_keys.svg", "The ten partition-key values with the most attempts: their share of all attempts and of all throttles."),
    ("cost.svg", "What the run has cost so far, storage excluded: the request units consumed at on-demand prices against the provisioned capacity held (as the table had it, or for an on-demand table its busiest second at 70% utilisation) at the hourly rate."),
    ("cost_options.svg", "The run's traffic over a 730-hour month under each billing option, storage excluded: on demand, provisioned (as run, or at the peak for an on-demand table) and the same capacity with 1-year reserved blocks. `ddbsim cost` compares the options from runs of their own."),
];

const BLUE: (u8, u8, u8) = (31, 119, 180);
const RED: (u8, u8, u8) = (214, 39, 40);
const GREEN: (u8, u8, u8) = (44, 160, 44);
const ORANGE: (u8, u8, u8) = (255, 127, 14);
/// Colours for throttle reasons, one per series in reason order.
const PALETTE: [(u8, u8, u8); 6] = [RED, BLUE, ORANGE, (148, 103, 189), GREEN, (140, 86, 75)];

/// A per-second quantity averaged over windows of `step` seconds: the x values (window
/// starts, seconds) and the values.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampled {
    /// Window starts, seconds.
    pub x: Vec<f64>,
    /// Mean per second over each window.
    pub y: Vec<f64>,
}

/// Seconds per point, so that `seconds` seconds give at most [`MAX_POINTS`] points.
pub fn step(seconds: usize) -> usize {
    seconds.div_ceil(MAX_POINTS).max(1)
}

/// `value` of each second, averaged over windows of `step` seconds (the last window over the
/// seconds it has).
pub fn sample(seconds: &[SecondStats], step: usize, value: impl Fn(&SecondStats) -> f64) -> Sampled {
    let chunks = seconds.chunks(step.max(1));
    let y = chunks.map(|w| w.iter().map(&value).sum::<f64>() / w.len() as f64).collect();
    let x = (0..seconds.len()).step_by(step.max(1)).map(|s| s as f64).collect();
    Sampled { x, y }
}

/// Draws every chart of [`CHARTS`] into `dir`.
pub fn draw_charts(dir: &Path, summary: &Summary, metrics: &Metrics) -> Result<(), ReportError> {
    let step = step(metrics.seconds.len());
    let x = sample(&metrics.seconds, step, |_| 0.0).x;
    let per_second = |f: fn(&SecondStats) -> f64| sample(&metrics.seconds, step, f).y;
    let (succeeded, throttled) = (per_second(|s| s.succeeded as f64), per_second(|s| s.throttled as f64));
    let series = vec![
        Series { name: "succeeded requests", values: &succeeded, color: BLUE, style: Style::Line },
        Series { name: "throttled attempts", values: &throttled, color: RED, style: Style::Area },
    ];
    time_series(dir, "requests.svg", "Succeeded requests and throttled attempts per second", &x, series)?;

    let reasons = throttle_series(&metrics.seconds, step);
    let series = reasons
        .iter()
        .zip(PALETTE.iter().cycle())
        .map(|((name, values), &color)| Series { name, values, color, style: Style::Line })
        .collect();
    time_series(dir, "throttles.svg", "Throttled attempts per second by reason", &x, series)?;

    let heat = metrics.heat_map();
    let capacity = metrics.partition_capacity();
    let title = format!("Read capacity consumed per partition (share of {} RCU/s)", capacity.read_units);
    heat_map(dir, "heatmap_read.svg", &title, &heat, &heat.read_share, "share of partition read capacity")?;
    let title = format!("Write capacity consumed per partition (share of {} WCU/s)", capacity.write_units);
    heat_map(
        dir,
        "heatmap_write.svg",
        &title,
        &heat,
        &heat.write_share,
        "share of partition write capacity",
    )?;

    let (read, write) =
        (per_second(|s| milli_to_units(s.read_milli)), per_second(|s| milli_to_units(s.write_milli)));
    // The capacity each second had (auto scaling and on-demand growth move it), sampled like
    // the consumption; the final capacity stands in for seconds past the last recorded state.
    let ceiling = |units: fn(&crate::sim::TableState) -> u64, last: u64| -> Vec<f64> {
        (0..metrics.seconds.len())
            .step_by(step.max(1))
            .map(|i| metrics.table_states.get(i).map_or(last, units) as f64)
            .collect()
    };
    let rcu = ceiling(|t| t.read_ceiling_units, summary.capacity.final_read_capacity);
    let wcu = ceiling(|t| t.write_ceiling_units, summary.capacity.final_write_capacity);
    let (rcu_name, wcu_name) = match summary.billing_mode {
        "on_demand" => ("on-demand RCU ceiling", "on-demand WCU ceiling"),
        _ => ("provisioned RCU", "provisioned WCU"),
    };
    let series = vec![
        Series { name: "consumed RCU", values: &read, color: GREEN, style: Style::Line },
        Series { name: rcu_name, values: &rcu, color: GREEN, style: Style::Dashed },
        Series { name: "consumed WCU", values: &write, color: ORANGE, style: Style::Line },
        Series { name: wcu_name, values: &wcu, color: ORANGE, style: Style::Dashed },
    ];
    time_series(
        dir,
        "consumed.svg",
        "Consumed capacity per second against the table's capacity",
        &x,
        series,
    )?;

    let partitions = ceiling(|t| u64::from(t.partitions), u64::from(summary.partitions.final_count));
    let series = vec![Series { name: "partitions", values: &partitions, color: BLUE, style: Style::Line }];
    labelled_time_series(dir, "partitions.svg", "Partitions over time", "partitions", &x, series)?;

    latency(dir, metrics)?;
    hot_keys(dir, summary)?;
    super::cost_figures::draw_cost(dir, summary, metrics, step)?;
    super::cost_figures::draw_cost_options(dir, summary)
}

fn time_series(
    dir: &Path,
    file: &str,
    title: &str,
    x: &[f64],
    series: Vec<Series<'_>>,
) -> Result<(), ReportError> {
    labelled_time_series(dir, file, title, "per second", x, series)
}

/// [`time_series`] with its own y-axis label.
fn labelled_time_series(
    dir: &Path,
    file: &str,
    title: &str,
    y_label: &str,
    x: &[f64],
    series: Vec<Series<'_>>,
) -> Result<(), ReportError> {
    let chart =
        TimeSeriesChart { title, x_label: "simulated time (s)", y_label, x, series, y_scale: YScale::Linear };
    Ok(chart::draw_time_series(&dir.join(file), &chart)?)
}

/// One series per throttling reason that occurred, named by its code, in reason order; a
/// single all-zero series when nothing was throttled, so the chart says so.
pub fn throttle_series(seconds: &[SecondStats], step: usize) -> Vec<(String, Vec<f64>)> {
    let occurred = |r: &ThrottleReason| seconds.iter().any(|s| s.throttled_by_reason[r.index()] > 0);
    let series: Vec<(String, Vec<f64>)> = ThrottleReason::all()
        .filter(occurred)
        .map(|r| {
            (r.code().to_string(), sample(seconds, step, |s| f64::from(s.throttled_by_reason[r.index()])).y)
        })
        .collect();
    if series.is_empty() {
        return vec![("no throttles".to_string(), sample(seconds, step, |_| 0.0).y)];
    }
    series
}

fn heat_map(
    dir: &Path,
    file: &str,
    title: &str,
    heat: &HeatMapData,
    shares: &[f64],
    scale: &str,
) -> Result<(), ReportError> {
    let starts: Vec<f64> = (0..heat.columns).map(|c| (c as u64 * heat.bucket_seconds) as f64).collect();
    let cells: Vec<f32> = shares.iter().map(|&v| v as f32).collect();
    let map = HeatMap {
        title,
        x_label: "simulated time (s)",
        y_label: "partition (hash-range order)",
        column_starts: &starts,
        column_width: heat.bucket_seconds as f64,
        rows: heat.rows.len(),
        cells: &cells,
        scale_label: scale,
    };
    Ok(chart::draw_heat_map(&dir.join(file), &map)?)
}

fn latency(dir: &Path, metrics: &Metrics) -> Result<(), ReportError> {
    let timeline = metrics.timeline();
    let width = timeline.bucket_seconds();
    let x: Vec<f64> = (0..timeline.columns()).map(|c| (c as u64 * width) as f64).collect();
    let ms = |q| -> Vec<f64> {
        let us = metrics.latency_quantiles(q);
        us.into_iter().map(|v| v.map_or(f64::NAN, |us| us as f64 / 1_000.0)).collect()
    };
    let (p50, p99) = (ms(0.5), ms(0.99));
    let chart = TimeSeriesChart {
        title: &format!("Request latency per {width}-second bucket"),
        x_label: "simulated time (s)",
        y_label: "latency (ms, log scale)",
        x: &x,
        series: vec![
            Series { name: "p50", values: &p50, color: BLUE, style: Style::Line },
            Series { name: "p99", values: &p99, color: RED, style: Style::Line },
        ],
        y_scale: YScale::Log,
    };
    Ok(chart::draw_time_series(&dir.join("latency.svg"), &chart)?)
}

fn hot_keys(dir: &Path, s: &Summary) -> Result<(), ReportError> {
    let categories: Vec<String> = s.hot_keys.iter().map(|k| k.key.clone()).collect();
    let attempts: Vec<f64> = s.hot_keys.iter().map(|k| 100.0 * k.share_of_attempts).collect();
    let throttles: Vec<f64> =
        s.hot_keys.iter().map(|k| 100.0 * share(k.throttled, s.requests.throttled)).collect();
    let chart = BarChart {
        title: "Hottest partition keys",
        x_label: "% of all attempts / of all throttled attempts",
        y_label: "partition key (most attempts first)",
        categories: &categories,
        series: vec![
            BarSeries { name: "share of attempts", values: &attempts, color: BLUE },
            BarSeries { name: "share of throttles", values: &throttles, color: RED },
        ],
        value_suffix: "%",
    };
    Ok(chart::draw_bars(&dir.join("hot_keys.svg"), &chart)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::{LimitType, Operation, Resource};

    fn seconds(throttled: &[u32]) -> Vec<SecondStats> {
        let reason =
            ThrottleReason::new(Resource::Table, Operation::Write, LimitType::KeyRangeThroughputExceeded);
        let second = |&n: &u32| {
            let mut s = SecondStats { succeeded: 10, ..SecondStats::default() };
            s.throttled_by_reason[reason.index()] = n;
            s
        };
        throttled.iter().map(second).collect()
    }

    #[test]
    fn long_runs_are_averaged_to_at_most_max_points() {
        assert_eq!((step(0), step(900), step(901), step(30 * 86_400)), (1, 1, 2, 2_880));
        let s = seconds(&[1, 3, 5, 7, 9]);
        let sampled = sample(&s, 2, |s| f64::from(s.throttled_by_reason.iter().sum::<u32>()));
        assert_eq!(sampled, Sampled { x: vec![0.0, 2.0, 4.0], y: vec![2.0, 6.0, 9.0] });
        assert_eq!(sample(&s, 1, |s| s.succeeded as f64).y, [10.0; 5]);
    }

    #[test]
    fn throttles_get_one_series_per_reason_that_occurred() {
        let series = throttle_series(&seconds(&[0, 4, 2]), 1);
        assert_eq!(series, [("TableWriteKeyRangeThroughputExceeded".to_string(), vec![0.0, 4.0, 2.0])]);
        let none = throttle_series(&seconds(&[0, 0]), 1);
        assert_eq!(none, [("no throttles".to_string(), vec![0.0, 0.0])]);
    }
}

/// The data behind every chart of a small fixed run, as text, pinned by a snapshot (STYLE.md:
/// snapshot the data a chart is drawn from, not SVG bytes). Each block is computed by the same
/// functions `draw_charts` draws from.
#[cfg(test)]
mod snapshot {
    use super::*;
    use std::fmt::Write as _;

    fn line(out: &mut String, name: &str, values: &[f64]) {
        let cells: Vec<String> =
            values.iter().map(|v| if v.is_nan() { "-".into() } else { format!("{v:.1}") }).collect();
        let _ = writeln!(out, "  {name}: {}", cells.join(" "));
    }

    #[test]
    fn the_data_behind_every_chart() {
        let (summary, metrics) = crate::report::fixture::run();
        let step = step(metrics.seconds.len());
        let per_second = |f: fn(&SecondStats) -> f64| sample(&metrics.seconds, step, f).y;
        let mut out = String::new();
        out.push_str("requests.svg\n");
        line(&mut out, "succeeded", &per_second(|s| s.succeeded as f64));
        line(&mut out, "throttled", &per_second(|s| s.throttled as f64));
        out.push_str("throttles.svg\n");
        for (name, values) in throttle_series(&metrics.seconds, step) {
            line(&mut out, &name, &values);
        }
        out.push_str("consumed.svg, partitions.svg\n");
        line(&mut out, "read units", &per_second(|s| milli_to_units(s.read_milli)));
        line(&mut out, "write units", &per_second(|s| milli_to_units(s.write_milli)));
        let states = &metrics.table_states;
        line(
            &mut out,
            "read ceiling",
            &states.iter().map(|t| t.read_ceiling_units as f64).collect::<Vec<_>>(),
        );
        line(
            &mut out,
            "write ceiling",
            &states.iter().map(|t| t.write_ceiling_units as f64).collect::<Vec<_>>(),
        );
        line(&mut out, "partitions", &states.iter().map(|t| f64::from(t.partitions)).collect::<Vec<_>>());
        out.push_str("heatmap_read.svg, heatmap_write.svg\n");
        let heat = metrics.heat_map();
        for (r, id) in heat.rows.iter().enumerate() {
            let row = |shares: &[f64]| shares[r * heat.columns..(r + 1) * heat.columns].to_vec();
            line(
                &mut out,
                &format!("partition {} read %", id.0),
                &row(&heat.read_share).iter().map(|s| 100.0 * s).collect::<Vec<_>>(),
            );
            line(
                &mut out,
                &format!("partition {} write %", id.0),
                &row(&heat.write_share).iter().map(|s| 100.0 * s).collect::<Vec<_>>(),
            );
        }
        out.push_str("latency.svg (ms)\n");
        for q in [0.5, 0.99] {
            let ms: Vec<f64> = metrics
                .latency_quantiles(q)
                .into_iter()
                .map(|v| v.map_or(f64::NAN, |us| us as f64 / 1_000.0))
                .collect();
            line(&mut out, &format!("p{}", (q * 100.0) as u32), &ms);
        }
        out.push_str("hot_keys.svg (% of attempts, % of throttles)\n");
        for k in &summary.hot_keys {
            line(
                &mut out,
                &format!("key {}", k.key),
                &[100.0 * k.share_of_attempts, 100.0 * share(k.throttled, summary.requests.throttled)],
            );
        }
        out.push_str("cost.svg (micro-USD so far)\n");
        let cost = super::super::cost_figures::cost_series(&summary, &metrics, step);
        let micro = |usd: &[f64]| usd.iter().map(|v| v * 1e6).collect::<Vec<_>>();
        line(&mut out, "on demand", &micro(&cost.on_demand_usd));
        line(&mut out, "provisioned", &micro(&cost.provisioned_usd));
        out.push_str("cost_options.svg (USD per month)\n");
        let month = &summary.cost.per_month;
        line(
            &mut out,
            "on demand, provisioned, reserved",
            &[month.on_demand_usd, month.provisioned_usd, month.reserved_usd.unwrap_or(f64::NAN)],
        );
        insta::assert_snapshot!(out);
    }
}
