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

use crate::engine::{Access, ItemKey, KeyValue, PartitionId, Table};
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
    /// Share of a hot item collection's heat on ever-higher (or ever-lower) sort keys above
    /// which its accesses count as monotonic, and it is not split inside (MODEL.md §2.4: "the
    /// rule for detecting a ... sequential pattern" is undocumented). Default 0.8.
    pub monotonic_share: f64,
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
            monotonic_share: 0.8,
        }
    }
}

/// Bins over a partition's hash range, for the weighted median.
const BINS: usize = 64;

/// One partition's heat in the current window: what every observation updates, in one record
/// whose first cache line holds all but the bins (the sort-key sample lives apart, in
/// [`HeatTracker`]).
#[derive(Clone, Debug)]
#[repr(C, align(64))]
struct PartitionHeat {
    /// The first hash of the partition.
    start: u64,
    read_milli: u64,
    write_milli: u64,
    /// Weighted Boyer-Moore majority vote: the key that may hold most of the heat.
    candidate: u64,
    candidate_vote: u64,
    /// Heat on the candidate since it became the candidate (a lower bound of its heat).
    candidate_heat: u64,
    /// The bins' width: a hash's bin is `(hash - start) >> shift`.
    shift: u32,
    pending: bool,
    /// Heat per slice of the partition's hash range, in read-equivalent milli-units.
    bins: [u32; BINS],
}

/// Sort keys of the accesses to one hot item collection: a decimated sample (every
/// `stride`-th access, the stride doubling whenever the sample fills, so no random numbers),
/// and how much of the heat went to a new highest or lowest sort key (a monotonic pattern,
/// MODEL.md §2.4: "writing an ever-increasing sort key").
#[derive(Clone, Debug, Default)]
struct SortSample {
    /// The collection's partition key.
    partition: Option<KeyValue>,
    sample: Vec<KeyValue>,
    stride: u64,
    seen: u64,
    highest: Option<KeyValue>,
    lowest: Option<KeyValue>,
    /// Heat of accesses at or above the highest sort key seen before them.
    rising_heat: u64,
    /// Heat of accesses at or below the lowest sort key seen before them.
    falling_heat: u64,
}

/// Sort keys a [`SortSample`] keeps.
const SORT_SAMPLE: usize = 64;

impl SortSample {
    fn record(&mut self, key: &ItemKey, sort: &KeyValue, heat: u64) {
        if self.partition.as_ref() != Some(&key.partition) {
            *self = SortSample { partition: Some(key.partition.clone()), stride: 1, ..SortSample::default() };
        }
        if self.highest.as_ref().is_none_or(|h| sort >= h) {
            self.rising_heat += heat;
            self.highest = Some(sort.clone());
        }
        if self.lowest.as_ref().is_none_or(|l| sort <= l) {
            self.falling_heat += heat;
            self.lowest = Some(sort.clone());
        }
        if self.seen.is_multiple_of(self.stride.max(1)) {
            self.sample.push(sort.clone());
            if self.sample.len() >= SORT_SAMPLE {
                let kept: Vec<KeyValue> = self.sample.iter().step_by(2).cloned().collect();
                self.sample = kept;
                self.stride = self.stride.max(1) * 2;
            }
        }
        self.seen += 1;
    }

    /// The traffic-weighted median sort key, if the sample holds two distinct keys and the
    /// accesses are not monotonic (at most `monotonic_share` of the heat on new extremes).
    fn split_key(&self, heat: u64, monotonic_share: f64) -> Option<ItemKey> {
        let partition = self.partition.clone()?;
        let monotonic = self.rising_heat.max(self.falling_heat) as f64 > monotonic_share * heat as f64;
        if monotonic {
            return None;
        }
        let mut sorted = self.sample.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() < 2 {
            return None;
        }
        let mut all = self.sample.clone();
        all.sort();
        // The median, moved up past the lowest key so that both sides hold some traffic.
        let median = all[all.len() / 2].clone();
        let at = if median == sorted[0] { sorted[1].clone() } else { median };
        Some(ItemKey::new(partition, Some(at)))
    }
}

impl PartitionHeat {
    fn new(start: u64, last: u64) -> PartitionHeat {
        let width_bits = 64 - (last - start).leading_zeros();
        PartitionHeat {
            start,
            read_milli: 0,
            write_milli: 0,
            shift: width_bits.saturating_sub(BINS.trailing_zeros()),
            candidate: 0,
            candidate_vote: 0,
            candidate_heat: 0,
            pending: false,
            bins: [0; BINS],
        }
    }

    /// Starts a new window, keeping the partition's range and whether a split is pending.
    fn reset(&mut self) {
        *self = PartitionHeat {
            start: self.start,
            shift: self.shift,
            pending: self.pending,
            ..PartitionHeat::new(0, 0)
        };
    }
}

/// A split the simulator should apply after the delay: the partition that then holds hash `at`
/// splits so that a new partition starts at `at` (or, with `key`, at that key inside an item
/// collection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitDecision {
    /// The partition that was hot when the split was decided.
    pub partition: PartitionId,
    /// The first hash of the new upper partition.
    pub at: u64,
    /// For a split inside the item collection of hash `at`: the first key of the new partition.
    pub key: Option<ItemKey>,
}

/// Observes consumed throughput per partition and decides splits for heat.
#[derive(Clone, Debug)]
pub struct HeatTracker {
    params: HeatParams,
    partitions: Vec<PartitionHeat>,
    /// Each partition's candidate's sort keys, when its accesses have them (an item
    /// collection).
    sorts: Vec<SortSample>,
    window_started: u64,
    /// Write units weigh this many read units: a partition's write cap is a third of its read
    /// cap (MODEL.md §2.1), so heat compares shares of capacity.
    write_weight: u64,
    caps_milli_per_s: (u64, u64),
}

impl HeatTracker {
    /// A tracker for `table`, whose partitions have caps of `caps` (RCU, WCU) per second.
    pub fn new(params: HeatParams, table: &Table, caps: (u64, u64)) -> HeatTracker {
        let count = table.partition_count();
        let partitions = (0..count)
            .map(|i| PartitionHeat::new(table.partitions()[i].start(), table.partition_last_hash(i)))
            .collect();
        let write_weight = (caps.0 / caps.1.max(1)).max(1);
        HeatTracker {
            params,
            partitions,
            sorts: vec![SortSample::default(); count],
            window_started: 0,
            write_weight,
            caps_milli_per_s: (caps.0 * 1_000, caps.1 * 1_000),
        }
    }

    /// [`HeatTracker::observe`] of an attempt on `key`: with a sort key, the hot collection's
    /// sort keys are sampled too, for a split inside it (MODEL.md §2.4).
    #[inline(always)]
    pub fn observe_key(&mut self, index: usize, key: &ItemKey, access: Access, milli: u64) {
        self.observe(index, key.hash, access, milli);
        if let (Some(sort), true) = (&key.sort, self.params.enabled) {
            self.observe_sort(index, key, sort, access, milli);
        }
    }

    #[cold]
    #[inline(never)]
    fn observe_sort(&mut self, index: usize, key: &ItemKey, sort: &KeyValue, access: Access, milli: u64) {
        let weight = if access == Access::Write { self.write_weight } else { 1 };
        if self.partitions[index].candidate == key.hash {
            self.sorts[index].record(key, sort, milli * weight);
        }
    }

    /// Records `milli` consumed by an admitted attempt on `hash` in the partition at `index`.
    #[inline(always)]
    pub fn observe(&mut self, index: usize, hash: u64, access: Access, milli: u64) {
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
        let bin = (((hash - p.start) >> p.shift) as usize).min(BINS - 1);
        p.bins[bin] = p.bins[bin].saturating_add(heat.min(u64::from(u32::MAX)) as u32);
        // The vote without branches (the candidate changes unpredictably under mixed traffic):
        // the same key adds; another subtracts, taking over when its heat outweighs the vote.
        use std::hint::select_unpredictable as select;
        let same = p.candidate == hash;
        let (vote, held) = (p.candidate_vote, p.candidate_heat);
        let replace = !same & (vote < heat);
        p.candidate_vote = select(same, vote + heat, vote.max(heat) - vote.min(heat));
        p.candidate_heat = select(same, held + heat, select(replace, heat, held));
        p.candidate = select(replace, hash, p.candidate);
    }

    /// The partition at `index` split into two: both children start a fresh window.
    pub fn on_split(&mut self, index: usize, table: &Table) {
        let fresh =
            |i: usize| PartitionHeat::new(table.partitions()[i].start(), table.partition_last_hash(i));
        self.partitions[index] = fresh(index);
        self.partitions.insert(index + 1, fresh(index + 1));
        self.sorts[index] = SortSample::default();
        self.sorts.insert(index + 1, SortSample::default());
    }

    /// A decided split will not happen (its partition changed meanwhile): allow new decisions.
    pub fn cancel_pending(&mut self, index: usize) {
        if let Some(p) = self.partitions.get_mut(index) {
            p.pending = false;
        }
    }

    /// At the end of each window, the splits to make. Call once per simulated second.
    /// `collections_can_split` is false for a table with local indexes (MODEL.md §2.4).
    pub fn decide(&mut self, now: SimTime, table: &Table, collections_can_split: bool) -> Vec<SplitDecision> {
        let second = now.second();
        if !self.params.enabled || second < self.window_started + self.params.window_seconds {
            return Vec::new();
        }
        let window = (second - self.window_started).max(1);
        self.window_started = second;
        let mut decisions = Vec::new();
        for (index, (p, sorts)) in self.partitions.iter_mut().zip(&mut self.sorts).enumerate() {
            let read_share = p.read_milli as f64 / (self.caps_milli_per_s.0 * window) as f64;
            let write_share = p.write_milli as f64 / (self.caps_milli_per_s.1 * window) as f64;
            let hot = read_share.max(write_share) >= self.params.threshold;
            // All the window's heat, in read-equivalent milli-units, as `observe` weighs it.
            let total_heat = p.read_milli + p.write_milli * self.write_weight;
            let single_item = p.candidate_heat as f64 > self.params.single_item_share * total_heat as f64;
            let (start, last) = (table.partitions()[index].start(), table.partition_last_hash(index));
            let partition = table.partitions()[index].id();
            // A hot item collection with sort keys: split inside it at the traffic-weighted median
            // sort key, unless the accesses are monotonic or an LSI forbids it (MODEL.md §2.4).
            let inside = (hot && !p.pending && single_item && collections_can_split)
                .then(|| sorts.split_key(p.candidate_heat, self.params.monotonic_share))
                .flatten()
                .filter(|k| k.hash == p.candidate);
            if hot && !p.pending && !single_item {
                if let Some(at) = weighted_median(&p.bins, p.shift, start, last) {
                    p.pending = true;
                    decisions.push(SplitDecision { partition, at, key: None });
                }
            } else if let Some(key) = inside {
                p.pending = true;
                decisions.push(SplitDecision { partition, at: key.hash, key: Some(key) });
            } else if hot && !p.pending && self.params.isolate_hot_items {
                // Cut just below and just above the item's hash; nothing to cut where the item
                // already bounds the partition.
                let item = p.candidate;
                let cuts = [(item > start).then_some(item), (item < last).then(|| item + 1)];
                for at in cuts.into_iter().flatten() {
                    p.pending = true;
                    decisions.push(SplitDecision { partition, at, key: None });
                }
            }
            p.reset();
            *sorts = SortSample::default();
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
                tracker.observe(index, hash, Access::Write, 1_000);
            }
            decisions.extend(tracker.decide(SimTime::from_secs(s + 1), t, true));
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

    /// Drives `per_second` writes of one item collection (hash `hot`, partition key 7) with sort
    /// keys `sorts(i)` for `seconds`.
    fn drive_collection(
        tracker: &mut HeatTracker,
        t: &Table,
        sorts: impl Fn(u64) -> i64,
        seconds: u64,
        collections_can_split: bool,
    ) -> Vec<SplitDecision> {
        let mut decisions = Vec::new();
        for s in 0..seconds {
            for i in 0..950 {
                let key = ItemKey::new(KeyValue::N(7), Some(KeyValue::N(sorts(s * 950 + i))));
                let index = t.partition_of(&key);
                tracker.observe_key(index, &key, Access::Write, 1_000);
            }
            decisions.extend(tracker.decide(SimTime::from_secs(s + 1), t, collections_can_split));
        }
        decisions
    }

    /// MODEL.md §2.4: a hot item collection read or written across its sort keys splits inside
    /// it, at the traffic-weighted median sort key.
    #[test]
    fn a_hot_item_collection_splits_at_its_median_sort_key() {
        let t = table(1);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        let decisions = drive_collection(&mut tracker, &t, |i| (mix64(i) % 1_000) as i64, 60, true);
        assert_eq!(decisions.len(), 1, "{decisions:?}");
        let key = decisions[0].key.clone().expect("inside the collection");
        let Some(KeyValue::N(sk)) = key.sort else { panic!("{key:?}") };
        assert!((350..650).contains(&sk), "near the median of 0..1000, got {sk}");
        assert_eq!(key.partition, KeyValue::N(7));
    }

    /// MODEL.md §2.4: an ever-increasing sort key would not benefit from a split inside the
    /// collection; nor may a collection of a table with an LSI split. Both fall back to
    /// isolating the collection's hash.
    #[test]
    fn monotonic_sort_keys_and_lsi_tables_do_not_split_inside() {
        let t = table(1);
        let hot = KeyValue::N(7).hash();
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        let decisions = drive_collection(&mut tracker, &t, |i| i as i64, 60, true);
        assert!(decisions.iter().all(|d| d.key.is_none()), "{decisions:?}");
        assert_eq!(decisions.iter().map(|d| d.at).collect::<Vec<_>>(), [hot, hot + 1]);
        let mut tracker = HeatTracker::new(HeatParams::default(), &t, (3_000, 1_000));
        let decisions = drive_collection(&mut tracker, &t, |i| (mix64(i) % 1_000) as i64, 60, false);
        assert!(decisions.iter().all(|d| d.key.is_none()), "{decisions:?}");
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
