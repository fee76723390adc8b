//! Data files that a scenario names (`file = "weights.csv"`): two columns per line, a label
//! and a number, read relative to the scenario file's folder.
//!
//! Lines are `label,number`; the label is everything before the last comma (trimmed, with one
//! pair of surrounding double quotes removed), so labels may hold commas. Blank lines and lines
//! starting with `#` are skipped, and so is a first line that is exactly the column header
//! (for example `value,weight`). Every malformed line is reported, each as
//! `FILE:LINE: what is wrong`, up to [`MAX_LINE_PROBLEMS`].

use std::path::{Path, PathBuf};

/// Most malformed lines reported from one file.
pub const MAX_LINE_PROBLEMS: usize = 10;

/// One data line: its label, its number and its 1-based line.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Text before the last comma.
    pub label: String,
    /// The number after it.
    pub number: f64,
    /// Line in the file.
    pub line: usize,
}

/// The path of `file` as written in a scenario in folder `dir`.
pub fn resolve(dir: &Path, file: &str) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(file)
    } else {
        dir.join(file)
    }
}

/// Reads the well-formed rows of `file` (relative to `dir`) whose header, if present, is
/// `header`, and every problem found, each naming the file (and line). The file is usable only
/// when there is no problem; the rows are returned anyway so that their values can be checked
/// in the same pass.
pub fn read(dir: &Path, file: &str, header: &str) -> (Vec<Row>, Vec<String>) {
    let path = resolve(dir, file);
    let shown = path.display();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return (Vec::new(), vec![format!("cannot read {shown}: {}", e.to_string().to_lowercase())])
        }
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut first = true;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let is_header = first && line.replace(' ', "").eq_ignore_ascii_case(header);
        first = false;
        if is_header {
            continue;
        }
        match parse_row(line) {
            Some((label, number)) => rows.push(Row { label, number, line: i + 1 }),
            None if problems.len() < MAX_LINE_PROBLEMS => problems.push(format!(
                "{shown}:{}: expected `{header}` (a label, a comma, a number), got `{}`",
                i + 1,
                line.escape_default()
            )),
            None => {}
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!("{shown}: has no data lines (expected lines of `{header}`)"));
    }
    (rows, problems)
}

fn parse_row(line: &str) -> Option<(String, f64)> {
    let (label, number) = line.rsplit_once(',')?;
    let number: f64 = number.trim().parse().ok()?;
    let label = label.trim();
    let label = label.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(label);
    (!label.is_empty()).then(|| (label.to_string(), number))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(name: &str, text: &str) -> (PathBuf, impl Drop) {
        struct Gone(PathBuf);
        impl Drop for Gone {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
        let dir = std::env::temp_dir().join(format!("ddbsim-datafile-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join(name), text).expect("write");
        (dir.clone(), Gone(dir))
    }

    #[test]
    fn rows_skip_comments_blank_lines_and_the_header() {
        let (dir, _gone) =
            with_file("w.csv", "value,weight\n# countries\nUS, 45\n\n\"São Paulo, BR\",12.5\n");
        let (rows, problems) = read(&dir, "w.csv", "value,weight");
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<(&str, f64, usize)> =
            rows.iter().map(|r| (r.label.as_str(), r.number, r.line)).collect();
        assert_eq!(got, [("US", 45.0, 3), ("São Paulo, BR", 12.5, 5)]);
    }

    #[test]
    fn every_malformed_line_is_named_with_the_file() {
        let (dir, _gone) = with_file("bad.csv", "US,45\nIN;12\nBR,\n,3\n");
        let (rows, problems) = read(&dir, "bad.csv", "value,weight");
        assert_eq!(rows, [Row { label: "US".into(), number: 45.0, line: 1 }], "good rows are kept");
        let shown = dir.join("bad.csv").display().to_string();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(
            problems[0],
            format!("{shown}:2: expected `value,weight` (a label, a comma, a number), got `IN;12`")
        );
        assert!(problems[1].starts_with(&format!("{shown}:3: ")));
        assert!(problems[2].starts_with(&format!("{shown}:4: ")));
    }

    #[test]
    fn missing_and_empty_files_are_problems() {
        let (_, problems) = read(Path::new("/nonexistent-ddbsim"), "w.csv", "value,weight");
        assert_eq!(
            problems,
            ["cannot read /nonexistent-ddbsim/w.csv: no such file or directory (os error 2)"]
        );
        let (dir, _gone) = with_file("empty.csv", "# nothing\n");
        let (_, problems) = read(&dir, "empty.csv", "time_s,rate");
        assert!(problems[0].ends_with("empty.csv: has no data lines (expected lines of `time_s,rate`)"));
        assert_eq!(resolve(Path::new(""), "w.csv"), PathBuf::from("w.csv"));
    }
}
