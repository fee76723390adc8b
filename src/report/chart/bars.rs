//! Horizontal grouped bar charts: a few named categories (the hottest keys, say), each with one
//! bar per series (share of attempts, share of throttles), first category at the top.
//!
//! Horizontal, because categories are keys of any length: their labels read left of the bars
//! instead of being cut or rotated under them.

use super::{draw_error, frame, no_data_note, shorten, span, tick_format, write_svg, Area, ChartError};
use super::{DrawResult, FONT, TS_SIZE};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// One named set of bars: one value per category.
pub struct BarSeries<'a> {
    /// Shown in the legend.
    pub name: &'a str,
    /// One value per [`BarChart::categories`] entry; non-finite values draw no bar.
    pub values: &'a [f64],
    /// RGB fill colour.
    pub color: (u8, u8, u8),
}

/// A bar chart of categories against a value axis.
pub struct BarChart<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// Value axis description with unit, e.g. "% of all attempts".
    pub x_label: &'a str,
    /// Category axis description, e.g. "partition key (most attempts first)".
    pub y_label: &'a str,
    /// Category names, drawn top to bottom in this order.
    pub categories: &'a [String],
    /// Bars of each category, drawn top to bottom in this order.
    pub series: Vec<BarSeries<'a>>,
    /// Written after each bar's value, e.g. "%".
    pub value_suffix: &'a str,
}

/// Category labels longer than this are shortened, so they fit left of the plot.
const LABEL_CHARS: usize = 16;
/// Share of a category's band that its bars fill; the rest separates categories.
const BAND_FILL: f64 = 0.76;

/// Draws `chart` as a 1000x500 SVG file at `path`, legend to the right of the plot and each
/// bar's value at its end. No categories give an empty chart that says "no data".
pub fn draw_bars(path: &Path, chart: &BarChart<'_>) -> Result<(), ChartError> {
    let n = chart.categories.len();
    if let Some(s) = chart.series.iter().find(|s| s.values.len() != n) {
        let message =
            format!("series '{}' has {} values but there are {n} categories", s.name, s.values.len());
        return Err(draw_error(path, message));
    }
    write_svg(path, TS_SIZE, |root| bars(root, chart))
}

fn bars(root: &Area<'_>, c: &BarChart<'_>) -> DrawResult {
    let n = c.categories.len();
    let values = c.series.iter().flat_map(|s| s.values.iter().copied());
    let (_, hi) = span(values.chain([0.0]));
    // Room right of the longest bar for its value label.
    let x1 = if hi > 0.0 { hi * 1.15 } else { 1.0 };
    let names: Vec<String> = c.series.iter().map(|s| shorten(s.name, 28)).collect();
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let legend_w = (longest as i32 * 8 + 60).clamp(110, 290);
    let mut builder = frame(root, c.title, legend_w);
    builder.y_label_area_size(160);
    let mut ch = builder.build_cartesian_2d(0.0..x1, 0.0..n.max(1) as f64)?;
    let fx = tick_format(0.0, x1);
    ch.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(c.x_label)
        .y_desc(c.y_label)
        .x_labels(10)
        .x_label_formatter(&fx)
        .max_light_lines(1)
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(240, 240, 240))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .draw()?;
    let (px, py) = ch.plotting_area().get_pixel_range();
    if n == 0 {
        no_data_note(root, &px, &py)?;
    }
    let label = TextStyle::from((FONT, 13)).pos(Pos::new(HPos::Right, VPos::Center));
    let value = TextStyle::from((FONT, 12)).pos(Pos::new(HPos::Left, VPos::Center));
    let bar_h = BAND_FILL / c.series.len().max(1) as f64;
    for (i, category) in c.categories.iter().enumerate() {
        // Category i fills the band from n-i-1 to n-i, so the first is at the top.
        let band_top = (n - i) as f64 - (1.0 - BAND_FILL) / 2.0;
        let (_, mid) = ch.backend_coord(&(0.0, band_top - BAND_FILL / 2.0));
        root.draw(&Text::new(shorten(category, LABEL_CHARS), (px.start - 8, mid), label.clone()))?;
        for (k, s) in c.series.iter().enumerate() {
            let v = s.values[i];
            if !v.is_finite() {
                continue;
            }
            let (top, bottom) = (band_top - bar_h * k as f64, band_top - bar_h * (k + 1) as f64);
            let col = RGBColor(s.color.0, s.color.1, s.color.2);
            ch.draw_series([Rectangle::new([(0.0, top), (v.clamp(0.0, x1), bottom)], col.filled())])?;
            let (end, y) = ch.backend_coord(&(v.clamp(0.0, x1), (top + bottom) / 2.0));
            let text = format!("{v:.1}{}", c.value_suffix);
            root.draw(&Text::new(text, (end + 4, y), value.clone()))?;
        }
    }
    let (lx, mut ly) = (px.end + 18, py.start + 8);
    let legend = TextStyle::from((FONT, 14)).pos(Pos::new(HPos::Left, VPos::Center));
    for (s, name) in c.series.iter().zip(&names) {
        let col = RGBColor(s.color.0, s.color.1, s.color.2);
        root.draw(&Rectangle::new([(lx, ly - 6), (lx + 24, ly + 6)], col.filled()))?;
        root.draw(&Text::new(name.as_str(), (lx + 32, ly), legend.clone()))?;
        ly += 22;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{temp_dir, texts};
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| if i == 3 { "a-very-long-partition-key-value".into() } else { i.to_string() })
            .collect()
    }

    #[test]
    fn bars_carry_title_categories_values_and_legend() {
        let path = temp_dir("bars").join("bars.svg");
        let categories = keys(10);
        let attempts: Vec<f64> = (0..10).map(|i| 40.0 / (i + 1) as f64).collect();
        let throttles: Vec<f64> = (0..10).map(|i| if i == 0 { 80.0 } else { 2.0 }).collect();
        let chart = BarChart {
            title: "Hot keys",
            x_label: "% of all attempts or throttles",
            y_label: "partition key",
            categories: &categories,
            series: vec![
                BarSeries { name: "share of attempts", values: &attempts, color: (31, 119, 180) },
                BarSeries { name: "share of throttles", values: &throttles, color: (214, 39, 40) },
            ],
            value_suffix: "%",
        };
        draw_bars(&path, &chart).unwrap();
        let texts = texts(&std::fs::read_to_string(&path).unwrap());
        for text in
            ["Hot keys", "share of attempts", "share of throttles", "80.0%", "40.0%", "a-very-long-par…"]
        {
            assert!(texts.iter().any(|t| t == text), "missing {text} in {texts:?}");
        }
        assert_eq!(texts.iter().filter(|t| t.ends_with('%')).count(), 20, "a value label per bar");
    }

    #[test]
    fn no_categories_draw_an_empty_chart_and_mismatches_fail() {
        let dir = temp_dir("bars-empty");
        let chart = BarChart {
            title: "Hot keys",
            x_label: "%",
            y_label: "key",
            categories: &[],
            series: vec![BarSeries { name: "attempts", values: &[], color: (0, 0, 0) }],
            value_suffix: "%",
        };
        draw_bars(&dir.join("empty.svg"), &chart).unwrap();
        assert!(std::fs::read_to_string(dir.join("empty.svg")).unwrap().contains("no data"));
        let categories = keys(2);
        let bad = BarChart { categories: &categories, ..chart };
        assert!(draw_bars(&dir.join("bad.svg"), &bad).is_err());
        assert!(!dir.join("bad.svg").exists());
    }
}
