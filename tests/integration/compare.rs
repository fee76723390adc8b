//! `ddbsim compare` and `ddbsim sweep`: the ranking of the shipped key-choice scenario,
//! determinism whatever the number of threads, confidence intervals that cover the mean of many
//! seeds, and the grid of a sweep.

use crate::support::{ddbsim, f, text, TempDir, TINY};
use ddbsim::experiment::{self, rank, Job};
use serde_json::Value;
use std::path::Path;

/// TINY with two variants: one with room enough (no throttles), one that changes only the
/// client's round trip (so its throttle ratio is about the base's).
fn with_variants() -> String {
    format!(
        "{TINY}\n[[variant]]\nname = \"roomy\"\ntable.read_capacity = 3000\n\n[[variant]]\nname = \"slower\"\n\
         client.attempt_latency_ms = 6.0\n"
    )
}

fn json_of(output: &std::process::Output) -> Value {
    let (stdout, stderr) = text(output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn rows(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a JSON array of rows")
}

#[test]
fn compare_ranks_the_user_id_key_above_the_country_key() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/key-choice.toml");
    let json = json_of(&ddbsim(&["compare".as_ref(), scenario.as_os_str(), "--json".as_ref()]));
    let rows = rows(&json);
    assert_eq!(rows.len(), 2);
    let (first, second) = (&rows[0], &rows[1]);
    assert_eq!((&first["rank"], &first["variant"]), (&Value::from(1), &Value::from("by-user")));
    assert_eq!((&second["rank"], &second["variant"]), (&Value::from(2), &Value::Null));
    assert_eq!(f(first, "throttle_ratio"), 0.0);
    assert!(f(second, "throttle_ratio") > 0.1, "keyed by Country, it throttles: {second}");
    assert!(f(second, "hottest_partition_share") > 0.8, "one partition takes country 0: {second}");
    assert!(f(first, "hottest_partition_share") < 0.25, "UserId spreads over 5 partitions: {first}");
    assert!(f(first, "p99_latency_ms") < f(second, "p99_latency_ms"));
    assert!(
        f(first, "cost_per_month_provisioned_usd") > 0.0 && f(first, "cost_per_month_on_demand_usd") > 0.0
    );

    let output = ddbsim(&["compare".as_ref(), scenario.as_os_str()]);
    let (stdout, _) = text(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("rank  scenario    variant  throttle ratio"), "{stdout}");
    assert!(
        lines[1].starts_with("1     key-choice  by-user ") && lines[2].starts_with("2     key-choice  - ")
    );
    assert!(stdout.contains("ranked by throttle ratio, then p99 latency, then provisioned cost"), "{stdout}");
}

#[test]
fn runs_are_identical_with_one_and_two_threads() {
    let scenario = ddbsim::scenario::parse(Path::new("v.toml"), &with_variants()).expect("valid");
    let seeds = experiment::seeds(7, 3);
    let jobs: Vec<Job<'_>> =
        scenario.runs().flat_map(|s| seeds.iter().map(move |&seed| Job { scenario: s, seed })).collect();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        let summaries = pool.install(|| experiment::summaries(&jobs));
        let rows = rank::rank(summaries.chunks(3).map(rank::row).collect());
        serde_json::to_string(&(summaries, rows)).expect("serializes")
    };
    let one = on(1);
    assert_eq!(one, on(2), "the same results, in the same order, with 1 and 2 threads");
    assert!(one.contains("\"variant\":\"slower\""));

    // The binary's compare and sweep too, byte for byte.
    let dir = TempDir::new("threads");
    let file = dir.write("v.toml", &with_variants());
    let file = file.to_str().expect("a UTF-8 path");
    for args in [
        &["compare", file, "--seeds", "3", "--json"][..],
        &["compare", file, "--seeds", "2"],
        &["sweep", file, "--set", "table.read_capacity=900,1500", "--set", "workload.reads.rate=500,1500"],
    ] {
        let with = |threads: &str| {
            let output = ddbsim(&[args, &["--threads", threads]].concat());
            let (stdout, stderr) = text(&output);
            assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
            stdout
        };
        assert_eq!(with("1"), with("2"), "{args:?}");
    }
}

#[test]
fn seeds_give_intervals_and_mark_rows_that_cannot_be_told_apart() {
    let dir = TempDir::new("seeds");
    let file = dir.write("v.toml", &with_variants());
    let json = json_of(&ddbsim(&[
        "compare".as_ref(),
        file.as_os_str(),
        "--seeds".as_ref(),
        "4".as_ref(),
        "--json".as_ref(),
    ]));
    let rows = rows(&json);
    let order: Vec<&Value> = rows.iter().map(|r| &r["variant"]).collect();
    assert_eq!(order[0], "roomy", "{json}");
    for row in rows {
        assert_eq!(row["seeds"].as_array().map(Vec::len), Some(4));
        let [low, high] = [0, 1].map(|i| row["ci95"]["throttle_ratio"][i].as_f64().expect("an interval"));
        assert!(low <= f(row, "throttle_ratio") && f(row, "throttle_ratio") <= high, "{row}");
    }
    assert_eq!(rows[0]["overlaps_previous"], false);
    assert_eq!(rows[1]["overlaps_previous"], false, "the base throttles, roomy does not: {json}");
    assert_eq!(rows[2]["overlaps_previous"], true, "a slower round trip hardly changes throttling: {json}");
    let (stdout, _) =
        text(&ddbsim(&["compare".as_ref(), file.as_os_str(), "--seeds".as_ref(), "4".as_ref()]));
    assert!(stdout.lines().nth(3).is_some_and(|l| l.starts_with("3~")), "{stdout}");
    assert!(stdout.contains(" ±"), "{stdout}");
}

/// A cheap scenario whose throttle ratio varies from seed to seed: 800 strong reads a second
/// against 500 RCU with no burst reservoir, for 2 s.
const NOISY: &str = r#"name = "noisy"
duration = "2s"
seed = 11

[table]
name = "T"
partition_key = "K"
read_capacity = 500
write_capacity = 100

[[workload]]
name = "reads"
operation = "get"
consistency = "strong"
rate = 800
[workload.attributes]
K = { distribution = "uniform", count = 1000 }

[capacity]
burst_seconds = 0

[client]
retry = "none"
"#;

#[test]
fn intervals_of_a_few_seeds_cover_the_mean_of_many() {
    let scenario = ddbsim::scenario::parse(Path::new("noisy.toml"), NOISY).expect("valid");
    let (groups, per_group) = (40, 5);
    let seeds = experiment::seeds(11, groups * per_group);
    let jobs: Vec<Job<'_>> = seeds.iter().map(|&seed| Job { scenario: &scenario, seed }).collect();
    let summaries = experiment::summaries(&jobs);
    let ratios: Vec<f64> = summaries.iter().map(|s| s.throttle_ratio).collect();
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    assert!(ratios.iter().any(|&r| r != ratios[0]), "the throttle ratio varies with the seed");
    let covered = summaries
        .chunks(per_group)
        .map(rank::row)
        .filter(|row| {
            row.ci95
                .as_ref()
                .and_then(|c| c.get("throttle_ratio"))
                .is_some_and(|[lo, hi]| *lo <= mean && mean <= *hi)
        })
        .count();
    // A 95% interval should cover the true mean 38 times in 40; fewer than 34 would mean the
    // intervals are too narrow (the runs are deterministic, so this never flickers).
    assert!(
        covered >= 34,
        "{covered} of {groups} intervals of {per_group} seeds cover the mean {mean} of 200"
    );
}

#[test]
fn sweep_runs_the_grid_in_order_and_rejects_a_bad_point() {
    let dir = TempDir::new("sweep");
    let file = dir.write("v.toml", &with_variants());
    let json = json_of(&ddbsim(&[
        "sweep".as_ref(),
        file.as_os_str(),
        "--set".as_ref(),
        "table.read_capacity=500,3000".as_ref(),
        "--set".as_ref(),
        "client.retry=none,aws-sdk-standard".as_ref(),
        "--json".as_ref(),
    ]));
    let rows = rows(&json);
    let points: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r["set"]["table.read_capacity"], r["set"]["client.retry"]))
        .collect();
    assert_eq!(
        points,
        ["500 \"none\"", "500 \"aws-sdk-standard\"", "3000 \"none\"", "3000 \"aws-sdk-standard\""]
    );
    assert!(f(&rows[0], "throttle_ratio") > f(&rows[2], "throttle_ratio"), "more capacity, fewer throttles");
    assert_eq!(f(&rows[2], "throttle_ratio"), 0.0);
    assert!(rows.iter().all(|r| r["rank"].is_null() && r["variant"].is_null()), "a sweep keeps grid order");

    let output =
        ddbsim(&["sweep".as_ref(), file.as_os_str(), "--set".as_ref(), "table.read_capacity=0".as_ref()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sweep point table.read_capacity=0")
            && stderr.contains("must be between 1 and 40000")
    );
    let output =
        ddbsim(&["sweep".as_ref(), file.as_os_str(), "--set".as_ref(), "workload.nope.rate=1".as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("no element named \"nope\" in `workload`"), "{}", text(&output).1);
}

#[test]
fn compare_out_writes_a_report_per_row() {
    let dir = TempDir::new("compare-out");
    let file = dir.write("v.toml", &with_variants());
    let out = dir.path().join("reports");
    let output = ddbsim(&["compare".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    for name in ["tiny", "tiny.roomy", "tiny.slower"] {
        assert!(out.join(name).join("summary.json").is_file(), "{name}");
    }
}

/// `compare --out` overlays the designs' throttles on one chart; `sweep --chart` draws the
/// throttle ratio against the swept parameter.
#[test]
fn compare_and_sweep_draw_their_overlay_charts() {
    let dir = crate::support::TempDir::new("overlay");
    let out = dir.path().join("cmp");
    let bin = env!("CARGO_BIN_EXE_ddbsim");
    let root = env!("CARGO_MANIFEST_DIR");
    let status = std::process::Command::new(bin)
        .args(["compare", "scenarios/key-choice.toml", "--out"])
        .arg(&out)
        .current_dir(root)
        .output()
        .expect("the ddbsim binary runs");
    assert_eq!(status.status.code(), Some(0), "{}", String::from_utf8_lossy(&status.stderr));
    let svg = std::fs::read_to_string(out.join("compare.svg")).expect("compare.svg");
    assert!(svg.contains("key-choice/by-user") && svg.contains("Throttled attempts per second"), "overlay");
    let chart = dir.path().join("sweep.svg");
    let status = std::process::Command::new(bin)
        .args([
            "sweep",
            "scenarios/write-sharding.toml",
            "--set",
            "table.partition_key.shards=1,6",
            "--chart",
        ])
        .arg(&chart)
        .current_dir(root)
        .output()
        .expect("the ddbsim binary runs");
    assert_eq!(status.status.code(), Some(0), "{}", String::from_utf8_lossy(&status.stderr));
    let svg = std::fs::read_to_string(&chart).expect("sweep.svg");
    assert!(svg.contains("table.partition_key.shards") && svg.contains("Throttle ratio across the sweep"));
}
