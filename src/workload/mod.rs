//! Workloads: what the application does, as distributions of keys, sizes and arrivals.
//!
//! Architecture invariant: this layer knows nothing of partitions or capacity. It turns a
//! random stream into operations on keys; the simulator decides what happens to them.

pub mod zipf;

use crate::engine::{Consistency, ItemKey, KeyValue};
use crate::rng::{exponential, StreamRng};
pub use zipf::{Zipf, ZipfError};

/// The operation a workload issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// GetItem of one key.
    Get,
    /// PutItem of one item.
    Put,
}

/// How an attribute's values are drawn. Values are integers `0..count`, where 0 is the most
/// popular under Zipf.
#[derive(Clone, Debug)]
pub enum ValueDistribution {
    /// Every value equally likely.
    Uniform {
        /// Number of distinct values.
        count: u64,
    },
    /// Zipf popularity: value k drawn with probability proportional to (k+1)^-exponent.
    Zipf(Zipf),
}

impl ValueDistribution {
    /// Draws one value.
    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> u64 {
        match self {
            ValueDistribution::Uniform { count } => uniform_below(rng, *count),
            ValueDistribution::Zipf(zipf) => zipf.sample(rng),
        }
    }

    /// Number of distinct values.
    pub fn count(&self) -> u64 {
        match self {
            ValueDistribution::Uniform { count } => *count,
            ValueDistribution::Zipf(zipf) => zipf.count(),
        }
    }
}

/// A uniform integer in `0..n` (n >= 1) by Lemire's multiply-shift; the bias is below 2^-64 x n,
/// far under anything a run can observe.
#[inline]
fn uniform_below(rng: &mut StreamRng, n: u64) -> u64 {
    use rand::Rng;
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// A validated workload.
#[derive(Clone, Debug)]
pub struct WorkloadSpec {
    /// Name, unique within the scenario.
    pub name: String,
    /// Operation issued.
    pub operation: OperationKind,
    /// Mean requests per second (Poisson arrivals).
    pub rate_per_s: f64,
    /// Size of written items in bytes.
    pub item_bytes: u64,
    /// Read consistency.
    pub consistency: Consistency,
    /// Generator of the table's partition-key attribute.
    pub partition_key: ValueDistribution,
    /// Generator of the table's sort-key attribute, when the table has one.
    pub sort_key: Option<ValueDistribution>,
}

impl WorkloadSpec {
    /// Draws the key of the next request.
    #[inline]
    pub fn draw_key(&self, rng: &mut StreamRng) -> ItemKey {
        let partition = KeyValue::N(self.partition_key.sample(rng) as i64);
        let sort = self.sort_key.as_ref().map(|d| KeyValue::N(d.sample(rng) as i64));
        ItemKey::new(partition, sort)
    }
}

/// A Poisson arrival process, kept in floating microseconds so that rounding never drifts.
#[derive(Clone, Debug)]
pub struct Arrivals {
    mean_gap_us: f64,
    next_us: f64,
}

impl Arrivals {
    /// Arrivals at `rate_per_s`; the first comes one random gap after time zero. A zero rate
    /// never arrives.
    pub fn poisson(rate_per_s: f64, rng: &mut StreamRng) -> Arrivals {
        let mean_gap_us = if rate_per_s > 0.0 { 1e6 / rate_per_s } else { f64::INFINITY };
        let mut arrivals = Arrivals { mean_gap_us, next_us: 0.0 };
        arrivals.advance(rng);
        arrivals
    }

    /// Time of the next arrival, microseconds (`u64::MAX` if never).
    #[inline]
    pub fn peek_us(&self) -> u64 {
        if self.next_us.is_finite() && self.next_us < u64::MAX as f64 {
            self.next_us as u64
        } else {
            u64::MAX
        }
    }

    /// Moves to the arrival after the current one.
    #[inline]
    pub fn advance(&mut self, rng: &mut StreamRng) {
        if self.mean_gap_us.is_finite() {
            self.next_us += exponential(rng, self.mean_gap_us);
        } else {
            self.next_us = f64::INFINITY;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn poisson_arrivals_have_the_requested_rate() {
        let mut rng = stream(5, "arrivals");
        let mut arrivals = Arrivals::poisson(1_000.0, &mut rng);
        let mut count = 0;
        while arrivals.peek_us() < 100_000_000 {
            count += 1;
            arrivals.advance(&mut rng);
        }
        assert!((99_000..101_000).contains(&count), "{count} arrivals in 100 s at 1,000/s");
    }

    #[test]
    fn zero_rate_never_arrives() {
        let mut rng = stream(5, "arrivals");
        assert_eq!(Arrivals::poisson(0.0, &mut rng).peek_us(), u64::MAX);
    }

    #[test]
    fn uniform_values_cover_the_range_evenly() {
        let mut rng = stream(9, "u");
        let dist = ValueDistribution::Uniform { count: 10 };
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[dist.sample(&mut rng) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }
}
