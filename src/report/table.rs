//! Tables of text: aligned columns for a terminal, and Markdown (GitHub's step summary renders
//! it). The first `left` columns are aligned left (names), the others right (figures).

/// Columns aligned with two spaces between them; every line ends in a newline.
pub fn text_table(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let columns = header.len();
    let width = |c: usize| {
        rows.iter()
            .filter_map(|r| r.get(c))
            .map(|s| s.chars().count())
            .chain([header[c].chars().count()])
            .max()
    };
    let widths: Vec<usize> = (0..columns).map(|c| width(c).unwrap_or(0)).collect();
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c > 0 {
                out.push_str("  ");
            }
            if c < left {
                out.push_str(cell);
                if c + 1 < columns {
                    out.push_str(&" ".repeat(pad));
                }
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line((0..columns).map(|c| row.get(c).map_or("", String::as_str)).collect()));
    }
    out
}

/// A Markdown table; `|` in a cell is escaped.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!("| {} |\n|", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
    for c in 0..header.len() {
        out.push_str(if c < left { "---|" } else { "---:|" });
    }
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |\n", row.iter().map(|s| cell(s)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_align_names_left_and_figures_right() {
        let rows = vec![vec!["a".to_string(), "1.5".into()], vec!["long name".into(), "12.25".into()]];
        assert_eq!(
            text_table(&["name", "x"], &rows, 1),
            "name           x\na            1.5\nlong name  12.25\n"
        );
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let rows = vec![vec!["a|b".to_string(), "1".into()]];
        assert_eq!(markdown_table(&["name", "x"], &rows, 1), "| name | x |\n|---|---:|\n| a\\|b | 1 |\n");
    }
}
