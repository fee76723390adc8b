//! `ddbsim advise`: the write-sharding advisor finds the smallest shard count that removes
//! key-range throttling from the shipped write-sharding scenario, and prices its fan-out.

use std::process::Command;

#[test]
fn advise_finds_the_smallest_shard_count_and_its_read_fan_out() {
    let output = Command::new(env!("CARGO_BIN_EXE_ddbsim"))
        .args(["advise", "scenarios/write-sharding.toml", "--max-shards", "6", "--json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the ddbsim binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let advice: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(advice["partition_key"], "Date");
    assert_eq!(advice["smallest_shard_count"], 6, "{advice:#}");
    let rows = advice["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    let reads = |i: usize| rows[i]["read_units"].as_f64().expect("read units");
    // Every get reads every shard: six shards, six times the read units of one.
    assert!((reads(5) / reads(0) - 6.0).abs() < 0.05, "{} / {}", reads(5), reads(0));
    assert!(rows[0]["key_range_throttles"].as_u64().expect("count") > 100_000, "one shard throttles");
    assert_eq!(rows[5]["key_range_throttles"], 0);
}

#[test]
fn advise_of_a_missing_file_exits_two() {
    let output = Command::new(env!("CARGO_BIN_EXE_ddbsim"))
        .args(["advise", "no-such-scenario.toml"])
        .output()
        .expect("the ddbsim binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-scenario.toml"));
}
