//! Every operation in simulated runs, with numbers: GSI back-pressure (MODEL.md §6.2), write
//! amplification (§7.1), query and scan pages (§1.3), batches and transactions, conditional
//! writes, read patterns, and the LSI item-collection limit (§7.2).

use ddbsim::capacity::ThrottleReason;
use ddbsim::engine::units::milli_to_units;
use ddbsim::metrics::Metrics;
use ddbsim::sim::{RequestError, RunOutput};
use std::path::Path;

fn run(text: &str) -> (Metrics, RunOutput) {
    let scenario =
        ddbsim::scenario::parse(Path::new("operations-test.toml"), text).expect("a valid scenario");
    let mut metrics = Metrics::default();
    let out = ddbsim::sim::run(&scenario.config, scenario.seed.unwrap_or(1), &mut metrics, &mut |_| {});
    (metrics, out)
}

fn throttles(m: &Metrics, code: &str) -> u64 {
    let totals = m.totals();
    ThrottleReason::all()
        .filter(|r| r.code() == code)
        .map(|r| u64::from(totals.throttled_by_reason[r.index()]))
        .sum()
}

const ORDERS: &str = r#"name = "t"
duration = "30s"
seed = 5
[table]
name = "Orders"
partition_key = "OrderId"
read_capacity = 3000
write_capacity = 3000
INDEX
[[workload]]
name = "place"
operation = "put"
rate = 1500
item_bytes = 600
[workload.attributes]
OrderId = { distribution = "uniform", count = 100_000_000 }
Status = { distribution = "weighted", values = { pending = 90, shipped = 10 } }
[client]
retry = "none"
"#;

/// MODEL.md §6.2: a GSI keyed on a low-cardinality status takes 1,350 writes per second into one
/// key; its partition serves 1,000 WCU, so table writes are throttled for the index although the
/// table's own access is uniform. Without the index nothing throttles.
#[test]
fn a_status_gsi_throttles_the_table_writes() {
    let gsi = "[[table.global_secondary_index]]\nname = \"ByStatus\"\npartition_key = \"Status\"\nprojection = \"keys_only\"";
    let (m, out) = run(&ORDERS.replace("INDEX", gsi));
    let totals = m.totals();
    let index_throttles = throttles(&m, "IndexWriteKeyRangeThroughputExceeded");
    assert_eq!(index_throttles, totals.throttled, "every throttle names the index");
    let per_second = index_throttles as f64 / 30.0;
    // 1,350 pending writes per second against 1,000 WCU: about 350 refused per second.
    assert!((250.0..450.0).contains(&per_second), "{per_second}");
    // Each admitted put costs the table 1 WCU and the index 1 WCU (a 600-byte item's keys-only
    // entry is well under 1 KB).
    let admitted_puts = (totals.write_milli / 1_000) as f64;
    // One index write per table write, but for the few puts that replaced an item (2 index
    // writes if its status changed, none if not).
    let ratio = totals.index_write_milli as f64 / totals.write_milli as f64;
    assert!((ratio - 1.0).abs() < 0.001, "{ratio}");
    assert!(admitted_puts > 30.0 * 1_100.0, "{admitted_puts}");
    assert_eq!(out.indexes[0].items, out.table.item_count(), "every item has a status");

    let (m, _) = run(&ORDERS.replace("INDEX", ""));
    assert_eq!(m.totals().throttled, 0);
}

/// MODEL.md §7.1: an update that changes an item's GSI key costs the index a delete and a put;
/// one that leaves the key alone costs nothing on a keys-only index.
#[test]
fn updates_that_move_an_item_cost_the_index_two_writes() {
    let text = |status: &str| {
        format!(
            r#"name = "t"
duration = "20s"
seed = 2
[table]
name = "T"
partition_key = "Id"
read_capacity = 1000
write_capacity = 1000
[[table.global_secondary_index]]
name = "G"
partition_key = "Status"
projection = "keys_only"
[[workload]]
name = "create"
operation = "put"
rate = 100
item_bytes = 500
[workload.attributes]
Id = {{ distribution = "sequential" }}
Status = {{ distribution = "constant", value = "new" }}
[[workload]]
name = "move"
operation = "update"
set = ["Status"]
keys = "existing"
rate = 50
start = "5s"
[workload.attributes]
Id = {{ distribution = "uniform", count = 10 }}
Status = {status}
[client]
retry = "none"
"#
        )
    };
    // Every update draws a new sequence number: a new index key each time. Puts have sequential
    // ids, so the table holds one item per put.
    let (m, out) = run(&text("{ distribution = \"sequential\" }"));
    let puts = out.table.item_count();
    let updates = m.totals().offered - puts;
    assert!(updates > 600, "{updates}");
    assert_eq!(m.totals().index_write_milli, (puts + 2 * updates) * 1_000);
    // Setting the same value again: the key and the keys-only entry are unchanged.
    let (m, out) = run(&text("{ distribution = \"constant\", value = \"new\" }"));
    assert_eq!(m.totals().index_write_milli, out.table.item_count() * 1_000);
}

const CHAT: &str = r#"name = "t"
duration = "40s"
seed = 3
[table]
name = "Messages"
partition_key = "ChatId"
sort_key = "MessageId"
read_capacity = 3000
write_capacity = 1000
[[workload]]
name = "post"
operation = "put"
rate = 200
item_bytes = 1000
[workload.attributes]
ChatId = { distribution = "uniform", count = 5 }
MessageId = { distribution = "sequential" }
[[workload]]
name = "latest"
operation = "query"
descending = true
limit = 20
rate = 10
start = "20s"
[workload.attributes]
ChatId = { distribution = "uniform", count = 5 }
[client]
retry = "none"
"#;

/// MODEL.md §1.3: a query's items are summed, then rounded up to 4 KB once: 20 messages of
/// 1,000 bytes are 20,000 bytes, 5 blocks, 2.5 RCU eventually consistent.
#[test]
fn queries_charge_their_page_rounded_once() {
    let (m, _) = run(CHAT);
    let reads: u64 = m.seconds[20..40].iter().map(|s| s.read_milli).sum();
    let queries = reads as f64 / 2_500.0;
    // About 10 queries per second for 20 seconds, each 2.5 RCU exactly.
    assert_eq!(reads % 2_500, 0, "{reads}");
    assert!((150.0..250.0).contains(&queries), "{queries}");
}

/// Scans read 1 MB pages: 256 blocks, 128 RCU eventually consistent, once the table holds more
/// than a page; parallel segments continue where they stopped.
#[test]
fn scans_read_megabyte_pages() {
    let text = r#"name = "t"
duration = "30s"
seed = 4
[table]
name = "T"
partition_key = "Id"
read_capacity = 3000
write_capacity = 3000
[[workload]]
name = "load"
operation = "put"
rate = 500
item_bytes = 4096
stop = "10s"
[workload.attributes]
Id = { distribution = "sequential" }
[[workload]]
name = "scan"
operation = "scan"
segments = 2
rate = 2
start = "15s"
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    assert!(out.table.item_count() > 4_500);
    let reads: u64 = m.seconds.iter().skip(15).map(|s| s.read_milli).sum();
    // 20 MB in the table: pages of 255 or 256 items of 4 KB, with a partial page at each
    // segment's end.
    let pages = m.seconds.iter().skip(15).map(|s| s.offered).sum::<u64>() as f64;
    let per_page = milli_to_units(reads) / pages;
    assert!((100.0..=128.0).contains(&per_page), "{per_page}");
}

/// MODEL.md §1.3: batches round each item; transactions cost twice.
#[test]
fn batches_and_transactions_charge_per_item() {
    let text = |op: &str| {
        format!(
            r#"name = "t"
duration = "10s"
seed = 6
[table]
name = "T"
partition_key = "Id"
read_capacity = 10000
write_capacity = 10000
[[workload]]
name = "w"
operation = "{op}"
items = 10
rate = 20
item_bytes = 1500
[workload.attributes]
Id = {{ distribution = "uniform", count = 100_000_000 }}
[client]
retry = "none"
"#
        )
    };
    let (m, _) = run(&text("batch_write"));
    let t = m.totals();
    assert_eq!(t.write_milli, t.offered * 10 * 2_000, "10 items of 2 KB rounded each");
    let (m, _) = run(&text("transact_write"));
    let t = m.totals();
    assert_eq!(t.write_milli, t.offered * 10 * 4_000, "twice");
}

/// MODEL.md §1.3: a conditional put that finds its item consumes capacity and changes nothing;
/// the run counts ConditionalCheckFailedException.
#[test]
fn failed_conditions_are_counted_and_charged() {
    let text = r#"name = "t"
duration = "10s"
seed = 8
[table]
name = "T"
partition_key = "Id"
read_capacity = 1000
write_capacity = 1000
[[workload]]
name = "create"
operation = "put"
condition = "attribute_not_exists"
rate = 200
item_bytes = 100
[workload.attributes]
Id = { distribution = "uniform", count = 100 }
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let failed = m.errors.get(&RequestError::ConditionalCheckFailed).copied().unwrap_or(0);
    let t = m.totals();
    assert_eq!(out.table.item_count(), 100);
    assert!(failed > t.offered - 120, "{failed} of {}", t.offered);
    assert_eq!(t.write_milli, t.offered * 1_000, "every put, failed or not, 1 WCU");
}

/// Read patterns: gets of missing items cost half a unit; of recent items, their size.
#[test]
fn read_patterns_target_missing_and_recent_items() {
    let text = |keys: &str| {
        format!(
            r#"name = "t"
duration = "10s"
seed = 9
[table]
name = "T"
partition_key = "Id"
read_capacity = 3000
write_capacity = 3000
[[workload]]
name = "write"
operation = "put"
rate = 100
item_bytes = 10000
[workload.attributes]
Id = {{ distribution = "uniform", count = 1_000_000_000 }}
[[workload]]
name = "read"
operation = "get"
keys = "{keys}"
rate = 100
start = "1s"
[workload.attributes]
Id = {{ distribution = "uniform", count = 1_000_000_000 }}
[client]
retry = "none"
"#
        )
    };
    let reads = |m: &Metrics| m.seconds[2..10].iter().map(|s| s.read_milli).sum::<u64>() as f64;
    let gets = |m: &Metrics| m.seconds[2..10].iter().map(|s| s.offered).sum::<u64>() as f64 / 2.0;
    let (m, _) = run(&text("missing"));
    assert!((reads(&m) / gets(&m) - 500.0).abs() < 30.0, "{}", reads(&m) / gets(&m));
    let (m, _) = run(&text("recent"));
    // 10,000 bytes: 3 blocks, 1.5 RCU.
    assert!((reads(&m) / gets(&m) - 1_500.0).abs() < 100.0, "{}", reads(&m) / gets(&m));
}

/// MODEL.md §7.2: with a local index, an item collection stops growing at its limit.
#[test]
fn local_index_item_collections_hit_their_limit() {
    let text = r#"name = "t"
duration = "10s"
seed = 10
[table]
name = "T"
partition_key = "User"
sort_key = "Seq"
read_capacity = 1000
write_capacity = 1000
[[table.local_secondary_index]]
name = "ByDay"
sort_key = "Day"
projection = "keys_only"
[[workload]]
name = "w"
operation = "put"
rate = 100
item_bytes = 1000
[workload.attributes]
User = { distribution = "constant", value = "one" }
Seq = { distribution = "sequential" }
Day = { distribution = "uniform", count = 30 }
[capacity]
item_collection_limit_bytes = 100_000
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let refused = m.errors.get(&RequestError::ItemCollectionSizeLimitExceeded).copied().unwrap_or(0);
    assert!(out.table.item_count() < 100, "{}", out.table.item_count());
    assert_eq!(refused + out.table.item_count(), m.totals().offered);
    assert_eq!(out.indexes[0].items, out.table.item_count());
}

/// The same index scenario and seed give the same run.
#[test]
fn index_runs_are_deterministic() {
    let gsi = "[[table.global_secondary_index]]\nname = \"ByStatus\"\npartition_key = \"Status\"";
    let text = ORDERS.replace("INDEX", gsi).replace("30s", "5s");
    let (a, _) = run(&text);
    let (b, _) = run(&text);
    assert_eq!(a.seconds, b.seconds);
}

/// MODEL.md §2.4, the shipped scenario: a hot item collection throttles until split for heat
/// cuts it by sort key, six minutes in (a 60 s window and a 300 s delay); with an LSI, or with
/// reads chasing an ever-increasing sort key, it never splits.
#[test]
fn a_hot_item_collection_splits_for_heat_by_sort_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/collection-split.toml");
    let text = std::fs::read_to_string(&path).expect("the shipped scenario");
    let scenario = ddbsim::scenario::parse(&path, &text).expect("valid");
    let run_of = |s: &ddbsim::scenario::Scenario| {
        let mut m = Metrics::default();
        let out = ddbsim::sim::run(&s.config, s.seed.unwrap_or(1), &mut m, &mut |_| {});
        (m, out)
    };
    let (m, out) = run_of(&scenario);
    assert_eq!((out.initial_partitions, out.splits), (3, 1));
    let throttled =
        |from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>() as f64;
    // 4,000 reads a second against the partition's 3,000 RCU: about 1,000 throttled a second...
    assert!((900.0..1_100.0).contains(&(throttled(10, 350) / 340.0)));
    // ...until the split at 360 s, then none.
    assert_eq!(throttled(362, 600), 0.0);
    for variant in &scenario.variants {
        // The collection may be isolated (cut around its hash), which does not spread it.
        let (m, _) = run_of(variant);
        assert!(m.seconds[400..600].iter().all(|s| s.throttled > 800), "{:?}", variant.variant);
    }
}

/// The report of an indexed table shows the index: summary.json's `indexes` with the busiest
/// index partition, a table of them in report.html and summary.md, and the index's units in
/// the run line.
#[test]
fn reports_show_the_global_index_and_its_hot_partition() {
    let dir = crate::support::TempDir::new("gsi-report");
    let gsi = "[[table.global_secondary_index]]\nname = \"ByStatus\"\npartition_key = \"Status\"\nprojection = \"keys_only\"";
    let text = ORDERS.replace("INDEX", gsi).replace("30s", "5s");
    let scenario = dir.write("orders.toml", &text);
    let out = dir.path().join("report");
    let s = crate::support::run_ok(&scenario, &out, &[]);
    let ix = &s["indexes"][0];
    assert_eq!(ix["name"], "ByStatus");
    assert!(ix["hot_partitions"][0]["share_of_units"].as_f64().is_some_and(|share| share > 0.85), "{ix}");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("<h2 id=\"indexes\">Secondary indexes</h2>") && html.contains("<td>ByStatus</td>"));
    let md = std::fs::read_to_string(out.join("summary.md")).expect("summary.md");
    assert!(md.contains("| `ByStatus` |"), "{md}");
    assert!(md.contains("global secondary index cannot take the writes"), "{md}");
}

/// MODEL.md §4.3: the per-table quota counts a table's capacity and its global indexes' together.
#[test]
fn the_table_quota_counts_global_indexes() {
    let gsi = "[[table.global_secondary_index]]\nname = \"ByStatus\"\npartition_key = \"Status\"\nwrite_capacity = 38000";
    let text = ORDERS.replace("INDEX", gsi);
    let err = ddbsim::scenario::parse(Path::new("q.toml"), &text).expect_err("over the quota").to_string();
    assert!(
        err.contains("table.global_secondary_index: the table and its global indexes provision 41000 write units; the per-table quota of 40000 counts them together"),
        "{err}"
    );
}

/// MODEL.md §7.1: a global index inherits its table's capacity mode, also when the table
/// switches (§4.3). A provisioned index of 100 WCU throttles 500 writes a second until the
/// table and its index switch to on demand at 10 s; then the index takes them all.
#[test]
fn a_billing_switch_switches_the_global_indexes_too() {
    let text = |schedule: &str| {
        format!(
            r#"name = "t"
duration = "30s"
seed = 5
[table]
name = "Orders"
partition_key = "OrderId"
read_capacity = 3000
write_capacity = 3000
{schedule}
[[table.global_secondary_index]]
name = "ByStatus"
partition_key = "Status"
projection = "keys_only"
write_capacity = 100
[[workload]]
name = "place"
operation = "put"
rate = 500
item_bytes = 600
[workload.attributes]
OrderId = {{ distribution = "uniform", count = 100_000_000 }}
Status = {{ distribution = "uniform", count = 1_000 }}
[client]
retry = "none"
"#
        )
    };
    let (stays, _) = run(&text(""));
    let stays = throttles(&stays, "IndexWriteProvisionedThroughputExceeded");
    assert!(stays > 25 * 350, "about 400 refused a second all run long: {stays}");
    let switch = "[[table.schedule]]\nat = \"10s\"\nbilling_mode = \"on_demand\"";
    let (switched, _) = run(&text(switch));
    let refused = throttles(&switched, "IndexWriteProvisionedThroughputExceeded");
    assert!(refused < 11 * 450 && refused > 9 * 350, "refused for the first 10 s only: {refused}");
}
