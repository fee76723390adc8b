//! The report's cost charts: `cost.svg`, what the run has cost so far on demand and
//! provisioned, and `cost_options.svg`, a month of it under each billing option. The numbers
//! come from `cost` (the series from `cost::series`, the monthly figures from the summary);
//! this module only picks labels and draws.

use super::chart::{self, BarChart, BarSeries, Series, Style, TimeSeriesChart, YScale};
use super::{ReportError, Summary};
use crate::cost::series::{cumulative, CostSeries};
use crate::cost::{Held, Usage};
use crate::metrics::Metrics;
use std::path::Path;

const BLUE: (u8, u8, u8) = (31, 119, 180);
const ORANGE: (u8, u8, u8) = (255, 127, 14);
const GREEN: (u8, u8, u8) = (44, 160, 44);

/// The run's cost over time, with `step` seconds between points, as `cost` computes it from the
/// summary's prices and capacity: a provisioned table's capacity second by second, an on-demand
/// table's busiest second at 70% utilisation (`cost.provisioned_*_units`).
pub fn cost_series(summary: &Summary, metrics: &Metrics, step: usize) -> CostSeries {
    let c = &summary.cost;
    let capacity = match summary.billing_mode {
        "on_demand" => {
            Held::Constant(c.provisioned_read_units.round() as u64, c.provisioned_write_units.round() as u64)
        }
        _ => Held::PerSecond {
            states: &metrics.table_states,
            fallback: (summary.capacity.final_read_capacity, summary.capacity.final_write_capacity),
            extra: summary.indexes.iter().fold((0, 0), |(r, w), ix| {
                (
                    r + ix.provisioned_read_capacity.unwrap_or(0),
                    w + ix.provisioned_write_capacity.unwrap_or(0),
                )
            }),
        },
    };
    let usage = Usage {
        duration_us: summary.simulated_seconds * 1_000_000,
        read_units: summary.consumed.read_units,
        write_units: summary.consumed.write_units,
        storage_bytes: summary.storage_bytes,
        capacity,
    };
    cumulative(&c.price_table, &usage, &metrics.seconds, step)
}

/// Draws `cost.svg`: cumulative cost on demand and provisioned, the run's own mode marked.
pub fn draw_cost(dir: &Path, summary: &Summary, metrics: &Metrics, step: usize) -> Result<(), ReportError> {
    let s = cost_series(summary, metrics, step);
    let most = s.on_demand_usd.iter().chain(&s.provisioned_usd).fold(0.0_f64, |m, &v| m.max(v));
    // Short runs cost fractions of a dollar: cents keep the axis labels readable.
    let (unit, k) = if most < 1.0 { ("US cents", 100.0) } else { ("USD", 1.0) };
    let scaled = |v: &[f64]| v.iter().map(|x| x * k).collect::<Vec<f64>>();
    let (on_demand, provisioned) = (scaled(&s.on_demand_usd), scaled(&s.provisioned_usd));
    let (od_name, prov_name) = match summary.billing_mode {
        "on_demand" => ("on demand, as run: units consumed", "provisioned at the peak / 0.7: capacity-hours"),
        _ => ("on demand: units consumed", "provisioned, as run: capacity-hours"),
    };
    let y_label = format!("cumulative cost ({unit})");
    let chart = TimeSeriesChart {
        title: "Cost so far: request units on demand against provisioned capacity-hours",
        x_label: "simulated time (s)",
        y_label: &y_label,
        x: &s.x,
        series: vec![
            Series { name: od_name, values: &on_demand, color: BLUE, style: Style::Line },
            Series { name: prov_name, values: &provisioned, color: ORANGE, style: Style::Line },
        ],
        y_scale: YScale::Linear,
    };
    Ok(chart::draw_time_series(&dir.join("cost.svg"), &chart)?)
}

/// Draws `cost_options.svg`: a 730-hour month of the run's traffic on demand, provisioned as
/// the summary prices it, and with reserved capacity (no bar where none is sold).
pub fn draw_cost_options(dir: &Path, summary: &Summary) -> Result<(), ReportError> {
    let month = &summary.cost.per_month;
    // Category labels stay short enough to be drawn whole; the title says what "provisioned" is.
    let title = match summary.billing_mode {
        "on_demand" => "A month of this traffic by billing option (provisioned: the busiest second at 70%)",
        _ => "A month of this traffic by billing option (provisioned: the capacity as run)",
    };
    let categories: Vec<String> =
        ["on demand", "provisioned", "reserved, 1 yr"].iter().map(|c| c.to_string()).collect();
    let values = [month.on_demand_usd, month.provisioned_usd, month.reserved_usd.unwrap_or(f64::NAN)];
    let chart = BarChart {
        title,
        x_label: "USD per 730-hour month, storage excluded",
        y_label: "billing option",
        categories: &categories,
        series: vec![BarSeries { name: "throughput per month", values: &values, color: GREEN }],
        value_suffix: " USD",
    };
    Ok(chart::draw_bars(&dir.join("cost_options.svg"), &chart)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_series_ends_at_the_summary_totals() {
        let (summary, metrics) = super::super::fixture::run();
        let s = cost_series(&summary, &metrics, 1);
        let simulated = &summary.cost.simulated;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-8;
        assert!(close(*s.on_demand_usd.last().unwrap(), simulated.on_demand_usd), "{s:?}");
        assert!(close(*s.provisioned_usd.last().unwrap(), simulated.provisioned_usd), "{s:?}");
        assert_eq!(s.x.first(), Some(&0.0));
    }
}
