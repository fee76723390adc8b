//! One trace record's fields checked and turned into a request: the field rules of the README's
//! "Trace replay" (which operations read or write, key typing, sizes, times).

use super::{Cell, Cells, Found, TraceOptions, FIELDS};
use super::{CONSISTENCY, ITEM_BYTES, OPERATION, PARTITION_KEY, SORT_KEY, TIMESTAMP};
use crate::engine::{Access, Consistency, MAX_ITEM_BYTES};
use crate::scenario::validate::one_of;
use crate::workload::{KeyText, OperationKind, TraceBuilder, TraceClass};

/// Longest string partition-key value, bytes (the engine's limit, MODEL.md §1.2).
pub const MAX_PARTITION_KEY_BYTES: usize = crate::engine::table::MAX_PARTITION_KEY_BYTES as usize;
/// Longest string sort-key value, bytes (the engine's limit, MODEL.md §1.2).
pub const MAX_SORT_KEY_BYTES: usize = crate::engine::table::MAX_SORT_KEY_BYTES as usize;

/// The operation a record's `operation` names, and whether it reads (and takes a consistency) or
/// writes an item (whose size it needs). The one place to extend when the engine gains
/// operations; [`OPERATIONS`] lists the names for messages. Every write but a delete gives the
/// item's size after it (`item_bytes`); a delete gives none.
pub(super) fn operation(name: &str) -> Option<(OperationKind, Access)> {
    match name {
        "get" => Some((OperationKind::Get, Access::Read)),
        "put" => Some((OperationKind::Put, Access::Write)),
        "update" => Some((OperationKind::Update, Access::Write)),
        "delete" => Some((OperationKind::Delete, Access::Write)),
        _ => None,
    }
}

/// The names [`operation`] accepts.
pub(super) const OPERATIONS: &[&str] = &["get", "put", "update", "delete"];

/// Checks one record's fields and adds it to `builder`, or reports each bad field.
pub(super) fn record(
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
    let delete = op.is_some_and(|(kind, _)| kind == OperationKind::Delete);
    let mut item_bytes = 0;
    match (access, &cells[ITEM_BYTES]) {
        (Some(Access::Write), Cell::Absent) if delete => true,
        (Some(Access::Write), _) if delete => {
            ok(ITEM_BYTES, Err("must be empty for a delete: it costs the size of the item it deletes".into()))
        }
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
pub(super) fn plain_integer(s: &str) -> Option<i64> {
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
