//! On-demand scaling (MODEL.md §4.1, §10.4): the table accommodates up to twice its previous
//! peak, and grows by splitting partitions for consumption (ATC22 §4.5: "On-demand scales a
//! table by splitting partitions for consumption"). A new table has the capacity of four
//! partitions, 12,000 RRU and 4,000 WRU (MODEL.md §2.2 [INF]); when sustained traffic passes
//! half of the table's ceiling, every partition splits, doubling the ceiling, at most once per
//! growth interval: "throttling can occur if you exceed double your previous peak within 30
//! minutes" (§4.1).

use std::collections::VecDeque;

/// Parameters of on-demand growth ([INF]; MODEL.md §4.1, §10.4, §13).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GrowthParams {
    /// Partitions of a new on-demand table (MODEL.md §2.2: four partitions give exactly the
    /// documented 4,000 WRU / 12,000 RRU). Default 4.
    pub initial_partitions: u32,
    /// Seconds over which traffic must be sustained to count as a peak. Default 60.
    pub peak_window_seconds: u64,
    /// Share of the ceiling that sustained traffic must pass to double it: at 0.5 the ceiling
    /// stays at least twice the previous peak. Default 0.5.
    pub threshold: f64,
    /// Least time between two doublings, seconds (§4.1, "within 30 minutes"). Default 1,800.
    pub doubling_interval_seconds: u64,
}

impl Default for GrowthParams {
    fn default() -> GrowthParams {
        GrowthParams {
            initial_partitions: 4,
            peak_window_seconds: 60,
            threshold: 0.5,
            doubling_interval_seconds: 1_800,
        }
    }
}

/// Tracks sustained on-demand traffic and decides when the table doubles.
#[derive(Clone, Debug)]
pub struct OnDemandGrowth {
    params: GrowthParams,
    window: VecDeque<(u64, u64)>,
    sums: (u64, u64),
    last_doubling: Option<u64>,
}

impl OnDemandGrowth {
    /// Growth with `params`.
    pub fn new(params: GrowthParams) -> OnDemandGrowth {
        OnDemandGrowth { params, window: VecDeque::new(), sums: (0, 0), last_doubling: None }
    }

    /// Records one second's consumed milli-units; returns whether every partition should split
    /// now, given the table's current ceiling (RRU, WRU per second).
    pub fn tick(
        &mut self,
        second: u64,
        read_milli: u64,
        write_milli: u64,
        ceiling_units: (u64, u64),
    ) -> bool {
        self.window.push_back((read_milli, write_milli));
        self.sums = (self.sums.0 + read_milli, self.sums.1 + write_milli);
        if self.window.len() as u64 > self.params.peak_window_seconds {
            if let Some((r, w)) = self.window.pop_front() {
                self.sums = (self.sums.0 - r, self.sums.1 - w);
            }
        }
        if (self.window.len() as u64) < self.params.peak_window_seconds {
            return false;
        }
        if self.last_doubling.is_some_and(|at| second < at + self.params.doubling_interval_seconds) {
            return false;
        }
        let seconds = self.window.len() as f64 * 1_000.0;
        let read = self.sums.0 as f64 / seconds;
        let write = self.sums.1 as f64 / seconds;
        let limit = |ceiling: u64| self.params.threshold * ceiling as f64;
        let grow = read > limit(ceiling_units.0) || write > limit(ceiling_units.1);
        if grow {
            self.last_doubling = Some(second);
        }
        grow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sustained_traffic_above_half_the_ceiling_doubles_at_most_every_interval() {
        let mut growth = OnDemandGrowth::new(GrowthParams::default());
        let mut doublings = Vec::new();
        let mut ceiling = 4_000u64;
        for second in 0..4_000 {
            // 2,500 WRU/s: above half of 4,000, then below half of 8,000.
            if growth.tick(second, 0, 2_500_000, (12_000, ceiling)) {
                doublings.push(second);
                ceiling *= 2;
            }
        }
        assert_eq!(doublings, vec![59], "one doubling, once a window of traffic is seen");
        let mut growth = OnDemandGrowth::new(GrowthParams::default());
        let mut doublings = Vec::new();
        let mut ceiling = 4_000u64;
        for second in 0..4_000 {
            // Traffic that always runs at the ceiling: doubles every 30 minutes, no faster.
            if growth.tick(second, 0, ceiling * 1_000, (12_000, ceiling)) {
                doublings.push(second);
                ceiling *= 2;
            }
        }
        assert_eq!(doublings, vec![59, 1_859, 3_659]);
    }

    #[test]
    fn traffic_below_half_never_grows() {
        let mut growth = OnDemandGrowth::new(GrowthParams::default());
        assert!((0..1_000).all(|s| !growth.tick(s, 5_000_000, 1_900_000, (12_000, 4_000))));
    }
}
