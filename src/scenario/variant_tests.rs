use super::*;
use crate::scenario::parse;

const BASE: &str = r#"name = "v"
duration = "2s"
seed = 1

[table]
name = "T"
partition_key = "K"
read_capacity = 100
write_capacity = 100

[[workload]]
name = "reads"
operation = "get"
rate = 10
[workload.attributes]
K = { distribution = "uniform", count = 10 }
U = { distribution = "zipf", count = 10, exponent = 1.1 }

[[workload]]
name = "writes"
operation = "put"
rate = 5
item_bytes = 100
[workload.attributes]
K = { distribution = "uniform", count = 10 }
"#;

/// Each problem of `text` as `line: path: message`.
fn problems(text: &str) -> Vec<String> {
    match parse(Path::new("v.toml"), text) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid { problems, .. }) => {
            problems.iter().map(|p| format!("{}: {}: {}", p.line.unwrap_or(0), p.path, p.message)).collect()
        }
        Err(e) => vec![e.to_string()],
    }
}

fn keys(path: &str) -> Vec<String> {
    path_keys(path).expect("a valid path")
}

#[test]
fn overrides_reach_tables_and_workloads_by_index_and_by_name() {
    let text = format!(
        "{BASE}\n[[variant]]\nname = \"big\"\ntable.read_capacity = 500\nworkload.writes.rate = 7\n\
         workload.0.rate = 3\nclient.retry = \"none\"\n\n[[variant]]\nname = \"by-u\"\n\
         table.partition_key = \"U\"\nworkload.1.attributes.U = {{ distribution = \"uniform\", count = 4 }}\n\
         workload.reads.attributes.U = {{ distribution = \"uniform\", count = 3 }}\n"
    );
    let s = parse(Path::new("v.toml"), &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.variant_names(), ["big", "by-u"]);
    assert_eq!(
        (read_capacity(&s), s.config.workloads[0].traffic.shape.rate(0.0)),
        (100, 10.0),
        "the base is itself"
    );
    let big = s.variant_named("big").expect("big");
    assert_eq!(big.variant.as_deref(), Some("big"));
    assert_eq!(big.name, "v");
    assert_eq!(big.label(), "v/big");
    assert_eq!(read_capacity(big), 500);
    let rates =
        (big.config.workloads[0].traffic.shape.rate(0.0), big.config.workloads[1].traffic.shape.rate(0.0));
    assert_eq!(rates, (3.0, 7.0));
    assert_eq!(big.config.retry.max_attempts, 1, "retry = none");
    assert!(big.variants.is_empty());
    assert!(big.source.starts_with("# variant \"big\" of scenario \"v\""), "{}", big.source);
    let by_u = s.variant_named("by-u").expect("by-u");
    assert_eq!(by_u.config.table.partition_key, "U");
    // The inline table replaced the whole generator: no exponent is left behind from the zipf.
    let counts: Vec<String> =
        by_u.config.workloads.iter().map(|w| format!("{:?}", w.partition_key)).collect();
    assert!(counts[0].contains("PerRequest(Uniform { count: 3 })"), "{counts:?}");
    assert!(counts[1].contains("PerRequest(Uniform { count: 4 })"), "{counts:?}");
    assert_eq!(s.runs().count(), 3);
}

#[test]
fn variant_problems_name_the_variant_and_the_line_of_the_override() {
    let text = format!(
        "{BASE}\n[[variant]]\nname = \"a\"\ntable.read_capacity = 0\nworkload.reads.rate = -3\n\n\
         [[variant]]\nname = \"b\"\nworkload.5.rate = 3\nworkload.raeds.rate = 3\nvariant.x = 1\n\n\
         [[variant]]\nname = \"a\"\nclient.retyr = \"none\"\n\n[[variant]]\ntable.partition_key = \"Nope\"\n"
    );
    let found = problems(&text);
    let expected = [
        "29: variant[0].table.read_capacity: must be between 1 and 40000, got 0",
        "30: variant[0].workload[0].rate: must be a number of requests per second from 0 to 10000000, got -3",
        "34: variant[1].workload.5.rate: no element 5 in `workload` (elements: 0 \"reads\", 1 \"writes\")",
        "35: variant[1].workload.raeds.rate: no element named \"raeds\" in `workload` (did you mean \"reads\"? \
         elements: 0 \"reads\", 1 \"writes\")",
        "36: variant[1].variant.x: a variant cannot define or change variants",
        "39: variant[2].name: duplicate variant name \"a\"",
        "40: variant[2].client.retyr: unknown key `retyr` (did you mean `retry`?); valid keys here: `retry`, \
         `attempt_latency_ms`",
        "42: variant[3].name: is required: a name for `ddbsim run --variant NAME` and the reports",
        "42: variant[3].workload[0].attributes: has no generator for key attribute \"Nope\" (the table's key); \
         add Nope = { distribution = \"uniform\", count = ... }",
        "42: variant[3].workload[1].attributes: has no generator for key attribute \"Nope\" (the table's key); \
         add Nope = { distribution = \"uniform\", count = ... }",
    ];
    assert_eq!(found, expected);
}

#[test]
fn a_bad_base_is_reported_once_with_the_variants_path_problems() {
    let text = format!(
        "{}\n[[variant]]\nname = \"a\"\nworkload.9.rate = 1\ntable.read_capacity = 7\n",
        BASE.replace("read_capacity = 100", "read_capacity = 0")
    );
    assert_eq!(
        problems(&text),
        [
            "8: table.read_capacity: must be between 1 and 40000, got 0",
            "29: variant[0].workload.9.rate: no element 9 in `workload` (elements: 0 \"reads\", 1 \"writes\")",
        ]
    );
    let inline = format!("variant = [{{ name = \"a\" }}]\n{BASE}");
    assert_eq!(
        problems(&inline),
        ["1: variant: write each variant as a [[variant]] table: a name and the keys it overrides"]
    );
}

#[test]
fn command_line_paths_and_values() {
    assert_eq!(keys("workload[1].rate"), ["workload", "1", "rate"]);
    assert_eq!(keys("workload.place-order.rate"), ["workload", "place-order", "rate"]);
    assert!(path_keys("table..x").is_err() && path_keys("").is_err());
    assert_eq!(toml_value("300"), toml::Value::Integer(300));
    assert_eq!(toml_value("0.5"), toml::Value::Float(0.5));
    assert_eq!(toml_value("none"), toml::Value::String("none".into()));
    assert_eq!(toml_value("\"a b\""), toml::Value::String("a b".into()));
    let o = Override::parse("table.read_capacity = 5").expect("valid");
    assert_eq!(
        (o.path(), o.value, o.line),
        ("table.read_capacity".to_string(), toml::Value::Integer(5), None)
    );
    assert!(Override::parse("no-equals").is_err());
}

#[test]
fn apply_returns_canonical_paths_and_refuses_to_walk_into_values() {
    let mut tree: toml::Table = toml::from_str(BASE).expect("valid TOML");
    let put = |tree: &mut toml::Table, path: &str| apply(tree, &keys(path), toml::Value::Integer(1));
    assert_eq!(
        put(&mut tree, "workload.writes.attributes.K.count"),
        Ok("workload[1].attributes.K.count".into())
    );
    assert_eq!(
        put(&mut tree, "capacity.burst_seconds"),
        Ok("capacity.burst_seconds".into()),
        "creates tables"
    );
    assert_eq!(put(&mut tree, "table.name.x"), Err("`table.name` is string, not a table".into()));
    let s = Scenario::with_overrides(
        &parse(Path::new("v.toml"), BASE).expect("valid"),
        Path::new("v.toml"),
        &[Override::parse("workload[0].rate=42").expect("valid")],
    )
    .expect("a valid sweep point");
    assert_eq!(s.config.workloads[0].traffic.shape.rate(0.0), 42.0);
    assert_eq!(s.variant, None);
}

/// The provisioned read capacity of a scenario's table (0 for on demand).
fn read_capacity(s: &crate::scenario::Scenario) -> u64 {
    match s.config.billing {
        crate::capacity::BillingMode::Provisioned { read_units, .. } => read_units,
        crate::capacity::BillingMode::OnDemand { .. } => 0,
    }
}
