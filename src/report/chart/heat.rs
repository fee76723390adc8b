//! Heat maps: rows (partitions in hash-range order) against columns (time buckets), each cell
//! a share in [0, 1] drawn on a pale-to-dark colour ramp with a colour bar.

use super::{draw_error, frame, no_data_note, span, tick_format, write_svg, Area, ChartError};
use super::{DrawResult, FONT};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::path::Path;

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

const HM_SIZE: (u32, u32) = (1000, 600);
const NO_DATA: RGBColor = RGBColor(190, 190, 190);
/// Colour levels for cells; 64 are indistinguishable from continuous and let
/// neighbouring cells merge into one rectangle.
const LEVELS: f32 = 63.0;

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
        // One pixel of overlap, so anti-aliased renderers show no seams between the steps.
        let top = if i + 1 < steps { top - 1 } else { top };
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

#[cfg(test)]
mod tests {
    use super::super::tests::temp_dir;
    use super::*;

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
    #[test]
    fn mismatched_cells_error_and_leave_no_file() {
        let path = temp_dir("heat-mismatch").join("bad.svg");
        let map = HeatMap { cells: &[0.5; 5], ..heat(&[0.0; 12], 3) };
        assert!(draw_heat_map(&path, &map).is_err());
        assert!(!path.exists());
    }
}
