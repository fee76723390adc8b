//! The command line: subcommands, exit codes and progress bars. No model logic lives here.
//!
//! Exit codes (DESIGN.md): 0 success, 1 an expectation or baseline check failed, 2 bad input.

mod advise;
mod check;
mod compare;
pub mod cost;
mod progress;
mod sweep;
mod units;

use crate::metrics::Metrics;
use crate::report;
use crate::scenario::{self, Scenario};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for a failed expectation or baseline comparison.
pub const EXIT_FAILED: u8 = 1;

/// ddbsim: simulate a DynamoDB table's partitions, capacity and throttling before you deploy it.
#[derive(Debug, Parser)]
#[command(name = "ddbsim", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one scenario and write its report (summary.json, timeseries.csv, charts).
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Report folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Root seed, overriding the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Run this [[variant]] of the scenario.
        #[arg(long)]
        variant: Option<String>,
    },
    /// Parse and validate scenarios without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// The capacity units of one operation, by DynamoDB's rules (MODEL.md §1.3).
    Units(units::UnitsArgs),
    /// The scenario's traffic priced under every billing option, each from a run of its own.
    Cost(cost::CostArgs),
    /// Run scenarios and every [[variant]] in them in parallel, and rank them side by side.
    Compare(compare::CompareArgs),
    /// Run a grid of overrides of one scenario in parallel.
    Sweep(sweep::SweepArgs),
    /// CI gate: evaluate [expect] and compare with a baseline; exit 1 on any failure.
    Check(check::CheckArgs),
    /// Write-sharding advisor: the smallest shard count of the partition key that removes
    /// key-range throttling, and its read fan-out cost.
    Advise(advise::AdviseArgs),
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(EXIT_BAD_INPUT) } else { ExitCode::SUCCESS };
        }
    };
    match args.command {
        Command::Run { scenario, out, seed, variant } => run(&scenario, out, seed, variant.as_deref()),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Units(args) => units::run(&args),
        Command::Cost(args) => cost::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Sweep(args) => sweep::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Advise(args) => advise::run(&args),
    }
}

fn bad_input(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn validate(paths: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for path in paths {
        match scenario::load(path) {
            Ok(s) if s.variants.is_empty() => println!("{}: ok ({})", path.display(), s.name),
            Ok(s) => {
                println!("{}: ok ({}; variants: {})", path.display(), s.name, s.variant_names().join(", "))
            }
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    if failed {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

/// A seed for a run whose scenario and flags give none: derived from the wall clock, printed
/// so the run can be reproduced.
#[allow(clippy::disallowed_methods, reason = "an unseeded run takes its seed from the clock, and prints it")]
fn fresh_seed() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    crate::rng::mix64(nanos as u64) >> 1
}

fn run(path: &std::path::Path, out: Option<PathBuf>, seed: Option<u64>, variant: Option<&str>) -> ExitCode {
    let scenario = match scenario::load(path) {
        Ok(s) => s,
        Err(e) => return bad_input(e),
    };
    let scenario = match variant {
        None => scenario,
        Some(v) => match scenario.variant_named(v) {
            Some(chosen) => chosen.clone(),
            None => return bad_input(unknown_variant(path, &scenario, v)),
        },
    };
    let seed = match seed.or(scenario.seed) {
        Some(s) => s,
        None => {
            let s = fresh_seed();
            eprintln!("no seed given; using --seed {s}");
            s
        }
    };
    let dir = out.unwrap_or_else(|| default_report_dir(&scenario));
    if let Err(message) = replaceable_report_dir(&dir) {
        return bad_input(message);
    }
    let (summary, metrics) = simulate(&scenario, seed);
    if let Err(e) = report::write(&dir, &summary, &metrics, &scenario.source) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    print!("{}", human_summary(&summary, &scenario, &dir));
    print!("{}", report::expectations::lines(&summary.expectations));
    if summary.expectations.iter().all(|e| e.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

/// Where a run writes its report by default: `reports/<scenario>` or, for a variant,
/// `reports/<scenario>.<variant>`.
fn default_report_dir(scenario: &Scenario) -> PathBuf {
    PathBuf::from("reports").join(report_name(scenario))
}

/// The name of a run's report folder: `<scenario>` or `<scenario>.<variant>`.
fn report_name(scenario: &Scenario) -> String {
    match &scenario.variant {
        Some(v) => format!("{}.{v}", scenario.name),
        None => scenario.name.clone(),
    }
}

/// The message for `--variant NAME` when the scenario has no such variant.
fn unknown_variant(path: &std::path::Path, scenario: &Scenario, name: &str) -> String {
    let names = scenario.variant_names();
    if names.is_empty() {
        return format!("{}: no [[variant]] named \"{name}\" (this scenario defines none)", path.display());
    }
    let hint = scenario::validate::nearest(name, &names)
        .map(|n| format!(" (did you mean \"{n}\"?)"))
        .unwrap_or_default();
    let list = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    format!("{}: no [[variant]] named \"{name}\"{hint}; valid variants: {list}", path.display())
}

/// A report replaces its folder as a whole (`report::write` deletes what was there), so only a
/// folder that is absent, empty or an earlier report may be the target: `--out .` must never
/// wipe a working copy.
fn replaceable_report_dir(dir: &std::path::Path) -> Result<(), String> {
    if !dir.exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
    if dir.is_dir() && (empty || dir.join("summary.json").is_file()) {
        return Ok(());
    }
    Err(format!(
        "--out {}: refusing to replace it, as it is not a ddbsim report (no summary.json); \
         choose a new or empty folder",
        dir.display()
    ))
}

/// Runs a scenario with a progress bar on stderr (shown only after a second, and only on a
/// terminal) and returns its summary and metrics.
pub fn simulate(scenario: &Scenario, seed: u64) -> (report::Summary, Metrics) {
    let mut bar = progress::Progress::new(scenario.config.duration_us);
    let result = crate::experiment::run_with_progress(scenario, seed, &mut |now| bar.update(now));
    bar.finish();
    result
}

fn human_summary(s: &report::Summary, scenario: &Scenario, dir: &std::path::Path) -> String {
    let ceiling = match scenario.config.billing {
        crate::capacity::BillingMode::Provisioned { .. } => "provisioned",
        crate::capacity::BillingMode::OnDemand { .. } => "on-demand ceiling at the end",
    };
    use std::fmt::Write as _;
    let mut o = String::new();
    let r = &s.requests;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let secs = s.simulated_seconds.max(1) as f64;
    let variant = s.variant.as_ref().map(|v| format!(", variant {v}")).unwrap_or_default();
    let _ = writeln!(
        o,
        "{}{variant} (seed {}): {} s simulated, {} partition(s) at the start, {} at the end ({} splits)",
        s.scenario,
        s.seed,
        s.simulated_seconds,
        s.partitions.initial,
        s.partitions.final_count,
        s.partitions.splits
    );
    if let Some(p) = &s.preload {
        let gb = p.bytes as f64 / (1u64 << 30) as f64;
        let _ = writeln!(o, "  preload    {} items, {gb:.2} GB stored before time zero", p.items);
    }
    let _ = writeln!(
        o,
        "  requests   {} offered, {} succeeded, {} failed ({:.2}%)",
        r.offered,
        r.succeeded,
        r.failed,
        pct(r.failed, r.offered)
    );
    let _ = writeln!(
        o,
        "  attempts   {} made, {} throttled ({:.2}%)",
        r.attempts,
        r.throttled,
        pct(r.throttled, r.attempts)
    );
    for (reason, count) in &s.throttles_by_reason {
        let _ = writeln!(o, "             {count} {reason}");
    }
    // The table's own units against its capacity; each global index's against its own.
    let (index_read, index_write) = s
        .indexes
        .iter()
        .filter_map(|i| i.consumed.as_ref())
        .fold((0.0, 0.0), |(r, w), c| (r + c.read_units, w + c.write_units));
    let _ = writeln!(
        o,
        "  consumed   {:.1} RCU/s of {} {ceiling}, {:.1} WCU/s of {}",
        (s.consumed.read_units - index_read) / secs,
        s.capacity.final_read_capacity,
        (s.consumed.write_units - index_write) / secs,
        s.capacity.final_write_capacity
    );
    for ix in &s.indexes {
        if let Some(c) = &ix.consumed {
            let of = |cap: Option<u64>| cap.map_or(String::new(), |c| format!(" of {c}"));
            let _ = writeln!(
                o,
                "  index      {}: {:.1} RCU/s{}, {:.1} WCU/s{}",
                ix.name,
                c.read_units / secs,
                of(ix.provisioned_read_capacity),
                c.write_units / secs,
                of(ix.provisioned_write_capacity)
            );
        }
    }
    let _ = writeln!(
        o,
        "  latency    p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        s.latency_ms.p50, s.latency_ms.p99, s.latency_ms.max
    );
    if let Some(p) = s.hot_partitions.first() {
        let _ = writeln!(
            o,
            "  hottest    partition {} took {:.1}% of attempts ({} throttled)",
            p.id,
            100.0 * p.share_of_attempts,
            p.throttled
        );
    }
    if let Some(k) = s.hot_keys.first() {
        let _ = writeln!(
            o,
            "             key {} took {:.1}% of attempts ({} throttled)",
            k.key,
            100.0 * k.share_of_attempts,
            k.throttled
        );
    }
    let _ = writeln!(
        o,
        "  cost/month on-demand ${:.2}, provisioned ${:.2}, storage ${:.2}",
        s.cost.per_month.on_demand_usd, s.cost.per_month.provisioned_usd, s.cost.per_month.storage_usd
    );
    let _ = writeln!(o, "  report     {}", dir.display());
    o
}
