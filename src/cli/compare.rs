//! `ddbsim compare`: every scenario and every `[[variant]]` in them, run in parallel and ranked
//! best first (ranking rules in `experiment::rank`). Also the helpers that `sweep` and `check`
//! share: loading many scenarios, a thread pool of a chosen size, root seeds, row cells.

use super::{bad_input, fresh_seed, replaceable_report_dir, EXIT_BAD_INPUT};
use crate::experiment::{self, rank, Job};
use crate::report::{self, table};
use crate::scenario::{self, Scenario};
use std::path::PathBuf;
use std::process::ExitCode;

/// How many runs, from which seed, on how many workers: shared by `compare` and `sweep`.
#[derive(Debug, clap::Args)]
pub(super) struct RunFlags {
    /// Runs per row, with seeds derived from the root seed; with 2 or more, figures are means
    /// with 95% confidence intervals.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub(super) seeds: u32,
    /// Root seed, overriding the scenarios'.
    #[arg(long)]
    pub(super) seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(super) threads: Option<u32>,
}

/// Flags of `ddbsim compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario files (TOML); each one's variants are compared too.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Print the rows as a JSON array, best first.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    runs: RunFlags,
    /// Also write each row's report (of its first seed) into DIR/<scenario>[.<variant>], and
    /// DIR/compare.svg: every row's throttled attempts per second on one chart.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Loads every scenario, printing every error; `Err` carries the exit code.
pub(super) fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, ExitCode> {
    let mut loaded = Vec::new();
    let mut failed = false;
    for path in paths {
        match scenario::load(path) {
            Ok(s) => loaded.push(s),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        Err(ExitCode::from(EXIT_BAD_INPUT))
    } else {
        Ok(loaded)
    }
}

/// Runs `f` on a rayon pool of `threads` workers, or on the global pool (one per core).
pub(super) fn in_pool<R: Send>(threads: Option<u32>, f: impl FnOnce() -> R + Send) -> Result<R, ExitCode> {
    match threads {
        None => Ok(f()),
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n as usize).build() {
            Ok(pool) => Ok(pool.install(f)),
            Err(e) => Err(bad_input(format!("--threads {n}: cannot start the workers: {e}"))),
        },
    }
}

/// The root seed of a run: `--seed`, else the scenario's, else `fallback`.
pub(super) fn root_seed(flag: Option<u64>, scenario: &Scenario, fallback: &mut Option<u64>) -> u64 {
    flag.or(scenario.seed).unwrap_or_else(|| {
        *fallback.get_or_insert_with(|| {
            let s = fresh_seed();
            eprintln!("a scenario gives no seed; using --seed {s}");
            s
        })
    })
}

/// The cells of a row's figures: a mean, with `±` half the 95% interval when there is one.
pub(super) fn figure_cells(row: &rank::Row) -> Vec<String> {
    let decimals = [4, 1, 1, 2, 2];
    row.estimates
        .iter()
        .zip(decimals)
        .enumerate()
        .map(|(i, (e, d))| {
            let scale = if i == 1 { 100.0 } else { 1.0 };
            let mut cell = format!("{:.d$}", e.mean * scale);
            if e.ci95.is_some() {
                cell.push_str(&format!(" ±{:.d$}", e.half_width() * scale));
            }
            if i == 1 {
                cell.push('%');
            }
            cell
        })
        .collect()
}

/// Headers of [`figure_cells`].
pub(super) const FIGURE_HEADERS: [&str; 5] =
    ["throttle ratio", "hottest partition", "p99 ms", "on-demand $/month", "provisioned $/month"];

pub(super) fn run(args: &CompareArgs) -> ExitCode {
    let scenarios = match load_all(&args.scenarios) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let runs: Vec<&Scenario> = scenarios.iter().flat_map(Scenario::runs).collect();
    let n = args.runs.seeds as usize;
    let mut fallback = None;
    let jobs: Vec<Job<'_>> = runs
        .iter()
        .flat_map(|s| {
            let root = root_seed(args.runs.seed, s, &mut fallback);
            experiment::seeds(root, n).into_iter().map(move |seed| Job { scenario: s, seed })
        })
        .collect();
    let dirs: Vec<Option<PathBuf>> = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let dir = args.out.as_ref().filter(|_| i % n == 0)?;
            Some(dir.join(super::report_name(job.scenario)))
        })
        .collect();
    if let Some(message) = dirs.iter().flatten().find_map(|d| replaceable_report_dir(d).err()) {
        return bad_input(message);
    }
    let finish = |i: usize, summary: report::Summary, metrics: crate::metrics::Metrics| {
        let written = match &dirs[i] {
            Some(dir) => {
                report::write(dir, &summary, &metrics, &jobs[i].scenario.source).map_err(|e| e.to_string())
            }
            None => Ok(()),
        };
        // The overlay chart needs each row's first run only.
        let kept = dirs[i].is_some().then_some(metrics);
        (summary, written, kept)
    };
    let results = match in_pool(args.runs.threads, || experiment::run_all(&jobs, finish)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut summaries = Vec::with_capacity(results.len());
    let mut overlay = Vec::new();
    for (summary, written, kept) in results {
        if let Err(message) = written {
            return bad_input(message);
        }
        if let Some(metrics) = kept {
            overlay.push((report_label(&summary), metrics));
        }
        summaries.push(summary);
    }
    if let Some(dir) = &args.out {
        if let Err(message) = draw_overlay(dir, &overlay) {
            return bad_input(message);
        }
    }
    let rows = rank::rank(summaries.chunks(n).map(rank::row).collect());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows always serialize"));
    } else {
        print!("{}", text(&rows, n));
    }
    ExitCode::SUCCESS
}

fn report_label(s: &report::Summary) -> String {
    match &s.variant {
        Some(v) => format!("{}/{v}", s.scenario),
        None => s.scenario.clone(),
    }
}

/// `compare.svg`: every row's throttled attempts per second, one line each.
fn draw_overlay(dir: &std::path::Path, runs: &[(String, crate::metrics::Metrics)]) -> Result<(), String> {
    let metrics: Vec<&crate::metrics::Metrics> = runs.iter().map(|(_, m)| m).collect();
    let (x, series) = report::overlay::throttled_per_second(&metrics);
    let lines: Vec<(String, Vec<f64>)> = runs.iter().map(|(label, _)| label.clone()).zip(series).collect();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("compare.svg");
    report::overlay::draw_lines(
        &path,
        "Throttled attempts per second, each design",
        "simulated time (s)",
        "throttled attempts per second",
        &x,
        &lines,
    )
    .map_err(|e| e.to_string())
}

/// The ranking as a table, with how it was ranked.
fn text(rows: &[rank::Row], seeds: usize) -> String {
    let mut header = vec!["rank", "scenario", "variant"];
    header.extend(FIGURE_HEADERS);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mark = if r.overlaps_previous == Some(true) { "~" } else { "" };
            let mut cells = vec![
                format!("{}{mark}", r.rank.unwrap_or(0)),
                r.scenario.clone(),
                r.variant.clone().unwrap_or_else(|| "-".into()),
            ];
            cells.extend(figure_cells(r));
            cells
        })
        .collect();
    let mut out = table::text_table(&header, &cells, 3);
    out.push_str("ranked by throttle ratio, then p99 latency, then provisioned cost per month");
    if seeds > 1 {
        out.push_str(&format!(
            ";\nmeans of {seeds} seeds ± half the 95% confidence interval; ~ marks a row whose \
             throttle-ratio interval overlaps the row above (not distinguishable)"
        ));
    }
    out.push('\n');
    out
}
