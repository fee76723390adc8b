//! Measures the engine's memory per stored item (DESIGN.md: at most 48 bytes per item beyond
//! its key bytes): stores 10 million items with numeric partition keys in a table of 1,000
//! partitions and reads the process's resident memory before and after, from /proc (Linux).
//!
//! Run: `cargo run --release --example memory [ITEMS]`

use ddbsim::engine::{CapacityGate, Charge, ItemKey, KeyValue, Table, TableSpec};

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

fn main() {
    let items: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
    let mut table = Table::new(spec, 1_000);
    let before = resident_bytes().unwrap_or(0);
    for n in 0..items as i64 {
        let key = ItemKey::new(KeyValue::N(n), None);
        if table.put_item(key, 1_000, &mut Unlimited).is_err() {
            eprintln!("a put was refused");
            std::process::exit(1);
        }
    }
    let after = resident_bytes().unwrap_or(0);
    let per_item = (after.saturating_sub(before)) as f64 / items as f64;
    // A numeric key's bytes: the i64 value the engine keeps (8 bytes).
    let key_bytes = 8.0;
    println!(
        "{items} items in {} partitions: {:.1} bytes per item resident, {:.1} beyond the key's {key_bytes} bytes (target: 48)",
        table.partition_count(),
        per_item,
        per_item - key_bytes
    );
}
