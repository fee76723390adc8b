//! The items of one partition, in key-space order: (partition-key hash, partition key, sort key).
//!
//! Point operations go through a hash table keyed by the 64-bit partition-key hash, so a get
//! touches one or two cache lines however large the partition. A hash almost always holds one
//! item (tables without a sort key) or one item collection (tables with one); two partition keys
//! with the same hash are kept apart in a map by partition key, so nothing is lost on a
//! collision.
//!
//! Invariant: every ordered view ([`ItemStore::iter`], splits) sorts by (hash, partition key,
//! sort key), the order DynamoDB's key space is partitioned in (MODEL.md §2.3). The hash
//! table's own order is never observed, so results do not depend on it.

use super::key::{ItemKey, KeyValue};
use super::partition::StoredItem;
use crate::rng::mix64;
use hashbrown::hash_table::{Entry as SlotEntry, HashTable};
use std::collections::btree_map::{self, Entry};
use std::collections::BTreeMap;
use std::ops::Bound;

/// The items of one partition-key value: one item without a sort key, or a collection sorted by
/// sort key.
#[derive(Clone, Debug)]
enum Collection {
    Unsorted(StoredItem),
    Sorted(BTreeMap<KeyValue, StoredItem>),
}

/// Everything stored under one hash.
#[derive(Clone, Debug)]
enum Bucket {
    /// The common case: a single item.
    One { partition: KeyValue, sort: Option<KeyValue>, item: StoredItem },
    /// An item collection, or several partition keys sharing one hash.
    Many(BTreeMap<KeyValue, Collection>),
}

/// One occupied slot of the hash table.
#[derive(Clone, Debug)]
struct Slot {
    hash: u64,
    bucket: Bucket,
}

/// The items of one partition.
#[derive(Clone, Debug, Default)]
pub struct ItemStore {
    by_hash: HashTable<Slot>,
    len: u64,
}

/// The table's own hash of a partition-key hash. A partition owns a contiguous hash range, so
/// the top bits of its hashes are nearly equal; the table needs every bit uniform.
#[inline]
fn table_hash(hash: u64) -> u64 {
    mix64(hash)
}

impl Collection {
    fn get(&self, sort: Option<&KeyValue>) -> Option<&StoredItem> {
        match (self, sort) {
            (Collection::Unsorted(item), None) => Some(item),
            (Collection::Sorted(items), Some(sk)) => items.get(sk),
            _ => None,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Collection::Unsorted(_) => 1,
            Collection::Sorted(items) => items.len() as u64,
        }
    }
}

fn collection_of(sort: Option<KeyValue>, item: StoredItem) -> Collection {
    match sort {
        None => Collection::Unsorted(item),
        Some(sk) => Collection::Sorted(BTreeMap::from([(sk, item)])),
    }
}

impl ItemStore {
    /// Number of items.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Makes room for `additional` more hashes without growing the hash table step by step.
    pub fn reserve(&mut self, additional: usize) {
        self.by_hash.reserve(additional, |s| table_hash(s.hash));
    }

    /// Whether the store holds no item.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The item with `key`.
    #[inline]
    pub fn get(&self, key: &ItemKey) -> Option<&StoredItem> {
        let slot = self.by_hash.find(table_hash(key.hash), |s| s.hash == key.hash)?;
        match &slot.bucket {
            Bucket::One { partition, sort, item } => {
                (*partition == key.partition && sort.as_ref() == key.sort.as_ref()).then_some(item)
            }
            Bucket::Many(collections) => collections.get(&key.partition)?.get(key.sort.as_ref()),
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
        let entry = self.by_hash.entry(table_hash(hash), |s| s.hash == hash, |s| table_hash(s.hash));
        let bucket = match entry {
            SlotEntry::Vacant(vacant) => {
                let item = decide(None)?;
                vacant.insert(Slot { hash, bucket: Bucket::One { partition, sort, item } });
                self.len += 1;
                return Ok(None);
            }
            SlotEntry::Occupied(occupied) => &mut occupied.into_mut().bucket,
        };
        if let Bucket::One { partition: p, sort: s, item } = bucket {
            if *p == partition && *s == sort {
                let old = *item;
                *item = decide(Some(old))?;
                return Ok(Some(old));
            }
            let new = decide(None)?;
            // A second item under this hash: turn the bucket into a map of collections.
            let Bucket::One { partition: p, sort: s, item } =
                std::mem::replace(bucket, Bucket::Many(BTreeMap::new()))
            else {
                unreachable!("matched Bucket::One above")
            };
            let Bucket::Many(map) = bucket else { unreachable!("just replaced with Bucket::Many") };
            map.insert(p, collection_of(s, item));
            insert_into(map, partition, sort, new);
            self.len += 1;
            return Ok(None);
        }
        let Bucket::Many(map) = bucket else { unreachable!("the other variant returned above") };
        let old = map.get(&partition).and_then(|c| c.get(sort.as_ref())).copied();
        let new = decide(old)?;
        insert_into(map, partition, sort, new);
        if old.is_none() {
            self.len += 1;
        }
        Ok(old)
    }

    /// Removes the item with `key`, returning it.
    pub fn remove(&mut self, key: &ItemKey) -> Option<StoredItem> {
        let table_key = table_hash(key.hash);
        let SlotEntry::Occupied(mut occupied) =
            self.by_hash.entry(table_key, |s| s.hash == key.hash, |s| table_hash(s.hash))
        else {
            return None;
        };
        let (removed, now_empty) = match &mut occupied.get_mut().bucket {
            Bucket::One { partition, sort, item } => {
                if *partition != key.partition || sort.as_ref() != key.sort.as_ref() {
                    return None;
                }
                (*item, true)
            }
            Bucket::Many(map) => {
                let Entry::Occupied(mut collection) = map.entry(key.partition.clone()) else { return None };
                let removed = match (collection.get_mut(), key.sort.as_ref()) {
                    (Collection::Unsorted(item), None) => {
                        let item = *item;
                        collection.remove();
                        item
                    }
                    (Collection::Sorted(items), Some(sk)) => {
                        let item = items.remove(sk)?;
                        if items.is_empty() {
                            collection.remove();
                        }
                        item
                    }
                    _ => return None,
                };
                (removed, map.is_empty())
            }
        };
        if now_empty {
            occupied.remove();
        }
        self.len -= 1;
        Some(removed)
    }

    /// The items of the item collection with partition key `partition` (whose hash is `hash`)
    /// whose sort keys lie within `(lower, upper)`, in ascending sort-key order (reverse the
    /// iterator for descending). For a table without a sort key, the one item with that key.
    pub fn collection<'a>(
        &'a self,
        hash: u64,
        partition: &KeyValue,
        lower: Bound<&KeyValue>,
        upper: Bound<&KeyValue>,
    ) -> CollectionIter<'a> {
        let Some(slot) = self.by_hash.find(table_hash(hash), |s| s.hash == hash) else {
            return CollectionIter::Empty;
        };
        let within = |sk: Option<&KeyValue>| match sk {
            None => true,
            Some(sk) => std::ops::RangeBounds::contains(&(lower, upper), sk),
        };
        match &slot.bucket {
            Bucket::One { partition: p, sort, item } => {
                if p == partition && within(sort.as_ref()) {
                    CollectionIter::One(Some((sort.as_ref(), item)))
                } else {
                    CollectionIter::Empty
                }
            }
            Bucket::Many(map) => match map.get(partition) {
                None => CollectionIter::Empty,
                Some(Collection::Unsorted(item)) => CollectionIter::One(Some((None, item))),
                Some(Collection::Sorted(items)) => {
                    if empty_range(lower, upper) {
                        return CollectionIter::Empty;
                    }
                    CollectionIter::Range(items.range::<KeyValue, _>((lower, upper)))
                }
            },
        }
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

    /// Moves every item at or after `at` in key order into a new store: the items of hashes
    /// above `at.hash`, and those of `at.hash` from `at` on (a split inside an item collection,
    /// MODEL.md §2.4). Uses only the store's public operations: a split is rare and already
    /// O(n log n).
    pub fn split_off_key(&mut self, at: &ItemKey) -> ItemStore {
        let mut moved = match at.hash.checked_add(1) {
            Some(above) => self.split_off(above),
            None => ItemStore::default(),
        };
        let boundary: Vec<(ItemKey, StoredItem)> = self
            .iter()
            .filter(|(h, pk, sk, _)| *h == at.hash && (*pk, *sk) >= (&at.partition, at.sort.as_ref()))
            .map(|(h, pk, sk, item)| (ItemKey { hash: h, partition: pk.clone(), sort: sk.cloned() }, *item))
            .collect();
        for (key, item) in boundary {
            self.remove(&key);
            let _ = moved.upsert::<()>(key, |_| Ok(item));
        }
        moved
    }

    /// Moves every item with hash `at_hash` or above into a new store.
    pub fn split_off(&mut self, at_hash: u64) -> ItemStore {
        let mut moved = ItemStore::default();
        // Counted first, so that the new table is allocated once rather than grown.
        moved.reserve(self.by_hash.iter().filter(|s| s.hash >= at_hash).count());
        for slot in self.by_hash.extract_if(|s| s.hash >= at_hash) {
            let len = bucket_len(&slot.bucket);
            self.len -= len;
            moved.len += len;
            moved.by_hash.insert_unique(table_hash(slot.hash), slot, |s| table_hash(s.hash));
        }
        moved
    }

    /// For each hash stored, in no particular order: the hash, the bytes of its items, and the
    /// bytes of the last of them in key order. One pass over the hash table, without the sort
    /// and the per-item iteration of the ordered view: what a split at the data median needs.
    pub fn bytes_by_hash(&self) -> Vec<HashBytes> {
        self.by_hash.iter().map(slot_bytes).collect()
    }

    /// Bytes of every item (sizes without the storage overhead), in one pass.
    pub fn total_bytes(&self) -> u64 {
        self.by_hash.iter().map(|slot| slot_bytes(slot).bytes).sum()
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
        let mut slots: Vec<&Slot> = self.by_hash.iter().filter(|s| s.hash >= from).collect();
        slots.sort_unstable_by_key(|s| s.hash);
        slots.into_iter().flat_map(|Slot { hash, bucket }| -> Box<dyn Iterator<Item = _> + '_> {
            let hash = *hash;
            match bucket {
                Bucket::One { partition, sort, item } => {
                    Box::new(std::iter::once((hash, partition, sort.as_ref(), item)))
                }
                Bucket::Many(map) => {
                    Box::new(map.iter().flat_map(move |(pk, c)| -> Box<dyn Iterator<Item = _>> {
                        match c {
                            Collection::Unsorted(item) => Box::new(std::iter::once((hash, pk, None, item))),
                            Collection::Sorted(items) => {
                                Box::new(items.iter().map(move |(sk, item)| (hash, pk, Some(sk), item)))
                            }
                        }
                    }))
                }
            }
        })
    }
}

/// The bytes stored under one hash: see [`ItemStore::bytes_by_hash`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashBytes {
    /// The partition-key hash.
    pub hash: u64,
    /// Bytes of every item under it (sizes without the storage overhead).
    pub bytes: u64,
    /// Bytes of the last of those items in key order (partition key, then sort key).
    pub last_item_bytes: u64,
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

/// Whether bounds select nothing (a `BTreeMap` range would panic on them).
fn empty_range(lower: Bound<&KeyValue>, upper: Bound<&KeyValue>) -> bool {
    match (lower, upper) {
        (Bound::Included(l), Bound::Included(u)) => l > u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => l >= u,
        _ => false,
    }
}

/// The bytes under one slot's hash.
fn slot_bytes(slot: &Slot) -> HashBytes {
    let sized = |item: &StoredItem| u64::from(item.bytes);
    let (bytes, last_item_bytes) = match &slot.bucket {
        Bucket::One { item, .. } => (sized(item), sized(item)),
        Bucket::Many(map) => {
            let items = map.values().flat_map(|c| -> Box<dyn Iterator<Item = &StoredItem>> {
                match c {
                    Collection::Unsorted(item) => Box::new(std::iter::once(item)),
                    Collection::Sorted(items) => Box::new(items.values()),
                }
            });
            items.fold((0, 0), |(sum, _), item| (sum + sized(item), sized(item)))
        }
    };
    HashBytes { hash: slot.hash, bytes, last_item_bytes }
}

fn bucket_len(bucket: &Bucket) -> u64 {
    match bucket {
        Bucket::One { .. } => 1,
        Bucket::Many(map) => map.values().map(Collection::len).sum(),
    }
}

fn insert_into(
    map: &mut BTreeMap<KeyValue, Collection>,
    partition: KeyValue,
    sort: Option<KeyValue>,
    item: StoredItem,
) {
    match (map.entry(partition), sort) {
        (Entry::Vacant(v), sort) => {
            v.insert(collection_of(sort, item));
        }
        (Entry::Occupied(mut o), None) => {
            o.insert(Collection::Unsorted(item));
        }
        (Entry::Occupied(mut o), Some(sk)) => match o.get_mut() {
            Collection::Sorted(items) => {
                items.insert(sk, item);
            }
            // A table has a sort key or not; an item without one cannot share a collection
            // with items that have one, so replace.
            Collection::Unsorted(_) => {
                o.insert(collection_of(Some(sk), item));
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(hash: u64, pk: i64, sk: Option<i64>) -> ItemKey {
        ItemKey { hash, partition: KeyValue::N(pk), sort: sk.map(KeyValue::N) }
    }

    proptest! {
        /// The store against a plain `BTreeMap<ItemKey, _>` oracle (sled's model-based test):
        /// random puts (with refusals) over few hashes so collisions and collections happen,
        /// random splits; every lookup, the length and the iteration order agree.
        #[test]
        fn matches_a_btreemap_oracle(
            ops in prop::collection::vec((0u64..6, 0i64..4, 0i64..5, 0u32..5_000, any::<bool>()), 1..300),
            split_at in 0u64..7,
        ) {
            let mut store = ItemStore::default();
            let mut oracle: BTreeMap<ItemKey, StoredItem> = BTreeMap::new();
            for (hash, pk, sk, bytes, refuse) in ops {
                // Even partition keys have sort keys, odd ones do not: one schema per key.
                let k = key(hash, pk, (pk % 2 == 0).then_some(sk));
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
                        .collection(hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                        .map(|(s, i)| (s.cloned(), *i))
                        .collect();
                    let expected: Vec<(Option<KeyValue>, StoredItem)> = oracle
                        .iter()
                        .filter(|(o, _)| o.hash == hash && o.partition == k.partition)
                        .filter(|(o, _)| o.sort.as_ref().is_none_or(|s| (&lo_k..&hi_k).contains(&s)))
                        .map(|(o, i)| (o.sort.clone(), *i))
                        .collect();
                    prop_assert_eq!(&got, &expected);
                    let back: Vec<_> = store
                        .collection(hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                        .rev()
                        .map(|(s, i)| (s.cloned(), *i))
                        .collect();
                    prop_assert_eq!(back, expected.into_iter().rev().collect::<Vec<_>>());
                    let after: Vec<ItemKey> = store.iter_from(Some(&k)).map(|(h, p, s, _)| ItemKey { hash: h, partition: p.clone(), sort: s.cloned() }).collect();
                    let expected_after: Vec<ItemKey> = oracle.range((Bound::Excluded(&k), Bound::Unbounded)).map(|(o, _)| o.clone()).collect();
                    prop_assert_eq!(after, expected_after);
                    continue;
                }
                let before = oracle.get(&k).copied();
                let mut seen = None;
                let result = store.upsert(k.clone(), |old| {
                    seen = Some(old);
                    if refuse { Err(()) } else { Ok(StoredItem::sized(bytes)) }
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
            let listed: Vec<ItemKey> = store.iter().map(|(h, p, s, _)| ItemKey { hash: h, partition: p.clone(), sort: s.cloned() }).collect();
            let expected: Vec<ItemKey> = oracle.keys().cloned().collect();
            prop_assert_eq!(&listed, &expected);
            let high = store.split_off(split_at);
            prop_assert_eq!(store.len() + high.len(), oracle.len() as u64);
            prop_assert!(store.iter().all(|(h, ..)| h < split_at));
            prop_assert!(high.iter().all(|(h, ..)| h >= split_at));
        }
    }

    #[test]
    fn bytes_by_hash_sums_each_hash_and_names_its_last_item() {
        let mut store = ItemStore::default();
        for (hash, pk, sk, bytes) in [
            (5, 1, None, 10),
            (7, 2, Some(1), 20),
            (7, 2, Some(0), 30),
            (7, 4, Some(9), 40),
            (9, 3, None, 50),
        ] {
            store.upsert(key(hash, pk, sk), |_| Ok::<_, ()>(StoredItem::sized(bytes))).expect("stored");
        }
        let mut by_hash = store.bytes_by_hash();
        by_hash.sort_unstable_by_key(|h| h.hash);
        let expected = [
            HashBytes { hash: 5, bytes: 10, last_item_bytes: 10 },
            // Under hash 7, key order is (2, 0), (2, 1), (4, 9): the last is 40 bytes.
            HashBytes { hash: 7, bytes: 90, last_item_bytes: 40 },
            HashBytes { hash: 9, bytes: 50, last_item_bytes: 50 },
        ];
        assert_eq!(by_hash, expected);
        assert_eq!(store.total_bytes(), 150);
    }
}
