//! Variants and overrides: a scenario derived from another by putting values at key paths.
//!
//! Overrides are applied to the TOML value tree *before* it is deserialized, so a derived
//! scenario goes through the same two layers (raw structs, then validation) as a file and is
//! validated as a whole. A `[[variant]]` holds a `name` and overrides; `ddbsim sweep --set`
//! gives overrides on the command line.
//!
//! Key paths are dotted TOML keys: `table.read_capacity`, `client.retry`. An array of tables
//! (`workload`) is indexed by position from 0 or by its elements' `name`: `workload.0.rate` and
//! `workload.place-order.rate` are the same key when `place-order` is the first workload (a
//! segment of digits only is a position). On the command line `workload[0].rate` works too.
//! Keys written as dotted keys or sub-tables merge key by key; an inline table
//! (`attributes.K = { distribution = "uniform", count = 10 }`) replaces the whole value.

use super::{locate, parse_single, Problem, Scenario, ScenarioError};
use std::path::Path;

/// One value to put at a key path.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The key path's segments as written (`["workload", "place-order", "rate"]`).
    pub keys: Vec<String>,
    /// The new value.
    pub value: toml::Value,
    /// 1-based line where a `[[variant]]` writes it; `None` on the command line.
    pub line: Option<usize>,
}

impl Override {
    /// An override from a command-line `PATH=VALUE`; the value is read as TOML (`300`, `0.5`,
    /// `true`, `"text"`) or else taken as a string (`none`).
    pub fn parse(assignment: &str) -> Result<Override, String> {
        let (path, value) =
            assignment.split_once('=').ok_or_else(|| format!("expected PATH=VALUE, got \"{assignment}\""))?;
        Ok(Override { keys: path_keys(path)?, value: toml_value(value.trim()), line: None })
    }

    /// The key path as written, dotted.
    pub fn path(&self) -> String {
        self.keys.join(".")
    }
}

/// A command-line value read as TOML, or else as a string.
pub fn toml_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// The segments of a command-line key path: `workload[0].rate` and `workload.0.rate` both give
/// `["workload", "0", "rate"]`.
pub fn path_keys(path: &str) -> Result<Vec<String>, String> {
    let keys: Vec<String> =
        path.trim().replace('[', ".").replace(']', "").split('.').map(str::to_string).collect();
    if keys.iter().any(String::is_empty) {
        return Err(format!("\"{path}\" is not a key path such as table.read_capacity or workload.0.rate"));
    }
    Ok(keys)
}

/// Puts `value` at `keys` in `root`, creating missing tables on the way, and returns the
/// canonical path of the key set (`workload[0].rate`), as validation names it.
pub fn apply(root: &mut toml::Table, keys: &[String], value: toml::Value) -> Result<String, String> {
    let Some((first, rest)) = keys.split_first() else {
        return Err("an empty key path".into());
    };
    if first == "variant" {
        return Err("a variant cannot define or change variants".into());
    }
    let mut path = first.clone();
    let node = root.entry(first.clone()).or_insert_with(new_table);
    put(node, rest, value, &mut path)?;
    Ok(path)
}

fn new_table() -> toml::Value {
    toml::Value::Table(toml::Table::new())
}

fn put(node: &mut toml::Value, keys: &[String], value: toml::Value, path: &mut String) -> Result<(), String> {
    let Some((key, rest)) = keys.split_first() else {
        *node = value;
        return Ok(());
    };
    let child = match node {
        toml::Value::Table(t) => {
            path.push('.');
            path.push_str(key);
            t.entry(key.clone()).or_insert_with(new_table)
        }
        toml::Value::Array(items) => {
            let i = element(items, key, path)?;
            path.push_str(&format!("[{i}]"));
            &mut items[i]
        }
        other => return Err(format!("`{path}` is {}, not a table", other.type_str())),
    };
    put(child, rest, value, path)
}

/// The position of the element of `items` that `key` names, by index or by `name`.
fn element(items: &[toml::Value], key: &str, path: &str) -> Result<usize, String> {
    let names: Vec<&str> =
        items.iter().map(|v| v.get("name").and_then(toml::Value::as_str).unwrap_or("")).collect();
    let listed = names.iter().enumerate().map(|(i, n)| format!("{i} \"{n}\"")).collect::<Vec<_>>().join(", ");
    if key.bytes().all(|b| b.is_ascii_digit()) {
        return match key.parse::<usize>() {
            Ok(i) if i < items.len() => Ok(i),
            _ => Err(format!("no element {key} in `{path}` (elements: {listed})")),
        };
    }
    if let Some(i) = names.iter().position(|n| *n == key) {
        return Ok(i);
    }
    let hint =
        super::validate::nearest(key, &names).map(|n| format!("did you mean \"{n}\"? ")).unwrap_or_default();
    Err(format!("no element named \"{key}\" in `{path}` ({hint}elements: {listed})"))
}

/// The scenario `source` (a scenario file's text) with `overrides` applied and its variants
/// left out, validated as a whole. Problems are named `{prefix}{path}` and placed at the line of
/// the override that caused them, or at `fallback_line`.
pub fn derive(
    file: &Path,
    source: &str,
    prefix: &str,
    overrides: &[Override],
    fallback_line: Option<usize>,
) -> Result<Scenario, Vec<Problem>> {
    let problem = |path: &str, line, message: String| Problem {
        path: format!("{prefix}{path}").trim_end_matches('.').to_string(),
        line,
        message,
    };
    let mut tree: toml::Table =
        toml::from_str(source).map_err(|e| vec![problem("", fallback_line, format!("invalid TOML: {e}"))])?;
    tree.remove("variant");
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for o in overrides {
        match apply(&mut tree, &o.keys, o.value.clone()) {
            Ok(path) => applied.push((path, o.line)),
            Err(message) => problems.push(problem(&o.path(), o.line, message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = toml::to_string(&tree)
        .map_err(|e| vec![problem("", fallback_line, format!("cannot write the scenario as TOML: {e}"))])?;
    parse_single(file, &text).map_err(|e| match e {
        ScenarioError::Invalid { problems, .. } => problems
            .into_iter()
            .map(|p| {
                let line = line_of_cause(&applied, &p.path).or(fallback_line);
                problem(&p.path, line, p.message)
            })
            .collect(),
        other => vec![problem("", fallback_line, other.to_string())],
    })
}

/// The line of the override at or above `path` (the deepest), else of one below it.
fn line_of_cause(applied: &[(String, Option<usize>)], path: &str) -> Option<usize> {
    let within = |inner: &str, outer: &str| {
        inner == outer || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    applied
        .iter()
        .filter(|(o, _)| within(path, o))
        .max_by_key(|(o, _)| o.len())
        .or_else(|| applied.iter().find(|(o, _)| within(o, path)))
        .and_then(|(_, line)| *line)
}

/// The line where `span` starts in `text`.
fn line(text: &str, span: Option<std::ops::Range<usize>>) -> Option<usize> {
    span.map(|s| locate::line_of(text, s.start))
}

/// The `[[variant]]`s of scenario `text` (parsed as `doc`), each validated as a whole scenario.
/// When `validate` is false (the base scenario has problems of its own, which every variant
/// would repeat), only the variants' names and key paths are checked.
pub(super) fn variants(
    file: &Path,
    text: &str,
    doc: &toml_edit::Document<&str>,
    validate: bool,
) -> Result<Vec<Scenario>, Vec<Problem>> {
    let Some((key, item)) = doc.as_table().get_key_value("variant") else {
        return Ok(Vec::new());
    };
    let (Some(tables), Ok(tree)) = (item.as_array_of_tables(), toml::from_str::<toml::Table>(text)) else {
        let message = "write each variant as a [[variant]] table: a name and the keys it overrides";
        return Err(vec![Problem {
            path: "variant".into(),
            line: line(text, key.span()),
            message: message.into(),
        }]);
    };
    let values = tree.get("variant").and_then(toml::Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut base = tree.clone();
    base.remove("variant");
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, (table, value)) in tables.iter().zip(values).enumerate() {
        let prefix = format!("variant[{i}].");
        let header = line(text, table.span());
        let name = value.get("name").and_then(toml::Value::as_str).unwrap_or_default();
        let name_line = line(text, table.key("name").and_then(toml_edit::Key::span)).or(header);
        if let Some(message) = name_problem(name, &mut names) {
            problems.push(Problem { path: format!("{prefix}name"), line: name_line, message });
        }
        let mut overrides = Vec::new();
        leaves(table, value, text, &mut Vec::new(), header, &mut overrides);
        if !validate {
            for o in &overrides {
                if let Err(message) = apply(&mut base.clone(), &o.keys, o.value.clone()) {
                    problems.push(Problem { path: format!("{prefix}{}", o.path()), line: o.line, message });
                }
            }
            continue;
        }
        match derive(file, text, &prefix, &overrides, header) {
            Ok(mut s) => {
                s.source = format!(
                    "# variant \"{name}\" of scenario \"{}\", its overrides applied\n{}",
                    s.name, s.source
                );
                s.variant = Some(name.to_string());
                out.push(s);
            }
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What is wrong with variant name `name`, if anything; `seen` collects the names so far.
fn name_problem<'a>(name: &'a str, seen: &mut std::collections::BTreeSet<&'a str>) -> Option<String> {
    if name.is_empty() {
        return Some("is required: a name for `ddbsim run --variant NAME` and the reports".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) || name.starts_with('.') {
        return Some(format!("must use only letters, digits, '-', '_' and '.', got \"{name}\""));
    }
    (!seen.insert(name)).then(|| format!("duplicate variant name \"{name}\""))
}

/// The overrides of one `[[variant]]`: every key but `name`, in file order. Dotted keys and
/// sub-tables are walked into; any other value (an inline table too) is one override.
fn leaves(
    table: &toml_edit::Table,
    value: &toml::Value,
    text: &str,
    keys: &mut Vec<String>,
    line_above: Option<usize>,
    out: &mut Vec<Override>,
) {
    for (key, item) in table.iter() {
        let Some(v) = value.get(key).filter(|_| !(keys.is_empty() && key == "name")) else {
            continue;
        };
        let line = line(text, table.key(key).and_then(toml_edit::Key::span)).or(line_above);
        keys.push(key.to_string());
        match item {
            toml_edit::Item::Table(t) => leaves(t, v, text, keys, line, out),
            _ => out.push(Override { keys: keys.clone(), value: v.clone(), line }),
        }
        keys.pop();
    }
}

impl Scenario {
    /// The base scenario, then each variant in file order.
    pub fn runs(&self) -> impl Iterator<Item = &Scenario> {
        std::iter::once(self).chain(&self.variants)
    }

    /// The variant named `name`.
    pub fn variant_named(&self, name: &str) -> Option<&Scenario> {
        self.variants.iter().find(|v| v.variant.as_deref() == Some(name))
    }

    /// The names of the variants, in file order.
    pub fn variant_names(&self) -> Vec<&str> {
        self.variants.iter().filter_map(|v| v.variant.as_deref()).collect()
    }

    /// `scenario` or `scenario/variant`: what a run is called in tables and baselines.
    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{v}", self.name),
            None => self.name.clone(),
        }
    }

    /// This scenario with `overrides` applied (and its variants left out), validated as a
    /// whole; `file` names it in messages.
    pub fn with_overrides(&self, file: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        derive(file, &self.source, "", overrides, None)
            .map(|s| Scenario { variant: self.variant.clone(), ..s })
            .map_err(|problems| ScenarioError::Invalid { file: file.to_path_buf(), problems })
    }
}

#[cfg(test)]
#[path = "variant_tests.rs"]
mod tests;
