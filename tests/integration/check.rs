//! `ddbsim check`, the CI gate: exit codes 0, 1 and 2, the Markdown table on stdout, JUnit
//! XML, and baselines (regressions found, `--update-baseline` round trip).

use crate::support::{ddbsim, text, TempDir, TINY};
use std::path::{Path, PathBuf};

/// TINY (it throttles) with expectations that hold, and a variant that asserts no throttling
/// yet throttles: one run passes, the other fails.
fn scenario(dir: &TempDir, expect_in_variant: &str) -> PathBuf {
    dir.write(
        "tiny.toml",
        &format!(
            "{TINY}\n[expect]\nthrottle_ratio_max = 0.9\nfailed_max = 1000000\n\n[[variant]]\nname = \"strict\"\n\
             workload.reads.rate = 1400\n{expect_in_variant}"
        ),
    )
}

fn check(args: &[&Path]) -> (Option<i32>, String, String) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["check".as_ref()];
    all.extend(args.iter().map(|a| a.as_os_str()));
    let output = ddbsim(&all);
    let (stdout, stderr) = text(&output);
    (output.status.code(), stdout, stderr)
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

#[test]
fn check_exits_zero_when_everything_holds_and_one_when_an_expectation_fails() {
    let dir = TempDir::new("check-exit");
    let holds = scenario(&dir, "");
    let (code, stdout, stderr) = check(&[&holds]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "| scenario | variant | throttle ratio | failed | p99 ms | $/month | expect | baseline |"
    );
    assert!(lines[2].starts_with("| tiny | - | ") && lines[2].ends_with(" | 2/2 passed | - |"), "{stdout}");
    assert!(lines[3].starts_with("| tiny | strict | "), "{stdout}");
    assert!(stdout.ends_with("**check passed**: 4 assertion(s) held in 2 run(s)\n"), "{stdout}");

    let fails = scenario(&dir, "expect.throttled_max = 0\n");
    let (code, stdout, _) = check(&[&fails]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("| tiny | strict | ") && stdout.contains(" | 2/3 passed | - |"), "{stdout}");
    assert!(stdout.contains("- FAILED `tiny/strict` expectation throttled_max: actual "), "{stdout}");
    assert!(stdout.contains(" > limit 0\n"), "{stdout}");
    assert!(stdout.ends_with("**check failed**: 1 of 5 assertion(s) failed in 2 run(s)\n"), "{stdout}");
}

#[test]
fn check_exits_two_on_bad_input() {
    let dir = TempDir::new("check-bad");
    let good = scenario(&dir, "");
    let invalid = dir.write("invalid.toml", &TINY.replace("rate = 1500", "rate = -1"));
    let malformed = dir.write("baseline.json", "{\"ddbsim_baseline\": 1, \"runs\": 3}");
    let missing = dir.path().join("missing.json");
    let cases: [(&[&Path], &str); 6] = [
        (&[&invalid], "workload[0].rate: must be"),
        (&[&good, p("--baseline"), &missing], "cannot read baseline"),
        (&[&good, p("--baseline"), &malformed], "not a ddbsim baseline"),
        (&[&good, p("--abs-tolerance"), p("failures=1")], "unknown figure \"failures\""),
        (&[&good, p("--rel-tolerance=-0.5")], "--rel-tolerance must be a fraction"),
        (&[&good, p("--update-baseline")], "--baseline"),
    ];
    for (args, says) in cases {
        let (code, stdout, stderr) = check(args);
        assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{args:?} says {says:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    assert!(!missing.exists(), "a check that does not update writes no baseline");
}

#[test]
fn junit_has_a_suite_per_scenario_and_a_case_per_assertion() {
    let dir = TempDir::new("check-junit");
    let fails = scenario(&dir, "expect.throttled_max = 0\n");
    let other = dir
        .write("other.toml", &TINY.replace("name = \"tiny\"", "name = \"other<&>\"").replace("seed = 7", ""));
    let junit = dir.path().join("junit.xml");
    let (code, _, stderr) = check(&[&fails, &other, p("--junit"), &junit]);
    // The name is invalid for a scenario, so this is bad input, and no XML is written.
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!junit.exists());

    let other =
        dir.write("other.toml", &TINY.replace("name = \"tiny\"", "name = \"other\"").replace("seed = 7", ""));
    let (code, _, stderr) = check(&[&fails, &other, p("--junit"), &junit]);
    assert_eq!(code, Some(1), "{stderr}");
    let xml = std::fs::read_to_string(&junit).expect("junit.xml is written");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ddbsim check\" tests=\"8\" failures=\"1\">"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert!(xml.contains(&format!(
        "<testsuite name=\"tiny\" file=\"{}\" tests=\"7\" failures=\"1\"",
        fails.display()
    )));
    assert!(xml.contains("<testsuite name=\"other\""), "{xml}");
    for case in [
        "<testcase name=\"run\" classname=\"tiny\"/>",
        "<testcase name=\"expect throttle_ratio_max\" classname=\"tiny\"/>",
        "<testcase name=\"expect failed_max\" classname=\"tiny/strict\"/>",
        "<testcase name=\"expect throttled_max\" classname=\"tiny/strict\">",
        "<failure message=\"throttled_max: actual ",
        " &gt; limit 0\" type=\"AssertionError\">",
        "<testcase name=\"run\" classname=\"other\"/>",
    ] {
        assert!(xml.contains(case), "{case}\n{xml}");
    }
    // Same inputs, same bytes: no timestamps or durations.
    let again = dir.path().join("again.xml");
    check(&[&fails, &other, p("--junit"), &again]);
    assert_eq!(std::fs::read(&again).ok(), Some(xml.into_bytes()));
}

#[test]
fn baselines_round_trip_and_regressions_are_reported_with_their_tolerance() {
    let dir = TempDir::new("check-baseline");
    let file = scenario(&dir, "");
    let baseline = dir.path().join("baseline.json");
    let (code, stdout, stderr) = check(&[&file, p("--baseline"), &baseline, p("--update-baseline")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(" | recorded |") && stdout.contains("- note: baseline "), "{stdout}");
    let written = std::fs::read_to_string(&baseline).expect("the baseline is written");
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(json["ddbsim_baseline"], 1);
    let keys: Vec<&String> = json["runs"].as_object().expect("runs").keys().collect();
    assert_eq!(keys, ["tiny", "tiny/strict"]);
    assert!(written.find("\"cost_per_month_usd\"") < written.find("\"failed\""), "sorted keys:\n{written}");
    assert!(written.ends_with("}\n") && written.contains("\n  \"runs\": {\n    \"tiny\": {\n"), "{written}");

    // The same runs against their own baseline: every figure holds.
    let (code, stdout, _) = check(&[&file, p("--baseline"), &baseline]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.matches(" | ok |").count(), 2, "{stdout}");
    assert!(stdout.contains("**check passed**: 12 assertion(s)"), "{stdout}");
    // Updating again changes nothing: stable bytes.
    check(&[&file, p("--baseline"), &baseline, p("--update-baseline")]);
    assert_eq!(std::fs::read_to_string(&baseline).ok().as_deref(), Some(written.as_str()));

    // A baseline that was better: the p99 latency and throttle ratio of the base regress.
    let mut better: serde_json::Value = json.clone();
    better["runs"]["tiny"]["p99_latency_ms"] = serde_json::json!(100.0);
    better["runs"]["tiny"]["throttle_ratio"] = serde_json::json!(0.01);
    std::fs::write(&baseline, serde_json::to_string_pretty(&better).expect("JSON")).expect("write");
    let (code, stdout, _) = check(&[&file, p("--baseline"), &baseline]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("| tiny | - | ") && stdout.contains(" | 2 regressed |"), "{stdout}");
    let actual = json["runs"]["tiny"]["p99_latency_ms"].as_f64().expect("p99");
    assert!(
        stdout.contains(&format!(
            "- FAILED `tiny` baseline p99_latency_ms regressed beyond tolerance: {actual} against baseline 100 \
             (allowed up to 110: 10% or 1, whichever is larger)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("- FAILED `tiny` baseline throttle_ratio regressed beyond tolerance: "),
        "{stdout}"
    );
    // Wider tolerances let the same figures pass.
    let (code, stdout, _) = check(&[
        &file,
        p("--baseline"),
        &baseline,
        p("--rel-tolerance"),
        p("1000"),
        p("--abs-tolerance"),
        p("throttle_ratio=1"),
    ]);
    assert_eq!(code, Some(0), "{stdout}");

    // A run missing from the baseline is new, not a failure.
    better["runs"].as_object_mut().expect("runs").remove("tiny/strict");
    better["runs"]["tiny"] = json["runs"]["tiny"].clone();
    std::fs::write(&baseline, serde_json::to_string_pretty(&better).expect("JSON")).expect("write");
    let (code, stdout, _) = check(&[&file, p("--baseline"), &baseline]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("| tiny | strict | ") && stdout.contains(" | new |"), "{stdout}");
    assert!(stdout.contains("- note: `tiny/strict` is not in the baseline: record it with --update-baseline"));
}
