//! SVG charts for simulation reports: time series (throughput, throttles, capacity)
//! and per-partition heat maps.
//!
//! This module only draws: every function takes precomputed data, so the model code
//! stays testable without graphics and the charts stay dumb. Output is SVG because
//! plotters' SVG backend emits text as `<text>` elements and needs no font files,
//! fontconfig or freetype: reports render on any machine with just the Rust
//! toolchain. Layout uses plotters' built-in text-size estimate, so margins below
//! are deliberately generous. Each file is rendered into memory, written to
//! `<path>.svg.tmp` and renamed, so a failed draw never leaves a half-written chart.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
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
    /// Shade the area under the line (for "stacked-looking" capacity curves).
    pub filled: bool,
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
}

/// A heat map: rows (e.g. partitions in hash-range order, row 0 at the bottom) against
/// columns (time buckets), each cell a share in [0, 1], with a colour-scale legend.
///
/// Cells are snapped to whole pixels keeping the hottest per pixel, so any size draws
/// without panicking into a file bounded by the plot's pixel count (up to ~35 MB for
/// noisy data). Callers should still downsample beyond ~200k cells (e.g. the max over
/// merged time buckets, so hot spots survive) to keep reports small and fast.
pub struct HeatMap<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// X axis description with unit, e.g. "simulated time (s)".
    pub x_label: &'a str,
    /// Y axis description, e.g. "partition (hash-range order)".
    pub y_label: &'a str,
    /// x value (seconds) at the start of each column; its length is the column count.
    pub column_starts: &'a [f64],
    /// Width of every column in x units; must be positive when there are columns.
    pub column_width: f64,
    /// Number of rows; row 0 is drawn at the bottom.
    pub rows: usize,
    /// Row-major, `rows * columns`; values are clamped to [0, 1], NaN is drawn grey.
    pub cells: &'a [f32],
    /// Description beside the colour bar, e.g. "share of partition write capacity".
    pub scale_label: &'a str,
}

const TS_SIZE: (u32, u32) = (1000, 500);
const HM_SIZE: (u32, u32) = (1000, 600);
const FONT: &str = "sans-serif";
const NO_DATA: RGBColor = RGBColor(190, 190, 190);
/// Colour levels for cells; 64 are indistinguishable from continuous and let
/// neighbouring cells merge into one rectangle.
const LEVELS: f32 = 63.0;

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

/// Draws `map` as a 1000x600 SVG file at `path`, with a vertical colour bar on the right.
pub fn draw_heat_map(path: &Path, map: &HeatMap<'_>) -> Result<(), ChartError> {
    let cols = map.column_starts.len();
    let message = if map.rows.checked_mul(cols) != Some(map.cells.len()) {
        format!("{} cells for {} rows x {cols} columns", map.cells.len(), map.rows)
    } else if cols > 0 && !(map.column_width.is_finite() && map.column_width > 0.0) {
        format!("column width {} is not positive", map.column_width)
    } else if map.column_starts.iter().any(|s| !s.is_finite()) {
        "column starts must be finite".to_string()
    } else {
        return write_svg(path, HM_SIZE, |root| heat_map(root, map));
    };
    Err(draw_error(path, message))
}

fn time_series(root: &Area<'_>, c: &TimeSeriesChart<'_>) -> DrawResult {
    let points = |s: &Series<'_>| -> Vec<(f64, f64)> {
        let pairs = c.x.iter().zip(s.values).map(|(&x, &y)| (x, y));
        pairs.filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
    };
    let all: Vec<Vec<(f64, f64)>> = c.series.iter().map(points).collect();
    let empty = all.iter().all(Vec::is_empty);
    let (x0, x1) = span(all.iter().flatten().map(|p| p.0));
    let (lo, hi) = span(all.iter().flatten().map(|p| p.1).chain([0.0]));
    let (y0, y1) = (lo.min(0.0) * 1.08, if hi > 0.0 { hi * 1.08 } else { 1.0 });
    let names: Vec<String> = c.series.iter().map(|s| shorten(s.name, 28)).collect();
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let legend_w = (longest as i32 * 8 + 60).clamp(110, 290);
    let mut ch = frame(root, c.title, legend_w).build_cartesian_2d(x0..x1, y0..y1)?;
    let (fx, fy) = (tick_format(x0, x1), tick_format(y0, y1));
    ch.configure_mesh()
        .x_desc(c.x_label)
        .y_desc(c.y_label)
        .x_labels(10)
        .y_labels(8)
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
        if s.filled {
            let base = 0.0_f64.clamp(y0, y1);
            let area = AreaSeries::new(pts, base, col.mix(0.25));
            ch.draw_series(area.border_style(col.stroke_width(2)))?;
        } else {
            ch.draw_series(LineSeries::new(pts, col.stroke_width(2)))?;
        }
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
        if s.filled {
            root.draw(&Rectangle::new(swatch, col.mix(0.25).filled()))?;
        }
        root.draw(&PathElement::new([(lx, ly), (lx + 24, ly)], col.stroke_width(3)))?;
        root.draw(&Text::new(name.as_str(), (lx + 32, ly), text.clone()))?;
        ly += 22;
    }
    Ok(())
}

fn heat_map(root: &Area<'_>, m: &HeatMap<'_>) -> DrawResult {
    let cols = m.column_starts.len();
    let (x0, x1) = span(m.column_starts.iter().flat_map(|&s| [s, s + m.column_width]));
    // Row r spans r-0.5..r+0.5 so that integer ticks label row centres.
    let top = m.rows.max(1) as f64 - 0.5;
    let mut ch = frame(root, m.title, 130).build_cartesian_2d(x0..x1, -0.5..top)?;
    let fx = tick_format(x0, x1);
    let fy = |v: &f64| match v.fract() == 0.0 && *v >= 0.0 {
        true => format!("{:.0}", v.abs()),
        false => String::new(),
    };
    ch.configure_mesh()
        .disable_mesh()
        .x_desc(m.x_label)
        .y_desc(m.y_label)
        .x_labels(10)
        .y_labels(m.rows.clamp(1, 10))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .draw()?;
    let (px, py) = ch.plotting_area().get_pixel_range();
    if m.cells.is_empty() {
        no_data_note(root, &px, &py)?;
    } else {
        // Zero is the most common value: one background instead of a rectangle each.
        ch.plotting_area().fill(&ramp(0.0))?;
    }
    let level = |v: f32| match v.is_nan() {
        true => -1,
        false => (v.clamp(0.0, 1.0) * LEVELS).round() as i32,
    };
    // Cells are snapped to whole pixels (at least 1 px), keeping the hottest cell per
    // pixel rectangle and drawing coolest first: sub-pixel rows or columns then show
    // their hot spots instead of vanishing, and the file stays bounded by the plot's
    // pixel count however many cells come in. Sorting keeps the output deterministic.
    let mut pixels = BTreeMap::new();
    for (r, row) in m.cells.chunks(cols.max(1)).enumerate() {
        let mut c = 0;
        while c < row.len() {
            let (l, start) = (level(row[c]), m.column_starts[c]);
            let mut end = start + m.column_width;
            c += 1;
            // Merge a run of equal colour while columns stay contiguous.
            while c < row.len() && level(row[c]) == l && m.column_starts[c] <= end + 1e-9 {
                end = m.column_starts[c] + m.column_width;
                c += 1;
            }
            let a = ch.backend_coord(&(start, r as f64 + 0.5));
            let b = ch.backend_coord(&(end, r as f64 - 0.5));
            let key = (a, (b.0.max(a.0 + 1), b.1.max(a.1 + 1)));
            let hottest = pixels.entry(key).or_insert(l);
            *hottest = (*hottest).max(l);
        }
    }
    let mut rects: Vec<_> = pixels.into_iter().filter(|&(_, l)| l != 0).collect();
    rects.sort_unstable_by_key(|&(key, l)| (l, key));
    for ((a, b), l) in rects {
        let colour = if l < 0 { NO_DATA } else { ramp(l as f32 / LEVELS) };
        root.draw(&Rectangle::new([a, b], colour.filled()))?;
    }
    let (bx, steps) = (px.end + 22, 100);
    let h = (py.end - py.start).max(1);
    for i in 0..steps {
        let (top, bot) = (py.end - h * (i + 1) / steps, py.end - h * i / steps);
        root.draw(&Rectangle::new([(bx, top), (bx + 20, bot)], ramp(i as f32 / 99.0).filled()))?;
    }
    root.draw(&Rectangle::new([(bx, py.start), (bx + 20, py.end)], BLACK))?;
    let tick = TextStyle::from((FONT, 13)).pos(Pos::new(HPos::Left, VPos::Center));
    for (frac, label) in [(0, "0%"), (1, "50%"), (2, "100%")] {
        let y = py.end - h * frac / 2;
        root.draw(&PathElement::new([(bx + 20, y), (bx + 25, y)], BLACK))?;
        root.draw(&Text::new(label, (bx + 28, y), tick.clone()))?;
    }
    let desc = TextStyle::from((FONT, 14))
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(m.scale_label, (bx + 80, (py.start + py.end) / 2), desc))?;
    if m.cells.iter().any(|v| v.is_nan()) {
        let y = py.end + 30;
        root.draw(&Rectangle::new([(bx, y - 6), (bx + 20, y + 6)], NO_DATA.filled()))?;
        root.draw(&Text::new("no data", (bx + 28, y), tick))?;
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

/// Pale yellow -> orange -> dark red: light cells read as "idle", dark as "hot".
fn ramp(t: f32) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] =
        [(255, 255, 204), (254, 217, 118), (253, 141, 60), (227, 26, 28), (128, 0, 38)];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) } * 4.0;
    let i = (t.floor() as usize).min(3);
    let (a, b, f) = (STOPS[i], STOPS[i + 1], t - i as f32);
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
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

    fn temp_dir(name: &str) -> PathBuf {
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
                Series { name: "consumed WCU", values: a, color: (31, 119, 180), filled: true },
                Series { name: "throttled writes", values: b, color: (214, 39, 40), filled: false },
            ],
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
        let map = HeatMap { cells: &[0.5; 5], ..heat(&[0.0; 12], 3) };
        assert!(draw_heat_map(&path, &map).is_err());
        assert!(!path.exists());
    }

    fn heat<'a>(cells: &'a [f32], rows: usize) -> HeatMap<'a> {
        HeatMap {
            title: "Partition heat",
            x_label: "simulated time (s)",
            y_label: "partition (hash order)",
            column_starts: &[0.0, 10.0, 20.0, 30.0],
            column_width: 10.0,
            rows,
            cells,
            scale_label: "share of partition write capacity",
        }
    }

    #[test]
    fn heat_map_contains_title_and_scale_label() {
        let path = temp_dir("heat").join("heat.svg");
        let cells: Vec<f32> = (0..12).map(|i| i as f32 / 11.0).collect();
        draw_heat_map(&path, &heat(&cells, 3)).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("Partition heat") && svg.contains("share of partition write capacity"));
        assert!(svg.contains("100%"));
    }

    #[test]
    fn heat_map_with_nan_and_out_of_range_cells_does_not_panic() {
        let dir = temp_dir("nan");
        let cells = [f32::NAN, 2.0, -1.0, f32::INFINITY, 0.5, f32::NAN, 0.0, 1.0];
        draw_heat_map(&dir.join("nan.svg"), &heat(&cells, 2)).unwrap();
        let empty = HeatMap { column_starts: &[], rows: 0, cells: &[], ..heat(&[], 0) };
        draw_heat_map(&dir.join("empty.svg"), &empty).unwrap();
        assert!(std::fs::read_to_string(dir.join("nan.svg")).unwrap().contains("no data"));
    }
}
