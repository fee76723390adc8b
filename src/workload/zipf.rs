//! Exact, fast Zipf sampler for key popularity: P(rank k) ∝ (k+1)^-s over ranks `0..count`.
//!
//! `rand_distr::Zipf` costs ~150 ns per draw for s != 1, twice the simulator's whole per-request
//! budget, so this module owns a faster sampler that still draws the exact law, plus the exact
//! rank probabilities that tests and reports compare against.
//!
//! Algorithm: a Vose alias table over ranks and blocks of ranks, with rejection inside blocks.
//! * Ranks `1..=singles` (1-based; `singles` is a quarter of the table, or every rank when
//!   `count` fits the table) are outcomes of their own, weighted by their exact k^-s.
//! * The ranks above are cut into blocks of geometrically growing length (consecutive block
//!   starts differ by a constant ratio, about 1.005 for a million keys): block `[a, b]` is one
//!   outcome weighted by its envelope `(b - a + 1) * a^-s`. A drawn block gives a uniform rank
//!   `k` in it (multiply-shift of a second draw), accepted with probability `(k / a)^-s`, else
//!   the whole draw restarts. Accepted ranks then have probability ∝ `a^-s * (k/a)^-s = k^-s`.
//!   A precomputed squeeze, `(b / a)^-s` (at least 0.99 for a million keys at s = 0.99),
//!   accepts without computing the power; only draws above it compute the exact test.
//! * The table is padded with zero-weight columns to a power of two. A slot is one `u64` (keep
//!   threshold in the high 32 bits, alias in the low 32). One `next_u64` gives the column (top
//!   bits), the biased coin (low 32 bits) and the squeeze coin (the 20 bits above the coin).
//!
//! Invariants: the law drawn is Zipf's up to the 2^-32 quantisation of the alias coins, the
//! multiply-shift's bias (below `block length / 2^64`) and f64 rounding of the weights and of
//! the rare exact test. The table has at most 2^11 slots (16 KiB) and the blocks 1,536 entries
//! of 24 bytes (36 KiB) for any count: 52 KiB in all, where the alias table of 2^16 ranks it
//! replaced took 512 KiB of the second-level cache that the item store needs. (Blocks of 16
//! bytes, each length read from the next block's start, missed the first-level cache more
//! often: the next block is in another line a quarter of the time.) Sampling never allocates;
//! clones share the tables.

use super::value::uniform_below;
use rand::Rng;
use std::fmt;
use std::sync::Arc;

/// log2 of the alias table's slots: 2^11 slots * 8 B = 16 KiB, plus 1,536 blocks of 24 B. More
/// slots make blocks shorter (fewer rejections, already below 1% for a million keys) at the
/// cost of cache; the item store needs the cache more.
const TABLE_BITS: u32 = 11;

/// The largest count: ranks up to 2^53 are exact as `f64`, which the block weights and the
/// exact test use.
pub const MAX_COUNT: u64 = 1 << 53;

/// Bits of a draw, above the alias coin's 32, that make the squeeze coin (the table's column
/// takes the top [`TABLE_BITS`] at most, so 64 - 11 - 32 = 21 are free).
const SQUEEZE_BITS: u32 = 20;

/// Why a [`Zipf`] could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum ZipfError {
    /// `count` was 0: there is no rank to draw.
    ZeroCount,
    /// `count` was above 2^53, where ranks are no longer exact as floating-point numbers.
    CountTooLarge(u64),
    /// The exponent was not a positive finite number.
    BadExponent(f64),
}

impl fmt::Display for ZipfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipfError::ZeroCount => write!(f, "zipf count must be at least 1"),
            ZipfError::CountTooLarge(n) => write!(f, "zipf count must be at most 2^53, got {n}"),
            ZipfError::BadExponent(s) => {
                write!(f, "zipf exponent must be positive and finite, got {s}")
            }
        }
    }
}

impl std::error::Error for ZipfError {}

/// Zipf distribution over ranks `0..count`; cheap to clone (the alias table is shared).
#[derive(Clone)]
pub struct Zipf {
    count: u64,
    exponent: f64,
    /// Outcomes below this are 0-based ranks; outcome `singles + j` is block `blocks[j]`.
    singles: u64,
    /// `64 - log2(table.len())`: the top bits of a draw select the column.
    shift: u32,
    /// Alias slots: keep threshold (high 32 bits) and alias outcome (low 32 bits).
    table: Arc<[u64]>,
    /// Blocks of ranks above the singles, in rank order.
    blocks: Arc<[Block]>,
    /// H(count, s) = Σ_{k=1}^{count} k^-s, the normaliser of [`Zipf::probability`].
    norm: f64,
}

/// A block of 1-based ranks `first..first + len`, drawn uniformly and thinned by rejection.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Block {
    first: u64,
    len: u64,
    /// `floor((last / first)^-s * 2^SQUEEZE_BITS)`, lowered for rounding: a squeeze coin below
    /// it accepts any rank of the block.
    squeeze: u32,
}

impl fmt::Debug for Zipf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zipf")
            .field("count", &self.count)
            .field("exponent", &self.exponent)
            .field("singles", &self.singles)
            .field("table_slots", &self.table.len())
            .field("blocks", &self.blocks.len())
            .field("norm", &self.norm)
            .finish_non_exhaustive()
    }
}

impl Zipf {
    /// Zipf over ranks 0..count: P(rank k) proportional to (k+1)^-exponent. count >= 1,
    /// exponent > 0 and finite (exponent == 1.0 works). Builds a table of at most 2^11 slots.
    pub fn new(count: u64, exponent: f64) -> Result<Zipf, ZipfError> {
        Self::with_table_bits(count, exponent, TABLE_BITS)
    }

    /// [`Zipf::new`] with a smaller table, so tests can push most of the mass into blocks.
    fn with_table_bits(count: u64, exponent: f64, bits: u32) -> Result<Zipf, ZipfError> {
        if count == 0 {
            return Err(ZipfError::ZeroCount);
        }
        if count > MAX_COUNT {
            return Err(ZipfError::CountTooLarge(count));
        }
        if !(exponent > 0.0 && exponent.is_finite()) {
            return Err(ZipfError::BadExponent(exponent));
        }
        let max_slots = 1u64 << bits.clamp(1, 64 - 32 - SQUEEZE_BITS);
        let singles = if count <= max_slots { count } else { max_slots / 4 };
        let blocks = make_blocks(singles + 1, count, (max_slots - singles) as usize, exponent);
        let mut weights: Vec<f64> = (1..=singles).map(|k| (k as f64).powf(-exponent)).collect();
        weights.extend(blocks.iter().map(|b| b.len as f64 * (b.first as f64).powf(-exponent)));
        let total: f64 = weights.iter().rev().sum();
        let slots = (weights.len() as u64).next_power_of_two().max(2);
        Ok(Zipf {
            count,
            exponent,
            singles,
            shift: 64 - slots.trailing_zeros(),
            table: alias_table(&weights, slots as usize, total).into(),
            blocks: blocks.into(),
            norm: power_sum(1, count, exponent),
        })
    }

    /// Number of ranks.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exponent s.
    pub fn exponent(&self) -> f64 {
        self.exponent
    }

    /// Whether `other` draws the same law from equal tables (the same count, exponent and table
    /// size, which the tables are built from alone), so that it could draw from this one's.
    pub fn same_law(&self, other: &Zipf) -> bool {
        self.count == other.count
            && self.exponent.to_bits() == other.exponent.to_bits()
            && self.shift == other.shift
    }

    /// Whether the two draw from the same tables in memory (one is a clone of the other).
    pub fn shares_tables(&self, other: &Zipf) -> bool {
        Arc::ptr_eq(&self.table, &other.table) && Arc::ptr_eq(&self.blocks, &other.blocks)
    }

    /// Draws a 0-based rank. No heap allocation.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        loop {
            let u = rng.next_u64();
            let column = u >> self.shift;
            let slot = self.table[column as usize];
            let outcome = if (u as u32) < (slot >> 32) as u32 { column } else { slot & u64::from(u32::MAX) };
            if outcome < self.singles {
                return outcome;
            }
            let block = self.blocks[(outcome - self.singles) as usize];
            let k = block.first + uniform_below(rng.next_u64(), block.len);
            let coin = ((u >> 32) & ((1 << SQUEEZE_BITS) - 1)) as u32;
            if coin < block.squeeze || self.accept(block.first, k, coin, rng) {
                return k - 1;
            }
        }
    }

    /// The exact test for rank `k` of the block starting at `first`, above the squeeze: the
    /// uniform `(coin + fraction) / 2^SQUEEZE_BITS` against `(k / first)^-s`.
    #[cold]
    #[inline(never)]
    fn accept<R: Rng + ?Sized>(&self, first: u64, k: u64, coin: u32, rng: &mut R) -> bool {
        let fraction = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let v = (f64::from(coin) + fraction) / f64::from(1u32 << SQUEEZE_BITS);
        v < (-self.exponent * (k as f64 / first as f64).ln()).exp()
    }

    /// Exact probability of a rank (for tests and reports); 0 outside `0..count`.
    pub fn probability(&self, rank: u64) -> f64 {
        if rank >= self.count {
            return 0.0;
        }
        ((rank + 1) as f64).powf(-self.exponent) / self.norm
    }
}

/// Blocks covering 1-based ranks `first..=last` (none when `first > last`): about `target`
/// blocks whose starts grow by a constant ratio, each at least one rank long.
fn make_blocks(first: u64, last: u64, target: usize, s: f64) -> Vec<Block> {
    if first > last {
        return Vec::new();
    }
    let ratio = ((last as f64 + 1.0) / first as f64).ln() / target.max(1) as f64;
    let mut blocks = Vec::with_capacity(target);
    let mut start = first;
    for i in 1..=target {
        if start > last {
            break;
        }
        let edge = if i == target { last + 1 } else { (first as f64 * (ratio * i as f64).exp()) as u64 };
        let end = edge.clamp(start + 1, last + 1);
        {
            let (a, b) = (start as f64, (end - 1) as f64);
            let bound = (-s * (b / a).ln()).exp() * (1.0 - 1e-12);
            let squeeze = (bound * f64::from(1u32 << SQUEEZE_BITS)).floor() as u32;
            blocks.push(Block { first: start, len: end - start, squeeze });
            start = end;
        }
    }
    debug_assert_eq!(start, last + 1);
    blocks
}

/// ∫_1^y t^-s dt with oms = 1 - s, stable as oms -> 0.
fn v_of(y: f64, oms: f64) -> f64 {
    let l = y.ln();
    if oms == 0.0 {
        l
    } else {
        (oms * l).exp_m1() / oms
    }
}

/// Σ_{k=a}^{b} k^-s for 1 <= a <= b: explicit below 1024, then Euler–Maclaurin with three
/// Bernoulli terms, whose remainder (~x^-s-7 / 1e6) is below f64 resolution from x = 1024.
fn power_sum(a: u64, b: u64, s: f64) -> f64 {
    const EM_START: u64 = 1024;
    let c = a.max(EM_START);
    if b < c + EM_START {
        return (a..=b).rev().map(|k| (k as f64).powf(-s)).sum();
    }
    let explicit: f64 = (a..c).rev().map(|k| (k as f64).powf(-s)).sum();
    let (cf, bf) = (c as f64, b as f64);
    let integral = cf.powf(1.0 - s) * v_of(bf / cf, 1.0 - s);
    let mut correction = (cf.powf(-s) + bf.powf(-s)) / 2.0;
    // B_2j / (2j)! times [f^(2j-1)](c..b), f^(2j-1)(x) = -s(s+1)..(s+2j-2) x^(-s-2j+1).
    let mut rising = s;
    for (j, bernoulli) in [1.0 / 12.0, -1.0 / 720.0, 1.0 / 30240.0].iter().enumerate() {
        let p = s + (2 * j + 1) as f64;
        correction += bernoulli * rising * (cf.powf(-p) - bf.powf(-p));
        rising *= p * (p + 1.0);
    }
    explicit + integral + correction
}

/// Vose's alias table over `weights` (summing to `total`), padded with zero-weight columns to
/// `slots`. Pairing small with large columns in f64 keeps each slot's error at 2^-32 of 1/slots.
/// Also builds the tables of weighted value distributions ([`super::value::Weighted`]).
pub(super) fn alias_table(weights: &[f64], slots: usize, total: f64) -> Vec<u64> {
    let scale = slots as f64 / total;
    let mut p: Vec<f64> = (0..slots).map(|i| weights.get(i).map_or(0.0, |w| w * scale)).collect();
    // Default slot: always keep its own outcome (what leftover, numerically-full columns need).
    let mut table: Vec<u64> = (0..slots as u64).map(|i| (u64::from(u32::MAX) << 32) | i).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..slots).partition(|&i| p[i] < 1.0);
    while let (Some(l), Some(&g)) = (small.pop(), large.last()) {
        let keep = (p[l] * 4_294_967_296.0).round().min(f64::from(u32::MAX)) as u64;
        table[l] = (keep << 32) | g as u64;
        p[g] = (p[g] + p[l]) - 1.0;
        if p[g] < 1.0 {
            large.pop();
            small.push(g);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    fn rng(seed: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(seed)
    }

    /// Σ_{k=a}^{b} k^-s by brute force with Neumaier compensation (independent of `power_sum`).
    fn naive_sum(a: u64, b: u64, s: f64) -> f64 {
        let (mut sum, mut comp) = (0.0f64, 0.0f64);
        for k in (a..=b).rev() {
            let x = (k as f64).powf(-s);
            let t = sum + x;
            comp += if sum.abs() >= x { (sum - t) + x } else { (x - t) + sum };
            sum = t;
        }
        sum + comp
    }

    /// Exact mass of 0-based ranks lo..hi.
    fn mass(z: &Zipf, lo: u64, hi: u64) -> f64 {
        if hi - lo <= 4096 {
            (lo..hi).map(|k| z.probability(k)).sum()
        } else {
            power_sum(lo + 1, hi, z.exponent()) / z.norm
        }
    }

    /// Bin edges where every bin expects >= 40 of `draws`; widths only grow, so the tail of
    /// a large count is covered by few bins.
    fn auto_edges(z: &Zipf, draws: u64) -> Vec<u64> {
        let min = 40.0 / draws as f64;
        let (mut edges, mut width) = (vec![0u64], 1u64);
        while let Some(&lo) = edges.last().filter(|&&lo| lo < z.count()) {
            let mut hi = (lo + width).min(z.count());
            while mass(z, lo, hi) < min && hi < z.count() {
                width *= 2;
                hi = (lo + width).min(z.count());
            }
            if mass(z, lo, hi) < min && edges.len() > 1 {
                edges.pop(); // fold an underfull last bin into its neighbour
            }
            edges.push(hi);
        }
        edges
    }

    /// Pearson chi-square over the bins `edges[i]..edges[i+1]` at alpha = 0.001.
    fn assert_fits(z: &Zipf, edges: &[u64], draws: u64, seed: u64) {
        let expected: Vec<f64> = edges.windows(2).map(|w| mass(z, w[0], w[1])).collect();
        assert!((expected.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let mut observed = vec![0u64; expected.len()];
        let mut r = rng(seed);
        for _ in 0..draws {
            let rank = z.sample(&mut r);
            assert!(rank < z.count());
            observed[edges.partition_point(|&e| e <= rank) - 1] += 1;
        }
        let n = draws as f64;
        let stat: f64 =
            (observed.iter().zip(&expected)).map(|(&o, &p)| (o as f64 - n * p).powi(2) / (n * p)).sum();
        let df = (expected.len() - 1).max(1) as f64;
        let critical = ChiSquared::new(df).unwrap().inverse_cdf(0.999);
        let (c, s) = (z.count(), z.exponent());
        assert!(stat < critical, "count {c} s {s}: chi2 {stat} >= {critical}, df {df}");
    }

    #[test]
    fn chi_square_goodness_of_fit() {
        let cases = [(10, 1.0), (1000, 0.99), (1_000_000, 0.99), (1_000_000, 1.2)];
        for (i, &(count, s)) in cases.iter().chain(&[(100, 0.5), (5, 3.0)]).enumerate() {
            let z = Zipf::new(count, s).unwrap();
            assert_fits(&z, &auto_edges(&z, 1_000_000), 1_000_000, 42 + i as u64);
        }
    }

    #[test]
    fn chi_square_with_tiny_tables_exercises_the_blocks() {
        let cases = [(1000, 0.99, 4), (200, 1.0, 1), (10_000, 0.5, 3), (500, 2.5, 1)];
        for (i, &(count, s, bits)) in cases.iter().chain(&[(100_000, 1.2, 6)]).enumerate() {
            let z = Zipf::with_table_bits(count, s, bits).unwrap();
            assert!(!z.blocks.is_empty());
            assert_fits(&z, &auto_edges(&z, 500_000), 500_000, 7 + i as u64);
        }
    }

    #[test]
    fn huge_counts_match_first_ranks_and_decades() {
        for (i, &(count, s)) in [(1e10, 0.99), (1e10, 1.0), (1e12, 0.5)].iter().enumerate() {
            let z = Zipf::new(count as u64, s).unwrap();
            let mut edges = vec![0, 1, 2, 3, 4, 5];
            edges.extend((1..).map(|e| 10u64.pow(e)).take_while(|&x| x <= z.count()));
            assert_fits(&z, &edges, 1_000_000, 99 + i as u64);
            // Each of the first ranks within 5 binomial sigmas of its exact probability.
            let mut r = rng(1234 + i as u64);
            let mut hits = [0u64; 4];
            for _ in 0..1_000_000 {
                if let Some(h) = hits.get_mut(z.sample(&mut r) as usize) {
                    *h += 1;
                }
            }
            for (k, &h) in hits.iter().enumerate() {
                let p = z.probability(k as u64);
                let sigma = (1e6 * p * (1.0 - p)).sqrt();
                assert!((h as f64 - 1e6 * p).abs() < 5.0 * sigma, "rank {k}: {h} vs {p}");
            }
        }
    }

    #[test]
    fn probability_is_normalised_and_exact() {
        for s in [0.5, 0.99, 1.0, 1.2, 3.0] {
            for n in [1u64, 2, 10, 1000, 70_000, 200_000] {
                let z = Zipf::new(n, s).unwrap();
                let h = naive_sum(1, n, s);
                let total: f64 = (0..n).map(|k| z.probability(k)).sum();
                assert!((total - 1.0).abs() < 1e-9, "n {n} s {s}: {total}");
                for k in [0, n / 2, n - 1] {
                    let want = ((k + 1) as f64).powf(-s) / h;
                    assert!((z.probability(k) / want - 1.0).abs() < 1e-12);
                }
                assert_eq!(z.probability(n), 0.0);
            }
        }
    }

    #[test]
    fn power_sum_matches_brute_force_and_known_values() {
        for s in [0.3, 0.99, 1.0, 1.01, 1.2, 2.5, 40.0] {
            for (a, b) in [(1, 2_000_000), (65_536, 1_000_000), (17, 5000), (3, 3)] {
                let (got, want) = (power_sum(a, b, s), naive_sum(a, b, s));
                assert!((got / want - 1.0).abs() < 1e-13, "{a}..={b} s {s}: {got} {want}");
            }
        }
        // H(n, 1) = ln n + γ + 1/(2n) - O(n^-2); H(n, 2) = π²/6 - 1/n + 1/(2n²) - O(n^-3).
        let n = 1e10f64;
        let h1 = n.ln() + 0.577_215_664_901_532_9 + 0.5 / n;
        assert!((power_sum(1, n as u64, 1.0) / h1 - 1.0).abs() < 1e-14);
        let h2 = std::f64::consts::PI.powi(2) / 6.0 - 1.0 / n;
        assert!((power_sum(1, n as u64, 2.0) / h2 - 1.0).abs() < 1e-14);
    }

    #[test]
    fn blocks_tile_the_ranks_above_the_singles_and_grow_geometrically() {
        for (count, s, bits) in [(1_000_000u64, 0.99, 11), (1 << 40, 60.0, 11), (5000, 1.0, 4), (9, 2.0, 1)] {
            let z = Zipf::with_table_bits(count, s, bits).unwrap();
            let mut next = z.singles + 1;
            for b in z.blocks.iter() {
                assert_eq!(b.first, next);
                assert!(b.len >= 1);
                next += b.len;
            }
            assert_eq!(next, count + 1, "count {count}");
            assert!(z.singles as usize + z.blocks.len() <= z.table.len());
        }
        // A million keys at 0.99: about 1,536 blocks, each accepting at least 99% by squeeze.
        let z = Zipf::new(1_000_000, 0.99).unwrap();
        assert_eq!(z.singles, 512);
        assert!(z.blocks.len() > 1_400);
        assert!(z.blocks.iter().all(|b| f64::from(b.squeeze) / f64::from(1u32 << SQUEEZE_BITS) > 0.99));
    }

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(Zipf::new(0, 1.0).unwrap_err(), ZipfError::ZeroCount);
        assert_eq!(Zipf::new(u64::MAX, 1.0).unwrap_err(), ZipfError::CountTooLarge(u64::MAX));
        assert!(Zipf::new(MAX_COUNT, 1.0).is_ok());
        for s in [0.0, -1.0, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Zipf::new(10, s).unwrap_err(), ZipfError::BadExponent(s));
        }
        assert!(matches!(Zipf::new(10, f64::NAN), Err(ZipfError::BadExponent(s)) if s.is_nan()));
        assert_eq!(ZipfError::ZeroCount.to_string(), "zipf count must be at least 1");
        let msg = ZipfError::BadExponent(-1.0).to_string();
        assert_eq!(msg, "zipf exponent must be positive and finite, got -1");
    }

    #[test]
    fn same_seed_same_sequence() {
        let z = Zipf::new(1_000_000, 0.99).unwrap();
        let draw = |z: &Zipf, seed| -> Vec<u64> {
            let mut r = rng(seed);
            (0..10_000).map(|_| z.sample(&mut r)).collect()
        };
        assert_eq!(draw(&z, 5), draw(&z, 5));
        assert_eq!(draw(&z, 5), draw(&z.clone(), 5));
        assert_ne!(draw(&z, 5), draw(&z, 6));
    }

    #[test]
    fn accessors_and_extreme_parameters() {
        let z = Zipf::new(1_000_000_000_000, 1.5).unwrap();
        assert_eq!((z.count(), z.exponent()), (1_000_000_000_000, 1.5));
        let shown = format!("{z:?}");
        assert!(shown.starts_with("Zipf { count: 1000000000000") && shown.len() < 200);
        for (count, s) in [(1u64, 1.0), (u64::MAX >> 11, 0.01), (1 << 40, 60.0), (1 << 20, 1e-9)] {
            let z = Zipf::new(count, s).unwrap();
            let mut r = rng(3);
            assert!((0..10_000).all(|_| z.sample(&mut r) < count));
        }
    }
}
