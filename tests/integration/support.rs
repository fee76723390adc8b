//! Shared helpers: temporary folders, running the binary, and the invariants every summary
//! must satisfy.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A small scenario that runs in milliseconds and throttles: 1,500 strongly consistent reads
/// per second against 1,000 RCU on one partition, with two seconds of burst.
pub const TINY: &str = r#"name = "tiny"
duration = "10s"
seed = 7

[table]
name = "T"
partition_key = "K"
read_capacity = 1000
write_capacity = 200

[[workload]]
name = "reads"
operation = "get"
consistency = "strong"
rate = 1500
[workload.attributes]
K = { distribution = "zipf", count = 1000, exponent = 1.2 }

[[workload]]
name = "writes"
operation = "put"
rate = 100
item_bytes = 900
[workload.attributes]
K = { distribution = "uniform", count = 1000 }

[capacity]
burst_seconds = 2
"#;

/// A folder under the system's temporary folder, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty folder; `label` makes it recognisable.
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ddbsim-it-{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` inside the folder and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write a temporary file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the `ddbsim` binary with `args` from the crate root.
pub fn ddbsim<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ddbsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the ddbsim binary runs")
}

/// The process's stdout and stderr as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `ddbsim run SCENARIO --out DIR [extra...]`, asserts it succeeded, and returns the
/// parsed summary.json.
pub fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["run".as_ref(), scenario.as_ref(), "--out".as_ref(), out.as_ref()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let output = ddbsim(&args);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "ddbsim run failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let json = std::fs::read_to_string(out.join("summary.json")).expect("summary.json is written");
    serde_json::from_str(&json).expect("summary.json is JSON")
}

/// `value[path]` as an unsigned integer, failing with the path when it is not one.
pub fn u(value: &Value, path: &str) -> u64 {
    at(value, path)
        .as_u64()
        .unwrap_or_else(|| panic!("{path} is not an unsigned integer: {}", at(value, path)))
}

/// `value[path]` as a number, failing with the path when it is not one.
pub fn f(value: &Value, path: &str) -> f64 {
    at(value, path).as_f64().unwrap_or_else(|| panic!("{path} is not a number: {}", at(value, path)))
}

/// The value at a dotted `path` ("requests.offered", "hot_keys.0.key").
pub fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(value, |v, key| match key.parse::<usize>() {
        Ok(i) if v.is_array() => &v[i],
        _ => &v[key],
    })
}

/// Throttle reasons in the order the summary lists them, with their counts.
pub fn reasons(summary: &Value) -> Vec<(String, u64)> {
    let map = summary["throttles_by_reason"].as_object().expect("throttles_by_reason is an object");
    map.iter().map(|(k, v)| (k.clone(), v.as_u64().expect("a count"))).collect()
}

/// Checks what every run's summary must satisfy, whatever the scenario:
/// - every attempt is either admitted (and then its request succeeds at once) or throttled;
/// - every offered request ends, succeeded or failed (the simulator drains its retries);
/// - throttles by reason add up to the throttled attempts;
/// - capacity is consumed exactly when something succeeded;
/// - hot lists are sorted, busiest first, and their shares are fractions of all attempts.
pub fn check_invariants(s: &Value) {
    check_invariants_with(s, false);
}

/// [`check_invariants`] for a scenario whose reads may fan out to the shards of a sharded key
/// (`fan_out`): such a request succeeds with the last of its calls, so there are at least as
/// many admitted attempts as successes, not exactly as many.
pub fn check_invariants_with(s: &Value, fan_out: bool) {
    let (offered, succeeded) = (u(s, "requests.offered"), u(s, "requests.succeeded"));
    let (attempts, throttled) = (u(s, "requests.attempts"), u(s, "requests.throttled"));
    // A request that ends with an error (a failed condition, a cancelled transaction) made one
    // last attempt that neither succeeded nor throttled.
    let errors: u64 = s["errors"].as_object().map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
    assert!(errors <= u(s, "requests.failed"), "every error fails its request");
    if fan_out {
        assert!(attempts >= succeeded + throttled + errors, "attempts >= succeeded + throttled + errors");
    } else {
        assert_eq!(attempts, succeeded + throttled + errors, "attempts == succeeded + throttled + errors");
    }
    assert!(attempts >= offered, "every offered request makes at least one attempt");
    check_common(s);
}

/// The invariants that hold whatever a scenario's requests do: every request ends, throttles add
/// up, capacity is consumed exactly when something succeeded, hot lists are sorted and their
/// shares are fractions of all attempts, latencies are ordered.
fn check_common(s: &Value) {
    let (offered, succeeded, failed) =
        (u(s, "requests.offered"), u(s, "requests.succeeded"), u(s, "requests.failed"));
    let (attempts, throttled) = (u(s, "requests.attempts"), u(s, "requests.throttled"));
    assert_eq!(offered, succeeded + failed, "offered == succeeded + failed");
    assert_eq!(reasons(s).iter().map(|(_, n)| n).sum::<u64>(), throttled, "reasons add up to throttled");
    assert!(reasons(s).iter().all(|&(_, n)| n > 0), "only reasons that occurred are listed");
    let consumed = f(s, "consumed.read_units") + f(s, "consumed.write_units");
    assert_eq!(consumed > 0.0, succeeded > 0, "consumed {consumed} with {succeeded} successes");
    assert!(u(s, "partitions.final") >= u(s, "partitions.initial"));
    for list in ["hot_partitions", "hot_keys"] {
        let rows = s[list].as_array().unwrap_or_else(|| panic!("{list} is an array"));
        assert!(rows.len() <= 10, "{list} has at most 10 rows");
        for pair in rows.windows(2) {
            assert!(u(&pair[0], "attempts") >= u(&pair[1], "attempts"), "{list} is sorted busiest first");
        }
        for row in rows {
            let share = f(row, "share_of_attempts");
            assert!(share > 0.0 && share <= 1.0, "{list} share {share}");
            assert!(u(row, "throttled") <= u(row, "attempts"));
            assert!(
                (share - u(row, "attempts") as f64 / attempts as f64).abs() < 1e-6,
                "{list} share is of all attempts"
            );
        }
    }
    let p50 = f(s, "latency_ms.p50");
    assert!(p50 > 0.0 && p50 <= f(s, "latency_ms.p99") && f(s, "latency_ms.p99") <= f(s, "latency_ms.max"));
}

/// The hot-key scenario's point (scenarios/hot-key.toml): it throttles, only for the key
/// range of the partition that holds the hot product, and that product alone draws more
/// than a fair partition's share of the attempts.
pub fn check_hot_key(s: &Value) {
    let throttled = u(s, "requests.throttled");
    assert!(throttled > 0, "the hot key throttles");
    assert_eq!(reasons(s), vec![("TableReadKeyRangeThroughputExceeded".to_string(), throttled)]);
    let partitions = u(s, "partitions.final");
    assert_eq!(partitions, 11, "ceil(30000/3000 + 1000/1000) partitions");
    assert_eq!(at(s, "hot_keys.0.key"), "0", "the most popular product is product 0");
    let share = f(s, "hot_keys.0.share_of_attempts");
    assert!(share > 1.0 / partitions as f64, "hottest key share {share} is above 1/{partitions}");
    assert_eq!(u(s, "hot_partitions.0.throttled"), throttled, "all throttles are on the hottest partition");
    let used = f(s, "consumed.read_units") / u(s, "simulated_seconds") as f64;
    assert!(used < 0.5 * u(s, "capacity.final_read_capacity") as f64, "the table idles: {used} RCU/s used");
}
