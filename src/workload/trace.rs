//! Trace replay: a recorded request log, held as a compact, time-sorted, columnar list of
//! requests, and the cursor that replays it.
//!
//! Architecture invariants: a [`Trace`] is immutable once built and shared (`Arc`) by every run
//! that replays it, so variants, seeds and sweep points clone it for free. Its requests are in
//! time order (records with equal times in the order they were pushed). Number keys are stored
//! in place; each distinct string is stored once, with its hash, so replaying a request
//! allocates nothing and hashes no string.
//!
//! The simulator replays a trace through pseudo-workloads, one per [`TraceClass`] (operation and
//! consistency) that the trace holds: a replayed request is a request of that workload, so it
//! goes through the same client, retries and metrics as a generated one.

use super::{OperationKind, ValueDistribution, WorkloadSpec};
use crate::engine::{Consistency, ItemKey, KeyValue};
use crate::rng::hash_bytes;
use hashbrown::hash_table::{Entry, HashTable};
use std::fmt;
use std::sync::Arc;

/// What a trace request does: an operation and, for reads, a consistency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TraceClass {
    /// The operation.
    pub operation: OperationKind,
    /// Read consistency (eventual for writes).
    pub consistency: Consistency,
}

impl TraceClass {
    /// The name of the pseudo-workload that replays this class: `trace/get`,
    /// `trace/get-strong`, `trace/put`.
    pub fn workload_name(&self) -> String {
        let operation = serde_json::to_value(self.operation)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{:?}", self.operation).to_lowercase());
        match self.consistency {
            Consistency::Eventual => format!("trace/{operation}"),
            Consistency::Strong => format!("trace/{operation}-strong"),
            Consistency::Transactional => format!("trace/{operation}-transactional"),
        }
    }

    /// The pseudo-workload that replays this class. It never generates a request of its own (its
    /// rate is zero); it gives the replayed requests their operation and consistency.
    pub fn workload(&self) -> WorkloadSpec {
        let unused = ValueDistribution::Uniform { count: 1 };
        WorkloadSpec {
            consistency: self.consistency,
            ..WorkloadSpec::simple(&self.workload_name(), self.operation, 0.0, 0, unused)
        }
    }
}

/// A key value as a trace spells it, borrowed from the line it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyText<'a> {
    /// A number.
    N(i64),
    /// A string.
    S(&'a str),
}

/// A key value in a trace's columns: a number in place, a string by its index in the trace's
/// string table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    /// No value (a request without a sort key).
    None,
    /// A number.
    N(i64),
    /// A string: an index into [`Trace`]'s `strings`.
    S(u32),
}

/// A trace's requests, in time order, column by column.
#[derive(Clone, Default)]
pub struct Trace {
    /// Request times, microseconds from the start of the run, non-decreasing.
    times_us: Vec<u64>,
    /// Per request: its class, an index into `classes`.
    class: Vec<u8>,
    /// Per request: its partition-key value.
    partition: Vec<Stored>,
    /// Per request: its sort-key value; empty when no request has a sort key.
    sort: Vec<Stored>,
    /// Per request: the size of the item a put writes, bytes; 0 for reads.
    item_bytes: Vec<u32>,
    /// The distinct string values, each with its hash as a partition key.
    strings: Vec<(u64, KeyValue)>,
    /// The classes, in order of first appearance in the file.
    classes: Vec<TraceClass>,
}

impl fmt::Debug for Trace {
    /// A summary: a million requests are not worth printing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("requests", &self.len())
            .field("distinct_strings", &self.strings.len())
            .field("classes", &self.classes)
            .field("last_us", &self.times_us.last())
            .finish()
    }
}

impl Trace {
    /// Requests in the trace.
    pub fn len(&self) -> usize {
        self.times_us.len()
    }

    /// Whether the trace has no request.
    pub fn is_empty(&self) -> bool {
        self.times_us.is_empty()
    }

    /// The classes of its requests, in order of first appearance.
    pub fn classes(&self) -> &[TraceClass] {
        &self.classes
    }

    /// Request times, microseconds, in order.
    pub fn times_us(&self) -> &[u64] {
        &self.times_us
    }

    /// A stored value with its partition-key hash, or `None` for no value.
    #[inline]
    fn value(&self, stored: Stored) -> Option<(u64, KeyValue)> {
        match stored {
            Stored::None => None,
            Stored::N(n) => Some((KeyValue::N(n).hash(), KeyValue::N(n))),
            Stored::S(i) => Some(self.strings[i as usize].clone()),
        }
    }

    /// Request `i`: its class (an index into [`Trace::classes`]), key and item size.
    #[inline]
    pub fn request(&self, i: usize) -> (u8, ItemKey, u32) {
        // Every request has a partition key: the builder takes one.
        let (hash, partition) = self.value(self.partition[i]).unwrap_or((0, KeyValue::N(0)));
        let sort = self.sort.get(i).and_then(|&s| self.value(s)).map(|(_, v)| v);
        (self.class[i], ItemKey { hash, partition, sort }, self.item_bytes[i])
    }
}

/// Builds a [`Trace`] record by record, sharing repeated string values.
#[derive(Default)]
pub struct TraceBuilder {
    trace: Trace,
    /// Indices into `trace.strings`, by [`hash_bytes`] of the text.
    index: HashTable<u32>,
    /// Whether the times pushed so far are in order.
    sorted: bool,
}

impl TraceBuilder {
    /// An empty trace.
    pub fn new() -> TraceBuilder {
        TraceBuilder { sorted: true, ..TraceBuilder::default() }
    }

    /// Requests pushed so far.
    pub fn len(&self) -> usize {
        self.trace.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.trace.is_empty()
    }

    /// Adds a request at `at_us` of `class` on key (`partition`, `sort`), writing an item of
    /// `item_bytes` (puts). Requests may come in any time order.
    pub fn push(
        &mut self,
        at_us: u64,
        class: TraceClass,
        partition: KeyText<'_>,
        sort: Option<KeyText<'_>>,
        item_bytes: u32,
    ) {
        let t = &mut self.trace;
        self.sorted &= t.times_us.last().is_none_or(|&last| last <= at_us);
        t.times_us.push(at_us);
        let class = match t.classes.iter().position(|c| *c == class) {
            Some(i) => i,
            None => {
                t.classes.push(class);
                t.classes.len() - 1
            }
        };
        // More than 256 classes cannot happen: there are far fewer (operation, consistency) pairs.
        t.class.push(u8::try_from(class).expect("fewer than 256 trace classes"));
        t.item_bytes.push(item_bytes);
        let partition = self.store(partition);
        self.trace.partition.push(partition);
        if let Some(sort) = sort {
            let sort = self.store(sort);
            let t = &mut self.trace;
            // The sort column starts when the first sort key does.
            t.sort.resize(t.times_us.len() - 1, Stored::None);
            t.sort.push(sort);
        }
    }

    /// `key` as stored: a number in place, a string added to the string table if new.
    fn store(&mut self, key: KeyText<'_>) -> Stored {
        let text = match key {
            KeyText::N(n) => return Stored::N(n),
            KeyText::S(text) => text,
        };
        let strings = &mut self.trace.strings;
        let text_of = |i: u32| match &strings[i as usize].1 {
            KeyValue::S(s) => &**s,
            _ => "",
        };
        let entry = self.index.entry(
            hash_bytes(text.as_bytes()),
            |&i| text_of(i) == text,
            |&i| hash_bytes(text_of(i).as_bytes()),
        );
        match entry {
            Entry::Occupied(o) => Stored::S(*o.get()),
            Entry::Vacant(v) => {
                // Past 4 billion distinct strings the index would wrap: a trace that size does
                // not fit in memory anyway.
                let i = u32::try_from(strings.len()).expect("fewer than 2^32 distinct strings");
                let value = KeyValue::S(text.into());
                strings.push((value.hash(), value));
                v.insert(i);
                Stored::S(i)
            }
        }
    }

    /// The trace, in time order: sorted stably by time if it was pushed out of order.
    pub fn finish(self) -> Trace {
        let mut t = self.trace;
        if !t.sort.is_empty() {
            t.sort.resize(t.times_us.len(), Stored::None);
        }
        if !self.sorted {
            let mut order: Vec<u32> = (0..t.times_us.len() as u32).collect();
            order.sort_by_key(|&i| t.times_us[i as usize]);
            t.times_us = gather(&t.times_us, &order);
            t.class = gather(&t.class, &order);
            t.partition = gather(&t.partition, &order);
            t.item_bytes = gather(&t.item_bytes, &order);
            if !t.sort.is_empty() {
                t.sort = gather(&t.sort, &order);
            }
        }
        t
    }
}

fn gather<T: Copy>(column: &[T], order: &[u32]) -> Vec<T> {
    order.iter().map(|&i| column[i as usize]).collect()
}

/// A trace as a run replays it: its requests, and the index of the workload that replays its
/// first class (class `c` is workload `first_workload + c`).
#[derive(Clone, Debug)]
pub struct TraceReplay {
    /// The requests.
    pub trace: Arc<Trace>,
    /// The workload of class 0.
    pub first_workload: u32,
}

/// A run's position in its trace.
#[derive(Debug)]
pub struct Replay<'a> {
    replay: Option<&'a TraceReplay>,
    next: usize,
    /// [`Replay::peek_us`], kept: the simulator asks for it on every arrival.
    next_us: u64,
}

impl<'a> Replay<'a> {
    /// The replay of `trace` from its first request; without a trace, a replay that never has a
    /// request.
    pub fn new(trace: Option<&'a TraceReplay>) -> Replay<'a> {
        let mut replay = Replay { replay: trace, next: 0, next_us: 0 };
        replay.next_us = replay.time_of_next();
        replay
    }

    /// Time of the next request, microseconds (`u64::MAX` if none).
    #[inline(always)]
    pub fn peek_us(&self) -> u64 {
        self.next_us
    }

    fn time_of_next(&self) -> u64 {
        self.replay.and_then(|r| r.trace.times_us.get(self.next)).copied().unwrap_or(u64::MAX)
    }

    /// The next request: its workload, key and item size. `None` when the trace is over.
    #[inline]
    pub fn next_request(&mut self) -> Option<(u32, ItemKey, u32)> {
        let r = self.replay?;
        if self.next >= r.trace.len() {
            return None;
        }
        let (class, key, item_bytes) = r.trace.request(self.next);
        self.next += 1;
        self.next_us = self.time_of_next();
        Some((r.first_workload + u32::from(class), key, item_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: TraceClass = TraceClass { operation: OperationKind::Get, consistency: Consistency::Eventual };
    const PUT: TraceClass = TraceClass { operation: OperationKind::Put, consistency: Consistency::Eventual };

    #[test]
    fn repeated_values_are_stored_once_and_keep_their_hash() {
        let mut b = TraceBuilder::new();
        b.push(0, GET, KeyText::S("user#1"), None, 0);
        b.push(5, PUT, KeyText::S("user#1"), Some(KeyText::N(3)), 900);
        b.push(5, GET, KeyText::N(3), None, 0);
        let t = b.finish();
        assert_eq!(t.len(), 3);
        assert_eq!(t.strings.len(), 1, "user#1, stored once");
        let (class, key, bytes) = t.request(1);
        assert_eq!((t.classes()[class as usize], bytes), (PUT, 900));
        assert_eq!(key, ItemKey::new(KeyValue::S("user#1".into()), Some(KeyValue::N(3))));
        assert_eq!(t.request(0).1, ItemKey::new(KeyValue::S("user#1".into()), None), "no sort key");
        assert_eq!(t.request(2).1, ItemKey::new(KeyValue::N(3), None));
        // The same text as a number and as a string are different values.
        let mut b = TraceBuilder::new();
        b.push(0, GET, KeyText::N(7), None, 0);
        b.push(0, GET, KeyText::S("7"), None, 0);
        let t = b.finish();
        assert_eq!(
            (t.request(0).1.partition, t.request(1).1.partition),
            (KeyValue::N(7), KeyValue::S("7".into()))
        );
    }

    #[test]
    fn out_of_order_requests_are_sorted_stably_by_time() {
        let mut b = TraceBuilder::new();
        for (at, key) in [(30, 0), (10, 1), (20, 2), (10, 3), (0, 4)] {
            b.push(at, GET, KeyText::N(key), (key == 2).then_some(KeyText::N(9)), 0);
        }
        let t = b.finish();
        assert_eq!(t.times_us(), [0, 10, 10, 20, 30]);
        let keys: Vec<ItemKey> = (0..t.len()).map(|i| t.request(i).1).collect();
        let expect = |k, s: Option<i64>| ItemKey::new(KeyValue::N(k), s.map(KeyValue::N));
        assert_eq!(
            keys,
            [expect(4, None), expect(1, None), expect(3, None), expect(2, Some(9)), expect(0, None)]
        );
    }

    #[test]
    fn a_replay_maps_classes_to_workloads_and_ends() {
        let mut b = TraceBuilder::new();
        b.push(1, PUT, KeyText::N(1), None, 100);
        b.push(2, GET, KeyText::N(1), None, 0);
        let replay = TraceReplay { trace: Arc::new(b.finish()), first_workload: 3 };
        let mut r = Replay::new(Some(&replay));
        assert_eq!(r.peek_us(), 1);
        assert_eq!(r.next_request().map(|(w, _, bytes)| (w, bytes)), Some((3, 100)));
        assert_eq!(r.peek_us(), 2);
        assert_eq!(r.next_request().map(|(w, _, bytes)| (w, bytes)), Some((4, 0)));
        assert_eq!((r.peek_us(), r.next_request()), (u64::MAX, None));
        assert_eq!(Replay::new(None).peek_us(), u64::MAX);
    }

    #[test]
    fn classes_name_their_workloads() {
        let strong = TraceClass { consistency: Consistency::Strong, ..GET };
        let names: Vec<String> = [GET, strong, PUT].iter().map(TraceClass::workload_name).collect();
        assert_eq!(names, ["trace/get", "trace/get-strong", "trace/put"]);
        let w = strong.workload();
        assert_eq!(
            (w.name.as_str(), w.operation, w.consistency),
            ("trace/get-strong", OperationKind::Get, Consistency::Strong)
        );
        assert_eq!(w.fan_out(), 1);
    }
}
