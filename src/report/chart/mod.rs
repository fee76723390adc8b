//! SVG charts for simulation reports: time series (throughput, throttles, capacity),
//! per-partition heat maps ([`heat`]) and bar charts ([`bars`]).
//!
//! This module only draws: every function takes precomputed data, so the model code
//! stays testable without graphics and the charts stay dumb. Output is SVG because
//! plotters' SVG backend emits text as `<text>` elements and needs no font files,
//! fontconfig or freetype: reports render on any machine with just the Rust
//! toolchain. Layout uses plotters' built-in text-size estimate, so margins below
//! are deliberately generous. Each file is rendered into memory, written to
//! `<path>.svg.tmp` and renamed, so a failed draw never leaves a half-written chart.

pub mod bars;
pub mod heat;

pub use bars::{draw_bars, BarChart, BarSeries};
pub use heat::{draw_heat_map, HeatMap};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a chart could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The input was inconsistent (e.g. mismatched lengths), plotters failed, or the
    /// file could not be written; `path` is the chart that was requested.
    #[error("cannot draw chart {path}: {message}")]
    Draw {
        /// The chart file that was requested.
        path: PathBuf,
        /// What went wrong, for the user.
        message: String,
    },
}

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

const TS_SIZE: (u32, u32) = (1000, 500);
const FONT: &str = "sans-serif";
/// Legend names longer than this are shortened; DynamoDB's throttling reason codes (up to 39
/// characters) fit whole.
const LEGEND_CHARS: usize = 40;
type DrawResult = Result<(), Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

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

/// Common frame: title, margins, and label areas wide enough for plotters' rough
/// text-size estimate, with `right` pixels kept free for a legend or colour bar.
fn frame<'a, 'b>(root: &'a Area<'b>, title: &str, right: i32) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder.caption(title, (FONT, 22)).margin(12).margin_right(right);
    builder.x_label_area_size(48).y_label_area_size(70);
    builder
}

/// Says so in the middle of the plot, so an empty chart is not mistaken for zeros.
fn no_data_note(root: &Area<'_>, px: &Range<i32>, py: &Range<i32>) -> DrawResult {
    let centre = ((px.start + px.end) / 2, (py.start + py.end) / 2);
    let style = TextStyle::from((FONT, 18)).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new("no data", centre, style))?;
    Ok(())
}

/// Renders into memory, then writes a temp file and renames it into place, so readers
/// never see a partial chart and a failed draw leaves nothing behind.
fn write_svg(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<(), ChartError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(Into::into).and_then(|()| draw(&root));
        drawn.and_then(|()| root.present().map_err(Into::into))
    }
    .map_err(|e| draw_error(path, e.to_string()))?;
    let tmp = path.with_extension("svg.tmp");
    let written = std::fs::write(&tmp, buf).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        draw_error(path, e.to_string())
    })
}

fn draw_error(path: &Path, message: String) -> ChartError {
    ChartError::Draw { path: path.to_path_buf(), message }
}

/// Min and max of the finite values, widened to a non-empty range (0..1 if none).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    match (lo.is_finite(), hi > lo) {
        (false, _) => (0.0, 1.0),
        (true, true) => (lo, hi),
        (true, false) => (lo, lo + lo.abs().max(1.0)),
    }
}

/// Tick labels scaled to the axis magnitude ("12.5k", "1.2M") so they stay short.
fn tick_format(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let max = lo.abs().max(hi.abs());
    let (div, suffix) = match max {
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    move |v| {
        if *v == 0.0 {
            return "0".to_string();
        }
        let s = format!("{:.3}", v / div);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        let s = if s == "-0" { "0" } else { s };
        format!("{s}{suffix}")
    }
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

/// Long names would run off the right edge of the legend.
fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    name.chars().take(max - 1).chain(['…']).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of every `<text>` element, trimmed, in document order.
    pub(super) fn texts(svg: &str) -> Vec<String> {
        let elements = svg.split("<text").skip(1);
        let inner = elements.filter_map(|e| Some(e.split_once('>')?.1.split_once("</text>")?.0.trim()));
        inner.map(str::to_string).collect()
    }

    pub(super) fn temp_dir(name: &str) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ddbsim-chart-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

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
