//! Validation of `[client]`: the retry profile (a name or a table of settings) and the latency
//! of one attempt (a number or a distribution).

use super::validate::{nearest, one_of, Problems};
use crate::sim::retry::{Jitter, STANDARD_QUOTA};
use crate::sim::{LatencyModel, RetryProfile};

/// Default round trip of one attempt as the client sees it: DynamoDB's "single-digit
/// millisecond" latency ([FOLK]; MODEL.md §3.4 gives no number), in milliseconds.
pub const DEFAULT_ATTEMPT_LATENCY_MS: f64 = 5.0;

const RETRY_KEYS: [&str; 6] = ["max_attempts", "base_ms", "growth", "cap_ms", "jitter", "quota"];
const LATENCY_KEYS: [&str; 3] = ["distribution", "median", "p99"];

fn number(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

fn unknown_keys(p: &mut Problems, path: &str, table: &toml::Table, valid: &[&str]) {
    for key in table.keys().filter(|k| !valid.contains(&k.as_str())) {
        let hint = nearest(key, valid).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
        p.add(
            format!("{path}.{key}"),
            format!("unknown key `{key}`{hint}; valid keys here: {}", valid.join(", ")),
        );
    }
}

/// A custom retry profile from a table of settings (MODEL.md §6.5 describes what each SDK uses).
fn custom_retry(p: &mut Problems, t: &toml::Table) -> Option<RetryProfile> {
    unknown_keys(p, "client.retry", t, &RETRY_KEYS);
    let mut profile = RetryProfile::aws_sdk_standard();
    profile.name = "custom".into();
    let mut ok = true;
    let mut get = |key: &str, min: f64, max: f64| -> Option<f64> {
        let v = t.get(key)?;
        match number(v) {
            Some(x) if (min..=max).contains(&x) => Some(x),
            _ => {
                p.add(
                    format!("client.retry.{key}"),
                    format!("must be a number from {min} to {max}, got {v}"),
                );
                ok = false;
                None
            }
        }
    };
    if let Some(n) = get("max_attempts", 1.0, 100.0) {
        profile.max_attempts = n as u32;
    }
    if let Some(ms) = get("base_ms", 0.0, 60_000.0) {
        profile.base_us = (ms * 1_000.0) as u64;
    }
    if let Some(g) = get("growth", 1.0, 10.0) {
        profile.growth = g;
    }
    if let Some(ms) = get("cap_ms", 0.0, 600_000.0) {
        profile.cap_us = (ms * 1_000.0) as u64;
    }
    match t.get("jitter").map(|v| v.as_str()) {
        None => {}
        Some(Some("full")) => profile.jitter = Jitter::Full,
        Some(Some("none")) => profile.jitter = Jitter::None,
        Some(other) => {
            p.add("client.retry.jitter", one_of("", other.unwrap_or("?"), &["full", "none"]));
            ok = false;
        }
    }
    match t.get("quota").map(|v| v.as_bool()) {
        None => {}
        Some(Some(q)) => profile.quota = q.then_some(STANDARD_QUOTA),
        Some(None) => {
            p.add("client.retry.quota", "must be true (the standard 500-token retry quota) or false");
            ok = false;
        }
    }
    ok.then_some(profile)
}

fn latency(p: &mut Problems, value: Option<&toml::Value>) -> Option<LatencyModel> {
    let path = "client.attempt_latency_ms";
    let positive = |x: f64| x > 0.0 && x <= 60_000.0;
    match value {
        None => Some(LatencyModel::Constant((DEFAULT_ATTEMPT_LATENCY_MS * 1_000.0) as u64)),
        Some(toml::Value::Table(t)) => {
            unknown_keys(p, path, t, &LATENCY_KEYS);
            if t.get("distribution").and_then(|d| d.as_str()) != Some("lognormal") {
                p.add(
                    format!("{path}.distribution"),
                    "must be \"lognormal\" (or give a number of milliseconds)",
                );
                return None;
            }
            let median = t.get("median").and_then(number).filter(|&m| positive(m));
            let p99 = t.get("p99").and_then(number).filter(|&q| positive(q));
            match (median, p99) {
                (Some(m), Some(q)) if q > m => Some(LatencyModel::log_normal(m * 1_000.0, q * 1_000.0)),
                _ => {
                    p.add(
                        path,
                        "a lognormal latency needs median and p99 in milliseconds, 0 < median < p99 <= 60000",
                    );
                    None
                }
            }
        }
        Some(v) => match number(v) {
            Some(ms) if positive(ms) => Some(LatencyModel::Constant((ms * 1_000.0).round() as u64)),
            _ => {
                p.add(path, format!("must be milliseconds in (0, 60000] or a distribution table, got {v}"));
                None
            }
        },
    }
}

/// The retry profile and the latency model of `[client]`.
pub(super) fn client(
    p: &mut Problems,
    raw: Option<&super::raw::RawClient>,
) -> (Option<RetryProfile>, Option<LatencyModel>) {
    let retry = match raw.and_then(|c| c.retry.as_ref()) {
        None => Some(RetryProfile::aws_sdk_standard()),
        Some(toml::Value::String(name)) => {
            let profile = RetryProfile::by_name(name);
            if profile.is_none() {
                p.add("client.retry", one_of("client.retry", name, &RetryProfile::NAMES));
            }
            profile
        }
        Some(toml::Value::Table(t)) => custom_retry(p, t),
        Some(other) => {
            p.add("client.retry", format!("must be a profile name or a table of settings, got {other}"));
            None
        }
    };
    (retry, latency(p, raw.and_then(|c| c.attempt_latency_ms.as_ref())))
}
