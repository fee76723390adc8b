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

/// An exponential variate with mean `mean` (inverse transform; never infinite).
#[inline]
pub fn exponential<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> f64 {
    -mean * (1.0 - unit_f64(rng)).ln()
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

    #[test]
    fn unit_is_in_range() {
        let mut rng = stream(3, "u");
        for _ in 0..10_000 {
            let u = unit_f64(&mut rng);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
