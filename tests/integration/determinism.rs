//! Determinism (lib.rs "Architecture invariants"): the same scenario and seed give the same
//! bytes, in separate processes; another seed gives other bytes.

use crate::support::{run_ok, TempDir, TINY};
use std::path::Path;

fn report_bytes(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let read = |file: &str| std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    (read("summary.json"), read("timeseries.csv"))
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let dir = TempDir::new("determinism");
    let scenario = dir.write("tiny.toml", TINY);
    let (first, second, other) =
        (dir.path().join("first"), dir.path().join("second"), dir.path().join("other"));
    run_ok(&scenario, &first, &[]);
    run_ok(&scenario, &second, &["--seed", "7"]);
    run_ok(&scenario, &other, &["--seed", "1007"]);
    let (first, second, other) = (report_bytes(&first), report_bytes(&second), report_bytes(&other));
    // The scenario throttles and retries, so the retry stream's draws are part of what is compared.
    assert!(String::from_utf8_lossy(&first.0).contains("TableReadProvisionedThroughputExceeded"));
    assert!(first.0 == second.0, "summary.json differs between two runs with seed 7");
    assert!(first.1 == second.1, "timeseries.csv differs between two runs with seed 7");
    assert!(first.0 != other.0, "seed 1007 gives the same summary.json as seed 7");
    assert!(first.1 != other.1, "seed 1007 gives the same timeseries.csv as seed 7");
}

#[test]
fn the_library_gives_the_same_summary_in_one_process() {
    let scenario = ddbsim::scenario::parse(Path::new("tiny.toml"), TINY).expect("TINY is valid");
    let (a, _) = ddbsim::cli::simulate(&scenario, 7);
    let (b, _) = ddbsim::cli::simulate(&scenario, 7);
    let (c, _) = ddbsim::cli::simulate(&scenario, 8);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The library and the binary agree.
    let dir = TempDir::new("determinism-lib");
    let from_binary = run_ok(&dir.write("tiny.toml", TINY), &dir.path().join("r"), &[]);
    assert_eq!(from_binary, serde_json::to_value(&a).expect("a summary serializes"));
}
