//! `ddbsim check`: the CI gate. Runs every scenario and variant once (at its seed, or 0 when it
//! has none, so that a gate is reproducible), evaluates `[expect]`, compares with a baseline
//! file, prints a Markdown table (for `$GITHUB_STEP_SUMMARY`) and optionally JUnit XML.
//! Exit 0 when everything holds, 1 when an expectation or a baseline figure fails, 2 on bad
//! input.

use super::compare::{in_pool, load_all};
use super::{bad_input, EXIT_FAILED};
use crate::experiment::baseline::{self, Baseline, Entry, FigureCheck, Tolerances};
use crate::experiment::{self, Job};
use crate::report::{junit, table, Summary};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Seed of a checked scenario that gives none.
pub const DEFAULT_CHECK_SEED: u64 = 0;

/// Flags of `ddbsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML); each one's variants are checked too.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Baseline file (JSON) to compare each run's figures with.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Record this check's figures in the baseline file instead of comparing with it (other
    /// scenarios' entries are kept).
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Relative tolerance of a baseline figure, a fraction of the baseline value.
    #[arg(long, default_value_t = 0.10, value_name = "FRACTION")]
    rel_tolerance: f64,
    /// Absolute tolerance of one figure (throttle_ratio, failed, p99_latency_ms,
    /// cost_per_month_usd); defaults 0.001, 10, 1, 0.01.
    #[arg(long = "abs-tolerance", value_name = "FIGURE=VALUE")]
    abs_tolerance: Vec<String>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
}

/// What one run gave: its summary and the baseline comparison, if one was made.
struct Checked<'a> {
    file: &'a Path,
    summary: Summary,
    baseline: Option<Vec<FigureCheck>>,
}

fn tolerances(args: &CheckArgs) -> Result<Tolerances, String> {
    let mut t = Tolerances::default();
    if !(args.rel_tolerance.is_finite() && args.rel_tolerance >= 0.0) {
        return Err(format!("--rel-tolerance must be a fraction of 0 or more, got {}", args.rel_tolerance));
    }
    t.relative = args.rel_tolerance;
    for a in &args.abs_tolerance {
        let (figure, value) =
            a.split_once('=').ok_or_else(|| format!("--abs-tolerance {a}: expected FIGURE=VALUE"))?;
        let value = value.trim().parse::<f64>().map_err(|_| format!("--abs-tolerance {a}: not a number"))?;
        t.set_absolute(figure.trim(), value).map_err(|e| format!("--abs-tolerance {a}: {e}"))?;
    }
    Ok(t)
}

fn read_baseline(args: &CheckArgs) -> Result<Option<Baseline>, String> {
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Baseline::parse(&text).map(Some).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.update_baseline => {
            Ok(Some(Baseline { ddbsim_baseline: baseline::FORMAT_VERSION, ..Baseline::default() }))
        }
        Err(e) => {
            Err(format!("{}: cannot read baseline: {e} (create it with --update-baseline)", path.display()))
        }
    }
}

pub(super) fn run(args: &CheckArgs) -> ExitCode {
    let (tolerances, mut stored) = match tolerances(args).and_then(|t| Ok((t, read_baseline(args)?))) {
        Ok(found) => found,
        Err(message) => return bad_input(message),
    };
    let scenarios = match load_all(&args.scenarios) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let runs: Vec<(&Path, &Scenario)> = args
        .scenarios
        .iter()
        .zip(&scenarios)
        .flat_map(|(file, s)| s.runs().map(move |r| (file.as_path(), r)))
        .collect();
    let mut labels = std::collections::BTreeSet::new();
    if let Some((_, dup)) = runs.iter().find(|(_, r)| !labels.insert(r.label())) {
        return bad_input(format!("two runs are called \"{}\": scenario names must differ", dup.label()));
    }
    let jobs: Vec<Job<'_>> =
        runs.iter().map(|(_, s)| Job { scenario: s, seed: s.seed.unwrap_or(DEFAULT_CHECK_SEED) }).collect();
    let summaries = match in_pool(args.threads, || experiment::summaries(&jobs)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let comparing = stored.is_some() && !args.update_baseline;
    let compare_with = stored.as_ref().filter(|_| comparing);
    let checked: Vec<Checked<'_>> = runs
        .iter()
        .zip(summaries)
        .map(|((file, s), summary)| {
            let baseline = compare_with
                .and_then(|b| b.runs.get(&s.label()))
                .map(|entry| baseline::compare(&Entry::of(&summary), entry, &tolerances));
            Checked { file, summary, baseline }
        })
        .collect();
    let mut notes = Vec::new();
    if let (Some(b), Some(path)) = (stored.as_mut().filter(|_| args.update_baseline), &args.baseline) {
        for c in &checked {
            b.runs.insert(label(&c.summary), Entry::of(&c.summary));
        }
        if let Err(e) = std::fs::write(path, b.to_json()) {
            return bad_input(format!("{}: cannot write baseline: {e}", path.display()));
        }
        notes.push(format!("baseline {} updated with {} run(s)", path.display(), checked.len()));
    } else if comparing {
        for c in checked.iter().filter(|c| c.baseline.is_none()) {
            notes.push(format!(
                "`{}` is not in the baseline: record it with --update-baseline",
                label(&c.summary)
            ));
        }
    }
    if let Some(path) = &args.junit {
        if let Err(e) = std::fs::write(path, junit::xml("ddbsim check", &suites(&checked))) {
            return bad_input(format!("{}: cannot write JUnit XML: {e}", path.display()));
        }
    }
    let failures = failures(&checked);
    let no_comparison = match (comparing, args.update_baseline) {
        (true, _) => "new",
        (false, true) => "recorded",
        (false, false) => "-",
    };
    print!("{}", markdown(&checked, no_comparison, &failures, &notes));
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

fn label(s: &Summary) -> String {
    match &s.variant {
        Some(v) => format!("{}/{v}", s.scenario),
        None => s.scenario.clone(),
    }
}

/// Every failed assertion, readable, in run order.
fn failures(checked: &[Checked<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for c in checked {
        let run = label(&c.summary);
        for e in c.summary.expectations.iter().filter(|e| !e.passed) {
            out.push(format!("`{run}` expectation {e}"));
        }
        for f in c.baseline.iter().flatten().filter(|f| !f.passed) {
            out.push(format!("`{run}` baseline {f}"));
        }
    }
    out
}

/// The JUnit suites: one per scenario file, a test case per run, per expectation and per
/// baseline figure.
fn suites(checked: &[Checked<'_>]) -> Vec<junit::Suite> {
    let mut suites: Vec<junit::Suite> = Vec::new();
    for c in checked {
        let file = c.file.display().to_string();
        if suites.last().is_none_or(|s| s.file != file) {
            suites.push(junit::Suite { name: c.summary.scenario.clone(), file, cases: Vec::new() });
        }
        let Some(suite) = suites.last_mut() else { continue };
        let classname = label(&c.summary);
        let case = |name: String, failure: Option<String>| junit::Case {
            name,
            classname: classname.clone(),
            failure,
        };
        suite.cases.push(case("run".into(), None));
        for e in &c.summary.expectations {
            suite.cases.push(case(format!("expect {}", e.name), (!e.passed).then(|| e.to_string())));
        }
        for f in c.baseline.iter().flatten() {
            suite.cases.push(case(format!("baseline {}", f.figure), (!f.passed).then(|| f.to_string())));
        }
    }
    suites
}

/// The Markdown report: a table of runs, then failures and notes.
/// `no_comparison` fills the baseline column of a run that was not compared.
fn markdown(checked: &[Checked<'_>], no_comparison: &str, failures: &[String], notes: &[String]) -> String {
    let header =
        ["scenario", "variant", "throttle ratio", "failed", "p99 ms", "$/month", "expect", "baseline"];
    let rows: Vec<Vec<String>> = checked
        .iter()
        .map(|c| {
            let s = &c.summary;
            let passed = s.expectations.iter().filter(|e| e.passed).count();
            let expect = match s.expectations.len() {
                0 => "-".to_string(),
                n => format!("{passed}/{n} passed"),
            };
            let baseline = match &c.baseline {
                None => no_comparison.to_string(),
                Some(f) if f.iter().all(|f| f.passed) => "ok".to_string(),
                Some(f) => format!("{} regressed", f.iter().filter(|f| !f.passed).count()),
            };
            vec![
                s.scenario.clone(),
                s.variant.clone().unwrap_or_else(|| "-".into()),
                format!("{:.4}", s.throttle_ratio),
                s.requests.failed.to_string(),
                format!("{:.1}", s.latency_ms.p99),
                format!("{:.2}", crate::report::expectations::cost_per_month_usd(s)),
                expect,
                baseline,
            ]
        })
        .collect();
    let mut out = table::markdown_table(&header, &rows, 2);
    if !(failures.is_empty() && notes.is_empty()) {
        out.push('\n');
    }
    for f in failures {
        out.push_str(&format!("- FAILED {f}\n"));
    }
    for n in notes {
        out.push_str(&format!("- note: {n}\n"));
    }
    let assertions: usize =
        checked.iter().map(|c| c.summary.expectations.len() + c.baseline.as_ref().map_or(0, Vec::len)).sum();
    out.push_str(&match failures.len() {
        0 => format!("\n**check passed**: {assertions} assertion(s) held in {} run(s)\n", checked.len()),
        n => format!(
            "\n**check failed**: {n} of {assertions} assertion(s) failed in {} run(s)\n",
            checked.len()
        ),
    });
    out
}
