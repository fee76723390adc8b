//! Workloads: what the application does, as entities, key attributes, item sizes and traffic.
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
pub mod traffic;
pub mod value;
pub mod zipf;

use crate::engine::{Consistency, ItemKey, KeyValue};
use crate::rng::StreamRng;
pub use attribute::{DrawContext, KeyAttribute, Pick, Sequential};
pub use preload::{Preload, PreloadKeys};
use rand::Rng;
pub use size::{ItemSize, SizeDistribution};
pub use traffic::{Arrivals, Process, RateShape, Traffic};
pub use value::{Hotset, ValueDistribution, Weighted};
pub use zipf::{Zipf, ZipfError};

/// The operation a workload issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// GetItem of one key (of every shard of a sharded key).
    Get,
    /// PutItem of one item.
    Put,
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
        }
    }

    /// GetItem calls one read makes: every shard of a sharded partition key, else one.
    pub fn fan_out(&self) -> u32 {
        match self.operation {
            OperationKind::Get => self.partition_key.shards(),
            OperationKind::Put => 1,
        }
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
        state.requests += 1;
        let (shard, item_bytes) = match self.operation {
            OperationKind::Put => {
                let shards = u64::from(self.partition_key.shards());
                let shard = if shards > 1 { value::uniform_below(keys.next_u64(), shards) as u32 } else { 0 };
                (shard, self.item_bytes.draw(sizes, state.entity_seed, entity))
            }
            OperationKind::Get => (0, 0),
        };
        if self.partition_key.is_plain() {
            // The common case, built in place. Merging it with the other case through a
            // temporary stores the key value in halves and reloads it whole at once, which
            // defeats store-to-load forwarding (measured: about 7% of the standard bench).
            let key =
                ItemKey { hash: KeyValue::N(partition).hash(), partition: KeyValue::N(partition), sort };
            return Draw { key, item_bytes, partition };
        }
        let (hash, value) = self.partition_key.value(partition, shard);
        Draw { key: ItemKey { hash, partition: value, sort }, item_bytes, partition }
    }

    /// The key of `draw` in write shard `shard` (< the partition key's shards): the other
    /// shards of a fan-out read.
    pub fn key(&self, draw: &Draw, shard: u32) -> ItemKey {
        let (hash, partition) = self.partition_key.value(draw.partition, shard);
        ItemKey { hash, partition, sort: draw.key.sort.clone() }
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
