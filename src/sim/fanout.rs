//! Fan-out reads: one client request made of several GetItem calls (one per write shard of a
//! sharded partition key), each an attempt with its own capacity charge and its own retries.
//!
//! The request succeeds when every call succeeds and fails when any call gives up; either way
//! it completes when its last call finishes, so its latency is that of its slowest call.
//! Groups live in a slab with a free list: steady state allocates nothing.

/// The group of a request that is not a fan-out.
pub const NO_GROUP: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Group {
    /// Calls not finished yet.
    remaining: u32,
    /// Whether a call has given up.
    failed: bool,
    /// The latest end of a finished call, microseconds.
    end_us: u64,
}

/// The open fan-out requests.
#[derive(Debug, Default)]
pub struct FanOuts {
    groups: Vec<Group>,
    free: Vec<u32>,
}

impl FanOuts {
    /// Opens a request of `calls` (>= 1) calls; returns its group.
    pub fn open(&mut self, calls: u32) -> u32 {
        let group = Group { remaining: calls, failed: false, end_us: 0 };
        match self.free.pop() {
            Some(i) => {
                self.groups[i as usize] = group;
                i
            }
            None => {
                self.groups.push(group);
                (self.groups.len() - 1) as u32
            }
        }
    }

    /// Records that a call of `group` finished at `end_us`, succeeded or not. When it was the
    /// last, closes the group and returns whether the request succeeded and when it ended.
    pub fn finish(&mut self, group: u32, succeeded: bool, end_us: u64) -> Option<(bool, u64)> {
        let g = &mut self.groups[group as usize];
        debug_assert!(g.remaining > 0, "a call of a closed group finished");
        g.remaining -= 1;
        g.failed |= !succeeded;
        g.end_us = g.end_us.max(end_us);
        if g.remaining > 0 {
            return None;
        }
        let result = (!g.failed, g.end_us);
        self.free.push(group);
        Some(result)
    }

    /// Groups still open.
    pub fn open_count(&self) -> usize {
        self.groups.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_completes_with_its_last_call_and_fails_if_any_call_failed() {
        let mut f = FanOuts::default();
        let a = f.open(3);
        let b = f.open(1);
        assert_eq!(f.finish(a, true, 10), None);
        assert_eq!(f.finish(b, true, 12), Some((true, 12)));
        assert_eq!(f.finish(a, false, 30), None);
        assert_eq!(f.finish(a, true, 20), Some((false, 30)), "latest end, and one call failed");
        assert_eq!(f.open_count(), 0);
        let c = f.open(2);
        assert!(c == a || c == b, "slots are reused");
        assert_eq!(f.groups.len(), 2);
    }
}
