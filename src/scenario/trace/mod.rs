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
#[cfg(test)]
mod tests;

use super::datafile;
use super::raw::RawTrace;
use super::validate::{one_of, Problems};
use crate::engine::{Access, Consistency, MAX_ITEM_BYTES};
use crate::workload::{KeyText, OperationKind, Trace, TraceBuilder, TraceClass};
use std::borrow::Cow;
use std::fmt::Display;
use std::io::BufRead;
use std::path::Path;

/// Most problems reported from one trace file; the rest are counted.
pub const MAX_TRACE_PROBLEMS: usize = 20;
/// Longest string partition-key value, bytes (MODEL.md §1.2, limits).
pub const MAX_PARTITION_KEY_BYTES: usize = 2_048;
/// Longest string sort-key value, bytes (MODEL.md §1.2, limits).
pub const MAX_SORT_KEY_BYTES: usize = 1_024;
/// Highest `speed`.
pub const MAX_SPEED: f64 = 1_000_000.0;

/// The operation a record's `operation` names, and whether it reads (and takes a consistency) or
/// writes an item (whose size it needs). The one place to extend when the engine gains
/// operations; [`OPERATIONS`] lists the names for messages.
fn operation(name: &str) -> Option<(OperationKind, Access)> {
    match name {
        "get" => Some((OperationKind::Get, Access::Read)),
        "put" => Some((OperationKind::Put, Access::Write)),
        _ => None,
    }
}

/// The names [`operation`] accepts.
const OPERATIONS: &[&str] = &["get", "put"];

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

/// Checks one record's fields and adds it to `builder`, or reports each bad field.
fn record(
    builder: &mut TraceBuilder,
    cells: &Cells<'_>,
    o: &TraceOptions,
    line: usize,
    found: &mut Found<'_>,
) {
    let before = found.total;
    // Each field's value, or its problem reported.
    let mut ok = |field: usize, outcome: Result<(), String>| match outcome {
        Ok(()) => true,
        Err(message) => {
            found.at(line, Some(FIELDS[field]), message);
            false
        }
    };
    let (mut at_us, mut op, mut partition, mut sort) = (0, None, None, None);
    ok(TIMESTAMP, timestamp_us(&cells[TIMESTAMP], o).map(|t| at_us = t));
    ok(OPERATION, operation_of(&cells[OPERATION]).map(|x| op = Some(x)));
    let required = |k: Option<KeyText<'_>>| k.map(|_| ()).ok_or_else(|| "is required".to_string());
    let partition_key = key(&cells[PARTITION_KEY], MAX_PARTITION_KEY_BYTES);
    if ok(PARTITION_KEY, partition_key.clone().and_then(required)) {
        partition = partition_key.ok().flatten();
    }
    match (o.sort_key, &cells[SORT_KEY]) {
        (true, Cell::Absent) => ok(SORT_KEY, Err("is required: the table has a sort key".into())),
        (true, cell) => ok(SORT_KEY, key(cell, MAX_SORT_KEY_BYTES).map(|k| sort = k)),
        (false, Cell::Absent) => true,
        (false, _) => ok(SORT_KEY, Err("must be empty: the table has no sort key".into())),
    };
    let access = op.map(|(_, access)| access);
    let mut item_bytes = 0;
    match (access, &cells[ITEM_BYTES]) {
        (Some(Access::Write), Cell::Absent) => {
            ok(ITEM_BYTES, Err("is required for a write: the size of the item written, in bytes".into()))
        }
        (Some(Access::Write), cell) => ok(ITEM_BYTES, size(cell).map(|b| item_bytes = b)),
        (Some(Access::Read), Cell::Absent) | (None, _) => true,
        (Some(Access::Read), _) => {
            ok(ITEM_BYTES, Err("must be empty for a read: a read costs the size of the item it finds".into()))
        }
    };
    let mut consistency = Consistency::Eventual;
    match (access, &cells[CONSISTENCY]) {
        (_, Cell::Absent) | (None, _) => true,
        (Some(Access::Read), cell) => ok(CONSISTENCY, consistency_of(cell).map(|c| consistency = c)),
        (Some(Access::Write), _) => {
            ok(CONSISTENCY, Err("must be empty for a write: it applies to reads only".into()))
        }
    };
    if found.total > before {
        return;
    }
    if let (Some((operation, _)), Some(partition)) = (op, partition) {
        let class = TraceClass { operation, consistency };
        builder.push(at_us, class, partition, sort, item_bytes);
    }
}

/// The text of a field that holds a string, or why it does not.
fn text<'c>(cell: &'c Cell<'_>) -> Result<&'c str, String> {
    match cell {
        Cell::Text(s) => Ok(s),
        Cell::Quoted(s) | Cell::Str(s) => Ok(s),
        Cell::Int(n) => Err(format!("expected a string, got the number {n}")),
        Cell::Float(f) => Err(format!("expected a string, got the number {f}")),
        Cell::Other(t) => Err(format!("expected a string, got {t}")),
        Cell::Absent => Err("is required".into()),
    }
}

/// A number field: an integer (exact) or another number.
enum Number {
    Int(i64),
    Float(f64),
}

fn number(cell: &Cell<'_>) -> Result<Number, String> {
    let parse = |s: &str| match s.parse::<i64>() {
        Ok(n) => Ok(Number::Int(n)),
        Err(_) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => Err(format!("expected a number, got `{}`", s.escape_default())),
        },
    };
    match cell {
        Cell::Text(s) => parse(s),
        Cell::Quoted(s) => parse(s),
        Cell::Int(n) => Ok(Number::Int(*n)),
        Cell::Float(f) => Ok(Number::Float(*f)),
        Cell::Str(s) => Err(format!("expected a number, got the string \"{}\"", s.escape_default())),
        Cell::Other(t) => Err(format!("expected a number, got {t}")),
        Cell::Absent => Err("is required".into()),
    }
}

/// The request's time in the run, microseconds: `timestamp` in the trace's unit, divided by its
/// speed, rounded to the microsecond. Times beyond `u64` saturate (they are past any run).
fn timestamp_us(cell: &Cell<'_>, o: &TraceOptions) -> Result<u64, String> {
    let negative = || "must be an offset from the start of the run, 0 or more".to_string();
    match number(cell)? {
        Number::Int(n) if n < 0 => Err(negative()),
        Number::Int(n) if o.speed == 1.0 => Ok((n as u64).saturating_mul(o.unit_us)),
        Number::Int(n) => Ok(scaled(n as f64, o)),
        Number::Float(f) if f < 0.0 => Err(negative()),
        Number::Float(f) => Ok(scaled(f, o)),
    }
}

fn scaled(t: f64, o: &TraceOptions) -> u64 {
    // A float to integer cast saturates, so a huge time becomes the last microsecond.
    (t * o.unit_us as f64 / o.speed).round() as u64
}

fn operation_of(cell: &Cell<'_>) -> Result<(OperationKind, Access), String> {
    let name = text(cell)?;
    operation(name)
        .ok_or_else(|| one_of("", name, OPERATIONS).replacen("unknown value", "unknown operation", 1))
}

fn consistency_of(cell: &Cell<'_>) -> Result<Consistency, String> {
    match text(cell)? {
        "eventual" => Ok(Consistency::Eventual),
        "strong" => Ok(Consistency::Strong),
        other => Err(one_of("", other, &["eventual", "strong"])),
    }
}

/// An item size: a whole number of bytes from 1 to the 400 KB item limit.
fn size(cell: &Cell<'_>) -> Result<u32, String> {
    let bytes = match number(cell)? {
        Number::Int(n) => n as f64,
        Number::Float(f) if f.fract() == 0.0 => f,
        Number::Float(f) => return Err(format!("must be a whole number of bytes, got {f}")),
    };
    if !(1.0..=MAX_ITEM_BYTES as f64).contains(&bytes) {
        return Err(format!("must be from 1 to {MAX_ITEM_BYTES} bytes (the 400 KB item limit), got {bytes}"));
    }
    Ok(bytes as u32)
}

/// A key value, typed: in CSV, unquoted text that is a plain integer (no sign but `-`, no
/// leading zero) is a number and anything else a string; in JSON, a number is a number and a
/// string a string. `None` when absent.
fn key<'c>(cell: &'c Cell<'_>, max_bytes: usize) -> Result<Option<KeyText<'c>>, String> {
    let string = |s: &'c str| {
        if s.is_empty() {
            Err("must not be empty (a string key value is 1 byte or more)".to_string())
        } else if s.len() > max_bytes {
            Err(format!("is {} bytes long; a key value is at most {max_bytes} bytes", s.len()))
        } else {
            Ok(Some(KeyText::S(s)))
        }
    };
    match cell {
        Cell::Absent => Ok(None),
        Cell::Text(s) => match plain_integer(s) {
            Some(n) => Ok(Some(KeyText::N(n))),
            None => string(s),
        },
        Cell::Quoted(s) | Cell::Str(s) => string(s),
        Cell::Int(n) => Ok(Some(KeyText::N(*n))),
        Cell::Float(f) if f.fract() == 0.0 && *f >= -(2f64.powi(63)) && *f < 2f64.powi(63) => {
            Ok(Some(KeyText::N(*f as i64)))
        }
        Cell::Float(f) => Err(format!("a number key must be an integer from -2^63 to 2^63 - 1, got {f}")),
        Cell::Other(t) => Err(format!("expected a string or a number, got {t}")),
    }
}

/// `s` as an i64 if it is written as one plainly: digits, an optional leading `-`, no leading
/// zero (so `007` and `+7` stay strings).
fn plain_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0";
    if plain {
        s.parse().ok()
    } else {
        None
    }
}
