//! Workloads: what the application does, as entities, key attributes, item sizes and traffic,
//! or as a recorded trace of its requests ([`trace`]).
//!
//! Architecture invariant: this layer knows nothing of partitions or capacity. It turns random
//! streams into operations on keys; the simulator decides what happens to them. Drawing a
//! request allocates nothing: numbers are built in place, string values are prebuilt and
//! shared, and attribute-name hashes are computed when the workload is built.
//!
//! A request is drawn in this order from the workload's key stream: the entity (if the workload
//! has entities), the partition-key value, the sort-key value, then the write shard (puts to a
//! sharded key only). Item sizes come from their own stream, so a workload without entities or
//! sharding draws exactly the keys it always drew.

pub mod attribute;
pub mod preload;
pub mod size;
pub mod trace;
pub mod traffic;
pub mod value;
pub mod zipf;

use crate::engine::{Consistency, ItemKey, KeyValue};
use crate::rng::StreamRng;
pub use attribute::{DrawContext, KeyAttribute, Pick, Sequential};
pub use preload::{Preload, PreloadKeys};
use rand::Rng;
pub use size::{ItemSize, SizeDistribution};
pub use trace::{KeyText, Replay, Trace, TraceBuilder, TraceClass, TraceReplay};
pub use traffic::{Arrivals, Process, RateShape, Traffic};
pub use value::{Hotset, ValueDistribution, Weighted};
pub use zipf::{Zipf, ZipfError};

/// The operation a workload issues: the engine's operation, by its scenario name.
pub use crate::engine::operation::Operation as OperationKind;

/// Which items a request targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyPattern {
    /// Keys drawn from the workload's attribute generators.
    #[default]
    Drawn,
    /// Items written recently (by any workload): one of the last writes, uniformly.
    Recent,
    /// Items that exist: a uniform pick among the items written so far (a reservoir sample).
    Existing,
    /// Keys that no workload writes (a drawn key, made distinct).
    Missing,
}

/// What a request does besides its key: the settings of operations other than get and put.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestShape {
    /// Index queried or scanned (in the table's index order).
    pub index: Option<usize>,
    /// A query's sort-key condition.
    pub sort: Option<crate::engine::SortCondition>,
    /// A query's direction: ascending unless `descending`.
    pub descending: bool,
    /// A query's or scan's `Limit`.
    pub limit: Option<u32>,
    /// Items per batch or transaction.
    pub items: u32,
    /// Segments of a parallel scan (at least 1).
    pub segments: u32,
    /// Tracked attributes an update sets to freshly drawn values.
    pub set: Vec<u16>,
    /// Tracked attributes an update removes.
    pub remove: Vec<u16>,
    /// A condition on the item written.
    pub condition: Option<crate::engine::Condition>,
    /// Which items the request targets.
    pub keys: KeyPattern,
    /// A query of a local index fetches the non-projected attributes.
    pub fetch: bool,
}

/// A validated workload.
#[derive(Clone, Debug)]
pub struct WorkloadSpec {
    /// Name, unique within the scenario.
    pub name: String,
    /// Operation issued.
    pub operation: OperationKind,
    /// Request rate over time and arrival process.
    pub traffic: Traffic,
    /// Size of written items in bytes.
    pub item_bytes: ItemSize,
    /// Read consistency.
    pub consistency: Consistency,
    /// Popularity of the workload's entities, if its attributes derive from entities.
    pub entity: Option<ValueDistribution>,
    /// Generator of the table's partition-key attribute (with its write shards).
    pub partition_key: KeyAttribute,
    /// Generator of the table's sort-key attribute, when the table has one.
    pub sort_key: Option<KeyAttribute>,
    /// Generators of the table's tracked attributes (those its indexes key on or project), in
    /// the schema's order; `None` where the workload does not write the attribute.
    pub tracked: Vec<Option<KeyAttribute>>,
    /// Operation settings beyond the key.
    pub shape: RequestShape,
}

/// A workload's state between draws.
#[derive(Clone, Debug, Default)]
pub struct DrawState {
    /// The run's entity seed, shared by every workload so that an entity's attributes agree.
    pub entity_seed: u64,
    /// Requests drawn so far.
    pub requests: u64,
}

/// One drawn request.
#[derive(Clone, Debug)]
pub struct Draw {
    /// The key: in the put's write shard, or in shard 0 for a read (the other shards of a
    /// fan-out read come from [`WorkloadSpec::key`]).
    pub key: ItemKey,
    /// Item size in bytes (puts).
    pub item_bytes: u64,
    /// The partition-key draw before sharding.
    partition: i64,
    /// The request's entity (0 without entities).
    pub entity: u64,
    /// The workload's request number.
    pub request: u64,
}

impl WorkloadSpec {
    /// A workload of independent draws: Poisson arrivals at a constant `rate_per_s`, a fixed
    /// item size, and key values drawn per request.
    pub fn simple(
        name: &str,
        operation: OperationKind,
        rate_per_s: f64,
        item_bytes: u64,
        partition_key: ValueDistribution,
    ) -> WorkloadSpec {
        WorkloadSpec {
            name: name.to_string(),
            operation,
            traffic: Traffic::poisson(rate_per_s),
            item_bytes: ItemSize::fixed(item_bytes),
            consistency: Consistency::Eventual,
            entity: None,
            partition_key: KeyAttribute::new("pk", Pick::PerRequest(partition_key), None, 1),
            sort_key: None,
            tracked: Vec::new(),
            shape: RequestShape { items: 1, segments: 1, ..RequestShape::default() },
        }
    }

    /// GetItem calls one read makes: every shard of a sharded partition key, else one.
    pub fn fan_out(&self) -> u32 {
        match self.operation {
            OperationKind::Get => self.partition_key.shards(),
            _ => 1,
        }
    }

    /// Draws the tracked attribute values of a written item for `draw` (the workload's entity
    /// decides entity-derived ones). Attributes without a generator are absent.
    pub fn draw_attrs(
        &self,
        keys: &mut StreamRng,
        state: &DrawState,
        draw: &Draw,
        now_us: u64,
    ) -> Box<[Option<KeyValue>]> {
        let ctx = || DrawContext {
            entity_seed: state.entity_seed,
            entity: draw.entity,
            request: draw.request,
            now_us,
        };
        self.tracked.iter().map(|g| g.as_ref().map(|g| g.value(g.draw(keys, ctx), 0).1)).collect()
    }

    /// The value tracked attribute `slot` gets in an update of `draw`.
    pub fn draw_attr(
        &self,
        slot: u16,
        keys: &mut StreamRng,
        state: &DrawState,
        draw: &Draw,
        now_us: u64,
    ) -> Option<KeyValue> {
        let g = self.tracked.get(usize::from(slot))?.as_ref()?;
        let ctx = || DrawContext {
            entity_seed: state.entity_seed,
            entity: draw.entity,
            request: draw.request,
            now_us,
        };
        Some(g.value(g.draw(keys, ctx), 0).1)
    }

    /// The distribution a request's partition key is drawn from when that key is the whole of
    /// the draw: no entity, no sort key, no categories or shards, a value drawn per request.
    /// [`WorkloadSpec::draw`] then draws exactly `dist.sample(keys)` as the key's number, and
    /// nothing else from `keys`.
    pub fn direct_keys(&self) -> Option<&ValueDistribution> {
        match self.partition_key.pick() {
            Pick::PerRequest(dist)
                if self.entity.is_none() && self.sort_key.is_none() && self.partition_key.is_plain() =>
            {
                Some(dist)
            }
            _ => None,
        }
    }

    /// [`WorkloadSpec::draw`] for a workload whose [`WorkloadSpec::direct_keys`] are `dist`: the
    /// same key and item size from the same random numbers, without the rest of a draw.
    #[inline(always)]
    pub fn draw_direct(
        &self,
        dist: &ValueDistribution,
        keys: &mut StreamRng,
        sizes: &mut StreamRng,
        state: &mut DrawState,
    ) -> (ItemKey, u64) {
        let n = KeyValue::N(dist.sample(keys) as i64);
        state.requests += 1;
        let item_bytes = if self.operation.writes() && self.operation != OperationKind::Delete {
            self.item_bytes.draw(sizes, state.entity_seed, 0)
        } else {
            0
        };
        (ItemKey { hash: n.hash(), partition: n, sort: None }, item_bytes)
    }

    /// Draws the next request at `now_us`: keys from `keys`, sizes from `sizes`.
    #[inline(always)]
    pub fn draw(
        &self,
        keys: &mut StreamRng,
        sizes: &mut StreamRng,
        state: &mut DrawState,
        now_us: u64,
    ) -> Draw {
        let entity = self.entity.as_ref().map_or(0, |e| e.sample(keys));
        // Built only for attributes that need more than their random stream.
        let ctx = || DrawContext { entity_seed: state.entity_seed, entity, request: state.requests, now_us };
        let partition = self.partition_key.draw(keys, ctx);
        let sort = self.sort_key.as_ref().map(|s| s.value(s.draw(keys, ctx), 0).1);
        let request = state.requests;
        state.requests += 1;
        let (shard, item_bytes) = if self.operation.writes() && self.operation != OperationKind::Delete {
            let shards = u64::from(self.partition_key.shards());
            let shard = if shards > 1 { value::uniform_below(keys.next_u64(), shards) as u32 } else { 0 };
            (shard, self.item_bytes.draw(sizes, state.entity_seed, entity))
        } else {
            (0, 0)
        };
        if self.partition_key.is_plain() {
            // The common case, built in place. Merging it with the other case through a
            // temporary stores the key value in halves and reloads it whole at once, which
            // defeats store-to-load forwarding (measured: about 7% of the standard bench).
            let key =
                ItemKey { hash: KeyValue::N(partition).hash(), partition: KeyValue::N(partition), sort };
            return Draw { key, item_bytes, partition, entity, request };
        }
        let (hash, value) = self.partition_key.value(partition, shard);
        Draw { key: ItemKey { hash, partition: value, sort }, item_bytes, partition, entity, request }
    }

    /// The key of `draw` in write shard `shard` (< the partition key's shards): the other
    /// shards of a fan-out read.
    pub fn key(&self, draw: &Draw, shard: u32) -> ItemKey {
        let (hash, partition) = self.partition_key.value(draw.partition, shard);
        ItemKey { hash, partition, sort: draw.key.sort.clone() }
    }
}

/// Makes every Zipf law of `workloads` that equals an earlier one (the same count and exponent,
/// so the same tables) a clone of it, sharing its tables: the same draws from one copy in the
/// cache. A Zipf sampler's tables take 52 KiB, more than the first-level cache, and a scenario
/// often draws several workloads' keys from one law (the standard bench's gets and puts do).
pub fn share_equal_laws(workloads: &mut [WorkloadSpec]) {
    let mut laws: Vec<Zipf> = Vec::new();
    for w in workloads {
        let attributes = std::iter::once(&mut w.partition_key)
            .chain(w.sort_key.as_mut())
            .chain(w.tracked.iter_mut().flatten());
        let dists = w.entity.iter_mut().chain(attributes.filter_map(KeyAttribute::distribution_mut));
        for dist in dists {
            let ValueDistribution::Zipf(zipf) = dist else { continue };
            match laws.iter().find(|law| law.same_law(zipf)) {
                Some(law) => *zipf = law.clone(),
                None => laws.push(zipf.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn keys_of(spec: &WorkloadSpec, n: usize) -> Vec<ItemKey> {
        let (mut keys, mut sizes) = (stream(1, "k"), stream(1, "s"));
        let mut state = DrawState::default();
        (0..n).map(|_| spec.draw(&mut keys, &mut sizes, &mut state, 0).key).collect()
    }

    #[test]
    fn a_simple_workload_draws_numbers_with_their_hash() {
        let spec =
            WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, ValueDistribution::Uniform { count: 5 });
        for key in keys_of(&spec, 100) {
            assert!(matches!(key.partition, KeyValue::N(0..=4)));
            assert_eq!(key.hash, key.partition.hash());
        }
        assert_eq!(spec.fan_out(), 1);
    }

    /// Workloads drawing from equal Zipf laws draw from one sampler's tables; other laws keep
    /// their own.
    #[test]
    fn equal_zipf_laws_share_one_sampler() {
        let zipf = |count, exponent| ValueDistribution::Zipf(Zipf::new(count, exponent).expect("valid"));
        let uniform = ValueDistribution::Uniform { count: 1_000_000 };
        let dists =
            [uniform, zipf(1_000_000, 0.99), zipf(1_000_000, 1.2), zipf(1_000_000, 0.99), zipf(1_000, 0.99)];
        let mut workloads: Vec<WorkloadSpec> =
            dists.iter().map(|d| WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, d.clone())).collect();
        let law = |w: &WorkloadSpec| match w.direct_keys() {
            Some(ValueDistribution::Zipf(z)) => Some(z.clone()),
            _ => None,
        };
        let before: Vec<Option<Zipf>> = workloads.iter().map(law).collect();
        share_equal_laws(&mut workloads);
        let after: Vec<Option<Zipf>> = workloads.iter().map(law).collect();
        let shares = |a: &Option<Zipf>, b: &Option<Zipf>| {
            a.as_ref().zip(b.as_ref()).is_some_and(|(a, b)| a.shares_tables(b))
        };
        assert!(!shares(&before[1], &before[3]), "built apart, two equal laws have tables of their own");
        assert!(shares(&after[3], &after[1]), "the second equal law takes the first's tables");
        assert!(
            shares(&after[1], &before[1]) && shares(&after[2], &before[2]) && shares(&after[4], &before[4])
        );
        assert!(!shares(&after[2], &after[1]) && !shares(&after[4], &after[1]));
        assert!(
            after[0].is_none()
                && matches!(workloads[0].direct_keys(), Some(ValueDistribution::Uniform { .. }))
        );
    }

    /// Where [`WorkloadSpec::direct_keys`] names a distribution, a direct draw gives the same
    /// keys, sizes and stream positions as a whole draw.
    #[test]
    fn a_direct_draw_is_the_whole_draw() {
        let zipf = ValueDistribution::Zipf(Zipf::new(1_000, 0.99).expect("valid"));
        let mut put = WorkloadSpec::simple("w", OperationKind::Put, 1.0, 100, zipf.clone());
        put.item_bytes = ItemSize::new(SizeDistribution::Uniform { min: 10, max: 5_000 }, false);
        for spec in [WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, zipf), put] {
            let dist = spec.direct_keys().expect("a plain workload");
            let (mut keys, mut sizes) = (stream(1, "k"), stream(1, "s"));
            let (mut keys2, mut sizes2) = (keys.clone(), sizes.clone());
            let (mut state, mut state2) = (DrawState::default(), DrawState::default());
            for _ in 0..1_000 {
                let draw = spec.draw(&mut keys, &mut sizes, &mut state, 0);
                let (key, item_bytes) = spec.draw_direct(dist, &mut keys2, &mut sizes2, &mut state2);
                assert_eq!(draw.key, key);
                assert_eq!(draw.item_bytes, item_bytes);
            }
            assert_eq!(keys, keys2, "both drew as many numbers");
            assert_eq!(sizes, sizes2);
            assert_eq!(state.requests, state2.requests);
        }
        let mut sorted =
            WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, ValueDistribution::Uniform { count: 5 });
        sorted.sort_key = Some(KeyAttribute::new("sk", Pick::Constant, None, 1));
        assert!(sorted.direct_keys().is_none(), "a sort key is drawn too");
        let mut entity = sorted.clone();
        entity.sort_key = None;
        entity.entity = Some(ValueDistribution::Uniform { count: 5 });
        assert!(entity.direct_keys().is_none(), "an entity is drawn first");
    }

    #[test]
    fn entity_keys_agree_with_entity_attributes() {
        let mut spec =
            WorkloadSpec::simple("w", OperationKind::Put, 1.0, 100, ValueDistribution::Uniform { count: 1 });
        spec.entity = Some(ValueDistribution::Uniform { count: 50 });
        spec.partition_key = KeyAttribute::new("Id", Pick::Entity, None, 1);
        let hashed = Pick::PerEntity(ValueDistribution::Uniform { count: 1_000_000 });
        spec.sort_key = Some(KeyAttribute::new("Tag", hashed, None, 1));
        let mut seen = std::collections::BTreeMap::new();
        for key in keys_of(&spec, 2_000) {
            let sort = key.sort.clone();
            assert_eq!(
                *seen.entry(key.partition.clone()).or_insert(sort.clone()),
                sort,
                "one tag per entity"
            );
        }
        assert_eq!(seen.len(), 50);
    }

    #[test]
    fn puts_spread_over_shards_and_gets_fan_out_to_all() {
        let date = [KeyValue::S("2024-06-01".into())];
        let mut spec =
            WorkloadSpec::simple("w", OperationKind::Put, 1.0, 100, ValueDistribution::Uniform { count: 1 });
        spec.partition_key = KeyAttribute::new("Date", Pick::Constant, Some(&date), 4);
        let (mut keys, mut sizes, mut state) = (stream(1, "k"), stream(1, "s"), DrawState::default());
        let mut per_shard = [0u32; 4];
        for _ in 0..4_000 {
            let draw = spec.draw(&mut keys, &mut sizes, &mut state, 0);
            let KeyValue::S(text) = &draw.key.partition else { panic!("a string key") };
            let shard: usize =
                text.strip_prefix("2024-06-01#").and_then(|s| s.parse().ok()).expect("a shard");
            per_shard[shard] += 1;
            assert_eq!(spec.key(&draw, shard as u32), draw.key, "the same key, rebuilt");
        }
        assert!(per_shard.iter().all(|&n| (900..1_100).contains(&n)), "{per_shard:?}");
        assert_eq!(spec.fan_out(), 1);
        spec.operation = OperationKind::Get;
        assert_eq!(spec.fan_out(), 4);
    }
}
