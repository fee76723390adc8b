//! Log-linear latency histograms: `2^SUB_BITS` sub-buckets per power of two, so a percentile is
//! within `2^-(SUB_BITS+1)` of the true value (about 0.8% with 6 bits, 3.1% with 4), in memory
//! bounded by the largest value recorded and without allocation per record once that value
//! has been seen.

/// A histogram of values (microseconds) with `2^SUB_BITS` sub-buckets per power of two, plus
/// the exact maximum. Counts grow only up to the highest bucket touched, so a histogram of
/// millisecond latencies stays a few kilobytes although it could hold any `u64`.
#[derive(Clone, Debug, Default)]
pub struct LogHistogram<const SUB_BITS: u32> {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

/// The run-wide latency histogram: 64 sub-buckets per power of two (within about 1.6%).
pub type Histogram = LogHistogram<6>;

/// The per-time-bucket latency histogram: 16 sub-buckets per power of two (within about 3%),
/// a quarter of the memory, since a run keeps up to a few hundred of them.
pub type CoarseHistogram = LogHistogram<4>;

/// The bucket of `value`: values below `2^SUB_BITS` have one each; above, the power of two
/// (`shift`) and the top `SUB_BITS` bits below the leading one. Without a branch: or-ing in
/// `2^SUB_BITS` makes the small values' shift 0, where `(shift << SUB_BITS) + (value >> shift)`
/// is the value itself.
#[inline]
fn index<const SUB_BITS: u32>(value: u64) -> usize {
    let shift = 63 - (value | (1u64 << SUB_BITS)).leading_zeros() - SUB_BITS;
    ((u64::from(shift) << SUB_BITS) + (value >> shift)) as usize
}

/// The lowest value of bucket `index`.
fn lower_bound<const SUB_BITS: u32>(index: usize) -> u64 {
    let (index, sub) = (index as u64, 1u64 << SUB_BITS);
    if index < sub {
        return index;
    }
    (index % sub + sub) << (index / sub - 1)
}

/// The middle of bucket `index`.
fn midpoint<const SUB_BITS: u32>(index: usize) -> u64 {
    let (index, sub) = (index as u64, 1u64 << SUB_BITS);
    if index < sub {
        return index;
    }
    let shift = index / sub - 1;
    let mantissa = index % sub + sub;
    (mantissa << shift) + ((1u64 << shift) >> 1)
}

impl<const SUB_BITS: u32> LogHistogram<SUB_BITS> {
    /// Records one value.
    #[inline(always)]
    pub fn record(&mut self, value: u64) {
        let i = index::<SUB_BITS>(value);
        match self.counts.get_mut(i) {
            Some(count) => *count += 1,
            None => self.grow_to_count(i),
        }
        self.total += 1;
        self.max = self.max.max(value);
    }

    /// The bucket a record of `value` counts in.
    pub fn bucket_of(value: u64) -> usize {
        index::<SUB_BITS>(value)
    }

    /// Counts per bucket, from the lowest.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Room for bucket `i`, with slack so that a slowly rising maximum reallocates rarely.
    #[cold]
    fn grow(&mut self, i: usize) {
        self.counts.resize((i + 1).next_power_of_two(), 0);
    }

    /// [`LogHistogram::grow`] for a record in bucket `i`, which it counts.
    #[cold]
    fn grow_to_count(&mut self, i: usize) {
        self.grow(i);
        self.counts[i] += 1;
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Largest value recorded (exact).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` in [0, 1] (0 when empty), never above the maximum.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        if rank >= self.total {
            return self.max;
        }
        let mut seen = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return midpoint::<SUB_BITS>(i).min(self.max);
            }
        }
        self.max
    }

    /// This histogram with fewer sub-buckets: what recording into a `LogHistogram<COARSE>` would
    /// have counted, for the records counted here but not in `minus` (a snapshot of this
    /// histogram's counts), whose maximum is `max`. Each bucket of the coarser histogram is a
    /// union of buckets of this one, so nothing is approximated.
    pub fn coarsened<const COARSE: u32>(&self, minus: &[u64], max: u64) -> LogHistogram<COARSE> {
        const { assert!(COARSE <= SUB_BITS) };
        let mut coarse = LogHistogram::<COARSE>::default();
        for (i, &count) in self.counts.iter().enumerate() {
            let count = count - minus.get(i).copied().unwrap_or(0);
            if count > 0 {
                let j = index::<COARSE>(lower_bound::<SUB_BITS>(i));
                if j >= coarse.counts.len() {
                    coarse.grow(j);
                }
                coarse.counts[j] += count;
                coarse.total += count;
            }
        }
        if coarse.total > 0 {
            coarse.max = max;
        }
        coarse
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LogHistogram<SUB_BITS>) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branchless index is the two-case definition: one bucket per small value, then
    /// `2^SUB_BITS` per power of two.
    #[test]
    fn index_matches_its_two_case_definition() {
        fn two_case<const SUB_BITS: u32>(value: u64) -> usize {
            let sub = 1u64 << SUB_BITS;
            if value < sub {
                return value as usize;
            }
            let shift = 63 - value.leading_zeros() - SUB_BITS;
            ((u64::from(shift) + 1) * sub + ((value >> shift) - sub)) as usize
        }
        let mut values: Vec<u64> = (0..5_000).collect();
        values.extend((0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]));
        values.extend([u64::MAX, u64::MAX - 1, 5_000_000, 123_456_789]);
        for v in values {
            assert_eq!(index::<6>(v), two_case::<6>(v), "{v}");
            assert_eq!(index::<4>(v), two_case::<4>(v), "{v}");
        }
    }

    fn check_buckets<const SUB_BITS: u32>(tolerance: f64) {
        let mut last = 0;
        for v in (0..10_000_000u64).step_by(997) {
            let i = index::<SUB_BITS>(v);
            assert!(i >= last);
            last = i;
            let mid = midpoint::<SUB_BITS>(i) as f64;
            assert!((mid - v as f64).abs() <= (v as f64 * tolerance).max(1.0), "{v} -> {mid}");
        }
        assert!(index::<SUB_BITS>(u64::MAX) < (65 - SUB_BITS as usize) << SUB_BITS);
    }

    #[test]
    fn buckets_are_monotonic_and_tight() {
        check_buckets::<6>(0.016);
        check_buckets::<4>(0.032);
    }

    #[test]
    fn a_coarsened_histogram_is_the_coarse_histogram_of_the_same_records() {
        let values: Vec<u64> = (0..5_000u64)
            .chain((0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]))
            .chain((1..2_000u64).map(|i| i * i * 7_919))
            .chain([u64::MAX])
            .collect();
        for v in &values {
            assert_eq!(index::<4>(lower_bound::<6>(index::<6>(*v))), index::<4>(*v), "{v}");
            assert!(lower_bound::<6>(index::<6>(*v)) <= *v);
        }
        let (mut fine, mut coarse) = (Histogram::default(), CoarseHistogram::default());
        let (early, late) = values.split_at(3_000);
        early.iter().for_each(|&v| fine.record(v));
        let snapshot = fine.counts().to_vec();
        for &v in late {
            fine.record(v);
            coarse.record(v);
        }
        let derived: CoarseHistogram = fine.coarsened(&snapshot, coarse.max());
        assert_eq!(derived.count(), coarse.count());
        assert_eq!(derived.max(), coarse.max());
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(derived.quantile(q), coarse.quantile(q), "q = {q}");
        }
        let trimmed = |c: &[u64]| c[..c.iter().rposition(|&n| n > 0).map_or(0, |i| i + 1)].to_vec();
        assert_eq!(trimmed(derived.counts()), trimmed(coarse.counts()));
    }

    #[test]
    fn quantiles_of_a_uniform_range() {
        let mut h = Histogram::default();
        for v in 1..=100_000 {
            h.record(v);
        }
        let p50 = h.quantile(0.5) as f64;
        let p99 = h.quantile(0.99) as f64;
        assert!((p50 - 50_000.0).abs() < 800.0, "{p50}");
        assert!((p99 - 99_000.0).abs() < 1_600.0, "{p99}");
        assert_eq!(h.quantile(1.0), 100_000);
        assert_eq!(h.max(), 100_000);
        assert_eq!(Histogram::default().quantile(0.5), 0);
    }

    #[test]
    fn memory_follows_the_largest_value_and_merge_widens() {
        let mut small = CoarseHistogram::default();
        small.record(5_000);
        assert!(small.counts.len() <= 256, "{}", small.counts.len());
        let mut large = CoarseHistogram::default();
        large.record(20_000_000);
        small.merge(&large);
        assert_eq!((small.count(), small.max()), (2, 20_000_000));
        let p50 = small.quantile(0.5) as f64;
        assert!((p50 - 5_000.0).abs() <= 5_000.0 * 0.032, "{p50}");
    }
}
