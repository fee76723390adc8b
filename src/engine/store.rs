//! The items of one partition, in key-space order: (partition-key hash, partition key, sort key).
//!
//! Point operations go through hash tables keyed by the 64-bit partition-key hash, so a get
//! touches one or two cache lines however large the partition. Each stored item costs little
//! beyond its key (DESIGN.md, "Performance": at most 48 bytes), so the entries are as small as
//! their kind allows, in three tables:
//!
//! - `numbers`: items without a sort key whose partition key is a number and whose hash is that
//!   number's own ([`KeyValue::number_hash`]), the common case of a generated workload. The hash
//!   is recomputed (a multiply-shift mixer) rather than stored: 24 bytes per entry.
//! - `others`: every other item without a sort key (string or binary partition keys, or an
//!   [`ItemKey`] built with some other hash), with its hash stored: 32 bytes.
//! - `collections`: the items with a sort key, one entry per partition-key value, holding one
//!   item inline or a map sorted by sort key.
//!
//! Two partition keys with the same hash are two entries, told apart by partition key, so
//! nothing is lost on a collision.
//!
//! Invariant: every ordered view ([`ItemStore::iter`], splits) sorts by (hash, partition key,
//! sort key), the order DynamoDB's key space is partitioned in (MODEL.md §2.3), an item without
//! a sort key before any with one. The hash tables' own order is never observed, so results do
//! not depend on it.

use super::key::{ItemKey, KeyValue};
use super::partition::StoredItem;
use crate::rng::mix64;
use hashbrown::hash_table::{Entry, HashTable};
use std::collections::btree_map::{self, BTreeMap};
use std::ops::Bound;

/// An item without a sort key whose partition key is a number with its own hash.
#[derive(Clone, Debug)]
struct Number {
    partition: KeyValue,
    item: StoredItem,
}

/// Any other item without a sort key.
#[derive(Clone, Debug)]
struct Other {
    hash: u64,
    partition: KeyValue,
    item: StoredItem,
}

/// The items with a sort key of one partition-key value: an item collection.
#[derive(Clone, Debug)]
struct Collection {
    hash: u64,
    partition: KeyValue,
    items: Sorted,
}

/// A collection's items by sort key. Boxed when there are several, so that a collection of one
/// (common in tables whose collections are small) takes no more room than its item.
#[derive(Clone, Debug)]
enum Sorted {
    One(KeyValue, StoredItem),
    /// Two items or more.
    #[expect(clippy::box_collection, reason = "boxed, the map fits beside `One` in 24 bytes")]
    Many(Box<BTreeMap<KeyValue, StoredItem>>),
}

/// What the three kinds of entry share: the hash that places them in the key space.
trait Slot {
    fn hash(&self) -> u64;
}

impl Slot for Number {
    #[inline]
    fn hash(&self) -> u64 {
        self.partition.hash()
    }
}

impl Slot for Other {
    fn hash(&self) -> u64 {
        self.hash
    }
}

impl Slot for Collection {
    fn hash(&self) -> u64 {
        self.hash
    }
}

/// The items of one partition.
#[derive(Clone, Debug, Default)]
pub struct ItemStore {
    numbers: HashTable<Number>,
    others: HashTable<Other>,
    collections: HashTable<Collection>,
    len: u64,
}

/// The tables' own hash of a partition-key hash. A partition owns a contiguous hash range, so
/// the top bits of its hashes are nearly equal; the tables need every bit uniform.
#[inline]
fn table_hash(hash: u64) -> u64 {
    mix64(hash)
}

/// Whether an item without a sort key belongs in `numbers`.
#[inline]
fn is_number(hash: u64, partition: &KeyValue) -> bool {
    matches!(partition, KeyValue::N(n) if KeyValue::number_hash(*n) == hash)
}

impl Sorted {
    fn get(&self, sort: &KeyValue) -> Option<&StoredItem> {
        match self {
            Sorted::One(sk, item) => (sk == sort).then_some(item),
            Sorted::Many(items) => items.get(sort),
        }
    }

    fn len(&self) -> u64 {
        match self {
            Sorted::One(..) => 1,
            Sorted::Many(items) => items.len() as u64,
        }
    }

    /// The items whose sort keys lie within `(lower, upper)`.
    fn range<'a>(&'a self, lower: Bound<&KeyValue>, upper: Bound<&KeyValue>) -> CollectionIter<'a> {
        match self {
            Sorted::One(sk, item) if within(lower, upper, sk) => CollectionIter::One(Some((Some(sk), item))),
            Sorted::One(..) => CollectionIter::Empty,
            Sorted::Many(items) => {
                // `BTreeMap::range` panics on a range whose start is after its end.
                if matches!((lower, upper), (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) if l > u)
                {
                    return CollectionIter::Empty;
                }
                CollectionIter::Range(items.range::<KeyValue, _>((lower, upper)))
            }
        }
    }
}

fn within(lower: Bound<&KeyValue>, upper: Bound<&KeyValue>, key: &KeyValue) -> bool {
    std::ops::RangeBounds::contains(&(lower, upper), key)
}

/// What one (hash, partition key) holds, for the ordered views.
enum Held<'a> {
    One(&'a StoredItem),
    Sorted(&'a Sorted),
}

impl<'a> Held<'a> {
    /// An item without a sort key orders before any with one.
    fn rank(&self) -> u8 {
        match self {
            Held::One(_) => 0,
            Held::Sorted(_) => 1,
        }
    }

    fn items(self) -> CollectionIter<'a> {
        match self {
            Held::One(item) => CollectionIter::One(Some((None, item))),
            Held::Sorted(sorted) => sorted.range(Bound::Unbounded, Bound::Unbounded),
        }
    }
}

impl ItemStore {
    /// Number of items.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the store holds no item.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The item with `key`.
    #[inline]
    pub fn get(&self, key: &ItemKey) -> Option<&StoredItem> {
        let (hash, partition) = (key.hash, &key.partition);
        match &key.sort {
            None if is_number(hash, partition) => {
                self.numbers.find(table_hash(hash), |s| s.partition == *partition).map(|s| &s.item)
            }
            None => self.others.find(table_hash(hash), |s| s.matches(hash, partition)).map(|s| &s.item),
            Some(sort) => self.collection_of(hash, partition)?.items.get(sort),
        }
    }

    /// Inserts or replaces the item with `key`. `decide` sees the item stored now (if any) and
    /// returns the item to store, or a refusal, in which case nothing changes. Returns the item
    /// replaced.
    #[inline]
    pub fn upsert<R>(
        &mut self,
        key: ItemKey,
        decide: impl FnOnce(Option<StoredItem>) -> Result<StoredItem, R>,
    ) -> Result<Option<StoredItem>, R> {
        let ItemKey { hash, partition, sort } = key;
        let replaced = match sort {
            None if is_number(hash, &partition) => {
                match self.numbers.entry(table_hash(hash), |s| s.partition == partition, rehash) {
                    Entry::Occupied(o) => replace(&mut o.into_mut().item, decide)?,
                    Entry::Vacant(v) => {
                        v.insert(Number { partition, item: decide(None)? });
                        None
                    }
                }
            }
            None => match self.others.entry(table_hash(hash), |s| s.matches(hash, &partition), rehash) {
                Entry::Occupied(o) => replace(&mut o.into_mut().item, decide)?,
                Entry::Vacant(v) => {
                    v.insert(Other { hash, partition, item: decide(None)? });
                    None
                }
            },
            Some(sort) => {
                match self.collections.entry(table_hash(hash), |c| c.matches(hash, &partition), rehash) {
                    Entry::Occupied(o) => upsert_sorted(&mut o.into_mut().items, sort, decide)?,
                    Entry::Vacant(v) => {
                        v.insert(Collection { hash, partition, items: Sorted::One(sort, decide(None)?) });
                        None
                    }
                }
            }
        };
        if replaced.is_none() {
            self.len += 1;
        }
        Ok(replaced)
    }

    /// Removes the item with `key`, returning it.
    pub fn remove(&mut self, key: &ItemKey) -> Option<StoredItem> {
        let (hash, partition) = (key.hash, &key.partition);
        let removed = match &key.sort {
            None if is_number(hash, partition) => {
                self.numbers.find_entry(table_hash(hash), |s| s.partition == *partition).ok()?.remove().0.item
            }
            None => {
                self.others.find_entry(table_hash(hash), |s| s.matches(hash, partition)).ok()?.remove().0.item
            }
            Some(sort) => {
                let mut entry =
                    self.collections.find_entry(table_hash(hash), |c| c.matches(hash, partition)).ok()?;
                let items = &mut entry.get_mut().items;
                match items {
                    Sorted::One(sk, item) if sk == sort => {
                        let item = *item;
                        entry.remove();
                        item
                    }
                    Sorted::One(..) => return None,
                    Sorted::Many(map) => {
                        let item = map.remove(sort)?;
                        if map.len() == 1 {
                            let (sk, last) = map.pop_first().expect("one item left");
                            *items = Sorted::One(sk, last);
                        }
                        item
                    }
                }
            }
        };
        self.len -= 1;
        Some(removed)
    }

    /// The items of the item collection with partition key `partition` (whose hash is `hash`)
    /// whose sort keys lie within `(lower, upper)`, in ascending sort-key order (reverse the
    /// iterator for descending). For a table without a sort key, the one item with that key.
    /// (A table has a sort key or not, so a partition key never has items both with and
    /// without one; if it had, this would return only the one without.)
    pub fn collection<'a>(
        &'a self,
        hash: u64,
        partition: &KeyValue,
        lower: Bound<&KeyValue>,
        upper: Bound<&KeyValue>,
    ) -> CollectionIter<'a> {
        let single = if is_number(hash, partition) {
            self.numbers.find(table_hash(hash), |s| s.partition == *partition).map(|s| &s.item)
        } else {
            self.others.find(table_hash(hash), |s| s.matches(hash, partition)).map(|s| &s.item)
        };
        if let Some(item) = single {
            return CollectionIter::One(Some((None, item)));
        }
        match self.collection_of(hash, partition) {
            Some(collection) => collection.items.range(lower, upper),
            None => CollectionIter::Empty,
        }
    }

    fn collection_of(&self, hash: u64, partition: &KeyValue) -> Option<&Collection> {
        self.collections.find(table_hash(hash), |c| c.matches(hash, partition))
    }

    /// Items after `after` (exclusive) in key order, or from the start: the continuation of a
    /// paged scan. Sorts the remaining hashes, so it costs O(n log n) per call: for scans and
    /// reports, not hot paths.
    pub fn iter_from<'a>(
        &'a self,
        after: Option<&'a ItemKey>,
    ) -> impl Iterator<Item = (u64, &'a KeyValue, Option<&'a KeyValue>, &'a StoredItem)> + 'a {
        let from = after.map_or(0, |k| k.hash);
        self.iter_hashes(from).filter(move |(hash, pk, sk, _)| match after {
            None => true,
            Some(a) => (*hash, *pk, *sk) > (a.hash, &a.partition, a.sort.as_ref()),
        })
    }

    /// Moves every item with hash `at_hash` or above into a new store.
    pub fn split_off(&mut self, at_hash: u64) -> ItemStore {
        let mut moved = ItemStore::default();
        move_slots(&mut self.numbers, &mut moved.numbers, at_hash);
        move_slots(&mut self.others, &mut moved.others, at_hash);
        move_slots(&mut self.collections, &mut moved.collections, at_hash);
        moved.len = (moved.numbers.len() + moved.others.len()) as u64
            + moved.collections.iter().map(|c| c.items.len()).sum::<u64>();
        self.len -= moved.len;
        moved
    }

    /// Items in key order (sorts the hashes: for reports, splits and scans, not hot paths).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &KeyValue, Option<&KeyValue>, &StoredItem)> + '_ {
        self.iter_hashes(0)
    }

    /// Items whose hash is `from` or above, in key order.
    fn iter_hashes(
        &self,
        from: u64,
    ) -> impl Iterator<Item = (u64, &KeyValue, Option<&KeyValue>, &StoredItem)> + '_ {
        let numbers = self.numbers.iter().map(|s| (s.hash(), &s.partition, Held::One(&s.item)));
        let others = self.others.iter().map(|s| (s.hash, &s.partition, Held::One(&s.item)));
        let collections = self.collections.iter().map(|c| (c.hash, &c.partition, Held::Sorted(&c.items)));
        let mut held: Vec<_> = numbers.chain(others).chain(collections).filter(|h| h.0 >= from).collect();
        held.sort_unstable_by(|a, b| (a.0, a.1, a.2.rank()).cmp(&(b.0, b.1, b.2.rank())));
        held.into_iter()
            .flat_map(|(hash, pk, items)| items.items().map(move |(sk, item)| (hash, pk, sk, item)))
    }
}

impl Other {
    #[inline]
    fn matches(&self, hash: u64, partition: &KeyValue) -> bool {
        self.hash == hash && self.partition == *partition
    }
}

impl Collection {
    #[inline]
    fn matches(&self, hash: u64, partition: &KeyValue) -> bool {
        self.hash == hash && self.partition == *partition
    }
}

/// The hasher the tables grow with.
#[inline]
fn rehash<S: Slot>(slot: &S) -> u64 {
    table_hash(slot.hash())
}

/// Replaces `item` with what `decide` makes of it, returning the item replaced.
#[inline]
fn replace<R>(
    item: &mut StoredItem,
    decide: impl FnOnce(Option<StoredItem>) -> Result<StoredItem, R>,
) -> Result<Option<StoredItem>, R> {
    let old = *item;
    *item = decide(Some(old))?;
    Ok(Some(old))
}

/// [`ItemStore::upsert`] within a collection.
fn upsert_sorted<R>(
    items: &mut Sorted,
    sort: KeyValue,
    decide: impl FnOnce(Option<StoredItem>) -> Result<StoredItem, R>,
) -> Result<Option<StoredItem>, R> {
    match items {
        Sorted::One(sk, item) if *sk == sort => replace(item, decide),
        Sorted::One(sk, item) => {
            let new = decide(None)?;
            *items = Sorted::Many(Box::new(BTreeMap::from([(sk.clone(), *item), (sort, new)])));
            Ok(None)
        }
        Sorted::Many(map) => match map.entry(sort) {
            btree_map::Entry::Occupied(o) => replace(o.into_mut(), decide),
            btree_map::Entry::Vacant(v) => {
                v.insert(decide(None)?);
                Ok(None)
            }
        },
    }
}

/// Moves the slots with hash `at_hash` or above from `from` to `to`, and gives back the room
/// they took in `from`.
fn move_slots<S: Slot>(from: &mut HashTable<S>, to: &mut HashTable<S>, at_hash: u64) {
    for slot in from.extract_if(|s| s.hash() >= at_hash) {
        to.insert_unique(rehash(&slot), slot, rehash);
    }
    from.shrink_to_fit(rehash);
}

/// The items of one item collection within a sort-key range: see [`ItemStore::collection`].
pub enum CollectionIter<'a> {
    /// No item.
    Empty,
    /// One item (a table without a sort key, or a collection of one).
    One(Option<(Option<&'a KeyValue>, &'a StoredItem)>),
    /// A range of a sorted collection.
    Range(btree_map::Range<'a, KeyValue, StoredItem>),
}

impl<'a> Iterator for CollectionIter<'a> {
    type Item = (Option<&'a KeyValue>, &'a StoredItem);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            CollectionIter::Empty => None,
            CollectionIter::One(one) => one.take(),
            CollectionIter::Range(range) => range.next().map(|(sk, item)| (Some(sk), item)),
        }
    }
}

impl DoubleEndedIterator for CollectionIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            CollectionIter::Empty => None,
            CollectionIter::One(one) => one.take(),
            CollectionIter::Range(range) => range.next_back().map(|(sk, item)| (Some(sk), item)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(hash: u64, pk: i64, sk: Option<i64>) -> ItemKey {
        ItemKey { hash, partition: KeyValue::N(pk), sort: sk.map(KeyValue::N) }
    }

    /// The entry sizes DESIGN.md's memory target rests on: with hashbrown's load factor
    /// (44-87%) and its control byte, a number-keyed item takes 28-57 bytes.
    #[test]
    fn entries_are_as_small_as_their_kind_allows() {
        assert_eq!(std::mem::size_of::<Number>(), 24);
        assert_eq!(std::mem::size_of::<Other>(), 32);
        assert_eq!(std::mem::size_of::<Sorted>(), 24);
        assert_eq!(std::mem::size_of::<Collection>(), 48);
    }

    type Ops = Vec<(u64, i64, i64, u32, bool)>;

    fn ops() -> impl Strategy<Value = Ops> {
        prop::collection::vec((0u64..6, 0i64..4, 0i64..5, 0u32..5_000, any::<bool>()), 1..300)
    }

    /// The store against a plain `BTreeMap<ItemKey, _>` oracle (sled's model-based test): random
    /// puts (with refusals), deletes and collection ranges, then a split at `split_at`; every
    /// lookup, the length and the iteration order agree. A key with drawn hash `h` and
    /// partition key `pk` gets hash `hash_of(h, pk)`.
    fn check_against_oracle(
        ops: Ops,
        split_at: u64,
        hash_of: impl Fn(u64, i64) -> u64,
    ) -> Result<(), TestCaseError> {
        let mut store = ItemStore::default();
        let mut oracle: BTreeMap<ItemKey, StoredItem> = BTreeMap::new();
        for (hash, pk, sk, bytes, refuse) in ops {
            // Even partition keys have sort keys, odd ones do not: one schema per key.
            let k = key(hash_of(hash, pk), pk, (pk % 2 == 0).then_some(sk));
            if bytes % 5 == 1 {
                // A delete.
                prop_assert_eq!(store.remove(&k), oracle.remove(&k));
                prop_assert_eq!(store.len(), oracle.len() as u64);
                continue;
            }
            if bytes % 5 == 2 {
                // A collection range, both ways.
                let (lo, hi) = (sk.min(bytes as i64 % 5), sk.max(bytes as i64 % 5));
                let (lo_k, hi_k) = (KeyValue::N(lo), KeyValue::N(hi));
                let got: Vec<(Option<KeyValue>, StoredItem)> = store
                    .collection(k.hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                    .map(|(s, i)| (s.cloned(), *i))
                    .collect();
                let expected: Vec<(Option<KeyValue>, StoredItem)> = oracle
                    .iter()
                    .filter(|(o, _)| o.hash == k.hash && o.partition == k.partition)
                    .filter(|(o, _)| o.sort.as_ref().is_none_or(|s| (&lo_k..&hi_k).contains(&s)))
                    .map(|(o, i)| (o.sort.clone(), *i))
                    .collect();
                prop_assert_eq!(&got, &expected);
                let back: Vec<_> = store
                    .collection(k.hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                    .rev()
                    .map(|(s, i)| (s.cloned(), *i))
                    .collect();
                prop_assert_eq!(back, expected.into_iter().rev().collect::<Vec<_>>());
                let after: Vec<ItemKey> = store
                    .iter_from(Some(&k))
                    .map(|(h, p, s, _)| ItemKey { hash: h, partition: p.clone(), sort: s.cloned() })
                    .collect();
                let expected_after: Vec<ItemKey> =
                    oracle.range((Bound::Excluded(&k), Bound::Unbounded)).map(|(o, _)| o.clone()).collect();
                prop_assert_eq!(after, expected_after);
                continue;
            }
            let before = oracle.get(&k).copied();
            let mut seen = None;
            let result = store.upsert(k.clone(), |old| {
                seen = Some(old);
                if refuse {
                    Err(())
                } else {
                    Ok(StoredItem::sized(bytes))
                }
            });
            prop_assert_eq!(seen, Some(before));
            match result {
                Ok(replaced) => {
                    prop_assert_eq!(replaced, before);
                    oracle.insert(k.clone(), StoredItem::sized(bytes));
                }
                Err(()) => prop_assert!(refuse),
            }
            prop_assert_eq!(store.get(&k).copied(), oracle.get(&k).copied());
            prop_assert_eq!(store.len(), oracle.len() as u64);
        }
        let listed: Vec<ItemKey> = store
            .iter()
            .map(|(h, p, s, _)| ItemKey { hash: h, partition: p.clone(), sort: s.cloned() })
            .collect();
        let expected: Vec<ItemKey> = oracle.keys().cloned().collect();
        prop_assert_eq!(&listed, &expected);
        let high = store.split_off(split_at);
        prop_assert_eq!(store.len() + high.len(), oracle.len() as u64);
        prop_assert!(store.iter().all(|(h, ..)| h < split_at));
        prop_assert!(high.iter().all(|(h, ..)| h >= split_at));
        Ok(())
    }

    proptest! {
        /// Random puts (with refusals) over few hashes so collisions and collections happen,
        /// random splits; every lookup, the length and the iteration order agree.
        #[test]
        fn matches_a_btreemap_oracle(ops in ops(), split_at in 0u64..7) {
            check_against_oracle(ops, split_at, |hash, _| hash)?;
        }

        /// The same with keys that mostly carry their own hash, as workloads make them, so the
        /// store's table of number keys is exercised too, and splits anywhere in the key space.
        #[test]
        fn matches_a_btreemap_oracle_with_own_hashes(ops in ops(), split_at in any::<u64>()) {
            check_against_oracle(ops, split_at, |hash, pk| if hash < 4 { KeyValue::number_hash(pk) } else { hash })?;
        }
    }
}
