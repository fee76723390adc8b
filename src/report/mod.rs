//! Reports: `summary.json`, the per-second CSV and the charts of a run, written as a whole.
//!
//! Invariant: a report folder is complete or absent. Files are written into a temporary
//! sibling folder that replaces the target only once every file is written.

pub mod chart;
pub mod expectations;
pub mod junit;
pub mod summary;
pub mod table;

use crate::capacity::ThrottleReason;
use crate::engine::units::milli_to_units;
use crate::metrics::Metrics;
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

/// Draws the charts of a run into `dir`.
pub fn draw_charts(dir: &Path, metrics: &Metrics) -> Result<(), ReportError> {
    let x: Vec<f64> = (0..metrics.seconds.len()).map(|s| s as f64).collect();
    let succeeded: Vec<f64> = metrics.seconds.iter().map(|s| s.succeeded as f64).collect();
    let throttled: Vec<f64> = metrics.seconds.iter().map(|s| s.throttled as f64).collect();
    chart::draw_time_series(
        &dir.join("requests.svg"),
        &chart::TimeSeriesChart {
            title: "Succeeded requests and throttled attempts per second",
            x_label: "simulated time (s)",
            y_label: "per second",
            x: &x,
            series: vec![
                chart::Series {
                    name: "succeeded requests",
                    values: &succeeded,
                    color: (31, 119, 180),
                    filled: false,
                },
                chart::Series {
                    name: "throttled attempts",
                    values: &throttled,
                    color: (214, 39, 40),
                    filled: true,
                },
            ],
        },
    )?;
    let read: Vec<f64> = metrics.seconds.iter().map(|s| milli_to_units(s.read_milli)).collect();
    let write: Vec<f64> = metrics.seconds.iter().map(|s| milli_to_units(s.write_milli)).collect();
    chart::draw_time_series(
        &dir.join("consumed.svg"),
        &chart::TimeSeriesChart {
            title: "Consumed capacity per second",
            x_label: "simulated time (s)",
            y_label: "capacity units per second",
            x: &x,
            series: vec![
                chart::Series { name: "read units", values: &read, color: (44, 160, 44), filled: false },
                chart::Series { name: "write units", values: &write, color: (255, 127, 14), filled: false },
            ],
        },
    )?;
    Ok(())
}

/// Writes a report into `dir` as a whole: `summary.json`, `timeseries.csv`, `scenario.toml`
/// and the charts. On failure nothing is left at `dir` that looks like a report.
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
            ("timeseries.csv", time_series_csv(metrics)),
            ("scenario.toml", scenario_source.to_string()),
        ];
        for (file, text) in files {
            let path = staging.join(file);
            std::fs::write(&path, text).map_err(io_error(&path))?;
        }
        draw_charts(&staging, metrics)?;
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
