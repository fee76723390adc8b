//! Capacity-unit math (MODEL.md §1.1, §1.3, §10.1), in integer milli-units.
//!
//! Reads round the item size up to the next 4 KB, writes to the next 1 KB (KB = 1,024 bytes,
//! MODEL.md §1.1). An eventually consistent 4 KB read is 500 milli-units, a strongly consistent
//! one 1,000, a transactional one 2,000. Integer milli-units make "never negative" and "never
//! above the cap" exact checks in the token buckets.

/// Bytes covered by one read unit (MODEL.md §1.1: "for an item up to 4 KB in size").
pub const READ_UNIT_BYTES: u64 = 4_096;
/// Bytes covered by one write unit (MODEL.md §1.1: "for an item up to 1 KB in size").
pub const WRITE_UNIT_BYTES: u64 = 1_024;
/// Milli-units in one capacity unit.
pub const MILLI: u64 = 1_000;

/// How a read is served, which sets its price per 4 KB (MODEL.md §1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Half a unit per 4 KB: DynamoDB's default.
    Eventual,
    /// One unit per 4 KB.
    Strong,
    /// Two units per 4 KB (TransactGetItems).
    Transactional,
}

impl Consistency {
    /// Milli-units charged per started 4 KB.
    pub const fn milli_per_block(self) -> u64 {
        match self {
            Consistency::Eventual => MILLI / 2,
            Consistency::Strong => MILLI,
            Consistency::Transactional => 2 * MILLI,
        }
    }
}

/// Read milli-units for one item read by GetItem (or one item of a BatchGetItem): the size
/// rounded up to 4 KB. A missing item (size 0) still costs one 4 KB block (MODEL.md §1.3,
/// "Non-existent item", example A7).
pub const fn read_milli(item_bytes: u64, consistency: Consistency) -> u64 {
    let blocks = item_bytes.div_ceil(READ_UNIT_BYTES);
    let blocks = if blocks == 0 { 1 } else { blocks };
    blocks * consistency.milli_per_block()
}

/// Write milli-units for one item written: the size rounded up to 1 KB, at least one unit,
/// doubled for a transactional write (MODEL.md §1.3).
pub const fn write_milli(item_bytes: u64, transactional: bool) -> u64 {
    let blocks = item_bytes.div_ceil(WRITE_UNIT_BYTES);
    let blocks = if blocks == 0 { 1 } else { blocks };
    blocks * MILLI * if transactional { 2 } else { 1 }
}

/// Write milli-units for a PutItem or UpdateItem that replaces an item: "the larger of the two"
/// sizes counts (MODEL.md §1.3). `before_bytes` is 0 when no item existed.
pub const fn replace_write_milli(before_bytes: u64, after_bytes: u64, transactional: bool) -> u64 {
    let larger = if before_bytes > after_bytes { before_bytes } else { after_bytes };
    write_milli(larger, transactional)
}

/// Milli-units as capacity units, for reports.
pub fn milli_to_units(milli: u64) -> f64 {
    milli as f64 / MILLI as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use Consistency::*;

    const KB: u64 = 1_024;

    /// MODEL.md §12 A4-A7: single-item reads.
    #[test]
    fn model_examples_single_item_reads() {
        let check = |bytes: u64, c: Consistency, units: f64| {
            assert_eq!(milli_to_units(read_milli(bytes, c)), units, "{bytes} B {c:?}")
        };
        check(3_500, Strong, 1.0); // A4
        check(3_500, Eventual, 0.5);
        check(3_500, Transactional, 2.0);
        check(8 * KB, Strong, 2.0); // A5
        check(8 * KB, Eventual, 1.0);
        check(8 * KB, Transactional, 4.0);
        check(10 * KB, Strong, 3.0); // A6
        check(10 * KB, Eventual, 1.5);
        check(0, Strong, 1.0); // A7: missing item
        check(0, Eventual, 0.5);
        check(15 * KB / 2, Strong, 2.0); // A11: 7.5 KB
    }

    /// MODEL.md §12 A8-A11: single-item writes.
    #[test]
    fn model_examples_single_item_writes() {
        assert_eq!(write_milli(1_638, false), 2_000); // A8: 1.6 KB
        assert_eq!(write_milli(500, false), 1_000); // A8: 500 B
        assert_eq!(replace_write_milli(3_277, 922, false), 4_000); // A9: 3.2 KB before, 0.9 after
        assert_eq!(write_milli(3 * KB, false), 3_000); // A11
        assert_eq!(write_milli(3 * KB, true), 6_000); // A11
        assert_eq!(write_milli(15 * KB / 2, false), 8_000); // A11: 7.5 KB
    }

    /// MODEL.md §1.4: 80 SC reads/s of 3 KB need 80 RCU; 100 writes/s of 512 B need 100 WCU.
    #[test]
    fn model_capacity_planning_examples() {
        assert_eq!(80 * read_milli(3 * KB, Strong), 80 * MILLI);
        assert_eq!(100 * write_milli(512, false), 100 * MILLI);
    }
}
