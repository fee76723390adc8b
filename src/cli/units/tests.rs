//! `ddbsim units` from flags to output: MODEL.md §12 examples through the command line, and
//! bad input naming its flag or file.

use super::*;
use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    args: UnitsArgs,
}

/// What `ddbsim units ARGS` prints, or its error message (clap's or ours).
fn units(argv: &str) -> Result<String, String> {
    let argv = std::iter::once("units").chain(argv.split_whitespace());
    let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
    report(&cli.args)
}

fn json(argv: &str) -> String {
    units(&format!("{argv} --json")).expect(argv)
}

fn err(argv: &str) -> String {
    units(argv).expect_err(argv)
}

/// A file in the temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("ddbsim-units-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("write a temporary file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn json_output_for_model_examples() {
    let line = |bytes, read, write| {
        format!("{{\"item_bytes\": {bytes}, \"read_units\": {read}, \"write_units\": {write}}}\n")
    };
    assert_eq!(json("--op get --items 10KB"), line(10_240, "1.5", "0.0")); // A6
    assert_eq!(json("--op get --items 0 --consistency strong"), line(0, "1.0", "0.0")); // A7
    assert_eq!(json("--op update --items 0.9KB --before 3.2KB"), line(922, "0.0", "4.0")); // A9
    assert_eq!(json("--op transact-write --items 3KB"), line(3_072, "0.0", "6.0")); // A11
    assert_eq!(json("--op batch-get --items 1.5KB,6.5KB --consistency strong"), line(8_192, "3.0", "0.0")); // B1
    assert_eq!(json("--op batch-write --items 500B,3.5KB"), line(4_084, "0.0", "5.0")); // B2
    assert_eq!(json("--op query --items 1500x64B"), line(96_000, "12.0", "0.0")); // B4
    assert_eq!(json("--op scan --items 100x1KB --consistency strong"), line(102_400, "25.0", "0.0")); // B6
    assert_eq!(json("--op scan --partitions 3"), line(0, "1.5", "0.0")); // B7
    assert_eq!(json("--op transact-get --items 3x500"), line(1_500, "6.0", "0.0")); // B10
    assert_eq!(json("--op delete --before 3.5KB"), line(3_584, "0.0", "4.0"));
}

#[test]
fn human_output_explains_the_rounding() {
    assert_eq!(
        units("--op get --items 10KB --consistency strong").as_deref(),
        Ok("get: 1 item, 10,240 bytes\n  \
            the item rounded up to 4 KB: 3 blocks of 4 KB\n  \
            1 read unit per block (strongly consistent): 3.0 read units\n")
    );
    assert_eq!(
        units("--op get --items 0").as_deref(),
        Ok("get: 1 item, 0 bytes\n  \
            a missing item (0 bytes) still costs one block: 1 block of 4 KB\n  \
            0.5 read unit per block (eventually consistent): 0.5 read units\n")
    );
    assert_eq!(
        units("--op query --items 1500x64B").as_deref(),
        Ok("query: 1,500 items, 96,000 bytes\n  \
            the items' sizes summed per 1 MB page, each page rounded up to 4 KB: 1 page, 24 blocks of 4 KB\n  \
            0.5 read unit per block (eventually consistent): 12.0 read units\n")
    );
    assert_eq!(
        units("--op scan --partitions 3").as_deref(),
        Ok("scan: 0 items, 0 bytes, 3 partitions touched\n  \
            the items' sizes summed per 1 MB page, each page rounded up to 4 KB: 1 page, 3 blocks of 4 KB, \
            the minimum of one block per partition touched\n  \
            0.5 read unit per block (eventually consistent): 1.5 read units\n")
    );
    assert_eq!(
        units("--op put --items 922 --before 3.2KB").as_deref(),
        Ok("put: 1 item, 922 bytes (before: 3,277 bytes)\n  \
            the larger of the item before and after, rounded up to 1 KB: 4 blocks of 1 KB\n  \
            1 write unit per block (standard write): 4.0 write units\n")
    );
    assert_eq!(
        units("--op transact-write --items 3x500").as_deref(),
        Ok("transact-write: 3 items, 1,500 bytes\n  \
            each item rounded up to 1 KB, then summed: 3 blocks of 1 KB\n  \
            2 write units per block (transactional: prepare and commit): 6.0 write units\n")
    );
}

/// MODEL.md §12 A1 through `--item-json`: the shirt item is 23 bytes.
#[test]
fn item_json_sizes_the_item() {
    let file = TempFile::new("shirt.json", r#"{"shirt-color": {"S": "R"}, "shirt-size": {"S": "M"}}"#);
    let path = file.0.display().to_string();
    assert_eq!(
        json(&format!("--op put --item-json {path}")),
        "{\"item_bytes\": 23, \"read_units\": 0.0, \"write_units\": 1.0}\n"
    );
    let bad = TempFile::new("bad.json", r#"{"Tags": {"SS": ["a", "a"]}}"#);
    let bad_path = bad.0.display().to_string();
    assert_eq!(
        err(&format!("--op put --item-json {bad_path}")),
        format!("--item-json {bad_path}: Tags: duplicate set element \"a\"")
    );
    let broken = TempFile::new("broken.json", "{\"a\": {\"N\": \"1\"");
    let broken_path = broken.0.display().to_string();
    assert_eq!(
        err(&format!("--op get --item-json {broken_path}")),
        format!(
            "--item-json {broken_path}: item: invalid JSON: EOF while parsing an object at line 1 column 15"
        )
    );
    let missing = "/nonexistent/ddbsim/item.json";
    assert!(err(&format!("--op get --item-json {missing}"))
        .starts_with(&format!("--item-json {missing}: cannot read it: ")));
}

#[test]
fn bad_input_names_the_flag() {
    assert!(err("--op frobnicate --items 1KB").contains("invalid value 'frobnicate' for '--op <OP>'"));
    assert!(err("--op get --items 1.5XB").contains("invalid value '1.5XB' for '--items <LIST>'"));
    assert!(err("--op get --items 1.5XB").contains("\"1.5XB\" is not a size"));
    assert!(err("--op put --items 1KB --before lots").contains("for '--before <SIZE>'"));
    assert!(err("--op scan --partitions 0").contains("for '--partitions <N>'"));
    assert!(err("--op get --items 1KB --consistency firm").contains("for '--consistency <CONSISTENCY>'"));
    assert!(err("--op get --items 1KB --item-json x.json").contains("cannot be used with"));
    assert_eq!(
        err("--op batch-write --items 26x1KB"),
        "--items: batch-write takes at most 25 items, found 26"
    );
    assert_eq!(
        err("--op put --items 401KB"),
        "--items: an item of 410624 bytes is over the 409600-byte (400 KB) item limit"
    );
    assert_eq!(err("--op get"), "--items: get takes one item, found 0");
    assert_eq!(
        err("--op get --items 1KB --before 1KB"),
        "--before: the size before applies only to put, update and delete, not to get"
    );
    assert_eq!(
        err("--op put --items 1KB --consistency strong"),
        "--consistency: consistency applies only to get, batch-get, query and scan, not to put"
    );
    assert_eq!(
        err("--op get --items 1KB --partitions 2"),
        "--partitions: partitions touched applies only to query and scan, not to get"
    );
    assert_eq!(err("--op delete --items 1KB --before 1KB"), "--before: delete charges the deleted item's size: give it as the item or as the size before, not both");
}

#[test]
fn run_exits_2_on_bad_input() {
    let cli = Cli::try_parse_from(["units", "--op", "batch-get", "--items", "101x1KB"]).expect("flags parse");
    assert_eq!(run(&cli.args), ExitCode::from(EXIT_BAD_INPUT));
}

#[test]
fn decimal_units_are_exact() {
    assert_eq!(decimal_units(0), "0.0");
    assert_eq!(decimal_units(500), "0.5");
    assert_eq!(decimal_units(3_000), "3.0");
    assert_eq!(decimal_units(1_250), "1.25");
    assert_eq!(grouped(1_234_567), "1,234,567");
    assert_eq!(grouped(999), "999");
}
