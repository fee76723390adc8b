//! Per-key attempt counters for the hot-key lists: exact for the small numeric keys that the
//! generators make popular, a heavy-hitter sketch for the rest, so that memory stays bounded
//! however many distinct keys a run touches.

use crate::engine::KeyValue;

/// Totals for one partition-key value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyStats {
    /// Attempts addressed to the key.
    pub attempts: u64,
    /// Attempts throttled.
    pub throttled: u64,
}

/// Numeric keys below this are counted exactly in a dense table. The generators number values
/// by popularity (Zipf rank 0 is the most popular), so these are the candidates for hot keys;
/// the table (128 KiB of 2-byte counts) stays in the second-level cache, where a table of every
/// key would miss on each attempt.
const DENSE_KEYS: i64 = 1 << 16;
/// Slots of the sketch that counts every other key.
const SKETCH_SLOTS: usize = 1 << 12;

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    attempts: u32,
    throttled: u32,
}

#[derive(Clone, Debug)]
struct SketchSlot {
    key: Option<KeyValue>,
    counts: Counts,
}

/// Per-key attempt counters: exact for small non-negative numeric keys, and for the rest a
/// direct-mapped heavy-hitter sketch (Misra-Gries within each slot): a key that holds its slot
/// is counted from when it took it, so its counts are lower bounds, exact without collisions.
#[derive(Clone, Debug)]
pub struct KeyCounter {
    /// Attempts on each small numeric key, by value, modulo 2^16; apart from the throttles and
    /// the wraps, which are few, so that every attempt touches 2 bytes per key (half the cache
    /// of 4-byte counts: this table is the metrics' largest). All of them from the start
    /// (untouched pages of zeroes cost no memory), so that counting needs no check.
    dense: Box<[u16; DENSE_KEYS as usize]>,
    /// How many times each small numeric key's count wrapped past 2^16, up to the last key that
    /// wrapped: its attempts are `wraps * 2^16 + dense`.
    dense_wraps: Vec<u32>,
    /// Throttled attempts on each small numeric key, by value, up to the last one throttled.
    dense_throttled: Vec<u32>,
    sketch: Vec<SketchSlot>,
}

impl Default for KeyCounter {
    fn default() -> Self {
        KeyCounter {
            dense: vec![0; DENSE_KEYS as usize]
                .into_boxed_slice()
                .try_into()
                .expect("the length is DENSE_KEYS"),
            dense_wraps: Vec::new(),
            dense_throttled: Vec::new(),
            sketch: vec![SketchSlot { key: None, counts: Counts::default() }; SKETCH_SLOTS],
        }
    }
}

impl KeyCounter {
    #[inline(always)]
    /// Counts an attempt on `key`, whose partition-key hash is `hash` (computed once per
    /// request by the workload: no string is hashed here).
    pub(super) fn record(&mut self, key: &KeyValue, hash: u64, throttled: bool) {
        let counts = match key {
            KeyValue::N(n) if (0..DENSE_KEYS).contains(n) => {
                let i = *n as usize;
                let count = self.dense[i].wrapping_add(1);
                self.dense[i] = count;
                if count == 0 {
                    self.wrapped(i);
                }
                if throttled {
                    self.throttled_dense(i);
                }
                return;
            }
            _ => {
                let slot = &mut self.sketch[(hash as usize) & (SKETCH_SLOTS - 1)];
                if slot.key.as_ref() != Some(key) {
                    if slot.counts.attempts > 0 {
                        slot.counts.attempts -= 1;
                        slot.counts.throttled = slot.counts.throttled.min(slot.counts.attempts);
                        return;
                    }
                    slot.key = Some(key.clone());
                    slot.counts = Counts::default();
                }
                &mut slot.counts
            }
        };
        counts.attempts = counts.attempts.saturating_add(1);
        counts.throttled = counts.throttled.saturating_add(u32::from(throttled));
    }

    /// Small numeric key `i`'s count wrapped past 2^16.
    #[cold]
    fn wrapped(&mut self, i: usize) {
        if i >= self.dense_wraps.len() {
            self.dense_wraps.resize(i + 1, 0);
        }
        self.dense_wraps[i] += 1;
    }

    /// Attempts on small numeric key `i`.
    fn dense_attempts(&self, i: usize) -> u64 {
        let wraps = self.dense_wraps.get(i).copied().unwrap_or(0);
        (u64::from(wraps) << 16) + u64::from(self.dense[i])
    }

    /// A throttled attempt on small numeric key `i`, whose attempt is counted.
    #[cold]
    fn throttled_dense(&mut self, i: usize) {
        if i >= self.dense_throttled.len() {
            self.dense_throttled.resize(i + 1, 0);
        }
        self.dense_throttled[i] = self.dense_throttled[i].saturating_add(1);
    }

    /// The `n` keys with the most attempts, most first (ties by key order).
    pub fn top(&self, n: usize) -> Vec<(KeyValue, KeyStats)> {
        let stats =
            |c: &Counts| KeyStats { attempts: u64::from(c.attempts), throttled: u64::from(c.throttled) };
        let mut all: Vec<(KeyValue, KeyStats)> = (0..DENSE_KEYS as usize)
            .map(|i| (i, self.dense_attempts(i)))
            .filter(|&(_, attempts)| attempts > 0)
            .map(|(i, attempts)| {
                let throttled = u64::from(self.dense_throttled.get(i).copied().unwrap_or(0));
                (KeyValue::N(i as i64), KeyStats { attempts, throttled })
            })
            .chain(self.sketch.iter().filter_map(|s| Some((s.key.clone()?, stats(&s.counts)))))
            .filter(|(_, s)| s.attempts > 0)
            .collect();
        all.sort_by(|a, b| b.1.attempts.cmp(&a.1.attempts).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_keys_are_counted_exactly_in_the_dense_range_and_by_sketch_beyond() {
        let mut keys = KeyCounter::default();
        for _ in 0..50 {
            keys.record(&KeyValue::N(3), KeyValue::N(3).hash(), false);
        }
        keys.record(&KeyValue::N(3), KeyValue::N(3).hash(), true);
        for _ in 0..20 {
            keys.record(&KeyValue::N(1 << 40), KeyValue::N(1 << 40).hash(), true);
        }
        keys.record(&KeyValue::S("rare".into()), KeyValue::S("rare".into()).hash(), false);
        let top = keys.top(2);
        assert_eq!(top[0], (KeyValue::N(3), KeyStats { attempts: 51, throttled: 1 }));
        assert_eq!(top[1], (KeyValue::N(1 << 40), KeyStats { attempts: 20, throttled: 20 }));
    }

    /// A small key's 2-byte count wraps into its wrap count: attempts stay exact past 2^16.
    #[test]
    fn a_dense_count_stays_exact_past_two_bytes() {
        let mut keys = KeyCounter::default();
        let record = |keys: &mut KeyCounter, n: i64, times: u64| {
            for _ in 0..times {
                keys.record(&KeyValue::N(n), KeyValue::N(n).hash(), false);
            }
        };
        record(&mut keys, 9, 3 * 65_536 + 7);
        record(&mut keys, 2, 65_536);
        record(&mut keys, 4, 65_535);
        let top = keys.top(3);
        let attempts: Vec<(KeyValue, u64)> = top.into_iter().map(|(k, s)| (k, s.attempts)).collect();
        assert_eq!(
            attempts,
            [(KeyValue::N(9), 3 * 65_536 + 7), (KeyValue::N(2), 65_536), (KeyValue::N(4), 65_535)]
        );
    }
}
