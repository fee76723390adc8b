//! Requests other than a plain GetItem or PutItem: what they carry between attempts, how they
//! are built from a workload's draw, and how an attempt runs on the engine.
//!
//! A request's operation-specific part ([`Extra`]) is built once, when the request is issued,
//! and kept for its retries; a batch's retry carries only its unprocessed items (the client
//! resubmits `UnprocessedKeys` / `UnprocessedItems`, MODEL.md §6.1).

use crate::capacity::{Gate, LimitType, Operation, Resource, ThrottleReason};
use crate::engine::{
    CapacityGate, Charge, Consumed, IndexedTable, ItemKey, KeyValue, OpError, QueryRequest, ScanRequest,
    SortCondition, UpdateAction, WriteKind, WriteRequest,
};
use crate::rng::StreamRng;
use crate::workload::value::uniform_below;
use crate::workload::{Draw, DrawState, KeyPattern, OperationKind, WorkloadSpec};
use rand::Rng;
use std::collections::VecDeque;

/// What a request carries besides its key.
#[derive(Clone, Debug)]
pub enum Extra {
    /// A single-item write.
    Write(WriteRequest),
    /// A batch or transaction of writes.
    Writes(Vec<WriteRequest>),
    /// A batch or transaction of reads.
    Keys(Vec<ItemKey>),
    /// A query.
    Query(QueryRequest),
    /// A scan page of segment `0`.
    Scan(u32),
}

/// Why a request ended without throttling or success.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestError {
    /// `ConditionalCheckFailedException` (capacity consumed, MODEL.md §1.3).
    ConditionalCheckFailed,
    /// `TransactionCanceledException`.
    TransactionCanceled,
    /// `ItemCollectionSizeLimitExceededException` (MODEL.md §7.2).
    ItemCollectionSizeLimitExceeded,
    /// `ValidationException` (an item over 400 KB, for example).
    Validation,
}

impl RequestError {
    /// Every error, in report order.
    pub const ALL: [RequestError; 4] = [
        RequestError::ConditionalCheckFailed,
        RequestError::TransactionCanceled,
        RequestError::ItemCollectionSizeLimitExceeded,
        RequestError::Validation,
    ];

    /// DynamoDB's exception name.
    pub fn name(self) -> &'static str {
        match self {
            RequestError::ConditionalCheckFailed => "ConditionalCheckFailedException",
            RequestError::TransactionCanceled => "TransactionCanceledException",
            RequestError::ItemCollectionSizeLimitExceeded => "ItemCollectionSizeLimitExceededException",
            RequestError::Validation => "ValidationException",
        }
    }
}

/// How an attempt ended.
pub enum Done {
    /// Admitted: the charges taken (the first is the attempt's primary one), and the rest of a
    /// batch still to do, if some of it was throttled.
    Admitted { charges: Vec<Charge>, rest: Option<(Extra, ThrottleReason)> },
    /// Throttled as a whole.
    Throttled(ThrottleReason),
    /// Refused for another reason; `charges` were consumed all the same (a failed condition).
    Error(RequestError, Vec<Charge>),
}

/// Keys written so far, for the `recent` and `existing` read patterns.
#[derive(Debug)]
pub struct KeyMemory {
    recent: VecDeque<ItemKey>,
    reservoir: Vec<ItemKey>,
    seen: u64,
    rng: StreamRng,
}

/// Writes the `recent` pattern picks among: the last this many.
pub const RECENT_KEYS: usize = 1_024;
/// Size of the uniform sample of written keys the `existing` pattern picks among.
pub const RESERVOIR_KEYS: usize = 65_536;

impl KeyMemory {
    /// An empty memory drawing from `rng`.
    pub fn new(rng: StreamRng) -> KeyMemory {
        KeyMemory { recent: VecDeque::with_capacity(RECENT_KEYS), reservoir: Vec::new(), seen: 0, rng }
    }

    /// Item `key` was written.
    pub fn written(&mut self, key: &ItemKey) {
        if self.recent.len() == RECENT_KEYS {
            self.recent.pop_front();
        }
        self.recent.push_back(key.clone());
        self.seen += 1;
        if self.reservoir.len() < RESERVOIR_KEYS {
            self.reservoir.push(key.clone());
        } else {
            // Algorithm R: every key written so far is in the sample with equal probability.
            let j = uniform_below(self.rng.next_u64(), self.seen);
            if (j as usize) < RESERVOIR_KEYS {
                self.reservoir[j as usize] = key.clone();
            }
        }
    }

    /// A key by `pattern`, or `None` when nothing was written yet (the drawn key is used).
    pub fn pick(&mut self, pattern: KeyPattern) -> Option<ItemKey> {
        let n = match pattern {
            KeyPattern::Recent => self.recent.len(),
            KeyPattern::Existing => self.reservoir.len(),
            _ => 0,
        };
        if n == 0 {
            return None;
        }
        let i = uniform_below(self.rng.next_u64(), n as u64) as usize;
        match pattern {
            KeyPattern::Recent => self.recent.get(i).cloned(),
            _ => self.reservoir.get(i).cloned(),
        }
    }
}

/// A key no workload writes: the drawn key with its partition-key value moved out of the
/// generators' ranges (numbers made negative below -2^62, strings and binaries suffixed).
pub fn missing_key(key: &ItemKey) -> ItemKey {
    let partition = match &key.partition {
        KeyValue::N(n) => KeyValue::N(i64::MIN / 2 - n.rem_euclid(1 << 61)),
        KeyValue::S(s) => KeyValue::S(format!("{s}\u{1}missing").into()),
        KeyValue::B(b) => {
            let mut v = b.to_vec();
            v.extend_from_slice(b"\x01missing");
            KeyValue::B(v.into())
        }
    };
    ItemKey::new(partition, key.sort.clone())
}

/// Everything building a request needs from its workload's generator.
pub struct Builder<'a> {
    /// The workload.
    pub spec: &'a WorkloadSpec,
    /// Its key stream.
    pub keys: &'a mut StreamRng,
    /// Its size stream.
    pub sizes: &'a mut StreamRng,
    /// Its draw state.
    pub state: &'a mut DrawState,
    /// The request's time, microseconds.
    pub now_us: u64,
    /// Whether the table tracks attributes (has indexes).
    pub tracked: bool,
}

impl Builder<'_> {
    fn write(&mut self, draw: &Draw) -> WriteRequest {
        let spec = self.spec;
        let kind = match spec.operation {
            OperationKind::Delete => WriteKind::Delete,
            OperationKind::Update => {
                let mut actions = Vec::with_capacity(spec.shape.set.len() + spec.shape.remove.len());
                for &slot in &spec.shape.set {
                    if let Some(v) = spec.draw_attr(slot, self.keys, self.state, draw, self.now_us) {
                        actions.push(UpdateAction::Set(slot, v));
                    }
                }
                actions.extend(spec.shape.remove.iter().map(|&slot| UpdateAction::Remove(slot)));
                let item_bytes = (draw.item_bytes > 0).then_some(draw.item_bytes);
                WriteKind::Update { actions, item_bytes }
            }
            _ => {
                let attrs = if self.tracked {
                    spec.draw_attrs(self.keys, self.state, draw, self.now_us)
                } else {
                    Box::new([])
                };
                WriteKind::Put { item_bytes: draw.item_bytes, attrs }
            }
        };
        WriteRequest { key: draw.key.clone(), kind, condition: spec.shape.condition.clone() }
    }

    /// The operation-specific part of a request whose first draw is `draw`, or `None` for a
    /// plain get or put.
    pub fn extra(&mut self, draw: &Draw, scan_segment: &mut u32) -> Option<Box<Extra>> {
        let spec = self.spec;
        let shape = &spec.shape;
        let extra = match spec.operation {
            OperationKind::Get => return None,
            OperationKind::Put if !self.tracked && shape.condition.is_none() => return None,
            OperationKind::Put | OperationKind::Update | OperationKind::Delete => {
                Extra::Write(self.write(draw))
            }
            OperationKind::Query => Extra::Query(QueryRequest {
                index: shape.index,
                partition: draw.key.partition.clone(),
                sort: shape.sort.clone().unwrap_or(SortCondition::Any),
                forward: !shape.descending,
                limit: shape.limit,
                consistency: spec.consistency,
                start_after: None,
                filter: None,
                fetch: shape.fetch,
            }),
            OperationKind::Scan => {
                let segment = *scan_segment;
                *scan_segment = (segment + 1) % shape.segments.max(1);
                Extra::Scan(segment)
            }
            OperationKind::BatchGet | OperationKind::TransactGet => {
                let mut keys = vec![draw.key.clone()];
                for _ in 1..shape.items.max(1) {
                    let next = spec.draw(self.keys, self.sizes, self.state, self.now_us);
                    if !keys.contains(&next.key) {
                        keys.push(next.key);
                    }
                }
                Extra::Keys(keys)
            }
            OperationKind::BatchWrite | OperationKind::TransactWrite => {
                let mut writes = vec![self.write(draw)];
                for _ in 1..shape.items.max(1) {
                    let next = spec.draw(self.keys, self.sizes, self.state, self.now_us);
                    if writes.iter().all(|w| w.key != next.key) {
                        let w = self.write(&next);
                        writes.push(w);
                    }
                }
                if spec.operation == OperationKind::BatchWrite {
                    for w in &mut writes {
                        w.condition = None;
                    }
                }
                Extra::Writes(writes)
            }
        };
        Some(Box::new(extra))
    }
}

/// A gate that remembers the last refusal (batches report only which items were refused).
struct Recording<'a, 'b> {
    gate: &'a mut Gate<'b>,
    last: Option<ThrottleReason>,
}

impl CapacityGate for Recording<'_, '_> {
    type Refusal = ThrottleReason;

    fn admit(&mut self, charge: Charge) -> Result<(), ThrottleReason> {
        self.gate.admit(charge).inspect_err(|r| self.last = Some(*r))
    }

    fn admit_all(&mut self, charges: &[Charge]) -> Result<(), ThrottleReason> {
        self.gate.admit_all(charges).inspect_err(|r| self.last = Some(*r))
    }
}

/// The reason given to a batch's unprocessed rest if the gate did not say (it always does).
const FALLBACK_REASON: ThrottleReason =
    ThrottleReason::new(Resource::Table, Operation::Read, LimitType::KeyRangeThroughputExceeded);

fn error<R>(e: OpError<R>) -> Result<Done, R> {
    match e {
        OpError::Throttled(r) => Err(r),
        OpError::ConditionalCheckFailed(consumed) => {
            Ok(Done::Error(RequestError::ConditionalCheckFailed, consumed.charges))
        }
        OpError::TransactionCanceled => Ok(Done::Error(RequestError::TransactionCanceled, Vec::new())),
        OpError::ItemCollectionSizeLimitExceeded => {
            Ok(Done::Error(RequestError::ItemCollectionSizeLimitExceeded, Vec::new()))
        }
        OpError::Validation(_) => Ok(Done::Error(RequestError::Validation, Vec::new())),
    }
}

fn admitted(consumed: Consumed) -> Done {
    Done::Admitted { charges: consumed.charges, rest: None }
}

/// Runs one attempt of a request with operation-specific part `extra` at `now_us`.
/// `scan_cursors[segment]` holds where each scan segment's next page starts.
pub fn execute(
    table: &mut IndexedTable,
    spec: &WorkloadSpec,
    extra: &Extra,
    now_us: u64,
    gate: &mut Gate<'_>,
    scan_cursors: &mut [Option<ItemKey>],
) -> Done {
    let mut gate = Recording { gate, last: None };
    let result: Result<Done, ThrottleReason> = match extra {
        Extra::Write(w) => table.write(now_us, w, &mut gate).map(|o| admitted(o.consumed)).or_else(error),
        Extra::Query(q) => table.query(now_us, q, &mut gate).map(|o| admitted(o.consumed)).or_else(error),
        Extra::Scan(segment) => {
            let cursor = scan_cursors.get(*segment as usize).cloned().flatten();
            let request = ScanRequest {
                index: spec.shape.index,
                segment: *segment,
                total_segments: spec.shape.segments.max(1),
                limit: spec.shape.limit,
                consistency: spec.consistency,
                start_after: cursor,
                filter: None,
            };
            match table.scan(now_us, &request, &mut gate) {
                Ok(page) => {
                    if let Some(slot) = scan_cursors.get_mut(*segment as usize) {
                        // The next page of this segment starts after this one; past the end,
                        // the segment starts over.
                        *slot = page.last_evaluated;
                    }
                    Ok(admitted(page.consumed))
                }
                Err(e) => error(e),
            }
        }
        Extra::Keys(keys) => match spec.operation {
            OperationKind::TransactGet => {
                table.transact_get(now_us, keys, &mut gate).map(|(_, c)| admitted(c)).or_else(error)
            }
            _ => match table.batch_get(now_us, keys, spec.consistency, &mut gate) {
                Ok(out) => {
                    let rest = (!out.unprocessed.is_empty()).then(|| {
                        let left = out.unprocessed.iter().map(|&i| keys[i].clone()).collect();
                        (Extra::Keys(left), gate.last.unwrap_or(FALLBACK_REASON))
                    });
                    Ok(Done::Admitted { charges: out.consumed.charges, rest })
                }
                Err(e) => error(e),
            },
        },
        Extra::Writes(writes) => match spec.operation {
            OperationKind::TransactWrite => {
                table.transact_write(now_us, writes, &mut gate).map(admitted).or_else(error)
            }
            _ => match table.batch_write(now_us, writes, &mut gate) {
                Ok(out) => {
                    let rest = (!out.unprocessed.is_empty()).then(|| {
                        let left = out.unprocessed.iter().map(|&i| writes[i].clone()).collect();
                        (Extra::Writes(left), gate.last.unwrap_or(FALLBACK_REASON))
                    });
                    Ok(Done::Admitted { charges: out.consumed.charges, rest })
                }
                Err(e) => error(e),
            },
        },
    };
    result.unwrap_or_else(Done::Throttled)
}
