//! The simulator: simulated time, the event queue, the client and its retries, the driver loop.
//!
//! Architecture invariants: time is an integer and only [`run`] advances it; all randomness
//! comes from named streams of one root seed; events at equal times run in scheduling order.
//! This layer contains no DynamoDB rule: it asks the engine and the capacity policies what
//! happens to each attempt and each second, applies their decisions (splits) to the engine, and
//! reports every outcome to an [`Observer`]. A read of a write-sharded key is one request of
//! several GetItem calls ([`fanout`]). A replayed trace is one more arrival source, whose
//! requests belong to its pseudo-workloads ([`crate::workload::trace`]).

pub mod fanout;
pub mod ops;
mod preload;
pub mod queue;
pub mod retry;

use crate::capacity::{
    Admission, AutoScaler, AutoScalingParams, BillingMode, CapacityParams, Gate, GrowthParams, HeatParams,
    HeatTracker, OnDemandGrowth, SplitDecision, ThrottleReason,
};
use crate::engine::{
    initial_partition_count, table::SplitPoint, Access, Charge, IndexKind, IndexParams, IndexSpec,
    IndexedTable, ItemKey, PartitionId, Table, TableSpec, Target,
};
use crate::rng::{stream, StreamRng};
use crate::time::{SimTime, MICROS_PER_SECOND};
use crate::workload::{Arrivals, DrawState, OperationKind, Preload, Replay, TraceReplay, WorkloadSpec};
use fanout::{FanOuts, NO_GROUP};
pub use ops::RequestError;
use ops::{Done, Extra, KeyMemory};
pub use preload::Preloaded;
pub use queue::EventQueue;
pub use retry::{LatencyModel, RetryProfile, RetryQuota};

/// A secondary index of the simulated table, with its capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexConfig {
    /// The index.
    pub spec: IndexSpec,
    /// A global index's capacity: provisioned RCU/WCU of its own, or on demand like its table
    /// (MODEL.md §7.1: "A GSI inherits the table's capacity mode"). Unused for a local index.
    pub billing: BillingMode,
    /// A global index's partitions at time zero; `None` derives them like the table's.
    pub initial_partitions: Option<u32>,
    /// A provisioned global index's auto scaling, separate from its table's (MODEL.md §5).
    pub auto_scaling: AutoScalingParams,
}

/// Everything a run needs, validated.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The table's key schema.
    pub table: TableSpec,
    /// Secondary indexes, in declaration order.
    pub indexes: Vec<IndexConfig>,
    /// Index propagation and item-collection settings.
    pub index_params: IndexParams,
    /// Provisioned capacity or on demand.
    pub billing: BillingMode,
    /// Partitions at time zero; `None` derives them from the billing mode (MODEL.md §2.2).
    pub initial_partitions: Option<u32>,
    /// Admission parameters.
    pub capacity: CapacityParams,
    /// Split-for-heat parameters.
    pub heat: HeatParams,
    /// On-demand growth parameters.
    pub growth: GrowthParams,
    /// Auto scaling of provisioned capacity.
    pub auto_scaling: AutoScalingParams,
    /// Capacity changes and billing-mode switches at given times (UpdateTable), in time order:
    /// the billing mode from then on (a provisioned one with its RCU and WCU).
    pub schedule: Vec<(SimTime, BillingMode)>,
    /// Workloads, in scenario order, then the trace's pseudo-workloads (one per class).
    pub workloads: Vec<WorkloadSpec>,
    /// A trace replayed alongside the workloads, if any.
    pub trace: Option<TraceReplay>,
    /// The client's retry profile.
    pub retry: RetryProfile,
    /// Round trip of one attempt as the client sees it. Undocumented ("single-digit
    /// milliseconds"); a parameter.
    pub attempt_latency: LatencyModel,
    /// Simulated duration during which requests arrive, microseconds.
    pub duration_us: u64,
    /// Items loaded before time zero (`[table.preload]`), if any.
    pub preload: Option<Preload>,
}

impl SimConfig {
    /// A run of `workloads` against `table` billed by `billing` for `duration_us`, with every
    /// other setting at its default (MODEL.md defaults, the standard retry mode, 5 ms attempts).
    pub fn new(
        table: TableSpec,
        billing: BillingMode,
        workloads: Vec<WorkloadSpec>,
        duration_us: u64,
    ) -> SimConfig {
        SimConfig {
            table,
            indexes: Vec::new(),
            index_params: IndexParams::default(),
            billing,
            initial_partitions: None,
            capacity: CapacityParams::default(),
            heat: HeatParams::default(),
            growth: GrowthParams::default(),
            auto_scaling: AutoScalingParams::default(),
            schedule: Vec::new(),
            workloads,
            trace: None,
            retry: RetryProfile::aws_sdk_standard(),
            attempt_latency: LatencyModel::Constant(5_000),
            duration_us,
            preload: None,
        }
    }

    /// Partitions at time zero: the scenario's override, else the documented formula for a
    /// provisioned table (MODEL.md §2.2) or a new on-demand table's partitions (§4.2).
    pub fn initial_partition_count(&self) -> u32 {
        self.initial_partitions.unwrap_or(match self.billing {
            BillingMode::Provisioned { read_units, write_units } => {
                initial_partition_count(read_units, write_units)
            }
            BillingMode::OnDemand { .. } => self.growth.initial_partitions,
        })
    }

    /// Partitions of global index `index` at time zero (MODEL.md §2.2 for its own capacity).
    pub fn index_partition_count(&self, index: usize) -> u32 {
        let ix = &self.indexes[index];
        ix.initial_partitions.unwrap_or(match ix.billing {
            BillingMode::Provisioned { read_units, write_units } => {
                initial_partition_count(read_units, write_units)
            }
            BillingMode::OnDemand { .. } => self.growth.initial_partitions,
        })
    }
}

/// The table's shape at the end of a simulated second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableState {
    /// Partitions.
    pub partitions: u32,
    /// Read ceiling, units per second: provisioned RCU, or the on-demand ceiling.
    pub read_ceiling_units: u64,
    /// Write ceiling, units per second.
    pub write_ceiling_units: u64,
}

/// Receives every outcome of a run.
pub trait Observer {
    /// A client request was issued.
    fn offered(&mut self, now: SimTime);
    /// An attempt was admitted and consumed `milli` of `access` capacity.
    fn admitted(&mut self, now: SimTime, partition: PartitionId, key: &ItemKey, access: Access, milli: u64);
    /// An attempt was throttled.
    fn throttled(&mut self, now: SimTime, partition: PartitionId, key: &ItemKey, reason: ThrottleReason);
    /// A request completed (after its retries) with end-to-end latency `latency_us`.
    fn completed(&mut self, now: SimTime, succeeded: bool, latency_us: u64);
    /// A request issued at `now` succeeded at its first attempt, which consumed `milli` of
    /// `access` capacity, with nothing else reported in between (no split):
    /// [`Observer::offered`], [`Observer::admitted`] and [`Observer::completed`] at once, the
    /// common case.
    #[inline(always)]
    fn served(
        &mut self,
        now: SimTime,
        partition: PartitionId,
        key: &ItemKey,
        access: Access,
        milli: u64,
        latency_us: u64,
    ) {
        self.offered(now);
        self.admitted(now, partition, key, access, milli);
        self.completed(now, true, latency_us);
    }
    /// Simulated second `second` ended with the table in `state`.
    fn second_ended(&mut self, _second: u64, _state: TableState) {}
    /// Partition `parent` split into `children` at `now`.
    fn split(&mut self, _now: SimTime, _parent: PartitionId, _children: (PartitionId, PartitionId)) {}
    /// An admitted attempt also consumed `milli` of `access` capacity from base partition
    /// `partition` (a scan's further partitions, a batch's other items, a local index's writes).
    fn charged(&mut self, _now: SimTime, _partition: PartitionId, _access: Access, _milli: u64) {}
    /// An admitted attempt consumed `milli` of `access` capacity from partition `partition` of
    /// global index `index`.
    fn index_charged(
        &mut self,
        _now: SimTime,
        _index: usize,
        _partition: PartitionId,
        _access: Access,
        _milli: u64,
    ) {
    }
    /// A request ended with an error other than throttling.
    fn errored(&mut self, _now: SimTime, _error: RequestError) {}
    /// An attempt on `key` was admitted without charging the table (a read of a global index),
    /// or ended with an error that charged nothing: it counts as an attempt all the same.
    fn attempted(&mut self, _now: SimTime, _key: &ItemKey) {}
}

/// A secondary index at the end of a run.
#[derive(Clone, Debug)]
pub struct IndexOutput {
    /// The index.
    pub spec: IndexSpec,
    /// Partitions (a local index has its table's).
    pub partitions: usize,
    /// Entries.
    pub items: u64,
    /// Storage with the per-entry overhead (MODEL.md §7.1).
    pub storage_bytes: u64,
    /// A global index's read and write ceilings at the end, units per second.
    pub ceiling_units: Option<(u64, u64)>,
}

/// What a run leaves behind besides what the observer saw.
#[derive(Debug)]
pub struct RunOutput {
    /// The table at the end, with its items.
    pub table: Table,
    /// Its secondary indexes at the end.
    pub indexes: Vec<IndexOutput>,
    /// Admission state at the end.
    pub admission: Admission,
    /// Partitions at time zero, after the preload (if any) and its splits for size.
    pub initial_partitions: u32,
    /// Partition splits during the run (for heat, for size and, on demand, for growth); the
    /// preload's splits happen before time zero and are not counted.
    pub splits: u64,
    /// What the preload stored before time zero, if the run has one.
    pub preload: Option<Preloaded>,
    /// Simulated time of the last event, microseconds.
    pub end_us: u64,
}

/// A request between its attempts.
#[derive(Clone, Debug)]
struct Pending {
    workload: u32,
    attempt: u32,
    issued: SimTime,
    key: ItemKey,
    /// Size of the item a put writes, drawn when the request was issued.
    item_bytes: u32,
    /// The fan-out read this call belongs to, or [`NO_GROUP`].
    group: u32,
    /// What a request other than a plain get or put carries.
    extra: Option<Box<Extra>>,
}

/// One attempt of a plain get or put, borrowing its key: a request's first attempt is made
/// from its draw, a retry from its [`Pending`], and only a throttled attempt builds a `Pending`.
#[derive(Clone, Copy)]
struct Call<'k> {
    workload: u32,
    attempt: u32,
    issued: SimTime,
    key: &'k ItemKey,
    item_bytes: u32,
    group: u32,
}

impl Call<'_> {
    /// The request as it stands at this attempt, to retry.
    fn pending(&self) -> Pending {
        Pending {
            workload: self.workload,
            attempt: self.attempt,
            issued: self.issued,
            key: self.key.clone(),
            item_bytes: self.item_bytes,
            group: self.group,
            extra: None,
        }
    }
}

impl Pending {
    /// This request's attempt, as a [`Call`] (its extra aside).
    fn call(&self) -> Call<'_> {
        Call {
            workload: self.workload,
            attempt: self.attempt,
            issued: self.issued,
            key: &self.key,
            item_bytes: self.item_bytes,
            group: self.group,
        }
    }
}

/// What the queue holds.
#[derive(Clone, Debug)]
enum Event {
    /// A throttled request's next attempt.
    Retry(Pending),
    /// A split decided earlier, due now.
    Split(SplitDecision),
    /// A split for heat of global index `index`, decided earlier, due now.
    IndexSplit { index: usize, decision: SplitDecision },
    /// New provisioned capacity (RCU, WCU) takes effect; `scaled` if auto scaling asked for it.
    SetCapacity { read_units: u64, write_units: u64, scaled: bool },
    /// The table switches billing mode, or changes its provisioned capacity (a schedule entry).
    SetBilling(BillingMode),
    /// Auto scaling's new capacity for global index `index` takes effect.
    SetIndexCapacity { index: usize, read_units: u64, write_units: u64 },
}

/// One generator per workload: its arrivals and random streams.
struct Source<'a> {
    arrivals: Arrivals,
    arrival_rng: StreamRng,
    key_rng: StreamRng,
    size_rng: StreamRng,
    state: DrawState,
    /// The scan segment of the next scan request.
    scan_segment: u32,
    /// Whether the workload's requests are a plain get or put of a drawn key: nothing to build
    /// besides the draw.
    plain: bool,
    /// For a plain workload of single calls whose key is a number drawn from one distribution
    /// ([`WorkloadSpec::direct_keys`]), that distribution: the draw is one sample
    /// ([`WorkloadSpec::draw_direct`]).
    direct: Option<&'a crate::workload::ValueDistribution>,
}

/// How often, in events, the driver reports progress.
const PROGRESS_EVERY: u64 = 1 << 16;

/// The table and the policies that act on it.
struct World {
    table: IndexedTable,
    admission: Admission,
    /// Each global index's admission (a local index's slot is an unused copy of the table's).
    index_admission: Vec<Admission>,
    /// Keys written, for the `recent` and `existing` read patterns (only if a workload uses one).
    memory: Option<KeyMemory>,
    /// Where each scan workload's segments continue, by workload.
    scan_cursors: Vec<Vec<Option<ItemKey>>>,
    /// Each global index's auto scaling and the milli-units (read, write) it consumed this
    /// minute.
    index_scalers: Vec<(AutoScaler, (u64, u64))>,
    /// Each global index's on-demand growth (while it is on demand) and the milli-units (read,
    /// write) it consumed this second.
    index_growth: Vec<(Option<OnDemandGrowth>, (u64, u64))>,
    /// Each global index's split-for-heat tracker (MODEL.md §2.4 for the index's own
    /// partitions); `None` for a local index.
    index_heat: Vec<Option<HeatTracker>>,
    heat: HeatTracker,
    growth: Option<OnDemandGrowth>,
    scaler: AutoScaler,
    splits: u64,
    second: u64,
    second_milli: (u64, u64),
    minute_milli: (u64, u64),
}

/// Runs `config` with root seed `seed`, reporting outcomes to `observer` and calling `progress`
/// with the simulated time now and then. Arrivals stop at the duration; requests still in
/// flight then are finished (their retries run past the end).
pub fn run<O: Observer>(
    config: &SimConfig,
    seed: u64,
    observer: &mut O,
    progress: &mut dyn FnMut(SimTime),
) -> RunOutput {
    let partitions = config.initial_partition_count();
    let specs: Vec<IndexSpec> = config.indexes.iter().map(|i| i.spec.clone()).collect();
    let index_partitions: Vec<u32> =
        (0..config.indexes.len()).map(|i| config.index_partition_count(i)).collect();
    let table = IndexedTable::new(
        config.table.clone(),
        partitions,
        &specs,
        &index_partitions,
        config.index_params.clone(),
    );
    let admission = Admission::new(config.billing, partitions as usize, &config.capacity);
    let index_admission = config
        .indexes
        .iter()
        .enumerate()
        .map(|(i, ix)| match ix.spec.kind {
            IndexKind::Global => {
                Admission::new(ix.billing, index_partitions[i] as usize, &config.capacity).for_index()
            }
            IndexKind::Local => Admission::new(config.billing, 1, &config.capacity),
        })
        .collect();
    let uses_memory = config.workloads.iter().any(|w| {
        matches!(w.shape.keys, crate::workload::KeyPattern::Recent | crate::workload::KeyPattern::Existing)
    });
    let memory = uses_memory.then(|| KeyMemory::new(stream(seed, "client/key-memory")));
    let scan_cursors =
        config.workloads.iter().map(|w| vec![None; w.shape.segments.max(1) as usize]).collect();
    let caps = (config.capacity.partition_read_units, config.capacity.partition_write_units);
    let growth = matches!(config.billing, BillingMode::OnDemand { .. })
        .then(|| OnDemandGrowth::new(config.growth.clone()));
    let heat = HeatTracker::new(config.heat.clone(), table.base(), caps);
    let index_heat = config
        .indexes
        .iter()
        .enumerate()
        .map(|(i, ix)| {
            (ix.spec.kind == IndexKind::Global)
                .then(|| HeatTracker::new(config.heat.clone(), table.index_store(i), caps))
        })
        .collect();
    let scaler = AutoScaler::new(config.auto_scaling.clone());
    let index_scalers =
        config.indexes.iter().map(|ix| (AutoScaler::new(ix.auto_scaling.clone()), (0, 0))).collect();
    let index_growth = config
        .indexes
        .iter()
        .map(|ix| {
            let on_demand =
                ix.spec.kind == IndexKind::Global && matches!(ix.billing, BillingMode::OnDemand { .. });
            (on_demand.then(|| OnDemandGrowth::new(config.growth.clone())), (0, 0))
        })
        .collect();
    let mut world = World {
        table,
        admission,
        index_admission,
        index_scalers,
        index_growth,
        index_heat,
        memory,
        scan_cursors,
        heat,
        growth,
        scaler,
        splits: 0,
        second: 0,
        second_milli: (0, 0),
        minute_milli: (0, 0),
    };
    // One entity seed for the run: every workload derives the same attributes for an entity.
    let entity_seed = rand::Rng::next_u64(&mut stream(seed, "entities"));
    let preloaded = config.preload.as_ref().map(|p| world.preload(config, p, seed, entity_seed));
    let initial_partitions = world.table.base().partition_count() as u32;
    let mut sources: Vec<Source> = config
        .workloads
        .iter()
        .map(|w| {
            let mut arrival_rng = stream(seed, &format!("workload/{}/arrivals", w.name));
            let arrivals = Arrivals::new(&w.traffic, &mut arrival_rng);
            let plain = w.shape.keys == crate::workload::KeyPattern::Drawn
                && (w.operation == OperationKind::Get
                    || (w.operation == OperationKind::Put
                        && w.shape.condition.is_none()
                        && config.indexes.is_empty()));
            Source {
                arrivals,
                arrival_rng,
                key_rng: stream(seed, &format!("workload/{}/keys", w.name)),
                size_rng: stream(seed, &format!("workload/{}/sizes", w.name)),
                state: DrawState { entity_seed, requests: 0 },
                scan_segment: 0,
                plain,
                direct: w.direct_keys().filter(|_| plain && w.fan_out() == 1),
            }
        })
        .collect();
    let mut replay = Replay::new(config.trace.as_ref());
    let mut fan_outs = FanOuts::default();
    let mut retry_rng = stream(seed, "client/retry");
    let mut latency_rng = stream(seed, "client/latency");
    let mut quota = RetryQuota::new(&config.retry);
    let mut queue: EventQueue<Event> = EventQueue::default();
    for &(at, mode) in &config.schedule {
        queue.push(at, Event::SetBilling(mode));
    }
    let mut events = 0u64;
    let mut now = SimTime::ZERO;
    let mut client = Client {
        config,
        quota: &mut quota,
        rng: &mut retry_rng,
        latency_rng: &mut latency_rng,
        queue: &mut queue,
        fan_outs: &mut fan_outs,
    };

    // Each source's next arrival time (`u64::MAX` when none comes before the duration), the
    // trace's last if there is one, side by side; and the earliest as (time, source), recomputed
    // only when an arrival is taken, since nothing else moves the sources. Without a trace, the
    // source the earliest names when nothing is left to arrive is never read: a time of
    // `u64::MAX` always yields to the queue, or ends the run.
    let mut times: Vec<u64> = sources.iter().map(|s| s.arrivals.peek_us()).collect();
    if config.trace.is_some() {
        times.push(replay.peek_us());
    }
    times.iter_mut().for_each(|t| *t = before(*t, config.duration_us));
    let mut arrival = earliest(&times);
    // The end of the current simulated second, microseconds.
    let mut second_end_us = MICROS_PER_SECOND;
    loop {
        let (t, i) = arrival;
        let q = client.queue.peek_time().map_or(u64::MAX, SimTime::micros);
        // At equal times a queued event goes first.
        let from_queue = q <= t;
        let next = if from_queue {
            if q == u64::MAX {
                break;
            }
            q
        } else {
            t
        };
        if next >= second_end_us {
            while next / MICROS_PER_SECOND > world.second {
                world.end_second(config, client.queue, observer);
            }
            second_end_us = (world.second + 1) * MICROS_PER_SECOND;
        }
        now = SimTime(next);
        if from_queue {
            match client.queue.pop().map(|(_, e)| e) {
                Some(Event::Retry(request)) => client.attempt(&mut world, observer, now, request),
                Some(Event::Split(decision)) => world.apply_split(now, decision, observer),
                Some(Event::IndexSplit { index, decision }) => world.apply_index_split(now, index, decision),
                Some(Event::SetBilling(mode)) => world.set_billing(now, config, mode, observer),
                Some(Event::SetIndexCapacity { index, read_units, write_units }) => {
                    world.set_index_capacity(now, config, index, (read_units, write_units));
                }
                Some(Event::SetCapacity { read_units, write_units, scaled }) => {
                    world.set_capacity(now, config, (read_units, write_units), observer);
                    if scaled {
                        world.scaler.applied();
                    }
                }
                None => break,
            }
        } else if i == sources.len() {
            // A recorded request: issued as recorded, through the same client.
            if let Some((workload, key, item_bytes)) = replay.next_request() {
                observer.offered(now);
                // A recorded write goes through the engine's write path unless it is a plain put
                // on a table without indexes. It carries no index attributes: a put's item
                // is in no index; an update changes the item's size (to `item_bytes`).
                let operation = config.workloads[workload as usize].operation;
                let extra = match operation {
                    OperationKind::Get => None,
                    OperationKind::Put if !world.table.has_indexes() => None,
                    _ => {
                        let bytes = u64::from(item_bytes);
                        let kind = match operation {
                            OperationKind::Delete => crate::engine::WriteKind::Delete,
                            OperationKind::Update => crate::engine::WriteKind::Update {
                                actions: Vec::new(),
                                item_bytes: Some(bytes),
                            },
                            _ => crate::engine::WriteKind::Put { item_bytes: bytes, attrs: Box::new([]) },
                        };
                        let write = crate::engine::WriteRequest { key: key.clone(), kind, condition: None };
                        Some(Box::new(Extra::Write(write)))
                    }
                };
                let request =
                    Pending { workload, attempt: 1, issued: now, key, item_bytes, group: NO_GROUP, extra };
                client.attempt(&mut world, observer, now, request);
            }
            times[i] = before(replay.peek_us(), config.duration_us);
            arrival = earliest(&times);
        } else {
            let source = &mut sources[i];
            source.arrivals.advance(&mut source.arrival_rng);
            times[i] = before(source.arrivals.peek_us(), config.duration_us);
            let spec = &config.workloads[i];
            if let Some(dist) = source.direct {
                let (key, item_bytes) =
                    spec.draw_direct(dist, &mut source.key_rng, &mut source.size_rng, &mut source.state);
                let call = Call {
                    workload: i as u32,
                    attempt: 1,
                    issued: now,
                    key: &key,
                    item_bytes: item_bytes as u32,
                    group: NO_GROUP,
                };
                client.attempt_plain::<O, true>(&mut world, observer, now, call, spec);
            } else {
                observer.offered(now);
                client.arrive(&mut world, observer, now, i, spec, source);
            }
            arrival = earliest(&times);
        }
        events += 1;
        if events.is_multiple_of(PROGRESS_EVERY) {
            progress(now);
        }
    }
    world.end_second(config, client.queue, observer);
    progress(now);
    let World { mut table, admission, index_admission, splits, .. } = world;
    // The index changes still propagating when the last request ended land after it.
    table.propagate(u64::MAX);
    let (table, index_tables) = table.into_parts();
    let indexes = config
        .indexes
        .iter()
        .zip(index_tables)
        .zip(&index_admission)
        .map(|((ix, t), adm)| IndexOutput {
            spec: ix.spec.clone(),
            partitions: t.partition_count(),
            items: t.item_count(),
            storage_bytes: t.storage_bytes(),
            ceiling_units: (ix.spec.kind == IndexKind::Global).then(|| adm.ceiling_units()),
        })
        .collect();
    RunOutput {
        table,
        indexes,
        admission,
        initial_partitions,
        splits,
        preload: preloaded,
        end_us: now.micros(),
    }
}

/// Arrival time `t`, or `u64::MAX` if it is not before `duration_us`.
#[inline(always)]
fn before(t: u64, duration_us: u64) -> u64 {
    if t < duration_us {
        t
    } else {
        u64::MAX
    }
}

/// The earliest of the sources' next arrival `times` as (time, source): at equal times the
/// first source goes first (every workload before the trace, which is last).
#[inline(always)]
fn earliest(times: &[u64]) -> (u64, usize) {
    let first = |(t, i): (u64, usize), (u, j): (u64, usize)| if u < t { (u, j) } else { (t, i) };
    // Up to three sources (workloads, and the trace if any), unrolled: the loop's setup costs
    // more than its body.
    match *times {
        [a] => (a, 0),
        [a, b] => first((a, 0), (b, 1)),
        [a, b, c] => first(first((a, 0), (b, 1)), (c, 2)),
        _ => times
            .iter()
            .enumerate()
            .fold((u64::MAX, times.len().saturating_sub(1)), |best, (i, &t)| first(best, (t, i))),
    }
}

/// Replaces a drawn key by one of the keys the read pattern targets.
#[cold]
fn pick_key(world: &mut World, pattern: crate::workload::KeyPattern, key: &mut ItemKey) {
    match pattern {
        crate::workload::KeyPattern::Missing => *key = ops::missing_key(key),
        _ => {
            if let Some(picked) = world.memory.as_mut().and_then(|m| m.pick(pattern)) {
                *key = picked;
            }
        }
    }
}

impl World {
    /// Closes the current simulated second: on-demand growth, split-for-heat decisions, and the
    /// observer's per-second state.
    fn end_second<O: Observer>(
        &mut self,
        config: &SimConfig,
        queue: &mut EventQueue<Event>,
        observer: &mut O,
    ) {
        let end = SimTime::from_secs(self.second + 1);
        self.admission.adapt(end, self.second_milli, &config.capacity);
        if let Some(growth) = &mut self.growth {
            let (read, write) = self.second_milli;
            if growth.tick(self.second, read, write, self.admission.ceiling_units()) {
                self.double_partitions(end, observer);
            }
        }
        self.minute_milli =
            (self.minute_milli.0 + self.second_milli.0, self.minute_milli.1 + self.second_milli.1);
        if end.second().is_multiple_of(60) {
            let (read, write) = self.minute_milli;
            self.minute_milli = (0, 0);
            let consumed = (read as f64 / 60_000.0, write as f64 / 60_000.0);
            let provisioned = matches!(self.admission.mode(), BillingMode::Provisioned { .. });
            if self.scaler.enabled() && provisioned {
                if let Some((read_units, write_units)) =
                    self.scaler.minute(end.second(), consumed, self.admission.ceiling_units())
                {
                    let due = end.plus_micros(self.scaler.update_delay_seconds() * MICROS_PER_SECOND);
                    queue.push(due, Event::SetCapacity { read_units, write_units, scaled: true });
                }
            }
        }
        self.grow_indexes(end);
        if end.second().is_multiple_of(60) {
            self.scale_indexes(end, queue);
        }
        self.split_indexes_for_size(end, config);
        self.decide_index_splits(end, config, queue);
        let collections_can_split = self.table.collections_can_split();
        for decision in self.heat.decide(end, self.table.base(), collections_can_split) {
            let due = end.plus_micros(config.heat.delay_seconds * MICROS_PER_SECOND);
            if due.micros() < config.duration_us {
                queue.push(due, Event::Split(decision));
            }
        }
        let (read_ceiling_units, write_ceiling_units) = self.admission.ceiling_units();
        let partitions = self.table.base().partition_count() as u32;
        observer
            .second_ended(self.second, TableState { partitions, read_ceiling_units, write_ceiling_units });
        self.second += 1;
        self.second_milli = (0, 0);
    }

    /// Splits the partition at `index` at `at`, keeping admission and heat tracking in step.
    fn split<O: Observer>(&mut self, now: SimTime, index: usize, at: SplitPoint, observer: &mut O) -> bool {
        let parent = self.table.base().partitions()[index].id();
        let Some(children) = self.table.split_at(index, &at) else { return false };
        self.admission.partition_split(now, index);
        self.heat.on_split(index, self.table.base());
        self.splits += 1;
        observer.split(now, parent, children);
        true
    }

    /// A partition reached the size limit: it splits at its data median (MODEL.md §2.2, §10.5),
    /// by hash, or inside an item collection that holds the median (not with local indexes,
    /// §7.2). Returns whether it split.
    fn split_for_size<O: Observer>(&mut self, now: SimTime, index: usize, observer: &mut O) -> bool {
        match self.table.size_split_point(index) {
            Some(at) => self.split(now, index, at, observer),
            None => false,
        }
    }

    /// Global indexes' partitions that reached the size limit split at their data median, their
    /// admission in step (MODEL.md §2.2 applies to an index's own partitions).
    /// Partition `p` of global index `index` was split: its admission and heat tracking follow.
    fn index_split(&mut self, now: SimTime, index: usize, p: usize) {
        self.index_admission[index].partition_split(now, p);
        if let Some(heat) = &mut self.index_heat[index] {
            heat.on_split(p, self.table.index_store(index));
        }
    }

    /// The global indexes' splits for heat decided at the end of this second, due after the
    /// split delay.
    fn decide_index_splits(&mut self, end: SimTime, config: &SimConfig, queue: &mut EventQueue<Event>) {
        for index in 0..self.index_heat.len() {
            let Some(heat) = &mut self.index_heat[index] else { continue };
            for decision in heat.decide(end, self.table.index_store(index), true) {
                let due = end.plus_micros(config.heat.delay_seconds * MICROS_PER_SECOND);
                if due.micros() < config.duration_us {
                    queue.push(due, Event::IndexSplit { index, decision });
                }
            }
        }
    }

    /// Applies a split for heat of global index `index` to the partition that now holds its
    /// point.
    fn apply_index_split(&mut self, now: SimTime, index: usize, decision: SplitDecision) {
        let store = self.table.index_store(index);
        let (p, at) = match decision.key {
            Some(key) => (store.partition_of(&key), SplitPoint::Key(key)),
            None => (store.partition_index(decision.at), SplitPoint::Hash(decision.at)),
        };
        if self.table.split_index_at(index, p, &at) {
            self.index_split(now, index, p);
        } else if let Some(heat) = &mut self.index_heat[index] {
            heat.cancel_pending(p);
        }
    }

    fn split_indexes_for_size(&mut self, now: SimTime, config: &SimConfig) {
        for i in 0..self.table.index_count() {
            for p in self
                .table
                .index_partitions_over(i, config.capacity.partition_size_limit_bytes)
                .into_iter()
                .rev()
            {
                if self.table.split_index_at_data_median(i, p) {
                    self.index_split(now, i, p);
                }
            }
        }
    }

    /// Applies a split for heat decided a delay ago to the partition that now holds its hash.
    fn apply_split<O: Observer>(&mut self, now: SimTime, decision: SplitDecision, observer: &mut O) {
        let (index, at) = match decision.key {
            Some(key) => (self.table.base().partition_of(&key), SplitPoint::Key(key)),
            None => (self.table.base().partition_index(decision.at), SplitPoint::Hash(decision.at)),
        };
        if !self.split(now, index, at, observer) {
            self.heat.cancel_pending(index);
        }
    }

    /// New provisioned capacity. If the partitions cannot serve it, they double until they can
    /// (MODEL.md §2.2: "DynamoDB will double the current number of partitions").
    /// One minute of each global index's auto scaling (MODEL.md §5, per index): a decision takes
    /// effect after the update delay.
    fn scale_indexes(&mut self, end: SimTime, queue: &mut EventQueue<Event>) {
        for (index, (scaler, minute)) in self.index_scalers.iter_mut().enumerate() {
            let consumed = (minute.0 as f64 / 60_000.0, minute.1 as f64 / 60_000.0);
            *minute = (0, 0);
            // Auto scaling acts only while the index is provisioned (MODEL.md §5).
            let provisioned = matches!(self.index_admission[index].mode(), BillingMode::Provisioned { .. });
            if !scaler.enabled() || !provisioned {
                continue;
            }
            let ceiling = self.index_admission[index].ceiling_units();
            if let Some((read_units, write_units)) = scaler.minute(end.second(), consumed, ceiling) {
                let due = end.plus_micros(scaler.update_delay_seconds() * MICROS_PER_SECOND);
                queue.push(due, Event::SetIndexCapacity { index, read_units, write_units });
            }
        }
    }

    /// One second of each on-demand global index's growth (MODEL.md §4.1 applied to the index,
    /// which scales like its table): sustained traffic past half its ceiling doubles its
    /// partitions.
    fn grow_indexes(&mut self, end: SimTime) {
        for index in 0..self.index_growth.len() {
            let (growth, second) = &mut self.index_growth[index];
            let (read, write) = std::mem::take(second);
            let Some(growth) = growth else { continue };
            if growth.tick(self.second, read, write, self.index_admission[index].ceiling_units()) {
                self.double_index_partitions(end, index);
            }
        }
    }

    /// Every partition of global index `index` splits at the middle of its hash range.
    fn double_index_partitions(&mut self, now: SimTime, index: usize) {
        for p in (0..self.table.index_store(index).partition_count()).rev() {
            let Some(at) = self.table.index_store(index).middle_hash(p) else { continue };
            if self.table.split_index_at(index, p, &SplitPoint::Hash(at)) {
                self.index_split(now, index, p);
            }
        }
    }

    /// New provisioned capacity of global index `index`; its partitions double until they can
    /// serve it (MODEL.md §2.2 applied to the index's own partitions).
    fn set_index_capacity(&mut self, now: SimTime, config: &SimConfig, index: usize, units: (u64, u64)) {
        if !matches!(self.index_admission[index].mode(), BillingMode::Provisioned { .. }) {
            // A scaling decision that lands after a switch to on demand.
            return;
        }
        self.index_admission[index].set_provisioned(now, units.0, units.1, &config.capacity);
        self.index_scalers[index].0.applied();
        while (initial_partition_count(units.0, units.1) as usize)
            > self.table.index_store(index).partition_count()
        {
            let before = self.table.index_store(index).partition_count();
            self.double_index_partitions(now, index);
            if self.table.index_store(index).partition_count() == before {
                break;
            }
        }
    }

    /// A schedule entry: new provisioned capacity, or a switch of billing mode (MODEL.md §4.3).
    /// Switching to on demand keeps the partitions, which serve at least the highest capacity
    /// ever provisioned ("the old provisioned maximum", §10.4), and starts on-demand growth from
    /// them; switching to provisioned sets the given capacity, doubling partitions if needed.
    fn set_billing<O: Observer>(
        &mut self,
        now: SimTime,
        config: &SimConfig,
        mode: BillingMode,
        observer: &mut O,
    ) {
        let partitions = self.table.base().partition_count();
        match (self.admission.mode(), mode) {
            (BillingMode::Provisioned { .. }, BillingMode::Provisioned { read_units, write_units }) => {
                self.set_capacity(now, config, (read_units, write_units), observer);
            }
            (BillingMode::Provisioned { .. }, BillingMode::OnDemand { .. }) => {
                self.admission = Admission::switched(mode, partitions, &config.capacity, now);
                self.growth = Some(OnDemandGrowth::new(config.growth.clone()));
                self.switch_indexes(now, config, mode);
            }
            (BillingMode::OnDemand { .. }, BillingMode::Provisioned { read_units, write_units }) => {
                self.admission = Admission::switched(mode, partitions, &config.capacity, now);
                self.growth = None;
                self.set_capacity(now, config, (read_units, write_units), observer);
                self.switch_indexes(now, config, mode);
            }
            (BillingMode::OnDemand { .. }, BillingMode::OnDemand { .. }) => {}
        }
    }

    /// The table switched to billing mode `mode`: its global indexes switch with it (MODEL.md
    /// §7.1: "A GSI inherits the table's capacity mode"), new buckets starting at the switch.
    /// Back to provisioned, an index gets its declared capacity, or the table's new one if it
    /// declared none (as validation defaults it), its partitions doubling if need be.
    fn switch_indexes(&mut self, now: SimTime, config: &SimConfig, mode: BillingMode) {
        for (i, ix) in config.indexes.iter().enumerate() {
            if ix.spec.kind != IndexKind::Global {
                continue;
            }
            let partitions = self.table.index_store(i).partition_count();
            let index_mode = match (mode, ix.billing) {
                (BillingMode::OnDemand { .. }, _) => {
                    BillingMode::OnDemand { max_read_units: None, max_write_units: None }
                }
                (BillingMode::Provisioned { .. }, declared @ BillingMode::Provisioned { .. }) => declared,
                (table @ BillingMode::Provisioned { .. }, BillingMode::OnDemand { .. }) => table,
            };
            self.index_admission[i] =
                Admission::switched(index_mode, partitions, &config.capacity, now).for_index();
            self.index_growth[i].0 = matches!(index_mode, BillingMode::OnDemand { .. })
                .then(|| OnDemandGrowth::new(config.growth.clone()));
            if let BillingMode::Provisioned { read_units, write_units } = index_mode {
                self.set_index_capacity(now, config, i, (read_units, write_units));
            }
        }
    }

    fn set_capacity<O: Observer>(
        &mut self,
        now: SimTime,
        config: &SimConfig,
        units: (u64, u64),
        observer: &mut O,
    ) {
        self.admission.set_provisioned(now, units.0, units.1, &config.capacity);
        while (initial_partition_count(units.0, units.1) as usize) > self.table.base().partition_count() {
            let before = self.table.base().partition_count();
            self.double_partitions(now, observer);
            if self.table.base().partition_count() == before {
                break;
            }
        }
    }

    /// On-demand growth: every partition splits at the middle of its hash range.
    fn double_partitions<O: Observer>(&mut self, now: SimTime, observer: &mut O) {
        for index in (0..self.table.base().partition_count()).rev() {
            if let Some(at) = self.table.base().middle_hash(index) {
                self.split(now, index, SplitPoint::Hash(at), observer);
            }
        }
    }
}

/// The client: issues attempts and retries throttled ones.
struct Client<'a> {
    config: &'a SimConfig,
    quota: &'a mut RetryQuota,
    rng: &'a mut StreamRng,
    latency_rng: &'a mut StreamRng,
    queue: &'a mut EventQueue<Event>,
    fan_outs: &'a mut FanOuts,
}

impl Client<'_> {
    /// A call of the request issued at `issued` in fan-out `group` ended at `end`: the request
    /// completes now, or with the last call of its fan-out.
    #[inline(always)]
    fn complete<O: Observer>(
        &mut self,
        observer: &mut O,
        now: SimTime,
        (issued, group): (SimTime, u32),
        ok: bool,
        end: SimTime,
    ) {
        if group == NO_GROUP {
            observer.completed(now, ok, end.micros() - issued.micros());
        } else {
            self.complete_call(observer, now, (issued, group), ok, end);
        }
    }

    /// [`Client::complete`] for a call of a fan-out read, out of line to keep the common path
    /// small.
    #[cold]
    #[inline(never)]
    fn complete_call<O: Observer>(
        &mut self,
        observer: &mut O,
        now: SimTime,
        (issued, group): (SimTime, u32),
        ok: bool,
        end: SimTime,
    ) {
        if let Some((ok, end_us)) = self.fan_outs.finish(group, ok, end.micros()) {
            observer.completed(now, ok, end_us - issued.micros());
        }
    }

    /// An arrival of workload `i` (`spec`, drawn from `source`) other than a direct one: drawn
    /// whole, built, and attempted.
    #[inline(never)]
    fn arrive<O: Observer>(
        &mut self,
        world: &mut World,
        observer: &mut O,
        now: SimTime,
        i: usize,
        spec: &WorkloadSpec,
        source: &mut Source,
    ) {
        let mut draw = spec.draw(&mut source.key_rng, &mut source.size_rng, &mut source.state, now.micros());
        let (fan_out, item_bytes) = (spec.fan_out(), draw.item_bytes as u32);
        if source.plain && fan_out == 1 {
            // The common case: nothing to build but the call, the key borrowed from the draw.
            let call = Call {
                workload: i as u32,
                attempt: 1,
                issued: now,
                key: &draw.key,
                item_bytes,
                group: NO_GROUP,
            };
            self.attempt_plain::<O, false>(world, observer, now, call, spec);
        } else {
            let extra = if source.plain {
                None
            } else {
                if spec.shape.keys != crate::workload::KeyPattern::Drawn {
                    pick_key(world, spec.shape.keys, &mut draw.key);
                }
                let mut builder = ops::Builder {
                    spec,
                    keys: &mut source.key_rng,
                    sizes: &mut source.size_rng,
                    state: &mut source.state,
                    now_us: now.micros(),
                    tracked: !world.table.schema().tracked.is_empty(),
                };
                builder.extra(&draw, &mut source.scan_segment)
            };
            let mut extra = Some(extra);
            let mut request = |key, group| Pending {
                workload: i as u32,
                attempt: 1,
                issued: now,
                key,
                item_bytes,
                group,
                extra: extra.take().flatten(),
            };
            let first = if fan_out > 1 {
                // A read of a sharded key: one GetItem per shard, all issued now. Shard 0
                // goes first; the others are queued at this instant, and the queue runs
                // them before anything later.
                let group = self.fan_outs.open(fan_out);
                for shard in 1..fan_out {
                    self.queue.push(now, Event::Retry(request(spec.key(&draw, shard), group)));
                }
                request(draw.key, group)
            } else {
                request(draw.key, NO_GROUP)
            };
            self.attempt(world, observer, now, first);
        }
    }

    /// Makes one attempt of `request` at `now` and handles its outcome.
    #[inline(always)]
    fn attempt<O: Observer>(&mut self, world: &mut World, observer: &mut O, now: SimTime, request: Pending) {
        if request.extra.is_some() {
            return self.attempt_other(world, observer, now, request);
        }
        let spec = &self.config.workloads[request.workload as usize];
        self.attempt_plain::<O, false>(world, observer, now, request.call(), spec);
    }

    /// Makes one attempt of a plain get or put at `now` and handles its outcome. `FRESH` for the
    /// first attempt of a request issued now, not part of a fan-out, which the observer has not
    /// been told of: it learns of the request with the attempt's outcome.
    #[inline(always)]
    fn attempt_plain<O: Observer, const FRESH: bool>(
        &mut self,
        world: &mut World,
        observer: &mut O,
        now: SimTime,
        call: Call,
        spec: &WorkloadSpec,
    ) {
        match spec.operation {
            OperationKind::Put => self.attempt_as::<O, true, FRESH>(world, observer, now, call, spec),
            _ => self.attempt_as::<O, false, FRESH>(world, observer, now, call, spec),
        }
    }

    /// [`Client::attempt_plain`] of a put (`PUT`) or a get, each compiled on its own so that
    /// nothing is tested twice.
    #[inline(always)]
    fn attempt_as<O: Observer, const PUT: bool, const FRESH: bool>(
        &mut self,
        world: &mut World,
        observer: &mut O,
        now: SimTime,
        call: Call,
        spec: &WorkloadSpec,
    ) {
        let mut gate = Gate { admission: &mut world.admission, indexes: &mut [], now };
        let (access, outcome) = if PUT {
            let out = world.table.base_mut_unindexed().put_item(
                call.key.clone(),
                u64::from(call.item_bytes),
                &mut gate,
            );
            (Access::Write, out.map(|out| (out.partition, out.consumed_milli)))
        } else {
            let out = world.table.get_item(call.key, spec.consistency, &mut gate);
            (Access::Read, out.map(|out| (out.partition, out.consumed_milli)))
        };
        let latency = self.config.attempt_latency.draw(self.latency_rng);
        match outcome {
            Ok((index, milli)) => {
                let partition = &world.table.base().partitions()[index];
                world.heat.observe_key(index, call.key, access, milli);
                let full =
                    PUT && partition.storage_bytes() >= self.config.capacity.partition_size_limit_bytes;
                // One callback for the whole request, unless a split comes between the attempt
                // and the completion, as on every other path.
                let served = FRESH && !full;
                if served {
                    observer.served(now, partition.id(), call.key, access, milli, latency);
                } else {
                    if FRESH {
                        observer.offered(now);
                    }
                    observer.admitted(now, partition.id(), call.key, access, milli);
                }
                if PUT {
                    world.second_milli.1 += milli;
                    if let Some(memory) = &mut world.memory {
                        memory.written(call.key);
                    }
                } else {
                    world.second_milli.0 += milli;
                }
                if full {
                    world.split_for_size(now, index, observer);
                }
                self.quota.on_success(call.attempt > 1);
                if !served {
                    self.complete(observer, now, (call.issued, call.group), true, now.plus_micros(latency));
                }
            }
            Err(reason) => {
                if FRESH {
                    observer.offered(now);
                }
                self.throttled_call(world, observer, now, call, reason, latency)
            }
        }
    }

    /// [`Client::throttled`] for a plain call, out of line: the request to retry is built only
    /// here.
    #[cold]
    #[inline(never)]
    fn throttled_call<O: Observer>(
        &mut self,
        world: &World,
        observer: &mut O,
        now: SimTime,
        call: Call,
        reason: crate::capacity::ThrottleReason,
        latency: u64,
    ) {
        self.throttled(world, observer, now, call.pending(), reason, latency);
    }
}

impl Client<'_> {
    /// A throttled attempt of `request`: retried after the profile's delay while attempts and
    /// the retry quota last, else the request fails. `latency` is the attempt's round trip.
    #[inline]
    fn throttled<O: Observer>(
        &mut self,
        world: &World,
        observer: &mut O,
        now: SimTime,
        request: Pending,
        reason: crate::capacity::ThrottleReason,
        latency: u64,
    ) {
        let table = world.table.base();
        let id = table.partitions()[table.partition_of(&request.key)].id();
        observer.throttled(now, id, &request.key, reason);
        let response = now.plus_micros(latency);
        if request.attempt < self.config.retry.max_attempts && self.quota.acquire() {
            let delay = self.config.retry.delay_us(request.attempt, self.rng);
            let retry = Pending { attempt: request.attempt + 1, ..request };
            self.queue.push(response.plus_micros(delay), Event::Retry(retry));
        } else {
            self.complete(observer, now, (request.issued, request.group), false, response);
        }
    }

    /// Reports the charges of an admitted attempt: the first base-table charge is the attempt's
    /// own; the others are extra partitions (or a local index's writes) and index charges.
    fn charged<O: Observer>(
        &mut self,
        world: &mut World,
        observer: &mut O,
        now: SimTime,
        key: &ItemKey,
        charges: &[Charge],
    ) {
        let mut primary = true;
        // The base partitions written, highest first: a split shifts only the partitions after it.
        let mut wrote: Vec<usize> = Vec::new();
        for c in charges {
            match c.target {
                Target::Table => {
                    let base = world.table.base();
                    let partition = &base.partitions()[c.partition];
                    let id = partition.id();
                    // The request's own item with its sort key; a batch's other items and a scan's
                    // partitions at the hash their charge names.
                    if c.hash == key.hash {
                        world.heat.observe_key(c.partition, key, c.access, c.milli);
                    } else {
                        world.heat.observe(c.partition, c.hash, c.access, c.milli);
                    }
                    match c.access {
                        Access::Read => world.second_milli.0 += c.milli,
                        Access::Write => world.second_milli.1 += c.milli,
                    }
                    if primary {
                        observer.admitted(now, id, key, c.access, c.milli);
                        primary = false;
                    } else {
                        observer.charged(now, id, c.access, c.milli);
                    }
                    if c.access == Access::Write && !wrote.contains(&c.partition) {
                        wrote.push(c.partition);
                    }
                }
                Target::Index(i) => {
                    if let Some(heat) = &mut world.index_heat[usize::from(i)] {
                        heat.observe(c.partition, c.hash, c.access, c.milli);
                    }
                    let minute = &mut world.index_scalers[usize::from(i)].1;
                    let second = &mut world.index_growth[usize::from(i)].1;
                    match c.access {
                        Access::Read => {
                            minute.0 += c.milli;
                            second.0 += c.milli;
                        }
                        Access::Write => {
                            minute.1 += c.milli;
                            second.1 += c.milli;
                        }
                    }
                    let id = world.table.index_store(usize::from(i)).partitions()[c.partition].id();
                    observer.index_charged(now, usize::from(i), id, c.access, c.milli);
                }
            }
        }
        if primary {
            observer.attempted(now, key);
        }
        wrote.sort_unstable_by(|a, b| b.cmp(a));
        for index in wrote {
            if world.table.partition_storage_bytes(index) >= self.config.capacity.partition_size_limit_bytes {
                world.split_for_size(now, index, observer);
            }
        }
    }

    /// An attempt of a request other than a plain get or put.
    #[inline(never)]
    fn attempt_other<O: Observer>(
        &mut self,
        world: &mut World,
        observer: &mut O,
        now: SimTime,
        mut request: Pending,
    ) {
        let spec = &self.config.workloads[request.workload as usize];
        let Some(extra) = request.extra.take() else { return };
        let done = {
            let cursors = &mut world.scan_cursors[request.workload as usize];
            let mut gate = Gate { admission: &mut world.admission, indexes: &mut world.index_admission, now };
            ops::execute(&mut world.table, spec, &extra, now.micros(), &mut gate, cursors)
        };
        match done {
            Done::Admitted { charges, rest } => {
                self.charged(world, observer, now, &request.key, &charges);
                if let Some(memory) = &mut world.memory {
                    remember(memory, &extra);
                }
                match rest {
                    None => {
                        let latency = self.config.attempt_latency.draw(self.latency_rng);
                        self.quota.on_success(request.attempt > 1);
                        self.complete(
                            observer,
                            now,
                            (request.issued, request.group),
                            true,
                            now.plus_micros(latency),
                        );
                    }
                    Some((rest, reason)) => {
                        request.extra = Some(Box::new(rest));
                        let latency = self.config.attempt_latency.draw(self.latency_rng);
                        self.throttled(world, observer, now, request, reason, latency);
                    }
                }
            }
            Done::Throttled(reason) => {
                request.extra = Some(extra);
                let latency = self.config.attempt_latency.draw(self.latency_rng);
                self.throttled(world, observer, now, request, reason, latency);
            }
            Done::Error(error, charges) => {
                self.charged(world, observer, now, &request.key, &charges);
                observer.errored(now, error);
                let latency = self.config.attempt_latency.draw(self.latency_rng);
                self.complete(
                    observer,
                    now,
                    (request.issued, request.group),
                    false,
                    now.plus_micros(latency),
                );
            }
        }
    }
}

/// Records the keys an admitted write left items under.
fn remember(memory: &mut KeyMemory, extra: &Extra) {
    let stores = |w: &crate::engine::WriteRequest| {
        !matches!(w.kind, crate::engine::WriteKind::Delete | crate::engine::WriteKind::Check)
    };
    match extra {
        Extra::Write(w) if stores(w) => memory.written(&w.key),
        Extra::Writes(ws) => ws.iter().filter(|w| stores(w)).for_each(|w| memory.written(&w.key)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{before, earliest};

    /// The driver's choice of the next arrival: the earliest time, the first source at equal
    /// times (the trace, last, after every workload), for the unrolled counts and the loop alike.
    #[test]
    fn the_earliest_arrival_goes_first_and_the_first_source_wins_ties() {
        const NONE: u64 = u64::MAX;
        assert_eq!(earliest(&[5, NONE]), (5, 0));
        assert_eq!(earliest(&[7, 7]), (7, 0));
        assert_eq!(earliest(&[9, 3, 3]), (3, 1));
        assert_eq!(earliest(&[4, 4, 4]), (4, 0));
        assert_eq!(earliest(&[NONE, NONE, 2]), (2, 2));
        assert_eq!(earliest(&[8, 6, 6, 7, 6]), (6, 1));
        assert_eq!(earliest(&[NONE, NONE, NONE, 1]), (1, 3));
        assert_eq!(earliest(&[NONE; 5]).0, NONE, "nothing left to arrive");
        assert_eq!(earliest(&[NONE]), (NONE, 0));
        assert_eq!(earliest(&[]).0, NONE, "no source at all (a run of only scheduled events)");
        assert_eq!(before(999_999, 1_000_000), 999_999);
        assert_eq!(before(1_000_000, 1_000_000), NONE, "an arrival at the end does not come");
    }
}
