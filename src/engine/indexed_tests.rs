//! Tests of the table with indexes: MODEL.md §12 B examples through the engine, index
//! maintenance, and a model-based test against a `BTreeMap` oracle (sled's manner).

use super::*;
use crate::engine::index::Projection;
use crate::engine::request::{CompareOp, Condition};
use proptest::prelude::*;

struct Unlimited;
impl CapacityGate for Unlimited {
    type Refusal = ();
    fn admit(&mut self, _: Charge) -> Result<(), ()> {
        Ok(())
    }
}

/// Refuses every charge on one target.
struct RefuseTarget(Target);
impl CapacityGate for RefuseTarget {
    type Refusal = Target;
    fn admit(&mut self, c: Charge) -> Result<(), Target> {
        if c.target == self.0 {
            Err(c.target)
        } else {
            Ok(())
        }
    }
    fn admit_all(&mut self, charges: &[Charge]) -> Result<(), Target> {
        match charges.iter().find(|c| c.target == self.0) {
            Some(c) => Err(c.target),
            None => Ok(()),
        }
    }
}

fn s(text: &str) -> KeyValue {
    KeyValue::S(text.into())
}

fn n(v: i64) -> KeyValue {
    KeyValue::N(v)
}

fn spec(sort: Option<&str>) -> TableSpec {
    TableSpec { name: "T".into(), partition_key: "pk".into(), sort_key: sort.map(str::to_string) }
}

fn put(key: ItemKey, bytes: u64, attrs: Vec<Option<KeyValue>>) -> WriteRequest {
    WriteRequest {
        key,
        kind: WriteKind::Put { item_bytes: bytes, attrs: attrs.into_boxed_slice() },
        condition: None,
    }
}

fn no_propagation() -> IndexParams {
    IndexParams { propagation_us: 0, ..IndexParams::default() }
}

fn gsi(name: &str, pk: &str, sk: Option<&str>, projection: Projection) -> IndexSpec {
    IndexSpec {
        name: name.into(),
        kind: IndexKind::Global,
        partition_key: pk.into(),
        sort_key: sk.map(str::to_string),
        projection,
    }
}

/// MODEL.md §12 B3 and B4: a query's items are summed, then rounded up to 4 KB once.
#[test]
fn model_examples_b3_b4_query_sums_then_rounds() {
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[], &[], no_propagation());
    // B3: 10 items totalling 40.8 KB (41,780 bytes; 4,178 each): 44 KB, 11 SC, 5.5 EC.
    for i in 0..10 {
        t.write(0, &put(ItemKey::new(n(1), Some(n(i))), 4_178, vec![]), &mut Unlimited).expect("put");
    }
    let mut q = QueryRequest::table(n(1));
    q.consistency = Consistency::Strong;
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.consumed.table_milli, 11_000, "not 10 x 2 blocks: summed, then rounded");
    q.consistency = Consistency::Eventual;
    assert_eq!(t.query(0, &q, &mut Unlimited).expect("query").consumed.table_milli, 5_500);
    q.consistency = Consistency::Strong;
    // B4: 1,500 items x 64 B = 96,000 B: 24 SC, 12 EC.
    for i in 0..1_500 {
        t.write(0, &put(ItemKey::new(n(2), Some(n(i))), 64, vec![]), &mut Unlimited).expect("put");
    }
    q.partition = n(2);
    assert_eq!(t.query(0, &q, &mut Unlimited).expect("query").consumed.table_milli, 24_000);
    q.consistency = Consistency::Eventual;
    assert_eq!(t.query(0, &q, &mut Unlimited).expect("query").consumed.table_milli, 12_000);
}

/// MODEL.md §12 B6: a filter does not reduce the cost; B7: a scan charges at least one block
/// per partition touched.
#[test]
fn model_examples_b6_filter_and_b7_scan_minimum() {
    let gsi = gsi("G", "Tag", None, Projection::KeysOnly);
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[gsi], &[1], no_propagation());
    for i in 0..100 {
        let tag = if i % 20 == 0 { Some(s("keep")) } else { Some(s("drop")) };
        t.write(0, &put(ItemKey::new(n(1), Some(n(i))), 1_024, vec![tag]), &mut Unlimited).expect("put");
    }
    let tag = t.attr("Tag").expect("tracked");
    let mut q = QueryRequest::table(n(1));
    q.consistency = Consistency::Strong;
    q.filter = Some(Condition::Compare(tag, CompareOp::Eq, s("keep")));
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!((page.items.len(), page.scanned_count), (5, 100));
    assert_eq!(page.consumed.table_milli, 25_000, "100 KB evaluated: 25 RCU, filter or not");

    let empty = IndexedTable::new(spec(None), 3, &[], &[], no_propagation());
    let mut empty = empty;
    let scan = ScanRequest {
        index: None,
        segment: 0,
        total_segments: 1,
        limit: None,
        consistency: Consistency::Eventual,
        start_after: None,
        filter: None,
    };
    let page = empty.scan(0, &scan, &mut Unlimited).expect("scan");
    assert_eq!(page.consumed.table_milli, 1_500, "3 partitions x 0.5");
    assert_eq!(page.consumed.charges.len(), 3);
}

/// MODEL.md §12 B8: a GSI query of 8 entries x 2,000 B costs the index 2 RCU.
#[test]
fn model_example_b8_gsi_query_charges_the_index() {
    let g = gsi("ByStatus", "Status", None, Projection::All);
    let mut t = IndexedTable::new(spec(None), 1, &[g], &[1], no_propagation());
    for i in 0..8 {
        t.write(0, &put(ItemKey::new(n(i), None), 2_000, vec![Some(s("open"))]), &mut Unlimited)
            .expect("put");
    }
    let mut q = QueryRequest::table(s("open"));
    q.index = Some(0);
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), 8);
    assert_eq!(page.consumed.index_milli, vec![2_000]);
    assert_eq!(page.consumed.table_milli, 0);
    assert_eq!(page.consumed.charges[0].target, Target::Index(0));
    q.consistency = Consistency::Strong;
    assert!(
        matches!(t.query(0, &q, &mut Unlimited), Err(OpError::Validation(_))),
        "no strong reads on a GSI"
    );
}

/// MODEL.md §12 B10: a transaction writing three 500-byte items costs 6 WCU; reading them, 6 RCU.
#[test]
fn model_example_b10_transactions_cost_twice() {
    let mut t = IndexedTable::new(spec(None), 1, &[], &[], no_propagation());
    let writes: Vec<WriteRequest> = (0..3).map(|i| put(ItemKey::new(n(i), None), 500, vec![])).collect();
    let consumed = t.transact_write(0, &writes, &mut Unlimited).expect("committed");
    assert_eq!(consumed.table_milli, 6_000);
    let keys: Vec<ItemKey> = (0..3).map(|i| ItemKey::new(n(i), None)).collect();
    let (sizes, consumed) = t.transact_get(0, &keys, &mut Unlimited).expect("read");
    assert_eq!(sizes, vec![Some(500); 3]);
    assert_eq!(consumed.table_milli, 6_000);
    // A false condition cancels the whole transaction and changes nothing.
    let mut bad = writes.clone();
    bad[1].condition = Some(Condition::NotExists(AttrRef::Partition));
    bad[0] = put(ItemKey::new(n(9), None), 500, vec![]);
    assert_eq!(t.transact_write(0, &bad, &mut Unlimited), Err(OpError::TransactionCanceled));
    assert!(t.peek(&ItemKey::new(n(9), None)).is_none());
}

/// MODEL.md §12 B1, B2 through the engine: batches round each item on its own, and throttled
/// items come back unprocessed.
#[test]
fn model_examples_b1_b2_batches_round_per_item() {
    let mut t = IndexedTable::new(spec(None), 1, &[], &[], no_propagation());
    let writes =
        vec![put(ItemKey::new(n(1), None), 500, vec![]), put(ItemKey::new(n(2), None), 3_584, vec![])];
    let out = t.batch_write(0, &writes, &mut Unlimited).expect("written");
    assert_eq!(out.consumed.table_milli, 5_000, "1 + 4 WCU, not 4");
    t.write(0, &put(ItemKey::new(n(1), None), 1_536, vec![]), &mut Unlimited).expect("put");
    t.write(0, &put(ItemKey::new(n(2), None), 6_656, vec![]), &mut Unlimited).expect("put");
    let keys = vec![ItemKey::new(n(1), None), ItemKey::new(n(2), None)];
    let mut strong = Consistency::Strong;
    let out = t.batch_get(0, &keys, strong, &mut Unlimited).expect("read");
    assert_eq!(out.consumed.table_milli, 3_000, "4 KB + 8 KB");
    strong = Consistency::Eventual;
    assert_eq!(t.batch_get(0, &keys, strong, &mut Unlimited).expect("read").consumed.table_milli, 1_500);
    assert_eq!(
        t.batch_get(0, &keys, strong, &mut RefuseTarget(Target::Table)),
        Err(OpError::Throttled(Target::Table))
    );
}

/// MODEL.md §12 B11 through the engine: moving an item to another GSI key costs the index a
/// delete and a put; a projected attribute alone, one write; a GSI without capacity throttles
/// the table write (§6.2) and changes nothing.
#[test]
fn model_example_b11_gsi_write_amplification_and_back_pressure() {
    let g = gsi("ByStatus", "Status", None, Projection::Include(vec!["Note".into()]));
    let mut t = IndexedTable::new(spec(None), 1, &[g], &[1], no_propagation());
    let key = ItemKey::new(n(1), None);
    let out =
        t.write(0, &put(key.clone(), 800, vec![Some(s("A")), Some(s("x"))]), &mut Unlimited).expect("put");
    assert_eq!((out.consumed.table_milli, out.consumed.index_milli.clone()), (1_000, vec![1_000]));
    let status = 0;
    let note = 1;
    let update = |actions| WriteRequest {
        key: key.clone(),
        kind: WriteKind::Update { actions, item_bytes: None },
        condition: None,
    };
    let moved = t.write(0, &update(vec![UpdateAction::Set(status, s("B"))]), &mut Unlimited).expect("update");
    assert_eq!(moved.consumed.table_milli, 1_000);
    assert_eq!(moved.consumed.index_milli, vec![2_000], "delete + put");
    let projected =
        t.write(0, &update(vec![UpdateAction::Set(note, s("y"))]), &mut Unlimited).expect("update");
    assert_eq!(projected.consumed.index_milli, vec![1_000]);
    assert_eq!(t.index_store(0).item_count(), 1);
    let mut q = QueryRequest::table(s("B"));
    q.index = Some(0);
    assert_eq!(t.query(0, &q, &mut Unlimited).expect("query").items.len(), 1);
    // Back-pressure: the index refuses, so the table write is throttled and nothing changes.
    let refused =
        t.write(0, &update(vec![UpdateAction::Set(status, s("C"))]), &mut RefuseTarget(Target::Index(0)));
    assert_eq!(refused, Err(OpError::Throttled(Target::Index(0))));
    assert_eq!(t.peek(&key).expect("item").1[0], Some(s("B")));
    // Removing the index key takes the item out of the sparse index: one write.
    let out = t.write(0, &update(vec![UpdateAction::Remove(status)]), &mut Unlimited).expect("update");
    assert_eq!(out.consumed.index_milli, vec![1_000]);
    assert_eq!(t.index_store(0).item_count(), 0);
}

/// A global index's changes become visible after the propagation delay.
#[test]
fn global_index_changes_propagate_after_the_delay() {
    let g = gsi("G", "Tag", None, Projection::KeysOnly);
    let params = IndexParams { propagation_us: 100_000, ..IndexParams::default() };
    let mut t = IndexedTable::new(spec(None), 1, &[g], &[1], params);
    t.write(1_000, &put(ItemKey::new(n(1), None), 100, vec![Some(s("x"))]), &mut Unlimited).expect("put");
    let mut q = QueryRequest::table(s("x"));
    q.index = Some(0);
    assert_eq!(t.query(50_000, &q, &mut Unlimited).expect("query").items.len(), 0, "not yet");
    assert_eq!(t.pending_changes(), 1);
    assert_eq!(t.query(101_000, &q, &mut Unlimited).expect("query").items.len(), 1, "propagated");
}

/// MODEL.md §7.2's example: an LSI query of 4 items with 200-byte projections fetching 300-byte
/// table items costs 4 KB + 4 x 4 KB = 20 KB (5 RCU strongly consistent).
#[test]
fn local_index_fetches_are_charged_per_item() {
    let lsi = IndexSpec {
        name: "ByDate".into(),
        kind: IndexKind::Local,
        partition_key: "pk".into(),
        sort_key: Some("Date".into()),
        projection: Projection::KeysOnly,
    };
    let mut t = IndexedTable::new(spec(Some("sk")), 2, &[lsi], &[], no_propagation());
    for i in 0..4 {
        let out = t
            .write(0, &put(ItemKey::new(s("u"), Some(n(i))), 300, vec![Some(n(100 - i))]), &mut Unlimited)
            .expect("put");
        assert_eq!(out.consumed.index_milli, vec![1_000], "the LSI write");
        assert!(out.consumed.charges.iter().all(|c| c.target == Target::Table), "from the table's capacity");
    }
    let mut q = QueryRequest::table(s("u"));
    q.index = Some(0);
    q.consistency = Consistency::Strong;
    q.fetch = true;
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.consumed.total_milli(), 5_000);
    // Sorted by the index's sort key: Date 97, 98, 99, 100.
    q.sort = SortCondition::Le(n(98));
    q.fetch = false;
    assert_eq!(t.query(0, &q, &mut Unlimited).expect("query").items.len(), 2);
}

/// MODEL.md §7.2: with a local index, an item collection is limited (here to 10 KB); a write
/// that would pass the limit fails, one that shrinks the collection passes.
#[test]
fn item_collections_with_local_indexes_are_limited() {
    let lsi = IndexSpec {
        name: "L".into(),
        kind: IndexKind::Local,
        partition_key: "pk".into(),
        sort_key: Some("Date".into()),
        projection: Projection::KeysOnly,
    };
    let params = IndexParams { propagation_us: 0, item_collection_limit_bytes: 10_000 };
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[lsi], &[], params);
    let mut stored = 0;
    for i in 0..20 {
        match t.write(0, &put(ItemKey::new(s("u"), Some(n(i))), 1_000, vec![Some(n(i))]), &mut Unlimited) {
            Ok(_) => stored += 1,
            Err(e) => {
                assert_eq!(e, OpError::ItemCollectionSizeLimitExceeded);
                break;
            }
        }
    }
    assert!((8..10).contains(&stored), "{stored}");
    assert!(t.collection_bytes(&ItemKey::new(s("u"), None)) <= 10_000);
    let shrink = put(ItemKey::new(s("u"), Some(n(0))), 10, vec![Some(n(0))]);
    t.write(0, &shrink, &mut Unlimited).expect("a shrinking write passes");
    let other = put(ItemKey::new(s("v"), Some(n(0))), 1_000, vec![Some(n(0))]);
    t.write(0, &other, &mut Unlimited).expect("another collection has room");
}

/// MODEL.md §7.2 with several writes in one request: a transaction whose writes together take an
/// item collection past its limit fails and changes nothing, and so does a batch (a failed
/// operation changes nothing, whatever the item that fails).
#[test]
fn item_collection_limits_hold_across_the_writes_of_one_request() {
    let lsi = IndexSpec {
        name: "L".into(),
        kind: IndexKind::Local,
        partition_key: "pk".into(),
        sort_key: Some("Date".into()),
        projection: Projection::KeysOnly,
    };
    let params = IndexParams { propagation_us: 0, item_collection_limit_bytes: 10_000 };
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[lsi], &[], params);
    let item = |pk: &str, sk: i64| put(ItemKey::new(s(pk), Some(n(sk))), 1_000, vec![Some(n(sk))]);
    for i in 0..8 {
        t.write(0, &item("u", i), &mut Unlimited).expect("room");
    }
    let full = t.collection_bytes(&ItemKey::new(s("u"), None));
    assert!(full + 1_100 <= 10_000 && full + 2_200 > 10_000, "one more fits, two do not: {full}");
    let two = vec![item("u", 100), item("u", 101)];
    assert_eq!(t.transact_write(0, &two, &mut Unlimited), Err(OpError::ItemCollectionSizeLimitExceeded));
    assert_eq!(t.collection_bytes(&ItemKey::new(s("u"), None)), full, "nothing written");
    assert!(t.peek(&ItemKey::new(s("u"), Some(n(100)))).is_none());

    // A batch: the first write fits, the third would pass the limit.
    let batch = vec![item("v", 0), item("u", 100), item("u", 101)];
    assert_eq!(t.batch_write(0, &batch, &mut Unlimited), Err(OpError::ItemCollectionSizeLimitExceeded));
    assert!(t.peek(&ItemKey::new(s("v"), Some(n(0)))).is_none(), "the batch changed nothing");
    assert_eq!(t.collection_bytes(&ItemKey::new(s("u"), None)), full);
    assert_eq!(t.base().item_count(), 8);
}

/// MODEL.md §1.2: key values are limited (partition 2,048 bytes, sort 1,024, neither empty); a
/// write of an item with a longer or empty one is a validation error that changes nothing.
#[test]
fn key_values_over_their_limits_are_refused() {
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[], &[], no_propagation());
    let long_pk = ItemKey::new(s(&"p".repeat(2_049)), Some(n(1)));
    assert!(matches!(t.write(0, &put(long_pk, 100, vec![]), &mut Unlimited), Err(OpError::Validation(_))));
    let long_sk = ItemKey::new(s("u"), Some(s(&"s".repeat(1_025))));
    assert!(matches!(t.write(0, &put(long_sk, 100, vec![]), &mut Unlimited), Err(OpError::Validation(_))));
    let empty = ItemKey::new(s(""), Some(n(1)));
    assert!(matches!(t.write(0, &put(empty, 100, vec![]), &mut Unlimited), Err(OpError::Validation(_))));
    let at_limits = ItemKey::new(s(&"p".repeat(2_048)), Some(s(&"s".repeat(1_024))));
    t.write(0, &put(at_limits, 100, vec![]), &mut Unlimited).expect("at the limits");
    assert_eq!(t.base().item_count(), 1);
}

/// MODEL.md §1.3: a failed conditional write consumes the new item's size for an existing item
/// and one unit for a new one, and changes nothing.
#[test]
fn failed_conditions_consume_and_change_nothing() {
    let mut t = IndexedTable::new(spec(None), 1, &[], &[], no_propagation());
    let key = ItemKey::new(n(1), None);
    let mut create = put(key.clone(), 2_048, vec![]);
    create.condition = Some(Condition::NotExists(AttrRef::Partition));
    t.write(0, &create, &mut Unlimited).expect("created");
    match t.write(0, &create, &mut Unlimited) {
        Err(OpError::ConditionalCheckFailed(consumed)) => assert_eq!(consumed.table_milli, 2_000),
        other => panic!("{other:?}"),
    }
    let mut missing = put(ItemKey::new(n(2), None), 5_000, vec![]);
    missing.condition = Some(Condition::Exists(AttrRef::Partition));
    match t.write(0, &missing, &mut Unlimited) {
        Err(OpError::ConditionalCheckFailed(consumed)) => assert_eq!(consumed.table_milli, 1_000),
        other => panic!("{other:?}"),
    }
    assert_eq!(t.base().item_count(), 1);
    let delete = WriteRequest { key: key.clone(), kind: WriteKind::Delete, condition: None };
    assert_eq!(t.write(0, &delete, &mut Unlimited).expect("deleted").consumed.table_milli, 2_000);
    assert_eq!(t.base().item_count(), 0);
    assert_eq!(t.base().storage_bytes(), 0);
}

/// MODEL.md §2.2, §2.4: a partition holding one large item collection splits inside it, by
/// sort key; every item stays findable, a query reads across both parts and pays a block at
/// least in each; with a local index the collection cannot split.
#[test]
fn size_splits_cut_an_item_collection_by_sort_key() {
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[], &[], no_propagation());
    for i in 0..1_000 {
        t.write(0, &put(ItemKey::new(s("user"), Some(n(i))), 1_000, vec![]), &mut Unlimited).expect("put");
    }
    let point = t.size_split_point(0).expect("splittable");
    let SplitPoint::Key(at) = &point else { panic!("a split inside the collection, got {point:?}") };
    assert!(
        (450..550).contains(&match at.sort {
            Some(KeyValue::N(v)) => v,
            _ => -1,
        }),
        "{at:?}"
    );
    t.split_at(0, &point).expect("split");
    assert_eq!(t.base().partition_count(), 2);
    let (a, b) = (t.base().partitions()[0].item_count(), t.base().partitions()[1].item_count());
    assert_eq!(a + b, 1_000);
    for i in 0..1_000 {
        let got = t
            .get_item(&ItemKey::new(s("user"), Some(n(i))), Consistency::Strong, &mut Unlimited)
            .expect("get");
        assert_eq!(got.item_bytes, Some(1_000), "item {i}");
    }
    // New items go to the part that owns their sort key.
    t.write(0, &put(ItemKey::new(s("user"), Some(n(5_000))), 1_000, vec![]), &mut Unlimited).expect("put");
    assert_eq!(t.base().partitions()[1].item_count(), b + 1);
    let mut q = QueryRequest::table(s("user"));
    q.sort = SortCondition::Between(n(a as i64 - 2), n(a as i64 + 1));
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.consumed.charges.len(), 2, "both parts");
    assert_eq!(page.consumed.table_milli, 1_000, "4,000 B: one block each, two in all");
    q.sort = SortCondition::Any;
    q.forward = false;
    let mut all = Vec::new();
    loop {
        let page = t.query(0, &q, &mut Unlimited).expect("query");
        all.extend(page.items.into_iter().map(|(k, _)| k.sort));
        match page.last_evaluated {
            Some(k) => q.start_after = Some(k),
            None => break,
        }
    }
    assert_eq!(all.len(), 1_001);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "descending across both parts");

    let lsi = IndexSpec {
        name: "L".into(),
        kind: IndexKind::Local,
        partition_key: "pk".into(),
        sort_key: Some("Day".into()),
        projection: Projection::KeysOnly,
    };
    let mut with_lsi = IndexedTable::new(spec(Some("sk")), 1, &[lsi], &[], no_propagation());
    for i in 0..100 {
        with_lsi
            .write(0, &put(ItemKey::new(s("user"), Some(n(i))), 1_000, vec![Some(n(i))]), &mut Unlimited)
            .expect("put");
    }
    assert_eq!(with_lsi.size_split_point(0), None, "one collection, and an LSI: no split");
}

/// A global index's item collection split for size (MODEL.md §2.2 on the index's own
/// partitions) spans two partitions with one hash: a write's index charge goes to the part that
/// holds its entry, not to the last part of the hash.
#[test]
fn index_writes_are_charged_to_the_part_of_a_split_index_collection_that_holds_the_entry() {
    let g = gsi("ByStatus", "Status", None, Projection::KeysOnly);
    let mut t = IndexedTable::new(spec(None), 1, &[g], &[1], no_propagation());
    for i in 0..1_000 {
        t.write(0, &put(ItemKey::new(n(i), None), 100, vec![Some(s("open"))]), &mut Unlimited).expect("put");
    }
    assert!(t.split_index_at_data_median(0, 0), "the one collection splits inside");
    assert_eq!(t.index_store(0).partition_count(), 2);
    // Base key -5 sorts first in the index's collection: its entry goes to the lower part.
    let out =
        t.write(0, &put(ItemKey::new(n(-5), None), 100, vec![Some(s("open"))]), &mut Unlimited).expect("put");
    let charge = out.consumed.charges.iter().find(|c| c.target == Target::Index(0)).expect("an index charge");
    let entry = t.schema().entry(0, &ItemKey::new(n(-5), None), &[Some(s("open"))], 100).expect("indexed");
    assert_eq!(t.index_store(0).partition_of(&entry.key), 0, "the entry is stored in the lower part");
    assert_eq!(charge.partition, 0, "and charged there");
}

/// MODEL.md §1.3's per-partition minimum is for the partitions "involved in servicing the
/// request": a page that reaches its `Limit` with the last item of a partition does not read
/// the next one, so it pays no block there (a scan, and a query of a split collection).
#[test]
fn a_page_full_at_a_partition_end_pays_nothing_in_the_next_partition() {
    let mut t = IndexedTable::new(spec(Some("sk")), 2, &[], &[], no_propagation());
    for pk in 0..40 {
        t.write(0, &put(ItemKey::new(n(pk), Some(n(0))), 100, vec![]), &mut Unlimited).expect("put");
    }
    let first = t.base().partitions()[0].item_count() as u32;
    assert!(first > 0 && first < 40);
    let scan = ScanRequest {
        index: None,
        segment: 0,
        total_segments: 1,
        limit: Some(first),
        consistency: Consistency::Eventual,
        start_after: None,
        filter: None,
    };
    let page = t.scan(0, &scan, &mut Unlimited).expect("scan");
    assert_eq!(page.items.len(), first as usize);
    assert!(page.last_evaluated.is_some(), "more to read");
    assert_eq!(page.consumed.charges.len(), 1, "one partition read: {:?}", page.consumed.charges);
    assert_eq!(page.consumed.table_milli, 500);

    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[], &[], no_propagation());
    for i in 0..1_000 {
        t.write(0, &put(ItemKey::new(s("user"), Some(n(i))), 1_000, vec![]), &mut Unlimited).expect("put");
    }
    let point = t.size_split_point(0).expect("splittable");
    t.split_at(0, &point).expect("split");
    let lower = t.base().partitions()[0].item_count() as u32;
    let mut q = QueryRequest::table(s("user"));
    q.limit = Some(lower);
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), lower as usize);
    assert!(page.last_evaluated.is_some(), "more to read");
    assert_eq!(page.consumed.charges.len(), 1, "the lower part only: {:?}", page.consumed.charges);
}

/// Pages: `Limit`, 1 MB, `LastEvaluatedKey`, both directions.
#[test]
fn queries_page_by_limit_and_by_megabyte_in_both_directions() {
    let mut t = IndexedTable::new(spec(Some("sk")), 1, &[], &[], no_propagation());
    for i in 0..30 {
        t.write(0, &put(ItemKey::new(n(1), Some(n(i))), 100_000, vec![]), &mut Unlimited).expect("put");
    }
    let mut q = QueryRequest::table(n(1));
    let page = t.query(0, &q, &mut Unlimited).expect("query");
    assert_eq!(page.items.len(), 10, "10 x 100,000 B fit in 1 MB");
    let mut seen = page.items.len();
    q.start_after = page.last_evaluated.clone();
    while let Some(start) = q.start_after.take() {
        let _ = start;
        q.start_after = Some(start);
        let next = t.query(0, &q, &mut Unlimited).expect("query");
        seen += next.items.len();
        q.start_after = next.last_evaluated;
    }
    assert_eq!(seen, 30);
    let mut back = QueryRequest::table(n(1));
    back.forward = false;
    back.limit = Some(3);
    back.sort = SortCondition::Between(n(5), n(20));
    let page = t.query(0, &back, &mut Unlimited).expect("query");
    let sorts: Vec<KeyValue> = page.items.iter().filter_map(|(k, _)| k.sort.clone()).collect();
    assert_eq!(sorts, vec![n(20), n(19), n(18)]);
    assert!(page.last_evaluated.is_some());
}

#[derive(Clone, Debug)]
enum Op {
    Put(i64, i64, u16, Option<u8>),
    Update(i64, i64, Option<u8>),
    Delete(i64, i64),
    Get(i64, i64),
    Query(i64, u8, u8, bool, u32),
    QueryIndex(u8),
    Scan(u32, u32),
    Split(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let pk = 0i64..6;
    let sk = 0i64..8;
    prop_oneof![
        4 => (pk.clone(), sk.clone(), 1u16..3_000, prop::option::of(0u8..3)).prop_map(|(a, b, c, d)| Op::Put(a, b, c, d)),
        2 => (pk.clone(), sk.clone(), prop::option::of(0u8..3)).prop_map(|(a, b, c)| Op::Update(a, b, c)),
        2 => (pk.clone(), sk.clone()).prop_map(|(a, b)| Op::Delete(a, b)),
        2 => (pk.clone(), sk.clone()).prop_map(|(a, b)| Op::Get(a, b)),
        2 => (pk, 0u8..8, 0u8..8, any::<bool>(), 1u32..6).prop_map(|(a, b, c, d, e)| Op::Query(a, b, c, d, e)),
        1 => (0u8..3).prop_map(Op::QueryIndex),
        1 => (1u32..4, 1u32..5).prop_map(|(segments, limit)| Op::Scan(segments, limit)),
        1 => any::<u8>().prop_map(Op::Split),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The engine against a `BTreeMap<ItemKey, (size, tag)>` oracle: random puts, updates,
    /// deletes, gets, queries (sort-key ranges, both directions, limits, pages), index queries,
    /// parallel scans and forced splits; every result compared, nothing lost or duplicated by a
    /// split, and the index always equal to the items that have the indexed attribute.
    #[test]
    fn matches_a_btreemap_oracle(ops in prop::collection::vec(op(), 1..120)) {
        let g = gsi("ByTag", "Tag", None, Projection::KeysOnly);
        let mut t = IndexedTable::new(spec(Some("sk")), 1, &[g], &[2], no_propagation());
        let mut oracle: BTreeMap<ItemKey, (u64, Option<u8>)> = BTreeMap::new();
        let tag_value = |t: u8| s(["red", "green", "blue"][usize::from(t)]);
        let key = |pk: i64, sk: i64| ItemKey::new(n(pk), Some(n(sk)));
        for op in ops {
            match op {
                Op::Put(pk, sk, bytes, tag) => {
                    let k = key(pk, sk);
                    let out = t.write(0, &put(k.clone(), u64::from(bytes), vec![tag.map(tag_value)]), &mut Unlimited).expect("put");
                    prop_assert_eq!(out.before_bytes, oracle.get(&k).map(|o| o.0));
                    oracle.insert(k, (out.after_bytes.expect("stored"), tag));
                }
                Op::Update(pk, sk, tag) => {
                    let k = key(pk, sk);
                    let action = match tag { Some(v) => UpdateAction::Set(0, tag_value(v)), None => UpdateAction::Remove(0) };
                    let request = WriteRequest { key: k.clone(), kind: WriteKind::Update { actions: vec![action], item_bytes: None }, condition: Some(Condition::Exists(AttrRef::Partition)) };
                    match t.write(0, &request, &mut Unlimited) {
                        Ok(out) => {
                            prop_assert!(oracle.contains_key(&k));
                            oracle.insert(k, (out.after_bytes.expect("stored"), tag));
                        }
                        Err(OpError::ConditionalCheckFailed(_)) => prop_assert!(!oracle.contains_key(&k)),
                        Err(e) => prop_assert!(false, "{e}"),
                    }
                }
                Op::Delete(pk, sk) => {
                    let k = key(pk, sk);
                    let out = t.write(0, &WriteRequest { key: k.clone(), kind: WriteKind::Delete, condition: None }, &mut Unlimited).expect("delete");
                    prop_assert_eq!(out.before_bytes, oracle.remove(&k).map(|o| o.0));
                }
                Op::Get(pk, sk) => {
                    let k = key(pk, sk);
                    let got = t.get_item(&k, Consistency::Strong, &mut Unlimited).expect("get");
                    prop_assert_eq!(got.item_bytes, oracle.get(&k).map(|o| o.0));
                }
                Op::Query(pk, a, b, forward, limit) => {
                    let (lo, hi) = (i64::from(a.min(b)), i64::from(a.max(b)));
                    let mut q = QueryRequest::table(n(pk));
                    q.sort = SortCondition::Between(n(lo), n(hi));
                    q.forward = forward;
                    q.limit = Some(limit);
                    let mut got = Vec::new();
                    loop {
                        let page = t.query(0, &q, &mut Unlimited).expect("query");
                        prop_assert!(page.items.len() <= limit as usize);
                        got.extend(page.items.iter().map(|(k, b)| (k.clone(), *b)));
                        match page.last_evaluated {
                            Some(last) => q.start_after = Some(last),
                            None => break,
                        }
                    }
                    let mut expected: Vec<(ItemKey, u64)> = oracle
                        .iter()
                        .filter(|(k, _)| k.partition == n(pk) && k.sort.as_ref().is_some_and(|s| *s >= n(lo) && *s <= n(hi)))
                        .map(|(k, v)| (k.clone(), v.0))
                        .collect();
                    if !forward {
                        expected.reverse();
                    }
                    prop_assert_eq!(got, expected);
                }
                Op::QueryIndex(tag) => {
                    let mut q = QueryRequest::table(tag_value(tag));
                    q.index = Some(0);
                    let page = t.query(0, &q, &mut Unlimited).expect("query");
                    let expected = oracle.values().filter(|v| v.1 == Some(tag)).count();
                    prop_assert_eq!(page.items.len(), expected);
                }
                Op::Scan(segments, limit) => {
                    let mut all = Vec::new();
                    for segment in 0..segments {
                        let mut request = ScanRequest { index: None, segment, total_segments: segments, limit: Some(limit), consistency: Consistency::Eventual, start_after: None, filter: None };
                        loop {
                            let page = t.scan(0, &request, &mut Unlimited).expect("scan");
                            all.extend(page.items.into_iter().map(|(k, _)| k));
                            match page.last_evaluated {
                                Some(last) => request.start_after = Some(last),
                                None => break,
                            }
                        }
                    }
                    let expected: Vec<ItemKey> = oracle.keys().cloned().collect();
                    prop_assert_eq!(all, expected, "every item once, in key order");
                }
                Op::Split(at) => {
                    let count = t.base().partition_count();
                    let index = usize::from(at) % count;
                    if at % 2 == 0 {
                        // A size split: at the data median, inside an item collection if it
                        // falls in one.
                        if let Some(point) = t.size_split_point(index) {
                            t.split_at(index, &point);
                        }
                    } else {
                        if let Some(at) = t.base().middle_hash(index) {
                            t.split_at_hash(index, at);
                        }
                    }
                    let gsi_partitions = t.index_store(0).partition_count();
                    let _ = t.split_index_at_data_median(0, usize::from(at) % gsi_partitions);
                }
            }
            prop_assert_eq!(t.base().item_count(), oracle.len() as u64);
            let indexed = oracle.values().filter(|v| v.1.is_some()).count() as u64;
            prop_assert_eq!(t.index_store(0).item_count(), indexed);
            let bytes: u64 = oracle.values().map(|v| v.0 + 100).sum();
            prop_assert_eq!(t.base().storage_bytes(), bytes);
        }
    }
}
