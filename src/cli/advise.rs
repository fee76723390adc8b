//! `ddbsim advise SCENARIO`: the write-sharding advisor. It runs the scenario with its partition
//! key split into 1, 2, ... N write shards (`partition_key = { attribute, shards }`, the same
//! override mechanism as `[[variant]]` and `sweep`), in parallel, and reports the smallest shard
//! count with no key-range throttling and what it costs in read fan-out: every get of a sharded
//! key reads every shard (MODEL.md §6.3: beyond a partition's 1,000 WCU / 3,000 RCU for one key,
//! "the only fix is write sharding").

use super::compare::{in_pool, load_all, root_seed};
use super::{bad_input, EXIT_BAD_INPUT};
use crate::experiment::{self, Job};
use crate::report::Summary;
use crate::scenario::{Override, Scenario};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ddbsim advise`.
#[derive(Debug, clap::Args)]
pub struct AdviseArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// The most shards to try.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    max_shards: u32,
    /// Root seed, overriding the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Print the rows and the advice as JSON.
    #[arg(long)]
    json: bool,
}

/// One shard count's outcome.
#[derive(Debug, serde::Serialize)]
struct Row {
    shards: u32,
    key_range_throttles: u64,
    throttle_ratio: f64,
    failed: u64,
    hottest_partition_share: f64,
    read_units: f64,
    write_units: f64,
    on_demand_usd_per_month: f64,
}

fn key_range_throttles(s: &Summary) -> u64 {
    s.throttles_by_reason.iter().filter(|(code, _)| code.contains("KeyRange")).map(|(_, n)| n).sum()
}

fn row(shards: u32, s: &Summary) -> Row {
    Row {
        shards,
        key_range_throttles: key_range_throttles(s),
        throttle_ratio: s.throttle_ratio,
        failed: s.requests.failed,
        hottest_partition_share: s.hot_partitions.first().map_or(0.0, |p| p.share_of_attempts),
        read_units: s.consumed.read_units,
        write_units: s.consumed.write_units,
        on_demand_usd_per_month: s.cost.per_month.on_demand_usd,
    }
}

/// The scenario with its partition key split into `shards` write shards.
fn sharded(base: &Scenario, path: &std::path::Path, shards: u32) -> Result<Scenario, String> {
    let attribute = &base.config.table.partition_key;
    let assignment = format!("table.partition_key={{ attribute = \"{attribute}\", shards = {shards} }}");
    let o = Override::parse(&assignment)?;
    base.with_overrides(path, &[o]).map_err(|e| e.to_string())
}

/// Runs `ddbsim advise`.
pub fn run(args: &AdviseArgs) -> ExitCode {
    let scenarios = match load_all(std::slice::from_ref(&args.scenario)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let base = &scenarios[0];
    let points: Result<Vec<Scenario>, String> =
        (1..=args.max_shards).map(|n| sharded(base, &args.scenario, n)).collect();
    let points = match points {
        Ok(p) => p,
        Err(e) => return bad_input(e),
    };
    let seed = root_seed(args.seed, base, &mut None);
    let jobs: Vec<Job<'_>> = points.iter().map(|scenario| Job { scenario, seed }).collect();
    let summaries = match in_pool(args.threads, || experiment::summaries(&jobs)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rows: Vec<Row> = summaries.iter().zip(1..).map(|(s, n)| row(n, s)).collect();
    let best = rows.iter().find(|r| r.key_range_throttles == 0);
    if args.json {
        let advice = serde_json::json!({
            "scenario": base.name,
            "seed": seed,
            "partition_key": base.config.table.partition_key,
            "smallest_shard_count": best.map(|r| r.shards),
            "rows": rows,
        });
        match serde_json::to_string_pretty(&advice) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
        return ExitCode::SUCCESS;
    }
    print!("{}", text(base, seed, &rows, best));
    ExitCode::SUCCESS
}

fn text(base: &Scenario, seed: u64, rows: &[Row], best: Option<&Row>) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} (seed {seed}): write shards of partition key {}",
        base.name, base.config.table.partition_key
    );
    let _ = writeln!(
        o,
        "{:>6}  {:>19}  {:>14}  {:>9}  {:>17}  {:>12}  {:>17}",
        "shards",
        "key-range throttles",
        "throttle ratio",
        "failed",
        "hottest partition",
        "read units",
        "on-demand $/month"
    );
    for r in rows {
        let _ = writeln!(
            o,
            "{:>6}  {:>19}  {:>14.4}  {:>9}  {:>16.1}%  {:>12.0}  {:>17.2}",
            r.shards,
            r.key_range_throttles,
            r.throttle_ratio,
            r.failed,
            100.0 * r.hottest_partition_share,
            r.read_units,
            r.on_demand_usd_per_month
        );
    }
    match best {
        Some(b) => {
            let one = &rows[0];
            let fan_out = if one.read_units > 0.0 { b.read_units / one.read_units } else { 0.0 };
            let _ = writeln!(
                o,
                "advice: {} shard(s) is the smallest count with no key-range throttling; every get then reads {} shard(s): {:.2}x the read units of the unsharded key",
                b.shards, b.shards, fan_out
            );
            let later: Vec<String> = rows
                .iter()
                .filter(|r| r.shards > b.shards && r.key_range_throttles > 0)
                .map(|r| r.shards.to_string())
                .collect();
            if !later.is_empty() {
                let _ = writeln!(
                    o,
                    "note: more shards is not always better: with {} shards, shards hash into the same partition and throttle again",
                    later.join(", ")
                );
            }
        }
        None => {
            let _ = writeln!(o, "advice: no shard count up to {} removes key-range throttling; try --max-shards higher, or a different key", rows.len());
        }
    }
    if base.config.trace.is_some() {
        let _ = writeln!(
            o,
            "note: the [trace]'s requests keep their keys as recorded (write shards apply to generated workloads only), so a hot key of the trace throttles whatever the shard count"
        );
    }
    o
}
