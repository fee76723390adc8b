//! The items of one partition, in key-space order: (partition-key hash, partition key, sort key).
//!
//! Point operations go through hash tables keyed by the 64-bit partition-key hash, so a get
//! touches one or two cache lines however large the partition. Each stored item costs little
//! beyond its key (DESIGN.md, "Performance": at most 48 bytes), so the entries are as small as
//! their kind allows, in three tables:
//!
//! - `numbers`: items without a sort key whose partition key is a number and whose hash is that
//!   number's own ([`KeyValue::number_hash`]), the common case of a generated workload. Only the
//!   number is stored: the hash is recomputed (a multiply-shift mixer), and the ordered views
//!   make the [`KeyValue`] ([`KeyRef`]): 16 bytes per entry with its item.
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

mod sorted;
#[cfg(test)]
mod tests;

pub use sorted::CollectionIter;

use super::key::{ItemKey, KeyValue};
use super::partition::StoredItem;
use hashbrown::hash_table::{Entry, HashTable};
use sorted::Sorted;
use std::borrow::Cow;
use std::ops::Bound;

/// A partition key in an ordered view: borrowed from its entry, or made from a number entry's
/// number (a [`KeyValue::N`] costs nothing to make).
pub type KeyRef<'a> = Cow<'a, KeyValue>;

/// An item without a sort key whose partition key is a number with its own hash: the number
/// alone, 16 bytes with the item (the ordered views make its [`KeyValue`] when asked).
#[derive(Clone, Debug)]
struct Number {
    n: i64,
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

/// What the three kinds of entry share: the hash that places them in the key space.
trait Slot {
    fn hash(&self) -> u64;
}

impl Slot for Number {
    #[inline]
    fn hash(&self) -> u64 {
        KeyValue::number_hash(self.n)
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

/// The items of one partition. In declaration order, the common case's table and the count
/// first ([`super::partition::Partition`] keeps them in its first cache line).
#[derive(Clone, Debug, Default)]
#[repr(C)]
pub struct ItemStore {
    numbers: HashTable<Number>,
    len: u64,
    others: HashTable<Other>,
    collections: HashTable<Collection>,
}

/// The tables' own hash of a partition-key hash. A partition owns a contiguous hash range, so
/// the top bits of its hashes are nearly equal, while hashbrown takes its 7-bit tag from the top
/// bits and the bucket from the low ones. Partition-key hashes are already mixed (every bit
/// uniform over keys), so rotating the low 7 bits to the top gives a uniform tag and buckets,
/// for one instruction where a second mix took seven.
#[inline]
fn table_hash(hash: u64) -> u64 {
    hash.rotate_right(7)
}

/// The number of a partition key whose items without a sort key belong in `numbers`: a number
/// whose hash is its own.
#[inline]
fn own_number(hash: u64, partition: &KeyValue) -> Option<i64> {
    match partition {
        KeyValue::N(n) if KeyValue::number_hash(*n) == hash => Some(*n),
        _ => None,
    }
}

/// Whether a `numbers` entry has partition key `n` (cheaper than comparing key values).
#[inline]
fn number_is(n: i64) -> impl Fn(&Number) -> bool {
    move |s| s.n == n
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
    #[inline(always)]
    pub fn get(&self, key: &ItemKey) -> Option<&StoredItem> {
        match &key.sort {
            None => self.single(key.hash, &key.partition),
            Some(sort) => self.collection_of(key.hash, &key.partition)?.items.get(sort),
        }
    }

    /// The item without a sort key with partition key `partition` and hash `hash`.
    #[inline(always)]
    fn single(&self, hash: u64, partition: &KeyValue) -> Option<&StoredItem> {
        match own_number(hash, partition) {
            Some(n) => self.numbers.find(table_hash(hash), number_is(n)).map(|s| &s.item),
            None => self.others.find(table_hash(hash), |s| s.matches(hash, partition)).map(|s| &s.item),
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
        let replaced = match (sort, own_number(hash, &partition)) {
            (None, Some(n)) => match self.numbers.entry(table_hash(hash), number_is(n), rehash) {
                Entry::Occupied(o) => replace(&mut o.into_mut().item, decide)?,
                Entry::Vacant(v) => {
                    v.insert(Number { n, item: decide(None)? });
                    None
                }
            },
            (None, None) => {
                match self.others.entry(table_hash(hash), |s| s.matches(hash, &partition), rehash) {
                    Entry::Occupied(o) => replace(&mut o.into_mut().item, decide)?,
                    Entry::Vacant(v) => {
                        v.insert(Other { hash, partition, item: decide(None)? });
                        None
                    }
                }
            }
            (Some(sort), _) => {
                match self.collections.entry(table_hash(hash), |c| c.matches(hash, &partition), rehash) {
                    Entry::Occupied(o) => o.into_mut().items.upsert(sort, decide)?,
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
        let removed = match (&key.sort, own_number(hash, partition)) {
            (None, Some(n)) => self.numbers.find_entry(table_hash(hash), number_is(n)).ok()?.remove().0.item,
            (None, None) => {
                self.others.find_entry(table_hash(hash), |s| s.matches(hash, partition)).ok()?.remove().0.item
            }
            (Some(sort), _) => {
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
        if let Some(item) = self.single(hash, partition) {
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
    ) -> impl Iterator<Item = (u64, KeyRef<'a>, Option<&'a KeyValue>, &'a StoredItem)> + 'a {
        let from = after.map_or(0, |k| k.hash);
        self.iter_hashes(from).filter(move |(hash, pk, sk, _)| match after {
            None => true,
            Some(a) => (*hash, &**pk, *sk) > (a.hash, &a.partition, a.sort.as_ref()),
        })
    }

    /// Makes room for `additional` more items with numeric partition keys (a preload's), so
    /// that the table is allocated once rather than grown step by step.
    pub fn reserve(&mut self, additional: usize) {
        self.numbers.reserve(additional, rehash);
    }

    /// Moves every item at or after `at` in key order into a new store: the items of hashes
    /// above `at.hash`, and those of `at.hash` from `at` on (a split inside an item collection,
    /// MODEL.md §2.4). Uses only the store's public operations: a split is rare.
    pub fn split_off_key(&mut self, at: &ItemKey) -> ItemStore {
        let mut moved = match at.hash.checked_add(1) {
            Some(above) => self.split_off(above),
            None => ItemStore::default(),
        };
        let boundary: Vec<(ItemKey, StoredItem)> = self
            .items_of_hash(at.hash)
            .into_iter()
            .filter(|(pk, sk, _)| (pk, sk.as_ref()) >= (&at.partition, at.sort.as_ref()))
            .map(|(pk, sk, item)| (ItemKey { hash: at.hash, partition: pk, sort: sk }, item))
            .collect();
        for (key, item) in boundary {
            self.remove(&key);
            let _ = moved.upsert::<()>(key, |_| Ok(item));
        }
        moved
    }

    /// The items under hash `hash`, in key order (partition key, then sort key, an item without
    /// a sort key first). One pass over the tables: for splits, not hot paths.
    pub fn items_of_hash(&self, hash: u64) -> Vec<(KeyValue, Option<KeyValue>, StoredItem)> {
        let mut out: Vec<(KeyValue, Option<KeyValue>, StoredItem)> = Vec::new();
        for n in self.numbers.iter().filter(|n| n.hash() == hash) {
            out.push((KeyValue::N(n.n), None, n.item));
        }
        for o in self.others.iter().filter(|o| o.hash == hash) {
            out.push((o.partition.clone(), None, o.item));
        }
        for c in self.collections.iter().filter(|c| c.hash == hash) {
            for (sk, item) in c.items.range(Bound::Unbounded, Bound::Unbounded) {
                out.push((c.partition.clone(), sk.cloned(), *item));
            }
        }
        out.sort_by(|a, b| (&a.0, a.1.is_some(), &a.1).cmp(&(&b.0, b.1.is_some(), &b.1)));
        out
    }

    /// For each hash stored, in no particular order: the hash, the bytes of its items, and the
    /// bytes of the last of them in key order. One pass over the tables, without the sort and
    /// the per-item iteration of the ordered view: what a split at the data median needs.
    pub fn bytes_by_hash(&self) -> Vec<HashBytes> {
        let sized = |item: &StoredItem| u64::from(item.bytes);
        // (hash, partition key, rank, bytes, last item's bytes), one per entry.
        let mut entries: Vec<(u64, Cow<'_, KeyValue>, u8, u64, u64)> =
            Vec::with_capacity(self.numbers.len() + self.others.len() + self.collections.len());
        entries.extend(
            self.numbers
                .iter()
                .map(|n| (n.hash(), Cow::Owned(KeyValue::N(n.n)), 0, sized(&n.item), sized(&n.item))),
        );
        entries.extend(
            self.others
                .iter()
                .map(|o| (o.hash, Cow::Borrowed(&o.partition), 0, sized(&o.item), sized(&o.item))),
        );
        entries.extend(self.collections.iter().map(|c| {
            let (sum, last) = c
                .items
                .range(Bound::Unbounded, Bound::Unbounded)
                .fold((0, 0), |(sum, _), (_, item)| (sum + sized(item), sized(item)));
            (c.hash, Cow::Borrowed(&c.partition), 1, sum, last)
        }));
        // Two partition keys under one hash (a collision) are one hash: merge them, the last
        // item being the last partition key's. Number keys with their own hash never collide
        // (the mixer is a bijection), so a store of those alone needs no check.
        if self.others.is_empty() && self.collections.is_empty() {
            return entries
                .into_iter()
                .map(|(hash, _, _, bytes, last)| HashBytes { hash, bytes, last_item_bytes: last })
                .collect();
        }
        let shared = {
            let mut hashes: Vec<u64> = entries.iter().map(|e| e.0).collect();
            hashes.sort_unstable();
            hashes.windows(2).any(|w| w[0] == w[1])
        };
        if !shared {
            return entries
                .into_iter()
                .map(|(hash, _, _, bytes, last)| HashBytes { hash, bytes, last_item_bytes: last })
                .collect();
        }
        entries.sort_unstable_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
        let mut out: Vec<HashBytes> = Vec::with_capacity(entries.len());
        for (hash, _, _, bytes, last) in entries {
            match out.last_mut() {
                Some(h) if h.hash == hash => {
                    h.bytes += bytes;
                    h.last_item_bytes = last;
                }
                _ => out.push(HashBytes { hash, bytes, last_item_bytes: last }),
            }
        }
        out
    }

    /// Bytes of every item (sizes without the storage overhead), in one pass.
    pub fn total_bytes(&self) -> u64 {
        let sized = |item: &StoredItem| u64::from(item.bytes);
        self.numbers.iter().map(|n| sized(&n.item)).sum::<u64>()
            + self.others.iter().map(|o| sized(&o.item)).sum::<u64>()
            + self
                .collections
                .iter()
                .flat_map(|c| c.items.range(Bound::Unbounded, Bound::Unbounded))
                .map(|(_, item)| sized(item))
                .sum::<u64>()
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
    pub fn iter(&self) -> impl Iterator<Item = (u64, KeyRef<'_>, Option<&KeyValue>, &StoredItem)> + '_ {
        self.iter_hashes(0)
    }

    /// Items whose hash is `from` or above, in key order.
    fn iter_hashes(
        &self,
        from: u64,
    ) -> impl Iterator<Item = (u64, KeyRef<'_>, Option<&KeyValue>, &StoredItem)> + '_ {
        let numbers =
            self.numbers.iter().map(|s| (s.hash(), Cow::Owned(KeyValue::N(s.n)), Held::One(&s.item)));
        let others = self.others.iter().map(|s| (s.hash, Cow::Borrowed(&s.partition), Held::One(&s.item)));
        let collections =
            self.collections.iter().map(|c| (c.hash, Cow::Borrowed(&c.partition), Held::Sorted(&c.items)));
        let mut held: Vec<_> = numbers.chain(others).chain(collections).filter(|h| h.0 >= from).collect();
        held.sort_unstable_by(|a, b| (a.0, &a.1, a.2.rank()).cmp(&(b.0, &b.1, b.2.rank())));
        held.into_iter()
            .flat_map(|(hash, pk, items)| items.items().map(move |(sk, item)| (hash, pk.clone(), sk, item)))
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

/// Moves the slots with hash `at_hash` or above from `from` to `to`, and gives back the room
/// they took in `from`.
fn move_slots<S: Slot>(from: &mut HashTable<S>, to: &mut HashTable<S>, at_hash: u64) {
    for slot in from.extract_if(|s| s.hash() >= at_hash) {
        to.insert_unique(rehash(&slot), slot, rehash);
    }
    from.shrink_to_fit(rehash);
}
