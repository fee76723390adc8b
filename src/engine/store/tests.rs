//! The item store against a `BTreeMap` oracle, and the entry sizes the memory target rests on.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn key(hash: u64, pk: i64, sk: Option<i64>) -> ItemKey {
    ItemKey { hash, partition: KeyValue::N(pk), sort: sk.map(KeyValue::N) }
}

/// The entry sizes DESIGN.md's memory target rests on: with hashbrown's load factor
/// (44-87%) and its control byte, a number-keyed item takes 19.5-39 bytes.
#[test]
fn entries_are_as_small_as_their_kind_allows() {
    assert_eq!(std::mem::size_of::<Number>(), 16);
    assert_eq!(std::mem::size_of::<Other>(), 32);
    assert_eq!(std::mem::size_of::<Sorted>(), 24);
    assert_eq!(std::mem::size_of::<Collection>(), 48);
}

type Ops = Vec<(u64, i64, i64, u32, bool)>;

fn ops() -> impl Strategy<Value = Ops> {
    prop::collection::vec((0u64..6, 0i64..4, 0i64..5, 0u32..5_000, any::<bool>()), 1..300)
}

/// The store against a plain `BTreeMap<ItemKey, _>` oracle (sled's model-based test): random
/// puts (with refusals), deletes and collection ranges, then a split at `split_at`; every
/// lookup, the length and the iteration order agree. A key with drawn hash `h` and
/// partition key `pk` gets hash `hash_of(h, pk)`.
fn check_against_oracle(
    ops: Ops,
    split_at: u64,
    hash_of: impl Fn(u64, i64) -> u64,
) -> Result<(), TestCaseError> {
    let mut store = ItemStore::default();
    let mut oracle: BTreeMap<ItemKey, StoredItem> = BTreeMap::new();
    for (hash, pk, sk, bytes, refuse) in ops {
        // Even partition keys have sort keys, odd ones do not: one schema per key.
        let k = key(hash_of(hash, pk), pk, (pk % 2 == 0).then_some(sk));
        if bytes % 5 == 1 {
            // A delete.
            prop_assert_eq!(store.remove(&k), oracle.remove(&k));
            prop_assert_eq!(store.len(), oracle.len() as u64);
            continue;
        }
        if bytes % 5 == 2 {
            // A collection range, both ways.
            let (lo, hi) = (sk.min(bytes as i64 % 5), sk.max(bytes as i64 % 5));
            let (lo_k, hi_k) = (KeyValue::N(lo), KeyValue::N(hi));
            let got: Vec<(Option<KeyValue>, StoredItem)> = store
                .collection(k.hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                .map(|(s, i)| (s.cloned(), *i))
                .collect();
            let expected: Vec<(Option<KeyValue>, StoredItem)> = oracle
                .iter()
                .filter(|(o, _)| o.hash == k.hash && o.partition == k.partition)
                .filter(|(o, _)| o.sort.as_ref().is_none_or(|s| (&lo_k..&hi_k).contains(&s)))
                .map(|(o, i)| (o.sort.clone(), *i))
                .collect();
            prop_assert_eq!(&got, &expected);
            let back: Vec<_> = store
                .collection(k.hash, &k.partition, Bound::Included(&lo_k), Bound::Excluded(&hi_k))
                .rev()
                .map(|(s, i)| (s.cloned(), *i))
                .collect();
            prop_assert_eq!(back, expected.into_iter().rev().collect::<Vec<_>>());
            let after: Vec<ItemKey> = store
                .iter_from(Some(&k))
                .map(|(h, p, s, _)| ItemKey { hash: h, partition: p.into_owned(), sort: s.cloned() })
                .collect();
            let expected_after: Vec<ItemKey> =
                oracle.range((Bound::Excluded(&k), Bound::Unbounded)).map(|(o, _)| o.clone()).collect();
            prop_assert_eq!(after, expected_after);
            continue;
        }
        let before = oracle.get(&k).copied();
        let mut seen = None;
        let result = store.upsert(k.clone(), |old| {
            seen = Some(old);
            if refuse {
                Err(())
            } else {
                Ok(StoredItem::sized(bytes))
            }
        });
        prop_assert_eq!(seen, Some(before));
        match result {
            Ok(replaced) => {
                prop_assert_eq!(replaced, before);
                oracle.insert(k.clone(), StoredItem::sized(bytes));
            }
            Err(()) => prop_assert!(refuse),
        }
        prop_assert_eq!(store.get(&k).copied(), oracle.get(&k).copied());
        prop_assert_eq!(store.len(), oracle.len() as u64);
    }
    let listed: Vec<ItemKey> = store
        .iter()
        .map(|(h, p, s, _)| ItemKey { hash: h, partition: p.into_owned(), sort: s.cloned() })
        .collect();
    let expected: Vec<ItemKey> = oracle.keys().cloned().collect();
    prop_assert_eq!(&listed, &expected);
    let high = store.split_off(split_at);
    prop_assert_eq!(store.len() + high.len(), oracle.len() as u64);
    prop_assert!(store.iter().all(|(h, ..)| h < split_at));
    prop_assert!(high.iter().all(|(h, ..)| h >= split_at));
    Ok(())
}

proptest! {
    /// Random puts (with refusals) over few hashes so collisions and collections happen,
    /// random splits; every lookup, the length and the iteration order agree.
    #[test]
    fn matches_a_btreemap_oracle(ops in ops(), split_at in 0u64..7) {
        check_against_oracle(ops, split_at, |hash, _| hash)?;
    }

    /// The same with keys that mostly carry their own hash, as workloads make them, so the
    /// store's table of number keys is exercised too, and splits anywhere in the key space.
    #[test]
    fn matches_a_btreemap_oracle_with_own_hashes(ops in ops(), split_at in any::<u64>()) {
        check_against_oracle(ops, split_at, |hash, pk| if hash < 4 { KeyValue::number_hash(pk) } else { hash })?;
    }
}

#[test]
fn bytes_by_hash_sums_each_hash_and_names_its_last_item() {
    let mut store = ItemStore::default();
    for (hash, pk, sk, bytes) in
        [(5, 1, None, 10), (7, 2, Some(1), 20), (7, 2, Some(0), 30), (7, 4, Some(9), 40), (9, 3, None, 50)]
    {
        store.upsert(key(hash, pk, sk), |_| Ok::<_, ()>(StoredItem::sized(bytes))).expect("stored");
    }
    let mut by_hash = store.bytes_by_hash();
    by_hash.sort_unstable_by_key(|h| h.hash);
    let expected = [
        HashBytes { hash: 5, bytes: 10, last_item_bytes: 10 },
        // Under hash 7, key order is (2, 0), (2, 1), (4, 9): the last is 40 bytes.
        HashBytes { hash: 7, bytes: 90, last_item_bytes: 40 },
        HashBytes { hash: 9, bytes: 50, last_item_bytes: 50 },
    ];
    assert_eq!(by_hash, expected);
    assert_eq!(store.total_bytes(), 150);
}
