//! `[[variant]]` and `[expect]` through the binary: `run --variant`, the `variant` and
//! `expectations` fields of summary.json, exit code 1 on a failed expectation, and problems
//! that name the variant and the line of its override.

use crate::support::{ddbsim, f, text, u, TempDir, TINY};
use serde_json::Value;

/// TINY (1,500 strong reads/s against 1,000 RCU: it throttles) with an expectation that fails,
/// and a variant with room enough that does not throttle.
fn with_variant() -> String {
    format!(
        "{TINY}\n[expect]\nthrottle_ratio_max = 0.01\n\n[[variant]]\nname = \"roomy\"\ntable.read_capacity = 3000\n\
         workload.writes.rate = 50\n"
    )
}

fn summary(dir: &std::path::Path) -> Value {
    let json = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json is written");
    serde_json::from_str(&json).expect("summary.json is JSON")
}

#[test]
fn a_failed_expectation_exits_one_after_writing_the_report() {
    let dir = TempDir::new("expect-fail");
    let scenario = dir.write("tiny.toml", &with_variant());
    let out = dir.path().join("base");
    let output = ddbsim(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let s = summary(&out);
    assert!(s["variant"].is_null());
    let e = &s["expectations"];
    assert_eq!(e.as_array().map(Vec::len), Some(1), "{e}");
    assert_eq!(e[0]["name"], "throttle_ratio_max");
    assert_eq!(f(&e[0], "limit"), 0.01);
    assert_eq!(f(&e[0], "actual"), f(&s, "throttle_ratio"));
    assert_eq!(e[0]["passed"], false);
    assert!(stdout.contains("expect     0 of 1 passed"), "{stdout}");
    assert!(
        stdout.contains(&format!("FAILED     throttle_ratio_max: actual {} > limit 0.01", e[0]["actual"])),
        "{stdout}"
    );
}

#[test]
fn run_variant_runs_the_variant_and_names_it() {
    let dir = TempDir::new("variant-run");
    let scenario = dir.write("tiny.toml", &with_variant());
    let out = dir.path().join("roomy");
    let output = ddbsim(&[
        "run".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--variant".as_ref(),
        "roomy".as_ref(),
    ]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("tiny, variant roomy (seed 7)"), "{stdout}");
    let s = summary(&out);
    assert_eq!(s["scenario"], "tiny");
    assert_eq!(s["variant"], "roomy");
    assert_eq!(u(&s, "capacity.final_read_capacity"), 3000);
    assert_eq!(u(&s, "requests.throttled"), 0);
    assert_eq!(s["expectations"][0]["passed"], true, "the base's [expect] applies to its variants");
    let toml = std::fs::read_to_string(out.join("scenario.toml")).expect("scenario.toml");
    assert!(toml.starts_with("# variant \"roomy\" of scenario \"tiny\""), "the effective scenario:\n{toml}");
    assert!(toml.contains("read_capacity = 3000") && !toml.contains("[[variant]]"), "{toml}");
}

#[test]
fn an_unknown_variant_exits_two_listing_the_valid_ones() {
    let dir = TempDir::new("variant-unknown");
    let scenario = dir.write("tiny.toml", &with_variant());
    let out = dir.path().join("r");
    let output = ddbsim(&[
        "run".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--variant".as_ref(),
        "rooomy".as_ref(),
    ]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("no [[variant]] named \"rooomy\" (did you mean \"roomy\"?); valid variants: \"roomy\""),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn expectations_are_listed_in_a_fixed_order() {
    let dir = TempDir::new("expect-order");
    let expect = "\n[expect]\n[expect.throttles_max]\nTableWriteKeyRangeThroughputExceeded = 5\n\
                  TableReadProvisionedThroughputExceeded = 1000000\n";
    // Keys written in another order than the one reported.
    let top = "[expect]\ncost_per_month_max = 1000.0\np99_latency_ms_max = 100000.0\nfailed_max = 1000000\n\
               throttled_max = 1000000\nthrottle_ratio_max = 1.0\n";
    let scenario_text = format!("{TINY}{}", expect.replace("\n[expect]\n", &format!("\n{top}")));
    let scenario = dir.write("tiny.toml", &scenario_text);
    let out = dir.path().join("r");
    let output = ddbsim(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    let s = summary(&out);
    let names: Vec<&str> = s["expectations"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(
        names,
        [
            "throttle_ratio_max",
            "throttled_max",
            "failed_max",
            "p99_latency_ms_max",
            "cost_per_month_max",
            "throttles_max.TableReadProvisionedThroughputExceeded",
            "throttles_max.TableWriteKeyRangeThroughputExceeded",
        ]
    );
    let cost = f(&s, "cost.per_month.provisioned_usd") + f(&s, "cost.per_month.storage_usd");
    assert!((f(&s["expectations"][4], "actual") - cost).abs() < 1e-6, "provisioned plus storage");
    assert!(s["expectations"][1]["actual"].is_u64() && s["expectations"][1]["limit"].is_u64(), "counts");
    assert_eq!(u(&s["expectations"][6], "actual"), 0, "a reason that did not occur counts 0");
}

#[test]
fn variant_and_expect_problems_name_their_key_and_line() {
    let dir = TempDir::new("variant-bad");
    let bad = format!(
        "{TINY}\n[expect.throttles_max]\nTableReadKeyRangeThroughputExceded = 3\n\n[[variant]]\nname = \"a\"\n\
         table.read_capacity = 0\nworkload.reeds.rate = 5\n"
    );
    let scenario = dir.write("bad.toml", &bad);
    let output = ddbsim(&["validate".as_ref(), scenario.as_os_str()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let file = scenario.display();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "a base with problems has its variants' key paths checked only:\n{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "{file}:31: expect.throttles_max.TableReadKeyRangeThroughputExceded: unknown throttling reason"
        )) && lines[0].contains("(did you mean \"TableReadKeyRangeThroughputExceeded\"?)"),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        format!(
            "{file}:36: variant[0].workload.reeds.rate: no element named \"reeds\" in `workload` \
             (did you mean \"reads\"? elements: 0 \"reads\", 1 \"writes\")"
        )
    );
    // Once the path is right, the value is checked as part of the whole variant.
    let fixed = bad.replace("reeds", "reads").replace("Exceded", "Exceeded");
    let output = ddbsim(&["validate".as_ref(), dir.write("bad.toml", &fixed).as_os_str()]);
    let (_, stderr) = text(&output);
    assert_eq!(
        stderr.trim(),
        format!("{file}:35: variant[0].table.read_capacity: must be between 1 and 40000, got 0")
    );
}
