//! CSV traces: a header line naming the columns (any order), then one record per line.
//!
//! Fields are separated by commas; unquoted fields are trimmed of spaces and tabs. A field in
//! double quotes may hold commas, and `""` inside it is one quote; a record is one line (no
//! line breaks inside quotes). A line without quotes is split without copying anything.

use super::{Cell, Cells, FIELDS, OPERATION, PARTITION_KEY, SORT_KEY, TIMESTAMP};
use crate::scenario::validate::nearest;
use std::borrow::Cow;

/// The columns of a CSV trace: the field each one holds.
#[derive(Debug)]
pub(super) struct Header {
    columns: Vec<usize>,
}

/// One field of a line, as written.
enum Field<'a> {
    /// Unquoted, trimmed.
    Text(&'a str),
    /// In quotes, unescaped.
    Quoted(Cow<'a, str>),
}

impl Header {
    /// The header of a trace for a table with (or without) a sort key, or every problem of it.
    pub(super) fn parse(line: &str, sort_key: bool) -> Result<Header, Vec<String>> {
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let split = split(line, |_, field| {
            let name = match &field {
                Field::Text(t) => *t,
                Field::Quoted(q) => q,
            };
            match FIELDS.iter().position(|f| *f == name) {
                Some(i) if columns.contains(&i) => problems.push(format!("column `{name}` appears twice")),
                Some(i) => columns.push(i),
                None => {
                    let hint =
                        nearest(name, &FIELDS).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                    problems.push(format!(
                        "unknown column `{}`{hint}; the columns are {}",
                        name.escape_default(),
                        FIELDS.map(|f| format!("`{f}`")).join(", ")
                    ));
                    // Keeps the positions of the columns after it.
                    columns.push(usize::MAX);
                }
            }
        });
        if let Err(message) = split {
            return Err(vec![format!("header: {message}")]);
        }
        for required in [TIMESTAMP, OPERATION, PARTITION_KEY] {
            if !columns.contains(&required) {
                problems.push(format!("the header has no `{}` column (it is required)", FIELDS[required]));
            }
        }
        if sort_key && !columns.contains(&SORT_KEY) {
            problems.push("the header has no `sort_key` column, and the table has a sort key".to_string());
        }
        if problems.is_empty() {
            Ok(Header { columns })
        } else {
            Err(problems)
        }
    }

    /// Reads the fields of data line `line` into `cells`.
    pub(super) fn row<'a>(&self, line: &'a str, cells: &mut Cells<'a>) -> Result<(), String> {
        let count = split(line, |i, field| {
            if let Some(&column) = self.columns.get(i) {
                cells[column] = match field {
                    Field::Text("") => Cell::Absent,
                    Field::Text(t) => Cell::Text(t),
                    Field::Quoted(q) => Cell::Quoted(q),
                };
            }
        })?;
        if count != self.columns.len() {
            return Err(format!("has {count} field(s); the header names {}", self.columns.len()));
        }
        Ok(())
    }
}

/// Calls `each` with the position and text of every field of `line`, and returns how many there
/// are: an empty line has one empty field. Fails on a quote that is not closed or text after a
/// closing quote.
fn split<'a>(line: &'a str, mut each: impl FnMut(usize, Field<'a>)) -> Result<usize, String> {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut n = 0;
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if bytes.get(i) == Some(&b'"') {
            let (field, end) =
                quoted(line, i + 1).ok_or_else(|| format!("field {}: a quote is not closed", n + 1))?;
            each(n, Field::Quoted(field));
            i = end;
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            if i < bytes.len() && bytes[i] != b',' {
                return Err(format!("field {}: text after the closing quote", n + 1));
            }
        } else {
            let end = bytes[i..].iter().position(|&b| b == b',').map_or(bytes.len(), |k| i + k);
            each(n, Field::Text(line[i..end].trim_end_matches([' ', '\t'])));
            i = end;
        }
        n += 1;
        if i >= bytes.len() {
            return Ok(n);
        }
        // Past the comma.
        i += 1;
    }
}

/// The quoted field that starts at byte `start` of `line` (just after its opening quote), with
/// `""` unescaped, and the byte after its closing quote; `None` if it is not closed.
fn quoted(line: &str, start: usize) -> Option<(Cow<'_, str>, usize)> {
    let mut owned: Option<String> = None;
    let mut from = start;
    loop {
        let q = from + line[from..].find('"')?;
        if line.as_bytes().get(q + 1) == Some(&b'"') {
            // An escaped quote: keep one.
            owned.get_or_insert_with(String::new).push_str(&line[from..=q]);
            from = q + 2;
            continue;
        }
        let field = match owned {
            Some(mut text) => {
                text.push_str(&line[from..q]);
                Cow::Owned(text)
            }
            None => Cow::Borrowed(&line[start..q]),
        };
        return Some((field, q + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        split(line, |i, f| {
            assert_eq!(i, out.len());
            out.push(match f {
                Field::Text(t) => format!("T:{t}"),
                Field::Quoted(q) => format!("Q:{q}"),
            })
        })?;
        Ok(out)
    }

    #[test]
    fn fields_split_trim_and_unquote() {
        assert_eq!(
            fields("1, get ,u1,,"),
            Ok(vec!["T:1", "T:get", "T:u1", "T:", "T:"].into_iter().map(String::from).collect())
        );
        assert_eq!(
            fields("  \"a, b\" , \"say \"\"hi\"\"\",\"\""),
            Ok(vec!["Q:a, b".to_string(), r#"Q:say "hi""#.to_string(), "Q:".to_string()])
        );
        assert_eq!(fields(""), Ok(vec!["T:".to_string()]));
        assert_eq!(fields("é,\"ü\""), Ok(vec!["T:é".to_string(), "Q:ü".to_string()]));
        assert_eq!(fields("1,\"open"), Err("field 2: a quote is not closed".to_string()));
        assert_eq!(fields("\"a\"b,1"), Err("field 1: text after the closing quote".to_string()));
        assert_eq!(fields("\"\"\""), Err("field 1: a quote is not closed".to_string()));
    }

    #[test]
    fn headers_name_known_columns_once() {
        let h = Header::parse("partition_key, timestamp,operation", false).expect("a valid header");
        assert_eq!(h.columns, [PARTITION_KEY, TIMESTAMP, OPERATION]);
        let problems = Header::parse("timestamp,operation,partion_key,timestamp", true).expect_err("bad");
        assert_eq!(
            problems,
            [
                "unknown column `partion_key` (did you mean `partition_key`?); the columns are `timestamp`, `operation`, `partition_key`, `sort_key`, `item_bytes`, `consistency`",
                "column `timestamp` appears twice",
                "the header has no `partition_key` column (it is required)",
                "the header has no `sort_key` column, and the table has a sort key",
            ]
        );
    }
}
