//! Metrics: per-second series, per-partition and per-key totals, latency, and the
//! time-bucketed data behind the report's heat maps and latency chart.
//!
//! Invariant: memory grows with partitions plus seconds plus distinct hot keys, never with
//! partitions times seconds: what is kept per (partition, time) lives in at most a few hundred
//! time buckets ([`timeline`]). Recording allocates nothing in steady state (the per-second
//! vector grows once a simulated second, a time bucket once per bucket).

pub mod heat;
pub mod histogram;
pub mod keys;
pub mod timeline;

use crate::capacity::{CapacityParams, ThrottleReason, REASON_COUNT};
use crate::engine::{Access, ItemKey, PartitionId};
use crate::sim::SimConfig;
use crate::time::{SimTime, MICROS_PER_SECOND};
pub use heat::{HeatMapData, PartitionCapacity};
pub use histogram::{CoarseHistogram, Histogram};
pub use keys::{KeyCounter, KeyStats};
use std::collections::BTreeMap;
pub use timeline::{Timeline, Totals, MAX_COLUMNS};

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
    /// Read milli-units consumed from global secondary indexes' own capacity.
    pub index_read_milli: u64,
    /// Write milli-units consumed from global secondary indexes' own capacity.
    pub index_write_milli: u64,
}

/// Totals for one secondary index (a local index's are part of its table's capacity, and
/// counted there: MODEL.md §7.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Read milli-units consumed.
    pub read_milli: u64,
    /// Write milli-units consumed.
    pub write_milli: u64,
    /// Totals per partition of the index, by partition id (attempts are the charges).
    pub partitions: Vec<PartitionStats>,
}

/// Totals for one partition. Aligned to its size, so that no partition's totals straddle two
/// cache lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(align(32))]
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

/// What metrics need to know of a run before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsConfig {
    /// The run's planned duration, microseconds: it sets the width of the time buckets
    /// (`ceil(duration / MAX_COLUMNS)` seconds, at least 1). 0 gives 1-second buckets, which
    /// widen if the run goes on.
    pub duration_us: u64,
    /// Each partition's capacity, the denominator of the heat maps' shares.
    pub partition_capacity: PartitionCapacity,
}

impl MetricsConfig {
    /// The configuration for a run of `config`.
    pub fn for_run(config: &SimConfig) -> MetricsConfig {
        MetricsConfig {
            duration_us: config.duration_us,
            partition_capacity: PartitionCapacity {
                read_units: config.capacity.partition_read_units,
                write_units: config.capacity.partition_write_units,
            },
        }
    }
}

impl Default for MetricsConfig {
    /// No planned duration, and the default partition capacity of MODEL.md §2.1.
    fn default() -> MetricsConfig {
        let params = CapacityParams::default();
        MetricsConfig {
            duration_us: 0,
            partition_capacity: PartitionCapacity {
                read_units: params.partition_read_units,
                write_units: params.partition_write_units,
            },
        }
    }
}

/// Everything a run measures.
#[derive(Clone, Debug)]
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
    /// Totals per global secondary index, by index number.
    pub indexes: Vec<IndexStats>,
    /// Requests that ended with an error other than throttling, by [`crate::sim::RequestError`].
    pub errors: BTreeMap<crate::sim::RequestError, u64>,
    /// Consumption per (partition, time bucket) and latency per time bucket.
    timeline: Timeline,
    /// The first hash each partition owned, by id, as recorded after the run.
    partition_starts: BTreeMap<PartitionId, u64>,
    partition_capacity: PartitionCapacity,
    /// Each split as (parent, lower child): the lower child keeps its parent's start.
    splits: Vec<(PartitionId, PartitionId)>,
    /// The microseconds `open_us.0..open_us.1` are second `open_second`, the second of the
    /// last record that took the slow path, which `seconds` holds and whose time bucket is the
    /// timeline's open one; the range is empty when no such second is known. A record inside it
    /// takes the fast path: its second without a division, and no timeline bookkeeping but
    /// the open bucket's latency maximum (the timeline counts the open bucket from the totals).
    open_us: (u64, u64),
    open_second: u64,
}

impl Default for Metrics {
    /// Metrics with [`MetricsConfig::default`].
    fn default() -> Metrics {
        Metrics::new(MetricsConfig::default())
    }
}

impl Metrics {
    /// Empty metrics for a run configured by `config`.
    pub fn new(config: MetricsConfig) -> Metrics {
        Metrics {
            seconds: Vec::new(),
            partitions: Vec::new(),
            keys: KeyCounter::default(),
            latency_us: Histogram::default(),
            timeline: Timeline::new(config.duration_us),
            partition_starts: BTreeMap::new(),
            partition_capacity: config.partition_capacity,
            table_states: Vec::new(),
            splits: Vec::new(),
            indexes: Vec::new(),
            errors: BTreeMap::new(),
            open_us: (0, 0),
            open_second: 0,
        }
    }

    /// Records the first hash each partition owns, so that the heat maps can order their rows
    /// by hash range. Call it after a run with the table's partitions; once splits happen
    /// during runs, also with each retired partition (whose start its lower child kept).
    /// Partitions never recorded are ordered after the others, by id.
    pub fn record_partition_starts(&mut self, starts: impl IntoIterator<Item = (PartitionId, u64)>) {
        self.partition_starts.extend(starts);
        // A retired partition started where its lower child starts; resolve from the last
        // split back, since a lower child may itself have split later.
        for &(parent, low) in self.splits.iter().rev() {
            if let Some(&start) = self.partition_starts.get(&low) {
                self.partition_starts.entry(parent).or_insert(start);
            }
        }
    }

    /// The time-bucketed consumption and latency.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Latency quantile `q` of each time bucket of the timeline, microseconds; `None` where no
    /// request completed.
    pub fn latency_quantiles(&self, q: f64) -> Vec<Option<u64>> {
        self.timeline.latency_quantiles(q, &self.latency_us)
    }

    /// Each partition's capacity, as configured.
    pub fn partition_capacity(&self) -> PartitionCapacity {
        self.partition_capacity
    }

    /// The heat-map data: the share of each partition's capacity consumed per time bucket,
    /// with a row for every recorded partition and every partition that saw an attempt.
    pub fn heat_map(&self) -> HeatMapData {
        heat::build(&self.timeline, &self.partitions, &self.partition_starts, self.partition_capacity)
    }

    /// Makes `seconds` hold `second`; returns it.
    #[inline(always)]
    fn ensure(&mut self, second: u64) -> u64 {
        if second as usize >= self.seconds.len() {
            self.seconds.resize(second as usize + 1, SecondStats::default());
        }
        second
    }

    /// The open second, if `now` is in it (see [`Metrics::open_us`]).
    #[inline(always)]
    fn open_second(&self, now: SimTime) -> Option<u64> {
        let us = now.micros();
        (us >= self.open_us.0 && us < self.open_us.1).then_some(self.open_second)
    }

    /// After a record in `second` took the slow path: `second` is the open one if the timeline's
    /// open bucket holds it.
    fn reopen(&mut self, second: u64) {
        self.ensure(second);
        let start = second.saturating_mul(MICROS_PER_SECOND);
        self.open_us = if self.timeline.is_open(second) {
            (start, start.saturating_add(MICROS_PER_SECOND))
        } else {
            (0, 0)
        };
        self.open_second = second;
    }

    #[inline(always)]
    fn partition(&mut self, id: PartitionId) -> &mut PartitionStats {
        let i = id.0 as usize;
        if i >= self.partitions.len() {
            self.partitions.resize(i + 1, PartitionStats::default());
        }
        &mut self.partitions[i]
    }

    /// A client request was issued in `second`.
    pub fn offered(&mut self, second: u64) {
        let second = self.ensure(second);
        self.seconds[second as usize].offered += 1;
    }

    /// An attempt on `key` in partition `partition` was admitted and consumed `milli`.
    pub fn admitted(
        &mut self,
        second: u64,
        partition: PartitionId,
        key: &ItemKey,
        access: Access,
        milli: u64,
    ) {
        let second = self.ensure(second);
        self.consumed(second, partition, access, milli, 1);
        self.keys.record(&key.partition, key.hash, false);
    }

    /// `milli` of `access` capacity consumed on `partition` in `second` by `attempts` attempts
    /// (0 for a request's further charges): the second's, the partition's and the timeline's
    /// totals. `seconds` holds `second`.
    fn consumed(&mut self, second: u64, partition: PartitionId, access: Access, milli: u64, attempts: u64) {
        // Before the partition totals change: the timeline counts the open bucket from them.
        let totals = Totals { partitions: &self.partitions, latency_us: &self.latency_us };
        self.timeline.consumed(second, totals, partition, access, milli);
        self.check_open();
        self.consumed_open(second, partition, access, milli, attempts);
    }

    /// After the timeline may have opened another bucket: the open second stays open only if
    /// the timeline's open bucket still holds it.
    fn check_open(&mut self) {
        if !self.timeline.is_open(self.open_second) {
            self.open_us = (0, 0);
        }
    }

    /// [`Metrics::consumed`] in the open second, whose bucket the timeline counts from the
    /// totals.
    #[inline(always)]
    fn consumed_open(
        &mut self,
        second: u64,
        partition: PartitionId,
        access: Access,
        milli: u64,
        attempts: u64,
    ) {
        let s = &mut self.seconds[second as usize];
        s.attempts += attempts;
        match access {
            Access::Read => s.read_milli += milli,
            Access::Write => s.write_milli += milli,
        }
        let p = self.partition(partition);
        p.attempts += attempts;
        match access {
            Access::Read => p.read_milli += milli,
            Access::Write => p.write_milli += milli,
        }
    }

    /// An attempt on `key` in partition `partition` was throttled for `reason`.
    pub fn throttled(&mut self, second: u64, partition: PartitionId, key: &ItemKey, reason: ThrottleReason) {
        let second = self.ensure(second);
        self.throttled_in(second, partition, key, reason);
    }

    /// [`Metrics::throttled`] in a second that `seconds` holds.
    #[inline(always)]
    fn throttled_in(&mut self, second: u64, partition: PartitionId, key: &ItemKey, reason: ThrottleReason) {
        let s = &mut self.seconds[second as usize];
        s.attempts += 1;
        s.throttled += 1;
        s.throttled_by_reason[reason.index()] += 1;
        let p = self.partition(partition);
        p.attempts += 1;
        p.throttled += 1;
        self.keys.record(&key.partition, key.hash, true);
    }

    /// A request completed in `second` after `latency_us`, successfully or not.
    pub fn completed(&mut self, second: u64, succeeded: bool, latency_us: u64) {
        let second = self.ensure(second);
        self.completed_in(second, succeeded, latency_us);
    }

    /// [`Metrics::completed`] in a second that `seconds` holds.
    fn completed_in(&mut self, second: u64, succeeded: bool, latency_us: u64) {
        // Before the histogram records it: the timeline counts the open bucket from it.
        let totals = Totals { partitions: &self.partitions, latency_us: &self.latency_us };
        self.timeline.completed(second, totals, latency_us);
        self.check_open();
        self.counted(second, succeeded, latency_us);
    }

    /// A completion's own counts: its second's and the run-wide histogram's.
    #[inline(always)]
    fn counted(&mut self, second: u64, succeeded: bool, latency_us: u64) {
        let s = &mut self.seconds[second as usize];
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
            t.index_read_milli += s.index_read_milli;
            t.index_write_milli += s.index_write_milli;
            for (a, b) in t.throttled_by_reason.iter_mut().zip(&s.throttled_by_reason) {
                *a += b;
            }
        }
        t
    }
}

/// A record outside the open second: `record` it in its second, then move the open second.
#[cold]
#[inline(never)]
fn slow(metrics: &mut Metrics, now: SimTime, record: impl FnOnce(&mut Metrics, u64)) {
    let second = now.second();
    record(metrics, second);
    metrics.reopen(second);
}

impl crate::sim::Observer for Metrics {
    // Each record in the open second takes a fast path; any other, the inherent method and
    // then `reopen`, out of line.

    #[inline(always)]
    fn offered(&mut self, now: SimTime) {
        match self.open_second(now) {
            Some(second) => self.seconds[second as usize].offered += 1,
            None => slow(self, now, Metrics::offered),
        }
    }

    #[inline(always)]
    fn admitted(&mut self, now: SimTime, partition: PartitionId, key: &ItemKey, access: Access, milli: u64) {
        match self.open_second(now) {
            Some(second) => {
                self.consumed_open(second, partition, access, milli, 1);
                self.keys.record(&key.partition, key.hash, false);
            }
            None => {
                slow(self, now, move |m, second| Metrics::admitted(m, second, partition, key, access, milli))
            }
        }
    }

    #[inline(always)]
    fn throttled(&mut self, now: SimTime, partition: PartitionId, key: &ItemKey, reason: ThrottleReason) {
        match self.open_second(now) {
            Some(second) => self.throttled_in(second, partition, key, reason),
            None => slow(self, now, move |m, second| Metrics::throttled(m, second, partition, key, reason)),
        }
    }

    #[inline(always)]
    fn completed(&mut self, now: SimTime, succeeded: bool, latency_us: u64) {
        match self.open_second(now) {
            Some(second) => {
                self.timeline.completed_open(latency_us);
                self.counted(second, succeeded, latency_us);
            }
            None => slow(self, now, move |m, second| Metrics::completed(m, second, succeeded, latency_us)),
        }
    }

    #[inline(always)]
    fn served(
        &mut self,
        now: SimTime,
        partition: PartitionId,
        key: &ItemKey,
        access: Access,
        milli: u64,
        latency_us: u64,
    ) {
        match self.open_second(now) {
            Some(second) => {
                self.seconds[second as usize].offered += 1;
                self.consumed_open(second, partition, access, milli, 1);
                self.keys.record(&key.partition, key.hash, false);
                self.timeline.completed_open(latency_us);
                self.counted(second, true, latency_us);
            }
            None => slow(self, now, move |m, second| {
                Metrics::offered(m, second);
                Metrics::admitted(m, second, partition, key, access, milli);
                Metrics::completed(m, second, true, latency_us);
            }),
        }
    }

    fn split(&mut self, _now: SimTime, parent: PartitionId, children: (PartitionId, PartitionId)) {
        self.splits.push((parent, children.0));
    }

    fn charged(&mut self, now: SimTime, partition: PartitionId, access: Access, milli: u64) {
        let second = self.ensure(now.second());
        self.consumed(second, partition, access, milli, 0);
    }

    fn index_charged(
        &mut self,
        now: SimTime,
        index: usize,
        partition: PartitionId,
        access: Access,
        milli: u64,
    ) {
        let second = self.ensure(now.second());
        let s = &mut self.seconds[second as usize];
        match access {
            Access::Read => s.index_read_milli += milli,
            Access::Write => s.index_write_milli += milli,
        }
        if self.indexes.len() <= index {
            self.indexes.resize(index + 1, IndexStats::default());
        }
        let stats = &mut self.indexes[index];
        match access {
            Access::Read => stats.read_milli += milli,
            Access::Write => stats.write_milli += milli,
        }
        let i = partition.0 as usize;
        if stats.partitions.len() <= i {
            stats.partitions.resize(i + 1, PartitionStats::default());
        }
        let p = &mut stats.partitions[i];
        p.attempts += 1;
        match access {
            Access::Read => p.read_milli += milli,
            Access::Write => p.write_milli += milli,
        }
    }

    fn attempted(&mut self, now: SimTime, key: &ItemKey) {
        let second = self.ensure(now.second());
        self.seconds[second as usize].attempts += 1;
        self.keys.record(&key.partition, key.hash, false);
    }

    fn errored(&mut self, _now: SimTime, error: crate::sim::RequestError) {
        *self.errors.entry(error).or_insert(0) += 1;
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
    use crate::capacity::{LimitType, Operation, Resource};
    use crate::engine::KeyValue;
    use crate::rng::mix64;
    use crate::sim::Observer;

    const SECOND: u64 = MICROS_PER_SECOND;

    /// The observer's fast path (records in the open second) and its slow path count exactly
    /// what the inherent methods count, whatever order the seconds come in.
    #[test]
    fn the_observer_counts_what_the_inherent_methods_count() {
        let config = MetricsConfig { duration_us: 30 * SECOND, ..MetricsConfig::default() };
        let (mut fast, mut plain) = (Metrics::new(config.clone()), Metrics::new(config));
        let reason =
            ThrottleReason::new(Resource::Table, Operation::Write, LimitType::KeyRangeThroughputExceeded);
        for i in 0..20_000u64 {
            let r = mix64(i);
            // Mostly forward in time, with some records for earlier and later seconds.
            let us = match r % 50 {
                0 => (i * 1_500).saturating_sub(4 * SECOND),
                1 => i * 1_500 + 3 * SECOND,
                _ => i * 1_500,
            };
            let (now, second) = (SimTime(us), us / SECOND);
            let partition = PartitionId((r >> 8) as u32 % 7);
            let key = ItemKey::new(KeyValue::N((r >> 16) as i64 % 100), None);
            let (access, milli) = if r & 1 == 0 { (Access::Read, 500) } else { (Access::Write, 1_000) };
            let latency = 1_000 + (r >> 32) % 50_000;
            plain.offered(second);
            if (r >> 4) % 5 == 4 {
                Observer::served(&mut fast, now, partition, &key, access, milli, latency);
                plain.admitted(second, partition, &key, access, milli);
                plain.completed(second, true, latency);
                continue;
            }
            Observer::offered(&mut fast, now);
            match (r >> 4) % 5 {
                0 => {
                    Observer::throttled(&mut fast, now, partition, &key, reason);
                    plain.throttled(second, partition, &key, reason);
                }
                1 => {
                    Observer::charged(&mut fast, now, partition, access, milli);
                    let second = plain.ensure(second);
                    plain.consumed(second, partition, access, milli, 0);
                }
                _ => {
                    Observer::admitted(&mut fast, now, partition, &key, access, milli);
                    plain.admitted(second, partition, &key, access, milli);
                }
            }
            Observer::completed(&mut fast, now, r & 2 == 0, latency);
            plain.completed(second, r & 2 == 0, latency);
        }
        assert_eq!(fast.seconds, plain.seconds);
        assert_eq!(fast.partitions, plain.partitions);
        assert_eq!(fast.keys.top(10), plain.keys.top(10));
        for q in [0.5, 0.99, 1.0] {
            assert_eq!(fast.latency_us.quantile(q), plain.latency_us.quantile(q));
            assert_eq!(fast.latency_quantiles(q), plain.latency_quantiles(q));
        }
        let (a, b) = (fast.heat_map(), plain.heat_map());
        assert_eq!((a.read_share, a.write_share), (b.read_share, b.write_share));
    }

    /// A charge that opens a later time bucket ends the open second: records still in it
    /// belong to their own (earlier) bucket, not to the one open now.
    #[test]
    fn a_later_bucket_opened_by_a_charge_closes_the_open_second() {
        let config = MetricsConfig { duration_us: 10 * SECOND, ..MetricsConfig::default() };
        let mut m = Metrics::new(config);
        let key = ItemKey::new(KeyValue::N(1), None);
        Observer::admitted(&mut m, SimTime(SECOND / 2), PartitionId(0), &key, Access::Read, 500);
        Observer::charged(&mut m, SimTime(3 * SECOND + 1), PartitionId(0), Access::Read, 500);
        Observer::admitted(&mut m, SimTime(SECOND / 2 + 1), PartitionId(1), &key, Access::Read, 500);
        Observer::completed(&mut m, SimTime(SECOND / 2 + 2), true, 9_000);
        let t = m.timeline();
        let milli = |column| t.consumed_milli(column, PartitionId(1), Access::Read, &m.partitions);
        assert_eq!((milli(0), milli(3)), (500, 0));
        assert_eq!(m.latency_quantiles(0.5), [Some(9_000), None, None, None]);
    }
}
