//! The item store: point gets and replacing puts on a table of a million items in 1,000
//! partitions (the standard bench's table once warm), with keys spread uniformly so most
//! lookups miss the caches, as they do in the standard bench.

use criterion::{Criterion, Throughput};
use ddbsim::engine::{CapacityGate, Charge, Consistency, ItemKey, KeyValue, Table, TableSpec};
use ddbsim::rng::mix64;
use std::hint::black_box;

const ITEMS: u64 = 1_000_000;

struct Unlimited;

impl CapacityGate for Unlimited {
    type Refusal = ();
    fn admit(&mut self, _: Charge) -> Result<(), ()> {
        Ok(())
    }
}

fn key(i: u64) -> ItemKey {
    ItemKey::new(KeyValue::N((mix64(i) % ITEMS) as i64), None)
}

pub fn benches(c: &mut Criterion) {
    let spec = TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: None };
    let mut table = Table::new(spec, 1_000);
    for n in 0..ITEMS as i64 {
        table.put_item(ItemKey::new(KeyValue::N(n), None), 1_000, &mut Unlimited).expect("admitted");
    }
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("get_1e6", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            black_box(table.get_item(&key(i), Consistency::Eventual, &mut Unlimited))
        })
    });
    group.bench_function("put_replace_1e6", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            black_box(table.put_item(key(i), 1_000, &mut Unlimited))
        })
    });
    group.finish();
}
