//! The workload language end to end: scenarios using entities, distributions, write shards,
//! item-size distributions and traffic shapes run through the library, and their outcomes are
//! checked against what the language promises (README "Scenario reference").

use crate::support::{at, check_invariants_with, f, u, TempDir};
use ddbsim::engine::KeyValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn parse(text: &str) -> ddbsim::scenario::Scenario {
    ddbsim::scenario::parse(Path::new("language.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

fn summary(scenario: &ddbsim::scenario::Scenario, seed: u64) -> (Value, ddbsim::metrics::Metrics) {
    let (summary, metrics) = ddbsim::cli::simulate(scenario, seed);
    (serde_json::to_value(&summary).expect("a summary serializes"), metrics)
}

const HEAD: &str = "name = \"language\"\ndescription = \"d\"\nduration = \"10s\"\nseed = 3\n";

/// The same customer always has the same country, whichever workload writes it.
#[test]
fn entities_keep_their_attributes_across_requests_and_workloads() {
    let workload = |name: &str| {
        format!(
            r#"
[[workload]]
name = "{name}"
operation = "put"
rate = 500
item_bytes = {{ distribution = "uniform", min = 100, max = 3000 }}
entity = {{ distribution = "zipf", count = 2000, exponent = 0.9 }}
[workload.attributes]
CustomerId = {{ from = "entity" }}
Country = {{ distribution = "weighted", values = {{ US = 45, IN = 12, BR = 8, DE = 5, other = 30 }} }}
Status = {{ distribution = "weighted", values = {{ pending = 70, shipped = 30 }}, per = "request" }}
"#
        )
    };
    let text = format!(
        "{HEAD}[table]\nname = \"Orders\"\npartition_key = \"Country\"\nsort_key = \"CustomerId\"\nread_capacity = 1000\nwrite_capacity = 40000\n{}{}",
        workload("place-order"),
        workload("amend-order")
    );
    let scenario = parse(&text);
    let out = ddbsim::sim::run(&scenario.config, 3, &mut ddbsim::metrics::Metrics::default(), &mut |_| {});
    let mut country_of: BTreeMap<i64, String> = BTreeMap::new();
    let mut customers_per_country: BTreeMap<String, u64> = BTreeMap::new();
    for partition in out.table.partitions() {
        for (_, country, customer, item) in partition.items() {
            let (KeyValue::S(country), Some(KeyValue::N(customer))) = (&*country, customer) else {
                panic!("string countries and numeric customer ids: {country:?} {customer:?}");
            };
            assert!((100..=3000).contains(&item.bytes), "size {}", item.bytes);
            let previous = country_of.insert(*customer, country.to_string());
            assert!(previous.is_none(), "customer {customer} stored under two countries");
            *customers_per_country.entry(country.to_string()).or_default() += 1;
        }
    }
    assert!(country_of.len() > 1_000, "{} customers written", country_of.len());
    let us = customers_per_country["US"] as f64 / country_of.len() as f64;
    assert!((0.40..0.50).contains(&us), "45% of customers are in the US: {us}");
    assert_eq!(customers_per_country.len(), 5, "{customers_per_country:?}");
}

const SHARDED: &str = r#"
[table]
name = "Events"
partition_key = { attribute = "Date", shards = 10 }
read_capacity = 10000
write_capacity = 10000

[[workload]]
name = "write-event"
operation = "put"
rate = 200
item_bytes = 1000
[workload.attributes]
Date = { distribution = "constant", value = "2024-06-01" }

[[workload]]
name = "read-day"
operation = "get"
rate = 100
[workload.attributes]
Date = { distribution = "constant", value = "2024-06-01" }
"#;

/// Writes spread over `Date#0`..`Date#9`; each read is ten GetItems, each charged, and one
/// request.
#[test]
fn reads_of_a_sharded_key_fan_out_and_pay_per_shard() {
    let scenario = parse(&format!("{HEAD}{SHARDED}"));
    let (s, _) = summary(&scenario, 3);
    check_invariants_with(&s, true);
    let (offered, attempts) = (u(&s, "requests.offered"), u(&s, "requests.attempts"));
    assert_eq!(u(&s, "requests.throttled"), 0);
    assert_eq!(u(&s, "requests.succeeded"), offered);
    // puts + gets = offered and puts + 10 gets = attempts.
    let gets = (attempts - offered) / 9;
    let puts = offered - gets;
    assert_eq!(puts + 10 * gets, attempts);
    assert!((900..1_100).contains(&gets) && (1_800..2_200).contains(&puts), "{gets} gets, {puts} puts");
    // An eventually consistent read of an item under 4 KB (or of a missing one) is half a unit
    // (MODEL.md §1.3): ten of them per read.
    assert_eq!(f(&s, "consumed.read_units"), 5.0 * gets as f64);
    assert_eq!(f(&s, "consumed.write_units"), puts as f64);
    assert_eq!(u(&s, "items"), 10, "one item per shard");
    let keys: Vec<&str> = s["hot_keys"]
        .as_array()
        .expect("hot keys")
        .iter()
        .map(|k| k["key"].as_str().expect("a string key"))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    let expected: Vec<String> = (0..10).map(|i| format!("2024-06-01#{i}")).collect();
    assert_eq!(sorted, expected, "the hot keys are the ten shards");
}

/// Without shards, the same key takes every write: one partition's 1,000 WCU caps it.
#[test]
fn an_unsharded_hot_key_throttles_where_the_sharded_one_does_not() {
    let hot = |key: &str| {
        format!(
            "{HEAD}{}",
            SHARDED
                .replace("partition_key = { attribute = \"Date\", shards = 10 }", key)
                .replace("rate = 200", "rate = 3000")
        )
    };
    let (sharded, _) = summary(&parse(&hot("partition_key = { attribute = \"Date\", shards = 10 }")), 3);
    let (single, _) = summary(&parse(&hot("partition_key = \"Date\"")), 3);
    check_invariants_with(&single, false);
    assert!(
        u(&single, "requests.throttled") > u(&single, "requests.offered") / 4,
        "3,000 WCU/s on one key throttles"
    );
    assert!(s_reason(&single).contains("TableWriteKeyRangeThroughputExceeded"));
    assert!(
        u(&sharded, "requests.throttled") * 100 < u(&sharded, "requests.attempts"),
        "ten shards spread the writes"
    );
}

fn s_reason(s: &Value) -> String {
    s["throttles_by_reason"].to_string()
}

/// Offered requests per second follow the rate shape, within the workload's start and stop.
#[test]
fn traffic_shapes_start_and_stop_drive_the_offered_load() {
    let text = format!(
        r#"{HEAD}
[table]
name = "T"
partition_key = "K"
read_capacity = 40000
write_capacity = 40000

[[workload]]
name = "spiky"
operation = "get"
rate = {{ shape = "spike", base = 200, peak = 2000, at = "5s", duration = "2s" }}
[workload.attributes]
K = {{ distribution = "uniform", count = 1000 }}

[[workload]]
name = "window"
operation = "get"
rate = 500
arrivals = "uniform"
start = "2s"
stop = "4s"
[workload.attributes]
K = {{ distribution = "uniform", count = 1000 }}
"#
    );
    let (s, metrics) = summary(&parse(&text), 3);
    check_invariants_with(&s, false);
    let offered: Vec<u64> = metrics.seconds.iter().map(|sec| sec.offered).collect();
    for (second, &n) in offered.iter().enumerate() {
        let expected = match second {
            2 | 3 => 200.0 + 500.0,
            5 | 6 => 2000.0,
            _ => 200.0,
        };
        assert!(
            (n as f64 - expected).abs() < 5.0 * (200f64).sqrt() + 2.0,
            "second {second}: {n} offered, expected {expected}"
        );
    }
    assert!(at(&s, "requests.offered").as_u64().is_some());
}

/// A shipped-style scenario with a data file next to it loads the file relative to itself.
#[test]
fn data_files_are_read_beside_the_scenario() {
    let dir = TempDir::new("language-files");
    dir.write("weights.csv", "value,weight\nUS,45\nIN,12\n# the rest\nother,43\n");
    dir.write("rates.csv", "time_s,rate\n0,100\n5,300\n");
    let text = format!(
        r#"{HEAD}
[table]
name = "T"
partition_key = "Country"
read_capacity = 1000
write_capacity = 1000

[[workload]]
name = "w"
operation = "get"
rate = {{ shape = "csv", file = "rates.csv" }}
[workload.attributes]
Country = {{ distribution = "weighted", file = "weights.csv" }}
"#
    );
    let path = dir.write("scenario.toml", &text);
    let scenario = ddbsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let (s, metrics) = summary(&scenario, 1);
    let keys: Vec<&str> = s["hot_keys"]
        .as_array()
        .expect("hot keys")
        .iter()
        .map(|k| k["key"].as_str().expect("a string key"))
        .collect();
    assert_eq!(keys, ["US", "other", "IN"], "busiest first");
    let early: u64 = metrics.seconds[..5].iter().map(|sec| sec.offered).sum();
    let late: u64 = metrics.seconds[5..10].iter().map(|sec| sec.offered).sum();
    assert!((400..600).contains(&early) && (1_300..1_700).contains(&late), "{early} then {late}");
}
