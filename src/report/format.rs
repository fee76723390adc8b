//! Number and text formatting shared by the HTML and Markdown reports: figures people read
//! (thousands grouped, shares as percentages, dollars with cents) and escaping, so that a key
//! value or a scenario comment can never break the page it is written into.

/// `1223812` as `1,223,812`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share in [0, 1] as a percentage with two decimals: `0.28847` as `28.85%`.
pub fn percent(share: f64) -> String {
    format!("{:.2}%", 100.0 * share)
}

/// `part / whole`, 0 when `whole` is 0.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Dollars with cents and grouped thousands: `3614.836` as `$3,614.84`.
pub fn usd(amount: f64) -> String {
    let cents = (amount.max(0.0) * 100.0).round() as u64;
    format!("${}.{:02}", group(cents / 100), cents % 100)
}

/// Text safe inside HTML elements and double-quoted attributes.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text safe inside a Markdown table cell: characters that would start markup, end the cell
/// or be read as HTML are backslash-escaped, and line breaks become spaces.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(1_223_812), "1,223,812");
        assert_eq!(percent(0.288_47), "28.85%");
        assert_eq!(share(1, 0), 0.0);
        assert_eq!(usd(3_614.836), "$3,614.84");
        assert_eq!(usd(0.004), "$0.00");
    }

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(html_escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(md_escape("a|b*c\nd"), r"a\|b\*c d");
    }
}
