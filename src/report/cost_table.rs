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
    let _ = writeln!(
        o,
        "auto scaling: {}",
        match c.own_auto_scaling {
            true => "the scenario's own [table.auto_scaling], from its own capacity.",
            false => "target 70%, from a tenth of the peak capacity to 40,000 units, starting at the peak.",
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::options::{BillingOption, Units};

    fn row(option: BillingOption, rank: usize, usd: f64, failed: u64) -> OptionRow {
        let provisioned = option != BillingOption::OnDemand;
        OptionRow {
            option,
            label: option.label(),
            rank,
            read_capacity_units: provisioned.then_some(1.0),
            write_capacity_units: provisioned.then_some(2_143.0),
            reserved_read_units: None,
            reserved_write_units: None,
            per_month_usd: usd,
            throughput_usd: usd - 0.5,
            storage_usd: 0.5,
            consumed_read_units: 0.0,
            consumed_write_units: 1e6,
            throttle_ratio: if failed > 0 { 0.25 } else { 0.0 },
            offered_requests: 1_000,
            failed_requests: failed,
            utilisation: provisioned.then_some(0.7),
            break_even_utilisation: 0.288_888_889,
        }
    }

    #[test]
    fn the_table_aligns_its_columns_and_names_the_cheapest_options() {
        let c = CostComparison {
            scenario: "s".into(),
            seed: 1,
            simulated_seconds: 3_600,
            prices: "us-east-1 standard_ia, prices from 2024-11-01".into(),
            busiest_second: Units { read_units: 0.5, write_units: 1_500.0 },
            peak_capacity: Units { read_units: 1, write_units: 2_143 },
            own_auto_scaling: true,
            options: vec![
                row(BillingOption::OnDemand, 3, 2_463.75, 0),
                row(BillingOption::ProvisionedAtPeak, 2, 1_016.9, 0),
                row(BillingOption::AutoScaling, 1, 640.0, 12_345),
            ],
        };
        let text = render(&c);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "busiest second of the on-demand run: 0.5 RCU, 1,500.0 WCU");
        assert_eq!(
            &lines[4..8],
            [
                "option                     RCU    WCU  per month  throttled  failed  utilisation  break-even  rank",
                "on-demand                    -      -  $2,463.75      0.00%       0            -      28.89%     3",
                "provisioned at the peak      1  2,143  $1,016.90      0.00%       0       70.00%      28.89%     2",
                "provisioned, auto scaling    1  2,143    $640.00     25.00%  12,345       70.00%      28.89%     1",
            ]
        );
        assert!(text.contains("storage ($0.50) included"));
        assert!(text.contains("auto scaling: the scenario's own [table.auto_scaling]"));
        assert!(text.contains("reserved: not sold for this table class (MODEL.md §8.7)."));
        assert!(text.ends_with(
            "cheapest: provisioned, auto scaling, $640.00 a month, but 12,345 requests failed;\n  \
             cheapest with none failed: provisioned at the peak, $1,016.90 a month.\n"
        ));
    }
}
