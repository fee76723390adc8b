//! Item sizes: a fixed number of bytes, or a distribution (uniform, lognormal, weighted).
//!
//! Sizes are what DynamoDB measures (MODEL.md §1.2), in bytes, and never above the 400 KB item
//! limit: the scenario rejects a distribution whose p99 or maximum is above it, and the rare
//! lognormal draw beyond it is capped there. A size is drawn per request, or once per entity
//! (a pure function of the run, the entity and the attribute name "item_bytes", as for entity
//! attributes in [`super::attribute`]), so that the same logical item keeps its size.

use super::attribute::entity_source;
use super::value::Weighted;
use crate::engine::MAX_ITEM_BYTES;
use crate::rng::hash_bytes;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// The standard normal quantile at 0.99: a lognormal's sigma is ln(p99 / median) / Z_0.99.
pub const Z_99: f64 = 2.326_347_874_040_841;

/// How item sizes are distributed, in bytes.
#[derive(Clone, Debug)]
pub enum SizeDistribution {
    /// Always this many bytes.
    Fixed(u64),
    /// Every size in `min..=max` equally likely.
    Uniform {
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// `median * exp(sigma * Z)` with Z standard normal, rounded, within 1..=400 KB.
    LogNormal {
        /// Median size.
        median: f64,
        /// Standard deviation of the size's logarithm.
        sigma: f64,
    },
    /// Listed sizes with weights.
    Weighted {
        /// Which size.
        pick: Weighted,
        /// The sizes, by index.
        sizes: Arc<[u64]>,
    },
}

impl SizeDistribution {
    /// The lognormal with this median whose 99th percentile is `p99` (>= median).
    pub fn lognormal(median: f64, p99: f64) -> SizeDistribution {
        SizeDistribution::LogNormal { median, sigma: (p99 / median).ln() / Z_99 }
    }

    /// Draws one size, in bytes. No allocation.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            SizeDistribution::Fixed(bytes) => *bytes,
            SizeDistribution::Uniform { min, max } => {
                min + super::value::uniform_below(rng.next_u64(), max - min + 1)
            }
            SizeDistribution::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                let bytes = (median * (sigma * z).exp()).round();
                bytes.clamp(1.0, MAX_ITEM_BYTES as f64) as u64
            }
            SizeDistribution::Weighted { pick, sizes } => sizes[pick.sample(rng) as usize],
        }
    }
}

/// A workload's item sizes: the distribution and whether each entity keeps one size.
#[derive(Clone, Debug)]
pub struct ItemSize {
    dist: SizeDistribution,
    per_entity: bool,
    name_hash: u64,
}

impl ItemSize {
    /// Sizes from `dist`, drawn once per entity when `per_entity`, else per request.
    pub fn new(dist: SizeDistribution, per_entity: bool) -> ItemSize {
        ItemSize { dist, per_entity, name_hash: hash_bytes(b"item_bytes") }
    }

    /// Always `bytes`.
    pub fn fixed(bytes: u64) -> ItemSize {
        ItemSize::new(SizeDistribution::Fixed(bytes), false)
    }

    /// The distribution.
    pub fn distribution(&self) -> &SizeDistribution {
        &self.dist
    }

    /// The size of one request's item: from `rng`, or from the entity. A fixed size draws
    /// nothing.
    #[inline(always)]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, entity_seed: u64, entity: u64) -> u64 {
        match self.dist {
            SizeDistribution::Fixed(bytes) => bytes,
            _ => self.draw_other(rng, entity_seed, entity),
        }
    }

    /// [`ItemSize::draw`] of a distribution, out of line so that a fixed size stays inline.
    #[inline(never)]
    fn draw_other<R: Rng + ?Sized>(&self, rng: &mut R, entity_seed: u64, entity: u64) -> u64 {
        if self.per_entity {
            self.dist.sample(&mut entity_source(entity_seed, self.name_hash, entity))
        } else {
            self.dist.sample(rng)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn draws(dist: &SizeDistribution, n: usize) -> Vec<u64> {
        let mut rng = stream(11, "sizes");
        let mut v: Vec<u64> = (0..n).map(|_| dist.sample(&mut rng)).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn lognormal_sizes_have_the_median_and_p99_asked_for() {
        let dist = SizeDistribution::lognormal(800.0, 4_000.0);
        let v = draws(&dist, 200_000);
        let (median, p99) = (v[100_000] as f64, v[198_000] as f64);
        assert!((median / 800.0 - 1.0).abs() < 0.02, "median {median}");
        assert!((p99 / 4_000.0 - 1.0).abs() < 0.05, "p99 {p99}");
        assert!(v[0] >= 1 && v[v.len() - 1] <= MAX_ITEM_BYTES);
    }

    #[test]
    fn lognormal_draws_beyond_the_item_limit_are_capped() {
        let v = draws(&SizeDistribution::lognormal(200_000.0, 400_000.0), 10_000);
        assert_eq!(v[v.len() - 1], MAX_ITEM_BYTES);
    }

    #[test]
    fn uniform_and_weighted_sizes_stay_in_their_set() {
        let v = draws(&SizeDistribution::Uniform { min: 100, max: 103 }, 10_000);
        assert_eq!((v[0], v[v.len() - 1]), (100, 103));
        let pick = Weighted::new(&[70.0, 30.0]).expect("valid");
        let dist = SizeDistribution::Weighted { pick, sizes: Arc::from(vec![400, 4_000]) };
        let v = draws(&dist, 100_000);
        let small = v.iter().filter(|&&b| b == 400).count();
        assert!((69_000..71_000).contains(&small), "{small}");
        assert!(v.iter().all(|&b| b == 400 || b == 4_000));
    }

    #[test]
    fn per_entity_sizes_are_stable_and_fixed_sizes_draw_nothing() {
        let sizes = ItemSize::new(SizeDistribution::Uniform { min: 1, max: 1_000_000 }, true);
        let mut rng = stream(1, "s");
        for entity in 0..100 {
            assert_eq!(sizes.draw(&mut rng, 5, entity), sizes.draw(&mut rng, 5, entity));
        }
        let before = rng.clone();
        assert_eq!(ItemSize::fixed(900).draw(&mut rng, 5, 1), 900);
        assert_eq!(rng, before, "no draw");
    }
}
