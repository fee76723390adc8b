//! Validation of a workload's traffic: `rate` (a number or a shape), `start`, `stop` and
//! `arrivals`, into a [`Traffic`].

use super::datafile;
use super::distribution::reject_extra;
use super::raw::{RawRate, RawShape, RawWorkload};
use super::validate::{one_of, Problems, MAX_DURATION_US, MAX_RATE_PER_S};
use crate::time::parse_duration_micros;
use crate::workload::{Process, RateShape, Traffic};
use std::path::Path;

/// Traffic shapes.
pub const SHAPES: [&str; 6] = ["constant", "ramp", "steps", "spike", "diurnal", "csv"];

/// A time offset in microseconds: a duration string (`"90s"`, `"5m"`), a number of seconds, or
/// zero. `None` when it is none of these or beyond 30 days.
pub fn offset_us(value: &toml::Value) -> Option<u64> {
    let us = match value {
        toml::Value::Integer(n) if *n >= 0 => (*n as f64) * 1e6,
        toml::Value::Float(f) if *f >= 0.0 => f * 1e6,
        toml::Value::String(s) => match parse_duration_micros(s) {
            Some(us) => us as f64,
            // "0", "0s", "0m": zero is a valid offset but not a valid duration.
            None if parse_duration_micros(&format!("1{}", s.trim().trim_start_matches(['0', '.', '_'])))
                .is_some()
                && s.trim().starts_with('0') =>
            {
                0.0
            }
            None => return None,
        },
        _ => return None,
    };
    (us <= MAX_DURATION_US as f64).then_some(us.round() as u64)
}

/// A rate in requests per second, checked into `0..=MAX_RATE_PER_S`.
fn rate(p: &mut Problems, path: &str, value: Option<f64>, what: &str) -> Option<f64> {
    match value {
        None => {
            p.add(path, format!("is required: {what}, in requests per second"));
            None
        }
        Some(r) if r.is_finite() && (0.0..=MAX_RATE_PER_S).contains(&r) => Some(r),
        Some(r) => {
            p.add(
                path,
                format!("must be a number of requests per second from 0 to {MAX_RATE_PER_S}, got {r}"),
            );
            None
        }
    }
}

/// A time in seconds: an offset (`positive` false: zero allowed) or a positive duration.
fn seconds(p: &mut Problems, path: &str, value: Option<&toml::Value>, positive: bool) -> Option<f64> {
    let Some(value) = value else {
        p.add(path, "is required: a duration such as \"90s\", \"10m\" or a number of seconds");
        return None;
    };
    match offset_us(value) {
        Some(us) if us > 0 || !positive => Some(us as f64 / 1e6),
        _ => {
            let what = if positive { "a positive duration" } else { "a time offset" };
            p.add(path, format!("must be {what} such as \"90s\", \"10m\" or a number of seconds (at most 30 days), got {value}"));
            None
        }
    }
}

/// The workload's traffic, or `None` after reporting every problem.
pub fn traffic(
    p: &mut Problems,
    i: usize,
    w: &RawWorkload,
    dir: &Path,
    duration_us: Option<u64>,
) -> Option<Traffic> {
    let at = |key: &str| format!("workload[{i}].{key}");
    let shape = match &w.rate {
        RawRate::Number(r) => rate(p, &at("rate"), Some(*r), "").map(RateShape::constant),
        RawRate::Shape(s) => shape(p, &at("rate"), s, dir),
    };
    let start_us = match &w.start {
        None => Some(0),
        Some(v) => seconds(p, &at("start"), Some(v), false).map(|s| (s * 1e6).round() as u64),
    };
    let stop_us = match &w.stop {
        None => Some(None),
        Some(v) => seconds(p, &at("stop"), Some(v), true).map(|s| Some((s * 1e6).round() as u64)),
    };
    if let (Some(start), Some(Some(stop))) = (start_us, stop_us) {
        if stop <= start {
            p.add(at("stop"), "must be after start");
        }
    }
    if let (Some(start), Some(duration)) = (start_us, duration_us) {
        if start >= duration {
            p.add(at("start"), "must be before the end of the scenario's duration");
        }
    }
    let process = match w.arrivals.as_deref() {
        None | Some("poisson") => Some(Process::Poisson),
        Some("uniform") => Some(Process::Uniform),
        Some(other) => {
            p.add(at("arrivals"), one_of("", other, &["poisson", "uniform"]));
            None
        }
    };
    Some(Traffic { shape: shape?, process: process?, start_us: start_us?, stop_us: stop_us? })
}

fn shape(p: &mut Problems, path: &str, s: &RawShape, dir: &Path) -> Option<RateShape> {
    let present = [
        ("rate", s.rate.is_some()),
        ("from", s.from.is_some()),
        ("to", s.to.is_some()),
        ("over", s.over.is_some()),
        ("steps", s.steps.is_some()),
        ("base", s.base.is_some()),
        ("peak", s.peak.is_some()),
        ("at", s.at.is_some()),
        ("duration", s.duration.is_some()),
        ("mean", s.mean.is_some()),
        ("peak_to_trough", s.peak_to_trough.is_some()),
        ("period", s.period.is_some()),
        ("file", s.file.is_some()),
    ];
    let allowed: &[&str] = match s.shape.as_str() {
        "constant" => &["rate"],
        "ramp" => &["from", "to", "over"],
        "steps" => &["steps"],
        "spike" => &["base", "peak", "at", "duration"],
        "diurnal" => &["mean", "peak_to_trough", "period"],
        "csv" => &["file"],
        other => {
            p.add(format!("{path}.shape"), one_of("", other, &SHAPES));
            return None;
        }
    };
    reject_extra(p, path, &format!("a {} shape", s.shape), &present, allowed);
    let key = |k: &str| format!("{path}.{k}");
    match s.shape.as_str() {
        "constant" => rate(p, &key("rate"), s.rate, "the rate").map(RateShape::constant),
        "ramp" => {
            let from = rate(p, &key("from"), s.from, "the rate at the start");
            let to = rate(p, &key("to"), s.to, "the rate at the end of the ramp");
            let over = seconds(p, &key("over"), s.over.as_ref(), true);
            Some(RateShape::ramp(from?, to?, over?))
        }
        "steps" => steps(p, path, s.steps.as_deref()),
        "spike" => {
            let base = rate(p, &key("base"), s.base, "the rate outside the spike");
            let peak = rate(p, &key("peak"), s.peak, "the rate during the spike");
            let at = seconds(p, &key("at"), s.at.as_ref(), false);
            let duration = seconds(p, &key("duration"), s.duration.as_ref(), true);
            Some(RateShape::spike(base?, peak?, at?, duration?))
        }
        "diurnal" => {
            let ratio = match s.peak_to_trough {
                Some(r) if r.is_finite() && r >= 1.0 => Some(r),
                Some(r) => {
                    p.add(key("peak_to_trough"), format!("must be a ratio of at least 1, got {r}"));
                    None
                }
                None => {
                    p.add(key("peak_to_trough"), "is required: how many times the trough rate the peak is");
                    None
                }
            };
            let mean = rate(p, &key("mean"), s.mean, "the mean rate");
            let period = seconds(p, &key("period"), s.period.as_ref(), true);
            let shape = RateShape::diurnal(mean?, ratio?, period?);
            if shape.max_rate() > MAX_RATE_PER_S {
                p.add(
                    key("mean"),
                    format!("peaks at {} requests per second, above {MAX_RATE_PER_S}", shape.max_rate()),
                );
                return None;
            }
            Some(shape)
        }
        _ => csv(p, path, s.file.as_deref(), dir),
    }
}

/// `steps = [[time, rate], ...]`, times strictly increasing.
fn steps(p: &mut Problems, path: &str, steps: Option<&[toml::Value]>) -> Option<RateShape> {
    let Some(steps) = steps.filter(|s| !s.is_empty()) else {
        p.add(
            format!("{path}.steps"),
            "needs at least one [time, rate] step, for example [[0, 100], [\"5m\", 1000]]",
        );
        return None;
    };
    let before = p.0.len();
    let mut parsed: Vec<(f64, f64)> = Vec::with_capacity(steps.len());
    for (j, step) in steps.iter().enumerate() {
        let at = format!("{path}.steps[{j}]");
        let Some([time, r]) =
            step.as_array().map(Vec::as_slice).and_then(|a| <&[toml::Value; 2]>::try_from(a).ok())
        else {
            p.add(at, format!("must be a [time, rate] pair, got {step}"));
            continue;
        };
        let t = seconds(p, &at, Some(time), false);
        let r =
            rate(p, &at, r.as_float().or_else(|| r.as_integer().map(|n| n as f64)).or(Some(f64::NAN)), "");
        if let (Some(t), Some(r)) = (t, r) {
            if let Some(&(previous, _)) = parsed.last().filter(|(previous, _)| t <= *previous) {
                p.add(at, format!("must come after the step before: steps are sorted by time ({t} s is not after {previous} s)"));
            }
            parsed.push((t, r));
        }
    }
    (p.0.len() == before).then(|| RateShape::steps(&parsed))
}

/// `file = "rates.csv"`: lines of `time_s,rate`, piecewise constant.
fn csv(p: &mut Problems, path: &str, file: Option<&str>, dir: &Path) -> Option<RateShape> {
    let at = format!("{path}.file");
    let Some(file) = file else {
        p.add(at, "is required: a file of `time_s,rate` lines, relative to the scenario");
        return None;
    };
    let before = p.0.len();
    let (rows, problems) = datafile::read(dir, file, "time_s,rate");
    problems.into_iter().for_each(|m| p.add(at.clone(), m));
    let shown = datafile::resolve(dir, file).display().to_string();
    let mut parsed: Vec<(f64, f64)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let time = row
            .label
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t >= 0.0 && *t * 1e6 <= MAX_DURATION_US as f64);
        match time {
            None => p.add(
                at.clone(),
                format!("{shown}:{}: time `{}` must be a number of seconds from 0", row.line, row.label),
            ),
            Some(t) if parsed.last().is_some_and(|&(previous, _)| t <= previous) => {
                p.add(at.clone(), format!("{shown}:{}: times must increase from line to line", row.line))
            }
            Some(t) => parsed.push((t, row.number)),
        }
        if !(row.number.is_finite() && (0.0..=MAX_RATE_PER_S).contains(&row.number)) {
            p.add(
                at.clone(),
                format!(
                    "{shown}:{}: rate must be from 0 to {MAX_RATE_PER_S} requests per second, got {}",
                    row.line, row.number
                ),
            );
        }
    }
    (p.0.len() == before).then(|| RateShape::steps(&parsed))
}
