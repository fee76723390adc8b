//! Split for heat (MODEL.md §2.4, §10.5): a partition whose consumed throughput stays above a
//! share of its cap over an observation window is split at the traffic-weighted median of its
//! key range, after a delay. A partition whose heat is one item is not split: no split could
//! spread a single key (ATC22 §4.4, "a partition receiving high traffic to a single item ...
//! will not benefit from split").
//!
//! This is a policy: it observes traffic and returns decisions; the simulator applies them to
//! the engine, which moves the items. The threshold, window, delay and single-item share are
//! undocumented ("a certain threshold", "in the order of minutes"), so they are parameters
//! (MODEL.md §13).

use crate::engine::{Access, PartitionId, Table};
use crate::time::SimTime;

/// Parameters of split for heat. Defaults are [INF]/[FOLK] choices; see MODEL.md §2.4, §13.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HeatParams {
    /// Whether partitions split for heat at all.
    pub enabled: bool,
    /// Share of a partition's read or write cap that, consumed on average over a window, makes
    /// it hot. Default 0.8 (a "sustained fraction of the cap", MODEL.md §2.4).
    pub threshold: f64,
    /// Observation window, seconds. Default 60.
    pub window_seconds: u64,
    /// Delay from the decision to the split, seconds ("order of minutes", ATC22 §4.4).
    /// Default 300 (MODEL.md §10.5's example).
    pub delay_seconds: u64,
    /// Share of a partition's heat on one key above which it is not split (MODEL.md §2.4
    /// suggests "roughly 50%"). Default 0.5.
    pub single_item_share: f64,
    /// Whether such a hot item is isolated in a partition of its own instead (MODEL.md §3.2:
    /// "adaptive capacity might rebalance your data so that a partition contains only that
    /// single, frequently accessed item"). It then gets a whole partition's cap, and its
    /// neighbours stop sharing it. Default true.
    pub isolate_hot_items: bool,
}

impl Default for HeatParams {
    fn default() -> HeatParams {
        HeatParams {
            enabled: true,
            threshold: 0.8,
            window_seconds: 60,
            delay_seconds: 300,
            single_item_share: 0.5,
            isolate_hot_items: true,
        }
    }
}

/// Bins over a partition's hash range, for the weighted median.
const BINS: usize = 64;

/// One partition's heat in the current window.
#[derive(Clone, Debug)]
struct PartitionHeat {
    read_milli: u64,
    write_milli: u64,
    /// Heat per slice of the hash range, in read-equivalent milli-units.
    bins: [u32; BINS],
    shift: u32,
    /// Weighted Boyer-Moore majority vote: the key that may hold most of the heat.
    candidate: u64,
    candidate_vote: u64,
    /// Heat on the candidate since it became the candidate (a lower bound of its heat).
    candidate_heat: u64,
    total_heat: u64,
    pending: bool,
}

impl PartitionHeat {
    fn new(start: u64, last: u64) -> PartitionHeat {
        let width_bits = 64 - (last - start).leading_zeros();
        PartitionHeat {
            read_milli: 0,
            write_milli: 0,
            bins: [0; BINS],
            shift: width_bits.saturating_sub(BINS.trailing_zeros()),
            candidate: 0,
            candidate_vote: 0,
            candidate_heat: 0,
            total_heat: 0,
            pending: false,
        }
    }

    /// Starts a new window, keeping the bin layout and whether a split is pending.
    fn reset(&mut self) {
        *self = PartitionHeat { shift: self.shift, pending: self.pending, ..PartitionHeat::new(0, 0) };
    }
}

/// A split the simulator should apply after the delay: the partition that then holds hash `at`
/// splits so that a new partition starts at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitDecision {
    /// The partition that was hot when the split was decided.
    pub partition: PartitionId,
    /// The first hash of the new upper partition.
    pub at: u64,
}

/// Observes consumed throughput per partition and decides splits for heat.
#[derive(Clone, Debug)]
pub struct HeatTracker {
    params: HeatParams,
    partitions: Vec<PartitionHeat>,
    window_started: u64,
    /// Write units weigh this many read units: a partition's write cap is a third of its read
    /// cap (MODEL.md §2.1), so heat compares shares of capacity.
    write_weight: u64,
    caps_milli_per_s: (u64, u64),
}

impl HeatTracker {
    /// A tracker for `table`, whose partitions have caps of `caps` (RCU, WCU) per second.
    pub fn new(params: HeatParams, table: &Table, caps: (u64, u64)) -> HeatTracker {
        let partitions = (0..table.partition_count())
            .map(|i| PartitionHeat::new(table.partitions()[i].start(), table.partition_last_hash(i)))
            .collect();
        let write_weight = (caps.0 / caps.1.max(1)).max(1);
        HeatTracker {
            params,
            partitions,
            window_started: 0,
            write_weight,
            caps_milli_per_s: (caps.0 * 1_000, caps.1 * 1_000),
        }
    }

    /// Records `milli` consumed by an admitted attempt on `hash` in the partition at `index`,
    /// which starts at `start`.
    #[inline]
    pub fn observe(&mut self, index: usize, start: u64, hash: u64, access: Access, milli: u64) {
        if !self.params.enabled {
            return;
        }
        let p = &mut self.partitions[index];
        let heat = match access {
            Access::Read => {
                p.read_milli += milli;
                milli
            }
            Access::Write => {
                p.write_milli += milli;
                milli * self.write_weight
            }
        };
        let bin = (((hash - start) >> p.shift) as usize).min(BINS - 1);
        p.bins[bin] = p.bins[bin].saturating_add(heat.min(u64::from(u32::MAX)) as u32);
        p.total_heat += heat;
        if p.candidate == hash {
            p.candidate_vote += heat;
            p.candidate_heat += heat;
        } else if p.candidate_vote >= heat {
            p.candidate_vote -= heat;
        } else {
            p.candidate = hash;
            p.candidate_vote = heat - p.candidate_vote;
            p.candidate_heat = heat;
        }
    }

    /// The partition at `index` split into two: both children start a fresh window.
    pub fn on_split(&mut self, index: usize, table: &Table) {
        let fresh =
            |i: usize| PartitionHeat::new(table.partitions()[i].start(), table.partition_last_hash(i));
        self.partitions[index] = fresh(index);
        self.partitions.insert(index + 1, fresh(index + 1));
    }

    /// A decided split will not happen (its partition changed meanwhile): allow new decisions.
    pub fn cancel_pending(&mut self, index: usize) {
        if let Some(p) = self.partitions.get_mut(index) {
            p.pending = false;
        }
    }

    /// At the end of each window, the splits to make. Call once per simulated second.
    pub fn decide(&mut self, now: SimTime, table: &Table) -> Vec<SplitDecision> {
        let second = now.second();
        if !self.params.enabled || second < self.window_started + self.params.window_seconds {
            return Vec::new();
        }
        let window = (second - self.window_started).max(1);
        self.window_started = second;
        let mut decisions = Vec::new();
        for (index, p) in self.partitions.iter_mut().enumerate() {
            let read_share = p.read_milli as f64 / (self.caps_milli_per_s.0 * window) as f64;
            let write_share = p.write_milli as f64 / (self.caps_milli_per_s.1 * window) as f64;
            let hot = read_share.max(write_share) >= self.params.threshold;
            let single_item = p.candidate_heat as f64 > self.params.single_item_share * p.total_heat as f64;
            let (start, last) = (table.partitions()[index].start(), table.partition_last_hash(index));
            let partition = table.partitions()[index].id();
            if hot && !p.pending && !single_item {
                if let Some(at) = weighted_median(&p.bins, p.shift, start, last) {
                    p.pending = true;
                    decisions.push(SplitDecision { partition, at });
                }
            } else if hot && !p.pending && self.params.isolate_hot_items {
                // Cut just below and just above the item's hash; nothing to cut where the item
                // already bounds the partition.
                let item = p.candidate;
                let cuts = [(item > start).then_some(item), (item < last).then(|| item + 1)];
                for at in cuts.into_iter().flatten() {
                    p.pending = true;
                    decisions.push(SplitDecision { partition, at });
                }
            }
            p.reset();
        }
        decisions
    }
}

/// The bin boundary nearest the middle of the heat: the first boundary with at least half the
/// heat below it, kept strictly inside the range.
fn weighted_median(bins: &[u32; BINS], shift: u32, start: u64, last: u64) -> Option<u64> {
    let total: u64 = bins.iter().map(|&b| u64::from(b)).sum();
    let mut below = 0u64;
    for (i, &heat) in bins.iter().enumerate().take(BINS - 1) {
        below += u64::from(heat);
        if 2 * below >= total {
            let at = start.checked_add(((i + 1) as u64).checked_shl(shift)?)?;
            return (at > start && at <= last).then_some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TableSpec;
    use crate::rng::mix64;

    fn table(partitions: u32) -> Table {
        Table::new(TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None }, partitions)
    }

    fn drive(
        tracker: &mut HeatTracker,
        t: &Table,
        hashes: impl Fn(u64) -> u64,
        per_second: u64,
        seconds: u64,
    ) -> Vec<SplitDecision> {
        let mut decisions = Vec::new();
        for s in 0..seconds {
            for i in 0..per_second {
                let hash = hashes(s * per_second + i);
                let index = t.partition_index(hash);
                tracker.observe(index, t.partitions()[index].start(), hash, Access::Write, 1_000);
            }
            decisions.extend(tracker.decide(SimTime::from_secs(s + 1), t));
        }
        decisions
    }

    #[test]
    fn a_partition_hot_across_many_keys_splits_at_its_median() {
        let t = table(1);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        // 900 WCU/s spread over many keys: 90% of the write cap.
        let decisions = drive(&mut tracker, &t, mix64, 900, 60);
        assert_eq!(decisions.len(), 1, "{decisions:?}");
        let at = decisions[0].at as f64 / u64::MAX as f64;
        assert!((0.45..0.55).contains(&at), "uniform heat splits near the middle, got {at}");
    }

    #[test]
    fn a_single_hot_item_is_isolated_between_two_cuts() {
        let t = table(1);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        let hot = mix64(7);
        let decisions = drive(&mut tracker, &t, |i| if i % 10 < 8 { hot } else { mix64(i) }, 950, 120);
        let cuts: Vec<u64> = decisions.iter().map(|d| d.at).collect();
        assert_eq!(cuts, [hot, hot + 1], "decided once, while the cuts are pending");
    }

    #[test]
    fn a_single_hot_item_is_not_split_without_isolation() {
        let t = table(1);
        let params = HeatParams { isolate_hot_items: false, ..HeatParams::default() };
        let mut tracker = HeatTracker::new(params, &t, (3_000, 1_000));
        let hot = mix64(7);
        let decisions = drive(&mut tracker, &t, |i| if i % 10 < 8 { hot } else { mix64(i) }, 950, 120);
        assert!(decisions.is_empty(), "{decisions:?}");
    }

    #[test]
    fn a_cool_partition_is_not_split() {
        let t = table(1);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        assert!(drive(&mut tracker, &t, mix64, 700, 120).is_empty());
    }

    #[test]
    fn a_pending_split_is_not_decided_twice() {
        let t = table(1);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        assert_eq!(drive(&mut tracker, &t, mix64, 950, 180).len(), 1);
    }
}
