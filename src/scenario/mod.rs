//! Scenario files: TOML parsing, validation into domain types, and precise error reports.
//!
//! Two layers, as STYLE.md asks: [`raw`] mirrors the TOML with unknown keys rejected, and
//! [`validate`] turns it into a [`Scenario`], collecting every problem with its key path. Each
//! problem is then given the line where that key is written ([`locate`]).

pub mod locate;
pub mod raw;
pub mod validate;

use crate::sim::SimConfig;
use std::fmt;
use std::path::{Path, PathBuf};

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Scenario name; names the report folder.
    pub name: String,
    /// What the scenario demonstrates.
    pub description: Option<String>,
    /// Root seed from the file, if any.
    pub seed: Option<u64>,
    /// The run's configuration.
    pub config: SimConfig,
    /// The file's text, as written (part of the run's identity).
    pub source: String,
}

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// TOML key path, for example `workload[0].rate`; empty for the file as a whole.
    pub path: String,
    /// 1-based line, where the key is written.
    pub line: Option<usize>,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario; every problem found is listed.
    Invalid {
        /// The file.
        file: PathBuf,
        /// Problems, in file order.
        problems: Vec<Problem>,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { file, source } => write!(f, "{}: cannot read scenario: {source}", file.display()),
            ScenarioError::Invalid { file, problems } => {
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{}", file.display())?;
                    if let Some(line) = p.line {
                        write!(f, ":{line}")?;
                    }
                    if !p.path.is_empty() {
                        write!(f, ": {}", p.path)?;
                    }
                    write!(f, ": {}", p.message)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            ScenarioError::Invalid { .. } => None,
        }
    }
}

/// Reads and validates the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { file: path.to_path_buf(), source })?;
    parse(path, &text)
}

/// Validates scenario `text`; `file` names it in messages.
pub fn parse(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let invalid = |problems| ScenarioError::Invalid { file: file.to_path_buf(), problems };
    let doc = match toml_edit::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.span().map(|s| locate::line_of(text, s.start));
            let message = e.message().trim().trim_end_matches('.').to_lowercase();
            return Err(invalid(vec![Problem { path: String::new(), line, message }]));
        }
    };
    let raw: raw::RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let offset = e.span().map(|s| s.start);
            let path = offset.and_then(|o| locate::path_at(&doc, o)).unwrap_or_default();
            let line = offset.map(|o| locate::line_of(text, o));
            let message = validate::explain_serde_message(e.message(), &path);
            return Err(invalid(vec![Problem { path, line, message }]));
        }
    };
    validate::validate(raw, text).map_err(|mut problems| {
        for p in &mut problems {
            p.line = locate::line_of_path(&doc, text, &p.path);
        }
        problems.sort_by_key(|p| p.line.unwrap_or(0));
        invalid(problems)
    })
}
