//! `report.html`: one self-contained page that opens from disk with no network: the verdict
//! first, then the charts (their SVG inlined), the hot keys and partitions, and the scenario
//! as run. No script, no external stylesheet, font or image.

use super::format::{group, html_escape, percent};
use super::verdict::{key_figures, verdict};
use super::Summary;
use std::fmt::Write as _;

/// A chart to inline: its file name, caption and SVG text.
pub struct InlineChart<'a> {
    /// The chart's file in the report folder, e.g. `requests.svg`; also names its anchor.
    pub file: &'a str,
    /// What the chart shows and how to read it.
    pub caption: &'a str,
    /// The SVG document as drawn.
    pub svg: &'a str,
}

const STYLE: &str = "\
body{margin:0;background:#f6f7f9;color:#1d2330;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{max-width:1060px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:26px}h2{margin:32px 0 12px;font-size:20px}
.meta{margin:0;color:#5b6475}
.verdict{margin-top:20px;padding:16px 20px;background:#fff;border-left:6px solid #2ca02c;border-radius:4px}
.verdict.throttled{border-color:#f0a020}.verdict.failing{border-color:#d62728}
.headline{margin:0;font-size:19px;font-weight:600}.cause{margin:6px 0 0}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;margin:16px 0 0}
.figures div{background:#f6f7f9;padding:10px 12px;border-radius:4px}
.figures dt{color:#5b6475;font-size:13px}.figures dd{margin:0}
.figures .value{font-size:20px;font-weight:600}.figures .detail{font-size:13px;color:#5b6475}
figure{margin:0 0 20px;background:#fff;padding:12px;border-radius:4px}
figure svg{display:block;width:100%;height:auto}
figcaption{color:#5b6475;font-size:14px;margin-top:6px}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef0f3}
td.key{font-family:ui-monospace,Menlo,Consolas,monospace;text-align:left}
pre{background:#fff;padding:14px;border-radius:4px;overflow-x:auto;font-size:13px}
";

/// Renders the page for the run `summary` describes, with `charts` inlined in order and
/// `scenario_source` shown as written.
pub fn render(summary: &Summary, charts: &[InlineChart<'_>], scenario_source: &str) -> String {
    let mut page = String::with_capacity(charts.iter().map(|c| c.svg.len()).sum::<usize>() + 16_384);
    let name = html_escape(&summary.scenario);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>ddbsim report: {name}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(page, "<h1>{name}</h1>");
    let _ = writeln!(
        page,
        "<p class=\"meta\">seed {} &middot; {} simulated seconds &middot; {} partition(s) &middot; {}</p>",
        summary.seed,
        group(summary.simulated_seconds),
        group(u64::from(summary.partitions.final_count)),
        html_escape(&summary.cost.prices)
    );
    verdict_section(&mut page, summary);
    page.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for chart in charts {
        let id = chart.file.trim_end_matches(".svg");
        let _ = writeln!(page, "<figure id=\"{}\">", html_escape(id));
        page.push_str(svg_element(chart.svg));
        let _ = writeln!(page, "\n<figcaption>{}</figcaption>\n</figure>", html_escape(chart.caption));
    }
    hot_keys_table(&mut page, summary);
    hot_partitions_table(&mut page, summary);
    indexes_table(&mut page, summary);
    let _ = writeln!(
        page,
        "<h2 id=\"scenario\">Scenario</h2>\n<pre>{}</pre>\n</main>\n</body>\n</html>",
        html_escape(scenario_source)
    );
    page
}

/// The `<svg>` element of an SVG document, without an XML declaration, which is not allowed
/// inside HTML.
fn svg_element(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |start| &svg[start..]).trim_end()
}

fn verdict_section(page: &mut String, s: &Summary) {
    let v = verdict(s);
    let _ = writeln!(page, "<section id=\"verdict\" class=\"verdict {}\">", v.level.word());
    let _ = writeln!(page, "<p class=\"headline\">{}</p>", html_escape(&v.headline));
    if let Some(cause) = &v.cause {
        let _ = writeln!(page, "<p class=\"cause\">{}</p>", html_escape(cause));
    }
    page.push_str("<dl class=\"figures\">\n");
    for (label, value, detail) in key_figures(s) {
        let _ = writeln!(
            page,
            "<div><dt>{label}</dt><dd class=\"value\">{}</dd><dd class=\"detail\">{}</dd></div>",
            html_escape(&value),
            html_escape(&detail)
        );
    }
    page.push_str("</dl>\n</section>\n");
}

fn hot_keys_table(page: &mut String, s: &Summary) {
    page.push_str("<h2 id=\"hot-keys\">Hot keys</h2>\n");
    if s.hot_keys.is_empty() {
        page.push_str("<p>No attempts.</p>\n");
        return;
    }
    page.push_str(
        "<table>\n<tr><th>partition key</th><th>attempts</th><th>share of attempts</th>\
         <th>throttled</th><th>share of throttles</th></tr>\n",
    );
    for k in &s.hot_keys {
        let _ = writeln!(
            page,
            "<tr><td class=\"key\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&k.key),
            group(k.attempts),
            percent(k.share_of_attempts),
            group(k.throttled),
            percent(super::format::share(k.throttled, s.requests.throttled))
        );
    }
    page.push_str("</table>\n");
}

/// The secondary indexes: what each consumed, its capacity, and a global index's busiest
/// partitions (where a hot index key lands, MODEL.md §6.2). Nothing for a table without.
fn indexes_table(page: &mut String, s: &Summary) {
    if s.indexes.is_empty() {
        return;
    }
    page.push_str("<h2 id=\"indexes\">Secondary indexes</h2>\n");
    page.push_str(
        "<table>\n<tr><th>index</th><th>kind</th><th>read units</th><th>write units</th>\
         <th>capacity (RCU / WCU, at the end)</th><th>partitions</th><th>entries</th>\
         <th>busiest partitions (share of the index's units)</th></tr>\n",
    );
    for ix in &s.indexes {
        let units = |u: Option<f64>| u.map_or("in the table's".to_string(), |u| group(u.round() as u64));
        let capacity = match (ix.final_read_capacity, ix.final_write_capacity) {
            (Some(r), Some(w)) => format!("{} / {}", group(r), group(w)),
            _ => "the table's".to_string(),
        };
        let busiest: Vec<String> =
            ix.hot_partitions.iter().map(|p| format!("{}: {}", p.id, percent(p.share_of_units))).collect();
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&ix.name),
            ix.kind,
            units(ix.consumed.as_ref().map(|c| c.read_units)),
            units(ix.consumed.as_ref().map(|c| c.write_units)),
            capacity,
            group(ix.partitions as u64),
            group(ix.items),
            html_escape(&busiest.join(", "))
        );
    }
    page.push_str("</table>\n");
}

fn hot_partitions_table(page: &mut String, s: &Summary) {
    page.push_str("<h2 id=\"hot-partitions\">Hot partitions</h2>\n");
    if s.hot_partitions.is_empty() {
        page.push_str("<p>No attempts.</p>\n");
        return;
    }
    page.push_str(
        "<table>\n<tr><th>partition</th><th>start hash</th><th>attempts</th><th>share of attempts</th>\
         <th>throttled</th><th>read units</th><th>write units</th><th>items</th></tr>\n",
    );
    for p in &s.hot_partitions {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"key\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            p.id,
            html_escape(&p.start_hash),
            group(p.attempts),
            percent(p.share_of_attempts),
            group(p.throttled),
            group(p.read_units.round() as u64),
            group(p.write_units.round() as u64),
            group(p.items)
        );
    }
    page.push_str("</table>\n");
}
