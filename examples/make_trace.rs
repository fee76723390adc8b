//! Writes request traces for `[trace]` (README "Trace replay") to stdout, deterministically:
//!
//! - `cargo run --release --example make_trace -- hot-burst > scenarios/traces/hot-burst.csv`
//!   writes the trace that `scenarios/trace-replay.toml` replays: 40 s of a profile service's
//!   background traffic (30 requests per second over 500 users, three gets to a put) and, from
//!   10 s to 16 s, a burst of 400 strongly consistent reads per second of user 42, whose profile
//!   is a 40 KB item written at time 0.
//! - `cargo run --release --example make_trace -- bench LINES [csv|jsonl] > big.csv` writes LINES
//!   requests at 100,000 per second, 80% gets and 20% puts of 1,000 bytes over a million keys
//!   with Zipf 0.99 popularity (the standard bench's traffic), for timing a large replay:
//!   `time ddbsim run` on a scenario whose `[trace]` names it.

use ddbsim::rng::{exponential, stream, StreamRng};
use ddbsim::workload::Zipf;
use rand::RngExt;
use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = std::io::stdout().lock();
    let mut out = BufWriter::new(out);
    let written = match args.first().map(String::as_str) {
        Some("hot-burst") => hot_burst(&mut out),
        Some("bench") => {
            let lines = args.get(1).and_then(|n| n.replace('_', "").parse().ok()).unwrap_or(1_000_000);
            bench(&mut out, lines, args.get(2).is_some_and(|f| f == "jsonl"))
        }
        _ => {
            eprintln!("usage: make_trace hot-burst | make_trace bench LINES [csv|jsonl]");
            std::process::exit(2);
        }
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// One request of the hot-burst trace: time (ms), get or put, user, item bytes, strong read.
type Request = (f64, &'static str, u32, u32, bool);

/// Poisson arrival times at `rate_per_s` in `[from_s, to_s)`, milliseconds.
fn arrivals(rng: &mut StreamRng, rate_per_s: f64, from_s: f64, to_s: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut t = from_s * 1e3;
    loop {
        t += exponential(rng, 1e3 / rate_per_s);
        if t >= to_s * 1e3 {
            return out;
        }
        out.push(t);
    }
}

fn hot_burst(out: &mut impl Write) -> std::io::Result<()> {
    let mut rng = stream(2024, "make_trace/hot-burst");
    let mut requests: Vec<Request> = vec![(0.0, "put", 42, 40_000, false)];
    for t in arrivals(&mut rng, 30.0, 0.0, 40.0) {
        let user = rng.random_range(0..500);
        if rng.random_range(0..4) == 0 {
            requests.push((t, "put", user, rng.random_range(500..4_000), false));
        } else {
            requests.push((t, "get", user, 0, false));
        }
    }
    for t in arrivals(&mut rng, 400.0, 10.0, 16.0) {
        requests.push((t, "get", 42, 0, true));
    }
    requests.sort_by(|a, b| a.0.total_cmp(&b.0));
    writeln!(out, "timestamp,operation,partition_key,item_bytes,consistency")?;
    for (t, operation, user, bytes, strong) in requests {
        let bytes = if bytes > 0 { bytes.to_string() } else { String::new() };
        let consistency = if strong { "strong" } else { "" };
        writeln!(out, "{t:.1},{operation},{user},{bytes},{consistency}")?;
    }
    Ok(())
}

fn bench(out: &mut impl Write, lines: u64, jsonl: bool) -> std::io::Result<()> {
    let mut rng = stream(1, "make_trace/bench");
    let zipf = Zipf::new(1_000_000, 0.99).expect("a valid Zipf");
    if !jsonl {
        writeln!(out, "timestamp,operation,partition_key,item_bytes")?;
    }
    for i in 0..lines {
        // 100,000 requests per second, evenly spaced: 10 µs apart.
        let t_ms = i as f64 * 0.01;
        let key = zipf.sample(&mut rng);
        let put = rng.random_range(0..5) == 0;
        match (jsonl, put) {
            (false, true) => writeln!(out, "{t_ms:.2},put,{key},1000")?,
            (false, false) => writeln!(out, "{t_ms:.2},get,{key},")?,
            (true, true) => writeln!(
                out,
                r#"{{"timestamp": {t_ms:.2}, "operation": "put", "partition_key": {key}, "item_bytes": 1000}}"#
            )?,
            (true, false) => {
                writeln!(out, r#"{{"timestamp": {t_ms:.2}, "operation": "get", "partition_key": {key}}}"#)?
            }
        }
    }
    Ok(())
}
