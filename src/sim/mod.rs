//! The simulator: simulated time, the event queue, the client and its retries, the driver loop.
//!
//! Architecture invariants: time is an integer and only [`run`] advances it; all randomness
//! comes from named streams of one root seed; events at equal times run in scheduling order.
//! This layer contains no DynamoDB rule: it asks the engine and the admission model what
//! happens to each attempt, and reports every outcome to an [`Observer`]. A read of a
//! write-sharded key is one request of several GetItem calls ([`fanout`]).

pub mod fanout;
pub mod queue;
pub mod retry;

use crate::capacity::{CapacityParams, Gate, ProvisionedAdmission, ThrottleReason};
use crate::engine::{initial_partition_count, Access, ItemKey, KeyValue, PartitionId, Table, TableSpec};
use crate::rng::{stream, StreamRng};
use crate::time::SimTime;
use crate::workload::{Arrivals, DrawState, OperationKind, WorkloadSpec};
use fanout::{FanOuts, NO_GROUP};
pub use queue::EventQueue;
pub use retry::{RetryProfile, RetryQuota};

/// Everything a run needs, validated.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The table's key schema.
    pub table: TableSpec,
    /// Provisioned read capacity, RCU.
    pub read_capacity: u64,
    /// Provisioned write capacity, WCU.
    pub write_capacity: u64,
    /// Partitions at time zero; `None` derives them from the capacity (MODEL.md §2.2).
    pub initial_partitions: Option<u32>,
    /// Admission parameters.
    pub capacity: CapacityParams,
    /// Workloads, in scenario order.
    pub workloads: Vec<WorkloadSpec>,
    /// The client's retry profile.
    pub retry: RetryProfile,
    /// Round-trip time of one attempt as the client sees it, microseconds. Undocumented
    /// ("single-digit milliseconds"); a parameter.
    pub attempt_latency_us: u64,
    /// Simulated duration during which requests arrive, microseconds.
    pub duration_us: u64,
}

/// Receives every outcome of a run.
pub trait Observer {
    /// A client request was issued.
    fn offered(&mut self, now: SimTime);
    /// An attempt was admitted and consumed `milli` of `access` capacity.
    fn admitted(&mut self, now: SimTime, partition: PartitionId, key: &KeyValue, access: Access, milli: u64);
    /// An attempt was throttled.
    fn throttled(&mut self, now: SimTime, partition: PartitionId, key: &KeyValue, reason: ThrottleReason);
    /// A request completed (after its retries) with end-to-end latency `latency_us`.
    fn completed(&mut self, now: SimTime, succeeded: bool, latency_us: u64);
}

/// What a run leaves behind besides what the observer saw.
#[derive(Debug)]
pub struct RunOutput {
    /// The table at the end, with its items.
    pub table: Table,
    /// Admission state at the end.
    pub admission: ProvisionedAdmission,
    /// Partitions at time zero.
    pub initial_partitions: u32,
    /// Partition splits during the run.
    pub splits: u64,
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
    /// Item size of a put, bytes.
    item_bytes: u32,
    /// The fan-out read this call belongs to, or [`NO_GROUP`].
    group: u32,
}

/// One generator per workload: its spec index, arrivals and random streams.
struct Source {
    arrivals: Arrivals,
    arrival_rng: StreamRng,
    key_rng: StreamRng,
    size_rng: StreamRng,
    state: DrawState,
}

/// How often, in events, the driver reports progress.
const PROGRESS_EVERY: u64 = 1 << 16;

/// Runs `config` with root seed `seed`, reporting outcomes to `observer` and calling `progress`
/// with the simulated time now and then. Arrivals stop at the duration; requests still in
/// flight then are finished (their retries run past the end).
pub fn run<O: Observer>(
    config: &SimConfig,
    seed: u64,
    observer: &mut O,
    progress: &mut dyn FnMut(SimTime),
) -> RunOutput {
    let partitions = config
        .initial_partitions
        .unwrap_or_else(|| initial_partition_count(config.read_capacity, config.write_capacity));
    let mut table = Table::new(config.table.clone(), partitions);
    let mut admission = ProvisionedAdmission::new(
        config.read_capacity,
        config.write_capacity,
        partitions as usize,
        &config.capacity,
    );
    // One entity seed for the run: every workload derives the same attributes for an entity.
    let entity_seed = rand::Rng::next_u64(&mut stream(seed, "entities"));
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
    let mut quota = RetryQuota::new(&config.retry);
    let mut queue: EventQueue<Pending> = EventQueue::default();
    let mut events = 0u64;
    let mut now = SimTime::ZERO;
    let mut client =
        Client { config, quota: &mut quota, rng: &mut retry_rng, queue: &mut queue, fan_outs: &mut fan_outs };

    loop {
        let arrival = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.arrivals.peek_us(), i))
            .min()
            .filter(|&(t, _)| t < config.duration_us);
        let queued = client.queue.peek_time();
        let pending = match (arrival, queued) {
            (None, None) => break,
            (Some((t, _)), Some(q)) if q.micros() <= t => client.pop(),
            (None, Some(_)) => client.pop(),
            (Some((t, i)), _) => {
                let source = &mut sources[i];
                source.arrivals.advance(&mut source.arrival_rng);
                now = SimTime(t);
                observer.offered(now);
                let spec = &config.workloads[i];
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
                if fan_out > 1 {
                    // A read of a sharded key: one GetItem per shard, all issued now. Shard 0
                    // goes first; the others are queued at this instant, and the queue runs
                    // them before anything later (one call site keeps `attempt` inlined).
                    let group = client.fan_outs.open(fan_out);
                    for shard in 1..fan_out {
                        client.queue.push(now, request(spec.key(&draw, shard), group));
                    }
                    (now, request(draw.key, group))
                } else {
                    (now, request(draw.key, NO_GROUP))
                }
            }
        };
        now = pending.0;
        client.attempt(&mut table, &mut admission, observer, pending.0, pending.1);
        events += 1;
        if events % PROGRESS_EVERY == 0 {
            progress(now);
        }
    }
    progress(now);
    RunOutput { table, admission, initial_partitions: partitions, splits: 0, end_us: now.micros() }
}

/// The client: issues attempts and retries throttled ones.
struct Client<'a> {
    config: &'a SimConfig,
    quota: &'a mut RetryQuota,
    rng: &'a mut StreamRng,
    queue: &'a mut EventQueue<Pending>,
    fan_outs: &'a mut FanOuts,
}

impl Client<'_> {
    fn pop(&mut self) -> (SimTime, Pending) {
        self.queue.pop().expect("peeked a queued event")
    }

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
    fn attempt<O: Observer>(
        &mut self,
        table: &mut Table,
        admission: &mut ProvisionedAdmission,
        observer: &mut O,
        now: SimTime,
        request: Pending,
    ) {
        let spec = &self.config.workloads[request.workload as usize];
        let mut gate = Gate { admission, now };
        let outcome = match spec.operation {
            OperationKind::Get => table
                .get_item(&request.key, spec.consistency, &mut gate)
                .map(|out| (out.partition, Access::Read, out.consumed_milli)),
            OperationKind::Put => table
                .put_item(request.key.clone(), u64::from(request.item_bytes), &mut gate)
                .map(|out| (out.partition, Access::Write, out.consumed_milli)),
        };
        let latency = self.config.attempt_latency_us;
        match outcome {
            Ok((partition, access, milli)) => {
                let id = table.partitions()[partition].id();
                observer.admitted(now, id, &request.key.partition, access, milli);
                self.quota.on_success(request.attempt > 1);
                self.complete(observer, now, &request, true, now.plus_micros(latency));
            }
            Err(reason) => {
                let id = table.partitions()[table.partition_index(request.key.hash)].id();
                observer.throttled(now, id, &request.key.partition, reason);
                let response = now.plus_micros(latency);
                if request.attempt < self.config.retry.max_attempts && self.quota.acquire() {
                    let delay = self.config.retry.delay_us(request.attempt, self.rng);
                    let retry = Pending { attempt: request.attempt + 1, ..request };
                    self.queue.push(response.plus_micros(delay), retry);
                } else {
                    self.complete(observer, now, &request, false, response);
                }
            }
        }
    }
}
