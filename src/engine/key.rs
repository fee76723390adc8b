//! Key values and the partition-key hash (MODEL.md §2.3).
//!
//! DynamoDB's hash function is not disclosed; MODEL.md §2.3 recommends a uniform 64-bit hash of
//! the partition-key value. Items are ordered by (hash of the partition key, partition key,
//! sort key), so a partition owns a contiguous range of that order and an item collection is
//! kept sorted by sort key. Numeric keys are hashed with an integer mixer, so the simulator's
//! hot path never formats or hashes a string. String values are reference-counted, so a
//! workload can keep each of its string values built once and clone it per request without
//! allocating; they are thin pointers, so a `KeyValue` is 16 bytes (DESIGN.md's memory target
//! is per stored item).

use super::shared::{SharedBytes, SharedStr};
use crate::rng::{hash_bytes, mix64};
use std::cmp::Ordering;
use std::fmt;

/// A key attribute's value. Key attributes are scalars: number, string or binary.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyValue {
    /// A number key (integral values; the workload generators produce these).
    N(i64),
    /// A string key; cloning shares the text (no allocation). Build it with `"text".into()`.
    S(SharedStr),
    /// A binary key; cloning shares the bytes (no allocation).
    B(SharedBytes),
}

impl KeyValue {
    /// The 64-bit hash that places a partition-key value in the table's key space. Inline:
    /// workloads hash a freshly drawn number on every request.
    #[inline]
    pub fn hash(&self) -> u64 {
        match self {
            KeyValue::N(n) => KeyValue::number_hash(*n),
            KeyValue::S(s) => hash_bytes(s.as_bytes()) ^ 0x5300_0000_0000_0053,
            KeyValue::B(b) => hash_bytes(b) ^ 0x4200_0000_0000_0042,
        }
    }

    /// The hash of the number `n` as a key value: `KeyValue::N(n).hash()`, cheap enough that the
    /// item store recomputes it rather than storing it.
    #[inline]
    pub fn number_hash(n: i64) -> u64 {
        mix64((n as u64) ^ 0x4e00_0000_0000_004e)
    }

    /// Size of the value in bytes by MODEL.md §1.2 (without the attribute name): UTF-8 bytes
    /// for strings, raw bytes for binary, and for numbers 1 byte per two significant digits
    /// plus 1.
    pub fn size_bytes(&self) -> u64 {
        match self {
            KeyValue::N(n) => number_size_bytes(*n),
            KeyValue::S(s) => s.len() as u64,
            KeyValue::B(b) => b.len() as u64,
        }
    }

    fn type_rank(&self) -> u8 {
        match self {
            KeyValue::N(_) => 0,
            KeyValue::S(_) => 1,
            KeyValue::B(_) => 2,
        }
    }
}

/// The most bytes an integral number value takes: 19 significant digits (an i64) in 10 bytes,
/// plus 1.
pub const MAX_NUMBER_BYTES: u64 = 11;

/// Bytes of an integral number value: 1 byte per two significant digits (leading and trailing
/// zeroes trimmed) plus 1 (MODEL.md §1.2, example A2).
pub fn number_size_bytes(n: i64) -> u64 {
    let mut v = n.unsigned_abs();
    if v == 0 {
        return 2;
    }
    while v.is_multiple_of(10) {
        v /= 10;
    }
    let digits = u64::from(v.ilog10()) + 1;
    digits.div_ceil(2) + 1
}

impl Ord for KeyValue {
    /// Numbers order numerically, strings and binaries bytewise (DynamoDB's sort-key order).
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (KeyValue::N(a), KeyValue::N(b)) => a.cmp(b),
            (KeyValue::S(a), KeyValue::S(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyValue::B(a), KeyValue::B(b)) => a.cmp(b),
            _ => self.type_rank().cmp(&other.type_rank()),
        }
    }
}

impl PartialOrd for KeyValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for KeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyValue::N(n) => write!(f, "{n}"),
            KeyValue::S(s) => write!(f, "{s}"),
            KeyValue::B(b) => {
                for byte in b.iter() {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// The primary key of an item, with the partition-key hash computed once.
///
/// Ordering is (hash, partition key, sort key): the order of DynamoDB's key space
/// (MODEL.md §2.3), in which every partition owns a contiguous range.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    /// Hash of the partition key.
    pub hash: u64,
    /// The partition-key value.
    pub partition: KeyValue,
    /// The sort-key value, for tables with a sort key.
    pub sort: Option<KeyValue>,
}

impl ItemKey {
    /// The key of an item with partition key `partition` and optional sort key `sort`.
    pub fn new(partition: KeyValue, sort: Option<KeyValue>) -> ItemKey {
        ItemKey { hash: partition.hash(), partition, sort }
    }

    /// Bytes that the key values take (without attribute names).
    pub fn value_bytes(&self) -> u64 {
        self.partition.size_bytes() + self.sort.as_ref().map_or(0, KeyValue::size_bytes)
    }

    /// An upper bound of [`ItemKey::value_bytes`] that costs no digit counting.
    #[inline]
    pub fn value_bytes_at_most(&self) -> u64 {
        let at_most = |v: &KeyValue| match v {
            KeyValue::N(_) => MAX_NUMBER_BYTES,
            other => other.size_bytes(),
        };
        at_most(&self.partition) + self.sort.as_ref().map_or(0, at_most)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_of_a_keys_bytes_holds_for_extreme_numbers() {
        for n in [0, 1, -1, 10, 123_456, 1_234_567_890_123_456_789, i64::MAX, i64::MIN, i64::MIN + 1] {
            let key = ItemKey::new(KeyValue::N(n), Some(KeyValue::N(n)));
            assert!(key.value_bytes() <= key.value_bytes_at_most(), "{n}");
        }
        assert_eq!(number_size_bytes(i64::MAX), MAX_NUMBER_BYTES);
        let key = ItemKey::new(KeyValue::S("user#42".into()), None);
        assert_eq!(key.value_bytes_at_most(), 7);
    }

    /// MODEL.md §12 A2: 123456 has 6 significant digits, so 1 + 3 + 1 = 5 bytes with the
    /// one-byte name "n".
    #[test]
    fn number_sizes_follow_the_significant_digit_rule() {
        assert_eq!(1 + number_size_bytes(123_456), 5);
        assert_eq!(number_size_bytes(7), 2);
        assert_eq!(number_size_bytes(1_000_000), 2); // trailing zeroes trimmed
        assert_eq!(number_size_bytes(-12), 2);
        assert_eq!(number_size_bytes(0), 2);
        assert_eq!(number_size_bytes(i64::MIN), 11);
    }

    #[test]
    fn sort_keys_order_numerically_and_bytewise() {
        assert!(KeyValue::N(9) < KeyValue::N(10));
        assert!(KeyValue::S("a".into()) < KeyValue::S("b".into()));
        assert!(KeyValue::S("Z".into()) < KeyValue::S("a".into()));
        assert!(KeyValue::N(i64::MAX) < KeyValue::S("".into()), "numbers before strings");
    }

    /// The string representation is shared, not copied, and its hash and size are those of the
    /// text: the same as when strings were boxed. A key value is 16 bytes, with or without an
    /// `Option` around it.
    #[test]
    fn string_values_share_their_text_and_keep_hash_and_size() {
        let a = KeyValue::S("2024-06-01#3".into());
        let b = a.clone();
        match (&a, &b) {
            (KeyValue::S(x), KeyValue::S(y)) => assert!(SharedStr::ptr_eq(x, y)),
            _ => panic!("strings"),
        }
        assert_eq!(a.hash(), hash_bytes(b"2024-06-01#3") ^ 0x5300_0000_0000_0053);
        assert_eq!(a.size_bytes(), 12);
        assert_eq!(KeyValue::S("é".into()).size_bytes(), 2, "UTF-8 bytes");
        assert_eq!(std::mem::size_of::<KeyValue>(), 16);
        assert_eq!(std::mem::size_of::<Option<KeyValue>>(), 16);
    }

    #[test]
    fn item_keys_order_by_hash_first() {
        let a = ItemKey::new(KeyValue::N(1), Some(KeyValue::N(5)));
        let b = ItemKey::new(KeyValue::N(1), Some(KeyValue::N(6)));
        let c = ItemKey::new(KeyValue::N(2), None);
        assert!(a < b, "same partition key: sort key order");
        assert_eq!(a.hash.cmp(&c.hash), a.cmp(&c), "different partition keys: hash order");
    }

    #[test]
    fn hashes_spread_consecutive_numbers() {
        let mut top_bits = [0u32; 16];
        for n in 0..16_000 {
            top_bits[(KeyValue::N(n).hash() >> 60) as usize] += 1;
        }
        for count in top_bits {
            assert!((800..1_200).contains(&count), "{top_bits:?}");
        }
    }
}
