//! The preload: items stored before time zero, then splits for size until no partition is at
//! the size limit, all before the first request.
//!
//! The items come from one workload's key generators ([`PreloadKeys`]), their sizes from the
//! stream `preload/sizes` (or the entity, as the workload's puts draw them). They are stored
//! without a capacity charge ([`crate::engine::Table::load_item`]): a bulk load such as an
//! import from S3 does not consume the table's capacity. A partition that stores
//! `partition_size_limit_bytes` or more splits at its data median, through the same path as a
//! split during the run (so admission and heat tracking stay in step), until none does or the
//! one left cannot split (its items share one hash). These splits happen before time zero:
//! the observer is not told of them and the run's split count does not include them, so the
//! partitions they leave are the run's initial partitions in every report.

use super::{Observer, SimConfig, World};
use crate::capacity::ThrottleReason;
use crate::engine::{Access, ItemKey, PartitionId};
use crate::rng::stream;
use crate::time::SimTime;
use crate::workload::{Preload, PreloadKeys};

/// What a preload left in the table at time zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preloaded {
    /// Distinct items stored.
    pub items: u64,
    /// Their storage in bytes, with DynamoDB's 100-byte overhead per item (MODEL.md §1.2).
    pub bytes: u64,
}

/// An observer for what happens before time zero: nothing is reported.
struct BeforeTimeZero;

impl Observer for BeforeTimeZero {
    fn offered(&mut self, _: SimTime) {}
    fn admitted(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: Access, _: u64) {}
    fn throttled(&mut self, _: SimTime, _: PartitionId, _: &ItemKey, _: ThrottleReason) {}
    fn completed(&mut self, _: SimTime, _: bool, _: u64) {}
}

impl World {
    /// Loads `preload` into the empty table of a run with root seed `seed` and entity seed
    /// `entity_seed`, then splits for size.
    pub(super) fn preload(
        &mut self,
        config: &SimConfig,
        preload: &Preload,
        seed: u64,
        entity_seed: u64,
    ) -> Preloaded {
        let keys = PreloadKeys::new(&config.workloads[preload.workload], entity_seed);
        let mut sizes = stream(seed, "preload/sizes");
        self.table.reserve_keys(keys.distinct_partition_keys(preload.items));
        for index in 0..preload.items {
            let (key, entity) = keys.key(index);
            let bytes = preload.item_bytes.draw(&mut sizes, entity_seed, entity);
            self.table.load_item(key, bytes);
        }
        self.split_full_partitions(config.capacity.partition_size_limit_bytes);
        Preloaded { items: self.table.base().item_count(), bytes: self.table.base().storage_bytes() }
    }

    /// Splits every partition that stores `limit_bytes` or more at its data median until none
    /// does (or those left cannot split), at time zero, unreported and uncounted.
    fn split_full_partitions(&mut self, limit_bytes: u64) {
        let splits = self.splits;
        let mut index = 0;
        while index < self.table.base().partition_count() {
            let full = self.table.partition_storage_bytes(index) >= limit_bytes;
            // After a split, look at the lower half again; the upper half comes next.
            if !(full && self.split_for_size(SimTime::ZERO, index, &mut BeforeTimeZero)) {
                index += 1;
            }
        }
        self.splits = splits;
    }
}
