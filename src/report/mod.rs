//! Reports: `summary.json`, the per-second CSV, the charts, `report.html` and `summary.md` of
//! a run, written as a whole.
//!
//! Invariants: a report folder is complete or absent. Files are written into a temporary
//! sibling folder that replaces the target only once every file is written. The same run gives
//! the same bytes in every file (nothing in a report depends on the clock or the machine).
//! This layer words and draws the numbers the metrics and the summary hold; it computes no
//! model numbers of its own.

pub mod chart;
pub mod figures;
pub mod format;
pub mod html;
pub mod markdown;
pub mod summary;
pub mod verdict;

use crate::capacity::ThrottleReason;
use crate::engine::units::milli_to_units;
use crate::metrics::Metrics;
pub use figures::{draw_charts, CHARTS};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
pub use summary::Summary;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or folder could not be written.
    #[error("cannot write report {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ReportError + '_ {
    move |source| ReportError::Io { path: path.to_path_buf(), source }
}

/// The per-second time series as CSV: one row per simulated second; a column per throttling
/// reason that occurred in the run.
pub fn time_series_csv(metrics: &Metrics) -> String {
    let totals = metrics.totals();
    let reasons: Vec<ThrottleReason> =
        ThrottleReason::all().filter(|r| totals.throttled_by_reason[r.index()] > 0).collect();
    let mut csv = String::from("second,offered,attempts,succeeded,throttled,failed,read_units,write_units");
    for r in &reasons {
        csv.push_str(",throttled_");
        csv.push_str(r.code());
    }
    csv.push('\n');
    for (second, s) in metrics.seconds.iter().enumerate() {
        let _ = write!(
            csv,
            "{second},{},{},{},{},{},{},{}",
            s.offered,
            s.attempts,
            s.succeeded,
            s.throttled,
            s.failed,
            milli_to_units(s.read_milli),
            milli_to_units(s.write_milli)
        );
        for r in &reasons {
            let _ = write!(csv, ",{}", s.throttled_by_reason[r.index()]);
        }
        csv.push('\n');
    }
    csv
}

/// Writes a report into `dir` as a whole: `summary.json`, `summary.md`, `timeseries.csv`,
/// `scenario.toml`, the charts and `report.html`. On failure nothing is left at `dir` that
/// looks like a report.
pub fn write(
    dir: &Path,
    summary: &Summary,
    metrics: &Metrics,
    scenario_source: &str,
) -> Result<(), ReportError> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    let result = (|| {
        let mut json = serde_json::to_string_pretty(summary).expect("a summary always serializes");
        json.push('\n');
        let files = [
            ("summary.json", json),
            ("summary.md", markdown::render(summary)),
            ("timeseries.csv", time_series_csv(metrics)),
            ("scenario.toml", scenario_source.to_string()),
        ];
        for (file, text) in files {
            let path = staging.join(file);
            std::fs::write(&path, text).map_err(io_error(&path))?;
        }
        draw_charts(&staging, summary, metrics)?;
        let page = report_html(&staging, summary, scenario_source)?;
        let path = staging.join("report.html");
        std::fs::write(&path, page).map_err(io_error(&path))?;
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io_error(dir))?;
        }
        std::fs::rename(&staging, dir).map_err(io_error(dir))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// The HTML report, with the charts already drawn in `dir` inlined.
fn report_html(dir: &Path, summary: &Summary, scenario_source: &str) -> Result<String, ReportError> {
    let mut svgs = Vec::with_capacity(CHARTS.len());
    for (file, _) in CHARTS {
        let path = dir.join(file);
        svgs.push(std::fs::read_to_string(&path).map_err(io_error(&path))?);
    }
    let charts: Vec<html::InlineChart<'_>> = CHARTS
        .iter()
        .zip(&svgs)
        .map(|(&(file, caption), svg)| html::InlineChart { file, caption, svg })
        .collect();
    Ok(html::render(summary, &charts, scenario_source))
}
