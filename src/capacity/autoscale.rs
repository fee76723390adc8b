//! Auto scaling of provisioned capacity (MODEL.md §5, §10.6): Application Auto Scaling's target
//! tracking on per-minute consumption. Scale out after 2 consecutive minutes above the target,
//! scale in after 15 consecutive minutes below the target less 20 points (the awslabs model),
//! to `ceil(consumed / target)` clamped to [min, max] (§12 F1: 150 consumed at 70% gives 215),
//! applied after an UpdateTable delay, with DynamoDB's limit on decreases per UTC day (§5).
//!
//! A policy: it observes minutes and returns the capacity to ask for; the simulator applies it.

/// Target tracking for one side (reads or writes).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ScalingTarget {
    /// Least capacity, units.
    pub min: u64,
    /// Most capacity, units.
    pub max: u64,
    /// Target utilisation, 0.2 to 0.9 (MODEL.md §5: "between 20 and 90 percent").
    pub target: f64,
}

/// Auto-scaling parameters. Timing defaults come from MODEL.md §5.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AutoScalingParams {
    /// Read target, if reads scale.
    pub read: Option<ScalingTarget>,
    /// Write target, if writes scale.
    pub write: Option<ScalingTarget>,
    /// Consecutive minutes above the target before scaling out (§5: 2).
    pub scale_out_minutes: u32,
    /// Consecutive minutes below the low threshold before scaling in (§5: 15).
    pub scale_in_minutes: u32,
    /// Points below the target under which a minute counts as low (awslabs: 20 points, [FOLK]).
    pub scale_in_margin: f64,
    /// Seconds from the decision to the new capacity ("several minutes", §5 [INF]). Default 120.
    pub update_delay_seconds: u64,
    /// Decreases allowed at any time in a UTC day before the hourly rule applies (§5: 4).
    pub free_decreases_per_day: u32,
}

impl Default for AutoScalingParams {
    fn default() -> AutoScalingParams {
        AutoScalingParams {
            read: None,
            write: None,
            scale_out_minutes: 2,
            scale_in_minutes: 15,
            scale_in_margin: 0.2,
            update_delay_seconds: 120,
            free_decreases_per_day: 4,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct SideState {
    high_minutes: u32,
    low_minutes: u32,
}

/// Auto-scaling state of one table.
#[derive(Clone, Debug)]
pub struct AutoScaler {
    params: AutoScalingParams,
    read: SideState,
    write: SideState,
    /// Seconds at which decreases were decided, this UTC day.
    decreases: Vec<u64>,
    /// A change decided and not yet applied: no new decision until it lands.
    pending: bool,
}

/// What a side wants: a new capacity and whether it is a decrease.
fn decide_side(
    state: &mut SideState,
    target: Option<ScalingTarget>,
    consumed: f64,
    provisioned: u64,
    p: &AutoScalingParams,
) -> Option<u64> {
    let t = target?;
    let utilisation = consumed / provisioned.max(1) as f64;
    state.high_minutes = if utilisation > t.target { state.high_minutes + 1 } else { 0 };
    state.low_minutes = if utilisation < t.target - p.scale_in_margin { state.low_minutes + 1 } else { 0 };
    let wanted = ((consumed / t.target).ceil() as u64).clamp(t.min, t.max);
    if state.high_minutes >= p.scale_out_minutes && wanted > provisioned {
        return Some(wanted);
    }
    if state.low_minutes >= p.scale_in_minutes && wanted < provisioned {
        return Some(wanted);
    }
    None
}

impl AutoScaler {
    /// A scaler with `params`.
    pub fn new(params: AutoScalingParams) -> AutoScaler {
        AutoScaler {
            params,
            read: SideState::default(),
            write: SideState::default(),
            decreases: Vec::new(),
            pending: false,
        }
    }

    /// Whether any side scales.
    pub fn enabled(&self) -> bool {
        self.params.read.is_some() || self.params.write.is_some()
    }

    /// The UpdateTable delay, seconds.
    pub fn update_delay_seconds(&self) -> u64 {
        self.params.update_delay_seconds
    }

    /// The decided change was applied.
    pub fn applied(&mut self) {
        self.pending = false;
    }

    /// Closes a minute ending at second `now_s`, in which the table consumed `consumed` (RCU,
    /// WCU per second on average) with `provisioned` capacity; returns the capacity to ask for.
    pub fn minute(
        &mut self,
        now_s: u64,
        consumed: (f64, f64),
        provisioned: (u64, u64),
    ) -> Option<(u64, u64)> {
        let p = &self.params;
        let read = decide_side(&mut self.read, p.read, consumed.0, provisioned.0, p);
        let write = decide_side(&mut self.write, p.write, consumed.1, provisioned.1, p);
        if self.pending || (read.is_none() && write.is_none()) {
            return None;
        }
        let new = (read.unwrap_or(provisioned.0), write.unwrap_or(provisioned.1));
        if (new.0 < provisioned.0 || new.1 < provisioned.1) && !self.decrease_allowed(now_s) {
            // An increase on the other side still goes through, without the decrease.
            let increase = (new.0.max(provisioned.0), new.1.max(provisioned.1));
            return (increase != provisioned).then(|| self.decide(increase));
        }
        if new.0 < provisioned.0 || new.1 < provisioned.1 {
            self.decreases.push(now_s);
            self.read.low_minutes = 0;
            self.write.low_minutes = 0;
        }
        Some(self.decide(new))
    }

    fn decide(&mut self, new: (u64, u64)) -> (u64, u64) {
        self.pending = true;
        self.read.high_minutes = 0;
        self.write.high_minutes = 0;
        new
    }

    /// MODEL.md §5: four decreases at any time in a UTC day, then one more per hour with no
    /// decrease in the preceding hour (27 a day at most).
    fn decrease_allowed(&mut self, now_s: u64) -> bool {
        let day = now_s / 86_400;
        self.decreases.retain(|&s| s / 86_400 == day);
        if (self.decreases.len() as u32) < self.params.free_decreases_per_day {
            return true;
        }
        self.decreases.last().is_none_or(|&last| now_s >= last + 3_600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(min: u64, max: u64, target: f64) -> AutoScalingParams {
        AutoScalingParams { write: Some(ScalingTarget { min, max, target }), ..AutoScalingParams::default() }
    }

    /// MODEL.md §12 F1 and F3: 200 WCU at a 70% target with 150 consumed becomes 215, after two
    /// consecutive minutes above the target.
    #[test]
    fn f1_target_tracking_scales_out_to_215_after_two_minutes() {
        let mut s = AutoScaler::new(writes(5, 10_000, 0.7));
        assert_eq!(s.minute(60, (0.0, 150.0), (10, 200)), None, "one minute is not enough");
        assert_eq!(s.minute(120, (0.0, 150.0), (10, 200)), Some((10, 215)));
        assert_eq!(s.minute(180, (0.0, 150.0), (10, 200)), None, "pending until applied");
        s.applied();
        assert_eq!(s.minute(240, (0.0, 150.0), (10, 215)), None, "150 / 215 = 69.8%: on target");
    }

    /// MODEL.md §12 F3: scale in after 15 consecutive low minutes, clamped to the minimum.
    #[test]
    fn scales_in_after_fifteen_low_minutes() {
        let mut s = AutoScaler::new(writes(50, 10_000, 0.7));
        for m in 1..15 {
            assert_eq!(s.minute(m * 60, (0.0, 10.0), (10, 1_000)), None, "minute {m}");
        }
        assert_eq!(s.minute(900, (0.0, 10.0), (10, 1_000)), Some((10, 50)));
    }

    /// MODEL.md §5: four decreases, then one per hour.
    #[test]
    fn decreases_are_limited_per_day() {
        let mut s = AutoScaler::new(AutoScalingParams { scale_in_minutes: 1, ..writes(1, 10_000, 0.7) });
        let mut capacity = 10_000u64;
        let mut decreases = Vec::new();
        for minute in 1..=240u64 {
            if let Some((_, w)) = s.minute(minute * 60, (0.0, 1.0 + minute as f64), (10, capacity)) {
                s.applied();
                if w < capacity {
                    decreases.push(minute);
                }
                capacity = w;
            }
            capacity += 1_000; // something else keeps raising it, so every minute wants a decrease
        }
        assert_eq!(&decreases[..4], &[1, 2, 3, 4]);
        assert_eq!(&decreases[4..], &[64, 124, 184], "then one per hour");
    }
}
