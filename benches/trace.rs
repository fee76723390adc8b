//! Trace replay (README "Trace replay"): loading a million-line trace, as CSV and as JSON lines,
//! and replaying it against the standard bench's table. The trace is the standard bench's
//! traffic written out: 100,000 requests per second for 10 s, 80% gets and 20% puts of 1,000
//! bytes, keys from a Zipf 0.99 over a million (`examples/make_trace.rs bench` writes the same
//! shape to a file). Run alone: `cargo bench --bench bench_main -- trace`.

use criterion::{Criterion, Throughput};
use ddbsim::capacity::BillingMode;
use ddbsim::engine::TableSpec;
use ddbsim::metrics::Metrics;
use ddbsim::rng::stream;
use ddbsim::scenario::trace::{read, TraceFormat, TraceOptions};
use ddbsim::sim::SimConfig;
use ddbsim::workload::{TraceClass, TraceReplay, Zipf};
use rand::RngExt;
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::{Arc, OnceLock};

/// Requests in the benched trace.
const REQUESTS: u64 = 1_000_000;

/// The trace as CSV and as JSON lines.
fn traces_text() -> (String, String) {
    let mut rng = stream(1, "bench/trace");
    let zipf = Zipf::new(1_000_000, 0.99).expect("a valid Zipf");
    let mut csv = String::from("timestamp,operation,partition_key,item_bytes\n");
    let mut jsonl = String::new();
    for i in 0..REQUESTS {
        let t_ms = i as f64 * 0.01;
        let key = zipf.sample(&mut rng);
        if rng.random_range(0..5) == 0 {
            let _ = writeln!(csv, "{t_ms:.2},put,{key},1000");
            let _ = writeln!(
                jsonl,
                r#"{{"timestamp": {t_ms:.2}, "operation": "put", "partition_key": {key}, "item_bytes": 1000}}"#
            );
        } else {
            let _ = writeln!(csv, "{t_ms:.2},get,{key},");
            let _ =
                writeln!(jsonl, r#"{{"timestamp": {t_ms:.2}, "operation": "get", "partition_key": {key}}}"#);
        }
    }
    (csv, jsonl)
}

/// The standard bench's table, driven by `csv` alone.
fn replay_config(csv: &str, options: &TraceOptions) -> SimConfig {
    let trace = read(csv.as_bytes(), "bench.csv", options).expect("a valid trace");
    let workloads = trace.classes().iter().map(TraceClass::workload).collect();
    let table = TableSpec { name: "Bench".into(), partition_key: "Key".into(), sort_key: None };
    let billing = BillingMode::Provisioned { read_units: 40_000, write_units: 25_000 };
    SimConfig {
        initial_partitions: Some(1_000),
        trace: Some(TraceReplay { trace: Arc::new(trace), first_workload: 0 }),
        ..SimConfig::new(table, billing, workloads, 10_000_000)
    }
}

pub fn benches(c: &mut Criterion) {
    // Built on first use: the other benches' runs do not pay for a million lines.
    let traces = OnceLock::new();
    let config = OnceLock::new();
    let options = TraceOptions { format: TraceFormat::Csv, unit_us: 1_000, speed: 1.0, sort_key: false };
    let jsonl_options = TraceOptions { format: TraceFormat::JsonLines, ..options };
    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    // Requests read or replayed per second (the replay makes about 0.7% more attempts: retries).
    group.throughput(Throughput::Elements(REQUESTS));
    group.bench_function("load_csv_1m", |b| {
        let (csv, _) = traces.get_or_init(traces_text);
        b.iter(|| black_box(read(csv.as_bytes(), "bench.csv", &options).expect("a valid trace").len()))
    });
    group.bench_function("load_jsonl_1m", |b| {
        let (_, jsonl) = traces.get_or_init(traces_text);
        b.iter(|| {
            black_box(read(jsonl.as_bytes(), "bench.jsonl", &jsonl_options).expect("a valid trace").len())
        })
    });
    group.bench_function("replay_1m", |b| {
        let config = config.get_or_init(|| replay_config(&traces.get_or_init(traces_text).0, &options));
        b.iter(|| {
            let mut metrics = Metrics::default();
            let out = ddbsim::sim::run(config, 1, &mut metrics, &mut |_| {});
            black_box((out.end_us, metrics.seconds.len()))
        })
    });
    group.finish();
}
