//! `ddbsim sweep`: the grid of `--set PATH=V1,V2,...` overrides of one scenario (the same
//! override mechanism as `[[variant]]`), run in parallel, one row per point in grid order (the
//! first `--set` varies slowest).

use super::compare::{figure_cells, in_pool, load_all, root_seed, RunFlags, FIGURE_HEADERS};
use super::{bad_input, EXIT_BAD_INPUT};
use crate::experiment::{self, rank, Job};
use crate::report::table;
use crate::scenario::{Override, Scenario};
use std::path::PathBuf;
use std::process::ExitCode;

/// Most points of one grid.
pub const MAX_POINTS: usize = 10_000;

/// Flags of `ddbsim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// A key path and the values to sweep it over, for example `table.read_capacity=1000,2000`
    /// or `workload.place-order.rate=100,200`; repeat for a grid.
    #[arg(long = "set", required = true, value_name = "PATH=V1,V2,...")]
    sets: Vec<String>,
    /// Sweep this [[variant]] of the scenario instead of the base scenario.
    #[arg(long)]
    variant: Option<String>,
    /// Print the rows as a JSON array, in grid order.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    runs: RunFlags,
    /// Also draw the throttle ratio against the first swept parameter into FILE (SVG), one
    /// line per combination of the other parameters.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
}

/// The grid's axes from `--set` flags: each a key path and its values.
fn axes(sets: &[String]) -> Result<Vec<Vec<Override>>, String> {
    sets.iter()
        .map(|set| {
            let (path, values) =
                set.split_once('=').ok_or_else(|| format!("--set {set}: expected PATH=V1,V2,..."))?;
            values
                .split(',')
                .map(|v| Override::parse(&format!("{path}={v}")).map_err(|e| format!("--set {set}: {e}")))
                .collect()
        })
        .collect()
}

/// Every point of the grid, the first axis varying slowest.
fn grid(axes: &[Vec<Override>]) -> Vec<Vec<Override>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .iter()
            .flat_map(|p| {
                axis.iter().map(move |o| {
                    let mut next = p.clone();
                    next.push(o.clone());
                    next
                })
            })
            .collect()
    })
}

/// A value as a table cell: strings without their quotes.
fn value_text(value: &toml::Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// The point's values as JSON, by key path as given.
fn point_json(point: &[Override]) -> std::collections::BTreeMap<String, serde_json::Value> {
    point
        .iter()
        .map(|o| (o.path(), serde_json::to_value(&o.value).unwrap_or(serde_json::Value::Null)))
        .collect()
}

pub(super) fn run(args: &SweepArgs) -> ExitCode {
    let axes = match axes(&args.sets) {
        Ok(a) => a,
        Err(message) => return bad_input(message),
    };
    let points = axes.iter().map(Vec::len).product::<usize>();
    if points > MAX_POINTS {
        return bad_input(format!("the grid has {points} points; at most {MAX_POINTS} are run"));
    }
    let loaded = match load_all(std::slice::from_ref(&args.scenario)) {
        Ok(mut s) => s.remove(0),
        Err(code) => return code,
    };
    let base = match &args.variant {
        None => &loaded,
        Some(v) => match loaded.variant_named(v) {
            Some(s) => s,
            None => return bad_input(super::unknown_variant(&args.scenario, &loaded, v)),
        },
    };
    let grid = grid(&axes);
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(grid.len());
    for point in &grid {
        match base.with_overrides(&args.scenario, point) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                let label = point
                    .iter()
                    .map(|o| format!("{}={}", o.path(), value_text(&o.value)))
                    .collect::<Vec<_>>();
                eprintln!("error: sweep point {}:\n{e}", label.join(" "));
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
    }
    let n = args.runs.seeds as usize;
    let mut fallback = None;
    let root = root_seed(args.runs.seed, base, &mut fallback);
    let seeds = experiment::seeds(root, n);
    let jobs: Vec<Job<'_>> =
        scenarios.iter().flat_map(|s| seeds.iter().map(move |&seed| Job { scenario: s, seed })).collect();
    let summaries = match in_pool(args.runs.threads, || experiment::summaries(&jobs)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rows: Vec<rank::Row> = summaries
        .chunks(n)
        .zip(&grid)
        .map(|(runs, point)| rank::Row { set: point_json(point), ..rank::row(runs) })
        .collect();
    if let Some(file) = &args.chart {
        if let Err(message) = draw_chart(file, &axes, &rows) {
            return bad_input(message);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows always serialize"));
        return ExitCode::SUCCESS;
    }
    let paths: Vec<String> = axes.iter().filter_map(|a| a.first()).map(Override::path).collect();
    let mut header: Vec<&str> = paths.iter().map(String::as_str).collect();
    header.extend(FIGURE_HEADERS);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .zip(&grid)
        .map(|(row, point)| point.iter().map(|o| value_text(&o.value)).chain(figure_cells(row)).collect())
        .collect();
    print!("{}", table::text_table(&header, &cells, paths.len()));
    if n > 1 {
        println!("means of {n} seeds ± half the 95% confidence interval");
    }
    ExitCode::SUCCESS
}

/// The throttle ratio (%) against the first axis's values (their positions when they are not
/// numbers), one line per point of the other axes; the grid varies the first axis slowest.
fn chart_lines(axes: &[Vec<Override>], rows: &[rank::Row]) -> (Vec<f64>, Vec<(String, Vec<f64>)>) {
    let first = &axes[0];
    let x: Vec<f64> = first
        .iter()
        .enumerate()
        .map(|(i, o)| {
            o.value.as_float().or_else(|| o.value.as_integer().map(|v| v as f64)).unwrap_or(i as f64)
        })
        .collect();
    let rest: Vec<Vec<Override>> = grid(&axes[1..]);
    let lines = rest
        .iter()
        .enumerate()
        .map(|(r, point)| {
            let label =
                point.iter().map(|o| format!("{}={}", o.path(), value_text(&o.value))).collect::<Vec<_>>();
            let label = if label.is_empty() { "throttle ratio".to_string() } else { label.join(" ") };
            let values = (0..first.len()).map(|a| 100.0 * rows[a * rest.len() + r].throttle_ratio).collect();
            (label, values)
        })
        .collect();
    (x, lines)
}

fn draw_chart(file: &std::path::Path, axes: &[Vec<Override>], rows: &[rank::Row]) -> Result<(), String> {
    let (x, lines) = chart_lines(axes, rows);
    let x_label = axes[0].first().map(Override::path).unwrap_or_default();
    crate::report::overlay::draw_lines(
        file,
        "Throttle ratio across the sweep",
        &x_label,
        "throttled attempts (%)",
        &x,
        &lines,
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_line_per_point_of_the_other_axes() {
        let axes = axes(&["a=1,2,4".to_string(), "b=p,q".to_string()]).expect("valid sets");
        let rows: Vec<rank::Row> = (0..6)
            .map(|i| rank::Row { throttle_ratio: f64::from(i) / 100.0, ..rank::Row::default() })
            .collect();
        let (x, lines) = chart_lines(&axes, &rows);
        assert_eq!(x, [1.0, 2.0, 4.0]);
        assert_eq!(lines[0], ("b=p".to_string(), vec![0.0, 2.0, 4.0]));
        assert_eq!(lines[1], ("b=q".to_string(), vec![1.0, 3.0, 5.0]));
    }

    #[test]
    fn the_grid_varies_the_first_axis_slowest() {
        let axes = axes(&["a.x=1,2".to_string(), "b=p,q,r".to_string()]).expect("valid sets");
        let points: Vec<String> = grid(&axes)
            .iter()
            .map(|p| p.iter().map(|o| format!("{}={}", o.path(), o.value)).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            points,
            [
                "a.x=1 b=\"p\"",
                "a.x=1 b=\"q\"",
                "a.x=1 b=\"r\"",
                "a.x=2 b=\"p\"",
                "a.x=2 b=\"q\"",
                "a.x=2 b=\"r\""
            ]
        );
        assert!(axes_err("nopath"));
        assert!(axes_err("a..b=1"));
    }

    fn axes_err(set: &str) -> bool {
        axes(&[set.to_string()]).is_err()
    }
}
