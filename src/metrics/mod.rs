//! Metrics: per-second series, per-partition and per-key totals, and latency.
//!
//! Invariant: memory grows with partitions plus seconds plus distinct hot keys, never with
//! partitions times seconds, and recording allocates nothing in steady state (the per-second
//! vector grows once a simulated second).

pub mod histogram;

use crate::capacity::{ThrottleReason, REASON_COUNT};
use crate::engine::{Access, KeyValue, PartitionId};
use crate::time::SimTime;
pub use histogram::Histogram;
use std::collections::BTreeMap;

/// Counts for one simulated second.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecondStats {
    /// Client requests issued (retries not counted).
    pub offered: u64,
    /// Attempts made, retries included.
    pub attempts: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// Attempts throttled.
    pub throttled: u64,
    /// Requests that gave up.
    pub failed: u64,
    /// Read milli-units consumed.
    pub read_milli: u64,
    /// Write milli-units consumed.
    pub write_milli: u64,
    /// Throttled attempts by reason index.
    pub throttled_by_reason: [u32; REASON_COUNT],
}

/// Totals for one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionStats {
    /// Attempts that reached the partition.
    pub attempts: u64,
    /// Attempts throttled while addressed to it.
    pub throttled: u64,
    /// Read milli-units consumed.
    pub read_milli: u64,
    /// Write milli-units consumed.
    pub write_milli: u64,
}

/// Totals for one partition-key value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyStats {
    /// Attempts addressed to the key.
    pub attempts: u64,
    /// Attempts throttled.
    pub throttled: u64,
}

/// Keys numbered below this are counted in a dense vector, others in a map.
const DENSE_KEYS: i64 = 1 << 24;

/// Per-key attempt counters: a dense vector for small non-negative numeric keys (what the
/// generators produce), a sorted map for the rest.
#[derive(Clone, Debug, Default)]
pub struct KeyCounter {
    dense: Vec<KeyStats>,
    sparse: BTreeMap<KeyValue, KeyStats>,
}

impl KeyCounter {
    #[inline]
    fn slot(&mut self, key: &KeyValue) -> &mut KeyStats {
        match key {
            KeyValue::N(n) if (0..DENSE_KEYS).contains(n) => {
                let i = *n as usize;
                if i >= self.dense.len() {
                    self.dense.resize((i + 1).next_power_of_two(), KeyStats::default());
                }
                &mut self.dense[i]
            }
            _ => self.sparse.entry(key.clone()).or_default(),
        }
    }

    /// The `n` keys with the most attempts, most first (ties by key order).
    pub fn top(&self, n: usize) -> Vec<(KeyValue, KeyStats)> {
        let mut all: Vec<(KeyValue, KeyStats)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, s)| s.attempts > 0)
            .map(|(i, s)| (KeyValue::N(i as i64), *s))
            .chain(self.sparse.iter().map(|(k, s)| (k.clone(), *s)))
            .collect();
        all.sort_by(|a, b| b.1.attempts.cmp(&a.1.attempts).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

/// Everything a run measures.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// One entry per simulated second that saw activity, from second 0.
    pub seconds: Vec<SecondStats>,
    /// Totals per partition, indexed by partition id.
    pub partitions: Vec<PartitionStats>,
    /// Attempts per partition-key value.
    pub keys: KeyCounter,
    /// End-to-end latency of completed requests (succeeded or failed), microseconds.
    pub latency_us: Histogram,
}

impl Metrics {
    #[inline]
    fn second(&mut self, second: u64) -> &mut SecondStats {
        let i = second as usize;
        if i >= self.seconds.len() {
            self.seconds.resize(i + 1, SecondStats::default());
        }
        &mut self.seconds[i]
    }

    #[inline]
    fn partition(&mut self, id: PartitionId) -> &mut PartitionStats {
        let i = id.0 as usize;
        if i >= self.partitions.len() {
            self.partitions.resize(i + 1, PartitionStats::default());
        }
        &mut self.partitions[i]
    }

    /// A client request was issued in `second`.
    #[inline]
    pub fn offered(&mut self, second: u64) {
        self.second(second).offered += 1;
    }

    /// An attempt on `key` in partition `partition` was admitted and consumed `milli`.
    #[inline]
    pub fn admitted(
        &mut self,
        second: u64,
        partition: PartitionId,
        key: &KeyValue,
        access: Access,
        milli: u64,
    ) {
        let s = self.second(second);
        s.attempts += 1;
        let p = self.partition(partition);
        p.attempts += 1;
        match access {
            Access::Read => {
                self.seconds[second as usize].read_milli += milli;
                self.partitions[partition.0 as usize].read_milli += milli;
            }
            Access::Write => {
                self.seconds[second as usize].write_milli += milli;
                self.partitions[partition.0 as usize].write_milli += milli;
            }
        }
        self.keys.slot(key).attempts += 1;
    }

    /// An attempt on `key` in partition `partition` was throttled for `reason`.
    #[inline]
    pub fn throttled(&mut self, second: u64, partition: PartitionId, key: &KeyValue, reason: ThrottleReason) {
        let s = self.second(second);
        s.attempts += 1;
        s.throttled += 1;
        s.throttled_by_reason[reason.index()] += 1;
        let p = self.partition(partition);
        p.attempts += 1;
        p.throttled += 1;
        let k = self.keys.slot(key);
        k.attempts += 1;
        k.throttled += 1;
    }

    /// A request completed in `second` after `latency_us`, successfully or not.
    #[inline]
    pub fn completed(&mut self, second: u64, succeeded: bool, latency_us: u64) {
        let s = self.second(second);
        if succeeded {
            s.succeeded += 1;
        } else {
            s.failed += 1;
        }
        self.latency_us.record(latency_us);
    }

    /// Sum of every second's counts.
    pub fn totals(&self) -> SecondStats {
        let mut t = SecondStats::default();
        for s in &self.seconds {
            t.offered += s.offered;
            t.attempts += s.attempts;
            t.succeeded += s.succeeded;
            t.throttled += s.throttled;
            t.failed += s.failed;
            t.read_milli += s.read_milli;
            t.write_milli += s.write_milli;
            for (a, b) in t.throttled_by_reason.iter_mut().zip(&s.throttled_by_reason) {
                *a += b;
            }
        }
        t
    }
}

impl crate::sim::Observer for Metrics {
    #[inline]
    fn offered(&mut self, now: SimTime) {
        Metrics::offered(self, now.second());
    }

    #[inline]
    fn admitted(&mut self, now: SimTime, partition: PartitionId, key: &KeyValue, access: Access, milli: u64) {
        Metrics::admitted(self, now.second(), partition, key, access, milli);
    }

    #[inline]
    fn throttled(&mut self, now: SimTime, partition: PartitionId, key: &KeyValue, reason: ThrottleReason) {
        Metrics::throttled(self, now.second(), partition, key, reason);
    }

    #[inline]
    fn completed(&mut self, now: SimTime, succeeded: bool, latency_us: u64) {
        Metrics::completed(self, now.second(), succeeded, latency_us);
    }
}
