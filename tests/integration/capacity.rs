//! Capacity dynamics as scenario tests with numbers (MODEL.md §12 C, D, E): burst, the
//! per-partition cap on one key, split for heat, and on-demand growth. Each runs a small
//! scenario through the library and checks per-second figures.

use ddbsim::metrics::Metrics;
use ddbsim::sim::RunOutput;
use std::path::Path;

/// Runs scenario `text` at its own seed.
fn run(text: &str) -> (Metrics, RunOutput) {
    let scenario = ddbsim::scenario::parse(Path::new("capacity-test.toml"), text).expect("a valid scenario");
    let mut metrics = Metrics::default();
    let out = ddbsim::sim::run(&scenario.config, scenario.seed.unwrap_or(1), &mut metrics, &mut |_| {});
    (metrics, out)
}

/// Mean of `succeeded` over seconds `from..to`.
fn mean_succeeded(m: &Metrics, from: usize, to: usize) -> f64 {
    m.seconds[from..to].iter().map(|s| s.succeeded as f64).sum::<f64>() / (to - from) as f64
}

fn scenario(table: &str, workload: &str, capacity: &str, duration: &str) -> String {
    format!(
        "name = \"t\"\nduration = \"{duration}\"\nseed = 3\n[table]\nname = \"T\"\npartition_key = \"K\"\n{table}\n\
         [[workload]]\nname = \"w\"\n{workload}\n[client]\nretry = \"none\"\n[capacity]\n{capacity}\n"
    )
}

/// MODEL.md §12 D1: 100 WCU idle for 300 s hold 30,000 WCU of burst, so 400 writes per second
/// are served in full for about 100 s, then at the provisioned 100 per second.
#[test]
fn burst_serves_a_spike_for_about_100_seconds() {
    let text = scenario(
        "read_capacity = 100\nwrite_capacity = 100",
        "operation = \"put\"\nrate = 400\nitem_bytes = 1000\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000_000 }",
        "initial_burst_seconds = 300",
        "200s",
    );
    let (m, _) = run(&text);
    let full = m.seconds.iter().take_while(|s| s.succeeded as f64 > 0.9 * s.offered as f64).count();
    assert!((95..=105).contains(&full), "served in full for {full} s");
    let after = mean_succeeded(&m, 120, 200);
    assert!((95.0..=105.0).contains(&after), "then {after} per second");
}

/// MODEL.md §2.1, §6.3: 5,000 strongly consistent reads per second of one key are served at
/// about 3,000 per second, the partition's cap, whatever the table's capacity; isolating the
/// hot item in its own partition (§3.2) cannot raise that.
#[test]
fn one_hot_key_serves_3000_strong_reads_per_second() {
    let text = scenario(
        "read_capacity = 20000\nwrite_capacity = 10",
        "operation = \"get\"\nconsistency = \"strong\"\nrate = 5000\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1 }",
        "heat_split_delay_seconds = 10\nheat_window_seconds = 10",
        "60s",
    );
    let (m, out) = run(&text);
    let served = mean_succeeded(&m, 5, 60);
    assert!((2_950.0..=3_050.0).contains(&served), "{served} reads per second");
    assert_eq!(out.splits, 2, "the item is isolated: one cut below it, one above");
    let late = mean_succeeded(&m, 40, 60);
    assert!((2_950.0..=3_050.0).contains(&late), "isolated, still {late} reads per second");
    let totals = m.totals();
    assert_eq!(totals.throttled_by_reason.iter().sum::<u32>() as u64, totals.throttled);
}

/// MODEL.md §2.4: a partition hot across many keys splits at its traffic median after the
/// window and the delay; its two children then serve what one could not.
#[test]
fn a_hot_partition_splits_for_heat_and_then_serves_the_load() {
    let text = scenario(
        "read_capacity = 10\nwrite_capacity = 4000\ninitial_partitions = 1",
        "operation = \"put\"\nrate = 1500\nitem_bytes = 500\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000_000 }",
        "heat_window_seconds = 30\nheat_split_delay_seconds = 60",
        "150s",
    );
    let (m, out) = run(&text);
    assert_eq!((out.initial_partitions, out.splits, out.table.partition_count()), (1, 1, 2));
    let before = mean_succeeded(&m, 5, 85);
    let after = mean_succeeded(&m, 100, 150);
    assert!((980.0..=1_020.0).contains(&before), "one partition: {before} writes per second");
    assert!((1_450.0..=1_550.0).contains(&after), "two partitions: {after} writes per second");
    let states = &m.table_states;
    assert_eq!((states[80].partitions, states[95].partitions), (1, 2), "split at 30 s + 60 s");
    let items: u64 = out.table.partitions().iter().map(|p| p.item_count()).sum();
    assert_eq!(items, out.table.item_count());
    assert!(out.table.partitions().iter().all(|p| p.item_count() > items / 3), "the split moved items");
}

/// MODEL.md §4.1, §4.2, §12 E1: a new on-demand table serves 4,000 writes per second at once;
/// sustained traffic above half its ceiling doubles it, and not again within 30 minutes.
#[test]
fn on_demand_doubles_past_its_previous_peak_and_no_faster() {
    let text = scenario(
        "billing_mode = \"on_demand\"",
        "operation = \"put\"\nrate = 7000\nitem_bytes = 500\n[workload.attributes]\nK = { distribution = \"uniform\", count = 10_000_000 }",
        "split_for_heat = false",
        "300s",
    );
    let (m, out) = run(&text);
    let first = mean_succeeded(&m, 5, 55);
    let doubled = mean_succeeded(&m, 70, 300);
    assert!((3_950.0..=4_050.0).contains(&first), "new table: {first} writes per second");
    assert!((6_900.0..=7_100.0).contains(&doubled), "doubled: {doubled} writes per second");
    assert_eq!((out.initial_partitions, out.table.partition_count()), (4, 8), "one doubling in 5 minutes");
    assert_eq!(out.admission.ceiling_units(), (24_000, 8_000));
}

/// MODEL.md §4.5: an on-demand maximum throughput setting throttles with its own reason.
#[test]
fn on_demand_maximum_throughput_throttles_with_its_reason() {
    let text = scenario(
        "billing_mode = \"on_demand\"\nmax_write_request_units = 500",
        "operation = \"put\"\nrate = 800\nitem_bytes = 500\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000_000 }",
        "",
        "30s",
    );
    let (m, _) = run(&text);
    let served = mean_succeeded(&m, 5, 30);
    assert!((490.0..=510.0).contains(&served), "{served}");
    let reason = ddbsim::capacity::ThrottleReason::all()
        .find(|r| r.code() == "TableWriteMaxOnDemandThroughputExceeded")
        .expect("a known reason");
    assert!(m.totals().throttled_by_reason[reason.index()] > 5_000);
}

/// Six minutes of 150 puts a second of 1 KB (`arrivals` evenly spaced or Poisson) on a table of
/// 200 WCU that auto scales writes at a 70% target, its UpdateTable taking a minute.
fn scaling_at_150_of_200(arrivals: &str) -> String {
    scenario(
        "read_capacity = 10\nwrite_capacity = 200\n[table.auto_scaling]\n\
         write = { min = 50, max = 1000, target = 0.7 }\nupdate_delay_seconds = 60",
        &format!(
            "operation = \"put\"\nrate = 150\narrivals = \"{arrivals}\"\nitem_bytes = 1000\n\
             [workload.attributes]\nK = {{ distribution = \"uniform\", count = 1_000_000 }}"
        ),
        "",
        "6m",
    )
}

/// MODEL.md §5, §12 F1 and F3: 150 WCU consumed of 200 at a 70% target is above target for two
/// minutes; auto scaling then asks for ceil(150 / 0.7) = 215, which lands after the UpdateTable
/// delay, and the table's cost follows the capacity it had.
#[test]
fn auto_scaling_settles_at_215() {
    let text = scaling_at_150_of_200("uniform");
    // Evenly spaced arrivals consume exactly 150 WCU every minute, as in the worked example;
    // Poisson minutes scatter by about 1%, which would nudge the capacity a unit or two.
    let (m, out) = run(&text);
    let w = |s: usize| m.table_states[s].write_ceiling_units;
    assert_eq!((w(100), w(170)), (200, 200), "two minutes above target, then the UpdateTable delay");
    assert_eq!(w(200), 215, "ceil(150 / 0.7)");
    assert_eq!(w(359), w(200), "150 / 215 is below the target: no further change");
    assert_eq!(out.admission.ceiling_units().1, w(359));
}

/// The same table under Poisson arrivals: auto scaling follows a minute's average (about 150
/// WCU, 9,000 writes a minute give or take 95), not its busiest second (about 180), so the
/// capacity settles within a few units of 215, never near ceil(180 / 0.7) = 258.
#[test]
fn auto_scaling_follows_the_minute_not_the_busiest_second() {
    let text = scaling_at_150_of_200("poisson");
    let (m, _) = run(&text);
    let w = |s: usize| m.table_states[s].write_ceiling_units;
    assert_eq!(w(100), 200);
    for s in [200, 280, 359] {
        assert!((210..=225).contains(&w(s)), "second {s}: {}", w(s));
    }
}

/// A scheduled UpdateTable raises capacity at its time; partitions double when the new capacity
/// needs more of them (MODEL.md §2.2: 5,000 RCU + 2,000 WCU is 4 partitions, 8,000 RCU needs 8).
#[test]
fn a_scheduled_increase_doubles_the_partitions() {
    let text = scenario(
        "read_capacity = 5000\nwrite_capacity = 2000\n[[table.schedule]]\nat = \"30s\"\nread_capacity = 8000",
        "operation = \"get\"\nrate = 100\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000 }",
        "",
        "60s",
    );
    let (m, out) = run(&text);
    let s = |i: usize| (m.table_states[i].partitions, m.table_states[i].read_ceiling_units);
    assert_eq!((s(10), s(40)), ((4, 5_000), (8, 8_000)));
    assert_eq!(out.splits, 4);
}

/// MODEL.md §3.2: a hot item isolated in a partition of its own stops starving the keys that
/// shared its partition. One key takes 900 of a partition's 1,000 WCU a second and its
/// neighbours 300 more: before isolation a fifth of the writes throttle, after it none.
#[test]
fn isolating_a_hot_item_relieves_its_neighbours() {
    let text = format!(
        "{}[[workload]]\nname = \"others\"\noperation = \"put\"\nrate = 300\nitem_bytes = 500\n\
         [workload.attributes]\nK = {{ distribution = \"uniform\", count = 1_000_000 }}\n",
        scenario(
            "read_capacity = 10\nwrite_capacity = 3000\ninitial_partitions = 1",
            "operation = \"put\"\nrate = 900\nitem_bytes = 500\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1 }",
            "heat_window_seconds = 20\nheat_split_delay_seconds = 30",
            "120s",
        )
    );
    let (m, out) = run(&text);
    let throttled = |from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>();
    assert!(throttled(5, 45) > 40 * 150, "sharing one partition: {} throttled", throttled(5, 45));
    assert_eq!(throttled(60, 120), 0, "after isolation");
    assert_eq!(out.table.partition_count(), 3, "below the item, the item, above it");
}

/// MODEL.md §3.2, §3.3: in the legacy model each of 2 partitions is allocated half of 1,000 WCU,
/// so a key taking 700 writes a second throttles at about 500 with the table at half its
/// capacity, until adaptive capacity, after its delay, boosts the partition; the modern model
/// serves it from the start.
#[test]
fn legacy_allocation_throttles_until_adaptive_capacity_boosts_it() {
    let text = |model: &str| {
        format!(
            "{}[[workload]]\nname = \"others\"\noperation = \"put\"\nrate = 100\nitem_bytes = 500\n\
             [workload.attributes]\nK = {{ distribution = \"uniform\", count = 1_000_000 }}\n",
            scenario(
                "read_capacity = 10\nwrite_capacity = 1000\ninitial_partitions = 2",
                "operation = \"put\"\nrate = 700\nitem_bytes = 500\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1 }",
                &format!("admission = \"{model}\"\nadaptive_delay_seconds = 60\nburst_seconds = 1\nsplit_for_heat = false"),
                "150s",
            )
        )
    };
    let throttled =
        |m: &Metrics, from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>();
    let (legacy, _) = run(&text("legacy"));
    assert!(throttled(&legacy, 5, 55) > 50 * 150, "at its 500 WCU share: {}", throttled(&legacy, 5, 55));
    assert_eq!(throttled(&legacy, 90, 150), 0, "boosted after the delay");
    let totals = legacy.totals();
    let provisioned = ddbsim::capacity::ThrottleReason::all()
        .find(|r| r.code() == "TableWriteProvisionedThroughputExceeded")
        .expect("a known reason");
    assert_eq!(u64::from(totals.throttled_by_reason[provisioned.index()]), totals.throttled);
    let (modern, _) = run(&text("modern"));
    assert_eq!(throttled(&modern, 5, 150), 0, "the modern model serves it from the start");
}

/// MODEL.md §2.2: a partition that fills up splits at its data median, moving half its items;
/// partitions never merge. With a 5 MB limit, over 15 MB of 2 KB items end up in partitions that
/// are each under the limit.
#[test]
fn full_partitions_split_for_size_and_keep_every_item() {
    let text = scenario(
        "read_capacity = 10\nwrite_capacity = 4000\ninitial_partitions = 1",
        "operation = \"put\"\nrate = 1000\nitem_bytes = 2000\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000_000_000 }",
        "partition_size_limit_bytes = 5_000_000\nsplit_for_heat = false",
        "10s",
    );
    let (m, out) = run(&text);
    let items = m.totals().succeeded;
    assert_eq!(out.table.item_count(), items, "every admitted put is stored once (distinct keys)");
    assert!(out.table.storage_bytes() > 15_000_000, "{} bytes", out.table.storage_bytes());
    assert!(out.splits >= 3 && out.splits == out.table.partition_count() as u64 - 1, "{} splits", out.splits);
    assert!(out.table.partitions().iter().all(|p| p.storage_bytes() < 5_000_000));
    assert!(out.table.partitions().iter().all(|p| p.storage_bytes() > 1_000_000), "median splits");
}

/// The order of an observer's callbacks does not depend on the path a request takes: a put
/// whose first attempt fills its partition is offered and admitted, then the split is
/// reported, then the request completes, as for every request that is not a plain draw.
#[test]
fn a_split_for_size_comes_between_the_attempt_and_the_completion() {
    use ddbsim::capacity::ThrottleReason;
    use ddbsim::engine::{Access, ItemKey, PartitionId};
    use ddbsim::sim::Observer;
    use ddbsim::time::SimTime;

    /// Every callback's name, in order.
    #[derive(Default)]
    struct Log(Vec<&'static str>);
    impl Observer for Log {
        fn offered(&mut self, _: SimTime) {
            self.0.push("offered");
        }
        fn admitted(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: Access, _: u64) {
            self.0.push("admitted");
        }
        fn throttled(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: ThrottleReason) {
            self.0.push("throttled");
        }
        fn completed(&mut self, _: SimTime, _: bool, _: u64) {
            self.0.push("completed");
        }
        fn split(&mut self, _: SimTime, _: PartitionId, _: (PartitionId, PartitionId)) {
            self.0.push("split");
        }
    }
    let text = scenario(
        "read_capacity = 10\nwrite_capacity = 4000\ninitial_partitions = 1",
        "operation = \"put\"\nrate = 1000\nitem_bytes = 2000\n[workload.attributes]\nK = { distribution = \"uniform\", count = 1_000_000_000 }",
        "partition_size_limit_bytes = 5_000_000\nsplit_for_heat = false",
        "10s",
    );
    let scenario = ddbsim::scenario::parse(Path::new("order-test.toml"), &text).expect("a valid scenario");
    let mut log = Log::default();
    let out = ddbsim::sim::run(&scenario.config, 3, &mut log, &mut |_| {});
    assert!(out.splits >= 3, "{} splits", out.splits);
    let at: Vec<usize> = (0..log.0.len()).filter(|&i| log.0[i] == "split").collect();
    assert_eq!(at.len() as u64, out.splits);
    for i in at {
        assert_eq!(&log.0[i - 2..=i + 1], ["offered", "admitted", "split", "completed"], "around event {i}");
    }
    let count = |name| log.0.iter().filter(|&&e| e == name).count();
    assert_eq!(count("offered"), count("completed"));
}

/// MODEL.md §4.3: a provisioned table throttling at 1,000 WCU switches to on demand at 60 s and
/// serves its 1,800 writes per second from the partitions it has (2, so 2,000 WRU); back to
/// provisioned at 120 s with 500 WCU, it throttles again.
#[test]
fn billing_mode_switches_in_the_schedule() {
    let text = r#"name = "t"
duration = "180s"
seed = 4
[table]
name = "T"
partition_key = "K"
read_capacity = 1000
write_capacity = 1000
[[table.schedule]]
at = "60s"
billing_mode = "on_demand"
[[table.schedule]]
at = "120s"
billing_mode = "provisioned"
read_capacity = 1000
write_capacity = 500
[[workload]]
name = "w"
operation = "put"
rate = 1800
item_bytes = 1000
[workload.attributes]
K = { distribution = "uniform", count = 1_000_000 }
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let throttled = |from: usize, to: usize| {
        m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>() as f64 / (to - from) as f64
    };
    assert!((700.0..900.0).contains(&throttled(5, 60)), "{}", throttled(5, 60));
    assert!(throttled(62, 120) < 5.0, "{}", throttled(62, 120));
    assert!((1_200.0..1_400.0).contains(&throttled(125, 180)), "{}", throttled(125, 180));
    assert_eq!(m.table_states[90].write_ceiling_units, 2_000, "on demand: two partitions' 1,000 WRU");
    assert_eq!(out.admission.ceiling_units(), (1_000, 500));
}

/// MODEL.md §4.3: at most four switches to on demand in 24 hours, and capacity changes of an
/// on-demand table are errors naming the entry.
#[test]
fn billing_mode_switches_respect_the_limits() {
    let mut text = String::from(
        "name = \"t\"\nduration = \"1d\"\n[table]\nname = \"T\"\npartition_key = \"K\"\nread_capacity = 100\nwrite_capacity = 100\n",
    );
    for hour in 1..=5 {
        text += &format!("[[table.schedule]]\nat = \"{}h\"\nbilling_mode = \"on_demand\"\n", 2 * hour - 1);
        text += &format!("[[table.schedule]]\nat = \"{}h\"\nbilling_mode = \"provisioned\"\nread_capacity = 100\nwrite_capacity = 100\n", 2 * hour);
    }
    text += "[[workload]]\nname = \"w\"\noperation = \"get\"\nrate = 1\n[workload.attributes]\nK = { distribution = \"uniform\", count = 10 }\n";
    let err = ddbsim::scenario::parse(Path::new("s.toml"), &text).expect_err("a fifth switch in a day");
    let message = err.to_string();
    assert!(message.contains("table.schedule[8].billing_mode: a table can switch to on-demand mode at most 4 times in 24 hours"), "{message}");
    let on_demand = "name = \"t\"\nduration = \"1h\"\n[table]\nname = \"T\"\npartition_key = \"K\"\nbilling_mode = \"on_demand\"\n[[table.schedule]]\nat = \"10m\"\nwrite_capacity = 5\n[[workload]]\nname = \"w\"\noperation = \"get\"\nrate = 1\n[workload.attributes]\nK = { distribution = \"uniform\", count = 10 }\n";
    let message = ddbsim::scenario::parse(Path::new("s.toml"), on_demand)
        .expect_err("no capacity on demand")
        .to_string();
    assert!(
        message.contains("table.schedule[0].write_capacity: does not apply to an on-demand table"),
        "{message}"
    );
}

/// MODEL.md §5: a global index scales on its own. Its 100 WCU throttle the table's 500 writes
/// per second (MODEL.md §6.2); auto scaling sees only what the index consumed, so it climbs in
/// steps of 1/0.7 (two minutes above target, then the update delay) to ceil(500 / 0.7) = 715
/// WCU, where the throttling stops; the table's capacity does not move.
#[test]
fn a_global_index_auto_scales_on_its_own() {
    let text = r#"name = "t"
duration = "40m"
seed = 6
[table]
name = "T"
partition_key = "K"
read_capacity = 100
write_capacity = 1000
[[table.global_secondary_index]]
name = "G"
partition_key = "Tag"
projection = "keys_only"
read_capacity = 100
write_capacity = 100
auto_scaling = { write = { min = 100, max = 2000, target = 0.7 }, update_delay_seconds = 120 }
[[workload]]
name = "w"
operation = "put"
rate = 500
item_bytes = 500
[workload.attributes]
K = { distribution = "uniform", count = 100_000_000 }
Tag = { distribution = "uniform", count = 1_000_000 }
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let throttled = |from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>();
    assert!(throttled(10, 60) > 10_000, "the index throttles the table at first");
    assert_eq!(throttled(2_100, 2_400), 0, "then it has the capacity");
    let ceiling = out.indexes[0].ceiling_units.expect("a global index");
    assert!((700..=730).contains(&ceiling.1), "{ceiling:?}");
    assert_eq!(out.admission.ceiling_units(), (100, 1_000), "the table's capacity is its own");
}

/// MODEL.md §4.1 for an index: on an on-demand table a global index grows like its table.
/// 6,000 writes a second throttle both at first (four partitions: 4,000 WRU each); both double
/// once the traffic has been sustained a minute, and the throttling stops.
#[test]
fn an_on_demand_global_index_grows_with_its_traffic() {
    let text = r#"name = "t"
duration = "150s"
seed = 8
[table]
name = "T"
partition_key = "K"
billing_mode = "on_demand"
[[table.global_secondary_index]]
name = "G"
partition_key = "Tag"
projection = "keys_only"
[[workload]]
name = "w"
operation = "put"
rate = 6000
item_bytes = 500
[workload.attributes]
K = { distribution = "uniform", count = 100_000_000 }
Tag = { distribution = "uniform", count = 100_000_000 }
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let throttled = |from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>();
    assert!(throttled(5, 55) > 50_000, "{}", throttled(5, 55));
    assert_eq!(throttled(125, 150), 0);
    assert_eq!(out.indexes[0].partitions, 8, "the index doubled");
    assert_eq!(out.indexes[0].ceiling_units.map(|c| c.1), Some(8_000));
}

/// MODEL.md §2.4 for an index: a global index's partition that runs hot across many keys
/// splits for heat like a table's. One index partition takes 1,200 writes a second against its
/// 1,000 WCU, so the table's writes throttle (§6.2) until the split, a 60 s window and 300 s
/// delay later; then the two halves serve them.
#[test]
fn a_hot_global_index_partition_splits_for_heat() {
    let text = r#"name = "t"
duration = "7m"
seed = 9
[table]
name = "T"
partition_key = "K"
read_capacity = 100
write_capacity = 3000
[[table.global_secondary_index]]
name = "G"
partition_key = "Tag"
projection = "keys_only"
read_capacity = 100
write_capacity = 2000
initial_partitions = 1
[[workload]]
name = "w"
operation = "put"
rate = 1200
item_bytes = 500
[workload.attributes]
K = { distribution = "uniform", count = 100_000_000 }
Tag = { distribution = "uniform", count = 1_000_000 }
[client]
retry = "none"
"#;
    let (m, out) = run(text);
    let throttled =
        |from: usize, to: usize| m.seconds[from..to].iter().map(|s| s.throttled).sum::<u64>() as f64;
    assert!((150.0..250.0).contains(&(throttled(10, 350) / 340.0)), "{}", throttled(10, 350) / 340.0);
    assert_eq!(throttled(365, 420), 0.0);
    assert_eq!(out.indexes[0].partitions, 2, "the index partition split for heat");
    assert_eq!(out.splits, 0, "the table did not");
}
