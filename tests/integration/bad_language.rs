//! Bad input in the workload language: traffic shapes, item-size distributions, attribute
//! distributions, entities, write shards and data files. Every case is an edit of
//! [`BASE`](crate::bad_input::BASE) checked with the same helper as `bad_input.rs`: exit code 2,
//! one line per problem, each with the file, the line and the key path (and for a data file,
//! the data file's name and line).
//!
//! BASE lines: 7 partition_key, 14 reads' rate, 16 reads' K, 21 writes' rate, 22 item_bytes,
//! 24 writes' K.

use crate::bad_input::{base_with, check, check_with_files};

#[test]
fn traffic_shapes_are_checked() {
    let rate = |shape: &str| base_with(&[("rate = 1000", &format!("rate = {shape}"))]);
    check(
        &rate(r#"{ shape = "rmap", from = 1, to = 2, over = "1m" }"#),
        &[
            r#"scenario.toml:14: workload[0].rate.shape: unknown value "rmap" (did you mean "ramp"?); expected one of "constant", "ramp", "steps", "spike", "diurnal", "csv""#,
        ],
    );
    check(
        &rate(r#"{ shape = "ramp", from = -1, to = 100, over = "1m" }"#),
        &["scenario.toml:14: workload[0].rate.from: must be a number of requests per second from 0 to 10000000, got -1"],
    );
    check(
        &rate(r#"{ shape = "ramp", from = 1, to = 100, over = "0s" }"#),
        &["scenario.toml:14: workload[0].rate.over: must be a positive duration such as"],
    );
    check(
        &rate(r#"{ shape = "steps", steps = [[0, 100], ["5m", 1000], ["1m", 50]] }"#),
        &["scenario.toml:14: workload[0].rate.steps[2]: must come after the step before: steps are sorted by time (60 s is not after 300 s)"],
    );
    check(
        &rate(r#"{ shape = "steps", steps = [[0, 100, 3]] }"#),
        &["scenario.toml:14: workload[0].rate.steps[0]: must be a [time, rate] pair, got [0, 100, 3]"],
    );
    check(
        &rate(r#"{ shape = "steps", steps = [] }"#),
        &["scenario.toml:14: workload[0].rate.steps: needs at least one [time, rate] step"],
    );
    check(
        &rate(r#"{ shape = "steps", steps = [["-1s", 5]] }"#),
        &["workload[0].rate.steps[0]: must be a time offset"],
    );
    check(
        &rate(r#"{ shape = "spike", base = 10, at = "30s", duration = "1m" }"#),
        &["scenario.toml:14: workload[0].rate.peak: is required"],
    );
    check(
        &rate(r#"{ shape = "diurnal", mean = 100, peak_to_trough = 0.5, period = "1h" }"#),
        &["scenario.toml:14: workload[0].rate.peak_to_trough: must be a ratio of at least 1, got 0.5"],
    );
    check(
        &rate(r#"{ shape = "constant", rate = 5, over = "1m" }"#),
        &["scenario.toml:14: workload[0].rate.over: does not apply to a constant shape"],
    );
    check(
        &rate(r#"{ shape = "ramp", form = 1, to = 2, over = "1m" }"#),
        &["scenario.toml:14: workload[0].rate.form: unknown key `form` (did you mean `from`?); valid keys here: `shape`, `rate`, `from`"],
    );
    check(&rate(r#"{ from = 1 }"#), &["scenario.toml:14: workload[0].rate: missing required key `shape`"]);
}

#[test]
fn rate_files_name_their_file_and_line() {
    let csv = base_with(&[("rate = 1000", r#"rate = { shape = "csv", file = "rates.csv" }"#)]);
    check(
        &csv,
        &["scenario.toml:14: workload[0].rate.file: cannot read rates.csv: no such file or directory"],
    );
    let stderr = check_with_files(
        &csv,
        &[("rates.csv", "time_s,rate\n0,100\nsixty,200\n5,-3\n3,7\n10;4\n")],
        &[
            "scenario.toml:14: workload[0].rate.file: rates.csv:3: time `sixty` must be a number of seconds from 0",
            "scenario.toml:14: workload[0].rate.file: rates.csv:4: rate must be from 0 to 10000000 requests per second, got -3",
            "scenario.toml:14: workload[0].rate.file: rates.csv:5: times must increase from line to line",
            "scenario.toml:14: workload[0].rate.file: rates.csv:6: expected `time_s,rate` (a label, a comma, a number), got `10;4`",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
    check_with_files(&csv, &[("rates.csv", "# nothing here\n")], &["rates.csv: has no data lines"]);
}

#[test]
fn start_stop_and_arrivals_are_checked() {
    let with = |extra: &str| base_with(&[("rate = 1000", &format!("rate = 1000\n{extra}"))]);
    check(&with("start = \"-5s\""), &["scenario.toml:15: workload[0].start: must be a time offset such as"]);
    check(
        &with("start = \"5s\"\nstop = \"2s\""),
        &["scenario.toml:16: workload[0].stop: must be after start"],
    );
    check(
        &with("start = \"20s\""),
        &["scenario.toml:15: workload[0].start: must be before the end of the scenario's duration"],
    );
    check(
        &with("arrivals = \"unifrom\""),
        &[
            r#"scenario.toml:15: workload[0].arrivals: unknown value "unifrom" (did you mean "uniform"?); expected one of "poisson", "uniform""#,
        ],
    );
}

#[test]
fn item_size_distributions_stay_under_the_item_limit() {
    let size = |s: &str| base_with(&[("item_bytes = 1000", &format!("item_bytes = {s}"))]);
    check(
        &size(r#"{ distribution = "lognormal", median = 800, p99 = 500000 }"#),
        &["scenario.toml:22: workload[1].item_bytes.p99: the 99th percentile is above the 400 KB item limit (409600 bytes), got 500000"],
    );
    check(
        &size(r#"{ distribution = "uniform", min = 100, max = 500000 }"#),
        &["scenario.toml:22: workload[1].item_bytes.max: the largest size is above the 400 KB item limit (409600 bytes), got 500000"],
    );
    check(
        &size(r#"{ distribution = "uniform", min = 100, max = 50 }"#),
        &["workload[1].item_bytes.max: must be at least min (100), got 50"],
    );
    check(
        &size(r#"{ distribution = "weighted", values = { "400" = 70, "500000" = 30, big = 1 } }"#),
        &[
            "scenario.toml:22: workload[1].item_bytes.values.500000: a size is above the 400 KB item limit (409600 bytes), got 500000",
            "scenario.toml:22: workload[1].item_bytes.values.big: `big` is not a size: a whole number of bytes from 1 to 409600",
        ],
    );
    check(
        &size(r#"{ distribution = "lognormal", median = 800 }"#),
        &["scenario.toml:22: workload[1].item_bytes: a lognormal size needs `median` and `p99`, in bytes"],
    );
    check(
        &size(r#"{ distribution = "lognormal", median = 800, p99 = 400 }"#),
        &["workload[1].item_bytes.p99: must be at least the median (800), got 400"],
    );
    check(
        &size(r#"{ distribution = "lognormal", median = 800, p99 = 4000, min = 3 }"#),
        &["scenario.toml:22: workload[1].item_bytes.min: does not apply to a lognormal size distribution"],
    );
    check(
        &size(r#"{ distribution = "lognorm", median = 800, p99 = 4000 }"#),
        &[
            r#"scenario.toml:22: workload[1].item_bytes.distribution: unknown value "lognorm" (did you mean "lognormal"?)"#,
        ],
    );
    check(
        &size("\"big\""),
        &["scenario.toml:22: workload[1].item_bytes: expected an integer or a table, got string \"big\""],
    );
    check(
        &size(r#"{ distribution = "lognormal", median = 800, p99 = 4000, per = "entity" }"#),
        &["workload[1].item_bytes.per: needs a [workload.entity] table"],
    );
    let file = size(r#"{ distribution = "weighted", file = "sizes.csv" }"#);
    check_with_files(&file, &[("sizes.csv", "bytes,weight\n400,70\n999999,30\n")], &["scenario.toml:22: workload[1].item_bytes.file: sizes.csv:3: a size is above the 400 KB item limit"]);
}

#[test]
fn attribute_distributions_are_checked() {
    let reads_k =
        |k: &str| base_with(&[(r#"K = { distribution = "uniform", count = 100 }"#, &format!("K = {k}"))]);
    let at = "scenario.toml:16: workload[0].attributes.K";
    check(
        &reads_k(r#"{ distribution = "weighted", values = {} }"#),
        &[&format!("{at}.values: needs at least one value with a weight")],
    );
    check(
        &reads_k(r#"{ distribution = "weighted", values = { a = 1, b = -2 } }"#),
        &[&format!("{at}.values.b: weight must be a non-negative number, got -2")],
    );
    check(
        &reads_k(r#"{ distribution = "weighted", values = { a = 0, b = 0 } }"#),
        &[&format!("{at}: weights must not all be zero")],
    );
    check(
        &reads_k(r#"{ distribution = "weighted", values = { a = 1 }, file = "w.csv" }"#),
        &[&format!("{at}.file: give either `values` or `file`, not both")],
    );
    check(
        &reads_k(r#"{ distribution = "weighted" }"#),
        &[&format!(
            "{at}: a weighted distribution needs `values = {{ A = 60, B = 40 }}` or `file = \"weights.csv\"`"
        )],
    );
    check(
        &reads_k(r#"{ distribution = "hotset", count = 100, hot = 5 }"#),
        &[&format!("{at}.share: is required for hotset")],
    );
    check(
        &reads_k(r#"{ distribution = "hotset", count = 100, hot = 500, share = 1.5 }"#),
        &[&format!("{at}.hot: must be between 1 and count (100), got 500")],
    );
    check(
        &reads_k(r#"{ distribution = "hotset", count = 100, hot = 5, share = 1.5 }"#),
        &[&format!("{at}.share: must be a fraction from 0 to 1, got 1.5")],
    );
    check(
        &reads_k(r#"{ distribution = "wieghted", values = { a = 1 } }"#),
        &[&format!(
            r#"{at}.distribution: unknown value "wieghted" (did you mean "weighted"?); expected one of "uniform", "zipf", "hotset", "weighted", "sequential", "constant""#
        )],
    );
    check(
        &reads_k(r#"{ from = "entity" }"#),
        &[&format!("{at}.from: needs a [workload.entity] table to take entities from")],
    );
    check(
        &reads_k(r#"{ from = "entiy" }"#),
        &[&format!(r#"{at}.from: unknown value "entiy" (did you mean "entity"?)"#)],
    );
    check(
        &reads_k(r#"{ distribution = "sequential", count = 5, clock = "min", step = 0 }"#),
        &[
            &format!("{at}.count: does not apply to a sequential distribution"),
            &format!("{at}.step: must be between 1 and 1000000000, got 0"),
            &format!(
                r#"{at}.clock: unknown value "min" (did you mean "ms"?); expected one of "s", "ms", "us""#
            ),
        ],
    );
    check(&reads_k(r#"{ distribution = "constant" }"#), &[&format!("{at}.value: is required for constant")]);
    check(
        &reads_k(r#"{ distribution = "constant", value = 1.5 }"#),
        &[&format!("{at}.value: must be a non-empty string or an integer, got 1.5")],
    );
    check(&reads_k("{ count = 5 }"), &[&format!("{at}: needs a `distribution`")]);
    check(
        &reads_k(r#"{ distribution = "uniform", count = 5, per = "entity" }"#),
        &[&format!("{at}.per: needs a [workload.entity] table to draw per entity")],
    );
    check(
        &reads_k(r#"{ distribution = "uniform", count = 5, per = "entiy" }"#),
        &[&format!(r#"{at}.per: unknown value "entiy" (did you mean "entity"?)"#)],
    );
}

#[test]
fn weight_files_name_their_file_and_line() {
    let file = base_with(&[(
        r#"K = { distribution = "uniform", count = 100 }"#,
        r#"K = { distribution = "weighted", file = "weights.csv" }"#,
    )]);
    let at = "scenario.toml:16: workload[0].attributes.K.file";
    check(&file, &[&format!("{at}: cannot read weights.csv: no such file or directory")]);
    let stderr = check_with_files(
        &file,
        &[("weights.csv", "value,weight\nUS,45\nIN;12\nBR,-1\nUS,3\n")],
        &[
            &format!(
                "{at}: weights.csv:3: expected `value,weight` (a label, a comma, a number), got `IN;12`"
            ),
            &format!("{at}: weights.csv:4: weight must be a non-negative number, got -1"),
            &format!("{at}: weights.csv:5: duplicate value `US` (first on line 2)"),
        ],
    );
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
}

#[test]
fn entities_are_checked() {
    let with = |entity: &str| base_with(&[("rate = 1000", &format!("rate = 1000\nentity = {entity}"))]);
    check(
        &with(r#"{ distribution = "zipf", count = 10, exponent = -1 }"#),
        &["scenario.toml:15: workload[0].entity.exponent: zipf exponent must be positive and finite, got -1"],
    );
    check(
        &with(r#"{ distribution = "weighted", count = 10 }"#),
        &[
            r#"scenario.toml:15: workload[0].entity.distribution: unknown value "weighted"; expected one of "uniform", "zipf", "hotset""#,
        ],
    );
    check(
        &with(r#"{ distribution = "uniform" }"#),
        &["scenario.toml:15: workload[0].entity.count: is required: the number of distinct values"],
    );
    check(
        &with(r#"{ distribution = "uniform", count = 10, exponent = 1.1 }"#),
        &["scenario.toml:15: workload[0].entity.exponent: does not apply to a uniform distribution"],
    );
    check(
        &with(r#"{ distribution = "uniform", count = 10, cont = 1 }"#),
        &["scenario.toml:15: workload[0].entity.cont: unknown key `cont` (did you mean `count`?)"],
    );
    check(
        &with(r#"{ distribution = "uniform", count = 10 }"#).replace(r#"K = { distribution = "uniform", count = 100 }"#, r#"K = { from = "entity", count = 3 }"#),
        &["scenario.toml:17: workload[0].attributes.K.count: does not apply to an attribute taken from the entity"],
    );
}

#[test]
fn write_shards_are_checked() {
    let key = |k: &str| base_with(&[("partition_key = \"K\"", &format!("partition_key = {k}"))]);
    check(
        &key(r#"{ attribute = "K", shards = 0 }"#),
        &["scenario.toml:7: table.partition_key.shards: must be between 1 and 1000, got 0"],
    );
    check(
        &key(r#"{ attribute = "K", shard = 10 }"#),
        &["scenario.toml:7: table.partition_key.shard: unknown key `shard` (did you mean `shards`?)"],
    );
    check(
        &key("5"),
        &["scenario.toml:7: table.partition_key: expected a string or a table, got integer `5`"],
    );
    check(
        &key(r#"{ attribute = "", shards = 2 }"#),
        &["scenario.toml:7: table.partition_key: must name an attribute"],
    );
}

/// Problems anywhere in the new syntax are all reported together, in file order.
#[test]
fn every_problem_in_the_new_syntax_is_reported_at_once() {
    let text = base_with(&[
        ("partition_key = \"K\"", r#"partition_key = { attribute = "K", shards = 0 }"#),
        ("rate = 1000", r#"rate = { shape = "ramp", from = -1, to = 100, over = "1m" }"#),
        (
            r#"K = { distribution = "uniform", count = 100 }"#,
            r#"K = { distribution = "weighted", file = "weights.csv" }"#,
        ),
        ("item_bytes = 1000", r#"item_bytes = { distribution = "lognormal", median = 800, p99 = 500000 }"#),
    ]);
    let stderr = check_with_files(
        &text,
        &[("weights.csv", "a,1\nb,-1\n")],
        &[
            "scenario.toml:7: table.partition_key.shards: ",
            "scenario.toml:14: workload[0].rate.from: ",
            "scenario.toml:16: workload[0].attributes.K.file: weights.csv:2: ",
            "scenario.toml:22: workload[1].item_bytes.p99: ",
        ],
    );
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
}
