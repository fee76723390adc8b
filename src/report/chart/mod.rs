//! SVG charts for simulation reports: time series ([`series`]: throughput, throttles,
//! capacity, latency), per-partition heat maps ([`heat`]) and bar charts ([`bars`]), on the
//! shared frame, axis formatting and file writing defined here.
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
pub mod series;

pub use bars::{draw_bars, BarChart, BarSeries};
pub use heat::{draw_heat_map, HeatMap};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
pub use series::{draw_time_series, Series, Style, TimeSeriesChart, YScale};
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

const TS_SIZE: (u32, u32) = (1000, 500);
const FONT: &str = "sans-serif";
type DrawResult = Result<(), Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

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
}
