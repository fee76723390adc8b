//! Trace replay end to end (README "Trace replay"): a trace's requests go through the same
//! client, retries, metrics and report as generated ones; bad traces exit 2 naming the trace
//! file, the line and the field.

use crate::bad_input::check_with_files;
use crate::support::{at, check_invariants, f, reasons, run_ok, u, TempDir};
use serde_json::Value;
use std::fmt::Write as _;

/// A scenario head: a provisioned table far above the traffic of the tests below, so that
/// nothing throttles unless a test means it to.
const HEAD: &str = r#"name = "trace"
description = "d"
duration = "10s"
seed = 5

[table]
name = "T"
partition_key = "K"
read_capacity = 30000
write_capacity = 10000
"#;

/// Runs scenario `toml` with data files `files` beside it and returns its summary.
fn run(toml: &str, files: &[(&str, &str)]) -> Value {
    let dir = TempDir::new("trace");
    for (name, text) in files {
        dir.write(name, text);
    }
    let summary = run_ok(&dir.write("scenario.toml", toml), &dir.path().join("report"), &[]);
    check_invariants(&summary);
    summary
}

/// `n` CSV gets, one per millisecond from 0, of keys `key(i)`.
fn gets(n: usize, key: impl Fn(usize) -> String) -> String {
    let mut text = String::from("timestamp,operation,partition_key\n");
    for i in 0..n {
        let _ = writeln!(text, "{i},get,{}", key(i));
    }
    text
}

#[test]
fn every_trace_request_is_offered_once() {
    let toml = format!("{HEAD}\n[trace]\nfile = \"t.csv\"\n");
    let s = run(&toml, &[("t.csv", &gets(5_000, |i| (i % 100).to_string()))]);
    assert_eq!(u(&s, "requests.offered"), 5_000);
    assert_eq!(u(&s, "requests.attempts"), 5_000, "nothing throttles");
    assert_eq!(u(&s, "requests.succeeded"), 5_000);
    // 5,000 eventually consistent reads of missing items: half a unit each (MODEL.md §1.3).
    assert_eq!(f(&s, "consumed.read_units"), 2_500.0);
    assert_eq!(f(&s, "consumed.write_units"), 0.0);
}

#[test]
fn json_lines_and_csv_of_the_same_requests_give_the_same_summary() {
    let mut csv = String::from("timestamp,operation,partition_key,item_bytes,consistency\n");
    let mut jsonl = String::new();
    for i in 0..3_000u64 {
        let t = i as f64 * 0.5;
        let key = i * 7 % 300;
        if i % 3 == 0 {
            let _ = writeln!(csv, "{t},put,user{key},{},", 100 + key * 10);
            let _ = writeln!(
                jsonl,
                r#"{{"timestamp": {t}, "operation": "put", "partition_key": "user{key}", "item_bytes": {}}}"#,
                100 + key * 10
            );
        } else {
            let _ = writeln!(csv, "{t},get,user{key},,strong");
            let _ = writeln!(
                jsonl,
                r#"{{"timestamp": {t}, "operation": "get", "partition_key": "user{key}", "consistency": "strong"}}"#
            );
        }
    }
    let scenario = |file: &str| format!("{HEAD}\n[trace]\nfile = \"{file}\"\n");
    let from_csv = run(&scenario("t.csv"), &[("t.csv", &csv)]);
    let from_jsonl = run(&scenario("t.jsonl"), &[("t.jsonl", &jsonl)]);
    assert_eq!(from_csv, from_jsonl);
    assert_eq!(u(&from_csv, "requests.offered"), 3_000);
    assert_eq!(u(&from_csv, "items"), 100, "every key put (a multiple of 3 below 300) stored once");
    assert_eq!(at(&from_csv, "hot_keys.0.key"), "user0", "string keys, as written");
}

#[test]
fn a_hot_key_in_the_trace_is_the_hot_key_of_the_report() {
    // 4,000 strong reads a second of key 7 (a 10 KB item: 3 RCU each) against one partition's
    // 3,000 RCU, with a trickle of other keys.
    let mut text = String::from("timestamp,operation,partition_key,item_bytes,consistency\n0,put,7,10000,\n");
    for i in 0..8_000 {
        let key = if i % 10 == 9 { 1_000 + i } else { 7 };
        let _ = writeln!(text, "{},get,{key},,strong", 1_000 + i / 4);
    }
    let toml = format!("{HEAD}\n[trace]\nfile = \"hot.csv\"\n")
        .replace("read_capacity = 30000", "read_capacity = 12000");
    let s = run(&toml, &[("hot.csv", &text)]);
    assert_eq!(u(&s, "requests.offered"), 8_001);
    let throttled = u(&s, "requests.throttled");
    assert!(throttled > 0, "the hot key throttles");
    assert_eq!(reasons(&s), [("TableReadKeyRangeThroughputExceeded".to_string(), throttled)]);
    assert_eq!(at(&s, "hot_keys.0.key"), "7");
    // The trickle shares the hot key's partition and some of its throttles.
    assert!(
        u(&s, "hot_keys.0.throttled") as f64 > 0.95 * throttled as f64,
        "the hot key takes the throttles"
    );
    assert!(f(&s, "hot_keys.0.share_of_attempts") > 0.8);
    assert_eq!(u(&s, "hot_partitions.0.throttled"), throttled);
    assert!(u(&s, "requests.attempts") > 8_001, "throttled reads are retried");
}

#[test]
fn requests_past_the_duration_are_not_replayed_and_workloads_run_alongside() {
    // Times in seconds, replayed twice as fast: 0..20 s of trace time fill the 10 s run, and
    // the records at 20 s and later are past it.
    let mut text = String::from("timestamp,operation,partition_key,item_bytes\n");
    for i in 0..30 {
        let _ = writeln!(text, "{i},put,{i},500");
    }
    let workload = "\n[[workload]]\nname = \"reads\"\noperation = \"get\"\nrate = 100\narrivals = \"uniform\"\n[workload.attributes]\nK = { distribution = \"uniform\", count = 30 }\n";
    let toml = format!("{HEAD}{workload}\n[trace]\nfile = \"t.csv\"\ntime_unit = \"s\"\nspeed = 2\n");
    let s = run(&toml, &[("t.csv", &text)]);
    assert_eq!(u(&s, "requests.offered"), 20 + 1_000, "20 trace puts and 1,000 generated gets");
    assert_eq!(u(&s, "items"), 20);
}

#[test]
fn a_trace_with_a_sort_key_and_a_variant() {
    let text = "timestamp,operation,partition_key,sort_key,item_bytes\n0,put,a,1,100\n1,put,a,2,100\n2,get,a,2,\n3,get,b,\"1\",\n";
    let toml = format!(
        "{}\n[trace]\nfile = \"t.csv\"\n\n[[variant]]\nname = \"small\"\ntable.read_capacity = 10\n",
        HEAD.replace("partition_key = \"K\"", "partition_key = \"K\"\nsort_key = \"S\"")
    );
    let dir = TempDir::new("trace-variant");
    dir.write("t.csv", text);
    let scenario =
        ddbsim::scenario::load(&dir.write("scenario.toml", &toml)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.variants.len(), 1);
    let workloads: Vec<&str> = scenario.config.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        workloads,
        ["trace/put", "trace/get"],
        "one pseudo-workload per class, in order of appearance"
    );
    let (summary, _) = ddbsim::cli::simulate(&scenario.variants[0], 1);
    let s = serde_json::to_value(&summary).expect("a summary serializes");
    assert_eq!((u(&s, "requests.offered"), u(&s, "items")), (4, 2));
}

#[test]
fn bad_traces_exit_2_naming_the_file_the_line_and_the_field() {
    let toml = format!("{HEAD}\n[trace]\nfile = \"t.csv\"\n");
    let text = "timestamp,operation,partition_key,item_bytes\n1,get,1,\n2,scan,1,\n3,put,1,999999\n";
    let stderr = check_with_files(
        &toml,
        &[("t.csv", text)],
        &[
            "scenario.toml:13: trace.file: t.csv:3: operation: unknown operation \"scan\"; expected one of \"get\", \"put\", \"update\", \"delete\"",
            "scenario.toml:13: trace.file: t.csv:4: item_bytes: must be from 1 to 409600 bytes (the 400 KB item limit), got 999999",
        ],
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let jsonl = "{\"timestamp\": 1, \"operation\": \"get\", \"partition_key\": 1}\n{\"timestamp\": 1, \"operation\": \"get\"}\n";
    check_with_files(
        &toml.replace("t.csv", "t.jsonl"),
        &[("t.jsonl", jsonl)],
        &["scenario.toml:13: trace.file: t.jsonl:2: partition_key: is required"],
    );
    check_with_files(
        &toml,
        &[],
        &["scenario.toml:13: trace.file: cannot read t.csv: no such file or directory"],
    );
    check_with_files(
        &toml,
        &[("t.csv", "timestamp,operation,key\n")],
        &[
            "scenario.toml:13: trace.file: t.csv:1: unknown column `key`",
            "t.csv:1: the header has no `partition_key` column",
        ],
    );
    let many = format!("timestamp,operation,partition_key\n{}", "1,get,\n".repeat(100));
    let stderr = check_with_files(
        &toml,
        &[("t.csv", &many)],
        &["t.csv: 80 more problem(s) not shown (the first 20 are)"],
    );
    assert_eq!(stderr.lines().count(), 21, "{stderr}");
    check_with_files(
        &format!("{HEAD}\n[trace]\nfile = \"t.txt\"\ntime_unit = \"min\"\nspeed = 0\nfomat = \"csv\"\n"),
        &[],
        &["scenario.toml:16: trace.fomat: unknown key `fomat` (did you mean `format`?)"],
    );
    check_with_files(
        &format!("{HEAD}\n[trace]\nfile = \"t.txt\"\ntime_unit = \"min\"\nspeed = 0\n"),
        &[],
        &[
            "scenario.toml:12: trace.format: cannot tell the format from the file's extension",
            "scenario.toml:14: trace.time_unit: unknown value \"min\"",
            "scenario.toml:15: trace.speed: must be above 0",
        ],
    );
    // Neither a workload nor a trace.
    check_with_files(
        HEAD,
        &[],
        &["scenario.toml: workload: a scenario needs at least one [[workload]] or a [trace]"],
    );
}

/// scenarios/trace-replay.toml does what its opening comment says, and gives the same bytes
/// twice (the trace's requests are not random, but the retries of its throttled reads are).
#[test]
fn the_shipped_trace_scenario_throttles_its_hot_profile_the_same_way_twice() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/trace-replay.toml");
    let dir = TempDir::new("trace-shipped");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let s = run_ok(&scenario, &first, &[]);
    run_ok(&scenario, &second, &[]);
    let bytes = |d: &std::path::Path| std::fs::read(d.join("summary.json")).expect("summary.json");
    assert!(bytes(&first) == bytes(&second), "summary.json differs between two runs with the same seed");
    check_invariants(&s);
    let lines = include_str!("../../scenarios/traces/hot-burst.csv").lines().count() as u64 - 1;
    let offered = u(&s, "requests.offered");
    assert!(
        (lines + 3_800..lines + 4_200).contains(&offered),
        "the trace's {lines} and about 4,000 feed reads: {offered}"
    );
    let throttled = u(&s, "requests.throttled");
    assert!(throttled > 0);
    assert_eq!(reasons(&s), [("TableReadKeyRangeThroughputExceeded".to_string(), throttled)]);
    assert_eq!((at(&s, "hot_keys.0.key").as_str(), u(&s, "hot_keys.0.throttled")), (Some("42"), throttled));
    assert_eq!(u(&s, "hot_partitions.0.throttled"), throttled);
}

/// Recorded updates resize items and recorded deletes remove them, charged as MODEL.md §1.3
/// says: a put of 900 bytes (1 WCU), an update to 3,000 (3 WCU: the larger size), a delete of
/// that item (3 WCU), a delete of a missing item (1 WCU); a delete gives no size.
#[test]
fn recorded_updates_and_deletes_change_the_items() {
    let text = "timestamp,operation,partition_key,item_bytes\n1,put,1,900\n2,update,1,3000\n3,put,2,500\n4,delete,1,\n5,delete,3,\n";
    let toml = format!("{HEAD}\n[trace]\nfile = \"t.csv\"\n");
    let s = run(&toml, &[("t.csv", text)]);
    assert_eq!(u(&s, "requests.offered"), 5);
    assert_eq!(f(&s, "consumed.write_units"), 1.0 + 3.0 + 1.0 + 3.0 + 1.0);
    assert_eq!(u(&s, "items"), 1, "item 2 is left");
    let bad = "timestamp,operation,partition_key,item_bytes\n1,delete,1,100\n";
    check_with_files(
        &toml,
        &[("t.csv", bad)],
        &["scenario.toml:13: trace.file: t.csv:2: item_bytes: must be empty for a delete: it costs the size of the item it deletes"],
    );
}
