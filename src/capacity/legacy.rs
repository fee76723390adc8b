//! The legacy admission model (MODEL.md §3.3, [ATC22] §4, §4.1): before global admission
//! control, each partition was allocated `provisioned / partitions` with a burst bucket of its
//! own, so a hot partition throttled at its share even when the table had capacity to spare,
//! and a split for size divided the parent's allocation between its children ("throughput
//! dilution"). Adaptive capacity then boosted throttled partitions by proportional control,
//! after a delay (5 to 30 minutes in 2018, MODEL.md §3.2), while the table's consumption stayed
//! within its provisioned capacity, and took boosts back when it did not.

use super::bucket::TokenBucket;
use crate::engine::MILLI;
use crate::time::SimTime;

/// Parameters of the legacy model's adaptive capacity ([INF]/[FOLK]; MODEL.md §3.2, §13).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LegacyParams {
    /// Seconds from the first throttle of a partition to its first boost (MODEL.md §3.2: "a
    /// 5-minute to 30-minute interval"). Default 300.
    pub adaptive_delay_seconds: u64,
    /// Share of a partition's refused demand added to its allocation each second (the
    /// proportional controller's gain, [ATC22] §4.1.2). Default 0.5.
    pub adaptive_gain: f64,
}

impl Default for LegacyParams {
    fn default() -> LegacyParams {
        LegacyParams { adaptive_delay_seconds: 300, adaptive_gain: 0.5 }
    }
}

/// One side's (reads' or writes') per-partition allocations.
#[derive(Clone, Debug)]
pub struct Allocations {
    buckets: Vec<TokenBucket>,
    /// Allocated rate of each partition, milli-units per second, boost included.
    rates: Vec<u64>,
    /// Milli-units refused by each partition's allocation this second.
    refused: Vec<u64>,
    /// When each partition first throttled, for the adaptive delay.
    throttled_since: Vec<Option<SimTime>>,
    burst_seconds: u64,
    cap_milli: u64,
}

impl Allocations {
    /// These allocations as if created at `now` (see [`TokenBucket::starting_at`]).
    pub fn starting_at(mut self, now: SimTime) -> Allocations {
        self.buckets = self.buckets.into_iter().map(|b| b.starting_at(now)).collect();
        self
    }

    /// `provisioned_units` split evenly over `partitions`, each keeping `burst_seconds` of unused
    /// allocation, none above `cap_units` (the partition's own ceiling).
    pub fn new(provisioned_units: u64, partitions: usize, burst_seconds: u64, cap_units: u64) -> Allocations {
        let mut a = Allocations {
            buckets: Vec::new(),
            rates: Vec::new(),
            refused: vec![0; partitions],
            throttled_since: vec![None; partitions],
            burst_seconds: burst_seconds.max(1),
            cap_milli: cap_units * MILLI,
        };
        a.reallocate(SimTime::ZERO, provisioned_units, partitions);
        a
    }

    fn bucket(&self, rate: u64, now: SimTime) -> TokenBucket {
        TokenBucket::new(rate, rate * self.burst_seconds, rate, now)
    }

    /// Allocates `provisioned_units` evenly again (a throughput change, MODEL.md §2.2:
    /// "allocated throughput based on the table's provisioned throughput"); boosts are dropped.
    pub fn reallocate(&mut self, now: SimTime, provisioned_units: u64, partitions: usize) {
        let rate = (provisioned_units * MILLI / partitions.max(1) as u64).min(self.cap_milli);
        self.rates = vec![rate; partitions];
        self.buckets = (0..partitions).map(|_| self.bucket(rate, now)).collect();
        self.refused = vec![0; partitions];
        self.throttled_since = vec![None; partitions];
    }

    /// Takes `milli` from partition `index`'s allocation, or records the refusal.
    #[inline]
    pub fn admit(&mut self, now: SimTime, index: usize, milli: u64) -> bool {
        if self.buckets[index].can_take(now, milli) {
            self.buckets[index].take(milli);
            true
        } else {
            self.refused[index] += milli;
            self.throttled_since[index].get_or_insert(now);
            false
        }
    }

    /// A split for size or heat: each child gets half the parent's allocation ([ATC22] §4).
    pub fn split(&mut self, now: SimTime, index: usize) {
        let half = self.rates[index] / 2;
        self.rates[index] = half;
        self.rates.insert(index + 1, half);
        let bucket = self.bucket(half, now);
        self.buckets[index].reconfigure(now, half, half * self.burst_seconds);
        self.buckets.insert(index + 1, bucket);
        self.refused.insert(index + 1, 0);
        self.throttled_since.insert(index + 1, None);
    }

    /// One second of adaptive capacity: boost partitions that have been throttling for the
    /// delay by `gain` x their refused demand while the table's consumption `consumed_milli`
    /// stays within `provisioned_milli`; otherwise shrink boosts back toward the even share.
    pub fn adapt(&mut self, now: SimTime, consumed_milli: u64, provisioned_milli: u64, p: &LegacyParams) {
        let even = provisioned_milli / self.rates.len().max(1) as u64;
        for i in 0..self.rates.len() {
            let waited = self.throttled_since[i]
                .is_some_and(|since| now.micros() >= since.micros() + p.adaptive_delay_seconds * 1_000_000);
            let rate = self.rates[i];
            let new = if consumed_milli > provisioned_milli && rate > even {
                let excess = (consumed_milli - provisioned_milli) as f64 * p.adaptive_gain;
                rate.saturating_sub(excess as u64).max(even)
            } else if waited && self.refused[i] > 0 && consumed_milli <= provisioned_milli {
                (rate + (self.refused[i] as f64 * p.adaptive_gain) as u64).min(self.cap_milli)
            } else {
                rate
            };
            if new != rate {
                self.rates[i] = new;
                self.buckets[i].reconfigure(now, new, new * self.burst_seconds);
            }
            self.refused[i] = 0;
        }
    }

    /// Allocated rate of each partition, units per second.
    pub fn rates_units(&self) -> Vec<f64> {
        self.rates.iter().map(|&r| r as f64 / MILLI as f64).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MODEL.md §12 C4 ([ATC22] §4): 3,200 WCU over 4 partitions is 800 each; a split for size
    /// halves the parent's share: 400 and 400, while the others keep 800.
    #[test]
    fn allocations_split_evenly_and_dilute_on_splits() {
        let mut a = Allocations::new(3_200, 4, 300, 1_000);
        assert_eq!(a.rates_units(), [800.0; 4]);
        a.split(SimTime::ZERO, 1);
        assert_eq!(a.rates_units(), [800.0, 400.0, 400.0, 800.0, 800.0]);
        a.reallocate(SimTime::ZERO, 6_000, 8);
        assert_eq!(a.rates_units(), [750.0; 8], "C4: 6,000 WCU over 8 partitions");
        a.reallocate(SimTime::ZERO, 5_000, 8);
        assert_eq!(a.rates_units(), [625.0; 8], "C4: 5,000 over 8 is 625 (the paper's 675 is an erratum)");
    }

    /// MODEL.md §3.2's example: 400 WCU over four partitions, one taking 150 WCU/s: it throttles
    /// at 100 until adaptive capacity, after its delay, raises it to sustain 150.
    #[test]
    fn adaptive_capacity_boosts_a_throttled_partition_after_its_delay() {
        let p = LegacyParams { adaptive_delay_seconds: 60, adaptive_gain: 0.5 };
        let mut a = Allocations::new(400, 4, 1, 1_000);
        let mut served = Vec::new();
        for second in 0..120u64 {
            let mut ok = 0;
            for i in 0..150u64 {
                ok += u64::from(a.admit(SimTime(second * 1_000_000 + i * 6_666), 3, 1_000));
            }
            served.push(ok);
            // The other three partitions take 50 WCU/s each: the table consumes under 400.
            a.adapt(SimTime::from_secs(second + 1), (150 + ok) * 1_000, 400_000, &p);
        }
        assert!(served[5..55].iter().all(|&n| n <= 101), "at its share before the delay: {served:?}");
        assert!(served[80..].iter().all(|&n| n == 150), "boosted to 150 after it: {served:?}");
    }
}
