//! Scenario files: TOML parsing, validation into domain types, and precise error reports.
//!
//! Two layers, as STYLE.md asks: [`raw`] mirrors the TOML with unknown keys rejected, and
//! [`validate`] turns it into a [`Scenario`], collecting every problem with its key path. Each
//! problem is then given the line where that key is written ([`locate`]). Data files that a
//! scenario names (weights, sizes, rates, a `[trace]`) are read during validation.

pub mod capacity;
pub mod client;
mod datafile;
mod distribution;
pub mod expect;
mod index;
pub mod locate;
mod preload;
pub mod pricing;
pub mod raw;
mod raw_forms;
mod request;
mod size;
pub mod trace;
mod traffic;
pub mod validate;
pub mod variant;
mod weights;

pub use expect::Expectations;
pub use variant::Override;

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
    /// The file's text, as written (part of the run's identity); for a variant, the effective
    /// scenario with its overrides applied.
    pub source: String,
    /// The prices the run is priced with (`[pricing]`, MODEL.md §9.1).
    pub pricing: crate::cost::PriceTable,
    /// The `[[variant]]` this scenario is, if it is one (`name` is then the base scenario's).
    pub variant: Option<String>,
    /// `[expect]` assertions.
    pub expect: Expectations,
    /// The scenario's `[[variant]]`s, each validated as a whole scenario (empty for a variant).
    pub variants: Vec<Scenario>,
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

/// Text shown with its control characters escaped: a quoted TOML key or string may hold a
/// newline, and each problem must stay on one line.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { file, source } => {
                write!(f, "{}: cannot read scenario: {source}", file.display())
            }
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
                        write!(f, ": {}", OneLine(&p.path))?;
                    }
                    write!(f, ": {}", OneLine(&p.message))?;
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
    let text = std::fs::read_to_string(path)
        .map_err(|source| ScenarioError::Read { file: path.to_path_buf(), source })?;
    parse(path, &text)
}

/// Validates scenario `text` and each of its `[[variant]]`s; `file` names it in messages.
pub fn parse(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let base = parse_single(file, text);
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return base;
    };
    let variants = variant::variants(file, text, &doc, base.is_ok());
    let (mut problems, more) = match (base, variants) {
        (Ok(scenario), Ok(variants)) => return Ok(Scenario { variants, ..scenario }),
        (Ok(_), Err(more)) => (Vec::new(), more),
        (Err(ScenarioError::Invalid { problems, .. }), Err(more)) => (problems, more),
        (Err(e), _) => return Err(e),
    };
    problems.extend(more);
    problems.sort_by_key(|p| p.line.unwrap_or(0));
    Err(ScenarioError::Invalid { file: file.to_path_buf(), problems })
}

/// Validates scenario `text` without its variants.
fn parse_single(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let invalid = |problems| ScenarioError::Invalid { file: file.to_path_buf(), problems };
    let doc = match toml_edit::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span();
            let line = span.clone().map(|s| locate::line_of(text, s.start));
            let mut message = e.message().trim().trim_end_matches('.').to_lowercase();
            // toml_edit does not say which key is duplicated; the span holds it.
            if let Some(key) =
                span.and_then(|s| text.get(s)).filter(|k| message == "duplicate key" && !k.is_empty())
            {
                message = format!("duplicate key `{key}`");
            }
            return Err(invalid(vec![Problem {
                path: String::new(),
                line,
                message: format!("invalid TOML: {message}"),
            }]));
        }
    };
    let (raw, mut problems) = deserialize(&doc, text);
    if let Some(raw) = raw {
        // Data files that the scenario names are relative to its folder.
        match validate::validate_in(raw, text, file.parent().unwrap_or(Path::new(""))) {
            Ok(scenario) if problems.is_empty() => return Ok(scenario),
            Ok(_) => {}
            Err(found) => problems.extend(
                found.into_iter().map(|p| Problem { line: locate::line_of_path(&doc, text, &p.path), ..p }),
            ),
        }
    }
    problems.sort_by_key(|p| p.line.unwrap_or(0));
    Err(invalid(problems))
}

/// Most problems of TOML types reported from one file; past this, the rest is noise.
const MAX_TYPE_PROBLEMS: usize = 50;

/// Deserializes the raw scenario, reporting every unknown key and wrongly typed value, not only
/// the first that serde meets: each offending key is dropped (or its value replaced by a
/// stand-in of the expected type) and the text deserialized again. The raw scenario is returned
/// for validation only when every problem was an unknown key, whose removal leaves nothing
/// made up behind; a stand-in value would draw validation problems of its own.
fn deserialize(doc: &toml_edit::Document<&str>, text: &str) -> (Option<raw::RawScenario>, Vec<Problem>) {
    let mut edited: toml_edit::DocumentMut = doc.clone().into_mut();
    let mut current = text.to_string();
    let mut problems = Vec::new();
    let mut only_unknown_keys = true;
    let mut stood_in = Vec::new();
    loop {
        let e = match toml::from_str::<raw::RawScenario>(&current) {
            Ok(raw) => return (only_unknown_keys.then_some(raw), problems),
            Err(e) => e,
        };
        let current_doc =
            toml_edit::Document::parse(current.as_str()).expect("an edited document stays valid TOML");
        // An empty span is serde's way of pointing at the whole document (a missing top-level key).
        let span = e.span().filter(|s| !s.is_empty());
        let mut path = span.as_ref().and_then(|s| locate::path_at(&current_doc, s.start)).unwrap_or_default();
        // In a dotted key (`[workload.a.b]`) serde names the first unknown part, `a`, while the
        // deepest key at the span is `b`: the problem, and what to remove, is at `a`.
        if let Some((field, _)) = e.message().strip_prefix("unknown field `").and_then(|m| m.split_once('`'))
        {
            path.truncate(locate::through_key(&path, field).len());
        }
        // A stand-in table lacks the keys its type requires: that problem is the one already
        // reported at this path, not a new one.
        if stood_in.iter().any(|p: &String| path == *p || path.starts_with(&format!("{p}."))) {
            return (None, problems);
        }
        let line = match (&path, &span) {
            (p, _) if !p.is_empty() => locate::line_of_path(doc, text, p),
            (_, Some(s)) if problems.is_empty() => Some(locate::line_of(text, s.start)),
            _ => None,
        };
        let written = span.as_ref().and_then(|s| current.get(s.clone())).unwrap_or_default();
        let message = validate::explain_serde_message(e.message(), written);
        problems.push(Problem { path: path.clone(), line, message });
        let edit = if e.message().starts_with("unknown field") {
            Some(locate::Edit::Remove)
        } else if e.message().starts_with("invalid type") {
            only_unknown_keys = false;
            stood_in.push(path.clone());
            Some(validate::stand_in(e.message()).map_or(locate::Edit::Remove, locate::Edit::Replace))
        } else {
            None
        };
        let edited_ok = edit.is_some_and(|edit| !path.is_empty() && locate::edit(&mut edited, &path, edit));
        if !edited_ok || problems.len() >= MAX_TYPE_PROBLEMS {
            return (None, problems);
        }
        let next = edited.to_string();
        if next == current {
            return (None, problems);
        }
        current = next;
    }
}
