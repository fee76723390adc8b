//! Secondary indexes: their specs, the attributes a table tracks for them, index entries and
//! their sizes, and the write amplification rules (MODEL.md §7).
//!
//! An index entry is stored like an item of a table of its own: its partition key is the
//! index's partition-key value, and its sort key is a binary value that encodes (the index's
//! sort-key value, the base partition key, the base sort key) in an order-preserving,
//! self-delimiting form. So entries with equal index keys stay distinct (DynamoDB's indexes do
//! not require unique keys), an index's item collection is ordered by the index's sort key, and
//! a sort-key condition on the index is a byte range of the encoding ([`encoded_range`]).
//!
//! Invariant: the encoding preserves order: for values `a < b` of one type,
//! `encode(a) < encode(b)`, and no encoding is a prefix of another, so concatenations order as
//! tuples.

use super::key::{ItemKey, KeyValue};
use super::units::write_milli;
use std::ops::Bound;

/// Global or local.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndexKind {
    /// A global secondary index: its own partitions and capacity, updated asynchronously,
    /// eventually consistent reads only (MODEL.md §7.1).
    Global,
    /// A local secondary index: the base table's partition key, partitions and capacity, strongly
    /// consistent reads allowed (MODEL.md §7.2).
    Local,
}

/// Which attributes an index entry carries besides the keys (MODEL.md §7.1, §7.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projection {
    /// The base table's and the index's key attributes only.
    KeysOnly,
    /// The keys plus the named attributes.
    Include(Vec<String>),
    /// The whole item.
    All,
}

/// A secondary index as declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    /// Index name.
    pub name: String,
    /// Global or local.
    pub kind: IndexKind,
    /// The index's partition-key attribute (for a local index, the table's partition key).
    pub partition_key: String,
    /// The index's sort-key attribute, if any (a local index always has one).
    pub sort_key: Option<String>,
    /// Projected attributes.
    pub projection: Projection,
}

/// Where an attribute's value is kept for a stored item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrRef {
    /// The base table's partition key.
    Partition,
    /// The base table's sort key.
    Sort,
    /// The `n`-th tracked attribute.
    Tracked(u16),
}

/// An index with its attributes resolved against the table's schema.
#[derive(Clone, Debug)]
pub struct ResolvedIndex {
    /// The declaration.
    pub spec: IndexSpec,
    /// The index's partition key.
    pub partition: AttrRef,
    /// The index's sort key.
    pub sort: Option<AttrRef>,
    /// Attributes projected besides the keys (INCLUDE).
    pub include: Vec<(AttrRef, u64)>,
    /// Bytes of the names of the index key attributes that are not also base key attributes.
    extra_key_name_bytes: u64,
}

/// The base table's key names and indexes, and the tracked attributes the indexes need.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// The base partition key's name.
    pub partition_key: String,
    /// The base sort key's name.
    pub sort_key: Option<String>,
    /// Names of the tracked attributes: every attribute an index keys on or projects that is
    /// not a base key attribute, in first-use order.
    pub tracked: Vec<String>,
    /// The indexes, in declaration order.
    pub indexes: Vec<ResolvedIndex>,
}

/// One index entry: its key in the index's key space and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Key in the index's store.
    pub key: ItemKey,
    /// Entry size in bytes (MODEL.md §7.1: "the index entry size (projected attributes)").
    pub bytes: u64,
}

impl Schema {
    /// Resolves `indexes` against a table keyed by `partition_key` and `sort_key`.
    pub fn new(partition_key: &str, sort_key: Option<&str>, indexes: &[IndexSpec]) -> Schema {
        let mut schema = Schema {
            partition_key: partition_key.to_string(),
            sort_key: sort_key.map(str::to_string),
            tracked: Vec::new(),
            indexes: Vec::new(),
        };
        for spec in indexes {
            let partition = schema.intern(&spec.partition_key);
            let sort = spec.sort_key.as_deref().map(|s| schema.intern(s));
            let include = match &spec.projection {
                Projection::Include(names) => {
                    names.iter().map(|n| (schema.intern(n), n.len() as u64)).collect()
                }
                _ => Vec::new(),
            };
            let extra_key_name_bytes = [Some(&spec.partition_key), spec.sort_key.as_ref()]
                .into_iter()
                .flatten()
                .filter(|n| !schema.is_base_key(n))
                .map(|n| n.len() as u64)
                .sum();
            schema.indexes.push(ResolvedIndex {
                spec: spec.clone(),
                partition,
                sort,
                include,
                extra_key_name_bytes,
            });
        }
        schema
    }

    fn is_base_key(&self, name: &str) -> bool {
        name == self.partition_key || self.sort_key.as_deref() == Some(name)
    }

    /// The reference of attribute `name`, adding it to the tracked attributes if needed.
    fn intern(&mut self, name: &str) -> AttrRef {
        if name == self.partition_key {
            return AttrRef::Partition;
        }
        if self.sort_key.as_deref() == Some(name) {
            return AttrRef::Sort;
        }
        let at = self.tracked.iter().position(|t| t == name).unwrap_or_else(|| {
            self.tracked.push(name.to_string());
            self.tracked.len() - 1
        });
        AttrRef::Tracked(at as u16)
    }

    /// The reference of attribute `name`, if the table keeps its value: a base key attribute or
    /// a tracked one.
    pub fn attr(&self, name: &str) -> Option<AttrRef> {
        if name == self.partition_key {
            return Some(AttrRef::Partition);
        }
        if self.sort_key.as_deref() == Some(name) {
            return Some(AttrRef::Sort);
        }
        self.tracked.iter().position(|t| t == name).map(|i| AttrRef::Tracked(i as u16))
    }

    /// Position of index `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.indexes.iter().position(|i| i.spec.name == name)
    }

    /// Bytes the base key attributes take with their names.
    fn base_key_bytes(&self, key: &ItemKey) -> u64 {
        self.partition_key.len() as u64
            + key.sort.as_ref().map_or(0, |_| self.sort_key.as_ref().map_or(0, |s| s.len() as u64))
            + key.value_bytes()
    }

    /// Bytes of tracked attributes `attrs` with their names.
    pub fn tracked_bytes(&self, attrs: &[Option<KeyValue>]) -> u64 {
        attrs
            .iter()
            .zip(&self.tracked)
            .filter_map(|(v, name)| v.as_ref().map(|v| name.len() as u64 + v.size_bytes()))
            .sum()
    }

    /// The entry of an item in index `index`, or `None` if the item lacks one of the index's
    /// key attributes (a sparse index, MODEL.md §7.1). `item_bytes` is the item's size.
    pub fn entry(
        &self,
        index: usize,
        key: &ItemKey,
        attrs: &[Option<KeyValue>],
        item_bytes: u64,
    ) -> Option<Entry> {
        let ix = &self.indexes[index];
        let value = |r: AttrRef| -> Option<&KeyValue> {
            match r {
                AttrRef::Partition => Some(&key.partition),
                AttrRef::Sort => key.sort.as_ref(),
                AttrRef::Tracked(i) => attrs.get(usize::from(i))?.as_ref(),
            }
        };
        let partition = value(ix.partition)?;
        let sort = match ix.sort {
            Some(r) => Some(value(r)?),
            None => None,
        };
        let mut encoded = Vec::with_capacity(32);
        if let Some(sort) = sort {
            encode(&mut encoded, sort);
        }
        if ix.spec.kind == IndexKind::Global {
            encode(&mut encoded, &key.partition);
        }
        if let Some(base_sort) = &key.sort {
            encode(&mut encoded, base_sort);
        }
        let index_key_bytes = ix.extra_key_name_bytes
            + [Some(ix.partition), ix.sort]
                .into_iter()
                .flatten()
                .filter(|r| matches!(r, AttrRef::Tracked(_)))
                .filter_map(|r| value(r).map(KeyValue::size_bytes))
                .sum::<u64>();
        let keys = self.base_key_bytes(key) + index_key_bytes;
        let bytes = match &ix.spec.projection {
            Projection::KeysOnly => keys,
            Projection::Include(_) => {
                keys + ix
                    .include
                    .iter()
                    .filter(|(r, _)| matches!(r, AttrRef::Tracked(_)))
                    .filter_map(|&(r, name)| value(r).map(|v| name + v.size_bytes()))
                    .sum::<u64>()
            }
            Projection::All => item_bytes.max(keys),
        };
        let entry_key = ItemKey::new(partition.clone(), Some(KeyValue::B(encoded.as_slice().into())));
        Some(Entry { key: entry_key, bytes })
    }

    /// Whether a write that replaced attributes `before` with `after` changed what index
    /// `index` projects (its keys equal): for ALL, any write; for INCLUDE, an included value;
    /// for KEYS_ONLY, nothing.
    pub fn projection_changed(
        &self,
        index: usize,
        before: &[Option<KeyValue>],
        after: &[Option<KeyValue>],
        sizes: (u64, u64),
    ) -> bool {
        let ix = &self.indexes[index];
        match &ix.spec.projection {
            Projection::KeysOnly => false,
            Projection::All => true,
            Projection::Include(_) => {
                sizes.0 != sizes.1
                    || ix.include.iter().any(|(r, _)| match r {
                        AttrRef::Tracked(i) => before.get(usize::from(*i)) != after.get(usize::from(*i)),
                        _ => false,
                    })
            }
        }
    }
}

/// The index writes one base-table write causes in one index (MODEL.md §7.1's table): the
/// entry removed (if any) and the entry put (if any), with their write milli-units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexChange {
    /// An entry deleted from the index.
    pub delete: Option<Entry>,
    /// An entry written to the index.
    pub put: Option<Entry>,
    /// Write milli-units the index consumes.
    pub milli: u64,
}

/// MODEL.md §7.1's write amplification for one index: an item entering or leaving the index is
/// one write; a changed index key a delete and a put (two writes); a change to projected
/// attributes only one write; nothing otherwise. Each write is the entry's size rounded up to
/// 1 KB (doubled in a transaction).
pub fn index_change(
    before: Option<Entry>,
    after: Option<Entry>,
    projection_changed: bool,
    transactional: bool,
) -> IndexChange {
    let w = |e: &Entry| write_milli(e.bytes, transactional);
    match (before, after) {
        (None, None) => IndexChange::default(),
        (None, Some(put)) => IndexChange { milli: w(&put), delete: None, put: Some(put) },
        (Some(delete), None) => IndexChange { milli: w(&delete), delete: Some(delete), put: None },
        (Some(old), Some(new)) if old.key != new.key => {
            IndexChange { milli: w(&old) + w(&new), delete: Some(old), put: Some(new) }
        }
        (Some(old), Some(new)) => {
            if projection_changed || old.bytes != new.bytes {
                let milli = write_milli(old.bytes.max(new.bytes), transactional);
                IndexChange { milli, delete: None, put: Some(new) }
            } else {
                IndexChange::default()
            }
        }
    }
}

const TAG_N: u8 = 0x10;
const TAG_S: u8 = 0x20;
const TAG_B: u8 = 0x30;
/// Greater than every byte an encoding starts with or continues with after its content.
const AFTER: u8 = 0xFF;

/// Appends the order-preserving, self-delimiting encoding of `value`: numbers as a tag and
/// their bits with the sign flipped (big-endian), strings and binaries as a tag, their bytes
/// with 0x00 escaped as 0x00 0xFF, and the terminator 0x00 0x00.
pub fn encode(out: &mut Vec<u8>, value: &KeyValue) {
    match value {
        KeyValue::N(n) => {
            out.push(TAG_N);
            out.extend_from_slice(&((*n as u64) ^ (1 << 63)).to_be_bytes());
        }
        KeyValue::S(s) => {
            out.push(TAG_S);
            escape(out, s.as_bytes());
            out.extend_from_slice(&[0, 0]);
        }
        KeyValue::B(b) => {
            out.push(TAG_B);
            escape(out, b);
            out.extend_from_slice(&[0, 0]);
        }
    }
}

fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(AFTER);
        }
    }
}

/// The values of a concatenation of [`encode`]d values, or `None` if it is not one.
pub fn decode_all(mut bytes: &[u8]) -> Option<Vec<KeyValue>> {
    let mut values = Vec::new();
    while let Some((&tag, rest)) = bytes.split_first() {
        match tag {
            TAG_N => {
                let (n, rest) = rest.split_first_chunk::<8>()?;
                values.push(KeyValue::N((u64::from_be_bytes(*n) ^ (1 << 63)) as i64));
                bytes = rest;
            }
            TAG_S | TAG_B => {
                let mut out = Vec::new();
                let mut i = 0;
                loop {
                    match (rest.get(i)?, rest.get(i + 1)) {
                        (0, Some(0)) => break,
                        (0, Some(&AFTER)) => {
                            out.push(0);
                            i += 2;
                        }
                        (&b, _) => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                bytes = &rest[i + 2..];
                values.push(if tag == TAG_S {
                    KeyValue::S(String::from_utf8(out).ok()?.into())
                } else {
                    KeyValue::B(out.as_slice().into())
                });
            }
            _ => return None,
        }
    }
    Some(values)
}

fn encoded(value: &KeyValue) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, value);
    out
}

/// A condition on a sort key (Query's `KeyConditionExpression` on the sort key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortCondition {
    /// Every sort key.
    Any,
    /// `= v`.
    Eq(KeyValue),
    /// `< v`.
    Lt(KeyValue),
    /// `<= v`.
    Le(KeyValue),
    /// `> v`.
    Gt(KeyValue),
    /// `>= v`.
    Ge(KeyValue),
    /// `BETWEEN a AND b` (both included).
    Between(KeyValue, KeyValue),
    /// `begins_with(sk, prefix)`, for string and binary keys.
    BeginsWith(KeyValue),
}

impl SortCondition {
    /// Whether sort key `sk` satisfies the condition.
    pub fn matches(&self, sk: &KeyValue) -> bool {
        match self {
            SortCondition::Any => true,
            SortCondition::Eq(v) => sk == v,
            SortCondition::Lt(v) => sk < v,
            SortCondition::Le(v) => sk <= v,
            SortCondition::Gt(v) => sk > v,
            SortCondition::Ge(v) => sk >= v,
            SortCondition::Between(a, b) => a <= sk && sk <= b,
            SortCondition::BeginsWith(p) => match (sk, p) {
                (KeyValue::S(s), KeyValue::S(p)) => s.starts_with(&**p),
                (KeyValue::B(s), KeyValue::B(p)) => s.starts_with(p),
                _ => false,
            },
        }
    }

    /// The range of raw sort keys the condition selects, as bounds on [`KeyValue`] (the base
    /// table's sort key). `begins_with` is bounded below only; callers stop at the first key
    /// that does not match.
    pub fn raw_range(&self) -> (Bound<KeyValue>, Bound<KeyValue>) {
        use Bound::*;
        match self.clone() {
            SortCondition::Any => (Unbounded, Unbounded),
            SortCondition::Eq(v) => (Included(v.clone()), Included(v)),
            SortCondition::Lt(v) => (Unbounded, Excluded(v)),
            SortCondition::Le(v) => (Unbounded, Included(v)),
            SortCondition::Gt(v) => (Excluded(v), Unbounded),
            SortCondition::Ge(v) => (Included(v), Unbounded),
            SortCondition::Between(a, b) => (Included(a), Included(b)),
            SortCondition::BeginsWith(p) => (Included(p), Unbounded),
        }
    }

    /// The range of encoded index sort keys (see the module doc) whose leading sort-key value
    /// satisfies the condition.
    pub fn encoded_range(&self) -> (Bound<KeyValue>, Bound<KeyValue>) {
        use Bound::*;
        let b = |bytes: Vec<u8>| KeyValue::B(bytes.as_slice().into());
        let after = |v: &KeyValue| {
            let mut e = encoded(v);
            e.push(AFTER);
            b(e)
        };
        match self {
            SortCondition::Any => (Unbounded, Unbounded),
            SortCondition::Eq(v) => (Included(b(encoded(v))), Excluded(after(v))),
            SortCondition::Lt(v) => (Unbounded, Excluded(b(encoded(v)))),
            SortCondition::Le(v) => (Unbounded, Excluded(after(v))),
            SortCondition::Gt(v) => (Included(after(v)), Unbounded),
            SortCondition::Ge(v) => (Included(b(encoded(v))), Unbounded),
            SortCondition::Between(lo, hi) => (Included(b(encoded(lo))), Excluded(after(hi))),
            SortCondition::BeginsWith(p) => {
                let (tag, bytes): (u8, &[u8]) = match p {
                    KeyValue::S(s) => (TAG_S, s.as_bytes()),
                    KeyValue::B(bytes) => (TAG_B, bytes),
                    KeyValue::N(_) => return (Excluded(b(vec![AFTER])), Excluded(b(vec![AFTER]))),
                };
                let mut lo = vec![tag];
                escape(&mut lo, bytes);
                let mut hi = lo.clone();
                hi.push(AFTER);
                (Included(b(lo)), Excluded(b(hi)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(text: &str) -> KeyValue {
        KeyValue::S(text.into())
    }

    fn value() -> impl Strategy<Value = KeyValue> {
        prop_oneof![any::<i64>().prop_map(KeyValue::N), "[a-c\\x00]{0,4}".prop_map(|t| KeyValue::S(t.into())),]
    }

    proptest! {
        /// Concatenated encodings order as tuples of values.
        #[test]
        fn encoding_preserves_tuple_order(a in value(), b in value(), c in value(), d in value()) {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            encode(&mut x, &a);
            encode(&mut x, &b);
            encode(&mut y, &c);
            encode(&mut y, &d);
            prop_assert_eq!(x.cmp(&y), (&a, &b).cmp(&(&c, &d)));
            prop_assert_eq!(decode_all(&x), Some(vec![a, b]));
        }

        /// An encoded range holds exactly the composites whose leading value satisfies the
        /// condition.
        #[test]
        fn encoded_ranges_select_what_the_condition_matches(lead in value(), rest in value(), v in value(), w in value(), which in 0u8..8) {
            let condition = match which {
                0 => SortCondition::Eq(v.clone()),
                1 => SortCondition::Lt(v.clone()),
                2 => SortCondition::Le(v.clone()),
                3 => SortCondition::Gt(v.clone()),
                4 => SortCondition::Ge(v.clone()),
                5 => SortCondition::Between(v.clone().min(w.clone()), v.clone().max(w.clone())),
                6 => SortCondition::BeginsWith(v.clone()),
                _ => SortCondition::Any,
            };
            let mut composite = Vec::new();
            encode(&mut composite, &lead);
            encode(&mut composite, &rest);
            let composite = KeyValue::B(composite.into());
            let (lo, hi) = condition.encoded_range();
            let inside = std::ops::RangeBounds::contains(&(lo.as_ref(), hi.as_ref()), &composite);
            prop_assert_eq!(inside, condition.matches(&lead), "{:?} {:?}", condition, lead);
        }
    }

    fn schema(projection: Projection) -> Schema {
        let gsi = IndexSpec {
            name: "ByStatus".into(),
            kind: IndexKind::Global,
            partition_key: "Status".into(),
            sort_key: Some("OrderDate".into()),
            projection,
        };
        Schema::new("OrderId", None, &[gsi])
    }

    #[test]
    fn sparse_items_have_no_entry_and_keys_only_entries_weigh_the_keys() {
        let schema = schema(Projection::KeysOnly);
        assert_eq!(schema.tracked, ["Status", "OrderDate"]);
        let key = ItemKey::new(KeyValue::N(12), None);
        assert_eq!(schema.entry(0, &key, &[None, Some(KeyValue::N(5))], 800), None, "no Status: sparse");
        let entry = schema.entry(0, &key, &[Some(s("open")), Some(KeyValue::N(5))], 800).expect("indexed");
        // OrderId (7) + 12 (2 bytes) + Status (6) + "open" (4) + OrderDate (9) + 5 (2 bytes).
        assert_eq!(entry.bytes, 7 + 2 + 6 + 4 + 9 + 2);
        assert_eq!(entry.key.partition, s("open"));
    }

    /// MODEL.md §12 B11: an update that moves an item from GSI key A to B costs the GSI a delete
    /// and a put (2 WCU for a 0.3 KB entry); changing only a projected attribute costs 1.
    #[test]
    fn model_example_b11_write_amplification() {
        let schema = schema(Projection::All);
        let key = ItemKey::new(KeyValue::N(1), None);
        let a = schema.entry(0, &key, &[Some(s("A")), Some(KeyValue::N(1))], 300);
        let b = schema.entry(0, &key, &[Some(s("B")), Some(KeyValue::N(1))], 300);
        let change = index_change(a.clone(), b.clone(), true, false);
        assert_eq!(change.milli, 2_000);
        assert!(change.delete.is_some() && change.put.is_some());
        assert_eq!(index_change(a.clone(), a.clone(), true, false).milli, 1_000);
        assert_eq!(index_change(None, a.clone(), true, false).milli, 1_000, "entering the index");
        assert_eq!(index_change(a.clone(), None, true, false).milli, 1_000, "leaving the index");
        assert_eq!(index_change(None, None, true, false).milli, 0);
        let keys_only = Schema::new("OrderId", None, &[schema.indexes[0].spec.clone()]);
        assert!(
            !keys_only.projection_changed(0, &[], &[], (1, 1))
                || keys_only.indexes[0].spec.projection == Projection::All
        );
    }
}
