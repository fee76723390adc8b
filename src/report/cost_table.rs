//! The text of `ddbsim cost`: the billing options compared in one table, as
//! `cost::options` computed them (this module words and aligns numbers, it computes none).

use super::format::{group, percent, usd};
use crate::cost::options::{CostComparison, OptionRow};
use std::fmt::Write as _;

/// Column headers; the first is left-aligned, the others right-aligned.
const HEADERS: [&str; 9] =
    ["option", "RCU", "WCU", "per month", "throttled", "failed", "utilisation", "break-even", "rank"];

/// A capacity, grouped, or a dash on demand.
fn units(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| group(v.round() as u64))
}

fn cells(r: &OptionRow) -> [String; 9] {
    [
        r.label.to_string(),
        units(r.read_capacity_units),
        units(r.write_capacity_units),
        usd(r.per_month_usd),
        percent(r.throttle_ratio),
        group(r.failed_requests),
        r.utilisation.map_or_else(|| "-".to_string(), percent),
        percent(r.break_even_utilisation),
        r.rank.to_string(),
    ]
}

/// Units with one decimal and grouped thousands: `11688.5` as `11,688.5`.
fn units_1(v: f64) -> String {
    let tenths = (v.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", group(tenths / 10), tenths % 10)
}

/// The comparison as people read it: what ran, the table, and what it means.
pub fn render(c: &CostComparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} (seed {}): {} s simulated per option, priced at {}",
        c.scenario,
        c.seed,
        group(c.simulated_seconds),
        c.prices
    );
    let _ = writeln!(
        o,
        "busiest second of the on-demand run: {} RCU, {} WCU\n\
         provisioned at the peak: {} RCU, {} WCU (the busiest second at 70% utilisation)\n",
        units_1(c.busiest_second.read_units),
        units_1(c.busiest_second.write_units),
        group(c.peak_capacity.read_units),
        group(c.peak_capacity.write_units)
    );
    let rows: Vec<[String; 9]> = c.options.iter().map(cells).collect();
    let widths: Vec<usize> = (0..HEADERS.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([HEADERS[i].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[&str]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| if i == 0 { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
            .collect();
        padded.join("  ")
    };
    let _ = writeln!(o, "{}", line(&HEADERS));
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        let _ = writeln!(o, "{}", line(&cells));
    }
    o.push('\n');
    notes(&mut o, c);
    o
}

fn notes(o: &mut String, c: &CostComparison) {
    let storage = c.options.first().map_or(0.0, |r| r.storage_usd);
    let _ = writeln!(
        o,
        "per month: the simulated traffic repeated over 730 hours, storage ({}) included.\n\
         throttled, failed: from each option's own run. RCU, WCU: provisioned, averaged over the run.\n\
         break-even: provisioned costs less than on demand when its utilisation (the units consumed\n  \
         over the capacity held, both priced on demand) is above it (MODEL.md §9.2).",
        usd(storage)
    );
    match c.options.iter().find(|r| r.reserved_write_units.is_some()) {
        Some(r) => {
            let _ = writeln!(
                o,
                "reserved: {} RCU and {} WCU in 1-year blocks of 100, the rest at the hourly rate\n  \
                 (reserved prices: medium-low confidence, MODEL.md §9.1).",
                group(r.reserved_read_units.unwrap_or(0)),
                group(r.reserved_write_units.unwrap_or(0))
            );
        }
        None => {
            let _ = writeln!(o, "reserved: not sold for this table class (MODEL.md §8.7).");
        }
    }
    let (cheapest, safe) = c.cheapest();
    if let Some(r) = cheapest {
        let _ = write!(o, "cheapest: {}, {} a month", r.label, usd(r.per_month_usd));
        match safe {
            Some(s) if s.option == r.option => o.push_str(", with no failed request.\n"),
            Some(s) => {
                let _ = writeln!(
                    o,
                    ", but {} requests failed;\n  cheapest with none failed: {}, {} a month.",
                    group(r.failed_requests),
                    s.label,
                    usd(s.per_month_usd)
                );
            }
            None => o.push_str("; every option failed some requests.\n"),
        }
    }
}
