//! Reports: `summary.json`, the per-second CSV, the charts, `report.html` and `summary.md` of
//! a run, written as a whole.
//!
//! Invariants: a report folder is complete or absent. Files are written into a temporary
//! sibling folder that replaces the target only once every file is written. The same run gives
//! the same bytes in every file (nothing in a report depends on the clock or the machine).
//! This layer words and draws the numbers the metrics and the summary hold; it computes no
//! model numbers of its own.

pub mod chart;
pub mod cost_figures;
pub mod cost_table;
pub mod expectations;
pub mod figures;
pub mod format;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod overlay;
pub mod summary;
pub mod table;
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
/// reason that occurred in the run; for a table with global indexes, their units
/// (`index_read_units`, `index_write_units`: consumed from the indexes' own capacity, not in
/// `read_units` and `write_units`, which are the table's).
pub fn time_series_csv(metrics: &Metrics) -> String {
    let totals = metrics.totals();
    let indexes = !metrics.indexes.is_empty();
    let reasons: Vec<ThrottleReason> =
        ThrottleReason::all().filter(|r| totals.throttled_by_reason[r.index()] > 0).collect();
    let mut csv = String::from(
        "second,offered,attempts,succeeded,throttled,failed,read_units,write_units,partitions,read_ceiling_units,write_ceiling_units",
    );
    if indexes {
        csv.push_str(",index_read_units,index_write_units");
    }
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
        match metrics.table_states.get(second).or(metrics.table_states.last()) {
            Some(t) => {
                let _ = write!(csv, ",{},{},{}", t.partitions, t.read_ceiling_units, t.write_ceiling_units);
            }
            None => csv.push_str(",,,"),
        }
        if indexes {
            let _ = write!(
                csv,
                ",{},{}",
                milli_to_units(s.index_read_milli),
                milli_to_units(s.index_write_milli)
            );
        }
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

/// A tiny seeded run that the report tests share: a Zipf-hot key over two partitions, so that
/// one partition throttles and requests fail.
#[cfg(test)]
pub(crate) mod fixture {
    use super::Summary;
    use crate::metrics::{Metrics, MetricsConfig};

    /// The scenario; its comment carries markup that reports must escape.
    pub const SCENARIO: &str = r#"# A tiny hot key. <script>alert("boo")</script> & co.
name = "tiny"
duration = "3s"
seed = 5

[table]
name = "T"
partition_key = "pk"
read_capacity = 12000
write_capacity = 100
initial_partitions = 2

[[workload]]
name = "reads"
operation = "get"
consistency = "strong"
rate = 8000
[workload.attributes]
pk = { distribution = "zipf", count = 1000, exponent = 1.2 }

[client]
retry = "none"
"#;

    /// Runs [`SCENARIO`] and returns its summary and metrics.
    pub fn run() -> (Summary, Metrics) {
        let scenario = crate::scenario::parse(std::path::Path::new("tiny.toml"), SCENARIO).unwrap();
        let mut metrics = Metrics::new(MetricsConfig::for_run(&scenario.config));
        let out = crate::sim::run(&scenario.config, 5, &mut metrics, &mut |_| {});
        metrics.record_partition_starts(out.table.partitions().iter().map(|p| (p.id(), p.start())));
        let prices = &crate::cost::US_EAST_1_STANDARD;
        (super::summary::build(&scenario, 5, &metrics, &out, prices), metrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ddbsim-report-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const FILES: [&str; 15] = [
        "consumed.svg",
        "cost.svg",
        "cost_options.svg",
        "heatmap_read.svg",
        "heatmap_write.svg",
        "hot_keys.svg",
        "latency.svg",
        "partitions.svg",
        "report.html",
        "requests.svg",
        "scenario.toml",
        "summary.json",
        "summary.md",
        "throttles.svg",
        "timeseries.csv",
    ];

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_report_has_every_file_and_the_same_run_gives_the_same_bytes() {
        let (summary, metrics) = fixture::run();
        assert!(summary.requests.failed > 0 && summary.requests.throttled > 0, "{:?}", summary.requests);
        let base = temp_dir("twice");
        let (a, b) = (base.join("a"), base.join("b"));
        write(&a, &summary, &metrics, fixture::SCENARIO).unwrap();
        write(&b, &summary, &metrics, fixture::SCENARIO).unwrap();
        assert_eq!(listing(&a), FILES);
        assert_eq!(listing(&base), ["a", "b"], "no staging folder left behind");
        for file in FILES {
            assert!(std::fs::read(a.join(file)).unwrap() == std::fs::read(b.join(file)).unwrap(), "{file}");
        }
        // Writing again over a report replaces it whole.
        write(&a, &summary, &metrics, "changed").unwrap();
        assert_eq!(std::fs::read_to_string(a.join("scenario.toml")).unwrap(), "changed");
    }

    #[test]
    fn the_html_report_is_self_contained_and_has_every_section() {
        let (summary, metrics) = fixture::run();
        let dir = temp_dir("html").join("tiny");
        write(&dir, &summary, &metrics, fixture::SCENARIO).unwrap();
        let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let verdict = page.find("id=\"verdict\"").expect("a verdict");
        assert!(verdict < page.find("<svg").unwrap(), "the verdict comes first");
        for text in ["Throttle ratio", "Hottest partition", "Failed requests", "On demand, per month"] {
            assert!(page[verdict..].contains(text), "verdict lacks {text}");
        }
        for (file, _) in CHARTS {
            let id = format!("<figure id=\"{}\">\n<svg", file.trim_end_matches(".svg"));
            assert!(page.contains(&id), "{file} is not inlined");
        }
        assert_eq!(page.matches("<svg").count(), CHARTS.len());
        let keys = page.find("id=\"hot-keys\"").unwrap();
        assert!(page[keys..].contains("<td class=\"key\">0</td>"), "the hottest key is listed");
        assert!(page.contains("id=\"hot-partitions\""));
        assert!(
            page.contains("# A tiny hot key. &lt;script&gt;alert(&quot;boo&quot;)&lt;/script&gt; &amp; co.")
        );
        assert!(!page.contains("<script") && !page.contains("<link") && !page.contains(" src="));
        let outside_svg_namespaces = page
            .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
            .replace("xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "");
        assert!(!outside_svg_namespaces.contains("http"), "an external URL");
    }

    #[test]
    fn the_markdown_summary_is_short_and_names_the_hot_keys() {
        let (summary, metrics) = fixture::run();
        let dir = temp_dir("md").join("tiny");
        write(&dir, &summary, &metrics, fixture::SCENARIO).unwrap();
        let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
        assert!(md.lines().count() < 25, "{md}");
        assert!(md.starts_with("### ddbsim: tiny (seed 5, 3 s simulated)\n"), "{md}");
        assert!(md.contains("❌ **") && md.contains("| Throttle ratio |"));
        assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), 3, "three hot keys");
        assert!(md.contains("| `0` |"), "{md}");
    }

    #[test]
    fn a_failed_write_leaves_no_report_and_no_staging_folder() {
        let (summary, metrics) = fixture::run();
        let base = temp_dir("fail");
        // The parent is a file: nothing can be created.
        let file = base.join("file");
        std::fs::write(&file, "not a folder").unwrap();
        assert!(write(&file.join("report"), &summary, &metrics, fixture::SCENARIO).is_err());
        // The target is a file: every file is staged, then replacing the target fails.
        let err = write(&file, &summary, &metrics, fixture::SCENARIO).unwrap_err();
        assert!(matches!(err, ReportError::Io { .. }), "{err}");
        assert_eq!(listing(&base), ["file"], "no report, no staging folder");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    }
}
