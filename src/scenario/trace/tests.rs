use super::record::{operation, plain_integer, OPERATIONS};
use super::*;
use crate::engine::{ItemKey, KeyValue};

const CSV: TraceOptions =
    TraceOptions { format: TraceFormat::Csv, unit_us: 1_000, speed: 1.0, sort_key: false };
const JSONL: TraceOptions = TraceOptions { format: TraceFormat::JsonLines, ..CSV };

fn ok(text: &str, options: &TraceOptions) -> Trace {
    read(text.as_bytes(), "t", options).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn problems(text: &str, options: &TraceOptions) -> Vec<String> {
    read(text.as_bytes(), "t", options).expect_err("a bad trace")
}

/// Every request: (time µs, workload name, key, item bytes).
fn requests(t: &Trace) -> Vec<(u64, String, ItemKey, u32)> {
    (0..t.len())
        .map(|i| {
            let (class, key, bytes) = t.request(i);
            (t.times_us()[i], t.classes()[class as usize].workload_name(), key, bytes)
        })
        .collect()
}

fn n(v: i64) -> KeyValue {
    KeyValue::N(v)
}

fn s(v: &str) -> KeyValue {
    KeyValue::S(v.into())
}

#[test]
fn csv_records_are_typed_and_timed() {
    let text = "\u{feff}# a comment\r\n\
                operation,partition_key,timestamp,item_bytes,consistency\r\n\
                get,42,0,,\r\n\
                \n\
                put,user#7,1.5,900,\r\n\
                get,007,2,,strong\n\
                get,\"42\",3,,eventual\n\
                get,-12,4,,\n\
                get,\"a, \"\"b\"\"\",5,,";
    let got = requests(&ok(text, &CSV));
    let get = |t, k| (t, "trace/get".to_string(), ItemKey::new(k, None), 0);
    assert_eq!(
        got,
        [
            get(0, n(42)),
            (1_500, "trace/put".to_string(), ItemKey::new(s("user#7"), None), 900),
            (2_000, "trace/get-strong".to_string(), ItemKey::new(s("007"), None), 0),
            get(3_000, s("42")),
            get(4_000, n(-12)),
            get(5_000, s("a, \"b\"")),
        ]
    );
}

#[test]
fn json_lines_records_are_typed_by_json_type() {
    let text = r#"{"timestamp": 0, "operation": "get", "partition_key": 42}
{"timestamp": 1.5, "operation": "put", "partition_key": "42", "sort_key": 9, "item_bytes": 900}

{"operation": "get", "partition_key": "u\u00e9", "sort_key": "2024-01-01", "timestamp": 2, "consistency": "strong"}
"#;
    let options = TraceOptions { sort_key: true, ..JSONL };
    let text = text.replacen(r#""partition_key": 42}"#, r#""partition_key": 42, "sort_key": 1}"#, 1);
    let got = requests(&ok(&text, &options));
    assert_eq!(
        got,
        [
            (0, "trace/get".to_string(), ItemKey::new(n(42), Some(n(1))), 0),
            (1_500, "trace/put".to_string(), ItemKey::new(s("42"), Some(n(9))), 900),
            (2_000, "trace/get-strong".to_string(), ItemKey::new(s("ué"), Some(s("2024-01-01"))), 0),
        ]
    );
}

#[test]
fn time_units_and_speed_scale_timestamps() {
    let text = "timestamp,operation,partition_key\n3,get,1\n0.25,get,1\n";
    let times = |options: TraceOptions| ok(text, &options).times_us().to_vec();
    assert_eq!(times(CSV), [250, 3_000], "milliseconds, sorted");
    assert_eq!(times(TraceOptions { unit_us: 1, ..CSV }), [0, 3], "microseconds, rounded");
    assert_eq!(times(TraceOptions { unit_us: 1_000_000, ..CSV }), [250_000, 3_000_000]);
    assert_eq!(times(TraceOptions { speed: 2.0, ..CSV }), [125, 1_500], "twice as fast");
    let far = "timestamp,operation,partition_key\n99999999999999999,get,1\n1e300,get,1\n";
    assert_eq!(ok(far, &CSV).times_us(), [u64::MAX, u64::MAX], "saturated: past any run");
}

#[test]
fn bad_csv_lines_name_the_line_and_the_field() {
    let text = "timestamp,operation,partition_key,sort_key,item_bytes,consistency\n\
                -1,get,1,,,\n\
                1,query,1,,,\n\
                2,put,1,,,\n\
                3,put,1,,409601,\n\
                4,get,1,,100,strong\n\
                5,put,,,1.5,strong\n\
                6,gett,\"\",7,,eventualy\n\
                7,get,1\n\
                nan,get,1,,,\n\
                8,get,\"open,,,,\n";
    let got = problems(text, &CSV);
    assert_eq!(
        got,
        [
            "t:2: timestamp: must be an offset from the start of the run, 0 or more",
            "t:3: operation: unknown operation \"query\"; expected one of \"get\", \"put\", \"update\", \"delete\"",
            "t:4: item_bytes: is required for a write: the size of the item written, in bytes",
            "t:5: item_bytes: must be from 1 to 409600 bytes (the 400 KB item limit), got 409601",
            "t:6: item_bytes: must be empty for a read: a read costs the size of the item it finds",
            "t:7: partition_key: is required",
            "t:7: item_bytes: must be a whole number of bytes, got 1.5",
            "t:7: consistency: must be empty for a write: it applies to reads only",
            "t:8: operation: unknown operation \"gett\" (did you mean \"get\"?); expected one of \"get\", \"put\", \"update\", \"delete\"",
            "t:8: partition_key: must not be empty (a string key value is 1 byte or more)",
            "t:8: sort_key: must be empty: the table has no sort key",
            "t:9: has 3 field(s); the header names 6",
            "t:10: timestamp: expected a number, got `nan`",
            "t:11: field 3: a quote is not closed",
        ]
    );
}

#[test]
fn bad_json_lines_name_the_line_and_the_field() {
    let long = "k".repeat(MAX_SORT_KEY_BYTES + 1);
    let text = format!(
        "{{\"timestamp\": \"5\", \"operation\": 1, \"partition_key\": 1.5, \"sort_key\": \"{long}\"}}\n\
         {{\"timestamp\": 1, \"operation\": \"get\", \"partition_key\": true, \"consistency\": \"strong\"}}\n\
         not json\n\
         {{\"timestamp\": 1, \"operation\": \"get\", \"partition_key\": 1, \"sort_key\": 2, \"colour\": 3}}\n"
    );
    let got = problems(&text, &TraceOptions { sort_key: true, ..JSONL });
    assert_eq!(
        got,
        [
            "t:1: timestamp: expected a number, got the string \"5\"",
            "t:1: operation: expected a string, got the number 1",
            "t:1: partition_key: a number key must be an integer from -2^63 to 2^63 - 1, got 1.5",
            "t:1: sort_key: is 1025 bytes long; a key value is at most 1024 bytes",
            "t:2: partition_key: expected a string or a number, got a boolean",
            "t:2: sort_key: is required: the table has a sort key",
            "t:3: invalid JSON: expected ident (column 2)",
            "t:4: unknown field `colour`; the fields are `timestamp`, `operation`, `partition_key`, `sort_key`, `item_bytes`, `consistency` (column 80)",
        ]
    );
}

#[test]
fn problems_stop_at_the_cap_and_count_the_rest() {
    let mut text = String::from("timestamp,operation,partition_key\n");
    for i in 0..50 {
        text.push_str(&format!("{i},scan,1\n"));
    }
    let got = problems(&text, &CSV);
    assert_eq!(got.len(), MAX_TRACE_PROBLEMS + 1);
    assert!(got[0].starts_with("t:2: operation: unknown operation \"scan\""), "{}", got[0]);
    assert_eq!(got[MAX_TRACE_PROBLEMS], "t: 30 more problem(s) not shown (the first 20 are)");
}

#[test]
fn headers_empty_files_and_bytes_that_are_not_text() {
    assert_eq!(
        problems("timestamp,operation\n1,get\n", &CSV),
        ["t:1: the header has no `partition_key` column (it is required)"],
        "rows are not read without their columns"
    );
    assert_eq!(
        problems("", &CSV),
        ["t:1: has no header line (the column names, such as timestamp,operation,partition_key)"]
    );
    assert_eq!(problems("# only\ntimestamp,operation,partition_key\n", &CSV), ["t:2: has no requests"]);
    assert_eq!(problems("\n\n", &JSONL), ["t:2: has no requests"]);
    let mut bytes = b"timestamp,operation,partition_key\n1,get,".to_vec();
    bytes.extend([0xff, 0xfe, b'\n']);
    let got = read(&bytes[..], "t", &CSV).expect_err("not UTF-8");
    assert_eq!(got, ["t:2: is not UTF-8 text"]);
}

#[test]
fn every_listed_operation_maps_and_plain_integers_are_plain() {
    for name in OPERATIONS {
        assert!(operation(name).is_some(), "{name}");
    }
    assert_eq!(plain_integer("0"), Some(0));
    assert_eq!(plain_integer("-9223372036854775808"), Some(i64::MIN));
    for text in ["", "-", "-0", "+1", "01", "1.0", "1e3", "9223372036854775808", " 1", "١"] {
        assert_eq!(plain_integer(text), None, "{text:?}");
    }
}
