//! Exact, fast Zipf sampler for key popularity: P(rank k) ∝ (k+1)^-s over ranks `0..count`.
//!
//! `rand_distr::Zipf` costs ~150 ns per draw for s != 1, twice the simulator's whole per-request
//! budget, so this module owns a faster sampler that still draws the exact law, plus the exact
//! rank probabilities that tests and reports compare against.
//!
//! Algorithm (a two-part mixture, each part exact):
//! * Head: ranks `0..head` (head <= 2^16 - 1, independent of `count`) and one extra "tail"
//!   outcome weighted by the tail's mass form a Vose alias table, padded with zero-weight
//!   columns to a power of two. A slot is one `u64` (keep threshold in the high 32 bits, alias
//!   in the low 32), so the table stays L2-resident. One `next_u64` gives the column (top bits)
//!   and the biased coin (low 32 bits), so a head draw is a shift, a load and a compare.
//! * Tail: 1-based ranks `head+1..=count` use rejection-inversion (Hörmann & Derflinger 1996)
//!   with hat h(x) = x^-s, started at rank `head+1` instead of 1. Its acceptance rate there is
//!   1 - O(s^2/head^2), so a tail draw is almost always one `u64`, one `ln_1p` and one `exp`.
//!
//! Invariants: the tail outcome's weight is Σ_{k=head+1}^{count} k^-s (explicit summation plus
//! Euler–Maclaurin, ~1e-15 relative), so the mixture is the Zipf law up to the 2^-32
//! quantisation of the alias coins and f64 rounding in the inversion, which moves a tail rank's
//! boundaries by ~1e-16·k·ln(k/head) of a rank (under 1% of one rank's own probability even at
//! k = 1e12; sums over rank ranges are unaffected). The memory is at most 2^16 slots (512 KiB)
//! for any count. Sampling never allocates; clones share the table.

use rand::Rng;
use std::fmt;
use std::sync::Arc;

/// log2 of the largest alias table: 2^16 slots * 8 B = 512 KiB fits L2 on the target machine;
/// bigger tables miss cache on every draw (columns are hit uniformly), smaller ones send more
/// draws to the slower tail.
const TABLE_BITS: u32 = 16;

/// Why a [`Zipf`] could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum ZipfError {
    /// `count` was 0: there is no rank to draw.
    ZeroCount,
    /// The exponent was not a positive finite number.
    BadExponent(f64),
}

impl fmt::Display for ZipfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipfError::ZeroCount => write!(f, "zipf count must be at least 1"),
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
    /// Ranks `0..head` come straight from the table; table outcome `head` means "draw the tail".
    head: u64,
    /// `64 - log2(table.len())`: the top bits of a draw select the column.
    shift: u32,
    /// Alias slots: keep threshold (high 32 bits) and alias outcome (low 32 bits).
    table: Arc<[u64]>,
    /// H(count, s) = Σ_{k=1}^{count} k^-s, the normaliser of [`Zipf::probability`].
    norm: f64,
    /// Present iff `count > head`.
    tail: Option<Tail>,
}

/// By hand so that printing a `Zipf` does not dump its 65536-slot table.
impl fmt::Debug for Zipf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zipf")
            .field("count", &self.count)
            .field("exponent", &self.exponent)
            .field("head", &self.head)
            .field("table_slots", &self.table.len())
            .field("norm", &self.norm)
            .finish_non_exhaustive()
    }
}

impl Zipf {
    /// Zipf over ranks 0..count: P(rank k) proportional to (k+1)^-exponent. count >= 1,
    /// exponent > 0 and finite (exponent == 1.0 works). Builds a table of at most 2^16 slots.
    pub fn new(count: u64, exponent: f64) -> Result<Zipf, ZipfError> {
        Self::with_table_bits(count, exponent, TABLE_BITS)
    }

    /// [`Zipf::new`] with a smaller table, so tests can push most of the mass into the tail.
    fn with_table_bits(count: u64, exponent: f64, bits: u32) -> Result<Zipf, ZipfError> {
        if count == 0 {
            return Err(ZipfError::ZeroCount);
        }
        if !(exponent > 0.0 && exponent.is_finite()) {
            return Err(ZipfError::BadExponent(exponent));
        }
        let max_slots = 1u64 << bits.clamp(1, 32);
        let (head, tail) = if count <= max_slots {
            (count, None)
        } else {
            let first = max_slots; // 1-based rank of the first tail key
            (max_slots - 1, Some(Tail::new(first, count, exponent)))
        };
        let mut weights: Vec<f64> = (1..=head).map(|k| (k as f64).powf(-exponent)).collect();
        let head_mass: f64 = weights.iter().rev().sum();
        let tail_mass = match tail {
            Some(_) => power_sum(head + 1, count, exponent),
            None => 0.0,
        };
        if tail.is_some() {
            weights.push(tail_mass);
        }
        let norm = head_mass + tail_mass;
        let slots = (weights.len() as u64).next_power_of_two().max(2);
        Ok(Zipf {
            count,
            exponent,
            head,
            shift: 64 - slots.trailing_zeros(),
            table: alias_table(&weights, slots as usize, norm).into(),
            norm,
            tail,
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

    /// Draws a 0-based rank. No heap allocation.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let u = rng.next_u64();
        let column = u >> self.shift;
        let slot = self.table[column as usize];
        let outcome = if (u as u32) < (slot >> 32) as u32 { column } else { slot & u64::from(u32::MAX) };
        if outcome < self.head {
            outcome
        } else {
            self.sample_tail(rng)
        }
    }

    /// Out of line so the head path stays small enough to inline into callers.
    #[inline(never)]
    fn sample_tail<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let tail = self.tail.as_ref().expect("tail outcome has weight only if a tail exists");
        tail.sample(rng) - 1
    }

    /// Exact probability of a rank (for tests and reports); 0 outside `0..count`.
    pub fn probability(&self, rank: u64) -> f64 {
        if rank >= self.count {
            return 0.0;
        }
        ((rank + 1) as f64).powf(-self.exponent) / self.norm
    }
}

/// Rejection-inversion over 1-based ranks `first..=last` with hat h(x) = x^-s. Work is done in
/// y = x / anchor so the integral V(y) = ∫_1^y t^-s dt is small where h is small: anchored at
/// the top for s > 1 (convergent sum) and at `first` otherwise, which keeps f64 resolution.
#[derive(Clone)]
struct Tail {
    first: u64,
    last: u64,
    s: f64,
    /// 1 - s, and its inverse (infinite, unused, when s == 1).
    oms: f64,
    inv_oms: f64,
    anchor: f64,
    inv_anchor: f64,
    /// V(first + 1/2) - h(first): the lowest rank is always accepted.
    v_lo: f64,
    /// V(last + 1/2) - v_lo.
    v_span: f64,
    /// Accept without the exact test when k - x <= squeeze (valid since k - x* grows with k).
    squeeze: f64,
}

impl Tail {
    fn new(first: u64, last: u64, s: f64) -> Tail {
        let (f, top) = (first as f64, last as f64 + 0.5);
        // The top anchor would overflow h(first) = (first/top)^-s / top for very steep laws.
        let anchor = if s > 1.0 && s * (top / f).ln() < 600.0 { top } else { f };
        let oms = 1.0 - s;
        let mut t = Tail {
            first,
            last,
            s,
            oms,
            inv_oms: 1.0 / oms,
            anchor,
            inv_anchor: 1.0 / anchor,
            v_lo: 0.0,
            v_span: 0.0,
            squeeze: 0.0,
        };
        t.v_lo = t.v(f + 0.5) - t.h(f);
        t.v_span = t.v(top) - t.v_lo;
        // k - x* at k = first + 1 (the smallest rank that can be rejected), computed with a
        // local anchor for precision and shaded by its rounding error so it stays conservative.
        let b = f + 1.0;
        let x_star = b * y_of(v_of((b + 0.5) / b, oms) - 1.0 / b, oms);
        t.squeeze = b - x_star - 8.0 * f64::EPSILON * b;
        t
    }

    /// V at x, in anchor units.
    fn v(&self, x: f64) -> f64 {
        v_of(x * self.inv_anchor, self.oms)
    }

    /// h at x, in anchor units (dx = anchor * dy).
    fn h(&self, x: f64) -> f64 {
        (x * self.inv_anchor).powf(-self.s) * self.inv_anchor
    }

    /// A 1-based rank in `first..=last` with probability ∝ k^-s.
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        loop {
            let v = self.v_lo + unit_f64(rng.next_u64()) * self.v_span;
            let y = if self.oms == 0.0 { v.exp() } else { ((self.oms * v).ln_1p() * self.inv_oms).exp() };
            let x = self.anchor * y;
            let k = ((x + 0.5) as u64).clamp(self.first, self.last);
            let kf = k as f64;
            if kf - x <= self.squeeze || v >= self.v(kf + 0.5) - self.h(kf) {
                return k;
            }
        }
    }
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

/// Inverse of [`v_of`].
fn y_of(v: f64, oms: f64) -> f64 {
    if oms == 0.0 {
        v.exp()
    } else {
        ((oms * v).ln_1p() / oms).exp()
    }
}

/// Uniform in [0, 1) from the top 53 bits.
#[inline]
fn unit_f64(u: u64) -> f64 {
    (u >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
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
    fn chi_square_with_tiny_tables_exercises_the_tail() {
        let cases = [(1000, 0.99, 4), (200, 1.0, 1), (10_000, 0.5, 3), (500, 2.5, 1)];
        for (i, &(count, s, bits)) in cases.iter().chain(&[(100_000, 1.2, 6)]).enumerate() {
            let z = Zipf::with_table_bits(count, s, bits).unwrap();
            assert!(z.tail.is_some());
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
    fn rejects_bad_parameters() {
        assert_eq!(Zipf::new(0, 1.0).unwrap_err(), ZipfError::ZeroCount);
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
