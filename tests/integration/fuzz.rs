//! A fuzzer of the scenario parser: thousands of mutations of scenarios/hot-key.toml (lines
//! deleted, duplicated or swapped; characters flipped or inserted; truncation; numbers and
//! strings replaced by hostile values) go through `ddbsim::scenario::parse`. It must never
//! panic, and every error must render to lines that each start with the file name (and, where
//! they give a line, a line of the file).
//!
//! The generator is a seeded splitmix64, so every case is reproducible from its number; a
//! failure prints the case number and the mutated text.

use ddbsim::scenario::{parse, ScenarioError};
use std::path::Path;

/// Cases per run. Each is parsed once, in about a millisecond (debug build).
const CASES: u64 = 4_000;

const HOT_KEY: &str = include_str!("../../scenarios/hot-key.toml");

/// The text the mutations start from: hot-key.toml with its Zipf over 1,000 products instead
/// of 100,000. Every valid parse builds the sampler, whose alias table has one slot per rank up
/// to 65,536, and at 100,000 that takes ~10 ms in a debug build: the fuzzer would take a
/// minute instead of seconds. The parser's paths are the same either way.
fn base() -> String {
    let from = "count = 100_000, exponent = 1.4";
    assert_eq!(HOT_KEY.matches(from).count(), 1, "hot-key.toml's Zipf line changed; update the fuzzer");
    HOT_KEY.replace(from, "count = 1_000, exponent = 1.4")
}

/// splitmix64: tiny, seedable and good enough to pick mutations.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const CHARS: &[char] = &[
    '"', '\'', '=', '[', ']', '{', '}', ',', '.', '\n', '#', '-', '_', '0', '9', 'a', 'Z', ' ', '\t', '\\',
    '\0', 'é', '\u{202e}', '+', ':',
];

const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0",
    "0.0",
    "1.5",
    "-2.5",
    "1e308",
    "1e-300",
    "inf",
    "-inf",
    "nan",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "9007199254740993",
    "0x7fffffffffffffff",
    "0o777",
    "1_000_000_000",
    "\"42\"",
    "\"\"",
    "true",
    "[]",
    "{}",
    "[1, 2]",
    "1979-05-27T07:32:00Z",
];

const STRINGS: &[&str] = &[
    "\"\"",
    "\"zipf\"",
    "\"uniform\"",
    "\"get\"",
    "\"put\"",
    "\"strong\"",
    "\"on_demand\"",
    "\"none\"",
    "\"0s\"",
    "\"31d\"",
    "\"1ms\"",
    "\"1e400s\"",
    "\"9999999999999999999d\"",
    "\"ProductId\"",
    "\"Products\"",
    "\"a b/c\"",
    "-3",
    "1.0",
    "{ distribution = \"zipf\" }",
];

/// One random edit of `text`.
pub(crate) fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    match rng.below(8) {
        0 if !lines.is_empty() => {
            lines.remove(rng.below(lines.len()));
            lines.join("\n")
        }
        1 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            lines.insert(rng.below(lines.len() + 1), lines[i]);
            lines.join("\n")
        }
        2 if !lines.is_empty() => {
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(i, j);
            lines.join("\n")
        }
        3 | 4 => {
            let mut chars: Vec<char> = text.chars().collect();
            let at = rng.below(chars.len() + 1);
            let c = *rng.pick(CHARS);
            if rng.below(2) == 0 && at < chars.len() {
                chars[at] = c;
            } else {
                chars.insert(at, c);
            }
            chars.into_iter().collect()
        }
        5 => text.chars().take(rng.below(text.chars().count() + 1)).collect(),
        6 => replace_token(rng, text, |c| c.is_ascii_digit(), NUMBERS),
        _ => replace_token(rng, text, |c| c == '"', STRINGS),
    }
}

/// Replaces one token that starts with a character matching `starts` (a run of digits,
/// underscores and dots, or a quoted string) with one of `with`.
fn replace_token(rng: &mut Rng, text: &str, starts: fn(char) -> bool, with: &[&str]) -> String {
    let starts_at: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| {
            starts(c)
                && (c == '"' || !text[..i].ends_with(|p: char| p.is_ascii_digit() || p == '_' || p == '.'))
        })
        .map(|(i, _)| i)
        .collect();
    if starts_at.is_empty() {
        return text.to_string();
    }
    let start = *rng.pick(&starts_at);
    let rest = &text[start..];
    let len = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.find('"').map_or(rest.len(), |end| end + 2)
    } else {
        rest.find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.')).unwrap_or(rest.len())
    };
    format!("{}{}{}", &text[..start], rng.pick(with), &text[start + len..])
}

/// Parses `text` as `fuzz.toml` and checks the outcome: whether the text is a valid scenario,
/// or what went wrong.
fn parse_checked(text: &str) -> Result<bool, String> {
    let outcome = std::panic::catch_unwind(|| parse(Path::new("fuzz.toml"), text))
        .map_err(|_| "parse panicked".to_string())?;
    match outcome {
        Ok(scenario) => {
            let c = &scenario.config;
            let zero_capacity = matches!(
                c.billing,
                ddbsim::capacity::BillingMode::Provisioned { read_units: 0, .. }
                    | ddbsim::capacity::BillingMode::Provisioned { write_units: 0, .. }
            );
            if c.duration_us == 0 || c.workloads.is_empty() || zero_capacity {
                return Err(format!("accepted a scenario that cannot run: {c:?}"));
            }
            Ok(true)
        }
        Err(e) => check_problems(text, &e).map(|()| false),
    }
}

/// Every problem renders to one line that names the file; a line number, when given, is one
/// of the file's lines; an unknown key is reported at its own path, on a line that holds it;
/// no problem is reported twice.
fn check_problems(text: &str, error: &ScenarioError) -> Result<(), String> {
    let ScenarioError::Invalid { problems, .. } = error else {
        return Err(format!("parse of text gave a read error: {error}"));
    };
    let rendered = error.to_string();
    if problems.is_empty() || rendered.lines().count() != problems.len() {
        return Err(format!(
            "{} problems render to {} lines:\n{rendered}",
            problems.len(),
            rendered.lines().count()
        ));
    }
    if let Some(line) = rendered.lines().find(|l| !l.starts_with("fuzz.toml")) {
        return Err(format!("a line does not start with the file name: `{line}`"));
    }
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, p) in problems.iter().enumerate() {
        if problems[..i].contains(p) {
            return Err(format!("reported twice: {p:?}"));
        }
        let Some(line) = p.line else { continue };
        if line == 0 || line > lines.len() {
            return Err(format!("line {line} is outside the file's {} lines: {p:?}", lines.len()));
        }
        let unknown = p.message.strip_prefix("unknown key `").and_then(|m| m.split_once('`')).map(|(k, _)| k);
        if let Some(key) =
            unknown.filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            if !(p.path == key || p.path.ends_with(&format!(".{key}"))) {
                return Err(format!("unknown key `{key}` reported at another path: {p:?}"));
            }
            if !lines[line - 1].contains(key) {
                return Err(format!(
                    "unknown key `{key}` reported on a line without it (`{}`): {p:?}",
                    lines[line - 1]
                ));
            }
        }
        // A wrongly typed value is reported on the line of its key.
        let key = p.path.rsplit('.').next().unwrap_or_default();
        let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if p.message.starts_with("expected ") && plain && !lines[line - 1].contains(key) {
            return Err(format!("`{key}` has the wrong type, but line {line} does not hold it: {p:?}"));
        }
    }
    Ok(())
}

/// The text of case number `case`: one to three mutations of `base`.
fn sample(base: &str, case: u64) -> String {
    let mut rng = Rng(case);
    let mut text = base.to_string();
    for _ in 0..1 + rng.below(3) {
        text = mutate(&mut rng, &text);
    }
    text
}

#[test]
fn the_shipped_text_parses() {
    assert_eq!(parse_checked(HOT_KEY), Ok(true));
}

#[test]
fn mutated_scenarios_never_panic_and_always_name_the_file() {
    let base = base();
    assert_eq!(parse_checked(&base), Ok(true));
    let mut failures = Vec::new();
    let mut invalid = 0;
    for case in 0..CASES {
        let text = sample(&base, case);
        match parse_checked(&text) {
            Ok(valid) => invalid += u64::from(!valid),
            Err(why) => failures.push(format!("case {case}: {why}\n--- text ---\n{text}\n------------")),
        }
    }
    assert!(failures.is_empty(), "{} of {CASES} cases failed; the first:\n{}", failures.len(), failures[0]);
    // The mutations are hostile enough to matter: most of them break the scenario.
    assert!(invalid > CASES / 2, "only {invalid} of {CASES} mutations were invalid");
}

/// Regression, found by a 60,000-case run (before the base cut the Zipf count): an inserted
/// backslash made the value
/// `"u\niform"`, a TOML string holding a newline. The "unknown value" message echoed it
/// verbatim and the problem spilled onto a second line that did not name the file. Problems
/// now print with control characters escaped (`OneLine` in src/scenario/mod.rs).
#[test]
fn regression_a_newline_in_a_value_stays_on_one_line() {
    let text = HOT_KEY.replace(r#"distribution = "uniform""#, r#"distribution = "u\niform""#);
    assert_eq!(parse_checked(&text), Ok(false));
    let rendered = parse(Path::new("fuzz.toml"), &text).expect_err("an unknown distribution").to_string();
    assert!(
        rendered.ends_with(
            r#"unknown value "u\niform" (did you mean "uniform"?); expected one of "uniform", "zipf", "hotset", "weighted", "sequential", "constant""#
        ),
        "{rendered}"
    );
    // The same for a key: a quoted key with a newline in the path and in the message.
    let text = HOT_KEY.replace("rate = 200", "\"ra\\nte\" = 200");
    let rendered = parse(Path::new("fuzz.toml"), &text).expect_err("an unknown key").to_string();
    assert_eq!(rendered.lines().count(), rendered.matches("fuzz.toml").count(), "{rendered}");
    assert!(rendered.contains(r"workload[1].ra\nte: unknown key `ra\nte`"), "{rendered}");
}

/// Regression, fuzz case 2090: a moved line put `[client]` (with `rate`, unknown there) between
/// the two `[[workload]]` tables. An array of tables spans from its first header to its last,
/// so the offset of `rate` was taken to be inside `workload`: the problem was reported as
/// `workload: unknown key `rate``, and the key removed to go on looking was the whole
/// `workload` array, which added a false "needs at least one [[workload]]". Fixed in `find` in
/// src/scenario/locate.rs: an array of tables holds only what its elements hold.
#[test]
fn regression_a_table_between_workloads_is_not_part_of_them() {
    let text = base().replacen("rate = 10000\n", "[client]\nrate = 10000\n", 1).replacen(
        "\n[client]\nretry",
        "\nretry",
        1,
    );
    let rendered = parse(Path::new("fuzz.toml"), &text).expect_err("rate is unknown in [client]").to_string();
    assert_eq!(parse_checked(&text), Ok(false));
    assert_eq!(
        rendered,
        "fuzz.toml:28: workload[0]: missing required key `rate`\n\
         fuzz.toml:33: client.rate: unknown key `rate`; valid keys here: `retry`, `attempt_latency_ms`"
    );
}

/// The richest shipped scenario: a GSI, conditional puts, updates of index keys, queries with a
/// sort-key range, a transaction, and a `[[variant]]`.
const ORDERS: &str = include_str!("../../scenarios/ecommerce-orders.toml");

/// Cases of the second fuzzer: each valid one is also run for a simulated second.
const RUN_CASES: u64 = 1_000;

/// Mutations of scenarios/ecommerce-orders.toml (indexes, every operation setting) never panic
/// when parsed, always name the file, and the valid ones run a simulated second without
/// panicking either: odd but valid settings (a one-item transaction, a limit of 1, an index on
/// the table's own key) must be handled by the engine, not just the parser.
#[test]
fn mutated_index_scenarios_never_panic_when_parsed_or_run() {
    assert_eq!(parse_checked(ORDERS), Ok(true));
    let mut failures = Vec::new();
    let (mut valid, mut ran) = (0, 0);
    for case in 0..RUN_CASES {
        let text = sample(ORDERS, case ^ 0x5eed);
        match parse_checked(&text) {
            Ok(false) => {}
            Ok(true) => {
                valid += 1;
                let Ok(mut scenario) = parse(Path::new("fuzz.toml"), &text) else { continue };
                scenario.config.duration_us = scenario.config.duration_us.min(1_000_000);
                let seed = scenario.seed.unwrap_or(1);
                let outcome = std::panic::catch_unwind(|| {
                    let mut metrics = ddbsim::metrics::Metrics::default();
                    ddbsim::sim::run(&scenario.config, seed, &mut metrics, &mut |_| {});
                });
                match outcome {
                    Ok(()) => ran += 1,
                    Err(_) => failures
                        .push(format!("case {case}: the run panicked\n--- text ---\n{text}\n------------")),
                }
            }
            Err(why) => failures.push(format!("case {case}: {why}\n--- text ---\n{text}\n------------")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {RUN_CASES} cases failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(valid > 50 && ran == valid, "{valid} valid, {ran} ran");
}
