//! `[table.preload]`: items stored before time zero are read like written ones, count toward
//! storage and its price, and split partitions for size before the run starts; the run is
//! deterministic.

use crate::support::{at, check_invariants, f, u};
use ddbsim::metrics::Metrics;
use ddbsim::sim::RunOutput;
use serde_json::Value;
use std::path::Path;

/// A table with one partition (100 RCU, 100 WCU) read by strongly consistent gets of keys
/// 0..1,000, with `preload` added to its `[table]` and `more` at the end of the file.
fn scenario(preload: &str, more: &str) -> String {
    format!(
        "name = \"preload-test\"\nduration = \"10s\"\nseed = 5\n\
         [table]\nname = \"T\"\npartition_key = \"K\"\nread_capacity = 100\nwrite_capacity = 100\n{preload}\n\
         [[workload]]\nname = \"reads\"\noperation = \"get\"\nconsistency = \"strong\"\nrate = 20\n\
         [workload.attributes]\nK = {{ distribution = \"uniform\", count = 1_000 }}\n{more}"
    )
}

/// The reads' key space in [`scenario`], and a larger one.
const KEYS: &str = "count = 1_000 }";
const MORE_KEYS: &str = "count = 100_000 }";

fn parse(text: &str) -> ddbsim::scenario::Scenario {
    ddbsim::scenario::parse(Path::new("preload-test.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

/// The summary of `text` at its seed, as JSON.
fn summary(text: &str) -> Value {
    let scenario = parse(text);
    let (summary, _) = ddbsim::cli::simulate(&scenario, scenario.seed.unwrap_or(1));
    let s = serde_json::to_value(&summary).expect("a summary serializes");
    check_invariants(&s);
    s
}

/// The library's run of `text` at its seed.
fn run(text: &str) -> (Metrics, RunOutput) {
    let scenario = parse(text);
    let mut metrics = Metrics::default();
    let out = ddbsim::sim::run(&scenario.config, scenario.seed.unwrap_or(1), &mut metrics, &mut |_| {});
    (metrics, out)
}

#[test]
fn gets_of_preloaded_items_pay_for_their_size() {
    // 10 KB items: a strongly consistent read rounds them up to 12 KB, three units (MODEL.md
    // §1.3, A6); a read of a missing item costs one.
    let loaded = summary(&scenario("[table.preload]\nitems = 1_000\nitem_bytes = 10_240", ""));
    let empty = summary(&scenario("", ""));
    let reads = u(&loaded, "requests.succeeded");
    assert!(reads > 100, "{reads} reads");
    assert_eq!(f(&loaded, "consumed.read_units"), 3.0 * reads as f64, "every read finds a 10 KB item");
    assert_eq!(f(&empty, "consumed.read_units"), u(&empty, "requests.succeeded") as f64, "one unit per miss");
    assert_eq!(f(&loaded, "consumed.write_units"), 0.0, "the preload consumes no capacity");
    // The preload object, and storage at the end: 1,000 items of 10,240 bytes and 100 of overhead.
    assert_eq!(at(&loaded, "preload"), &serde_json::json!({ "items": 1_000, "bytes": 1_000 * 10_340 }));
    assert_eq!((u(&loaded, "items"), u(&loaded, "storage_bytes")), (1_000, 10_340_000));
    assert!(empty.get("preload").is_none(), "no preload object without [table.preload]");
    // Past the key space, keys repeat: 1,500 items over 1,000 keys store 1,000.
    let over = summary(&scenario("[table.preload]\nitems = 1_500\nitem_bytes = 10_240", ""));
    assert_eq!(u(&over, "preload.items"), 1_000);
}

#[test]
fn a_preload_past_the_size_limit_starts_with_more_partitions() {
    // 60,000 items of 400,000 bytes: 24 GB (22.4 GiB with the overhead) in one partition splits
    // at its data median into two of about 11.2 GiB, each still at the 10 GiB limit, so each
    // splits again: four partitions at time zero, none split during the run.
    let text = scenario("[table.preload]\nitems = 60_000\nitem_bytes = 400_000", "").replace(KEYS, MORE_KEYS);
    let (metrics, out) = run(&text);
    assert_eq!(out.initial_partitions, 4);
    assert_eq!((out.table.partition_count(), out.splits), (4, 0));
    assert_eq!(metrics.table_states[0].partitions, 4, "the partitions chart starts at 4");
    let limit = 10 * (1u64 << 30);
    for p in out.table.partitions() {
        assert!((limit / 3..limit).contains(&p.storage_bytes()), "{} bytes", p.storage_bytes());
    }
    let preload = out.preload.expect("a preload");
    assert_eq!((preload.items, preload.bytes), (60_000, 60_000 * 400_100));
    let s = summary(&text);
    assert_eq!(
        (u(&s, "partitions.initial"), u(&s, "partitions.final"), u(&s, "partitions.splits")),
        (4, 4, 0)
    );
    // Storage is priced from the preloaded bytes: $0.25 per GB-month (us-east-1, 2024-11-01).
    let gb = (60_000 * 400_100u64) as f64 / (1u64 << 30) as f64;
    assert!(
        (f(&s, "cost.per_month.storage_usd") - 0.25 * gb).abs() < 1e-6,
        "{}",
        f(&s, "cost.per_month.storage_usd")
    );
}

#[test]
fn a_preload_under_the_limit_keeps_the_capacity_partitions() {
    // 3,000 RCU and 1,000 WCU give two partitions; 15 GB spread over them stays under 10 GiB each.
    let text = scenario("[table.preload]\nitems = 37_500\nitem_bytes = 400_000", "")
        .replace(KEYS, MORE_KEYS)
        .replace("read_capacity = 100\nwrite_capacity = 100", "read_capacity = 3000\nwrite_capacity = 1000");
    let (_, out) = run(&text);
    assert_eq!((out.initial_partitions, out.table.partition_count()), (2, 2));
}

#[test]
fn a_preload_takes_its_keys_from_the_named_workload() {
    // The writes address keys 1,000, 1,001, ... (a counter), the reads keys 0..1,000. By
    // default the preload takes the first put's keys, which the reads never find (one unit per
    // strongly consistent miss); named, it takes the reads' keys, which they always find (three
    // units per 10 KB item). Each put writes a 10 KB item: 10 units.
    let writes = "[[workload]]\nname = \"writes\"\noperation = \"put\"\nrate = 1\nitem_bytes = 10_240\n\
                  [workload.attributes]\nK = { distribution = \"sequential\", start = 1_000 }\n";
    let preload = "[table.preload]\nitems = 1_000\nitem_bytes = 10_240";
    let units_per_read = |s: &Value| {
        let puts = f(s, "consumed.write_units") / 10.0;
        let reads = u(s, "requests.succeeded") as f64 - puts;
        assert!(puts >= 1.0 && reads > 100.0, "{puts} puts, {reads} reads");
        f(s, "consumed.read_units") / reads
    };
    assert_eq!(units_per_read(&summary(&scenario(preload, writes))), 1.0);
    assert_eq!(units_per_read(&summary(&scenario(&format!("{preload}\nworkload = \"reads\""), writes))), 3.0);
}

#[test]
fn preloads_are_deterministic_and_sizes_follow_the_seed() {
    let text = scenario(
        "[table.preload]\nitems = 5_000\nitem_bytes = { distribution = \"uniform\", min = 100, max = 9_000 }",
        "",
    )
    .replace(KEYS, MORE_KEYS);
    let (a, b) = (summary(&text), summary(&text));
    assert_eq!(a, b);
    let other = summary(&text.replace("seed = 5", "seed = 6"));
    assert_eq!(u(&other, "preload.items"), 5_000, "the same keys");
    assert_ne!(u(&other, "preload.bytes"), u(&a, "preload.bytes"), "other sizes");
}
