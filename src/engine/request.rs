//! Requests and responses of the data-plane operations, shaped like DynamoDB's own (MODEL.md
//! §1.3): what [`super::IndexedTable`] takes and returns.
//!
//! Attribute values the engine keeps are the key attributes and the tracked attributes (those
//! secondary indexes key on or project, see [`super::index::Schema`]); conditions, filters and
//! update actions name attributes by [`AttrRef`], resolved from names once by
//! [`super::index::Schema::attr`].

use super::index::{AttrRef, SortCondition};
use super::key::{ItemKey, KeyValue};
use super::table::Charge;
use super::units::Consistency;
use std::fmt;

/// A comparison in a condition expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`.
    Eq,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// A condition expression on the item a write targets (or a filter on the items a read
/// evaluates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `attribute_exists(a)`; on a key attribute, whether the item exists.
    Exists(AttrRef),
    /// `attribute_not_exists(a)`.
    NotExists(AttrRef),
    /// `a <op> v`: false when the attribute is absent.
    Compare(AttrRef, CompareOp, KeyValue),
    /// Both.
    And(Box<Condition>, Box<Condition>),
}

impl Condition {
    /// Evaluates the condition on an item: `None` when no item exists; otherwise its key and
    /// tracked attribute values.
    pub fn holds(&self, item: Option<(&ItemKey, &[Option<KeyValue>])>) -> bool {
        let value = |r: &AttrRef| -> Option<&KeyValue> {
            let (key, attrs) = item?;
            match r {
                AttrRef::Partition => Some(&key.partition),
                AttrRef::Sort => key.sort.as_ref(),
                AttrRef::Tracked(i) => attrs.get(usize::from(*i))?.as_ref(),
            }
        };
        match self {
            Condition::Exists(r) => value(r).is_some(),
            Condition::NotExists(r) => value(r).is_none(),
            Condition::Compare(r, op, v) => value(r).is_some_and(|a| {
                // Values of different types are never equal or ordered (DynamoDB compares
                // within a type).
                if std::mem::discriminant(a) != std::mem::discriminant(v) {
                    return *op == CompareOp::Ne;
                }
                match op {
                    CompareOp::Eq => a == v,
                    CompareOp::Ne => a != v,
                    CompareOp::Lt => a < v,
                    CompareOp::Le => a <= v,
                    CompareOp::Gt => a > v,
                    CompareOp::Ge => a >= v,
                }
            }),
            Condition::And(a, b) => a.holds(item) && b.holds(item),
        }
    }
}

/// One action of an UpdateItem's update expression, on a tracked attribute (key attributes
/// cannot be updated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateAction {
    /// `SET a = v`.
    Set(u16, KeyValue),
    /// `REMOVE a`.
    Remove(u16),
    /// `ADD a n`: adds to a number, or sets it if absent.
    Add(u16, i64),
}

/// What a write does to its item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteKind {
    /// PutItem: replaces the whole item.
    Put {
        /// Item size in bytes (at least its keys and tracked attributes).
        item_bytes: u64,
        /// Values of the tracked attributes, one per tracked attribute (`None`: absent).
        attrs: Box<[Option<KeyValue>]>,
    },
    /// UpdateItem: changes tracked attributes of the item, creating it if absent.
    Update {
        /// The actions, in order.
        actions: Vec<UpdateAction>,
        /// The item's size after the update, if the update also rewrites untracked attributes;
        /// otherwise the size changes by the tracked attributes' change.
        item_bytes: Option<u64>,
    },
    /// DeleteItem.
    Delete,
    /// A transaction's ConditionCheck: reads the item, writes nothing.
    Check,
}

/// A single-item write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteRequest {
    /// The item's primary key.
    pub key: ItemKey,
    /// The write.
    pub kind: WriteKind,
    /// A condition the item must satisfy, if any.
    pub condition: Option<Condition>,
}

/// Capacity consumed by one request, by table and by index (`ReturnConsumedCapacity =
/// INDEXES`), with the per-partition charges admitted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consumed {
    /// Milli-units of the base table itself.
    pub table_milli: u64,
    /// Milli-units per index, in index order (empty for a table without indexes). A local
    /// index's units come from the table's capacity, a global one's from its own.
    pub index_milli: Vec<u64>,
    /// The charges admitted, one per partition touched and capacity kind.
    pub charges: Vec<Charge>,
}

impl Consumed {
    /// Milli-units in all.
    pub fn total_milli(&self) -> u64 {
        self.table_milli + self.index_milli.iter().sum::<u64>()
    }

    pub(crate) fn add_index(&mut self, index: usize, milli: u64) {
        if self.index_milli.len() <= index {
            self.index_milli.resize(index + 1, 0);
        }
        self.index_milli[index] += milli;
    }
}

/// Why an operation did not do what it was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpError<R> {
    /// A capacity limit refused it; nothing was consumed or changed.
    Throttled(R),
    /// The condition was false (`ConditionalCheckFailedException`): capacity was consumed as
    /// MODEL.md §1.3 says, nothing changed.
    ConditionalCheckFailed(Consumed),
    /// A transaction's condition was false or it touched one item twice
    /// (`TransactionCanceledException`); nothing was consumed or changed.
    TransactionCanceled,
    /// The write would take an item collection of a table with local secondary indexes past
    /// its limit (`ItemCollectionSizeLimitExceededException`, MODEL.md §7.2).
    ItemCollectionSizeLimitExceeded,
    /// The request is not one DynamoDB accepts (`ValidationException`).
    Validation(String),
}

impl<R: fmt::Debug> fmt::Display for OpError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Throttled(r) => write!(f, "throttled: {r:?}"),
            OpError::ConditionalCheckFailed(_) => write!(f, "ConditionalCheckFailedException"),
            OpError::TransactionCanceled => write!(f, "TransactionCanceledException"),
            OpError::ItemCollectionSizeLimitExceeded => write!(f, "ItemCollectionSizeLimitExceededException"),
            OpError::Validation(m) => write!(f, "ValidationException: {m}"),
        }
    }
}

/// The result of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutput {
    /// Index of the base partition that holds the item.
    pub partition: usize,
    /// Size of the item before the write, if one existed.
    pub before_bytes: Option<u64>,
    /// Size after the write, if the item exists after it.
    pub after_bytes: Option<u64>,
    /// Capacity consumed.
    pub consumed: Consumed,
}

/// A Query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryRequest {
    /// The index queried, or `None` for the table.
    pub index: Option<usize>,
    /// The partition-key value (of the index, when querying one).
    pub partition: KeyValue,
    /// The condition on the sort key.
    pub sort: SortCondition,
    /// Ascending sort-key order (`ScanIndexForward`).
    pub forward: bool,
    /// At most this many items evaluated (`Limit`).
    pub limit: Option<u32>,
    /// Read consistency (global indexes: eventual only).
    pub consistency: Consistency,
    /// Continue after this key (`ExclusiveStartKey`, from a previous page's `LastEvaluatedKey`).
    pub start_after: Option<ItemKey>,
    /// A filter applied after the read: it reduces the items returned, not the cost.
    pub filter: Option<Condition>,
    /// On a local index, also fetch the non-projected attributes from the table: each item
    /// read charged as a table item read (MODEL.md §7.2).
    pub fetch: bool,
}

impl QueryRequest {
    /// A query of every item of partition `partition` of the table, ascending, eventually
    /// consistent, in pages of at most 1 MB.
    pub fn table(partition: KeyValue) -> QueryRequest {
        QueryRequest {
            index: None,
            partition,
            sort: SortCondition::Any,
            forward: true,
            limit: None,
            consistency: Consistency::Eventual,
            start_after: None,
            filter: None,
            fetch: false,
        }
    }
}

/// A Scan (one segment of a parallel scan, or the whole key space).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRequest {
    /// The index scanned, or `None` for the table.
    pub index: Option<usize>,
    /// This segment (`Segment`), below `total_segments`.
    pub segment: u32,
    /// Segments of the parallel scan (`TotalSegments`, 1 for a plain scan).
    pub total_segments: u32,
    /// At most this many items evaluated (`Limit`).
    pub limit: Option<u32>,
    /// Read consistency.
    pub consistency: Consistency,
    /// Continue after this key.
    pub start_after: Option<ItemKey>,
    /// A filter applied after the read: it reduces the items returned, not the cost.
    pub filter: Option<Condition>,
}

/// One page of a Query or a Scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOutput {
    /// Keys and sizes of the items returned, in order.
    pub items: Vec<(ItemKey, u64)>,
    /// Items evaluated (`ScannedCount`), before the filter.
    pub scanned_count: u32,
    /// Where the next page starts, if there is more (`LastEvaluatedKey`).
    pub last_evaluated: Option<ItemKey>,
    /// Capacity consumed.
    pub consumed: Consumed,
}

/// The result of a BatchGetItem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchGetOutput {
    /// For each key requested: its item's size (`Some(None)`: no such item), or `None` if it
    /// is unprocessed.
    pub items: Vec<Option<Option<u64>>>,
    /// Positions of the keys returned as `UnprocessedKeys` (throttled).
    pub unprocessed: Vec<usize>,
    /// Capacity consumed.
    pub consumed: Consumed,
}

/// The result of a BatchWriteItem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchWriteOutput {
    /// Positions of the requests returned as `UnprocessedItems` (throttled).
    pub unprocessed: Vec<usize>,
    /// Capacity consumed.
    pub consumed: Consumed,
}
