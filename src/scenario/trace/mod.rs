//! `[trace]`: a request log that drives the simulator, in CSV or JSON lines. The README's
//! "Trace replay" section is the format's reference.
//!
//! A trace file is read line by line into one reused buffer; a line's fields are borrowed from
//! it (only quoted CSV fields with escaped quotes and escaped JSON strings are copied), and each
//! distinct string key value is built once ([`TraceBuilder`]). Every bad line is reported as
//! `FILE:LINE: FIELD: what is wrong`: the first [`MAX_TRACE_PROBLEMS`], then a count of the
//! rest. Reading never panics, whatever the bytes.

mod csv;
mod jsonl;
mod record;
#[cfg(test)]
mod tests;

use super::datafile;
use super::raw::RawTrace;
use super::validate::{one_of, Problems};
use crate::workload::{Trace, TraceBuilder};
use record::record;
pub use record::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use std::borrow::Cow;
use std::fmt::Display;
use std::io::BufRead;
use std::path::Path;

/// Most problems reported from one trace file; the rest are counted.
pub const MAX_TRACE_PROBLEMS: usize = 20;
/// Highest `speed`.
pub const MAX_SPEED: f64 = 1_000_000.0;

/// How a trace file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// Comma-separated values with a header line naming the columns.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// How to read a trace.
#[derive(Clone, Copy, Debug)]
pub struct TraceOptions {
    /// The file's format.
    pub format: TraceFormat,
    /// Microseconds per unit of `timestamp`.
    pub unit_us: u64,
    /// Time-scale factor: a request recorded at `t` is replayed at `t / speed`.
    pub speed: f64,
    /// Whether the table has a sort key: every record must then give one, and otherwise none may.
    pub sort_key: bool,
}

/// A record's fields, in the order of [`Cells`].
pub const FIELDS: [&str; 6] =
    ["timestamp", "operation", "partition_key", "sort_key", "item_bytes", "consistency"];

const TIMESTAMP: usize = 0;
const OPERATION: usize = 1;
const PARTITION_KEY: usize = 2;
const SORT_KEY: usize = 3;
const ITEM_BYTES: usize = 4;
const CONSISTENCY: usize = 5;

/// A field's value as read, before it is checked.
#[derive(Clone, Debug, Default, PartialEq)]
enum Cell<'a> {
    /// Not given: an empty CSV field, a missing or `null` JSON field.
    #[default]
    Absent,
    /// Unquoted CSV text.
    Text(&'a str),
    /// CSV text in double quotes: a key written so is a string, whatever its characters.
    Quoted(Cow<'a, str>),
    /// A JSON string.
    Str(Cow<'a, str>),
    /// A JSON integer.
    Int(i64),
    /// Any other JSON number.
    Float(f64),
    /// A JSON value of another type, by name ("a boolean", "an array", "an object").
    Other(&'static str),
}

/// One record's fields, indexed as [`FIELDS`].
type Cells<'a> = [Cell<'a>; 6];

/// The problems of one trace file, each prefixed with the file's name and line.
struct Found<'a> {
    shown: &'a str,
    list: Vec<String>,
    total: usize,
}

impl Found<'_> {
    /// A problem at `line` of the file, in `field` if the problem is one field's. Control
    /// characters are escaped: a JSON string may hold a newline, and a problem is one line.
    fn at(&mut self, line: usize, field: Option<&str>, message: impl Display) {
        self.total += 1;
        if self.list.len() < MAX_TRACE_PROBLEMS {
            let field = field.map(|f| format!("{f}: ")).unwrap_or_default();
            let mut text = format!("{}:{line}: {field}", self.shown);
            for c in message.to_string().chars() {
                if c.is_control() {
                    text.extend(c.escape_default());
                } else {
                    text.push(c);
                }
            }
            self.list.push(text);
        }
    }

    /// The problems, with a count of those not listed.
    fn into_list(mut self) -> Vec<String> {
        if self.total > self.list.len() {
            let more = self.total - self.list.len();
            self.list.push(format!(
                "{}: {more} more problem(s) not shown (the first {MAX_TRACE_PROBLEMS} are)",
                self.shown
            ));
        }
        self.list
    }
}

/// Validates `[trace]` of a scenario in folder `dir` against a table with or without a sort key,
/// reading its file; every problem goes to `p`.
pub(super) fn trace(p: &mut Problems, raw: &RawTrace, sort_key: bool, dir: &Path) -> Option<Trace> {
    let format = match raw.format.as_deref() {
        Some("csv") => Some(TraceFormat::Csv),
        Some("jsonl") => Some(TraceFormat::JsonLines),
        Some(other) => {
            p.add("trace.format", one_of("", other, &["csv", "jsonl"]));
            None
        }
        None => match Path::new(&raw.file).extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(TraceFormat::Csv),
            Some("jsonl" | "ndjson") => Some(TraceFormat::JsonLines),
            _ => {
                let message = "cannot tell the format from the file's extension (.csv, .jsonl or .ndjson): add format = \"csv\" or \"jsonl\"";
                p.add("trace.format", message);
                None
            }
        },
    };
    let unit_us = match raw.time_unit.as_deref() {
        None | Some("ms") => Some(1_000),
        Some("us") => Some(1),
        Some("s") => Some(1_000_000),
        Some(other) => {
            p.add("trace.time_unit", one_of("", other, &["ms", "us", "s"]));
            None
        }
    };
    let speed = match raw.speed {
        None => Some(1.0),
        Some(s) if s.is_finite() && s > 0.0 && s <= MAX_SPEED => Some(s),
        Some(s) => {
            p.add(
                "trace.speed",
                format!(
                    "must be above 0 and at most {MAX_SPEED} (2 replays the trace twice as fast), got {s}"
                ),
            );
            None
        }
    };
    if raw.file.is_empty() {
        p.add("trace.file", "must name a trace file (CSV or JSON lines)");
        return None;
    }
    let options = TraceOptions { format: format?, unit_us: unit_us?, speed: speed?, sort_key };
    let path = datafile::resolve(dir, &raw.file);
    let shown = path.display().to_string();
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            p.add("trace.file", format!("cannot read {shown}: {}", e.to_string().to_lowercase()));
            return None;
        }
    };
    match read(std::io::BufReader::with_capacity(1 << 16, file), &shown, &options) {
        Ok(trace) => Some(trace),
        Err(problems) => {
            problems.into_iter().for_each(|m| p.add("trace.file", m));
            None
        }
    }
}

/// Reads a whole trace from `reader`, whose name in messages is `shown`: the trace, or every
/// problem found (at most [`MAX_TRACE_PROBLEMS`] and a count of the others), each starting with
/// `shown`.
pub fn read(mut reader: impl BufRead, shown: &str, options: &TraceOptions) -> Result<Trace, Vec<String>> {
    let mut found = Found { shown, list: Vec::new(), total: 0 };
    let mut builder = TraceBuilder::new();
    let mut header: Option<csv::Header> = None;
    let mut buf = Vec::with_capacity(256);
    let mut line = 0;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => line += 1,
            Err(e) => {
                found.at(line + 1, None, format!("cannot read: {}", e.to_string().to_lowercase()));
                break;
            }
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            found.at(line, None, "is not UTF-8 text");
            continue;
        };
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let text = if line == 1 { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
        if text.trim().is_empty() {
            continue;
        }
        let mut cells = Cells::default();
        let parsed = match options.format {
            TraceFormat::Csv if text.trim_start().starts_with('#') => continue,
            TraceFormat::Csv => match &header {
                Some(h) => h.row(text, &mut cells),
                None => {
                    match csv::Header::parse(text, options.sort_key) {
                        Ok(h) => header = Some(h),
                        Err(problems) => {
                            problems.into_iter().for_each(|m| found.at(line, None, m));
                            // Rows cannot be read without their columns.
                            return Err(found.into_list());
                        }
                    }
                    continue;
                }
            },
            TraceFormat::JsonLines => jsonl::record(text, &mut cells),
        };
        match parsed {
            Ok(()) => record(&mut builder, &cells, options, line, &mut found),
            Err(message) => found.at(line, None, message),
        }
    }
    if found.total == 0 && builder.is_empty() {
        let what = match (options.format, &header) {
            (TraceFormat::Csv, None) => {
                "has no header line (the column names, such as timestamp,operation,partition_key)"
            }
            _ => "has no requests",
        };
        found.at(line.max(1), None, what);
    }
    if found.total > 0 {
        return Err(found.into_list());
    }
    Ok(builder.finish())
}
