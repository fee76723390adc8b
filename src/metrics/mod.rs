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

/// Numeric keys below this are counted exactly in a dense table. The generators number values
/// by popularity (Zipf rank 0 is the most popular), so these are the candidates for hot keys;
/// the table (512 KiB) stays in cache, where a table of every key would miss on each attempt.
const DENSE_KEYS: i64 = 1 << 16;
/// Slots of the sketch that counts every other key.
const SKETCH_SLOTS: usize = 1 << 12;

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    attempts: u32,
    throttled: u32,
}

#[derive(Clone, Debug)]
struct SketchSlot {
    key: Option<KeyValue>,
    counts: Counts,
}

/// Per-key attempt counters: exact for small non-negative numeric keys, and for the rest a
/// direct-mapped heavy-hitter sketch (Misra-Gries within each slot): a key that holds its slot
/// is counted from when it took it, so its counts are lower bounds, exact without collisions.
#[derive(Clone, Debug)]
pub struct KeyCounter {
    dense: Vec<Counts>,
    sketch: Vec<SketchSlot>,
}

impl Default for KeyCounter {
    fn default() -> Self {
        KeyCounter {
            dense: Vec::new(),
            sketch: vec![SketchSlot { key: None, counts: Counts::default() }; SKETCH_SLOTS],
        }
    }
}

impl KeyCounter {
    #[inline]
    fn record(&mut self, key: &KeyValue, throttled: bool) {
        let counts = match key {
            KeyValue::N(n) if (0..DENSE_KEYS).contains(n) => {
                let i = *n as usize;
                if i >= self.dense.len() {
                    self.dense.resize((i + 1).next_power_of_two(), Counts::default());
                }
                &mut self.dense[i]
            }
            _ => {
                let slot = &mut self.sketch[(key.hash() as usize) & (SKETCH_SLOTS - 1)];
                if slot.key.as_ref() != Some(key) {
                    if slot.counts.attempts > 0 {
                        slot.counts.attempts -= 1;
                        slot.counts.throttled = slot.counts.throttled.min(slot.counts.attempts);
                        return;
                    }
                    slot.key = Some(key.clone());
                    slot.counts = Counts::default();
                }
                &mut slot.counts
            }
        };
        counts.attempts = counts.attempts.saturating_add(1);
        counts.throttled = counts.throttled.saturating_add(u32::from(throttled));
    }

    /// The `n` keys with the most attempts, most first (ties by key order).
    pub fn top(&self, n: usize) -> Vec<(KeyValue, KeyStats)> {
        let stats =
            |c: &Counts| KeyStats { attempts: u64::from(c.attempts), throttled: u64::from(c.throttled) };
        let mut all: Vec<(KeyValue, KeyStats)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, c)| c.attempts > 0)
            .map(|(i, c)| (KeyValue::N(i as i64), stats(c)))
            .chain(self.sketch.iter().filter_map(|s| Some((s.key.clone()?, stats(&s.counts)))))
            .filter(|(_, s)| s.attempts > 0)
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
    /// The table's partitions and ceilings at the end of each simulated second.
    pub table_states: Vec<crate::sim::TableState>,
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
        self.keys.record(key, false);
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
        self.keys.record(key, true);
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

    fn second_ended(&mut self, second: u64, state: crate::sim::TableState) {
        let i = second as usize;
        if self.table_states.len() <= i {
            self.table_states.resize(i + 1, state);
        }
        self.table_states[i] = state;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_keys_are_counted_exactly_in_the_dense_range_and_by_sketch_beyond() {
        let mut keys = KeyCounter::default();
        for _ in 0..50 {
            keys.record(&KeyValue::N(3), false);
        }
        keys.record(&KeyValue::N(3), true);
        for _ in 0..20 {
            keys.record(&KeyValue::N(1 << 40), true);
        }
        keys.record(&KeyValue::S("rare".into()), false);
        let top = keys.top(2);
        assert_eq!(top[0], (KeyValue::N(3), KeyStats { attempts: 51, throttled: 1 }));
        assert_eq!(top[1], (KeyValue::N(1 << 40), KeyStats { attempts: 20, throttled: 20 }));
    }
}
