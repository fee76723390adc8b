//! A fuzzer of the trace reader: thousands of mutations of a small CSV trace and a small JSON-
//! lines trace (the scenario fuzzer's line and character edits, fields replaced by hostile
//! values, bytes that are not UTF-8) go through `ddbsim::scenario::trace::read`. It must never
//! panic; a trace it accepts has no more requests than lines, in time order; a trace it refuses
//! gives at most the capped number of problems, each on one line that names the file and, where
//! it gives a line, one of the file's lines.
//!
//! Cases are reproducible from their number (the scenario fuzzer's seeded splitmix64); a failure
//! prints the case number and the mutated text.

use crate::fuzz::{mutate, Rng};
use ddbsim::scenario::trace::{read, TraceFormat, TraceOptions, MAX_TRACE_PROBLEMS};

/// Cases per format. Each is read in microseconds.
const CASES: u64 = 3_000;

const CSV: &str = "# a recorded trace\n\
timestamp,operation,partition_key,sort_key,item_bytes,consistency\n\
0,put,42,1,40000,\n\
0.5,get,42,1,,strong\n\
1,get,\"user, 7\",\"2024-01-01\",,eventual\n\
1,put,user#7,-3,512,\n\
2.25,get,007,9223372036854775807,,\n\
3,put,\"say \"\"hi\"\"\",é,409600,\n";

const JSONL: &str = r#"{"timestamp": 0, "operation": "put", "partition_key": 42, "sort_key": 1, "item_bytes": 40000}
{"timestamp": 0.5, "operation": "get", "partition_key": 42, "sort_key": 1, "consistency": "strong"}
{"timestamp": 1, "operation": "get", "partition_key": "user, 7", "sort_key": "2024-01-01", "consistency": null}

{"timestamp": 1e3, "operation": "put", "partition_key": "u\u00e9\"", "sort_key": -3, "item_bytes": 512}
{"operation": "get", "timestamp": 2, "sort_key": 9223372036854775807, "partition_key": "007"}
"#;

const HOSTILE: &[&str] = &[
    "",
    "\"",
    "\"\"",
    ",",
    "-1",
    "-0",
    "0",
    "1e400",
    "-1e-400",
    "nan",
    "inf",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "409601",
    "0.5",
    "get",
    "put",
    "scan",
    "strong",
    "null",
    "true",
    "[]",
    "{}",
    "{\"a\": 1}",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\u{202e}",
    "\t",
];

/// One random edit: the scenario fuzzer's, a field replaced by a hostile value, or bytes
/// that are not UTF-8.
fn edit(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(text) else {
        return text.to_vec();
    };
    match rng.below(6) {
        0 => {
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.below(bytes.len() + 1);
            bytes.insert(at, *rng.pick(&[0xff, 0xc3, 0x80, 0xfe]));
            bytes
        }
        1 | 2 => {
            // A field of a line, between separators.
            let cuts: Vec<usize> = text
                .char_indices()
                .filter(|&(_, c)| matches!(c, ',' | ':' | '\n'))
                .map(|(i, _)| i + 1)
                .collect();
            if cuts.is_empty() {
                return text.as_bytes().to_vec();
            }
            let start = *rng.pick(&cuts);
            let end = text[start..].find([',', '}', '\n']).map_or(text.len(), |k| start + k);
            format!("{}{}{}", &text[..start], rng.pick(HOSTILE), &text[end..]).into_bytes()
        }
        _ => mutate(rng, text).into_bytes(),
    }
}

/// Reads `bytes` and checks the outcome; `Ok(accepted)` or what went wrong.
fn read_checked(bytes: &[u8], options: &TraceOptions) -> Result<bool, String> {
    let outcome = std::panic::catch_unwind(|| read(bytes, "fuzz.trace", options))
        .map_err(|_| "read panicked".to_string())?;
    let lines = bytes.split(|&b| b == b'\n').count();
    match outcome {
        Ok(trace) => {
            if trace.len() > lines {
                return Err(format!("{} requests from {lines} lines", trace.len()));
            }
            if trace.times_us().windows(2).any(|w| w[0] > w[1]) {
                return Err("requests out of time order".into());
            }
            Ok(true)
        }
        Err(problems) => {
            if problems.is_empty() || problems.len() > MAX_TRACE_PROBLEMS + 1 {
                return Err(format!("{} problems: {problems:?}", problems.len()));
            }
            for p in &problems {
                let rest =
                    p.strip_prefix("fuzz.trace").ok_or_else(|| format!("does not name the file: {p:?}"))?;
                if p.contains('\n') {
                    return Err(format!("spans lines: {p:?}"));
                }
                let line = rest
                    .strip_prefix(':')
                    .and_then(|r| r.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok());
                if let Some(line) = line.filter(|&l| l == 0 || l > lines) {
                    return Err(format!("line {line} is outside the file's {lines} lines: {p:?}"));
                }
            }
            Ok(false)
        }
    }
}

fn fuzz(base: &str, format: TraceFormat) {
    let options = |sort_key| TraceOptions { format, unit_us: 1_000, speed: 1.0, sort_key };
    assert_eq!(read_checked(base.as_bytes(), &options(true)), Ok(true), "the base trace is valid");
    let (mut failures, mut refused) = (Vec::new(), 0);
    for case in 0..CASES {
        let mut rng = Rng(case);
        let mut bytes = base.as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            bytes = edit(&mut rng, &bytes);
        }
        let sort_key = rng.below(4) != 0;
        match read_checked(&bytes, &options(sort_key)) {
            Ok(accepted) => refused += u64::from(!accepted),
            Err(why) => failures.push(format!(
                "case {case} (sort_key {sort_key}): {why}\n--- text ---\n{}\n------------",
                String::from_utf8_lossy(&bytes)
            )),
        }
    }
    assert!(failures.is_empty(), "{} of {CASES} cases failed; the first:\n{}", failures.len(), failures[0]);
    assert!(refused > CASES / 2, "only {refused} of {CASES} mutations were refused");
}

#[test]
fn mutated_csv_traces_never_panic_and_always_name_the_file() {
    fuzz(CSV, TraceFormat::Csv);
}

#[test]
fn mutated_json_lines_traces_never_panic_and_always_name_the_file() {
    fuzz(JSONL, TraceFormat::JsonLines);
}

/// Regression, JSON-lines case 16249 of a 60,000-case run: the mutation turned `"strong"` into
/// `"str\ng"`, a JSON string holding a newline. The "unknown value" message echoed it verbatim
/// and the problem spilled onto a second line. Trace problems now escape control characters
/// (`Found::at` in src/scenario/trace/mod.rs), as scenario problems do.
#[test]
fn regression_a_newline_in_a_json_string_stays_on_one_line() {
    let line = r#"{"timestamp": 0, "operation": "get", "partition_key": 1, "consistency": "str\ng"}"#;
    let options =
        TraceOptions { format: TraceFormat::JsonLines, unit_us: 1_000, speed: 1.0, sort_key: false };
    assert_eq!(read_checked(line.as_bytes(), &options), Ok(false));
    assert_eq!(
        read(line.as_bytes(), "t", &options).expect_err("an unknown consistency"),
        [
            r#"t:1: consistency: unknown value "str\ng" (did you mean "strong"?); expected one of "eventual", "strong""#
        ]
    );
}
