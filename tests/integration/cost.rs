//! `ddbsim cost` and `[pricing]` through the binary: the options ranked and priced from their
//! own runs (MODEL.md §9), the same bytes whatever the number of threads, and bad pricing
//! rejected with its line.

use crate::support::{at, ddbsim, f, run_ok, text, u, TempDir};
use serde_json::Value;

/// Writes that step from nothing to 1,000 a second (plus eventually consistent reads) on a
/// table provisioned for 100 WCU that auto scales, for five minutes: auto scaling throttles while
/// it catches up; capacity fixed at the peak does not.
const RAMP: &str = r#"name = "small-ramp"
description = "auto scaling behind a traffic step"
duration = "5m"
seed = 3

[table]
name = "T"
partition_key = "K"
read_capacity = 100
write_capacity = 100

[table.auto_scaling]
write = { min = 100, max = 5000, target = 0.7 }
update_delay_seconds = 30

[[workload]]
name = "writes"
operation = "put"
rate = 1000
item_bytes = 900
[workload.attributes]
K = { distribution = "uniform", count = 1_000_000 }

[[workload]]
name = "reads"
operation = "get"
rate = 100
[workload.attributes]
K = { distribution = "uniform", count = 1_000_000 }
"#;

/// Runs `ddbsim cost` on `scenario_text` with `extra` flags and `threads` rayon threads;
/// returns (exit code, stdout, stderr).
fn cost(scenario_text: &str, extra: &[&str], threads: &str) -> (Option<i32>, String, String) {
    let dir = TempDir::new("cost");
    dir.write("scenario.toml", scenario_text);
    let mut args = vec!["cost", "scenario.toml"];
    args.extend(extra);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ddbsim"))
        .args(&args)
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("the ddbsim binary runs");
    let (stdout, stderr) = text(&output);
    (output.status.code(), stdout, stderr)
}

fn cost_json(scenario_text: &str, threads: &str) -> (Value, String) {
    let (code, stdout, stderr) = cost(scenario_text, &["--json"], threads);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    (serde_json::from_str(&stdout).expect("--json prints JSON"), stdout)
}

#[test]
fn cost_ranks_the_options_and_prices_each_from_its_own_run() {
    let (c, _) = cost_json(RAMP, "2");
    let rows = c["options"].as_array().expect("options");
    let names: Vec<&str> = rows.iter().map(|r| r["option"].as_str().expect("option")).collect();
    assert_eq!(names, ["on_demand", "provisioned_at_peak", "auto_scaling", "reserved"]);
    // Ranks follow the monthly cost.
    let mut by_rank: Vec<(u64, f64)> = rows.iter().map(|r| (u(r, "rank"), f(r, "per_month_usd"))).collect();
    by_rank.sort_by_key(|&(rank, _)| rank);
    assert_eq!(by_rank.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(by_rank.windows(2).all(|w| w[0].1 <= w[1].1), "{by_rank:?}");

    let to_month = 730.0 / (300.0 / 3_600.0);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    // On demand: the units consumed in its run at $0.125 and $0.625 a million (MODEL.md §9.1).
    let od = &rows[0];
    let units = (f(od, "consumed_read_units"), f(od, "consumed_write_units"));
    assert!(units.0 > 0.0 && units.1 > 250_000.0, "{units:?}");
    // 100 eventually consistent reads a second of items up to 4 KB: half a unit each (MODEL.md §1.3).
    assert!((units.0 - 0.5 * 100.0 * 300.0).abs() < 1_000.0, "{units:?}");
    let expected = (units.0 * 0.125 + units.1 * 0.625) / 1e6 * to_month;
    assert!(close(f(od, "throughput_usd"), expected), "{} vs {expected}", f(od, "throughput_usd"));
    assert!(close(f(od, "per_month_usd"), f(od, "throughput_usd") + f(od, "storage_usd")));
    assert_eq!(u(od, "failed_requests"), 0, "a new on-demand table serves 1,000 writes a second");

    // Provisioned at the peak: the busiest on-demand second at 70%, held all month.
    let (rcu, wcu) = (u(&c, "peak_capacity.read_units"), u(&c, "peak_capacity.write_units"));
    assert_eq!(wcu, (f(&c, "busiest_second.write_units") / 0.7).ceil() as u64);
    assert_eq!(rcu, (f(&c, "busiest_second.read_units") / 0.7).ceil() as u64);
    let fixed = &rows[1];
    assert_eq!((f(fixed, "read_capacity_units"), f(fixed, "write_capacity_units")), (rcu as f64, wcu as f64));
    assert!(close(f(fixed, "throughput_usd"), (rcu as f64 * 0.000_13 + wcu as f64 * 0.000_65) * 730.0));

    // Auto scaling (the scenario's own) throttles while it catches up; the peak capacity does not.
    let scaled = &rows[2];
    assert!(f(scaled, "throttle_ratio") > 0.01, "{scaled}");
    assert!(f(fixed, "throttle_ratio") <= f(scaled, "throttle_ratio"));
    assert_eq!(u(fixed, "failed_requests"), 0);
    assert!(f(scaled, "write_capacity_units") < wcu as f64, "it starts at 100 WCU");

    // Reserved: the peak run, cheaper, with the same throttles.
    let reserved = &rows[3];
    assert!(f(reserved, "per_month_usd") < f(fixed, "per_month_usd"));
    assert_eq!(reserved["throttle_ratio"], fixed["throttle_ratio"]);
    assert_eq!(u(reserved, "reserved_write_units") % 100, 0);

    // Break-even (MODEL.md §9.2): 28.9% at the hourly rates, lower with reserved capacity.
    for row in &rows[..3] {
        assert!((f(row, "break_even_utilisation") - 0.2889).abs() < 1e-4, "{row}");
    }
    assert!(f(reserved, "break_even_utilisation") < 0.2);
    let used = f(fixed, "utilisation");
    assert!(used > 0.5 && used < 0.75, "about 0.7 of the peak capacity: {used}");
}

#[test]
fn cost_gives_the_same_bytes_with_one_and_two_threads() {
    let (one, one_text) = cost_json(RAMP, "1");
    let (two, two_text) = cost_json(RAMP, "2");
    assert_eq!(one, two);
    assert!(one_text == two_text, "--json output differs between 1 and 2 threads");
    let (code, text_one, _) = cost(RAMP, &[], "1");
    let (_, text_two, _) = cost(RAMP, &[], "2");
    assert_eq!((code, &text_one), (Some(0), &text_two));
    for fragment in [
        "small-ramp (seed 3): 300 s simulated per option, priced at us-east-1 standard, prices from 2024-11-01",
        "option                     RCU",
        "provisioned at the peak",
        "reserved (1-year)",
        "28.89%",
        "cheapest: ",
    ] {
        assert!(text_one.contains(fragment), "lacks `{fragment}`:\n{text_one}");
    }
    let (_, other_seed) = cost_json(&RAMP.replace("seed = 3", "seed = 4"), "2");
    assert_ne!(one_text, other_seed, "the seed matters");
}

#[test]
fn bad_pricing_exits_2_with_the_line() {
    let bad_region = format!("{RAMP}\n[pricing]\nregion = \"mars-north-1\"\n");
    let (code, stdout, stderr) = cost(&bad_region, &[], "1");
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert!(
        stderr.contains("scenario.toml:32: pricing.region: no price table for region \"mars-north-1\"; regions with prices: \"us-east-1\""),
        "{stderr}"
    );
    let negative = format!("{RAMP}\n[pricing]\nfree_tier = true\nwcu_hour = -0.5\n");
    let (code, _, stderr) = cost(&negative, &[], "1");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("scenario.toml:33: pricing.wcu_hour: must be a price in USD, zero or more, got -0.5"),
        "{stderr}"
    );
    let dir = TempDir::new("pricing-validate");
    let output = ddbsim(&["validate".as_ref(), dir.write("s.toml", &negative).as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn summary_cost_fields_follow_the_pricing_section() {
    let dir = TempDir::new("pricing-run");
    let short = RAMP.replace("duration = \"5m\"", "duration = \"20s\"");
    let standard = run_ok(&dir.write("a.toml", &short), &dir.path().join("a"), &[]);
    assert_eq!(at(&standard, "cost.region"), "us-east-1");
    assert_eq!(at(&standard, "cost.table_class"), "standard");
    assert_eq!(at(&standard, "cost.free_tier"), false);
    let (od, prov) =
        (f(&standard, "cost.per_month.on_demand_usd"), f(&standard, "cost.per_month.provisioned_usd"));
    assert!(f(&standard, "cost.per_month.reserved_usd") <= prov && od > 0.0);
    // 100 RCU and 100-ish WCU for 20 s, then scaled to a month.
    assert!((f(&standard, "cost.provisioned_read_units") - 100.0).abs() < 1e-9);

    let ia = format!("{short}\n[pricing]\ntable_class = \"standard_ia\"\nfree_tier = true\non_demand_write_per_million = 1.0\n");
    let ia = run_ok(&dir.write("b.toml", &ia), &dir.path().join("b"), &[]);
    assert_eq!(at(&ia, "cost.table_class"), "standard_ia");
    assert!(at(&ia, "cost.per_month.reserved_usd").is_null(), "no reserved capacity for Standard-IA");
    assert_eq!(at(&ia, "cost.free_tier"), true);
    assert_eq!(f(&ia, "cost.price_table.on_demand_write_per_million"), 1.0);
    assert!(at(&ia, "cost.prices")
        .as_str()
        .is_some_and(|p| p.ends_with("free tier applied, 1 price overridden")));
    // The same traffic: on-demand writes at $1.00 instead of $0.625 a million.
    let writes = f(&ia, "consumed.write_units");
    let reads = f(&ia, "consumed.read_units");
    let expected = (reads * 0.15625 + writes * 1.0) / 1e6 * 730.0 * 180.0;
    assert!((f(&ia, "cost.per_month.on_demand_usd") - expected).abs() < 1e-6 * expected, "{expected}");
    // Free tier: 25 of the 100 RCU are free.
    let rcu_month = (100.0 - 25.0) * 0.000_162_5 * 730.0;
    assert!(f(&ia, "cost.per_month.provisioned_usd") > rcu_month);
}
