//! Bad scenarios: `ddbsim validate` exits 2 without panicking and says, on one line per
//! problem, the file, the line, the key path and what is wrong (DESIGN.md "Command line").
//!
//! Every case is a edit of [`BASE`], a valid scenario whose line numbers the cases refer to.

use crate::support::TempDir;
use std::process::Command;

/// A valid scenario. Lines: 2 duration, 3 seed, 5 [table], 8 read_capacity, 9 write_capacity,
/// 11 [[workload]] "reads" (13 operation, 14 rate, 15 attributes, 16 K), 18 [[workload]]
/// "writes" (19 name, 21 rate, 22 item_bytes, 24 K), 26 [client], 27 retry.
pub(crate) const BASE: &str = r#"name = "bad-input"
duration = "10s"
seed = 1

[table]
name = "T"
partition_key = "K"
read_capacity = 1000
write_capacity = 1000

[[workload]]
name = "reads"
operation = "get"
rate = 1000
[workload.attributes]
K = { distribution = "uniform", count = 100 }

[[workload]]
name = "writes"
operation = "put"
rate = 100
item_bytes = 1000
[workload.attributes]
K = { distribution = "zipf", count = 100, exponent = 1.1 }

[client]
retry = "aws-sdk-standard"
"#;

/// [`BASE`] with each `(from, to)` replacement made once; `from` must occur exactly once, so
/// a case cannot silently test the valid file.
pub(crate) fn base_with(edits: &[(&str, &str)]) -> String {
    edits.iter().fold(BASE.to_string(), |text, (from, to)| {
        assert_eq!(text.matches(from).count(), 1, "`{from}` occurs once in the scenario");
        text.replacen(from, to, 1)
    })
}

/// Runs `ddbsim validate scenario.toml` on `toml_text` (from the file's folder, so messages
/// start with `scenario.toml`) and checks that it exits 2, does not panic, and that stderr
/// holds every expected fragment. Returns stderr for further checks.
pub(crate) fn check(toml_text: &str, expected_fragments: &[&str]) -> String {
    check_with_files(toml_text, &[], expected_fragments)
}

/// [`check`] with data files `(name, text)` written beside the scenario.
pub(crate) fn check_with_files(
    toml_text: &str,
    files: &[(&str, &str)],
    expected_fragments: &[&str],
) -> String {
    let dir = TempDir::new("bad-input");
    dir.write("scenario.toml", toml_text);
    for (name, text) in files {
        dir.write(name, text);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_ddbsim"))
        .args(["validate", "scenario.toml"])
        .current_dir(dir.path())
        .output()
        .expect("the ddbsim binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "exit code; stderr:\n{stderr}\nscenario:\n{toml_text}");
    assert!(!stderr.contains("panicked"), "a panic:\n{stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout for a bad file");
    for fragment in expected_fragments {
        assert!(stderr.contains(fragment), "stderr lacks `{fragment}`:\n{stderr}");
    }
    for line in stderr.lines() {
        assert!(line.starts_with("scenario.toml"), "every line names the file: `{line}`");
    }
    stderr
}

#[test]
fn the_base_scenario_is_valid() {
    let scenario =
        ddbsim::scenario::parse(std::path::Path::new("base.toml"), BASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.config.workloads.len(), 2);
    assert_eq!(scenario.config.duration_us, 10_000_000);
}

#[test]
fn toml_syntax_errors_give_the_line() {
    check(&base_with(&[("rate = 1000", "rate = = 1000")]), &["scenario.toml:14: invalid TOML: "]);
    check(&base_with(&[("name = \"T\"", "name = \"T")]), &["scenario.toml:6: invalid TOML: "]);
    check(
        &base_with(&[("seed = 1", "seed = 99999999999999999999")]),
        &["scenario.toml:3: invalid TOML: integer number overflowed"],
    );
    check(
        &base_with(&[("seed = 1", "seed = 1\nseed = 2")]),
        &["scenario.toml:4: invalid TOML: duplicate key `seed`"],
    );
    check(&format!("{BASE}[table]\n"), &["scenario.toml:28: invalid TOML: duplicate key `table`"]);
    check("", &["scenario.toml: missing required key `name`"]);
    check("\u{0}\u{1}garbage", &["scenario.toml:1: invalid TOML: "]);
}

#[test]
fn unknown_keys_name_the_path_and_suggest_the_nearest_key() {
    check(
        &base_with(&[("seed = 1", "sed = 1")]),
        &["scenario.toml:3: sed: unknown key `sed` (did you mean `seed`?); valid keys here: `name`, "],
    );
    check(
        &base_with(&[("read_capacity = 1000", "read_capcity = 1000")]),
        &["scenario.toml:8: table.read_capcity: unknown key `read_capcity` (did you mean `read_capacity`?)"],
    );
    check(
        &base_with(&[("rate = 100\n", "rat = 100\n")]),
        &["scenario.toml:21: workload[1].rat: unknown key `rat` (did you mean `rate`?)"],
    );
    check(
        &base_with(&[("\"uniform\", count = 100", "\"uniform\", cont = 100")]),
        &["scenario.toml:16: workload[0].attributes.K.cont: unknown key `cont` (did you mean `count`?); valid keys here: `distribution`, `count`, `exponent`"],
    );
    check(
        &base_with(&[("retry =", "retyr =")]),
        &["scenario.toml:27: client.retyr: unknown key `retyr` (did you mean `retry`?)"],
    );
    // Far from every valid key: no suggestion, but the list.
    check(&base_with(&[("retry =", "retries =")]), &["scenario.toml:27: client.retries: unknown key `retries`; valid keys here: `retry`, `attempt_latency_ms`"]);
    check(&base_with(&[("seed = 1", "colour = \"blue\"")]), &["scenario.toml:3: colour: unknown key `colour`; valid keys here: `name`, `description`, `duration`"]);
}

#[test]
fn wrong_types_say_what_was_expected() {
    check(
        &base_with(&[("rate = 1000", "rate = \"fast\"")]),
        &["scenario.toml:14: workload[0].rate: expected a number or a table, got string \"fast\""],
    );
    check(
        &base_with(&[("read_capacity = 1000", "read_capacity = 1.5")]),
        &["scenario.toml:8: table.read_capacity: expected an integer, got floating point `1.5`"],
    );
    check(
        &base_with(&[("K = { distribution = \"uniform\", count = 100 }", "K = \"uniform\"")]),
        &["scenario.toml:16: workload[0].attributes.K: expected a table, got string \"uniform\""],
    );
    check(
        &base_with(&[("name = \"T\"", "name = 1979-05-27")]),
        &["scenario.toml:6: table.name: expected a string, got a date-time"],
    );
    check(
        &base_with(&[("[[workload]]\nname = \"writes\"", "[workload]\nname = \"writes\"")]),
        &["invalid TOML"],
    );
}

#[test]
fn out_of_range_numbers_give_the_range() {
    check(&base_with(&[("rate = 1000", "rate = -5")]), &["scenario.toml:14: workload[0].rate: must be a number of requests per second from 0 to 10000000, got -5"]);
    check(&base_with(&[("rate = 1000", "rate = nan")]), &["scenario.toml:14: workload[0].rate: must be a number of requests per second from 0 to 10000000, got NaN"]);
    check(
        &base_with(&[("read_capacity = 1000", "read_capacity = 0")]),
        &["scenario.toml:8: table.read_capacity: must be between 1 and 40000, got 0"],
    );
    check(
        &base_with(&[("write_capacity = 1000", "write_capacity = 40_001")]),
        &["scenario.toml:9: table.write_capacity: must be between 1 and 40000, got 40001"],
    );
    check(
        &base_with(&[("item_bytes = 1000", "item_bytes = 409_601")]),
        &["scenario.toml:22: workload[1].item_bytes: must be between 1 and 409600, got 409601"],
    );
    check(&base_with(&[("exponent = 1.1", "exponent = 0")]), &["scenario.toml:24: workload[1].attributes.K.exponent: zipf exponent must be positive and finite, got 0"]);
    check(&base_with(&[("exponent = 1.1", "exponent = -1")]), &["scenario.toml:24: workload[1].attributes.K.exponent: zipf exponent must be positive and finite, got -1"]);
    check(
        &base_with(&[("\"uniform\", count = 100", "\"uniform\", count = 0")]),
        &["scenario.toml:16: workload[0].attributes.K.count: must be between 1 and "],
    );
    check(
        &base_with(&[("seed = 1", "seed = -1")]),
        &["scenario.toml:3: seed: must be a non-negative integer, got -1"],
    );
}

#[test]
fn unknown_names_list_the_choices_and_suggest_near_ones() {
    check(
        &base_with(&[("\"zipf\", count", "\"zpif\", count")]),
        &["scenario.toml:24: workload[1].attributes.K.distribution: unknown value \"zpif\" (did you mean \"zipf\"?); expected one of \"uniform\", \"zipf\""],
    );
    check(&base_with(&[("\"get\"", "\"gte\"")]), &["scenario.toml:13: workload[0].operation: unknown value \"gte\" (did you mean \"get\"?); expected one of \"get\", \"put\""]);
    check(
        &base_with(&[("\"get\"", "\"sacn\"")]),
        &["scenario.toml:13: workload[0].operation: unknown value \"sacn\" (did you mean \"scan\"?)"],
    );
    check(
        &base_with(&[("read_capacity = 1000", "billing_mode = \"provisoned\"\nread_capacity = 1000")]),
        &["scenario.toml:8: table.billing_mode: unknown value \"provisoned\" (did you mean \"provisioned\"?)"],
    );
    check(
        &base_with(&[("rate = 1000", "rate = 1000\nconsistency = \"strng\"")]),
        &["scenario.toml:15: workload[0].consistency: unknown value \"strng\" (did you mean \"strong\"?); expected one of \"eventual\", \"strong\""],
    );
    check(
        &base_with(&[("\"aws-sdk-standard\"", "\"aws-sdk-standrd\"")]),
        &["scenario.toml:27: client.retry: unknown value \"aws-sdk-standrd\" (did you mean \"aws-sdk-standard\"?); expected one of \"none\", "],
    );
    check(
        &base_with(&[("\"aws-sdk-standard\"", "\"exponential\"")]),
        &["scenario.toml:27: client.retry: unknown value \"exponential\"; expected one of "],
    );
}

#[test]
fn durations_must_parse() {
    let expect = "scenario.toml:2: duration: must be a positive duration such as \"90s\", \"10m\", \"2h\" or \"1d\", got ";
    for bad in ["\"10 parsecs\"", "\"0s\"", "\"\"", "-5", "0", "true", "\"ten seconds\""] {
        check(&base_with(&[("\"10s\"", bad)]), &[&format!("{expect}{bad}")]);
    }
    check(&base_with(&[("\"10s\"", "\"31d\"")]), &["scenario.toml:2: duration: must be at most 30 days"]);
}

#[test]
fn workloads_must_fit_the_table() {
    check(
        &base_with(&[("K = { distribution = \"uniform\"", "J = { distribution = \"uniform\"")]),
        &["scenario.toml:15: workload[0].attributes: has no generator for key attribute \"K\" (the table's key)"],
    );
    check(
        &base_with(&[("partition_key = \"K\"", "partition_key = \"K\"\nsort_key = \"S\"")]),
        &[
            "scenario.toml:16: workload[0].attributes: has no generator for key attribute \"S\"",
            "scenario.toml:24: workload[1].attributes: has no generator for key attribute \"S\"",
        ],
    );
    let no_workload = BASE.split("[[workload]]").next().expect("the head of the file").to_string()
        + "[client]\nretry = \"none\"\n";
    check(&no_workload, &["scenario.toml: workload: a scenario needs at least one [[workload]]"]);
    check(
        &base_with(&[("name = \"writes\"", "name = \"reads\"")]),
        &["scenario.toml:19: workload[1].name: duplicate workload name \"reads\""],
    );
    check(&base_with(&[("item_bytes = 1000\n", "")]), &["scenario.toml:18: workload[1].item_bytes: is required for put: the size of each item written, in bytes"]);
    check(
        &base_with(&[("rate = 1000", "rate = 1000\nitem_bytes = 10")]),
        &["scenario.toml:15: workload[0].item_bytes: applies to put, update, batch_write and transact_write only"],
    );
    check(
        &base_with(&[("item_bytes = 1000", "item_bytes = 1000\nconsistency = \"strong\"")]),
        &["scenario.toml:23: workload[1].consistency: applies to get, query, scan and batch_get only"],
    );
    check(
        &base_with(&[("name = \"reads\"\n", "")]),
        &["scenario.toml:11: workload[0]: missing required key `name`"],
    );
    check(
        &base_with(&[(
            "[table]\nname = \"T\"\npartition_key = \"K\"\nread_capacity = 1000\nwrite_capacity = 1000\n",
            "",
        )]),
        &["scenario.toml: missing required key `table`"],
    );
}

/// A file with several problems lists them all, one line each, in file order.
#[test]
fn every_problem_is_reported_on_its_own_line() {
    let stderr = check(
        &base_with(&[
            ("seed = 1", "seed = -1"),
            ("read_capacity = 1000", "read_capacity = 0"),
            ("rate = 1000", "rate = -5"),
            ("\"zipf\", count", "\"zpif\", count"),
            ("\"aws-sdk-standard\"", "\"nope\""),
        ]),
        &[
            "scenario.toml:3: seed: ",
            "scenario.toml:8: table.read_capacity: ",
            "scenario.toml:14: workload[0].rate: ",
            "scenario.toml:24: workload[1].attributes.K.distribution: ",
            "scenario.toml:27: client.retry: ",
        ],
    );
    assert_eq!(stderr.lines().count(), 5, "{stderr}");

    // Unknown keys and values out of range, together.
    let stderr = check(
        &base_with(&[
            ("seed = 1", "sed = 1"),
            ("read_capacity = 1000", "read_capacity = 0"),
            ("rate = 1000", "rate = -5"),
            ("retry =", "retyr ="),
        ]),
        &[
            "scenario.toml:3: sed: unknown key",
            "scenario.toml:8: table.read_capacity: must be",
            "scenario.toml:14: workload[0].rate: must be",
            "scenario.toml:27: client.retyr: unknown key",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "{stderr}");

    // A misspelt required key is reported twice over: as unknown, and as missing from its table.
    let stderr = check(
        &base_with(&[("rate = 100\n", "rat = 100\n")]),
        &[
            "scenario.toml:18: workload[1]: missing required key `rate`",
            "scenario.toml:21: workload[1].rat: unknown key `rat` (did you mean `rate`?)",
        ],
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");

    // Wrong types everywhere: each is reported, not only the first serde meets.
    let stderr = check(
        &base_with(&[
            ("seed = 1", "seed = \"one\""),
            ("rate = 1000", "rate = \"fast\""),
            ("item_bytes = 1000", "item_bytes = 1.5"),
            ("retry = ", "retri = "),
        ]),
        &[
            "scenario.toml:3: seed: expected an integer, got string \"one\"",
            "scenario.toml:14: workload[0].rate: expected a number or a table, got string \"fast\"",
            "scenario.toml:22: workload[1].item_bytes: expected an integer, got floating point `1.5`",
            "scenario.toml:27: client.retri: unknown key `retri` (did you mean `retry`?)",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
}

/// The library reports the same problems, with lines, as data.
#[test]
fn problems_are_data_with_paths_and_lines() {
    let text = base_with(&[("read_capacity = 1000", "read_capacity = 0"), ("rate = 100\n", "rate = -1\n")]);
    let Err(ddbsim::scenario::ScenarioError::Invalid { problems, .. }) =
        ddbsim::scenario::parse(std::path::Path::new("x.toml"), &text)
    else {
        panic!("two problems");
    };
    let found: Vec<(&str, Option<usize>)> = problems.iter().map(|p| (p.path.as_str(), p.line)).collect();
    assert_eq!(found, [("table.read_capacity", Some(8)), ("workload[1].rate", Some(21))]);
}

#[test]
fn capacity_settings_must_fit_the_billing_mode() {
    check(
        &base_with(&[("read_capacity = 1000\n", "billing_mode = \"on_demand\"\nread_capacity = 1000\n")]),
        &["scenario.toml:9: table.read_capacity: does not apply to an on-demand table"],
    );
    check(
        &base_with(&[("write_capacity = 1000\n", "write_capacity = 1000\nmax_write_request_units = 10\n")]),
        &["table.max_write_request_units: does not apply to a provisioned table"],
    );
    check(
        &base_with(&[(
            "write_capacity = 1000\n",
            "write_capacity = 1000\n[table.auto_scaling]\nwrite = { min = 10, max = 5, target = 0.95 }\n",
        )]),
        &["table.auto_scaling.write.target: must be a utilisation from 0.2 to 0.9"],
    );
    check(
        &base_with(&[(
            "write_capacity = 1000\n",
            "write_capacity = 1000\n[[table.schedule]]\nat = \"soon\"\n",
        )]),
        &["table.schedule[0].at: must be a time"],
    );
    check(
        &base_with(&[("seed = 1\n", "seed = 1\n[capacity]\nheat_threshold = 1.5\n")]),
        &["capacity.heat_threshold: must be a share in (0, 1], got 1.5"],
    );
}

#[test]
fn custom_retry_and_latency_settings_are_checked() {
    let stderr = check(
        &base_with(&[(
            "retry = \"aws-sdk-standard\"\n",
            "retry = { max_attempts = 0, base_msec = 5, jitter = \"fuzzy\" }\nattempt_latency_ms = { distribution = \"lognormal\", median = 9, p99 = 3 }\n",
        )]),
        &[
            "client.retry.max_attempts: must be a number from 1 to 100, got 0",
            "client.retry.base_msec: unknown key `base_msec` (did you mean `base_ms`?)",
            "client.retry.jitter: unknown value \"fuzzy\"",
            "client.attempt_latency_ms: a lognormal latency needs median and p99",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
}

#[test]
fn a_custom_retry_profile_and_a_latency_distribution_are_accepted() {
    let text = base_with(&[(
        "retry = \"aws-sdk-standard\"\n",
        "retry = { max_attempts = 5, base_ms = 20, growth = 3, cap_ms = 1000, jitter = \"none\", quota = false }\nattempt_latency_ms = { distribution = \"lognormal\", median = 4, p99 = 12 }\n",
    )]);
    let scenario = ddbsim::scenario::parse(std::path::Path::new("custom.toml"), &text).expect("valid");
    let retry = &scenario.config.retry;
    assert_eq!((retry.max_attempts, retry.base_us, retry.cap_us, retry.quota), (5, 20_000, 1_000_000, None));
    let mut rng = ddbsim::rng::stream(1, "delays");
    let delays: Vec<u64> = (1..5).map(|a| retry.delay_us(a, &mut rng) / 1_000).collect();
    assert_eq!(delays, [20, 60, 180, 540]);
}

#[test]
fn bad_preloads_name_the_key_and_line() {
    // Lines 10 to 14: the preload table, its items, sizes, workload and a misspelt key.
    let preload = |items: &str, bytes: &str, workload: &str| {
        base_with(&[(
            "write_capacity = 1000\n",
            &format!("write_capacity = 1000\n[table.preload]\nitems = {items}\nitem_bytes = {bytes}\nworkload = \"{workload}\"\nitms = 3\n"),
        )])
    };
    let stderr = check(
        &preload("0", "409_601", "raeds"),
        &[
            "scenario.toml:11: table.preload.items: must be between 1 and 1000000000, got 0",
            "scenario.toml:12: table.preload.item_bytes: must be between 1 and 409600, got 409601",
            "scenario.toml:13: table.preload.workload: no workload named \"raeds\" (did you mean \"reads\"?); the preload takes its keys from one of: \"reads\", \"writes\"",
            "scenario.toml:14: table.preload.itms: unknown key `itms` (did you mean `items`?); valid keys here: `items`, `item_bytes`, `workload`",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "one line per problem:\n{stderr}");
    check(
        &preload("-3", "{ distribution = \"lognormal\", median = 1000, p99 = 500_000 }", "writes"),
        &[
            "scenario.toml:11: table.preload.items: must be between 1 and 1000000000, got -3",
            "scenario.toml:12: table.preload.item_bytes.p99: the 99th percentile is above the 400 KB item limit (409600 bytes), got 500000",
        ],
    );
    check(
        &preload("1_000_000_001", "1000", "writes"),
        &["scenario.toml:11: table.preload.items: must be between 1 and 1000000000, got 1000000001"],
    );
    check(
        &preload("1.5", "1000", "writes"),
        &["scenario.toml:11: table.preload.items: expected an integer, got floating point `1.5`"],
    );
    // Sizes drawn per entity need a workload with entities.
    check(
        &preload("10", "{ distribution = \"uniform\", min = 1, max = 9, per = \"entity\" }", "writes"),
        &["scenario.toml:12: table.preload.item_bytes.per: needs a [workload.entity] table to draw per entity"],
    );
    check(
        &base_with(&[(
            "write_capacity = 1000\n",
            "write_capacity = 1000\n[table.preload]\nitem_bytes = 1000\n",
        )]),
        &["scenario.toml:10: table.preload: missing required key `items`"],
    );
}

/// Secondary indexes within DynamoDB's limits (MODEL.md §7.1-§7.3): at most 20 global and 5
/// local indexes, 100 projected attributes in all; a local index needs a table with a sort key
/// and takes no capacity of its own; an index of an on-demand table takes none either.
#[test]
fn secondary_indexes_must_fit_dynamodbs_limits() {
    let gsis: String = (0..21)
        .map(|i| format!("[[table.global_secondary_index]]\nname = \"G{i}\"\npartition_key = \"A{i}\"\nprojection = \"keys_only\"\n"))
        .collect();
    let head = "write_capacity = 1000\n";
    check(
        &base_with(&[(head, &format!("{head}{gsis}"))]),
        &["table.global_secondary_index: a table has at most 20 global secondary indexes"],
    );
    let include: Vec<String> = (0..101).map(|i| format!("\"P{i}\"")).collect();
    let wide = format!("[[table.global_secondary_index]]\nname = \"W\"\npartition_key = \"A\"\nprojection = {{ include = [{}] }}\n", include.join(", "));
    check(
        &base_with(&[(head, &format!("{head}{wide}"))]),
        &["indexes project 101 attributes with include; DynamoDB allows 100 in all"],
    );
    let lsis: String = (0..6)
        .map(|i| {
            format!(
                "[[table.local_secondary_index]]\nname = \"L{i}\"\nsort_key = \"S{i}\"\nread_capacity = 5\n"
            )
        })
        .collect();
    check(
        &base_with(&[(head, &format!("{head}{lsis}"))]),
        &[
            "table.local_secondary_index: a table has at most 5 local secondary indexes",
            "table.local_secondary_index[0].name: a local secondary index needs a table with a sort key",
            "table.local_secondary_index[0].read_capacity: a local index uses its table's partitions and capacity; leave it out",
        ],
    );
}
