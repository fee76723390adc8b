//! Time-series charts: several named series over simulated time, on a linear or a log axis,
//! with the legend to the right of the plot so that it never hides data.

use super::{draw_error, frame, no_data_note, shorten, span, tick_format, write_svg, Area, ChartError};
use super::{DrawResult, FONT, TS_SIZE};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// One named line of a time-series chart.
pub struct Series<'a> {
    /// Shown in the legend.
    pub name: &'a str,
    /// One value per entry of [`TimeSeriesChart::x`]; non-finite values are skipped.
    pub values: &'a [f64],
    /// RGB line colour, also used (translucent) for the fill.
    pub color: (u8, u8, u8),
    /// How the line is drawn.
    pub style: Style,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A solid line with the area under it shaded (for "stacked-looking" capacity curves).
    Area,
    /// A dashed line, for a reference level such as provisioned capacity.
    Dashed,
}

/// A chart of several series over a shared x axis (simulated seconds).
pub struct TimeSeriesChart<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// X axis description with unit, e.g. "simulated time (s)".
    pub x_label: &'a str,
    /// Y axis description with unit, e.g. "requests per second".
    pub y_label: &'a str,
    /// Same length as every series' values.
    pub x: &'a [f64],
    /// Drawn in order, so later series paint over earlier ones.
    pub series: Vec<Series<'a>>,
    /// How values map to heights.
    pub y_scale: YScale,
}

/// The y axis of a time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YScale {
    /// From zero up, evenly spaced.
    Linear,
    /// Whole decades, for values spanning several orders of magnitude (latency percentiles):
    /// non-positive values are not drawn.
    Log,
}

/// Legend names longer than this are shortened; DynamoDB's throttling reason codes (up to 39
/// characters) fit whole.
const LEGEND_CHARS: usize = 40;

/// Draws `chart` as a 1000x500 SVG file at `path`, legend to the right of the plot
/// so it never hides data. Empty or all-zero data gives an empty 0..1 chart.
pub fn draw_time_series(path: &Path, chart: &TimeSeriesChart<'_>) -> Result<(), ChartError> {
    if let Some(s) = chart.series.iter().find(|s| s.values.len() != chart.x.len()) {
        let message =
            format!("series '{}' has {} values but x has {}", s.name, s.values.len(), chart.x.len());
        return Err(draw_error(path, message));
    }
    write_svg(path, TS_SIZE, |root| time_series(root, chart))
}

fn time_series(root: &Area<'_>, c: &TimeSeriesChart<'_>) -> DrawResult {
    let log = c.y_scale == YScale::Log;
    // A log axis is drawn as a linear axis of log10 values, labelled with the values.
    let scale = |y: f64| if log { y.log10() } else { y };
    let points = |s: &Series<'_>| -> Vec<(f64, f64)> {
        let pairs = c.x.iter().zip(s.values).map(|(&x, &y)| (x, scale(y)));
        pairs.filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
    };
    let all: Vec<Vec<(f64, f64)>> = c.series.iter().map(points).collect();
    let empty = all.iter().all(Vec::is_empty);
    let (x0, x1) = span(all.iter().flatten().map(|p| p.0));
    let (y0, y1) = if log {
        let (lo, hi) = span(all.iter().flatten().map(|p| p.1));
        (lo.floor(), hi.ceil().max(lo.floor() + 1.0))
    } else {
        let (lo, hi) = span(all.iter().flatten().map(|p| p.1).chain([0.0]));
        (lo.min(0.0) * 1.08, if hi > 0.0 { hi * 1.08 } else { 1.0 })
    };
    let names: Vec<String> = c.series.iter().map(|s| shorten(s.name, LEGEND_CHARS)).collect();
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let legend_w = (longest as i32 * 8 + 60).clamp(110, 380);
    let mut ch = frame(root, c.title, legend_w).build_cartesian_2d(x0..x1, y0..y1)?;
    let fx = tick_format(x0, x1);
    let linear = tick_format(y0, y1);
    let fy = |v: &f64| match log {
        false => linear(v),
        true if (v - v.round()).abs() < 1e-9 => decade_label(v.round() as i32),
        true => String::new(),
    };
    let y_labels = if log { (y1 - y0) as usize + 1 } else { 8 };
    ch.configure_mesh()
        .x_desc(c.x_label)
        .y_desc(c.y_label)
        .x_labels(10)
        .y_labels(y_labels)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .max_light_lines(1)
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(240, 240, 240))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .draw()?;
    for (s, pts) in c.series.iter().zip(all) {
        let col = RGBColor(s.color.0, s.color.1, s.color.2);
        match s.style {
            Style::Line => ch.draw_series(LineSeries::new(pts, col.stroke_width(2)))?,
            Style::Area => {
                let base = if log { y0 } else { 0.0_f64.clamp(y0, y1) };
                let area = AreaSeries::new(pts, base, col.mix(0.25));
                ch.draw_series(area.border_style(col.stroke_width(2)))?
            }
            Style::Dashed => ch.draw_series(DashedLineSeries::new(pts, 8, 6, col.stroke_width(2)))?,
        };
    }
    let (px, py) = ch.plotting_area().get_pixel_range();
    if empty {
        no_data_note(root, &px, &py)?;
    }
    let (lx, mut ly) = (px.end + 18, py.start + 8);
    let text = TextStyle::from((FONT, 14)).pos(Pos::new(HPos::Left, VPos::Center));
    for (s, name) in c.series.iter().zip(&names) {
        let col = RGBColor(s.color.0, s.color.1, s.color.2);
        let swatch = [(lx, ly - 6), (lx + 24, ly + 6)];
        if s.style == Style::Area {
            root.draw(&Rectangle::new(swatch, col.mix(0.25).filled()))?;
        }
        if s.style == Style::Dashed {
            for x in [lx, lx + 16] {
                root.draw(&PathElement::new([(x, ly), (x + 8, ly)], col.stroke_width(3)))?;
            }
        } else {
            root.draw(&PathElement::new([(lx, ly), (lx + 24, ly)], col.stroke_width(3)))?;
        }
        root.draw(&Text::new(name.as_str(), (lx + 32, ly), text.clone()))?;
        ly += 22;
    }
    Ok(())
}

/// `10^exponent` written out short: 0.01, 1, 100, 10k, 1M.
fn decade_label(exponent: i32) -> String {
    match exponent {
        e if e >= 6 => format!("{}M", 10u64.pow((e - 6).min(12) as u32)),
        e if e >= 3 => format!("{}k", 10u64.pow((e - 3) as u32)),
        e if e >= 0 => 10u64.pow(e as u32).to_string(),
        e => format!("{:.*}", (-e) as usize, 10f64.powi(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{temp_dir, texts};
    use super::*;

    fn two_series<'a>(x: &'a [f64], a: &'a [f64], b: &'a [f64]) -> TimeSeriesChart<'a> {
        TimeSeriesChart {
            title: "Write throughput",
            x_label: "simulated time (s)",
            y_label: "requests per second",
            x,
            series: vec![
                Series { name: "consumed WCU", values: a, color: (31, 119, 180), style: Style::Area },
                Series { name: "throttled writes", values: b, color: (214, 39, 40), style: Style::Dashed },
            ],
            y_scale: YScale::Linear,
        }
    }

    #[test]
    fn time_series_contains_title_labels_and_legend() {
        let path = temp_dir("ts").join("ts.svg");
        let x: Vec<f64> = (0..600).map(f64::from).collect();
        let a: Vec<f64> = x.iter().map(|t| 1000.0 + 400.0 * (t / 60.0).sin()).collect();
        let b: Vec<f64> = x.iter().map(|t| if *t > 300.0 { 150.0 } else { 0.0 }).collect();
        draw_time_series(&path, &two_series(&x, &a, &b)).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in ["Write throughput", "simulated time (s)", "requests per second"] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(svg.contains("consumed WCU") && svg.contains("throttled writes"));
        assert!(!path.with_extension("svg.tmp").exists());
    }

    #[test]
    fn a_log_axis_labels_whole_decades_and_skips_non_positive_values() {
        let labels: Vec<String> = (-2..=7).map(decade_label).collect();
        assert_eq!(labels, ["0.01", "0.1", "1", "10", "100", "1k", "10k", "100k", "1M", "10M"]);
        let path = temp_dir("log").join("log.svg");
        let x = [0.0, 1.0, 2.0, 3.0];
        let (p50, p99) = ([5.0, 5.0, 0.0, f64::NAN], [5.0, 900.0, 2_300.0, 2_400.0]);
        let chart = TimeSeriesChart { y_scale: YScale::Log, ..two_series(&x, &p50, &p99) };
        draw_time_series(&path, &chart).unwrap();
        let texts = texts(&std::fs::read_to_string(&path).unwrap());
        for label in ["1", "10", "100", "1k", "10k"] {
            assert!(texts.iter().any(|t| t == label), "missing {label} in {texts:?}");
        }
    }

    #[test]
    fn empty_and_all_zero_input_draw_empty_charts() {
        let dir = temp_dir("empty");
        draw_time_series(&dir.join("empty.svg"), &two_series(&[], &[], &[])).unwrap();
        let zeros = [0.0; 5];
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        draw_time_series(&dir.join("zeros.svg"), &two_series(&x, &zeros, &zeros)).unwrap();
        let no_series = TimeSeriesChart { series: Vec::new(), ..two_series(&[], &[], &[]) };
        draw_time_series(&dir.join("none.svg"), &no_series).unwrap();
        assert!(dir.join("zeros.svg").exists());
    }

    #[test]
    fn mismatched_lengths_error_and_leave_no_file() {
        let path = temp_dir("mismatch").join("bad.svg");
        let chart = two_series(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0], &[1.0]);
        let err = draw_time_series(&path, &chart).unwrap_err();
        assert!(matches!(err, ChartError::Draw { .. }));
        assert!(!path.exists() && !path.with_extension("svg.tmp").exists());
    }
}
