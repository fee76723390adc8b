//! Named random streams derived from one root seed.
//!
//! Each subsystem (arrivals of a workload, its keys, retry jitter, ...) draws from its own
//! generator, seeded from the root seed and the stream's name. Adding a stream therefore never
//! shifts the numbers another stream draws, and a run is reproduced from its root seed alone.
//! The generator is Xoshiro256++, a named, portable algorithm (never `StdRng`, whose algorithm
//! may change between releases).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every random stream.
pub type StreamRng = Xoshiro256PlusPlus;

/// SplitMix64's finaliser: a bijective 64-bit mixer with good avalanche.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes, then mixed: a stable 64-bit hash of a name (not for hot paths).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// The generator for stream `name` under `root_seed`.
pub fn stream(root_seed: u64, name: &str) -> StreamRng {
    StreamRng::seed_from_u64(mix64(root_seed ^ hash_bytes(name.as_bytes())))
}

/// A seed derived from a root seed and an index (for example the n-th of several runs).
pub fn derive_seed(root_seed: u64, index: u64) -> u64 {
    mix64(root_seed.wrapping_add(mix64(index.wrapping_add(0x9e37_79b9_7f4a_7c15))))
}

/// A uniform float in [0, 1) from the top 53 bits of one draw.
#[inline]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Largest standard exponential variate drawn, in means: the ziggurat's tail (about one draw in
/// 2,200) takes the logarithm of a uniform that can be 0 (one in 2^53), so about once in 2^64
/// draws; capping at 40 keeps a gap finite and moves the law by e^-40 (about 4e-18).
const MAX_EXPONENTIAL: f64 = 40.0;

/// An exponential variate with mean `mean`, by the ziggurat method (`rand_distr::Exp1`: a
/// table lookup and a multiply for 98% of draws, where the inverse transform takes a
/// logarithm); never infinite.
#[inline]
pub fn exponential<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> f64 {
    let x: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, rng);
    mean * x.min(MAX_EXPONENTIAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_of_each_other_and_reproducible() {
        let a1: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "keys"), |r, _| Some(r.next_u64())).collect();
        let a2: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "keys"), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "arrivals"), |r, _| Some(r.next_u64())).collect();
        let c: Vec<u64> = (0..4).map(|_| 0).scan(stream(8, "keys"), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
    }

    #[test]
    fn exponential_has_the_right_mean() {
        let mut rng = stream(1, "exp");
        let n = 200_000;
        let mean = (0..n).map(|_| exponential(&mut rng, 2.5)).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.03, "mean {mean}");
    }

    /// Kolmogorov-Smirnov against 1 - e^-x at alpha = 0.01 (critical 1.628 / sqrt(n)).
    #[test]
    fn exponential_follows_the_exponential_law() {
        let mut rng = stream(2, "exp");
        let n = 200_000;
        let mut xs: Vec<f64> = (0..n).map(|_| exponential(&mut rng, 1.0)).collect();
        xs.sort_by(f64::total_cmp);
        let d = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = 1.0 - (-x).exp();
                (f - i as f64 / n as f64).abs().max(((i + 1) as f64 / n as f64 - f).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.628 / (n as f64).sqrt(), "KS distance {d}");
        assert!(xs.iter().all(|x| x.is_finite() && *x >= 0.0));
    }

    #[test]
    fn unit_is_in_range() {
        let mut rng = stream(3, "u");
        for _ in 0..10_000 {
            let u = unit_f64(&mut rng);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
