//! Time-bucketed metrics for the report's charts: capacity consumed per (partition, time
//! bucket), reads and writes apart, for the partition heat maps, and a latency histogram per
//! time bucket, for latency over time.
//!
//! Invariant: memory grows with partitions plus time buckets, and the buckets are bounded. A run
//! planned to last `d` seconds gets buckets of `ceil(d / MAX_COLUMNS)` seconds (at least 1 s), so
//! at most [`MAX_COLUMNS`] of them; retries that finish after the duration add a few more, and
//! should a run outlast twice its plan, neighbouring buckets merge (their width doubles), so
//! there are never more than `2 * MAX_COLUMNS`. Recording allocates only when a bucket or a
//! partition is first touched, never per attempt.
//!
//! Consumption is not counted per attempt: the per-partition totals ([`PartitionStats`]) already
//! are, so a bucket's consumption is what the totals gained while it was open, written into
//! the bucket when the next one opens. An attempt then costs the timeline one comparison, and no
//! second table of partitions competes for the cache. Latency likewise: the run-wide histogram
//! counts every request, and a bucket's (coarser) histogram is what the run-wide one gained
//! while it was open; only the bucket's maximum is kept per request.

use super::histogram::{CoarseHistogram, Histogram};
use super::PartitionStats;
use crate::engine::{Access, PartitionId};

/// Time buckets a run is planned with: a heat map of this many columns fits a report page
/// with a few pixels per column, and 240 divides minutes, hours and days evenly.
pub const MAX_COLUMNS: usize = 240;

/// The consumption and latency of one time bucket.
#[derive(Clone, Debug, Default)]
struct Column {
    /// Consumed milli-units by partition id: `[read, write]`. For the open bucket, only what
    /// was written into it explicitly (see [`Timeline::opened_at`]).
    consumed: Vec<[u64; 2]>,
    /// End-to-end latency of the requests that completed in the bucket, microseconds.
    latency_us: CoarseHistogram,
}

impl Column {
    fn add(&mut self, partition: usize, side: usize, milli: u64) {
        if partition >= self.consumed.len() {
            self.consumed.resize(partition + 1, [0; 2]);
        }
        self.consumed[partition][side] += milli;
    }

    fn merge(&mut self, other: Column) {
        for (p, cell) in other.consumed.iter().enumerate() {
            self.add(p, 0, cell[0]);
            self.add(p, 1, cell[1]);
        }
        self.latency_us.merge(&other.latency_us);
    }
}

fn side(access: Access) -> usize {
    match access {
        Access::Read => 0,
        Access::Write => 1,
    }
}

fn totals_of(p: &PartitionStats) -> [u64; 2] {
    [p.read_milli, p.write_milli]
}

/// The run-wide records the open bucket counts from: each partition's totals and the latency
/// histogram of every request so far.
#[derive(Clone, Copy)]
pub struct Totals<'a> {
    /// Per-partition totals, by partition id.
    pub partitions: &'a [PartitionStats],
    /// End-to-end latency of every request completed so far.
    pub latency_us: &'a Histogram,
}

/// Per-bucket consumption and latency (see the module invariant).
#[derive(Clone, Debug)]
pub struct Timeline {
    bucket_seconds: u64,
    /// Seconds `lo..hi` fall in the open bucket, `current`. Nearly every record lands there,
    /// since time only moves forward.
    lo: u64,
    hi: u64,
    current: usize,
    columns: Vec<Column>,
    /// Each partition's totals when the open bucket opened (plus what records for earlier
    /// buckets added since, which belongs to those): the open bucket consumed the difference.
    opened_at: Vec<[u64; 2]>,
    /// The run-wide latency histogram's counts when the open bucket opened (plus the records
    /// for earlier buckets since): the open bucket's requests are the difference.
    latency_opened_at: Vec<u64>,
    /// The highest latency of the open bucket's requests.
    open_max_us: u64,
}

impl Timeline {
    /// A timeline for a run planned to last `duration_us` microseconds (0: 1-second buckets).
    pub fn new(duration_us: u64) -> Timeline {
        let seconds = duration_us.div_ceil(crate::time::MICROS_PER_SECOND);
        let bucket_seconds = seconds.div_ceil(MAX_COLUMNS as u64).max(1);
        Timeline {
            bucket_seconds,
            lo: 0,
            hi: 0,
            current: 0,
            columns: Vec::new(),
            opened_at: Vec::new(),
            latency_opened_at: Vec::new(),
            open_max_us: 0,
        }
    }

    /// Width of every bucket, seconds.
    pub fn bucket_seconds(&self) -> u64 {
        self.bucket_seconds
    }

    /// Number of buckets, from time zero to the last one touched.
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    /// The bucket of `second`, opening it (and closing the open one, from `totals`) when it
    /// lies ahead. A second in an earlier bucket gives that bucket and leaves the open one.
    #[inline]
    fn enter(&mut self, second: u64, totals: Totals) -> usize {
        if second >= self.lo && second < self.hi {
            return self.current;
        }
        self.locate(second, totals)
    }

    #[cold]
    fn locate(&mut self, second: u64, totals: Totals) -> usize {
        let b = (second / self.bucket_seconds) as usize;
        if b < self.current {
            return b;
        }
        self.close(totals);
        while second / self.bucket_seconds >= 2 * MAX_COLUMNS as u64 {
            self.coarsen();
        }
        let b = (second / self.bucket_seconds) as usize;
        if b >= self.columns.len() {
            self.columns.resize_with(b + 1, Column::default);
        }
        self.current = b;
        self.lo = b as u64 * self.bucket_seconds;
        self.hi = self.lo + self.bucket_seconds;
        b
    }

    /// Writes what the totals gained into the open bucket and restarts the count from them.
    fn close(&mut self, totals: Totals) {
        if let Some(column) = self.columns.get_mut(self.current) {
            let latency = totals.latency_us.coarsened(&self.latency_opened_at, self.open_max_us);
            column.latency_us.merge(&latency);
            for (p, stats) in totals.partitions.iter().enumerate() {
                let now = totals_of(stats);
                let then = self.opened_at.get(p).copied().unwrap_or([0; 2]);
                for side in 0..2 {
                    if now[side] > then[side] {
                        column.add(p, side, now[side] - then[side]);
                    }
                }
            }
        }
        self.opened_at.clear();
        self.opened_at.extend(totals.partitions.iter().map(totals_of));
        self.latency_opened_at.clear();
        self.latency_opened_at.extend_from_slice(totals.latency_us.counts());
        self.open_max_us = 0;
    }

    /// Merges neighbouring buckets pairwise, doubling the bucket width. Only called with no
    /// bucket open.
    fn coarsen(&mut self) {
        let old = std::mem::take(&mut self.columns);
        let mut pairs = old.into_iter();
        while let Some(mut even) = pairs.next() {
            if let Some(odd) = pairs.next() {
                even.merge(odd);
            }
            self.columns.push(even);
        }
        self.bucket_seconds *= 2;
    }

    /// Called before `milli` of `access` capacity consumed on `partition` during `second` is
    /// added to the partition `totals`.
    #[inline]
    pub fn consumed(
        &mut self,
        second: u64,
        totals: Totals,
        partition: PartitionId,
        access: Access,
        milli: u64,
    ) {
        let b = self.enter(second, totals);
        if b != self.current {
            self.past(b, partition.0 as usize, side(access), milli);
        }
    }

    /// A record for an earlier bucket: written there, and kept out of the open bucket's count.
    #[cold]
    fn past(&mut self, b: usize, partition: usize, side: usize, milli: u64) {
        self.columns[b].add(partition, side, milli);
        if partition >= self.opened_at.len() {
            self.opened_at.resize(partition + 1, [0; 2]);
        }
        self.opened_at[partition][side] += milli;
    }

    /// A request completed during `second` after `latency_us`. Called before the run-wide
    /// histogram in `totals` records it.
    #[inline]
    pub fn completed(&mut self, second: u64, totals: Totals, latency_us: u64) {
        let b = self.enter(second, totals);
        if b == self.current {
            self.open_max_us = self.open_max_us.max(latency_us);
        } else {
            self.past_latency(b, latency_us);
        }
    }

    /// [`Timeline::completed`] of a request in the open bucket.
    #[inline(always)]
    pub fn completed_open(&mut self, latency_us: u64) {
        self.open_max_us = self.open_max_us.max(latency_us);
    }

    /// Whether `second` is in the open bucket.
    pub fn is_open(&self, second: u64) -> bool {
        second >= self.lo && second < self.hi
    }

    /// A request of an earlier bucket: written there, and kept out of the open bucket's count.
    #[cold]
    fn past_latency(&mut self, b: usize, latency_us: u64) {
        self.columns[b].latency_us.record(latency_us);
        let i = Histogram::bucket_of(latency_us);
        if i >= self.latency_opened_at.len() {
            self.latency_opened_at.resize(i + 1, 0);
        }
        self.latency_opened_at[i] += 1;
    }

    /// Milli-units of `access` capacity consumed on `partition` in bucket `column`, given the
    /// partition `totals` now (which hold the open bucket's consumption).
    pub fn consumed_milli(
        &self,
        column: usize,
        partition: PartitionId,
        access: Access,
        totals: &[PartitionStats],
    ) -> u64 {
        let (p, side) = (partition.0 as usize, side(access));
        let Some(c) = self.columns.get(column) else { return 0 };
        let written = c.consumed.get(p).map_or(0, |cell| cell[side]);
        if column != self.current {
            return written;
        }
        let now = totals.get(p).map_or([0; 2], totals_of)[side];
        let then = self.opened_at.get(p).map_or(0, |cell| cell[side]);
        written + now.saturating_sub(then)
    }

    /// Latency quantile `q` of each bucket, microseconds; `None` where no request completed.
    /// `run_latency_us` is the run-wide histogram, which holds the open bucket's requests.
    pub fn latency_quantiles(&self, q: f64, run_latency_us: &Histogram) -> Vec<Option<u64>> {
        let open = run_latency_us.coarsened::<4>(&self.latency_opened_at, self.open_max_us);
        self.columns
            .iter()
            .enumerate()
            .map(|(b, c)| {
                let mut h = c.latency_us.clone();
                if b == self.current {
                    h.merge(&open);
                }
                (h.count() > 0).then(|| h.quantile(q))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = crate::time::MICROS_PER_SECOND;

    /// A timeline with the partition totals that `Metrics` keeps beside it.
    struct Rig {
        t: Timeline,
        totals: Vec<PartitionStats>,
        latency: Histogram,
    }

    impl Rig {
        fn new(duration_us: u64) -> Rig {
            Rig { t: Timeline::new(duration_us), totals: Vec::new(), latency: Histogram::default() }
        }

        fn complete(&mut self, second: u64, latency_us: u64) {
            let totals = Totals { partitions: &self.totals, latency_us: &self.latency };
            self.t.completed(second, totals, latency_us);
            self.latency.record(latency_us);
        }

        fn consume(&mut self, second: u64, partition: u32, access: Access, milli: u64) {
            let totals = Totals { partitions: &self.totals, latency_us: &self.latency };
            self.t.consumed(second, totals, PartitionId(partition), access, milli);
            let p = partition as usize;
            if p >= self.totals.len() {
                self.totals.resize(p + 1, PartitionStats::default());
            }
            match access {
                Access::Read => self.totals[p].read_milli += milli,
                Access::Write => self.totals[p].write_milli += milli,
            }
        }

        fn milli(&self, column: usize, partition: u32, access: Access) -> u64 {
            self.t.consumed_milli(column, PartitionId(partition), access, &self.totals)
        }
    }

    #[test]
    fn buckets_are_a_240th_of_the_duration_rounded_up_and_at_least_a_second() {
        let width = |seconds: u64| Timeline::new(seconds * SECOND).bucket_seconds();
        assert_eq!(width(0), 1);
        assert_eq!(width(120), 1);
        assert_eq!(width(240), 1);
        assert_eq!(width(241), 2);
        assert_eq!(width(3_600), 15);
        assert_eq!(width(30 * 86_400), 10_800);
        assert_eq!(Timeline::new(SECOND / 2).bucket_seconds(), 1);
    }

    #[test]
    fn a_run_beyond_its_plan_merges_buckets_and_keeps_every_unit() {
        let mut r = Rig::new(0);
        for second in 0..1_000 {
            r.consume(second, 2, Access::Write, 1_000);
            r.complete(second, 5_000 + second);
        }
        // 1,000 one-second buckets would pass 2 x 240: widths 2, then 4.
        assert_eq!((r.t.bucket_seconds(), r.t.columns()), (4, 250));
        assert!((0..250).all(|c| r.milli(c, 2, Access::Write) == 4_000));
        assert_eq!(r.milli(0, 2, Access::Read), 0);
        assert_eq!(r.milli(0, 9, Access::Write), 0);
        assert_eq!(r.milli(250, 2, Access::Write), 0);
        let p99 = r.t.latency_quantiles(0.99, &r.latency);
        assert_eq!(p99.len(), 250);
        assert_eq!(p99[249], Some(5_999), "the top of a bucket is its exact maximum");
    }

    #[test]
    fn the_open_bucket_counts_from_the_totals_and_late_records_land_in_their_bucket() {
        let mut r = Rig::new(10 * SECOND);
        r.consume(0, 7, Access::Read, 500);
        r.consume(0, 7, Access::Read, 500);
        r.complete(0, 5_000);
        r.consume(3, 1, Access::Read, 250);
        assert_eq!(r.milli(0, 7, Access::Read), 1_000);
        assert_eq!(r.milli(3, 1, Access::Read), 250, "still open");
        // A record for second 2 arrives after second 3 opened: it belongs to bucket 2.
        r.consume(2, 7, Access::Write, 40);
        r.consume(3, 7, Access::Write, 60);
        r.consume(4, 7, Access::Write, 1);
        assert_eq!(r.milli(2, 7, Access::Write), 40);
        assert_eq!(r.milli(3, 7, Access::Write), 60);
        assert_eq!(r.milli(3, 1, Access::Read), 250, "closed now");
        assert_eq!(r.milli(4, 7, Access::Write), 1);
        assert!(r.t.columns[1].consumed.is_empty(), "a skipped bucket allocates nothing");
        assert_eq!(r.t.latency_quantiles(0.5, &r.latency), [Some(5_000), None, None, None, None]);
    }
}
