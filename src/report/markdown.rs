//! `summary.md`: a short Markdown summary (under 25 lines) for a pull-request comment or a
//! GitHub Actions step summary (`cat summary.md >> "$GITHUB_STEP_SUMMARY"`): the verdict, the
//! key figures in a table, and the three hottest keys.

use super::format::{group, md_escape, percent, share};
use super::verdict::{key_figures, verdict, Level};
use super::Summary;
use std::fmt::Write as _;

/// Hot keys listed in the Markdown summary; the HTML report lists them all.
const TOP_KEYS: usize = 3;

/// Renders the Markdown summary of the run `s` describes.
pub fn render(s: &Summary) -> String {
    let v = verdict(s);
    let mark = match v.level {
        Level::Failing => "❌",
        Level::Throttled => "⚠️",
        Level::Healthy => "✅",
    };
    let mut md = String::new();
    let _ = writeln!(
        md,
        "### ddbsim: {} (seed {}, {} s simulated)\n",
        md_escape(&s.scenario),
        s.seed,
        group(s.simulated_seconds)
    );
    let _ = write!(md, "{mark} **{}**", md_escape(&v.headline));
    if let Some(cause) = &v.cause {
        let _ = write!(md, " {}", md_escape(cause));
    }
    md.push_str("\n\n| figure | value | detail |\n|---|---|---|\n");
    for (label, value, detail) in key_figures(s) {
        let _ = writeln!(md, "| {label} | {} | {} |", md_escape(&value), md_escape(&detail));
    }
    if !s.hot_keys.is_empty() {
        md.push_str(
            "\n| hot key | share of attempts | throttled | share of throttles |\n|---|---|---|---|\n",
        );
        for k in s.hot_keys.iter().take(TOP_KEYS) {
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} |",
                k.key.replace('`', "'").replace('|', "/"),
                percent(k.share_of_attempts),
                group(k.throttled),
                percent(share(k.throttled, s.requests.throttled))
            );
        }
    }
    let global: Vec<_> = s.indexes.iter().filter(|ix| ix.consumed.is_some()).collect();
    if !global.is_empty() {
        md.push_str("\n| global index | write units | read units | busiest partition |\n|---|---|---|---|\n");
        for ix in global {
            let c = ix.consumed.as_ref().map_or((0.0, 0.0), |c| (c.write_units, c.read_units));
            let busiest = ix.hot_partitions.first().map_or("-".to_string(), |p| {
                format!("{} of the units, partition {}", percent(p.share_of_units), p.id)
            });
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} |",
                ix.name.replace('`', "'").replace('|', "/"),
                group(c.0.round() as u64),
                group(c.1.round() as u64),
                md_escape(&busiest)
            );
        }
    }
    md.push_str("\nCharts, hot partitions and the scenario are in `report.html`.\n");
    md
}
