//! A table: its partitions in key-space order, and the data-plane operations on it.
//!
//! Invariants: partitions are sorted by their start hash, the first starts at 0, and every item
//! is stored in the partition whose range holds its partition-key hash. Operations are pure:
//! they take the capacity decision from a [`CapacityGate`] supplied by the caller, so the engine
//! never reads a clock or knows how admission works. A refused operation changes nothing.

use super::key::{ItemKey, KeyValue};
use super::partition::{Partition, PartitionId, StoredItem};
use super::units::{read_milli, replace_write_milli, Consistency};

/// Largest item DynamoDB accepts: 400 KB, counting attribute names (MODEL.md §1.2).
pub const MAX_ITEM_BYTES: u64 = 400 * 1_024;
/// Longest partition-key value, bytes (MODEL.md §1.2: "Partition key 1–2048 bytes").
pub const MAX_PARTITION_KEY_BYTES: u64 = 2_048;
/// Longest sort-key value, bytes (MODEL.md §1.2: "sort key 1–1024 bytes").
pub const MAX_SORT_KEY_BYTES: u64 = 1_024;

/// Per-partition read throughput, in RCU (MODEL.md §2.1).
pub const PARTITION_READ_UNITS: u64 = 3_000;
/// Per-partition write throughput, in WCU (MODEL.md §2.1).
pub const PARTITION_WRITE_UNITS: u64 = 1_000;

/// The initial partition count of a provisioned table (MODEL.md §2.2, [DG18]):
/// `ceil(RCU / 3,000 + WCU / 1,000)`, at least 1.
pub fn initial_partition_count(read_units: u64, write_units: u64) -> u32 {
    let scaled = read_units + write_units * (PARTITION_READ_UNITS / PARTITION_WRITE_UNITS);
    scaled.div_ceil(PARTITION_READ_UNITS).max(1) as u32
}

/// Whether an access reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Consumes read capacity.
    Read,
    /// Consumes write capacity.
    Write,
}

/// Whose capacity a charge consumes: the base table's (also for a local secondary index,
/// MODEL.md §7.2) or a global secondary index's own (§7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Target {
    /// The base table.
    #[default]
    Table,
    /// Global secondary index number `n` (in the table's index order).
    Index(u16),
}

/// The capacity an operation needs from one partition, presented to a [`CapacityGate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charge {
    /// The table or the index whose partition this is.
    pub target: Target,
    /// Index of the partition in key-space order.
    pub partition: usize,
    /// Read or write capacity.
    pub access: Access,
    /// Milli-units to consume.
    pub milli: u64,
    /// Whether this is an eventually consistent read, which any replica can serve (MODEL.md
    /// §2.1: a partition's eventually consistent read ceiling may exceed its 3,000 RCU).
    pub eventual: bool,
    /// The partition-key hash the charge is for (in the target's key space: an index entry's
    /// for an index charge; a scanned partition's first hash for a scan), for heat tracking.
    pub hash: u64,
}

/// Decides whether the capacity for a charge is available, and consumes it if so.
pub trait CapacityGate {
    /// Why a charge was refused (for DynamoDB, a throttling reason).
    type Refusal;
    /// Admits and consumes `charge`, or refuses it and consumes nothing.
    fn admit(&mut self, charge: Charge) -> Result<(), Self::Refusal>;

    /// Admits every charge of one request or none. The default admits them one by one, which
    /// is atomic only for gates that never refuse; real gates override it.
    fn admit_all(&mut self, charges: &[Charge]) -> Result<(), Self::Refusal> {
        charges.iter().try_for_each(|&c| self.admit(c))
    }
}

/// The result of a GetItem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GetItemOutput {
    /// Size of the item read, if it exists.
    pub item_bytes: Option<u64>,
    /// Index of the partition that served it.
    pub partition: usize,
    /// Read milli-units consumed (`ConsumedCapacity`).
    pub consumed_milli: u64,
}

/// The result of a PutItem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PutItemOutput {
    /// Size of the item it replaced, if one existed.
    pub replaced_bytes: Option<u64>,
    /// Index of the partition that stored it.
    pub partition: usize,
    /// Write milli-units consumed.
    pub consumed_milli: u64,
}

/// A table's key schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name.
    pub name: String,
    /// Name of the partition-key attribute.
    pub partition_key: String,
    /// Name of the sort-key attribute, if the table has one.
    pub sort_key: Option<String>,
}

/// A table and its items.
#[derive(Clone, Debug)]
pub struct Table {
    spec: TableSpec,
    partitions: Vec<Partition>,
    starts: Vec<u64>,
    /// How a hash finds its partition, built from `starts` whenever they change.
    lookup: Lookup,
    next_id: u32,
    /// For each partition, where inside its first hash it starts: `None` at the hash's first
    /// key, `Some((partition key, sort key))` for a partition split off inside an item
    /// collection (MODEL.md §2.4). A partition owns the keys from (start, bound) to the next
    /// partition's (start, bound), in key order.
    bounds: Vec<Option<(KeyValue, Option<KeyValue>)>>,
    /// Whether any partition starts inside an item collection (lookups then check bounds).
    inner_splits: bool,
}

/// Where a split cuts a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitPoint {
    /// At a hash: the new partition owns the hashes from here on.
    Hash(u64),
    /// At a key inside an item collection: the new partition owns the keys from here on.
    Key(ItemKey),
}

/// Directory slices per partition (at least): with four, a lookup scans about one entry.
const DIRECTORY_SLICES_PER_PARTITION: usize = 4;

/// How a table finds the partition of a hash among its partitions' starts.
#[derive(Clone, Debug)]
struct Lookup {
    /// For each of `2^directory_bits` equal slices of the hash space, the index of the partition
    /// that owns the slice's first hash: a lookup is one load and a short forward scan instead of
    /// a binary search.
    directory: Vec<u32>,
    directory_bits: u32,
    /// While the starts are still the equal hash ranges of [`Table::new`] (no split yet), their
    /// width: a lookup is then arithmetic, with no memory read ([`Lookup::even_index`]). 0 once
    /// they are not.
    even_width: u64,
}

impl Lookup {
    fn new(starts: &[u64]) -> Lookup {
        let bits =
            (starts.len() * DIRECTORY_SLICES_PER_PARTITION).next_power_of_two().trailing_zeros().clamp(1, 24);
        let slices = 1usize << bits;
        let mut directory = Vec::with_capacity(slices);
        let mut p = 0usize;
        for slice in 0..slices {
            let first_hash = (slice as u64) << (64 - bits);
            while p + 1 < starts.len() && starts[p + 1] <= first_hash {
                p += 1;
            }
            directory.push(p as u32);
        }
        let width = u64::MAX / starts.len().max(1) as u64;
        let even = starts.iter().enumerate().all(|(i, &start)| Some(start) == (i as u64).checked_mul(width));
        Lookup { directory, directory_bits: bits, even_width: if even { width } else { 0 } }
    }

    /// Index of the partition of `starts` that owns `hash`.
    #[inline(always)]
    fn index(&self, starts: &[u64], hash: u64) -> usize {
        if self.even_width != 0 {
            return Lookup::even_index(hash, self.even_width, starts.len());
        }
        self.directory_index(starts, hash)
    }

    /// [`Lookup::index`] through the directory, whatever the starts.
    #[inline(always)]
    fn directory_index(&self, starts: &[u64], hash: u64) -> usize {
        let mut p = self.directory[(hash >> (64 - self.directory_bits)) as usize] as usize;
        while p + 1 < starts.len() && starts[p + 1] <= hash {
            p += 1;
        }
        p
    }

    /// The partition of `hash` among `count` equal ranges of `width` (`u64::MAX / count`), the
    /// last taking the remainder: `min(hash / width, count - 1)` without a division. The estimate
    /// `hash * count / 2^64` is `hash / width` or one less, since `width` is just under
    /// `2^64 / count`; one comparison settles it (`(q + 1) * width <= count * width` cannot
    /// overflow).
    #[inline(always)]
    fn even_index(hash: u64, width: u64, count: usize) -> usize {
        let q = ((u128::from(hash) * count as u128) >> 64) as u64;
        let q = q + u64::from((q + 1) * width <= hash);
        q.min(count as u64 - 1) as usize
    }
}

impl Table {
    /// An empty table whose key space is cut into `partition_count` equal hash ranges.
    pub fn new(spec: TableSpec, partition_count: u32) -> Table {
        let count = u64::from(partition_count.max(1));
        let width = u64::MAX / count;
        let starts: Vec<u64> = (0..count).map(|i| i * width).collect();
        let partitions = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| Partition::new(PartitionId(i as u32), start))
            .collect();
        let lookup = Lookup::new(&starts);
        let bounds = vec![None; starts.len()];
        Table { spec, partitions, starts, lookup, next_id: count as u32, bounds, inner_splits: false }
    }

    /// An empty table keyed by `spec` with this table's partition boundaries (a local
    /// secondary index's store: it splits with its table).
    pub fn empty_like(&self, spec: TableSpec) -> Table {
        Table {
            spec,
            partitions: self.partitions.iter().map(Partition::empty_like).collect(),
            starts: self.starts.clone(),
            lookup: self.lookup.clone(),
            next_id: self.next_id,
            bounds: self.bounds.clone(),
            inner_splits: self.inner_splits,
        }
    }

    /// Partitions, mutable (for the engine's own operations).
    pub(crate) fn partitions_mut(&mut self) -> &mut [Partition] {
        &mut self.partitions
    }

    /// The key schema.
    pub fn spec(&self) -> &TableSpec {
        &self.spec
    }

    /// Partitions in key-space order.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// Number of partitions.
    pub fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    /// Index (in key-space order) of the partition that owns partition-key hash `hash`.
    #[inline]
    pub fn partition_index(&self, hash: u64) -> usize {
        self.lookup.index(&self.starts, hash)
    }

    /// Index of the partition that owns `key`: the partition of its hash, or for a hash whose
    /// item collection was split, the part that holds its sort key.
    #[inline(always)]
    pub fn partition_of(&self, key: &ItemKey) -> usize {
        let p = self.partition_index(key.hash);
        if self.inner_splits {
            self.partition_in_collection(p, key)
        } else {
            p
        }
    }

    /// [`Table::partition_of`] once some item collection was split: walks back from `p` over
    /// the parts that start inside `key`'s hash above `key`.
    #[cold]
    #[inline(never)]
    fn partition_in_collection(&self, mut p: usize, key: &ItemKey) -> usize {
        while p > 0 && self.starts[p] == key.hash {
            match &self.bounds[p] {
                Some((pk, sk)) if (&key.partition, key.sort.as_ref()) < (pk, sk.as_ref()) => p -= 1,
                _ => break,
            }
        }
        p
    }

    /// The partitions that hold items of the item collection with partition key `partition`
    /// (hash `hash`), in key order: one, unless the collection was split.
    pub fn collection_partitions(&self, hash: u64, partition: &KeyValue) -> std::ops::RangeInclusive<usize> {
        let mut hi = self.partition_index(hash);
        while hi > 0
            && self.starts[hi] == hash
            && self.bounds[hi].as_ref().is_some_and(|(pk, _)| pk > partition)
        {
            hi -= 1;
        }
        let mut lo = hi;
        while lo > 0
            && self.starts[lo] == hash
            && self.bounds[lo].as_ref().is_some_and(|(pk, sk)| pk == partition && sk.is_some())
        {
            lo -= 1;
        }
        lo..=hi
    }

    /// Items stored.
    pub fn item_count(&self) -> u64 {
        self.partitions.iter().map(Partition::item_count).sum()
    }

    /// Storage in bytes with the per-item overhead (MODEL.md §1.2).
    pub fn storage_bytes(&self) -> u64 {
        self.partitions.iter().map(Partition::storage_bytes).sum()
    }

    /// GetItem: charges the item's size rounded up to 4 KB, or one block if it does not exist
    /// (MODEL.md §1.3).
    #[inline(always)]
    pub fn get_item<G: CapacityGate>(
        &self,
        key: &ItemKey,
        consistency: Consistency,
        gate: &mut G,
    ) -> Result<GetItemOutput, G::Refusal> {
        let partition = self.partition_of(key);
        let item_bytes = self.partitions[partition].get(key).map(|item| u64::from(item.bytes));
        let milli = read_milli(item_bytes.unwrap_or(0), consistency);
        let eventual = consistency == Consistency::Eventual;
        gate.admit(Charge {
            target: Target::Table,
            partition,
            access: Access::Read,
            milli,
            eventual,
            hash: key.hash,
        })?;
        Ok(GetItemOutput { item_bytes, partition, consumed_milli: milli })
    }

    /// PutItem of an item of `item_bytes` (clamped to at least the key's own size): charges the
    /// larger of the old and new sizes rounded up to 1 KB (MODEL.md §1.3). The caller validates
    /// sizes against [`MAX_ITEM_BYTES`].
    #[inline(always)]
    pub fn put_item<G: CapacityGate>(
        &mut self,
        key: ItemKey,
        item_bytes: u64,
        gate: &mut G,
    ) -> Result<PutItemOutput, G::Refusal> {
        let partition_index = self.partition_of(&key);
        // Counting a number's digits is skipped when the item is larger than any key could be.
        let item_bytes = if item_bytes >= self.names_bytes(&key) + key.value_bytes_at_most() {
            item_bytes
        } else {
            item_bytes.max(self.key_bytes(&key))
        }
        .min(u64::from(u32::MAX));
        let partition = &mut self.partitions[partition_index];
        let mut milli = 0;
        let hash = key.hash;
        let replaced = partition.store_mut().upsert(key, |before| {
            let before_bytes = before.map_or(0, |item| u64::from(item.bytes));
            milli = replace_write_milli(before_bytes, item_bytes, false);
            gate.admit(Charge {
                target: Target::Table,
                partition: partition_index,
                access: Access::Write,
                milli,
                eventual: false,
                hash,
            })?;
            Ok(StoredItem::sized(item_bytes as u32))
        })?;
        let replaced_bytes = replaced.map(|item| u64::from(item.bytes));
        partition.add_bytes(item_bytes, replaced_bytes.unwrap_or(0));
        Ok(PutItemOutput { replaced_bytes, partition: partition_index, consumed_milli: milli })
    }

    /// Bytes of a key with its attribute names: the least an item with this key can weigh.
    pub fn key_bytes(&self, key: &ItemKey) -> u64 {
        self.names_bytes(key) + key.value_bytes()
    }

    /// Bytes of the names of `key`'s attributes.
    #[inline]
    fn names_bytes(&self, key: &ItemKey) -> u64 {
        self.spec.partition_key.len() as u64
            + key.sort.as_ref().map_or(0, |_| self.spec.sort_key.as_ref().map_or(0, |s| s.len() as u64))
    }

    /// Splits the partition at `index` at its data median (MODEL.md §2.2, split for size), moving
    /// the upper half of its items into a new partition. Returns the ids of the two children, or
    /// `None` when the partition cannot be split (its items share one hash: that needs a split
    /// inside an item collection, which this engine does not do yet).
    pub fn split_at_data_median(&mut self, index: usize) -> Option<(PartitionId, PartitionId)> {
        let at = self.partitions.get(index)?.data_median_hash()?;
        self.split_at_hash(index, at)
    }

    /// The size split's point for the partition at `index` (MODEL.md §2.2, §10.5): the data
    /// median by hash, or, when `inside_collections` and the median falls inside an item
    /// collection, the median key itself (a split inside the collection). Without
    /// `inside_collections` (a table with local indexes, MODEL.md §7.2), the nearest hash
    /// boundary.
    pub fn size_split_point(&self, index: usize, inside_collections: bool) -> Option<SplitPoint> {
        let partition = self.partitions.get(index)?;
        let (median, inside) = partition.data_median_key()?;
        if inside {
            if inside_collections && self.valid_key_split(index, &median) {
                return Some(SplitPoint::Key(median));
            }
        } else if self.valid_hash_split(index, median.hash) {
            return Some(SplitPoint::Hash(median.hash));
        }
        partition.data_median_hash().filter(|&h| self.valid_hash_split(index, h)).map(SplitPoint::Hash)
    }

    /// Splits the partition at `index` at `at`.
    pub fn split_at(&mut self, index: usize, at: &SplitPoint) -> Option<(PartitionId, PartitionId)> {
        match at {
            SplitPoint::Hash(h) => self.split_at_hash(index, *h),
            SplitPoint::Key(k) => self.split_at_key(index, k),
        }
    }

    /// The last hash the partition at `index` owns (the next partition's first hash when that
    /// one starts inside an item collection, whose lower keys this one holds).
    pub fn partition_last_hash(&self, index: usize) -> u64 {
        match (self.starts.get(index + 1), self.bounds.get(index + 1)) {
            (Some(&next), Some(Some(_))) => next,
            (Some(&next), _) => next - 1,
            (None, _) => u64::MAX,
        }
    }

    /// The first hash of the upper half of the partition at `index`'s hash range: where a split
    /// that doubles the partitions cuts it (MODEL.md §2.2). `None` for a range of one hash.
    pub fn middle_hash(&self, index: usize) -> Option<u64> {
        let (start, last) = (self.starts[index], self.partition_last_hash(index));
        (last > start).then(|| start + (last - start) / 2 + 1)
    }

    fn valid_hash_split(&self, index: usize, at: u64) -> bool {
        let start = self.starts[index];
        at > start && at <= self.partition_last_hash(index)
    }

    /// Whether `key` lies strictly inside the partition at `index`'s range.
    fn valid_key_split(&self, index: usize, key: &ItemKey) -> bool {
        let below = |i: usize| -> bool {
            // Whether partition i's start is below `key`.
            match self.starts[i].cmp(&key.hash) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => match &self.bounds[i] {
                    None => true,
                    Some((pk, sk)) => (pk, sk.as_ref()) < (&key.partition, key.sort.as_ref()),
                },
            }
        };
        below(index) && (index + 1 >= self.starts.len() || !below(index + 1))
    }

    /// Splits the partition at `index` at `key`, inside an item collection: the new partition
    /// owns the keys from `key` on (MODEL.md §2.4: "break up an item collection into segments
    /// by sort key"). Returns `None`, changing nothing, when `key` is not strictly inside the
    /// partition's range.
    pub fn split_at_key(&mut self, index: usize, key: &ItemKey) -> Option<(PartitionId, PartitionId)> {
        if index >= self.partitions.len() || !self.valid_key_split(index, key) {
            return None;
        }
        let low_id = PartitionId(self.next_id);
        let high_id = PartitionId(self.next_id + 1);
        self.next_id += 2;
        let high = self.partitions[index].split_off_key(key, high_id);
        self.partitions[index].set_id(low_id);
        self.partitions.insert(index + 1, high);
        self.starts.insert(index + 1, key.hash);
        self.bounds.insert(index + 1, Some((key.partition.clone(), key.sort.clone())));
        self.inner_splits = true;
        self.lookup = Lookup::new(&self.starts);
        Some((low_id, high_id))
    }

    /// Splits the partition at `index` so that a new partition owns the hashes from `at` to the
    /// end of its range, moving those items (MODEL.md §2.2, §2.4: partitions split, never
    /// merge). Both halves get new ids. Returns `None`, changing nothing, when `at` is not
    /// strictly inside the partition's range.
    pub fn split_at_hash(&mut self, index: usize, at: u64) -> Option<(PartitionId, PartitionId)> {
        let start = self.partitions.get(index)?.start();
        if at <= start || at > self.partition_last_hash(index) {
            return None;
        }
        let low_id = PartitionId(self.next_id);
        let high_id = PartitionId(self.next_id + 1);
        self.next_id += 2;
        let high = self.partitions[index].split_off(at, high_id);
        self.partitions[index].set_id(low_id);
        self.partitions.insert(index + 1, high);
        self.starts.insert(index + 1, at);
        self.bounds.insert(index + 1, None);
        self.lookup = Lookup::new(&self.starts);
        Some((low_id, high_id))
    }

    /// Index of the partition with id `id`, if it still exists (split partitions retire ids).
    pub fn index_of(&self, id: PartitionId) -> Option<usize> {
        self.partitions.iter().position(|p| p.id() == id)
    }

    /// Stores an item of `item_bytes` (clamped to at least the key's own size, as
    /// [`Table::put_item`] does) without asking for capacity: a bulk load before a run, as
    /// DynamoDB's import from S3 fills a new table ("Import from Amazon S3 does not consume write
    /// capacity on the new table", developer guide, `S3DataImport.HowItWorks`). Storage is
    /// accounted as for a put, 100-byte overhead included (MODEL.md §1.2); nothing splits here,
    /// the caller splits a partition that passed the size limit. Returns the size of the item
    /// it replaced, if one existed.
    pub fn load_item(&mut self, key: ItemKey, item_bytes: u64) -> Option<u64> {
        let index = self.partition_of(&key);
        let item_bytes = item_bytes.max(self.key_bytes(&key)).min(u64::from(u32::MAX));
        let partition = &mut self.partitions[index];
        let stored = partition
            .store_mut()
            .upsert(key, |_| Ok::<_, std::convert::Infallible>(StoredItem::sized(item_bytes as u32)));
        let Ok(replaced) = stored;
        let replaced_bytes = replaced.map(|item| u64::from(item.bytes));
        partition.add_bytes(item_bytes, replaced_bytes.unwrap_or(0));
        replaced_bytes
    }

    /// Makes room for `keys` more partition keys spread evenly over the key space (each
    /// partition its share of the hash range), so that a bulk load of that many does not grow
    /// the partitions' hash tables step by step. Changes nothing observable.
    pub fn reserve_keys(&mut self, keys: u64) {
        for index in 0..self.partitions.len() {
            let width = u128::from(self.partition_last_hash(index) - self.partitions[index].start()) + 1;
            let share = (u128::from(keys) * width) >> 64;
            self.partitions[index].store_mut().reserve(share as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::key::KeyValue;

    struct Unlimited;
    impl CapacityGate for Unlimited {
        type Refusal = ();
        fn admit(&mut self, _: Charge) -> Result<(), ()> {
            Ok(())
        }
    }

    struct Refuse;
    impl CapacityGate for Refuse {
        type Refusal = &'static str;
        fn admit(&mut self, _: Charge) -> Result<(), &'static str> {
            Err("throttled")
        }
    }

    fn table(partitions: u32) -> Table {
        let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
        Table::new(spec, partitions)
    }

    fn key(n: i64) -> ItemKey {
        ItemKey::new(KeyValue::N(n), None)
    }

    /// MODEL.md §12 C1 and C2: the documented initial partition formula.
    #[test]
    fn initial_partitions_follow_the_documented_formula() {
        assert_eq!(initial_partition_count(1_000, 500), 1);
        assert_eq!(initial_partition_count(1_000, 1_000), 2);
        assert_eq!(initial_partition_count(5_000, 2_000), 4);
        assert_eq!(initial_partition_count(3_000, 0), 1);
        assert_eq!(initial_partition_count(3_001, 0), 2);
        assert_eq!(initial_partition_count(0, 3_200), 4); // C4
        assert_eq!(initial_partition_count(1, 1), 1);
    }

    #[test]
    fn partition_ranges_cover_the_key_space() {
        let t = table(7);
        assert_eq!(t.partition_index(0), 0);
        assert_eq!(t.partition_index(u64::MAX), 6);
        for p in 0..7 {
            let start = t.partitions()[p].start();
            assert_eq!(t.partition_index(start), p);
            if start > 0 {
                assert_eq!(t.partition_index(start - 1), p - 1);
            }
        }
    }

    /// The arithmetic lookup of an unsplit table finds the partition the directory finds (and
    /// a binary search of the starts), at every range's edges and between them.
    #[test]
    fn an_unsplit_tables_arithmetic_lookup_agrees_with_the_directory() {
        for count in [1, 2, 3, 7, 1_000, 1_024, 50_000, 1 << 20] {
            let t = table(count);
            assert_ne!(t.lookup.even_width, 0, "{count} partitions are even");
            let mut hashes: Vec<u64> = (0..20_000).map(crate::rng::mix64).collect();
            for &start in t.starts.iter().step_by((count as usize / 500).max(1)) {
                hashes.extend([start, start.wrapping_sub(1), start + 1]);
            }
            hashes.extend([0, 1, u64::MAX, u64::MAX - 1]);
            for hash in hashes {
                let expected = t.starts.partition_point(|&start| start <= hash) - 1;
                let p = t.lookup.directory_index(&t.starts, hash);
                assert_eq!(p, expected, "directory, {count} partitions, hash {hash}");
                assert_eq!(t.partition_index(hash), expected, "arithmetic, {count} partitions, hash {hash}");
            }
        }
        let mut t = table(4);
        t.split_at_hash(1, t.starts[1] + 5).expect("inside");
        assert_eq!(t.lookup.even_width, 0, "a split table looks up through its directory");
    }

    #[test]
    fn directory_lookup_agrees_with_binary_search_after_splits() {
        let mut t = table(3);
        for n in 0..3_000 {
            t.put_item(key(n), 10 + (n as u64 % 7) * 100, &mut Unlimited).expect("admitted");
        }
        for round in 0..40 {
            t.split_at_data_median(round % t.partition_count());
        }
        assert!(t.partition_count() > 20);
        for i in 0..200_000u64 {
            let hash = crate::rng::mix64(i);
            let expected = t.starts.partition_point(|&start| start <= hash) - 1;
            assert_eq!(t.partition_index(hash), expected);
        }
        for n in 0..3_000 {
            assert!(t
                .get_item(&key(n), Consistency::Strong, &mut Unlimited)
                .expect("admitted")
                .item_bytes
                .is_some());
        }
    }

    #[test]
    fn put_then_get_charges_from_the_stored_size() {
        let mut t = table(4);
        let put = t.put_item(key(1), 10 * 1_024, &mut Unlimited).expect("admitted");
        assert_eq!((put.replaced_bytes, put.consumed_milli), (None, 10_000));
        let get = t.get_item(&key(1), Consistency::Strong, &mut Unlimited).expect("admitted");
        assert_eq!((get.item_bytes, get.consumed_milli), (Some(10_240), 3_000)); // A6
        let missing = t.get_item(&key(2), Consistency::Eventual, &mut Unlimited).expect("admitted");
        assert_eq!((missing.item_bytes, missing.consumed_milli), (None, 500)); // A7
                                                                               // A9-like: replacing a 10 KB item with a 1 KB item is charged at the larger size.
        let replace = t.put_item(key(1), 900, &mut Unlimited).expect("admitted");
        assert_eq!((replace.replaced_bytes, replace.consumed_milli), (Some(10_240), 10_000));
        assert_eq!(t.item_count(), 1);
        assert_eq!(t.storage_bytes(), 900 + 100);
    }

    #[test]
    fn a_refused_put_changes_nothing() {
        let mut t = table(1);
        assert_eq!(t.put_item(key(1), 100, &mut Refuse), Err("throttled"));
        assert_eq!(t.item_count(), 0);
        assert_eq!(t.storage_bytes(), 0);
    }

    #[test]
    fn tiny_items_weigh_at_least_their_key() {
        let mut t = table(1);
        t.put_item(key(123_456), 1, &mut Unlimited).expect("admitted");
        assert_eq!(t.storage_bytes(), 2 + 4 + 100); // "pk" + 4-byte number + overhead
    }

    #[test]
    fn split_at_hash_rejects_points_outside_the_range() {
        let mut t = table(2);
        let second = t.partitions()[1].start();
        assert_eq!(t.split_at_hash(0, 0), None, "at the start: nothing to split off");
        assert_eq!(t.split_at_hash(0, second), None, "the next partition's start");
        let (low, high) = t.split_at_hash(0, second / 2).expect("inside");
        assert_eq!(t.partition_count(), 3);
        assert_eq!(t.index_of(low), Some(0));
        assert_eq!(t.index_of(high), Some(1));
        assert_eq!(t.index_of(PartitionId(0)), None, "the parent's id is retired");
        assert_eq!(t.partition_last_hash(1), second - 1);
    }

    #[test]
    fn split_moves_the_upper_half_and_keeps_every_item_findable() {
        let mut t = table(1);
        for n in 0..1_000 {
            t.put_item(key(n), 1_000, &mut Unlimited).expect("admitted");
        }
        let (low, high) = t.split_at_data_median(0).expect("splittable");
        assert_ne!(low, high);
        assert_eq!(t.partition_count(), 2);
        let (a, b) = (t.partitions()[0].item_count(), t.partitions()[1].item_count());
        assert_eq!(a + b, 1_000);
        assert!((450..=550).contains(&a), "{a} / {b}");
        for n in 0..1_000 {
            let get = t.get_item(&key(n), Consistency::Strong, &mut Unlimited).expect("admitted");
            assert_eq!(get.item_bytes, Some(1_000), "item {n} lost in the split");
        }
    }

    #[test]
    fn load_item_stores_without_a_charge_and_accounts_storage() {
        let mut t = table(4);
        assert_eq!(t.load_item(key(1), 10 * 1_024), None, "a new item");
        assert_eq!(t.load_item(key(2), 1), None);
        assert_eq!(t.load_item(key(1), 3_000), Some(10_240), "replaces, and says what it replaced");
        assert_eq!(t.item_count(), 2);
        // 3,000 bytes, the 1-byte item clamped to its key ("pk" + a 2-byte number), 100 each.
        assert_eq!(t.storage_bytes(), 3_000 + (2 + 2) + 2 * 100);
        // A loaded item is read, and guarded, like a written one.
        let get = t.get_item(&key(1), Consistency::Strong, &mut Unlimited).expect("admitted");
        assert_eq!((get.item_bytes, get.consumed_milli), (Some(3_000), 1_000));
        let partition = t.partition_index(key(1).hash);
        assert_eq!(t.partitions()[partition].storage_bytes(), 3_000 + 100);
        assert_eq!(t.put_item(key(1), 100, &mut Refuse), Err("throttled"));
        assert_eq!(t.storage_bytes(), 3_000 + 4 + 200);
    }

    #[test]
    fn loaded_items_split_and_stay_findable() {
        let mut t = table(1);
        for n in 0..2_000 {
            t.load_item(key(n), 500);
        }
        let before = t.storage_bytes();
        t.split_at_data_median(0).expect("splittable");
        assert_eq!(t.storage_bytes(), before, "a split moves storage, never loses it");
        for n in 0..2_000 {
            let get = t.get_item(&key(n), Consistency::Eventual, &mut Unlimited).expect("admitted");
            assert_eq!(get.item_bytes, Some(500), "item {n}");
        }
    }
}
