//! Validation of weighted values: `values = { US = 45, IN = 12 }` inline, or `file =
//! "weights.csv"` read beside the scenario, with every bad weight, duplicate and malformed line
//! reported (a file's problems name the file and line).

use super::datafile;
use super::validate::Problems;
use crate::workload::Weighted;
use std::collections::BTreeMap;
use std::path::Path;

/// A weighted distribution of `weights`, whose entries were checked one by one already.
pub fn weighted(p: &mut Problems, path: &str, weights: &[f64]) -> Option<Weighted> {
    match Weighted::new(weights) {
        Ok(w) => Some(w),
        Err(e) => {
            p.add(path, e.to_string());
            None
        }
    }
}

/// The values of a weighted distribution, and where each was written.
#[derive(Debug)]
pub struct Listed {
    /// The values, as written.
    pub labels: Vec<String>,
    /// Their weights: non-negative, not all zero.
    pub weights: Vec<f64>,
    /// For values read from a file, the file as shown in messages and each value's line.
    pub file: Option<(String, Vec<usize>)>,
}

impl Listed {
    /// Where a problem with value `i` is reported: the key path, and a prefix for the message
    /// (`FILE:LINE: ` for a value read from a file).
    pub fn place(&self, path: &str, i: usize) -> (String, String) {
        match &self.file {
            Some((shown, lines)) => (format!("{path}.file"), format!("{shown}:{}: ", lines[i])),
            None => (format!("{path}.values.{}", self.labels[i]), String::new()),
        }
    }
}

/// The values and weights of a weighted distribution, from `values` or from `file` (read with
/// column header `header`): every value with a non-negative weight, not all zero.
pub fn weights(
    p: &mut Problems,
    path: &str,
    values: Option<&BTreeMap<String, f64>>,
    file: Option<&str>,
    dir: &Path,
    header: &str,
) -> Option<Listed> {
    let bad_weight = |w: f64| format!("weight must be a non-negative number, got {w}");
    let (labels, weights, file): (Vec<String>, Vec<f64>, _) = match (values, file) {
        (Some(_), Some(_)) => {
            p.add(format!("{path}.file"), "give either `values` or `file`, not both");
            return None;
        }
        (None, None) => {
            p.add(
                path,
                "a weighted distribution needs `values = { A = 60, B = 40 }` or `file = \"weights.csv\"`",
            );
            return None;
        }
        (Some(values), None) => {
            if values.is_empty() {
                p.add(format!("{path}.values"), "needs at least one value with a weight");
                return None;
            }
            let before = p.0.len();
            for (label, &w) in values.iter().filter(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
                p.add(format!("{path}.values.{label}"), bad_weight(w));
            }
            if p.0.len() > before {
                return None;
            }
            let (labels, weights) = values.iter().map(|(l, w)| (l.clone(), *w)).unzip();
            (labels, weights, None)
        }
        (None, Some(file)) => {
            let before = p.0.len();
            let (rows, problems) = datafile::read(dir, file, header);
            problems.into_iter().for_each(|m| p.add(format!("{path}.file"), m));
            let shown = datafile::resolve(dir, file).display().to_string();
            let mut first_line = BTreeMap::new();
            for row in &rows {
                if !(row.number.is_finite() && row.number >= 0.0) {
                    p.add(
                        format!("{path}.file"),
                        format!("{shown}:{}: {}", row.line, bad_weight(row.number)),
                    );
                }
                if let Some(first) = first_line.insert(row.label.as_str(), row.line) {
                    p.add(
                        format!("{path}.file"),
                        format!(
                            "{shown}:{}: duplicate value `{}` (first on line {first})",
                            row.line, row.label
                        ),
                    );
                }
            }
            if p.0.len() > before {
                return None;
            }
            let lines = rows.iter().map(|r| r.line).collect();
            let (labels, weights) = rows.into_iter().map(|r| (r.label, r.number)).unzip();
            (labels, weights, Some((shown, lines)))
        }
    };
    if weights.iter().all(|&w| w == 0.0) {
        p.add(path, "weights must not all be zero");
        return None;
    }
    Some(Listed { labels, weights, file })
}
