//! The command line: subcommands, exit codes and progress bars. No model logic lives here.
//!
//! Exit codes (DESIGN.md): 0 success, 1 an expectation or baseline check failed, 2 bad input.

pub mod cost;
mod progress;
mod units;

use crate::metrics::{Metrics, MetricsConfig};
use crate::report;
use crate::scenario::{self, Scenario};
use crate::sim;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

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
            Ok(s) => println!("{}: ok ({})", path.display(), s.name),
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
    if let Some(v) = variant {
        return bad_input(format!(
            "{}: no [[variant]] named \"{v}\" (this scenario defines none)",
            path.display()
        ));
    }
    let seed = match seed.or(scenario.seed) {
        Some(s) => s,
        None => {
            let s = fresh_seed();
            eprintln!("no seed given; using --seed {s}");
            s
        }
    };
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&scenario.name));
    if let Err(message) = replaceable_report_dir(&dir) {
        return bad_input(message);
    }
    let (summary, metrics) = simulate(&scenario, seed);
    if let Err(e) = report::write(&dir, &summary, &metrics, &scenario.source) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    print!("{}", human_summary(&summary, &scenario, &dir));
    ExitCode::SUCCESS
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
    let mut metrics = Metrics::new(MetricsConfig::for_run(&scenario.config));
    let mut bar = progress::Progress::new(scenario.config.duration_us);
    let out = sim::run(&scenario.config, seed, &mut metrics, &mut |now| bar.update(now));
    bar.finish();
    metrics.record_partition_starts(out.table.partitions().iter().map(|p| (p.id(), p.start())));
    let summary = report::summary::build(scenario, seed, &metrics, &out, &scenario.pricing);
    (summary, metrics)
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
    let _ = writeln!(
        o,
        "{} (seed {}): {} s simulated, {} partition(s) at the start, {} at the end ({} splits)",
        s.scenario,
        s.seed,
        s.simulated_seconds,
        s.partitions.initial,
        s.partitions.final_count,
        s.partitions.splits
    );
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
    let _ = writeln!(
        o,
        "  consumed   {:.1} RCU/s of {} {ceiling}, {:.1} WCU/s of {}",
        s.consumed.read_units / secs,
        s.capacity.final_read_capacity,
        s.consumed.write_units / secs,
        s.capacity.final_write_capacity
    );
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
