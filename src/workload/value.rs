//! Value distributions: how a workload picks one of a set of values (an entity id, a key
//! attribute's value, an index into a list of categories).
//!
//! Every distribution draws an integer in `0..count()`; value 0 is the most popular under Zipf
//! and the hot set. Sampling is generic over the random source, so the same distribution serves
//! both a request's stream and the per-entity source of [`super::attribute`]. Sampling never
//! allocates; clones share their tables.

use super::zipf::{alias_table, Zipf};
use rand::Rng;
use std::fmt;
use std::sync::Arc;

/// How values are drawn.
#[derive(Clone, Debug)]
pub enum ValueDistribution {
    /// Every value equally likely.
    Uniform {
        /// Number of distinct values.
        count: u64,
    },
    /// Zipf popularity: value k drawn with probability proportional to (k+1)^-exponent.
    Zipf(Zipf),
    /// A share of the draws spread evenly over the first values, the rest over all the others.
    Hotset(Hotset),
    /// Each value with its own weight (categories, or weights read from a file).
    Weighted(Weighted),
}

impl ValueDistribution {
    /// Draws one value. No heap allocation.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        // Tested one by one rather than matched: a four-way match on this niche-packed enum
        // compiles to a jump table, an indirect jump on every request for the common two.
        if let ValueDistribution::Zipf(zipf) = self {
            return zipf.sample(rng);
        }
        if let ValueDistribution::Uniform { count } = self {
            return uniform_below(rng.next_u64(), *count);
        }
        self.sample_other(rng)
    }

    /// [`ValueDistribution::sample`] of a hot set or weighted values.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            ValueDistribution::Uniform { count } => uniform_below(rng.next_u64(), *count),
            ValueDistribution::Zipf(zipf) => zipf.sample(rng),
            ValueDistribution::Hotset(h) => h.sample(rng),
            ValueDistribution::Weighted(w) => w.sample(rng),
        }
    }

    /// Number of distinct values.
    pub fn count(&self) -> u64 {
        match self {
            ValueDistribution::Uniform { count } => *count,
            ValueDistribution::Zipf(zipf) => zipf.count(),
            ValueDistribution::Hotset(h) => h.count,
            ValueDistribution::Weighted(w) => w.count,
        }
    }
}

/// A uniform integer in `0..n` (n >= 1) from one draw `u`, by Lemire's multiply-shift; the bias
/// is below 2^-64 x n, far under anything a run can observe.
#[inline]
pub fn uniform_below(u: u64, n: u64) -> u64 {
    ((u128::from(u) * u128::from(n)) >> 64) as u64
}

/// `share` of the draws go evenly to values `0..hot`, the rest evenly to `hot..count`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hotset {
    count: u64,
    hot: u64,
    /// `share` scaled to 2^64 (saturating): a draw below it is hot.
    threshold: u64,
}

impl Hotset {
    /// A hot set of `hot` values out of `count` taking `share` of the draws. Needs
    /// `1 <= hot <= count` and `0 <= share <= 1`; when `hot == count` every draw is hot.
    pub fn new(count: u64, hot: u64, share: f64) -> Result<Hotset, HotsetError> {
        if hot == 0 || hot > count {
            return Err(HotsetError::Hot { hot, count });
        }
        if !(0.0..=1.0).contains(&share) {
            return Err(HotsetError::Share(share));
        }
        let share = if hot == count { 1.0 } else { share };
        let threshold = if share >= 1.0 { u64::MAX } else { (share * 18_446_744_073_709_551_616.0) as u64 };
        Ok(Hotset { count, hot, threshold })
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let u = rng.next_u64();
        let v = rng.next_u64();
        if u < self.threshold || self.threshold == u64::MAX {
            uniform_below(v, self.hot)
        } else {
            self.hot + uniform_below(v, self.count - self.hot)
        }
    }
}

/// Why a [`Hotset`] could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum HotsetError {
    /// The hot values are not between 1 and the count.
    Hot {
        /// Hot values asked for.
        hot: u64,
        /// All values.
        count: u64,
    },
    /// The share is not a fraction.
    Share(f64),
}

impl fmt::Display for HotsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HotsetError::Hot { hot, count } => {
                write!(f, "must be between 1 and count ({count}), got {hot}")
            }
            HotsetError::Share(s) => write!(f, "must be a fraction from 0 to 1, got {s}"),
        }
    }
}

/// Why weights could not make a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightsError {
    /// No weights at all.
    Empty,
    /// More values than an alias table can index (2^31).
    TooMany(usize),
    /// A weight that is negative or not finite: its index and value.
    Bad(usize, f64),
    /// Every weight is zero.
    AllZero,
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsError::Empty => write!(f, "needs at least one value with a weight"),
            WeightsError::TooMany(n) => write!(f, "has {n} values; at most 2147483648 are supported"),
            WeightsError::Bad(_, w) => write!(f, "weight must be a non-negative number, got {w}"),
            WeightsError::AllZero => write!(f, "weights must not all be zero"),
        }
    }
}

/// Value i drawn with probability `weights[i] / sum(weights)`, through a Vose alias table (one
/// random word, a load and a compare per draw).
#[derive(Clone)]
pub struct Weighted {
    count: u64,
    shift: u32,
    table: Arc<[u64]>,
}

/// By hand, so that printing does not dump the table.
impl fmt::Debug for Weighted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Weighted").field("count", &self.count).finish_non_exhaustive()
    }
}

impl Weighted {
    /// The distribution of `weights` (non-negative, finite, not all zero).
    pub fn new(weights: &[f64]) -> Result<Weighted, WeightsError> {
        if weights.is_empty() {
            return Err(WeightsError::Empty);
        }
        if weights.len() > 1 << 31 {
            return Err(WeightsError::TooMany(weights.len()));
        }
        if let Some((i, &w)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(WeightsError::Bad(i, w));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(WeightsError::AllZero);
        }
        let slots = weights.len().next_power_of_two().max(2);
        let table: Arc<[u64]> = alias_table(weights, slots, total).into();
        Ok(Weighted { count: weights.len() as u64, shift: 64 - slots.trailing_zeros(), table })
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Draws an index in `0..count()`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let u = rng.next_u64();
        let column = u >> self.shift;
        let slot = self.table[column as usize];
        if (u as u32) < (slot >> 32) as u32 {
            column
        } else {
            slot & u64::from(u32::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn histogram(dist: &ValueDistribution, draws: usize, seed: u64) -> Vec<u64> {
        let mut rng = stream(seed, "values");
        let mut counts = vec![0u64; dist.count() as usize];
        for _ in 0..draws {
            counts[dist.sample(&mut rng) as usize] += 1;
        }
        counts
    }

    /// Each count within 5 binomial sigmas of its expectation.
    fn assert_close(counts: &[u64], probabilities: &[f64]) {
        let n: u64 = counts.iter().sum();
        for (i, (&c, &p)) in counts.iter().zip(probabilities).enumerate() {
            let (mean, sigma) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            assert!((c as f64 - mean).abs() <= 5.0 * sigma + 1e-9, "value {i}: {c} vs {mean}");
        }
    }

    #[test]
    fn uniform_values_cover_the_range_evenly() {
        let counts = histogram(&ValueDistribution::Uniform { count: 10 }, 100_000, 9);
        assert_close(&counts, &[0.1; 10]);
    }

    #[test]
    fn weighted_values_follow_their_weights() {
        let weights = [45.0, 12.0, 8.0, 5.0, 0.0, 30.0];
        let dist = ValueDistribution::Weighted(Weighted::new(&weights).expect("valid weights"));
        let probabilities: Vec<f64> = weights.iter().map(|w| w / 100.0).collect();
        let counts = histogram(&dist, 200_000, 3);
        assert_eq!(counts[4], 0, "a zero weight is never drawn");
        assert_close(&counts, &probabilities);
        let one = ValueDistribution::Weighted(Weighted::new(&[2.5]).expect("valid"));
        assert_eq!(histogram(&one, 100, 1), vec![100]);
    }

    #[test]
    fn weights_are_checked() {
        assert_eq!(Weighted::new(&[]).unwrap_err(), WeightsError::Empty);
        assert_eq!(Weighted::new(&[1.0, -2.0]).unwrap_err(), WeightsError::Bad(1, -2.0));
        assert!(matches!(Weighted::new(&[f64::NAN]), Err(WeightsError::Bad(0, _))));
        assert_eq!(Weighted::new(&[0.0, 0.0]).unwrap_err(), WeightsError::AllZero);
        assert_eq!(WeightsError::AllZero.to_string(), "weights must not all be zero");
    }

    #[test]
    fn a_hot_set_takes_its_share_evenly() {
        let dist = ValueDistribution::Hotset(Hotset::new(20, 2, 0.9).expect("valid"));
        let mut probabilities = vec![0.45, 0.45];
        probabilities.extend([0.1 / 18.0; 18]);
        assert_close(&histogram(&dist, 200_000, 4), &probabilities);
        let all_hot = ValueDistribution::Hotset(Hotset::new(4, 4, 0.1).expect("valid"));
        assert_close(&histogram(&all_hot, 40_000, 5), &[0.25; 4]);
        assert!(Hotset::new(10, 0, 0.5).is_err());
        assert!(Hotset::new(10, 11, 0.5).is_err());
        assert!(Hotset::new(10, 2, 1.5).is_err());
        assert!(Hotset::new(10, 2, f64::NAN).is_err());
    }
}
