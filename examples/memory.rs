//! Measures the engine's memory per stored item (DESIGN.md: at most 48 bytes per item beyond
//! its key bytes): stores 10 million items with numeric keys in a table of 1,000 partitions and
//! reads the process's resident memory before and after, from /proc (Linux). Two table shapes,
//! each measured in a fresh process so that neither inherits the other's freed memory: a
//! partition key only, and a partition key with a sort key (100 items per item collection,
//! stored in sort-key order).
//!
//! Run: `cargo run --release --example memory [ITEMS]`

use ddbsim::engine::{CapacityGate, Charge, ItemKey, KeyValue, Table, TableSpec};
use std::process::{Command, ExitCode};

/// Items per item collection in the table with a sort key.
const PER_COLLECTION: i64 = 100;

struct Unlimited;

impl CapacityGate for Unlimited {
    type Refusal = ();
    fn admit(&mut self, _: Charge) -> Result<(), ()> {
        Ok(())
    }
}

/// Resident set size in bytes, from /proc/self/statm (pages x page size).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4_096)
}

/// Stores `items` items in a new table and prints the resident bytes they take.
fn measure(items: u64, sorted: bool) -> ExitCode {
    let sort_key = sorted.then(|| "sk".to_string());
    let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key };
    let mut table = Table::new(spec, 1_000);
    let before = resident_bytes().unwrap_or(0);
    for n in 0..items as i64 {
        let key = if sorted {
            ItemKey::new(KeyValue::N(n / PER_COLLECTION), Some(KeyValue::N(n % PER_COLLECTION)))
        } else {
            ItemKey::new(KeyValue::N(n), None)
        };
        if table.put_item(key, 1_000, &mut Unlimited).is_err() {
            eprintln!("a put was refused");
            return ExitCode::FAILURE;
        }
    }
    let after = resident_bytes().unwrap_or(0);
    let per_item = (after.saturating_sub(before)) as f64 / items as f64;
    // A numeric key value's bytes: the i64 the engine keeps (8 bytes), one or two of them.
    let key_bytes = if sorted { 16.0 } else { 8.0 };
    let shape = if sorted {
        format!("with a sort key, {PER_COLLECTION} items per collection")
    } else {
        "without a sort key".to_string()
    };
    println!(
        "{items} items in {} partitions, {shape}: {:.1} bytes per item resident, {:.1} beyond the key's {key_bytes} bytes (target: 48)",
        table.partition_count(),
        per_item,
        per_item - key_bytes
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let items: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    match args.get(1).map(String::as_str) {
        Some("unsorted") => return measure(items, false),
        Some("sorted") => return measure(items, true),
        _ => {}
    }
    // Each shape in a fresh process of this same program.
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this program's path");
        return ExitCode::FAILURE;
    };
    for shape in ["unsorted", "sorted"] {
        match Command::new(&me).args([items.to_string(), shape.to_string()]).status() {
            Ok(status) if status.success() => {}
            _ => {
                eprintln!("measuring the table {shape} failed");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
