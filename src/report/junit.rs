//! JUnit XML, the test report format CI systems read: one `<testsuite>` per scenario file, one
//! `<testcase>` per assertion (an `[expect]` limit or a baseline figure). No timestamps or
//! durations, so the same check gives the same bytes.

use std::fmt::Write as _;

/// One assertion.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// What was asserted, for example `expect throttle_ratio_max`.
    pub name: String,
    /// The run it is about: `scenario` or `scenario/variant`.
    pub classname: String,
    /// Why it failed, readable; `None` when it passed.
    pub failure: Option<String>,
}

/// The assertions about one scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Suite {
    /// The scenario's name.
    pub name: String,
    /// The scenario file.
    pub file: String,
    /// Its assertions, in a fixed order.
    pub cases: Vec<Case>,
}

/// `text` with XML's special characters escaped, and control characters other than tab and
/// newline (which XML 1.0 forbids) replaced by U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML document of `suites`, named `name`.
pub fn xml(name: &str, suites: &[Suite]) -> String {
    let failures = |cases: &[Case]| cases.iter().filter(|c| c.failure.is_some()).count();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failed: usize = suites.iter().map(|s| failures(&s.cases)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failed}\">", escape(name));
    for suite in suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            escape(&suite.name),
            escape(&suite.file),
            suite.cases.len(),
            failures(&suite.cases)
        );
        for case in &suite.cases {
            let head = format!(
                "<testcase name=\"{}\" classname=\"{}\"",
                escape(&case.name),
                escape(&case.classname)
            );
            match &case.failure {
                None => {
                    let _ = writeln!(out, "    {head}/>");
                }
                Some(message) => {
                    let _ = writeln!(out, "    {head}>");
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{m}\" type=\"AssertionError\">{m}</failure>",
                        m = escape(message)
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("a<b & \"c\" > 'd'\u{1}"), "a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos;\u{fffd}");
    }

    #[test]
    fn suites_count_their_tests_and_failures() {
        let suites = vec![Suite {
            name: "hot<key>".into(),
            file: "s/hot.toml".into(),
            cases: vec![
                Case { name: "expect failed_max".into(), classname: "hot".into(), failure: None },
                Case {
                    name: "baseline p99_latency_ms".into(),
                    classname: "hot/v".into(),
                    failure: Some("12 > 5 & more".into()),
                },
            ],
        }];
        let xml = xml("ddbsim check", &suites);
        assert!(xml.contains("<testsuites name=\"ddbsim check\" tests=\"2\" failures=\"1\">"), "{xml}");
        assert!(
            xml.contains("<testsuite name=\"hot&lt;key&gt;\" file=\"s/hot.toml\" tests=\"2\" failures=\"1\"")
        );
        assert!(xml.contains("<testcase name=\"expect failed_max\" classname=\"hot\"/>"));
        assert!(xml.contains("<failure message=\"12 &gt; 5 &amp; more\" type=\"AssertionError\">"));
        assert!(xml.ends_with("</testsuites>\n"));
    }
}
