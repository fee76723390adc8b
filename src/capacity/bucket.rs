//! An integer token bucket with lazy refill.
//!
//! Balances are kept in milli-units scaled by one million, so that a refill of
//! `rate (milli-units per second) x elapsed (microseconds)` is an exact integer and no fraction
//! of a token is ever lost to rounding, however often the bucket is touched.
//!
//! Invariant: `0 <= balance <= cap` at every observation.

use crate::time::{SimTime, MICROS_PER_SECOND};

/// Scale between a milli-unit and the bucket's internal unit.
const SCALE: u64 = MICROS_PER_SECOND;

/// What buckets of one kind share: their refill rate and cap. A thousand partitions' buckets
/// then keep only their [`Level`]s, 16 bytes each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    rate_milli_per_s: u64,
    cap_scaled: u64,
}

/// The changing state of a token bucket whose [`Limits`] are kept apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    balance_scaled: u64,
    refilled_at: SimTime,
}

impl Limits {
    /// Refill at `rate_milli_per_s` milli-units per second, up to `cap_milli`.
    pub fn new(rate_milli_per_s: u64, cap_milli: u64) -> Limits {
        Limits { rate_milli_per_s, cap_scaled: cap_milli.saturating_mul(SCALE) }
    }

    /// Refill rate, milli-units per second.
    pub fn rate_milli_per_s(&self) -> u64 {
        self.rate_milli_per_s
    }

    /// A bucket of these limits holding `initial_milli` (clamped to the cap) at time `now`.
    pub fn level(&self, initial_milli: u64, now: SimTime) -> Level {
        Level { balance_scaled: initial_milli.saturating_mul(SCALE).min(self.cap_scaled), refilled_at: now }
    }
}

impl Level {
    /// The same bucket, its balance unchanged, as if created at `now`: it earns nothing for the
    /// time before (a table that switched billing mode starts its new buckets then).
    pub fn starting_at(mut self, now: SimTime) -> Level {
        self.refilled_at = now;
        self
    }

    /// Adds the tokens earned since the last refill. Time never runs backwards; an earlier `now`
    /// is ignored.
    #[inline]
    pub fn refill(&mut self, now: SimTime, limits: &Limits) {
        if now <= self.refilled_at {
            return;
        }
        let elapsed_us = now.micros() - self.refilled_at.micros();
        let earned = limits.rate_milli_per_s.saturating_mul(elapsed_us);
        self.balance_scaled = self.balance_scaled.saturating_add(earned).min(limits.cap_scaled);
        self.refilled_at = now;
    }

    /// Milli-units available at `now` (whole ones; the fraction stays in the bucket).
    pub fn available_milli(&mut self, now: SimTime, limits: &Limits) -> u64 {
        self.refill(now, limits);
        self.balance_scaled / SCALE
    }

    /// Whether `cost_milli` could be taken at `now`, without taking it.
    #[inline]
    pub fn can_take(&mut self, now: SimTime, cost_milli: u64, limits: &Limits) -> bool {
        self.refill(now, limits);
        self.balance_scaled >= cost_milli.saturating_mul(SCALE)
    }

    /// Takes `cost_milli`, which [`Level::can_take`] allowed (saturating at zero otherwise).
    #[inline]
    pub fn take(&mut self, cost_milli: u64) {
        self.balance_scaled = self.balance_scaled.saturating_sub(cost_milli.saturating_mul(SCALE));
    }
}

/// A token bucket refilled continuously at a fixed rate up to a cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    level: Level,
    limits: Limits,
}

impl TokenBucket {
    /// A bucket refilling at `rate_milli_per_s` milli-units per second up to `cap_milli`,
    /// holding `initial_milli` (clamped to the cap) at time `now`.
    pub fn new(rate_milli_per_s: u64, cap_milli: u64, initial_milli: u64, now: SimTime) -> TokenBucket {
        let limits = Limits::new(rate_milli_per_s, cap_milli);
        TokenBucket { level: limits.level(initial_milli, now), limits }
    }

    /// The same bucket, its balance unchanged, as if created at `now`: it earns nothing for the
    /// time before (a table that switched billing mode starts its new buckets then).
    pub fn starting_at(self, now: SimTime) -> TokenBucket {
        TokenBucket { level: self.level.starting_at(now), limits: self.limits }
    }

    /// Adds what the bucket earned since its last refill, up to the cap.
    #[inline]
    pub fn refill(&mut self, now: SimTime) {
        self.level.refill(now, &self.limits);
    }

    /// Milli-units available at `now` (whole ones; the fraction stays in the bucket).
    pub fn available_milli(&mut self, now: SimTime) -> u64 {
        self.level.available_milli(now, &self.limits)
    }

    /// Whether `cost_milli` could be taken at `now`, without taking it.
    #[inline]
    pub fn can_take(&mut self, now: SimTime, cost_milli: u64) -> bool {
        self.level.can_take(now, cost_milli, &self.limits)
    }

    /// Takes `cost_milli`, which [`TokenBucket::can_take`] allowed (saturating at zero
    /// otherwise).
    #[inline]
    pub fn take(&mut self, cost_milli: u64) {
        self.level.take(cost_milli);
    }

    /// Takes `cost_milli` if available at `now`; returns whether it did.
    #[inline]
    pub fn try_take(&mut self, now: SimTime, cost_milli: u64) -> bool {
        if self.can_take(now, cost_milli) {
            self.take(cost_milli);
            true
        } else {
            false
        }
    }

    /// Refill rate, milli-units per second.
    pub fn rate_milli_per_s(&self) -> u64 {
        self.limits.rate_milli_per_s()
    }

    /// Capacity, milli-units.
    pub fn cap_milli(&self) -> u64 {
        self.limits.cap_scaled / SCALE
    }

    /// Changes the rate and cap at `now`, after refilling at the old rate; the balance is kept
    /// (clamped to the new cap).
    pub fn reconfigure(&mut self, now: SimTime, rate_milli_per_s: u64, cap_milli: u64) {
        self.refill(now);
        self.limits = Limits::new(rate_milli_per_s, cap_milli);
        self.level.balance_scaled = self.level.balance_scaled.min(self.limits.cap_scaled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refills_exactly_without_losing_fractions() {
        // 1 unit per second = 1 milli-unit per millisecond; touching it every 3 microseconds for
        // one second must still earn exactly 1,000 milli-units.
        let mut bucket = TokenBucket::new(1_000, 10_000, 0, SimTime::ZERO);
        for us in (0..=1_000_000).step_by(3) {
            bucket.refill(SimTime(us));
        }
        bucket.refill(SimTime(1_000_000));
        assert_eq!(bucket.available_milli(SimTime(1_000_000)), 1_000);
    }

    #[test]
    fn never_exceeds_the_cap() {
        let mut bucket = TokenBucket::new(100_000, 30_000_000, 0, SimTime::ZERO);
        assert_eq!(bucket.available_milli(SimTime::from_secs(10_000)), 30_000_000);
    }

    #[test]
    fn take_refuses_more_than_held() {
        let mut bucket = TokenBucket::new(1_000, 1_000, 1_000, SimTime::ZERO);
        assert!(bucket.try_take(SimTime::ZERO, 600));
        assert!(!bucket.try_take(SimTime::ZERO, 600));
        assert!(bucket.try_take(SimTime::from_millis(200), 600));
    }

    proptest! {
        /// STYLE.md: token balances stay within [0, cap] under any sequence of operations.
        #[test]
        fn balance_stays_within_zero_and_cap(
            rate in 0u64..10_000_000,
            cap in 0u64..100_000_000,
            initial in 0u64..200_000_000,
            steps in prop::collection::vec((0u64..5_000_000, 0u64..50_000_000, any::<bool>()), 1..200),
        ) {
            let mut bucket = TokenBucket::new(rate, cap, initial, SimTime::ZERO);
            let mut now = 0u64;
            for (advance, cost, reconfigure) in steps {
                now += advance;
                if reconfigure {
                    bucket.reconfigure(SimTime(now), cost / 10, cost);
                } else {
                    let before = bucket.available_milli(SimTime(now));
                    let taken = bucket.try_take(SimTime(now), cost);
                    prop_assert_eq!(taken, before >= cost);
                }
                let available = bucket.available_milli(SimTime(now));
                prop_assert!(available <= bucket.cap_milli());
            }
        }
    }
}
