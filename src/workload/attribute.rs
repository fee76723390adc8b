//! Key attributes: how a request's key values are made, from an entity or from a distribution,
//! with an optional write-shard suffix.
//!
//! An *entity* is a logical item (a customer, a device, a session) drawn by its popularity. An
//! attribute derived from the entity is a pure function of (run, attribute name, entity id):
//! its distribution is sampled from a SplitMix64 source seeded with a mix of the run's entity
//! seed, the attribute name's hash (computed once, when the attribute is built) and the entity
//! id. So the same customer always has the same country, in every workload of the run, and no
//! string is hashed per request.
//!
//! Values are either numbers (the drawn integer itself) or a table of prebuilt [`KeyValue`]s
//! with their partition-key hashes (categories such as country codes, or a constant): a draw
//! yields an index, and the request clones the prebuilt value (a reference-count increment).
//!
//! Write sharding (MODEL.md §6.3: past a partition's per-key ceiling the only fix is write
//! sharding) turns value `v` and shard `s` of `n` shards into a distinct key: for a string,
//! the string `v#s`; for a number, the number `v * n + s` (with 10 shards, v's digits followed
//! by the shard digit). Both are precomputed or integer-only, so sharding allocates nothing.

use super::value::ValueDistribution;
use crate::engine::KeyValue;
use crate::rng::{hash_bytes, mix64};
use rand::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;
use std::sync::Arc;

/// Where an attribute's value comes from.
#[derive(Clone, Debug)]
pub enum Pick {
    /// Always the first value (a constant): no draw.
    Constant,
    /// The entity id itself (a number).
    Entity,
    /// A value drawn once per entity: the same entity always gets the same value.
    PerEntity(ValueDistribution),
    /// A fresh draw for every request.
    PerRequest(ValueDistribution),
    /// A counter or a clock, per request.
    Sequential(Sequential),
}

/// A monotonic value: `start + step * n` for the workload's n-th request (from 0), or with a
/// clock, `start + step * (the request's time in clock units)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sequential {
    /// First value.
    pub start: i64,
    /// Increment per request (or per clock unit).
    pub step: i64,
    /// Clock unit in microseconds (1 for "us", 1,000 for "ms", 1,000,000 for "s"), if a clock.
    pub clock_us: Option<u64>,
}

/// What a draw needs to know besides its random stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct DrawContext {
    /// The run's entity seed (the same for every workload).
    pub entity_seed: u64,
    /// The request's entity id (0 when the workload has no entities).
    pub entity: u64,
    /// The workload's request number, from 0.
    pub request: u64,
    /// The request's arrival time, microseconds.
    pub now_us: u64,
}

/// The source of an entity-derived draw for attribute `name_hash`: a pure function of the run,
/// the attribute and the entity.
#[inline]
pub fn entity_source(entity_seed: u64, name_hash: u64, entity: u64) -> SplitMix64 {
    SplitMix64::seed_from_u64(mix64(entity_seed ^ name_hash ^ mix64(entity.wrapping_add(name_hash))))
}

/// The prebuilt values of a categorical attribute, `shards` per category: index `v * shards + s`
/// holds value `v` with shard suffix `s`, and its partition-key hash.
#[derive(Debug)]
struct ValueTable {
    keys: Box<[KeyValue]>,
    hashes: Box<[u64]>,
}

/// One key attribute of a workload.
#[derive(Clone, Debug)]
pub struct KeyAttribute {
    name_hash: u64,
    pick: Pick,
    /// `None`: values are the drawn numbers; otherwise the prebuilt values, by drawn index.
    table: Option<Arc<ValueTable>>,
    shards: u32,
    /// Numbers without shards: the value is the draw itself (the common case, kept inline).
    plain: bool,
}

impl KeyAttribute {
    /// Attribute `name` picked by `pick`. With `categories`, a draw v means `categories[v]` (the
    /// distribution must draw below their count); without, the value is the number drawn.
    /// `shards` >= 1 write shards (1: no suffix).
    pub fn new(name: &str, pick: Pick, categories: Option<&[KeyValue]>, shards: u32) -> KeyAttribute {
        let shards = shards.max(1);
        let table = categories.map(|values| {
            let keys: Box<[KeyValue]> =
                values.iter().flat_map(|v| (0..shards).map(move |s| shard_value(v, s, shards))).collect();
            let hashes = keys.iter().map(KeyValue::hash).collect();
            Arc::new(ValueTable { keys, hashes })
        });
        let plain = table.is_none() && shards == 1;
        KeyAttribute { name_hash: hash_bytes(name.as_bytes()), pick, table, shards, plain }
    }

    /// Whether the value is the drawn number itself: no categories, no shards.
    #[inline(always)]
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// Write shards of this attribute (1 when not sharded).
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// Where the values come from.
    pub fn pick(&self) -> &Pick {
        &self.pick
    }

    /// The distribution drawn from, per entity or per request, if any: for replacing it by an
    /// equal one ([`super::share_equal_laws`]).
    pub fn distribution_mut(&mut self) -> Option<&mut ValueDistribution> {
        match &mut self.pick {
            Pick::PerEntity(dist) | Pick::PerRequest(dist) => Some(dist),
            _ => None,
        }
    }

    /// Draws the attribute's value for one request, before sharding: a number or an index into
    /// the categories. No allocation.
    #[inline(always)]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, ctx: impl FnOnce() -> DrawContext) -> i64 {
        match &self.pick {
            Pick::PerRequest(dist) => dist.sample(rng) as i64,
            _ => self.draw_other(rng, &ctx()),
        }
    }

    /// [`KeyAttribute::draw`] for every pick but a per-request one, out of line so that the
    /// common case stays small enough to inline into the simulator's loop.
    #[inline(never)]
    fn draw_other<R: Rng + ?Sized>(&self, rng: &mut R, ctx: &DrawContext) -> i64 {
        match &self.pick {
            Pick::PerRequest(dist) => dist.sample(rng) as i64,
            Pick::Constant => 0,
            Pick::Entity => ctx.entity as i64,
            Pick::PerEntity(dist) => {
                dist.sample(&mut entity_source(ctx.entity_seed, self.name_hash, ctx.entity)) as i64
            }
            Pick::Sequential(seq) => {
                let n = match seq.clock_us {
                    Some(unit) => ctx.now_us / unit,
                    None => ctx.request,
                };
                seq.start.wrapping_add(seq.step.wrapping_mul(n as i64))
            }
        }
    }

    /// How many distinct values [`KeyAttribute::nth`] enumerates for a per-request attribute
    /// (`u64::MAX` for a sequence, which never repeats); `None` when the value comes from the
    /// entity.
    pub fn value_count(&self) -> Option<u64> {
        match &self.pick {
            Pick::Constant => Some(1),
            Pick::PerRequest(dist) => Some(dist.count()),
            Pick::Sequential(_) => Some(u64::MAX),
            Pick::Entity | Pick::PerEntity(_) => None,
        }
    }

    /// The attribute's value, before sharding, for an enumeration of the workload's items (a
    /// preload): an entity-derived value is that of `ctx.entity`, as a request of that entity
    /// draws it; a per-request value is the `index`-th value (`index` modulo the value count):
    /// value `index` of a counted distribution (the rank of a Zipf or hot-set draw, the
    /// category of a weighted one), `start + step * index` of a sequence, and the constant.
    pub fn nth(&self, index: u64, ctx: &DrawContext) -> i64 {
        match &self.pick {
            Pick::PerRequest(dist) => (index % dist.count()) as i64,
            Pick::Sequential(seq) => seq.start.wrapping_add(seq.step.wrapping_mul(index as i64)),
            Pick::Constant => 0,
            Pick::Entity => ctx.entity as i64,
            Pick::PerEntity(dist) => {
                dist.sample(&mut entity_source(ctx.entity_seed, self.name_hash, ctx.entity)) as i64
            }
        }
    }

    /// The key value of draw `raw` in shard `shard` (< shards), and its partition-key hash.
    /// Numbers hash as they always have; categories use their precomputed hash.
    #[inline(always)]
    pub fn value(&self, raw: i64, shard: u32) -> (u64, KeyValue) {
        if self.plain {
            let value = KeyValue::N(raw);
            return (value.hash(), value);
        }
        self.value_other(raw, shard)
    }

    /// [`KeyAttribute::value`] of a sharded or categorical attribute, out of line.
    #[inline(never)]
    fn value_other(&self, raw: i64, shard: u32) -> (u64, KeyValue) {
        match &self.table {
            None => {
                let n = if self.shards > 1 {
                    raw.wrapping_mul(i64::from(self.shards)).wrapping_add(i64::from(shard))
                } else {
                    raw
                };
                let value = KeyValue::N(n);
                (value.hash(), value)
            }
            Some(table) => {
                let i = raw as usize * self.shards as usize + shard as usize;
                (table.hashes[i], table.keys[i].clone())
            }
        }
    }
}

/// Value `v` with shard suffix `s` of `shards` (the module's documented format).
fn shard_value(v: &KeyValue, s: u32, shards: u32) -> KeyValue {
    if shards <= 1 {
        return v.clone();
    }
    match v {
        KeyValue::N(n) => KeyValue::N(n.wrapping_mul(i64::from(shards)).wrapping_add(i64::from(s))),
        KeyValue::S(text) => KeyValue::S(format!("{text}#{s}").into()),
        KeyValue::B(bytes) => {
            let mut b = bytes.to_vec();
            b.extend_from_slice(format!("#{s}").as_bytes());
            KeyValue::B(b.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;
    use crate::workload::value::Weighted;

    fn countries() -> Vec<KeyValue> {
        ["US", "IN", "other"].iter().map(|s| KeyValue::S((*s).into())).collect()
    }

    #[test]
    fn entity_derived_values_are_the_same_for_the_same_entity() {
        let weighted = Weighted::new(&[45.0, 12.0, 30.0]).expect("valid");
        let pick = Pick::PerEntity(ValueDistribution::Weighted(weighted));
        let country = KeyAttribute::new("Country", pick.clone(), Some(&countries()), 1);
        let mut rng = stream(1, "keys");
        let ctx = |entity| DrawContext { entity_seed: 99, entity, request: entity * 7, now_us: 0 };
        for entity in 0..1_000 {
            let first = country.draw(&mut rng, || ctx(entity));
            assert!((0..3).contains(&first));
            assert_eq!(country.draw(&mut rng, || ctx(entity)), first, "entity {entity}");
        }
        // Another attribute name with the same distribution assigns values independently.
        let other = KeyAttribute::new("Region", pick, Some(&countries()), 1);
        let same =
            (0..1_000).filter(|&e| country.draw(&mut rng, || ctx(e)) == other.draw(&mut rng, || ctx(e)));
        assert!(same.count() < 600, "independent assignments agree about 45% of the time");
    }

    #[test]
    fn entity_ids_and_counters_and_clocks() {
        let mut rng = stream(1, "keys");
        let ctx = DrawContext { entity_seed: 1, entity: 42, request: 3, now_us: 2_500_000 };
        assert_eq!(KeyAttribute::new("Id", Pick::Entity, None, 1).draw(&mut rng, || ctx), 42);
        let counter = Sequential { start: 100, step: 5, clock_us: None };
        assert_eq!(KeyAttribute::new("N", Pick::Sequential(counter), None, 1).draw(&mut rng, || ctx), 115);
        let clock = Sequential { start: 1_000, step: 1, clock_us: Some(1_000) };
        assert_eq!(KeyAttribute::new("T", Pick::Sequential(clock), None, 1).draw(&mut rng, || ctx), 3_500);
    }

    #[test]
    fn shards_suffix_strings_and_scale_numbers() {
        let date = [KeyValue::S("2024-06-01".into())];
        let sharded = KeyAttribute::new("Date", Pick::Constant, Some(&date), 10);
        assert_eq!(sharded.draw(&mut stream(1, "k"), DrawContext::default), 0);
        assert_eq!(sharded.shards(), 10);
        let (hash, value) = sharded.value(0, 3);
        assert_eq!(value, KeyValue::S("2024-06-01#3".into()));
        assert_eq!(hash, value.hash(), "the precomputed hash is the value's hash");
        let numbers = KeyAttribute::new("Id", Pick::Entity, None, 10);
        assert_eq!(numbers.value(2024, 7).1, KeyValue::N(20_247));
        assert_eq!(numbers.value(2024, 7).0, KeyValue::N(20_247).hash());
        let plain = KeyAttribute::new("Id", Pick::Entity, None, 1);
        assert_eq!(plain.value(2024, 0).1, KeyValue::N(2024));
    }
}
