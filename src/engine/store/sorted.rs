//! The items of one item collection, by sort key, and iteration over a sort-key range of them.
//!
//! Invariant: a [`Sorted::Many`] holds two items or more; a collection of one is kept inline.

use super::replace;
use crate::engine::key::KeyValue;
use crate::engine::partition::StoredItem;
use std::collections::btree_map::{self, BTreeMap};
use std::ops::Bound;

/// A collection's items by sort key. Boxed when there are several, so that a collection of one
/// (common in tables whose collections are small) takes no more room than its item.
#[derive(Clone, Debug)]
pub(super) enum Sorted {
    /// One item: its sort key and the item.
    One(KeyValue, StoredItem),
    /// Two items or more.
    #[expect(clippy::box_collection, reason = "boxed, the map fits beside `One` in 24 bytes")]
    Many(Box<BTreeMap<KeyValue, StoredItem>>),
}

impl Sorted {
    pub(super) fn get(&self, sort: &KeyValue) -> Option<&StoredItem> {
        match self {
            Sorted::One(sk, item) => (sk == sort).then_some(item),
            Sorted::Many(items) => items.get(sort),
        }
    }

    pub(super) fn len(&self) -> u64 {
        match self {
            Sorted::One(..) => 1,
            Sorted::Many(items) => items.len() as u64,
        }
    }

    /// The items whose sort keys lie within `(lower, upper)`.
    pub(super) fn range<'a>(
        &'a self,
        lower: Bound<&KeyValue>,
        upper: Bound<&KeyValue>,
    ) -> CollectionIter<'a> {
        match self {
            Sorted::One(sk, item) if within(lower, upper, sk) => CollectionIter::One(Some((Some(sk), item))),
            Sorted::One(..) => CollectionIter::Empty,
            Sorted::Many(items) => {
                // `BTreeMap::range` panics on a range whose start is after its end.
                // It also panics on an empty range with both ends excluded.
                let empty = match (lower, upper) {
                    (Bound::Included(l), Bound::Included(u)) => l > u,
                    (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => {
                        l >= u
                    }
                    _ => false,
                };
                if empty {
                    return CollectionIter::Empty;
                }
                CollectionIter::Range(items.range::<KeyValue, _>((lower, upper)))
            }
        }
    }

    /// [`ItemStore::upsert`](super::ItemStore::upsert) within a collection.
    pub(super) fn upsert<R>(
        &mut self,
        sort: KeyValue,
        decide: impl FnOnce(Option<StoredItem>) -> Result<StoredItem, R>,
    ) -> Result<Option<StoredItem>, R> {
        match self {
            Sorted::One(sk, item) if *sk == sort => replace(item, decide),
            Sorted::One(sk, item) => {
                let new = decide(None)?;
                *self = Sorted::Many(Box::new(BTreeMap::from([(sk.clone(), *item), (sort, new)])));
                Ok(None)
            }
            Sorted::Many(map) => match map.entry(sort) {
                btree_map::Entry::Occupied(o) => replace(o.into_mut(), decide),
                btree_map::Entry::Vacant(v) => {
                    v.insert(decide(None)?);
                    Ok(None)
                }
            },
        }
    }
}

/// Whether `key` lies within `(lower, upper)`.
fn within(lower: Bound<&KeyValue>, upper: Bound<&KeyValue>, key: &KeyValue) -> bool {
    std::ops::RangeBounds::contains(&(lower, upper), key)
}

/// The items of one item collection within a sort-key range: see [`ItemStore::collection`](super::ItemStore::collection).
pub enum CollectionIter<'a> {
    /// No item.
    Empty,
    /// One item (a table without a sort key, or a collection of one).
    One(Option<(Option<&'a KeyValue>, &'a StoredItem)>),
    /// A range of a sorted collection.
    Range(btree_map::Range<'a, KeyValue, StoredItem>),
}

impl<'a> Iterator for CollectionIter<'a> {
    type Item = (Option<&'a KeyValue>, &'a StoredItem);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            CollectionIter::Empty => None,
            CollectionIter::One(one) => one.take(),
            CollectionIter::Range(range) => range.next().map(|(sk, item)| (Some(sk), item)),
        }
    }
}

impl DoubleEndedIterator for CollectionIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            CollectionIter::Empty => None,
            CollectionIter::One(one) => one.take(),
            CollectionIter::Range(range) => range.next_back().map(|(sk, item)| (Some(sk), item)),
        }
    }
}
