//! The simulator: simulated time, the event queue, the client and its retries, the driver loop.
//!
//! Architecture invariants: time is an integer and only [`run`] advances it; all randomness
//! comes from named streams of one root seed; events at equal times run in scheduling order.
//! This layer contains no DynamoDB rule: it asks the engine and the capacity policies what
//! happens to each attempt and each second, applies their decisions (splits) to the engine, and
//! reports every outcome to an [`Observer`]. A read of a write-sharded key is one request of
//! several GetItem calls ([`fanout`]).

pub mod fanout;
mod preload;
pub mod queue;
pub mod retry;

use crate::capacity::{
    Admission, AutoScaler, AutoScalingParams, BillingMode, CapacityParams, Gate, GrowthParams, HeatParams,
    HeatTracker, OnDemandGrowth, SplitDecision, ThrottleReason,
};
use crate::engine::{initial_partition_count, Access, ItemKey, PartitionId, Table, TableSpec};
use crate::rng::{stream, StreamRng};
use crate::time::{SimTime, MICROS_PER_SECOND};
use crate::workload::{Arrivals, DrawState, OperationKind, Preload, WorkloadSpec};
use fanout::{FanOuts, NO_GROUP};
pub use preload::Preloaded;
pub use queue::EventQueue;
pub use retry::{LatencyModel, RetryProfile, RetryQuota};

/// Everything a run needs, validated.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The table's key schema.
    pub table: TableSpec,
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
    /// Capacity changes at given times (UpdateTable), in time order: (time, RCU, WCU).
    pub schedule: Vec<(SimTime, u64, u64)>,
    /// Workloads, in scenario order.
    pub workloads: Vec<WorkloadSpec>,
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
            billing,
            initial_partitions: None,
            capacity: CapacityParams::default(),
            heat: HeatParams::default(),
            growth: GrowthParams::default(),
            auto_scaling: AutoScalingParams::default(),
            schedule: Vec::new(),
            workloads,
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
    /// Simulated second `second` ended with the table in `state`.
    fn second_ended(&mut self, _second: u64, _state: TableState) {}
    /// Partition `parent` split into `children` at `now`.
    fn split(&mut self, _now: SimTime, _parent: PartitionId, _children: (PartitionId, PartitionId)) {}
}

/// What a run leaves behind besides what the observer saw.
#[derive(Debug)]
pub struct RunOutput {
    /// The table at the end, with its items.
    pub table: Table,
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
}

/// What the queue holds.
#[derive(Clone, Debug)]
enum Event {
    /// A throttled request's next attempt.
    Retry(Pending),
    /// A split decided earlier, due now.
    Split(SplitDecision),
    /// New provisioned capacity (RCU, WCU) takes effect; `scaled` if auto scaling asked for it.
    SetCapacity { read_units: u64, write_units: u64, scaled: bool },
}

/// One generator per workload: its arrivals and random streams.
struct Source {
    arrivals: Arrivals,
    arrival_rng: StreamRng,
    key_rng: StreamRng,
    size_rng: StreamRng,
    state: DrawState,
}

/// How often, in events, the driver reports progress.
const PROGRESS_EVERY: u64 = 1 << 16;

/// The table and the policies that act on it.
struct World {
    table: Table,
    admission: Admission,
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
    let table = Table::new(config.table.clone(), config.initial_partition_count());
    let admission = Admission::new(config.billing, table.partition_count(), &config.capacity);
    let caps = (config.capacity.partition_read_units, config.capacity.partition_write_units);
    let growth = matches!(config.billing, BillingMode::OnDemand { .. })
        .then(|| OnDemandGrowth::new(config.growth.clone()));
    let heat = HeatTracker::new(config.heat.clone(), &table, caps);
    let scaler = AutoScaler::new(config.auto_scaling.clone());
    let mut world = World {
        table,
        admission,
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
    let initial_partitions = world.table.partition_count() as u32;
    let mut sources: Vec<Source> = config
        .workloads
        .iter()
        .map(|w| {
            let mut arrival_rng = stream(seed, &format!("workload/{}/arrivals", w.name));
            let arrivals = Arrivals::new(&w.traffic, &mut arrival_rng);
            Source {
                arrivals,
                arrival_rng,
                key_rng: stream(seed, &format!("workload/{}/keys", w.name)),
                size_rng: stream(seed, &format!("workload/{}/sizes", w.name)),
                state: DrawState { entity_seed, requests: 0 },
            }
        })
        .collect();
    let mut fan_outs = FanOuts::default();
    let mut retry_rng = stream(seed, "client/retry");
    let mut latency_rng = stream(seed, "client/latency");
    let mut quota = RetryQuota::new(&config.retry);
    let mut queue: EventQueue<Event> = EventQueue::default();
    for &(at, read_units, write_units) in &config.schedule {
        queue.push(at, Event::SetCapacity { read_units, write_units, scaled: false });
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

    loop {
        let arrival = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.arrivals.peek_us(), i))
            .min()
            .filter(|&(t, _)| t < config.duration_us);
        let queued = client.queue.peek_time();
        let next = match (arrival, queued) {
            (None, None) => break,
            (Some((t, _)), Some(q)) if q.micros() <= t => q,
            (None, Some(q)) => q,
            (Some((t, _)), _) => SimTime(t),
        };
        while next.second() > world.second {
            world.end_second(config, client.queue, observer);
        }
        now = next;
        match (arrival, queued) {
            (Some((t, i)), q) if q.is_none_or(|q| q.micros() > t) => {
                let source = &mut sources[i];
                source.arrivals.advance(&mut source.arrival_rng);
                observer.offered(now);
                let spec = &config.workloads[i];
                let t = now.micros();
                let draw = spec.draw(&mut source.key_rng, &mut source.size_rng, &mut source.state, t);
                let (fan_out, item_bytes) = (spec.fan_out(), draw.item_bytes as u32);
                let request = |key, group| Pending {
                    workload: i as u32,
                    attempt: 1,
                    issued: now,
                    key,
                    item_bytes,
                    group,
                };
                let first = if fan_out > 1 {
                    // A read of a sharded key: one GetItem per shard, all issued now. Shard 0
                    // goes first; the others are queued at this instant, and the queue runs
                    // them before anything later.
                    let group = client.fan_outs.open(fan_out);
                    for shard in 1..fan_out {
                        client.queue.push(now, Event::Retry(request(spec.key(&draw, shard), group)));
                    }
                    request(draw.key, group)
                } else {
                    request(draw.key, NO_GROUP)
                };
                client.attempt(&mut world, observer, now, first);
            }
            _ => match client.queue.pop().map(|(_, e)| e) {
                Some(Event::Retry(request)) => client.attempt(&mut world, observer, now, request),
                Some(Event::Split(decision)) => world.apply_split(now, decision, observer),
                Some(Event::SetCapacity { read_units, write_units, scaled }) => {
                    world.set_capacity(now, config, (read_units, write_units), observer);
                    if scaled {
                        world.scaler.applied();
                    }
                }
                None => break,
            },
        }
        events += 1;
        if events % PROGRESS_EVERY == 0 {
            progress(now);
        }
    }
    world.end_second(config, client.queue, observer);
    progress(now);
    let World { table, admission, splits, .. } = world;
    RunOutput { table, admission, initial_partitions, splits, preload: preloaded, end_us: now.micros() }
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
        if end.second() % 60 == 0 {
            let (read, write) = self.minute_milli;
            self.minute_milli = (0, 0);
            let consumed = (read as f64 / 60_000.0, write as f64 / 60_000.0);
            if self.scaler.enabled() {
                if let Some((read_units, write_units)) =
                    self.scaler.minute(end.second(), consumed, self.admission.ceiling_units())
                {
                    let due = end.plus_micros(self.scaler.update_delay_seconds() * MICROS_PER_SECOND);
                    queue.push(due, Event::SetCapacity { read_units, write_units, scaled: true });
                }
            }
        }
        for decision in self.heat.decide(end, &self.table) {
            let due = end.plus_micros(config.heat.delay_seconds * MICROS_PER_SECOND);
            if due.micros() < config.duration_us {
                queue.push(due, Event::Split(decision));
            }
        }
        let (read_ceiling_units, write_ceiling_units) = self.admission.ceiling_units();
        let partitions = self.table.partition_count() as u32;
        observer
            .second_ended(self.second, TableState { partitions, read_ceiling_units, write_ceiling_units });
        self.second += 1;
        self.second_milli = (0, 0);
    }

    /// Splits the partition at `index` at `at`, keeping admission and heat tracking in step.
    fn split<O: Observer>(&mut self, now: SimTime, index: usize, at: u64, observer: &mut O) -> bool {
        let parent = self.table.partitions()[index].id();
        let Some(children) = self.table.split_at_hash(index, at) else { return false };
        self.admission.partition_split(now, index);
        self.heat.on_split(index, &self.table);
        self.splits += 1;
        observer.split(now, parent, children);
        true
    }

    /// A partition reached the size limit: it splits at its data median (MODEL.md §2.2, §10.5).
    /// One whose items share a single hash (one item collection) cannot split here. Returns
    /// whether it split.
    fn split_for_size<O: Observer>(&mut self, now: SimTime, index: usize, observer: &mut O) -> bool {
        match self.table.partitions()[index].data_median_hash() {
            Some(at) => self.split(now, index, at, observer),
            None => false,
        }
    }

    /// Applies a split for heat decided a delay ago to the partition that now holds its hash.
    fn apply_split<O: Observer>(&mut self, now: SimTime, decision: SplitDecision, observer: &mut O) {
        let index = self.table.partition_index(decision.at);
        if !self.split(now, index, decision.at, observer) {
            self.heat.cancel_pending(index);
        }
    }

    /// New provisioned capacity. If the partitions cannot serve it, they double until they can
    /// (MODEL.md §2.2: "DynamoDB will double the current number of partitions").
    fn set_capacity<O: Observer>(
        &mut self,
        now: SimTime,
        config: &SimConfig,
        units: (u64, u64),
        observer: &mut O,
    ) {
        self.admission.set_provisioned(now, units.0, units.1, &config.capacity);
        while (initial_partition_count(units.0, units.1) as usize) > self.table.partition_count() {
            let before = self.table.partition_count();
            self.double_partitions(now, observer);
            if self.table.partition_count() == before {
                break;
            }
        }
    }

    /// On-demand growth: every partition splits at the middle of its hash range.
    fn double_partitions<O: Observer>(&mut self, now: SimTime, observer: &mut O) {
        for index in (0..self.table.partition_count()).rev() {
            let start = self.table.partitions()[index].start();
            let last = self.table.partition_last_hash(index);
            self.split(now, index, start + (last - start) / 2 + 1, observer);
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
    /// A call of `request` ended at `end`: the request completes now, or with the last call of
    /// its fan-out.
    #[inline(always)]
    fn complete<O: Observer>(
        &mut self,
        observer: &mut O,
        now: SimTime,
        request: &Pending,
        ok: bool,
        end: SimTime,
    ) {
        if request.group == NO_GROUP {
            observer.completed(now, ok, end.micros() - request.issued.micros());
        } else {
            self.complete_call(observer, now, request, ok, end);
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
        request: &Pending,
        ok: bool,
        end: SimTime,
    ) {
        if let Some((ok, end_us)) = self.fan_outs.finish(request.group, ok, end.micros()) {
            observer.completed(now, ok, end_us - request.issued.micros());
        }
    }

    /// Makes one attempt of `request` at `now` and handles its outcome.
    #[inline]
    fn attempt<O: Observer>(&mut self, world: &mut World, observer: &mut O, now: SimTime, request: Pending) {
        let spec = &self.config.workloads[request.workload as usize];
        let mut gate = Gate { admission: &mut world.admission, now };
        let table = &mut world.table;
        let outcome = match spec.operation {
            OperationKind::Get => table
                .get_item(&request.key, spec.consistency, &mut gate)
                .map(|out| (out.partition, Access::Read, out.consumed_milli)),
            OperationKind::Put => table
                .put_item(request.key.clone(), u64::from(request.item_bytes), &mut gate)
                .map(|out| (out.partition, Access::Write, out.consumed_milli)),
        };
        let latency = self.config.attempt_latency.draw(self.latency_rng);
        match outcome {
            Ok((index, access, milli)) => {
                let partition = &world.table.partitions()[index];
                world.heat.observe(index, partition.start(), request.key.hash, access, milli);
                match access {
                    Access::Read => world.second_milli.0 += milli,
                    Access::Write => world.second_milli.1 += milli,
                }
                let full = access == Access::Write
                    && partition.storage_bytes() >= self.config.capacity.partition_size_limit_bytes;
                observer.admitted(now, partition.id(), &request.key, access, milli);
                if full {
                    world.split_for_size(now, index, observer);
                }
                self.quota.on_success(request.attempt > 1);
                self.complete(observer, now, &request, true, now.plus_micros(latency));
            }
            Err(reason) => {
                let table = &world.table;
                let id = table.partitions()[table.partition_index(request.key.hash)].id();
                observer.throttled(now, id, &request.key, reason);
                let response = now.plus_micros(latency);
                if request.attempt < self.config.retry.max_attempts && self.quota.acquire() {
                    let delay = self.config.retry.delay_us(request.attempt, self.rng);
                    let retry = Pending { attempt: request.attempt + 1, ..request };
                    self.queue.push(response.plus_micros(delay), Event::Retry(retry));
                } else {
                    self.complete(observer, now, &request, false, response);
                }
            }
        }
    }
}
