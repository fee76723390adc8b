//! The command line as DESIGN.md "Command line (contract)" and "summary.json (contract)" define
//! it: exit codes, report files, every contract field, the `--seed` override.

use crate::support::{at, check_hot_key, check_invariants, ddbsim, f, run_ok, text, u, TempDir, TINY};
use serde_json::Value;
use std::path::Path;

/// Checks that every field of DESIGN.md's summary.json contract is there with the right type.
fn check_contract_fields(s: &Value) {
    assert!(s["scenario"].is_string(), "scenario");
    assert!(s["variant"].is_null(), "variant is null without --variant");
    for path in [
        "seed",
        "simulated_seconds",
        "requests.offered",
        "requests.succeeded",
        "requests.failed",
        "requests.attempts",
        "requests.throttled",
        "partitions.initial",
        "partitions.final",
        "partitions.splits",
        "capacity.final_read_capacity",
        "capacity.final_write_capacity",
    ] {
        u(s, path); // panics unless an unsigned integer
    }
    for path in
        ["consumed.read_units", "consumed.write_units", "latency_ms.p50", "latency_ms.p99", "latency_ms.max"]
    {
        assert!(f(s, path) >= 0.0, "{path}");
    }
    for period in ["simulated", "per_month"] {
        for price in ["on_demand_usd", "provisioned_usd", "storage_usd"] {
            let path = format!("cost.{period}.{price}");
            assert!(f(s, &path) >= 0.0, "{path}");
        }
    }
    assert!(s["throttles_by_reason"].is_object(), "throttles_by_reason");
    assert!(s["hot_partitions"].is_array(), "hot_partitions");
    assert!(s["hot_keys"].is_array(), "hot_keys");
    assert!(s["expectations"].is_array(), "expectations");
}

#[test]
fn hot_key_scenario_runs_and_reports_its_hot_key() {
    let dir = TempDir::new("hot-key");
    let out = dir.path().join("report");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hot-key.toml");
    let output = ddbsim(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary.json"))
            .expect("JSON");

    check_contract_fields(&s);
    assert_eq!(s["scenario"], "hot-key");
    assert_eq!(u(&s, "seed"), 42, "the scenario's seed");
    assert_eq!(u(&s, "simulated_seconds"), 120, "duration = \"2m\"");
    assert_eq!(u(&s, "partitions.initial"), 11);
    assert_eq!(u(&s, "partitions.splits"), 0);
    assert_eq!(
        (u(&s, "capacity.final_read_capacity"), u(&s, "capacity.final_write_capacity")),
        (30_000, 1_000)
    );
    // 10,200 requests a second for 120 s, Poisson: within 1% of 1,224,000.
    let offered = u(&s, "requests.offered") as f64;
    assert!((offered - 1_224_000.0).abs() < 12_240.0, "offered {offered}");
    check_invariants(&s);
    check_hot_key(&s);
    // Provisioned 30,000 RCU and 1,000 WCU cost the same every month, whatever the traffic:
    // 730 h x (30,000 x $0.00013 + 1,000 x $0.00065) = $3,321.50.
    assert!((f(&s, "cost.per_month.provisioned_usd") - 3_321.5).abs() < 0.01);

    let csv = std::fs::read_to_string(out.join("timeseries.csv")).expect("timeseries.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "second,offered,attempts,succeeded,throttled,failed,read_units,write_units,\
             partitions,read_ceiling_units,write_ceiling_units,throttled_TableReadKeyRangeThroughputExceeded"
        )
    );
    let rows: Vec<Vec<f64>> =
        lines.map(|l| l.split(',').map(|c| c.parse().expect("a number")).collect()).collect();
    assert!(rows.len() >= 120, "a row per simulated second, {} rows", rows.len());
    let column_sum = |c: usize| rows.iter().map(|r| r[c]).sum::<f64>() as u64;
    assert_eq!(column_sum(1), u(&s, "requests.offered"), "the CSV adds up to the summary");
    assert_eq!(column_sum(2), u(&s, "requests.attempts"));
    assert_eq!(column_sum(4), u(&s, "requests.throttled"));
    assert!(rows.iter().all(|r| (r[8], r[9], r[10]) == (11.0, 30_000.0, 1_000.0)), "partitions and ceilings");
    let svg = std::fs::read_to_string(out.join("requests.svg")).expect("requests.svg");
    assert!(svg.starts_with("<svg") && svg.contains("throttled attempts"), "requests.svg is a chart");

    assert!(stdout.lines().count() <= 15, "a short summary:\n{stdout}");
    assert!(
        stdout.starts_with("hot-key (seed 42): 120 s simulated, 11 partition(s) at the start"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} TableReadKeyRangeThroughputExceeded", u(&s, "requests.throttled"))),
        "{stdout}"
    );
    assert!(stdout.contains(&out.display().to_string()), "names the report folder:\n{stdout}");
}

#[test]
fn seed_flag_overrides_the_scenario_seed() {
    let dir = TempDir::new("seed");
    let scenario = dir.write("tiny.toml", TINY);
    let from_file = run_ok(&scenario, &dir.path().join("a"), &[]);
    let overridden = run_ok(&scenario, &dir.path().join("b"), &["--seed", "8"]);
    assert_eq!(u(&from_file, "seed"), 7);
    assert_eq!(u(&overridden, "seed"), 8);
    check_invariants(&from_file);
    check_invariants(&overridden);
    assert_ne!(
        u(&from_file, "requests.offered"),
        u(&overridden, "requests.offered"),
        "another seed, other arrivals"
    );
    assert_ne!(at(&from_file, "requests"), at(&overridden, "requests"));
    // Both throttle for the table's read capacity: 1,500 reads/s against 1,000 RCU.
    for s in [&from_file, &overridden] {
        let r = crate::support::reasons(s);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].0, "TableReadProvisionedThroughputExceeded");
        assert!(u(s, "requests.failed") > 0, "retries give up under sustained overload");
    }
}

#[test]
fn run_writes_every_report_file() {
    let dir = TempDir::new("files");
    let out = dir.path().join("nested/report");
    let s = run_ok(&dir.write("tiny.toml", TINY), &out, &[]);
    for file in ["summary.json", "timeseries.csv", "requests.svg", "consumed.svg", "scenario.toml"] {
        assert!(out.join(file).is_file(), "{file} is written");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).expect("scenario.toml"),
        TINY,
        "the scenario as written"
    );
    assert_eq!(u(&s, "simulated_seconds"), 10);
    assert_eq!(u(&s, "partitions.initial"), 1, "ceil(1000/3000 + 200/1000)");
    // A second run into the same folder replaces the report.
    let again = run_ok(&dir.write("tiny.toml", TINY), &out, &["--seed", "9"]);
    assert_eq!(u(&again, "seed"), 9);
}

#[test]
fn run_refuses_to_replace_a_folder_that_is_not_a_report() {
    let dir = TempDir::new("precious");
    let scenario = dir.write("tiny.toml", TINY);
    let precious = dir.path().join("precious");
    std::fs::create_dir_all(&precious).expect("mkdir");
    std::fs::write(precious.join("notes.txt"), "keep me").expect("write");
    let output = ddbsim(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), precious.as_os_str()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&precious.display().to_string()) && stderr.contains("not a ddbsim report"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).ok().as_deref(),
        Some("keep me"),
        "the folder is untouched"
    );
}

#[test]
fn help_and_version_exit_zero() {
    for args in [&["--help"][..], &["run", "--help"], &["validate", "--help"], &["--version"]] {
        let output = ddbsim(args);
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stdout.contains("ddbsim") || stdout.contains("Usage"), "{args:?}: {stdout}");
    }
    let (stdout, _) = text(&ddbsim(&["--help"]));
    assert!(stdout.contains("run") && stdout.contains("validate"), "lists the subcommands:\n{stdout}");
}

#[test]
fn bad_flags_exit_two() {
    let dir = TempDir::new("flags");
    let scenario = dir.write("tiny.toml", TINY);
    let scenario = scenario.to_str().expect("a UTF-8 path");
    for args in [
        &["run", scenario, "--frobnicate"][..],
        &["run", scenario, "--seed", "minus-one"],
        &["run", scenario, "--seed", "-1"],
        &["run"],
        &["validate"],
        &["explode"],
        &[],
    ] {
        let output = ddbsim(args);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.trim().is_empty(), "{args:?} says what is wrong");
    }
    let (_, stderr) = text(&ddbsim(&["run", scenario, "--frobnicate"]));
    assert!(stderr.contains("--frobnicate"), "names the flag: {stderr}");
}

#[test]
fn missing_scenario_file_exits_two_naming_it() {
    let dir = TempDir::new("missing");
    let missing = dir.path().join("no-such-scenario.toml");
    let out = dir.path().join("report");
    for sub in ["run", "validate"] {
        let output = ddbsim(
            &[sub.as_ref(), missing.as_os_str(), "--out".as_ref(), out.as_os_str()]
                [..if sub == "run" { 4 } else { 2 }],
        );
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{sub}: {stdout}{stderr}");
        assert!(stderr.contains(&missing.display().to_string()), "{sub} names the file: {stderr}");
        assert!(stderr.contains("cannot read scenario"), "{sub}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    assert!(!out.exists(), "no report for a run that did not happen");
}

#[test]
fn run_of_an_invalid_scenario_exits_two_and_writes_nothing() {
    let dir = TempDir::new("run-invalid");
    let scenario = dir.write("bad.toml", &TINY.replace("rate = 1500", "rate = -1500"));
    let out = dir.path().join("report");
    let output = ddbsim(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains(&format!("{}:15: workload[0].rate: must be", scenario.display())), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn validate_accepts_good_files_and_rejects_bad_ones() {
    let dir = TempDir::new("validate");
    let good = dir.write("good.toml", TINY);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hot-key.toml");
    let output = ddbsim(&["validate".as_ref(), good.as_os_str(), shipped.as_os_str()]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(&format!("{}: ok (tiny)", good.display())), "{stdout}");
    assert!(stdout.contains("ok (hot-key)"), "{stdout}");

    // One bad file among good ones fails the command, and the good ones are still reported.
    let bad = dir.write("bad.toml", &TINY.replace("read_capacity = 1000", "read_capacity = 0"));
    let output = ddbsim(&["validate".as_ref(), good.as_os_str(), bad.as_os_str()]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout.contains("ok (tiny)"), "{stdout}");
    assert_eq!(
        stderr.trim(),
        format!("{}:8: table.read_capacity: must be between 1 and 40000, got 0", bad.display())
    );
}
