//! A partition: a contiguous range of the table's key space and the items in it.
//!
//! Invariant: a partition owns every key whose partition-key hash lies in
//! `[start, next partition's start)`, and keeps its items ordered by (hash, partition key,
//! sort key), so an item collection is stored in sort-key order (MODEL.md §2.3).

use super::key::{ItemKey, KeyValue};
use super::store::{HashBytes, ItemStore, KeyRef};

/// Storage overhead DynamoDB counts per item for indexing (MODEL.md §1.2: "All items in
/// DynamoDB require 100 bytes of storage overhead"). It counts toward storage, not throughput.
pub const ITEM_STORAGE_OVERHEAD_BYTES: u64 = 100;

/// A stable identifier of a partition. A split retires its parent's id and creates two new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct PartitionId(pub u32);

/// What the engine keeps of an item: its size as DynamoDB measures it (MODEL.md §1.2), and
/// where the values of its tracked attributes (those that secondary indexes key on or project)
/// are kept, if the table has any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredItem {
    /// Item size in bytes: attribute names plus values, without the storage overhead.
    pub bytes: u32,
    /// Slot of the item's tracked attribute values in its table's attribute arena, or
    /// [`NO_ATTRS`] when the item has none (always, for a table without indexes).
    pub attrs: u32,
}

/// [`StoredItem::attrs`] of an item without tracked attributes.
pub const NO_ATTRS: u32 = u32::MAX;

impl StoredItem {
    /// An item of `bytes` bytes without tracked attributes.
    pub const fn sized(bytes: u32) -> StoredItem {
        StoredItem { bytes, attrs: NO_ATTRS }
    }
}

/// One partition of a table. Laid out so that a point operation on an item without a sort key
/// reads one cache line of it: the id, the start, the byte count and the store's first table.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Partition {
    id: PartitionId,
    start: u64,
    item_bytes: u64,
    items: ItemStore,
}

impl Partition {
    pub(crate) fn new(id: PartitionId, start: u64) -> Partition {
        Partition { id, start, items: ItemStore::default(), item_bytes: 0 }
    }

    /// This partition's stable id.
    pub fn id(&self) -> PartitionId {
        self.id
    }

    /// The first partition-key hash this partition owns.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Number of items stored.
    pub fn item_count(&self) -> u64 {
        self.items.len()
    }

    /// Storage in bytes, with the per-item overhead (MODEL.md §1.2).
    pub fn storage_bytes(&self) -> u64 {
        self.item_bytes + ITEM_STORAGE_OVERHEAD_BYTES * self.item_count()
    }

    /// Items in key order: (partition-key hash, partition key, sort key, item).
    pub fn items(&self) -> impl Iterator<Item = (u64, KeyRef<'_>, Option<&KeyValue>, &StoredItem)> {
        self.items.iter()
    }

    /// Items of the item collection with partition key `partition` (hash `hash`) whose sort
    /// keys lie within the bounds, ascending (reverse it for descending).
    pub fn collection<'a>(
        &'a self,
        hash: u64,
        partition: &KeyValue,
        lower: std::ops::Bound<&KeyValue>,
        upper: std::ops::Bound<&KeyValue>,
    ) -> super::store::CollectionIter<'a> {
        self.items.collection(hash, partition, lower, upper)
    }

    /// Items after `after` in key order (all of them for `None`): a scan's continuation.
    pub fn items_from<'a>(
        &'a self,
        after: Option<&'a ItemKey>,
    ) -> impl Iterator<Item = (u64, KeyRef<'a>, Option<&'a KeyValue>, &'a StoredItem)> + 'a {
        self.items.iter_from(after)
    }

    /// An empty partition with this one's range and a new id.
    pub(crate) fn empty_like(&self) -> Partition {
        Partition::new(self.id, self.start)
    }

    #[inline]
    pub(crate) fn get(&self, key: &ItemKey) -> Option<&StoredItem> {
        self.items.get(key)
    }

    #[inline]
    pub(crate) fn store_mut(&mut self) -> &mut ItemStore {
        &mut self.items
    }

    pub(crate) fn add_bytes(&mut self, added: u64, removed: u64) {
        self.item_bytes = self.item_bytes + added - removed;
    }

    /// Moves every item whose hash is `at_hash` or above into a new partition with id `new_id`
    /// that starts at `at_hash`.
    pub(crate) fn split_off(&mut self, at_hash: u64, new_id: PartitionId) -> Partition {
        let moved = self.items.split_off(at_hash);
        let moved_bytes = moved.total_bytes();
        self.item_bytes -= moved_bytes;
        Partition { id: new_id, start: at_hash, items: moved, item_bytes: moved_bytes }
    }

    /// Moves every item at or after `at` (in key order) into a new partition with id `new_id`
    /// that starts at `at`: a split inside an item collection (MODEL.md §2.4).
    pub(crate) fn split_off_key(&mut self, at: &ItemKey, new_id: PartitionId) -> Partition {
        let moved = self.items.split_off_key(at);
        let moved_bytes: u64 = moved.iter().map(|(.., item)| u64::from(item.bytes)).sum();
        self.item_bytes -= moved_bytes;
        Partition { id: new_id, start: at.hash, items: moved, item_bytes: moved_bytes }
    }

    /// The key at the middle of this partition's stored bytes, in key order, other than its
    /// first item's (MODEL.md §2.2, "Distribute the data from P evenly"): a split point by hash,
    /// then by sort key inside an item collection. With it, whether the key's predecessor is in
    /// the same item collection (a split there cuts the collection). `None` with fewer than two
    /// items.
    ///
    /// Found from the hash that holds the median ([`Partition::data_median_hash`], without
    /// sorting the partition) and that hash's items alone, so a split of a large partition stays
    /// fast.
    pub fn data_median_key(&self) -> Option<(ItemKey, bool)> {
        let half = self.item_bytes / 2;
        let mut hashes = self.items.bytes_by_hash();
        let first = *hashes.iter().min_by_key(|h| h.hash)?;
        // The median lies in the first hash if the bytes before its last item reach half;
        // otherwise in the data-median hash (which never is the first), or with one hash, in it.
        let in_first = first.bytes - first.last_item_bytes >= half;
        let median = self.median_hash_of(&mut hashes).unwrap_or(first.hash);
        let candidates = [in_first.then_some(first.hash), Some(median)];
        let mut last = None;
        for hash in candidates.into_iter().flatten() {
            let mut before: u64 = hashes.iter().filter(|h| h.hash < hash).map(|h| h.bytes).sum();
            let mut prev: Option<&KeyValue> = None;
            let items = self.items.items_of_hash(hash);
            for (i, (pk, sk, item)) in items.iter().enumerate() {
                if hash != first.hash || i > 0 {
                    let key = ItemKey { hash, partition: pk.clone(), sort: sk.clone() };
                    let inside = prev == Some(pk);
                    if before >= half {
                        return Some((key, inside));
                    }
                    last = Some((key, inside));
                }
                prev = Some(pk);
                before += u64::from(item.bytes);
            }
        }
        last
    }

    pub(crate) fn set_id(&mut self, id: PartitionId) {
        self.id = id;
    }

    /// The hash at the middle of this partition's stored bytes, if its items have two or more
    /// distinct hashes: the size-split point between item collections (MODEL.md §2.2,
    /// "Distribute the data from P evenly").
    ///
    /// In key order, it is the first hash after the first at which the bytes of the items
    /// before one of its items reach half the partition's; else the last hash. Computed per hash
    /// (a hash's items are consecutive, so its test holds for some item if it holds for its last
    /// one), and since the test, once it holds, holds for every later hash, by narrowing around
    /// medians (`select_nth_unstable`) rather than sorting: splitting a partition of ten million
    /// items takes a fraction of a second, not the seconds its ordered view would.
    pub fn data_median_hash(&self) -> Option<u64> {
        self.median_hash_of(&mut self.items.bytes_by_hash())
    }

    /// [`Partition::data_median_hash`] of the per-hash bytes `hashes` (which it reorders).
    fn median_hash_of(&self, hashes: &mut [HashBytes]) -> Option<u64> {
        let half = self.item_bytes / 2;
        let first = (0..hashes.len()).min_by_key(|&i| hashes[i].hash)?;
        hashes.swap(0, first);
        let (first, hashes) = hashes.split_first_mut()?;
        let first = *first;
        let last = hashes.iter().map(|h| h.hash).max()?;
        let holds = |before: u64, h: &HashBytes| before + h.bytes - h.last_item_bytes >= half;
        // The first hash at which the test holds is in hashes[lo..hi]; `before` is the bytes of
        // every hash below those.
        let (mut lo, mut hi, mut before) = (0, hashes.len(), first.bytes);
        while hi - lo > NARROWED_HASHES {
            let mid = lo + (hi - lo) / 2;
            hashes[lo..hi].select_nth_unstable_by_key(mid - lo, |h| h.hash);
            let below: u64 = hashes[lo..mid].iter().map(|h| h.bytes).sum();
            if holds(before + below, &hashes[mid]) {
                hi = mid + 1;
            } else {
                (lo, before) = (mid + 1, before + below + hashes[mid].bytes);
            }
        }
        let narrowed = &mut hashes[lo..hi];
        narrowed.sort_unstable_by_key(|h| h.hash);
        for h in narrowed.iter() {
            if holds(before, h) {
                return Some(h.hash);
            }
            before += h.bytes;
        }
        Some(last)
    }
}

/// Below this many hashes, [`Partition::data_median_hash`] sorts what is left.
const NARROWED_HASHES: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The data median by its definition, item by item over the ordered view.
    fn median_item_by_item(p: &Partition) -> Option<u64> {
        let half = p.item_bytes / 2;
        let first = p.items.iter().next()?.0;
        let mut before = 0u64;
        let mut last = None;
        for (hash, .., item) in p.items.iter() {
            if hash != first && before >= half {
                return Some(hash);
            }
            before += u64::from(item.bytes);
            if hash != first {
                last = Some(hash);
            }
        }
        last
    }

    /// The median key by its definition, item by item over the ordered view.
    fn median_key_item_by_item(p: &Partition) -> Option<(ItemKey, bool)> {
        let half = p.item_bytes / 2;
        let mut before = 0u64;
        let mut prev: Option<(u64, KeyValue)> = None;
        let mut last = None;
        for (hash, pk, sk, item) in p.items.iter() {
            let pk = pk.into_owned();
            if let Some(q) = &prev {
                let key = ItemKey { hash, partition: pk.clone(), sort: sk.cloned() };
                let inside = q.0 == hash && q.1 == pk;
                if before >= half {
                    return Some((key, inside));
                }
                last = Some((key, inside));
            }
            prev = Some((hash, pk));
            before += u64::from(item.bytes);
        }
        last
    }

    #[test]
    fn the_median_key_of_one_small_collection_is_its_second_item() {
        let mut p = Partition::new(PartitionId(0), 0);
        for (sk, bytes) in [(0, 10u32), (1, 1_000)] {
            let key = ItemKey { hash: 3, partition: KeyValue::N(1), sort: Some(KeyValue::N(sk)) };
            p.items.upsert(key, |_| Ok::<_, ()>(StoredItem::sized(bytes))).expect("stored");
            p.add_bytes(u64::from(bytes), 0);
        }
        assert_eq!(p.data_median_key(), median_key_item_by_item(&p));
        assert!(p.data_median_key().is_some_and(|(k, inside)| k.sort == Some(KeyValue::N(1)) && inside));
    }

    /// Regression: when the median falls inside the first hash's item collection (most of the
    /// bytes there), the median key is inside that collection, not the next hash's first key
    /// (a split there would move almost nothing).
    #[test]
    fn the_median_key_can_lie_inside_the_first_collection() {
        let mut p = Partition::new(PartitionId(0), 0);
        let mut add = |key: ItemKey, bytes: u32| {
            p.items.upsert(key, |_| Ok::<_, ()>(StoredItem::sized(bytes))).expect("stored");
            p.item_bytes += u64::from(bytes);
        };
        for sk in 0..10 {
            add(ItemKey { hash: 1, partition: KeyValue::N(0), sort: Some(KeyValue::N(sk)) }, 1_000);
        }
        add(ItemKey { hash: 5, partition: KeyValue::N(2), sort: Some(KeyValue::N(0)) }, 10);
        let expected = ItemKey { hash: 1, partition: KeyValue::N(0), sort: Some(KeyValue::N(6)) };
        assert_eq!(median_key_item_by_item(&p), Some((expected.clone(), true)));
        assert_eq!(p.data_median_key(), Some((expected, true)));
    }

    proptest! {
        /// The per-hash computation against the definition: with few hashes, collections and
        /// colliding partition keys (several items under one hash) are common; with many, the
        /// narrowing around medians runs.
        #[test]
        fn data_median_per_hash_matches_item_by_item(
            hashes in prop::sample::select(vec![6u64, 40, 1_000_000]),
            items in prop::collection::vec((any::<u64>(), 0i64..3, prop::option::of(0i64..4), 1u32..5_000), 0..400),
        ) {
            let mut p = Partition::new(PartitionId(0), 0);
            for (hash, pk, sk, bytes) in items {
                let hash = hash % hashes;
                // One schema per partition key: even keys have sort keys, odd ones do not.
                let sort = if pk % 2 == 0 { Some(KeyValue::N(sk.unwrap_or(0))) } else { None };
                let key = ItemKey { hash, partition: KeyValue::N(pk), sort };
                let replaced = p.items.upsert(key, |_| Ok::<_, ()>(StoredItem::sized(bytes))).expect("stored");
                p.add_bytes(u64::from(bytes), replaced.map_or(0, |r| u64::from(r.bytes)));
            }
            prop_assert_eq!(p.data_median_hash(), median_item_by_item(&p));
            prop_assert_eq!(p.data_median_key(), median_key_item_by_item(&p));
        }
    }
}
