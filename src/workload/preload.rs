//! Preloads: the items a table holds before time zero (`[table.preload]`), made by one
//! workload's key generators so that the workloads find them.
//!
//! Item `i` of a preload is the `i`-th item of an enumeration of the workload's key space, so
//! distinct indexes give distinct keys for as long as the key space has room:
//!
//! 1. Write shards go round robin: item `i` is in shard `i mod shards`, and `j = i / shards`
//!    numbers the unsharded keys.
//! 2. The *primary* values are the workload's entities if it has them, else the values of its
//!    partition-key generator (a counted distribution's `count`, a weighted one's categories, one
//!    constant, or an endless sequence). Key `j` takes primary value `j mod primary` and round
//!    `r = j / primary`: the first `primary` items cover every entity (or partition-key value)
//!    once, in popularity order, then the next round does again.
//! 3. An attribute derived from the entity takes that entity's value, exactly as a request of
//!    that entity draws it. A per-request attribute that is not the primary one takes its `r`-th
//!    value ([`KeyAttribute::nth`]): the sort keys of an entity's (or a partition key's) items
//!    are the sort-key generator's values 0, 1, 2, ... (a sequence's `start`, `start + step`,
//!    ...).
//!
//! So preloading `count` items of a workload whose partition key is a Zipf draw over `count`
//! values stores every key it can draw, and one of a workload of `n` entities gives each entity
//! `items / n` items. When the key space is smaller than the preload, later items replace
//! earlier ones; the table counts the distinct items stored. Every generator enumerates, so a
//! preload draws no key at random; only sizes are random (drawn per item, or per entity as the
//! workload's puts draw them).

use super::attribute::{DrawContext, Pick};
use super::size::ItemSize;
use super::value::ValueDistribution;
use super::WorkloadSpec;
use crate::engine::{ItemKey, KeyValue};

/// A validated `[table.preload]`.
#[derive(Clone, Debug)]
pub struct Preload {
    /// Items to load (the enumeration's length; fewer are stored when keys repeat).
    pub items: u64,
    /// Their sizes, in bytes.
    pub item_bytes: ItemSize,
    /// Index, in the scenario's order, of the workload whose generators make the keys.
    pub workload: usize,
}

/// The keys of a preload over one workload's generators (the module's enumeration).
#[derive(Clone, Debug)]
pub struct PreloadKeys<'a> {
    spec: &'a WorkloadSpec,
    shards: u64,
    /// Number of primary values: the entities, else the partition key's values.
    primary: u64,
    entity_seed: u64,
}

impl<'a> PreloadKeys<'a> {
    /// The enumeration of `spec`'s key space, with the run's entity seed (so that attributes
    /// derived from entities agree with the workloads' draws).
    pub fn new(spec: &'a WorkloadSpec, entity_seed: u64) -> PreloadKeys<'a> {
        let primary = match &spec.entity {
            Some(entities) => entities.count(),
            None => spec.partition_key.value_count().unwrap_or(1),
        };
        PreloadKeys {
            spec,
            shards: u64::from(spec.partition_key.shards()),
            primary: primary.max(1),
            entity_seed,
        }
    }

    /// At most how many distinct partition-key values the first `items` items have: the
    /// partition key's values (an entity-derived key has at most one per entity) times its
    /// shards. For reserving room before a load.
    pub fn distinct_partition_keys(&self, items: u64) -> u64 {
        let entities = self.spec.entity.as_ref().map_or(u64::MAX, ValueDistribution::count);
        let values = match self.spec.partition_key.pick() {
            Pick::Entity => entities,
            Pick::PerEntity(dist) => dist.count().min(entities),
            _ => self.spec.partition_key.value_count().unwrap_or(u64::MAX),
        };
        values.saturating_mul(self.shards).min(items)
    }

    /// The key of item `index`, and its entity (0 for a workload without entities).
    #[inline]
    pub fn key(&self, index: u64) -> (ItemKey, u64) {
        let shard = (index % self.shards) as u32;
        let unsharded = index / self.shards;
        let (primary, round) = (unsharded % self.primary, unsharded / self.primary);
        let has_entity = self.spec.entity.is_some();
        let entity = if has_entity { primary } else { 0 };
        let ctx = DrawContext { entity_seed: self.entity_seed, entity, request: round, now_us: 0 };
        let pk = &self.spec.partition_key;
        let raw = pk.nth(if has_entity { round } else { primary }, &ctx);
        let sort = self.spec.sort_key.as_ref().map(|sk| sk.value(sk.nth(round, &ctx), 0).1);
        if pk.is_plain() {
            // Built in place, as `WorkloadSpec::draw` does: a key value returned through a
            // temporary is stored in halves and reloaded whole, which stalls store-to-load
            // forwarding (measured: a quarter of a ten-million-item preload).
            let key = ItemKey { hash: KeyValue::N(raw).hash(), partition: KeyValue::N(raw), sort };
            return (key, entity);
        }
        let (hash, partition) = pk.value(raw, shard);
        (ItemKey { hash, partition, sort }, entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;
    use crate::workload::{
        DrawState, KeyAttribute, OperationKind, Pick, Sequential, ValueDistribution, Zipf,
    };
    use std::collections::BTreeSet;

    fn workload(pk: KeyAttribute) -> WorkloadSpec {
        let mut spec =
            WorkloadSpec::simple("w", OperationKind::Get, 1.0, 0, ValueDistribution::Uniform { count: 1 });
        spec.partition_key = pk;
        spec
    }

    fn keys(spec: &WorkloadSpec, n: u64) -> Vec<ItemKey> {
        let keys = PreloadKeys::new(spec, 99);
        (0..n).map(|i| keys.key(i).0).collect()
    }

    #[test]
    fn a_counted_partition_key_is_covered_value_by_value() {
        let zipf = ValueDistribution::Zipf(Zipf::new(1_000, 1.2).expect("valid"));
        let spec = workload(KeyAttribute::new("K", Pick::PerRequest(zipf), None, 1));
        let loaded = keys(&spec, 1_000);
        let values: Vec<KeyValue> = loaded.iter().map(|k| k.partition.clone()).collect();
        assert_eq!(values, (0..1_000).map(KeyValue::N).collect::<Vec<_>>(), "rank i is value i");
        assert!(loaded.iter().all(|k| k.hash == k.partition.hash() && k.sort.is_none()));
        // Past the key space, keys repeat: the table replaces them.
        assert_eq!(keys(&spec, 1_500)[1_200], loaded[200]);
        let enumeration = PreloadKeys::new(&spec, 99);
        assert_eq!(
            (enumeration.distinct_partition_keys(1_500), enumeration.distinct_partition_keys(10)),
            (1_000, 10)
        );
    }

    #[test]
    fn every_key_a_workload_draws_is_preloaded() {
        let spec = workload(KeyAttribute::new(
            "K",
            Pick::PerRequest(ValueDistribution::Uniform { count: 500 }),
            None,
            1,
        ));
        let loaded: BTreeSet<ItemKey> = keys(&spec, 500).into_iter().collect();
        let (mut k, mut s, mut state) = (stream(1, "k"), stream(1, "s"), DrawState::default());
        for _ in 0..5_000 {
            assert!(loaded.contains(&spec.draw(&mut k, &mut s, &mut state, 0).key));
        }
    }

    #[test]
    fn entities_come_first_and_sort_keys_number_the_rounds() {
        let mut spec = workload(KeyAttribute::new("Device", Pick::Entity, None, 1));
        spec.entity = Some(ValueDistribution::Uniform { count: 50 });
        let clock = Sequential { start: 1_000, step: 10, clock_us: Some(1_000) };
        spec.sort_key = Some(KeyAttribute::new("Time", Pick::Sequential(clock), None, 1));
        let loaded = keys(&spec, 200);
        assert_eq!(loaded.iter().collect::<BTreeSet<_>>().len(), 200, "distinct");
        assert_eq!(
            (loaded[7].partition.clone(), loaded[7].sort.clone()),
            (KeyValue::N(7), Some(KeyValue::N(1_000)))
        );
        assert_eq!(
            (loaded[57].partition.clone(), loaded[57].sort.clone()),
            (KeyValue::N(7), Some(KeyValue::N(1_010)))
        );
        assert_eq!(PreloadKeys::new(&spec, 99).key(57).1, 7, "the item's entity");
        assert_eq!(PreloadKeys::new(&spec, 99).distinct_partition_keys(200), 50, "one device each");
    }

    #[test]
    fn entity_derived_values_agree_with_the_workloads_draws() {
        let countries: Vec<KeyValue> = ["US", "IN", "BR"].iter().map(|c| KeyValue::S((*c).into())).collect();
        let weighted = crate::workload::Weighted::new(&[5.0, 3.0, 2.0]).expect("valid");
        let pick = Pick::PerEntity(ValueDistribution::Weighted(weighted));
        let mut spec = workload(KeyAttribute::new("Country", pick, Some(&countries), 1));
        spec.entity = Some(ValueDistribution::Uniform { count: 40 });
        spec.sort_key = Some(KeyAttribute::new("User", Pick::Entity, None, 1));
        let loaded: BTreeSet<ItemKey> = keys(&spec, 40).into_iter().collect();
        assert_eq!(loaded.len(), 40, "one item per user");
        let (mut k, mut s) = (stream(3, "k"), stream(3, "s"));
        let mut state = DrawState { entity_seed: 99, requests: 0 };
        for _ in 0..2_000 {
            let key = spec.draw(&mut k, &mut s, &mut state, 0).key;
            assert!(loaded.contains(&key), "{key:?} was drawn but not preloaded");
        }
    }

    #[test]
    fn shards_go_round_robin_and_categories_are_enumerated() {
        let dates: Vec<KeyValue> = ["a", "b"].iter().map(|c| KeyValue::S((*c).into())).collect();
        let weighted = crate::workload::Weighted::new(&[1.0, 1.0]).expect("valid");
        let pk = KeyAttribute::new(
            "Date",
            Pick::PerRequest(ValueDistribution::Weighted(weighted)),
            Some(&dates),
            3,
        );
        let mut spec = workload(pk);
        let counter = Sequential { start: 0, step: 1, clock_us: None };
        spec.sort_key = Some(KeyAttribute::new("N", Pick::Sequential(counter), None, 1));
        let text: Vec<String> = keys(&spec, 8)
            .iter()
            .map(|k| format!("{}/{}", k.partition, k.sort.as_ref().expect("a sort key")))
            .collect();
        assert_eq!(text, ["a#0/0", "a#1/0", "a#2/0", "b#0/0", "b#1/0", "b#2/0", "a#0/1", "a#1/1"]);
        assert_eq!(
            PreloadKeys::new(&spec, 99).distinct_partition_keys(100),
            6,
            "two dates, three shards each"
        );
    }

    #[test]
    fn a_constant_partition_key_holds_one_collection() {
        let tenant = [KeyValue::S("acme".into())];
        let mut spec = workload(KeyAttribute::new("Tenant", Pick::Constant, Some(&tenant), 1));
        let zipf = ValueDistribution::Zipf(Zipf::new(100, 1.0).expect("valid"));
        spec.sort_key = Some(KeyAttribute::new("Id", Pick::PerRequest(zipf), None, 1));
        let loaded = keys(&spec, 100);
        assert!(loaded.iter().all(|k| k.partition == tenant[0]));
        let sorts: BTreeSet<_> = loaded.iter().map(|k| k.sort.clone()).collect();
        assert_eq!(sorts.len(), 100);
        assert_eq!(PreloadKeys::new(&spec, 99).distinct_partition_keys(100), 1);
    }
}
