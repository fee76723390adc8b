//! Simulated time: an integer count of microseconds since the start of a run.
//!
//! Invariant: nothing in the library reads a wall clock. Only the simulator's driver advances
//! time, and every rule that depends on time takes a `SimTime` argument.

use std::fmt;

/// Microseconds in one simulated second.
pub const MICROS_PER_SECOND: u64 = 1_000_000;

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of a run.
    pub const ZERO: SimTime = SimTime(0);

    /// A time a whole number of seconds after the start.
    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * MICROS_PER_SECOND)
    }

    /// A time in milliseconds after the start.
    pub const fn from_millis(millis: u64) -> SimTime {
        SimTime(millis * 1_000)
    }

    /// Microseconds since the start.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// The whole simulated second this instant falls in (0 for the first second).
    pub const fn second(self) -> u64 {
        self.0 / MICROS_PER_SECOND
    }

    /// Seconds since the start, as a float (for reports only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }

    /// This time plus `micros` microseconds, saturating at the end of representable time.
    pub const fn plus_micros(self, micros: u64) -> SimTime {
        SimTime(self.0.saturating_add(micros))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}s", self.as_secs_f64())
    }
}

/// Parses a duration such as `90s`, `10m`, `2h`, `1d`, `500ms` or a bare number of seconds
/// into microseconds. Returns `None` when the text is not a positive duration of that form.
pub fn parse_duration_micros(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.replace('_', "").parse().ok()?;
    let unit_micros: f64 = match unit.trim() {
        "" | "s" => 1e6,
        "ms" => 1e3,
        "m" | "min" => 60e6,
        "h" => 3600e6,
        "d" => 86_400e6,
        _ => return None,
    };
    let micros = number * unit_micros;
    (1.0..1e18).contains(&micros).then_some(micros.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        let check =
            |text: &str, expect: Option<u64>| assert_eq!(parse_duration_micros(text), expect, "{text}");
        check("90s", Some(90_000_000));
        check("10m", Some(600_000_000));
        check("2h", Some(7_200_000_000));
        check("1d", Some(86_400_000_000));
        check("250ms", Some(250_000));
        check("1.5m", Some(90_000_000));
        check("30", Some(30_000_000));
        check("0s", None);
        check("-5s", None);
        check("5 parsecs", None);
        check("", None);
        check("s", None);
    }

    #[test]
    fn seconds_truncate() {
        assert_eq!(SimTime(1_999_999).second(), 1);
        assert_eq!(SimTime::from_secs(3).second(), 3);
    }
}
