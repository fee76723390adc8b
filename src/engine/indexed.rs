//! A table with its secondary indexes: every data-plane operation (MODEL.md §1.3) with its
//! index maintenance (§7), on a base [`Table`] and one [`Table`] per index.
//!
//! - A global secondary index has its own partitions (its own `Table`, split independently)
//!   and its own capacity: its charges carry [`Target::Index`]. Its entries change
//!   asynchronously: a write's index changes are charged when the write is admitted (a table
//!   write needs the capacity of every index it updates, MODEL.md §6.2) and become visible
//!   `propagation_us` later (§7.1: "within a fraction of a second").
//! - A local secondary index shares the base table's partition key, partitions and capacity:
//!   its `Table` has the base table's partition boundaries (they split together), its entries
//!   change with the write, and its charges go to the base partition. Item collections of a
//!   table with local indexes are limited in size (§7.2).
//!
//! Invariants: a refused or failed operation changes nothing; an item's tracked attribute
//! values live in the attribute arena at [`StoredItem::attrs`] (or it has none); every index
//! entry is derived from the item's current (or, for a global index within the propagation
//! delay, previous) key and attributes by [`Schema::entry`].

use super::index::{index_change, AttrRef, Entry, IndexChange, IndexKind, IndexSpec, Schema, SortCondition};
use super::key::{ItemKey, KeyValue};
use super::partition::{Partition, StoredItem, NO_ATTRS};
use super::request::{
    BatchGetOutput, BatchWriteOutput, Consumed, OpError, PageOutput, QueryRequest, ScanRequest, UpdateAction,
    WriteKind, WriteOutput, WriteRequest,
};
use super::table::{Access, CapacityGate, Charge, SplitPoint, Table, TableSpec, Target, MAX_ITEM_BYTES};
use super::units::{read_milli, replace_write_milli, write_milli, Consistency, READ_UNIT_BYTES};
use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;

pub use super::operation::PAGE_BYTES;

/// Item-collection size limit of a table with local secondary indexes: 10 GB (MODEL.md §7.2).
pub const ITEM_COLLECTION_LIMIT_BYTES: u64 = 10 * 1_024 * 1_024 * 1_024;

/// Index settings the engine needs besides the specs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexParams {
    /// Delay between a table write and its global-index changes becoming visible, microseconds.
    /// Undocumented beyond "within a fraction of a second" (MODEL.md §7.1); default 100 ms.
    pub propagation_us: u64,
    /// Item-collection limit with local indexes (MODEL.md §7.2: 10 GB).
    pub item_collection_limit_bytes: u64,
}

impl Default for IndexParams {
    fn default() -> IndexParams {
        IndexParams { propagation_us: 100_000, item_collection_limit_bytes: ITEM_COLLECTION_LIMIT_BYTES }
    }
}

/// The result of a TransactGetItems: each item's size (`None`: no such item), and the capacity.
pub type TransactGetOutput = (Vec<Option<u64>>, Consumed);

/// A global-index change waiting for its propagation delay.
#[derive(Clone, Debug)]
struct Pending {
    due_us: u64,
    index: usize,
    change: IndexChange,
}

/// A write worked out but not applied.
#[derive(Clone, Debug)]
struct Plan {
    key: ItemKey,
    partition: usize,
    before: Option<StoredItem>,
    /// Size and tracked attributes after the write; `None` when the item is absent after it.
    after: Option<(u64, Box<[Option<KeyValue>]>)>,
    changes: Vec<(usize, IndexChange)>,
    consumed: Consumed,
    /// Whether the write changes anything (a ConditionCheck does not).
    writes: bool,
    /// Bytes the write adds to its item collection (negative: removes), base item and
    /// local-index entries; 0 without local indexes.
    collection_growth: i64,
}

/// A table, its indexes and the values of its items' tracked attributes.
#[derive(Clone, Debug)]
pub struct IndexedTable {
    base: Table,
    schema: Schema,
    indexes: Vec<Table>,
    params: IndexParams,
    /// Tracked attribute values, by arena slot.
    arena: Vec<Box<[Option<KeyValue>]>>,
    free: Vec<u32>,
    pending: VecDeque<Pending>,
    /// Bytes per item collection (base items plus local-index entries), for tables with local
    /// indexes: keyed by (hash, partition key).
    collections: BTreeMap<(u64, KeyValue), u64>,
    has_local: bool,
}

impl IndexedTable {
    /// A table keyed by `spec` with `partition_count` partitions and the indexes `indexes` (each
    /// global index starts with `index_partitions[i]` partitions; local ones mirror the table).
    pub fn new(
        spec: TableSpec,
        partition_count: u32,
        indexes: &[IndexSpec],
        index_partitions: &[u32],
        params: IndexParams,
    ) -> IndexedTable {
        let schema = Schema::new(&spec.partition_key, spec.sort_key.as_deref(), indexes);
        let base = Table::new(spec, partition_count);
        let index_tables = indexes
            .iter()
            .enumerate()
            .map(|(i, ix)| {
                let spec = TableSpec {
                    name: format!("{}/index/{}", base.spec().name, ix.name),
                    partition_key: ix.partition_key.clone(),
                    sort_key: ix.sort_key.clone(),
                };
                match ix.kind {
                    IndexKind::Global => Table::new(spec, index_partitions.get(i).copied().unwrap_or(1)),
                    IndexKind::Local => base.empty_like(spec),
                }
            })
            .collect();
        let has_local = indexes.iter().any(|i| i.kind == IndexKind::Local);
        IndexedTable {
            base,
            schema,
            indexes: index_tables,
            params,
            arena: Vec::new(),
            free: Vec::new(),
            pending: VecDeque::new(),
            collections: BTreeMap::new(),
            has_local,
        }
    }

    /// The base table.
    pub fn base(&self) -> &Table {
        &self.base
    }

    /// The base table, mutable, for a table without indexes (whose items carry no tracked
    /// attributes, so the base table's own PutItem keeps every invariant).
    ///
    /// # Panics
    /// If the table has indexes: their entries would go stale.
    pub fn base_mut_unindexed(&mut self) -> &mut Table {
        assert!(self.indexes.is_empty(), "a table with indexes is written through IndexedTable::write");
        &mut self.base
    }

    /// The base table and the index stores.
    pub fn into_parts(self) -> (Table, Vec<Table>) {
        (self.base, self.indexes)
    }

    /// Stores an item of `item_bytes` under `key` before time zero, without a capacity charge
    /// (a bulk load: see [`Table::load_item`]); with indexes, through the write path, so index
    /// entries and item collections stay right (the item has no tracked attributes). Returns
    /// the size of the item it replaced.
    pub fn load_item(&mut self, key: ItemKey, item_bytes: u64) -> Option<u64> {
        if self.indexes.is_empty() {
            return self.base.load_item(key, item_bytes);
        }
        struct Free;
        impl CapacityGate for Free {
            type Refusal = std::convert::Infallible;
            fn admit(&mut self, _: Charge) -> Result<(), Self::Refusal> {
                Ok(())
            }
        }
        let kind = WriteKind::Put { item_bytes, attrs: Box::new([]) };
        let request = WriteRequest { key, kind, condition: None };
        self.write(0, &request, &mut Free).ok().and_then(|out| out.before_bytes)
    }

    /// Makes room for `keys` more partition keys (see [`Table::reserve_keys`]).
    pub fn reserve_keys(&mut self, keys: u64) {
        self.base.reserve_keys(keys);
    }

    /// The schema: key names, indexes and tracked attributes.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The store of index `index`.
    pub fn index_store(&self, index: usize) -> &Table {
        &self.indexes[index]
    }

    /// Number of indexes.
    pub fn index_count(&self) -> usize {
        self.indexes.len()
    }

    /// Whether the table has any secondary index.
    pub fn has_indexes(&self) -> bool {
        !self.indexes.is_empty()
    }

    /// Applies the global-index changes due by `now_us`.
    pub fn propagate(&mut self, now_us: u64) {
        while self.pending.front().is_some_and(|p| p.due_us <= now_us) {
            let Some(p) = self.pending.pop_front() else { break };
            apply_change(&mut self.indexes[p.index], p.change);
        }
    }

    /// Global-index changes not yet visible.
    pub fn pending_changes(&self) -> usize {
        self.pending.len()
    }

    /// The tracked attribute values of a stored item.
    fn attrs_of(&self, item: &StoredItem) -> &[Option<KeyValue>] {
        if item.attrs == NO_ATTRS {
            &[]
        } else {
            &self.arena[item.attrs as usize]
        }
    }

    /// The item with `key`: its size and tracked attributes (a read of the engine's state, not
    /// an operation: no capacity).
    pub fn peek(&self, key: &ItemKey) -> Option<(u64, &[Option<KeyValue>])> {
        let p = self.base.partition_of(key);
        let item = self.base.partitions()[p].get(key)?;
        Some((u64::from(item.bytes), self.attrs_of(item)))
    }

    /// Bytes of the item collection of `key`'s partition key, base items and local-index
    /// entries (tracked only for tables with local indexes).
    pub fn collection_bytes(&self, key: &ItemKey) -> u64 {
        self.collections.get(&(key.hash, key.partition.clone())).copied().unwrap_or(0)
    }

    /// Storage of base partition `index` with the local-index entries it holds (MODEL.md §1.2,
    /// §7.2): what a size split looks at.
    pub fn partition_storage_bytes(&self, index: usize) -> u64 {
        let local: u64 = self
            .indexes
            .iter()
            .zip(&self.schema.indexes)
            .filter(|(_, ix)| ix.spec.kind == IndexKind::Local)
            .map(|(t, _)| t.partitions()[index].storage_bytes())
            .sum();
        self.base.partitions()[index].storage_bytes() + local
    }

    /// Splits base partition `index` at hash `at`, and every local index with it.
    pub fn split_at_hash(
        &mut self,
        index: usize,
        at: u64,
    ) -> Option<(super::PartitionId, super::PartitionId)> {
        self.split_at(index, &SplitPoint::Hash(at))
    }

    /// Splits base partition `index` at `at`, and every local index with it. A table with local
    /// indexes cannot split inside an item collection (MODEL.md §7.2).
    pub fn split_at(
        &mut self,
        index: usize,
        at: &SplitPoint,
    ) -> Option<(super::PartitionId, super::PartitionId)> {
        if self.has_local && matches!(at, SplitPoint::Key(_)) {
            return None;
        }
        let children = self.base.split_at(index, at)?;
        for (t, ix) in self.indexes.iter_mut().zip(&self.schema.indexes) {
            if ix.spec.kind == IndexKind::Local {
                t.split_at(index, at);
            }
        }
        Some(children)
    }

    /// Whether item collections may split across partitions: not with local indexes (MODEL.md
    /// §2.4, §7.2).
    pub fn collections_can_split(&self) -> bool {
        !self.has_local
    }

    /// The size split's point for base partition `index` (see [`Table::size_split_point`]).
    pub fn size_split_point(&self, index: usize) -> Option<SplitPoint> {
        self.base.size_split_point(index, !self.has_local)
    }

    /// Splits partition `partition` of global index `index` for size: at its data median, inside
    /// an index item collection if need be. Returns whether it split.
    pub fn split_index_at_data_median(&mut self, index: usize, partition: usize) -> bool {
        let Some(at) = self.indexes[index].size_split_point(partition, true) else { return false };
        self.split_index_at(index, partition, &at)
    }

    /// Splits partition `partition` of global index `index` at `at` (for heat, or to double
    /// the index's partitions). Returns whether it split.
    pub fn split_index_at(&mut self, index: usize, partition: usize, at: &SplitPoint) -> bool {
        self.schema.indexes[index].spec.kind == IndexKind::Global
            && self.indexes[index].split_at(partition, at).is_some()
    }

    /// Partitions of global index `index` whose storage reaches `limit_bytes`.
    pub fn index_partitions_over(&self, index: usize, limit_bytes: u64) -> Vec<usize> {
        if self.schema.indexes[index].spec.kind != IndexKind::Global {
            return Vec::new();
        }
        (self.indexes[index].partitions().iter().enumerate())
            .filter(|(_, p)| p.storage_bytes() >= limit_bytes)
            .map(|(i, _)| i)
            .collect()
    }

    // ----- reads -----

    /// GetItem (MODEL.md §1.3): the item's size rounded up to 4 KB, or one block if absent.
    #[inline(always)]
    pub fn get_item<G: CapacityGate>(
        &self,
        key: &ItemKey,
        consistency: Consistency,
        gate: &mut G,
    ) -> Result<super::GetItemOutput, G::Refusal> {
        self.base.get_item(key, consistency, gate)
    }

    /// BatchGetItem (MODEL.md §1.3): each key read as its own GetItem, each rounded up on its
    /// own; throttled keys come back unprocessed, and the call fails only if every key is.
    pub fn batch_get<G: CapacityGate>(
        &mut self,
        now_us: u64,
        keys: &[ItemKey],
        consistency: Consistency,
        gate: &mut G,
    ) -> Result<BatchGetOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        if keys.is_empty() || keys.len() > super::operation::BATCH_GET_MAX_ITEMS as usize {
            return Err(OpError::Validation("BatchGetItem takes 1 to 100 keys".into()));
        }
        let mut out =
            BatchGetOutput { items: Vec::new(), unprocessed: Vec::new(), consumed: Consumed::default() };
        let mut last_refusal = None;
        for (i, key) in keys.iter().enumerate() {
            match self.base.get_item(key, consistency, gate) {
                Ok(got) => {
                    out.items.push(Some(got.item_bytes));
                    out.consumed.table_milli += got.consumed_milli;
                    out.consumed.charges.push(read_charge(
                        Target::Table,
                        (got.partition, key.hash),
                        got.consumed_milli,
                        consistency,
                    ));
                }
                Err(refusal) => {
                    out.items.push(None);
                    out.unprocessed.push(i);
                    last_refusal = Some(refusal);
                }
            }
        }
        match last_refusal {
            Some(refusal) if out.unprocessed.len() == keys.len() => Err(OpError::Throttled(refusal)),
            _ => Ok(out),
        }
    }

    /// TransactGetItems (MODEL.md §1.3): every item twice its 4 KB blocks, all or nothing.
    pub fn transact_get<G: CapacityGate>(
        &mut self,
        now_us: u64,
        keys: &[ItemKey],
        gate: &mut G,
    ) -> Result<TransactGetOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        if keys.is_empty() || keys.len() > super::operation::TRANSACT_MAX_ITEMS as usize {
            return Err(OpError::Validation("TransactGetItems takes 1 to 100 items".into()));
        }
        let mut consumed = Consumed::default();
        let mut sizes = Vec::with_capacity(keys.len());
        for key in keys {
            let partition = self.base.partition_of(key);
            let bytes = self.base.partitions()[partition].get(key).map(|i| u64::from(i.bytes));
            let milli = read_milli(bytes.unwrap_or(0), Consistency::Transactional);
            consumed.table_milli += milli;
            consumed.charges.push(read_charge(
                Target::Table,
                (partition, key.hash),
                milli,
                Consistency::Transactional,
            ));
            sizes.push(bytes);
        }
        if sizes.iter().flatten().sum::<u64>() > super::operation::TRANSACT_MAX_BYTES {
            return Err(OpError::Validation("a transaction reads at most 4 MB".into()));
        }
        gate.admit_all(&consumed.charges).map_err(OpError::Throttled)?;
        Ok((sizes, consumed))
    }

    /// Query (MODEL.md §1.3): the items of one partition-key value whose sort keys satisfy the
    /// condition, in sort-key order, up to `limit` items or 1 MB; their sizes are summed and
    /// rounded up to 4 KB once (at least one block: the per-partition minimum); a filter does
    /// not lower the cost. On a global index, eventually consistent only and charged to the
    /// index; on a local index, charged to the table, plus a table read per item fetched.
    pub fn query<G: CapacityGate>(
        &mut self,
        now_us: u64,
        request: &QueryRequest,
        gate: &mut G,
    ) -> Result<PageOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        let (store, target, encoded) = match request.index {
            None => (&self.base, Target::Table, false),
            Some(i) => {
                let ix =
                    self.schema.indexes.get(i).ok_or_else(|| OpError::Validation(format!("no index {i}")))?;
                if ix.spec.kind == IndexKind::Global {
                    if request.consistency != Consistency::Eventual {
                        return Err(OpError::Validation(
                            "global secondary indexes support eventually consistent reads only".into(),
                        ));
                    }
                    if request.fetch {
                        return Err(OpError::Validation("a global index cannot fetch from the table".into()));
                    }
                    (&self.indexes[i], Target::Index(i as u16), true)
                } else {
                    (&self.indexes[i], Target::Table, true)
                }
            }
        };
        let hash = request.partition.hash();
        let (lower, upper) = if encoded { request.sort.encoded_range() } else { request.sort.raw_range() };
        let begins = matches!(request.sort, SortCondition::BeginsWith(_)) && !encoded;
        let start = request.start_after.as_ref().filter(|k| k.partition == request.partition);
        // A collection split for size or heat spans several partitions, each charged at least
        // one block (MODEL.md §1.3: "for each partition involved").
        let span = store.collection_partitions(hash, &request.partition);
        let order: Vec<usize> = if request.forward { span.collect() } else { span.rev().collect() };
        let mut page = Page::new(request.limit);
        let mut touched: Vec<(usize, u64)> = Vec::new();
        'partitions: for p in order {
            if let Some(start) = start {
                // Partitions wholly before the start key have nothing left to read.
                let holds_start = store.partition_of(start) == p;
                let before_start = if request.forward {
                    p < store.partition_of(start)
                } else {
                    p > store.partition_of(start)
                };
                if before_start && !holds_start {
                    continue;
                }
            }
            if page.at_limit() {
                break;
            }
            touched.push((p, page.bytes));
            let collection =
                store.partitions()[p].collection(hash, &request.partition, as_ref(&lower), as_ref(&upper));
            let ordered: Box<dyn Iterator<Item = (Option<&KeyValue>, &StoredItem)>> =
                if request.forward { Box::new(collection) } else { Box::new(collection.rev()) };
            for (sk, item) in ordered {
                if let Some(start) = start {
                    let after = match (sk, start.sort.as_ref()) {
                        (Some(sk), Some(s)) => {
                            if request.forward {
                                sk > s
                            } else {
                                sk < s
                            }
                        }
                        _ => false,
                    };
                    if !after {
                        continue;
                    }
                }
                if begins && !sk.is_some_and(|sk| request.sort.matches(sk)) {
                    // Ascending, the matches are behind us; descending, they are still ahead.
                    if request.forward {
                        break 'partitions;
                    }
                    continue;
                }
                let key = ItemKey { hash, partition: request.partition.clone(), sort: sk.cloned() };
                let keep = match (&request.filter, request.index) {
                    (Some(filter), None) => filter.holds(Some((&key, self.attrs_of(item)))),
                    _ => true,
                };
                if !page.take(key, u64::from(item.bytes), keep) {
                    break 'partitions;
                }
            }
        }
        let mut fetched = 0;
        if request.fetch {
            // Each item fetched from the table is a full table item read (MODEL.md §7.2).
            for (key, _) in &page.evaluated {
                let bytes = self
                    .base_key_of_local(key)
                    .and_then(|k| {
                        self.base.partitions()[self.base.partition_of(&k)].get(&k).map(|i| u64::from(i.bytes))
                    })
                    .unwrap_or(0);
                fetched += read_milli(bytes, request.consistency);
            }
        }
        // The page's bytes rounded once, one block at least per partition touched; each
        // partition charged for the bytes it served (the rounding remainder on the last).
        let block = request.consistency.milli_per_block();
        let blocks = page.bytes.div_ceil(READ_UNIT_BYTES).max(touched.len() as u64);
        let index_milli = blocks * block;
        let mut consumed = Consumed::default();
        let mut charged = 0;
        for (i, &(p, from)) in touched.iter().enumerate() {
            let to = touched.get(i + 1).map_or(page.bytes, |&(_, b)| b);
            let milli = if i + 1 == touched.len() {
                index_milli - charged
            } else {
                ((to - from).div_ceil(READ_UNIT_BYTES).max(1) * block)
                    .min(index_milli - charged - block * (touched.len() - i - 1) as u64)
            };
            charged += milli;
            consumed.charges.push(read_charge(target, (p, hash), milli, request.consistency));
        }
        if fetched > 0 {
            let p = touched.first().map_or(0, |t| t.0);
            consumed.charges.push(read_charge(Target::Table, (p, hash), fetched, request.consistency));
        }
        match request.index {
            Some(i) => consumed.add_index(i, index_milli),
            None => consumed.table_milli += index_milli,
        }
        consumed.table_milli += fetched;
        gate.admit_all(&consumed.charges).map_err(OpError::Throttled)?;
        Ok(page.finish(consumed))
    }

    /// The base key of local-index entry `key` (its sort key encodes (index sort key, table sort
    /// key)).
    fn base_key_of_local(&self, key: &ItemKey) -> Option<ItemKey> {
        let KeyValue::B(encoded) = key.sort.as_ref()? else { return None };
        let values = super::index::decode_all(encoded)?;
        Some(ItemKey { hash: key.hash, partition: key.partition.clone(), sort: values.last().cloned() })
    }

    /// Scan (MODEL.md §1.3): items in key order from the segment's start (or `start_after`),
    /// up to `limit` items or 1 MB; the bytes evaluated summed and rounded up to 4 KB, at least
    /// one block per partition touched (B7). A segment of a parallel scan is an equal slice of
    /// the hash space.
    pub fn scan<G: CapacityGate>(
        &mut self,
        now_us: u64,
        request: &ScanRequest,
        gate: &mut G,
    ) -> Result<PageOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        if request.total_segments == 0 || request.segment >= request.total_segments {
            return Err(OpError::Validation("Segment must be below TotalSegments".into()));
        }
        let (store, target) = match request.index {
            None => (&self.base, Target::Table),
            Some(i) => {
                let ix =
                    self.schema.indexes.get(i).ok_or_else(|| OpError::Validation(format!("no index {i}")))?;
                if ix.spec.kind == IndexKind::Global && request.consistency != Consistency::Eventual {
                    return Err(OpError::Validation(
                        "global secondary indexes support eventually consistent reads only".into(),
                    ));
                }
                let target =
                    if ix.spec.kind == IndexKind::Global { Target::Index(i as u16) } else { Target::Table };
                (&self.indexes[i], target)
            }
        };
        let width = u128::from(u64::MAX) + 1;
        let seg_start = (width * u128::from(request.segment) / u128::from(request.total_segments)) as u64;
        let seg_end = (width * u128::from(request.segment + 1) / u128::from(request.total_segments)) as u64;
        let last_segment = request.segment + 1 == request.total_segments;
        let in_segment = |hash: u64| hash >= seg_start && (last_segment || hash < seg_end);
        let mut page = Page::new(request.limit);
        // Bytes evaluated per partition touched, in order.
        let mut touched: Vec<(usize, u64)> = Vec::new();
        let first = match &request.start_after {
            Some(k) if k.hash >= seg_start => store.partition_of(k),
            _ => store.partition_index(seg_start),
        };
        let mut p = first;
        'partitions: while p < store.partition_count() {
            let partition: &Partition = &store.partitions()[p];
            if p > first && !last_segment && partition.start() >= seg_end {
                break;
            }
            if page.at_limit() {
                break;
            }
            touched.push((p, 0));
            let after = request.start_after.as_ref().filter(|k| store.partition_of(k) == p);
            for (hash, pk, sk, item) in partition.items_from(after) {
                if !in_segment(hash) {
                    if hash >= seg_end && !last_segment {
                        break 'partitions;
                    }
                    continue;
                }
                let key = ItemKey { hash, partition: pk.into_owned(), sort: sk.cloned() };
                let keep = match (&request.filter, request.index) {
                    (Some(filter), None) => filter.holds(Some((&key, self.attrs_of(item)))),
                    _ => true,
                };
                if !page.take(key, u64::from(item.bytes), keep) {
                    break 'partitions;
                }
                if let Some(t) = touched.last_mut() {
                    t.1 += u64::from(item.bytes);
                }
            }
            p += 1;
        }
        // The page's bytes rounded once, with one block at least per partition touched; spread
        // over the partitions in proportion to the bytes each served.
        let block = request.consistency.milli_per_block();
        let blocks = page.bytes.div_ceil(READ_UNIT_BYTES).max(touched.len() as u64);
        let mut consumed = Consumed::default();
        let mut left = blocks - touched.len() as u64;
        let total_bytes = page.bytes.max(1);
        let mut shares: Vec<u64> =
            touched.iter().map(|&(_, b)| 1 + (blocks - touched.len() as u64) * b / total_bytes).collect();
        left -= shares.iter().map(|s| s - 1).sum::<u64>();
        if let Some(largest) = (0..shares.len()).max_by_key(|&i| (touched[i].1, std::cmp::Reverse(i))) {
            shares[largest] += left;
        }
        for (&(p, _), share) in touched.iter().zip(shares) {
            let start = store.partitions()[p].start();
            consumed.charges.push(read_charge(target, (p, start), share * block, request.consistency));
        }
        let milli = blocks * block;
        match request.index {
            Some(i) => consumed.add_index(i, milli),
            None => consumed.table_milli = milli,
        }
        gate.admit_all(&consumed.charges).map_err(OpError::Throttled)?;
        Ok(page.finish(consumed))
    }

    // ----- writes -----

    /// PutItem, UpdateItem or DeleteItem (MODEL.md §1.3, §7): the larger of the item's sizes
    /// before and after rounded up to 1 KB (the deleted item's, for a delete), plus each index's
    /// writes. A false condition consumes the new item's size (1 WCU when no item exists) and
    /// changes nothing.
    pub fn write<G: CapacityGate>(
        &mut self,
        now_us: u64,
        request: &WriteRequest,
        gate: &mut G,
    ) -> Result<WriteOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        let plan = match self.plan(request, false) {
            Ok(plan) => plan,
            Err(OpError::ConditionalCheckFailed(consumed)) => {
                gate.admit_all(&consumed.charges).map_err(OpError::Throttled)?;
                return Err(OpError::ConditionalCheckFailed(consumed));
            }
            Err(e) => return Err(e),
        };
        gate.admit_all(&plan.consumed.charges).map_err(OpError::Throttled)?;
        Ok(self.apply(now_us, plan))
    }

    /// BatchWriteItem (MODEL.md §1.3): up to 25 puts and deletes, each rounded on its own and
    /// admitted on its own; throttled ones come back unprocessed, and the call fails only if
    /// every one is. Any other failure (an item over 400 KB, an item collection past its
    /// limit) fails the whole call before anything is written.
    pub fn batch_write<G: CapacityGate>(
        &mut self,
        now_us: u64,
        requests: &[WriteRequest],
        gate: &mut G,
    ) -> Result<BatchWriteOutput, OpError<G::Refusal>> {
        self.propagate(now_us);
        if requests.is_empty() || requests.len() > super::operation::BATCH_WRITE_MAX_ITEMS as usize {
            return Err(OpError::Validation("BatchWriteItem takes 1 to 25 requests".into()));
        }
        if requests
            .iter()
            .any(|r| r.condition.is_some() || !matches!(r.kind, WriteKind::Put { .. } | WriteKind::Delete))
        {
            return Err(OpError::Validation(
                "BatchWriteItem takes unconditional puts and deletes only".into(),
            ));
        }
        for (i, r) in requests.iter().enumerate() {
            if requests[..i].iter().any(|o| o.key == r.key) {
                return Err(OpError::Validation("a batch cannot write one item twice".into()));
            }
        }
        // A request that fails for a reason other than capacity fails before any write, so
        // that it changes nothing: each write planned alone, then their item collections
        // together (MODEL.md §7.2).
        let plans = requests.iter().map(|r| self.plan(r, false)).collect::<Result<Vec<Plan>, _>>()?;
        self.check_collections(&plans)?;
        let mut out = BatchWriteOutput { unprocessed: Vec::new(), consumed: Consumed::default() };
        let mut last_refusal = None;
        for (i, request) in requests.iter().enumerate() {
            match self.write(now_us, request, gate) {
                Ok(written) => merge(&mut out.consumed, written.consumed),
                Err(OpError::Throttled(r)) => {
                    out.unprocessed.push(i);
                    last_refusal = Some(r);
                }
                Err(e) => return Err(e),
            }
        }
        match last_refusal {
            Some(r) if out.unprocessed.len() == requests.len() => Err(OpError::Throttled(r)),
            _ => Ok(out),
        }
    }

    /// TransactWriteItems (MODEL.md §1.3, §8.5): every write planned against the state before
    /// the transaction, charged twice, admitted all or none; any false condition cancels it.
    pub fn transact_write<G: CapacityGate>(
        &mut self,
        now_us: u64,
        requests: &[WriteRequest],
        gate: &mut G,
    ) -> Result<Consumed, OpError<G::Refusal>> {
        self.propagate(now_us);
        if requests.is_empty() || requests.len() > super::operation::TRANSACT_MAX_ITEMS as usize {
            return Err(OpError::Validation("TransactWriteItems takes 1 to 100 items".into()));
        }
        for (i, r) in requests.iter().enumerate() {
            if requests[..i].iter().any(|o| o.key == r.key) {
                return Err(OpError::Validation("a transaction cannot touch one item twice".into()));
            }
        }
        let mut plans = Vec::with_capacity(requests.len());
        let mut total_bytes = 0;
        for request in requests {
            match self.plan(request, true) {
                Ok(plan) => {
                    total_bytes += plan.after.as_ref().map_or(0, |a| a.0);
                    plans.push(plan);
                }
                Err(OpError::ConditionalCheckFailed(_)) => return Err(OpError::TransactionCanceled),
                Err(e) => return Err(e),
            }
        }
        if total_bytes > super::operation::TRANSACT_MAX_BYTES {
            return Err(OpError::Validation("a transaction writes at most 4 MB".into()));
        }
        self.check_collections(&plans)?;
        let charges: Vec<Charge> = plans.iter().flat_map(|p| p.consumed.charges.iter().copied()).collect();
        gate.admit_all(&charges).map_err(OpError::Throttled)?;
        let mut consumed = Consumed::default();
        for plan in plans {
            merge(&mut consumed, self.apply(now_us, plan).consumed);
        }
        Ok(consumed)
    }

    /// Works out a write: the item after it, the index changes and the charges, without
    /// changing anything.
    fn plan<R>(&self, request: &WriteRequest, transactional: bool) -> Result<Plan, OpError<R>> {
        let key = &request.key;
        if key.sort.is_some() != self.schema.sort_key.is_some() {
            return Err(OpError::Validation("the key does not match the table's key schema".into()));
        }
        // MODEL.md §1.2: partition keys of 1 to 2,048 bytes, sort keys of 1 to 1,024.
        let too_long =
            |v: &KeyValue, max: u64| !matches!(v, KeyValue::N(_)) && !(1..=max).contains(&v.size_bytes());
        if too_long(&key.partition, super::table::MAX_PARTITION_KEY_BYTES)
            || key.sort.as_ref().is_some_and(|s| too_long(s, super::table::MAX_SORT_KEY_BYTES))
        {
            return Err(OpError::Validation(
                "a key value must be 1 to 2,048 bytes (partition) or 1,024 (sort)".into(),
            ));
        }
        let partition = self.base.partition_of(key);
        let before = self.base.partitions()[partition].get(key).copied();
        let before_attrs: &[Option<KeyValue>] = before.as_ref().map_or(&[], |i| self.attrs_of(i));
        let before_bytes = before.map(|i| u64::from(i.bytes));
        let key_bytes = self.base.key_bytes(key);
        let tracked = self.schema.tracked.len();
        let after: Option<(u64, Box<[Option<KeyValue>]>)> = match &request.kind {
            WriteKind::Put { item_bytes, attrs } => {
                if attrs.len() != tracked && !attrs.is_empty() {
                    return Err(OpError::Validation("one value per tracked attribute".into()));
                }
                let attrs: Box<[Option<KeyValue>]> =
                    if attrs.is_empty() { vec![None; tracked].into_boxed_slice() } else { attrs.clone() };
                let least = key_bytes + self.schema.tracked_bytes(&attrs);
                Some(((*item_bytes).max(least), attrs))
            }
            WriteKind::Update { actions, item_bytes } => {
                let mut attrs: Box<[Option<KeyValue>]> = if before_attrs.len() == tracked {
                    before_attrs.into()
                } else {
                    vec![None; tracked].into_boxed_slice()
                };
                let old_tracked = self.schema.tracked_bytes(&attrs);
                for action in actions {
                    let slot = match action {
                        UpdateAction::Set(i, _) | UpdateAction::Remove(i) | UpdateAction::Add(i, _) => {
                            usize::from(*i)
                        }
                    };
                    let Some(value) = attrs.get_mut(slot) else {
                        return Err(OpError::Validation(
                            "an update names an attribute the table does not track".into(),
                        ));
                    };
                    match action {
                        UpdateAction::Set(_, v) => *value = Some(v.clone()),
                        UpdateAction::Remove(_) => *value = None,
                        UpdateAction::Add(_, n) => {
                            *value = Some(match value {
                                Some(KeyValue::N(old)) => KeyValue::N(old.saturating_add(*n)),
                                None => KeyValue::N(*n),
                                Some(_) => {
                                    return Err(OpError::Validation("ADD applies to numbers".into()));
                                }
                            })
                        }
                    }
                }
                let new_tracked = self.schema.tracked_bytes(&attrs);
                let bytes = match item_bytes {
                    Some(b) => *b,
                    None => (before_bytes.unwrap_or(key_bytes) + new_tracked).saturating_sub(old_tracked),
                };
                Some((bytes.max(key_bytes + new_tracked), attrs))
            }
            WriteKind::Delete => None,
            WriteKind::Check => before.map(|i| (u64::from(i.bytes), before_attrs.into())),
        };
        if let Some((bytes, _)) = &after {
            if *bytes > MAX_ITEM_BYTES {
                return Err(OpError::Validation(format!("item size {bytes} B is over the 400 KB limit")));
            }
        }
        let writes = !matches!(request.kind, WriteKind::Check);
        if let Some(condition) = &request.condition {
            let current = before.map(|_| (key, before_attrs));
            if !condition.holds(current) {
                // MODEL.md §1.3: a failed conditional write consumes the new item's size for an
                // existing item, one unit for a new one.
                let milli = match (&after, before_bytes) {
                    (_, None) => write_milli(0, transactional),
                    (Some((bytes, _)), Some(_)) => write_milli(*bytes, transactional),
                    (None, Some(old)) => write_milli(old, transactional),
                };
                let mut consumed = Consumed { table_milli: milli, ..Consumed::default() };
                consumed.charges.push(write_charge(Target::Table, (partition, key.hash), milli));
                return Err(OpError::ConditionalCheckFailed(consumed));
            }
        }
        let mut consumed = Consumed::default();
        let base_milli = match (&request.kind, &after) {
            (WriteKind::Check, _) => read_milli(before_bytes.unwrap_or(0), Consistency::Transactional),
            (_, Some((bytes, _))) => replace_write_milli(before_bytes.unwrap_or(0), *bytes, transactional),
            (_, None) => write_milli(before_bytes.unwrap_or(0), transactional),
        };
        consumed.table_milli = base_milli;
        let access = if writes { Access::Write } else { Access::Read };
        consumed.charges.push(Charge {
            target: Target::Table,
            partition,
            access,
            milli: base_milli,
            eventual: false,
            hash: key.hash,
        });
        let mut changes = Vec::new();
        let mut collection_growth: i64 = 0;
        if writes {
            collection_growth += after.as_ref().map_or(0, |a| a.0 as i64) - before_bytes.unwrap_or(0) as i64;
            for (i, ix) in self.schema.indexes.iter().enumerate() {
                let old: Option<Entry> =
                    before.and_then(|b| self.schema.entry(i, key, before_attrs, u64::from(b.bytes)));
                let new: Option<Entry> =
                    after.as_ref().and_then(|(bytes, attrs)| self.schema.entry(i, key, attrs, *bytes));
                let projection_changed = match (&after, before) {
                    (Some((bytes, attrs)), Some(b)) => {
                        self.schema.projection_changed(i, before_attrs, attrs, (u64::from(b.bytes), *bytes))
                    }
                    _ => true,
                };
                let change = index_change(old, new, projection_changed, transactional);
                if change.milli == 0 && change.delete.is_none() && change.put.is_none() {
                    continue;
                }
                consumed.add_index(i, change.milli);
                match ix.spec.kind {
                    IndexKind::Local => {
                        // A local index consumes the table's capacity, in the item's partition.
                        consumed.charges.push(write_charge(
                            Target::Table,
                            (partition, key.hash),
                            change.milli,
                        ));
                        collection_growth += change.put.as_ref().map_or(0, |e| e.bytes as i64)
                            - change.delete.as_ref().map_or(0, |e| e.bytes as i64);
                        if change.delete.is_none() && change.put.is_some() {
                            if let Some(old) = before
                                .and_then(|b| self.schema.entry(i, key, before_attrs, u64::from(b.bytes)))
                            {
                                collection_growth -= old.bytes as i64;
                            }
                        }
                    }
                    IndexKind::Global => {
                        let table = &self.indexes[i];
                        let target = Target::Index(i as u16);
                        // The part that holds the entry: an index collection may have split
                        // for size inside itself (MODEL.md §2.2 on the index's partitions).
                        let mut charge = |e: &Entry, milli| {
                            consumed.charges.push(write_charge(
                                target,
                                (table.partition_of(&e.key), e.key.hash),
                                milli,
                            ));
                        };
                        match (&change.delete, &change.put) {
                            (Some(d), Some(p)) => {
                                let w = |e: &Entry| write_milli(e.bytes, transactional);
                                charge(d, w(d));
                                charge(p, w(p));
                            }
                            (Some(e), None) | (None, Some(e)) => charge(e, change.milli),
                            (None, None) => {}
                        }
                    }
                }
                changes.push((i, change));
            }
        }
        if self.has_local && collection_growth > 0 {
            let now = self.collection_bytes(key);
            if now.saturating_add(collection_growth as u64) > self.params.item_collection_limit_bytes {
                return Err(OpError::ItemCollectionSizeLimitExceeded);
            }
        }
        let collection_growth = if self.has_local { collection_growth } else { 0 };
        Ok(Plan { key: key.clone(), partition, before, after, changes, consumed, writes, collection_growth })
    }

    /// Whether the writes `plans` (of distinct items, each planned alone) keep every item
    /// collection they grow within its limit together (MODEL.md §7.2).
    fn check_collections<R>(&self, plans: &[Plan]) -> Result<(), OpError<R>> {
        if !self.has_local {
            return Ok(());
        }
        let mut growth: BTreeMap<(u64, &KeyValue), i64> = BTreeMap::new();
        for plan in plans {
            *growth.entry((plan.key.hash, &plan.key.partition)).or_insert(0) += plan.collection_growth;
        }
        for ((hash, partition), grown) in growth {
            let now = self.collections.get(&(hash, partition.clone())).copied().unwrap_or(0);
            if grown > 0 && now.saturating_add(grown as u64) > self.params.item_collection_limit_bytes {
                return Err(OpError::ItemCollectionSizeLimitExceeded);
            }
        }
        Ok(())
    }

    /// Applies an admitted plan.
    fn apply(&mut self, now_us: u64, plan: Plan) -> WriteOutput {
        let Plan { key, partition, before, after, changes, consumed, writes, .. } = plan;
        let before_bytes = before.map(|i| u64::from(i.bytes));
        let after_bytes = after.as_ref().map(|a| a.0);
        if !writes {
            return WriteOutput { partition, before_bytes, after_bytes, consumed };
        }
        let mut collection_delta: i64 = after_bytes.unwrap_or(0) as i64 - before_bytes.unwrap_or(0) as i64;
        let old_slot = before.map_or(NO_ATTRS, |i| i.attrs);
        match after {
            Some((bytes, attrs)) => {
                let slot = if attrs.iter().all(Option::is_none) {
                    self.release(old_slot);
                    NO_ATTRS
                } else if old_slot != NO_ATTRS {
                    self.arena[old_slot as usize] = attrs;
                    old_slot
                } else {
                    self.allocate(attrs)
                };
                let stored = StoredItem { bytes: bytes as u32, attrs: slot };
                let part = &mut self.base.partitions_mut()[partition];
                let _ = part.store_mut().upsert::<()>(key.clone(), |_| Ok(stored));
                part.add_bytes(bytes, before_bytes.unwrap_or(0));
            }
            None => {
                if before.is_some() {
                    let part = &mut self.base.partitions_mut()[partition];
                    part.store_mut().remove(&key);
                    part.add_bytes(0, before_bytes.unwrap_or(0));
                    self.release(old_slot);
                }
            }
        }
        for (i, change) in changes {
            match self.schema.indexes[i].spec.kind {
                IndexKind::Local => {
                    collection_delta += change.put.as_ref().map_or(0, |e| e.bytes as i64)
                        - change.delete.as_ref().map_or(0, |e| e.bytes as i64);
                    if change.delete.is_none() {
                        if let Some(put) = &change.put {
                            if let Some(old) = self.indexes[i].partitions()[partition].get(&put.key) {
                                collection_delta -= i64::from(old.bytes);
                            }
                        }
                    }
                    apply_change(&mut self.indexes[i], change);
                }
                IndexKind::Global => {
                    if self.params.propagation_us == 0 {
                        apply_change(&mut self.indexes[i], change);
                    } else {
                        let due_us = now_us + self.params.propagation_us;
                        self.pending.push_back(Pending { due_us, index: i, change });
                    }
                }
            }
        }
        if self.has_local && collection_delta != 0 {
            let entry = self.collections.entry((key.hash, key.partition.clone())).or_insert(0);
            *entry = entry.saturating_add_signed(collection_delta);
            if *entry == 0 {
                self.collections.remove(&(key.hash, key.partition.clone()));
            }
        }
        WriteOutput { partition, before_bytes, after_bytes, consumed }
    }

    fn allocate(&mut self, attrs: Box<[Option<KeyValue>]>) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.arena[slot as usize] = attrs;
                slot
            }
            None => {
                self.arena.push(attrs);
                (self.arena.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, slot: u32) {
        if slot != NO_ATTRS {
            self.arena[slot as usize] = Box::new([]);
            self.free.push(slot);
        }
    }
}

/// Applies one index change to an index's store, with no capacity (it was charged with the
/// table write).
fn apply_change(index: &mut Table, change: IndexChange) {
    if let Some(delete) = change.delete {
        let p = index.partition_of(&delete.key);
        let part = &mut index.partitions_mut()[p];
        if let Some(old) = part.store_mut().remove(&delete.key) {
            part.add_bytes(0, u64::from(old.bytes));
        }
    }
    if let Some(put) = change.put {
        let p = index.partition_of(&put.key);
        let part = &mut index.partitions_mut()[p];
        let stored = StoredItem::sized(put.bytes.min(u64::from(u32::MAX)) as u32);
        if let Ok(old) = part.store_mut().upsert::<()>(put.key, |_| Ok(stored)) {
            part.add_bytes(put.bytes, old.map_or(0, |o| u64::from(o.bytes)));
        }
    }
}

fn merge(into: &mut Consumed, from: Consumed) {
    into.table_milli += from.table_milli;
    for (i, m) in from.index_milli.iter().enumerate() {
        into.add_index(i, *m);
    }
    into.charges.extend(from.charges);
}

/// A read charge on `(partition, hash)` of `target`.
fn read_charge(
    target: Target,
    (partition, hash): (usize, u64),
    milli: u64,
    consistency: Consistency,
) -> Charge {
    let eventual = consistency == Consistency::Eventual;
    Charge { target, partition, access: Access::Read, milli, eventual, hash }
}

/// A write charge on `(partition, hash)` of `target`.
fn write_charge(target: Target, (partition, hash): (usize, u64), milli: u64) -> Charge {
    Charge { target, partition, access: Access::Write, milli, eventual: false, hash }
}

fn as_ref(bound: &Bound<KeyValue>) -> Bound<&KeyValue> {
    match bound {
        Bound::Included(v) => Bound::Included(v),
        Bound::Excluded(v) => Bound::Excluded(v),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The items a page has evaluated so far.
struct Page {
    limit: u32,
    bytes: u64,
    evaluated: Vec<(ItemKey, u64)>,
    returned: Vec<bool>,
    more: bool,
}

impl Page {
    fn new(limit: Option<u32>) -> Page {
        Page {
            limit: limit.unwrap_or(u32::MAX).max(1),
            bytes: 0,
            evaluated: Vec::new(),
            returned: Vec::new(),
            more: false,
        }
    }

    /// Whether the page holds its `Limit` of items: it reads no further partition (MODEL.md
    /// §1.3's minimum is per partition "involved in servicing the request"), and there may be
    /// more to read.
    fn at_limit(&mut self) -> bool {
        let full = self.evaluated.len() as u32 >= self.limit;
        self.more |= full;
        full
    }

    /// Adds an item if the page has room (its item limit, and 1 MB: the item that would cross
    /// 1 MB starts the next page, but a page holds at least one item); returns false, marking
    /// that more items remain, when it does not.
    fn take(&mut self, key: ItemKey, bytes: u64, keep: bool) -> bool {
        if self.evaluated.len() as u32 >= self.limit
            || (!self.evaluated.is_empty() && self.bytes + bytes > PAGE_BYTES)
        {
            self.more = true;
            return false;
        }
        self.bytes += bytes;
        self.evaluated.push((key, bytes));
        self.returned.push(keep);
        true
    }

    fn finish(self, consumed: Consumed) -> PageOutput {
        let last_evaluated = if self.more { self.evaluated.last().map(|(k, _)| k.clone()) } else { None };
        let scanned_count = self.evaluated.len() as u32;
        let items =
            self.evaluated.into_iter().zip(self.returned).filter(|(_, keep)| *keep).map(|(i, _)| i).collect();
        PageOutput { items, scanned_count, last_evaluated, consumed }
    }
}

/// Attribute reference helpers for callers that resolve names.
impl IndexedTable {
    /// The reference of attribute `name` if the table keeps its values.
    pub fn attr(&self, name: &str) -> Option<AttrRef> {
        self.schema.attr(name)
    }
}

#[cfg(test)]
#[path = "indexed_tests.rs"]
mod tests;
