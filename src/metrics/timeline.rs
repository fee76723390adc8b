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

use super::histogram::CoarseHistogram;
use crate::engine::{Access, PartitionId};

/// Time buckets a run is planned with: a heat map of this many columns fits a report page
/// with a few pixels per column, and 240 divides minutes, hours and days evenly.
pub const MAX_COLUMNS: usize = 240;

/// The consumption and latency of one time bucket.
#[derive(Clone, Debug, Default)]
struct Column {
    /// Consumed milli-units by partition id: `[read, write]`.
    consumed: Vec<[u64; 2]>,
    /// End-to-end latency of the requests that completed in the bucket, microseconds.
    latency_us: CoarseHistogram,
}

impl Column {
    fn merge(&mut self, other: Column) {
        if other.consumed.len() > self.consumed.len() {
            self.consumed.resize(other.consumed.len(), [0; 2]);
        }
        for (a, b) in self.consumed.iter_mut().zip(&other.consumed) {
            a[0] += b[0];
            a[1] += b[1];
        }
        self.latency_us.merge(&other.latency_us);
    }
}

/// Per-bucket consumption and latency (see the module invariant).
#[derive(Clone, Debug)]
pub struct Timeline {
    bucket_seconds: u64,
    /// Seconds `lo..hi` fall in column `current`. Nearly every record lands there, since time
    /// only moves forward, so recording skips a division.
    lo: u64,
    hi: u64,
    current: usize,
    columns: Vec<Column>,
}

impl Timeline {
    /// A timeline for a run planned to last `duration_us` microseconds (0: 1-second buckets).
    pub fn new(duration_us: u64) -> Timeline {
        let seconds = duration_us.div_ceil(crate::time::MICROS_PER_SECOND);
        let bucket_seconds = seconds.div_ceil(MAX_COLUMNS as u64).max(1);
        Timeline { bucket_seconds, lo: 0, hi: 0, current: 0, columns: Vec::new() }
    }

    /// Width of every bucket, seconds.
    pub fn bucket_seconds(&self) -> u64 {
        self.bucket_seconds
    }

    /// Number of buckets, from time zero to the last one touched.
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    #[inline]
    fn column(&mut self, second: u64) -> &mut Column {
        if second < self.lo || second >= self.hi {
            self.locate(second);
        }
        &mut self.columns[self.current]
    }

    /// Makes `second`'s bucket current, creating it (sized like the one before, since the
    /// partitions rarely change) or first merging buckets if it lies beyond the bound.
    #[cold]
    fn locate(&mut self, second: u64) {
        while second / self.bucket_seconds >= 2 * MAX_COLUMNS as u64 {
            self.coarsen();
        }
        let b = (second / self.bucket_seconds) as usize;
        if b >= self.columns.len() {
            let partitions = self.columns.last().map_or(0, |c| c.consumed.len());
            self.columns.resize_with(b + 1, Column::default);
            self.columns[b].consumed = vec![[0; 2]; partitions];
        }
        self.current = b;
        self.lo = b as u64 * self.bucket_seconds;
        self.hi = self.lo + self.bucket_seconds;
    }

    /// Merges neighbouring buckets pairwise, doubling the bucket width.
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
        (self.lo, self.hi) = (0, 0);
    }

    /// `milli` of `access` capacity was consumed on `partition` during `second`.
    #[inline]
    pub fn consumed(&mut self, second: u64, partition: PartitionId, access: Access, milli: u64) {
        let column = self.column(second);
        let i = partition.0 as usize;
        if i >= column.consumed.len() {
            column.consumed.resize(i + 1, [0; 2]);
        }
        let side = match access {
            Access::Read => 0,
            Access::Write => 1,
        };
        column.consumed[i][side] += milli;
    }

    /// A request completed during `second` after `latency_us`.
    #[inline]
    pub fn completed(&mut self, second: u64, latency_us: u64) {
        self.column(second).latency_us.record(latency_us);
    }

    /// Milli-units of `access` capacity consumed on `partition` in bucket `column`.
    pub fn consumed_milli(&self, column: usize, partition: PartitionId, access: Access) -> u64 {
        let side = match access {
            Access::Read => 0,
            Access::Write => 1,
        };
        let cell = self.columns.get(column).and_then(|c| c.consumed.get(partition.0 as usize));
        cell.map_or(0, |c| c[side])
    }

    /// Ids of every partition that consumed capacity in some bucket.
    pub fn partitions_touched(&self) -> impl Iterator<Item = PartitionId> + '_ {
        let width = self.columns.iter().map(|c| c.consumed.len()).max().unwrap_or(0);
        (0..width)
            .filter(move |&i| self.columns.iter().any(|c| c.consumed.get(i).is_some_and(|v| v != &[0; 2])))
            .map(|i| PartitionId(i as u32))
    }

    /// Latency quantile `q` of each bucket, microseconds; `None` where no request completed.
    pub fn latency_quantiles(&self, q: f64) -> Vec<Option<u64>> {
        self.columns.iter().map(|c| (c.latency_us.count() > 0).then(|| c.latency_us.quantile(q))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = crate::time::MICROS_PER_SECOND;

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
        let mut t = Timeline::new(0);
        for second in 0..1_000 {
            t.consumed(second, PartitionId(2), Access::Write, 1_000);
            t.completed(second, 5_000 + second);
        }
        // 1,000 one-second buckets would pass 2 x 240: widths 2, then 4.
        assert_eq!((t.bucket_seconds(), t.columns()), (4, 250));
        assert!((0..250).all(|c| t.consumed_milli(c, PartitionId(2), Access::Write) == 4_000));
        assert_eq!(t.consumed_milli(0, PartitionId(2), Access::Read), 0);
        assert_eq!(t.consumed_milli(0, PartitionId(9), Access::Write), 0);
        let p99 = t.latency_quantiles(0.99);
        assert_eq!(p99.len(), 250);
        assert_eq!(p99[249], Some(5_999), "the top of a bucket is its exact maximum");
        assert_eq!(t.partitions_touched().collect::<Vec<_>>(), [PartitionId(2)]);
    }

    #[test]
    fn buckets_without_completions_have_no_latency_and_new_buckets_keep_the_partition_width() {
        let mut t = Timeline::new(10 * SECOND);
        t.consumed(0, PartitionId(7), Access::Read, 500);
        t.completed(0, 5_000);
        t.consumed(3, PartitionId(1), Access::Read, 500);
        assert_eq!(t.columns[3].consumed.len(), 8, "sized like the bucket before");
        assert!(t.columns[1].consumed.is_empty(), "a skipped bucket allocates nothing");
        assert_eq!(t.latency_quantiles(0.5), [Some(5_000), None, None, None]);
    }
}
