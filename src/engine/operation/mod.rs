//! The capacity units of one operation, from its items' sizes alone (MODEL.md §1.3): the
//! arithmetic behind `ddbsim units`, with DynamoDB's per-request limits.
//!
//! Pure and total: every input gives a [`Consumption`] or a [`CalcError`]. The rounding itself
//! is [`super::units`]'s; this module decides what is rounded: each item (GetItem, the batch and
//! transaction operations), the larger of before and after (PutItem, UpdateItem), or the sum of
//! a page of items (Query, Scan).

use super::units::Consistency;
use std::fmt;

const MB: u64 = 1_024 * 1_024;
/// Query and Scan read at most 1 MB per page, and each page is rounded on its own (MODEL.md
/// §1.3, §10.1).
pub const PAGE_BYTES: u64 = MB;
/// BatchGetItem: at most 100 items and 16 MB (MODEL.md §1.3).
pub const BATCH_GET_MAX_ITEMS: u64 = 100;
/// BatchGetItem's response limit (MODEL.md §1.3); DynamoDB returns the rest as UnprocessedKeys.
pub const BATCH_GET_MAX_BYTES: u64 = 16 * MB;
/// BatchWriteItem: at most 25 put or delete requests (MODEL.md §1.3).
pub const BATCH_WRITE_MAX_ITEMS: u64 = 25;
/// TransactGetItems and TransactWriteItems: at most 100 items (MODEL.md §1.3, since 2022).
pub const TRANSACT_MAX_ITEMS: u64 = 100;
/// TransactGetItems and TransactWriteItems: at most 4 MB in all (MODEL.md §1.3).
pub const TRANSACT_MAX_BYTES: u64 = 4 * MB;

/// A DynamoDB data-plane operation: what `ddbsim units` prices and what a workload issues
/// (`workload::OperationKind` is this type). It serializes by its scenario name (`batch_get`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// GetItem: one item, rounded up to 4 KB.
    Get,
    /// PutItem: the larger of the old and new item, rounded up to 1 KB.
    Put,
    /// UpdateItem: the larger of the before and after item, rounded up to 1 KB.
    Update,
    /// DeleteItem: the deleted item, rounded up to 1 KB.
    Delete,
    /// Query: the items' sizes summed per 1 MB page, each page rounded up to 4 KB.
    Query,
    /// Scan: as Query, over the items evaluated (before any filter).
    Scan,
    /// BatchGetItem: each item rounded up to 4 KB.
    BatchGet,
    /// BatchWriteItem: each item rounded up to 1 KB.
    BatchWrite,
    /// TransactGetItems: each item rounded up to 4 KB, twice.
    TransactGet,
    /// TransactWriteItems: each item rounded up to 1 KB, twice.
    TransactWrite,
}

impl Operation {
    /// Every operation, in the order of DESIGN.md's `--op` list.
    pub const ALL: [Operation; 10] = [
        Operation::Get,
        Operation::Put,
        Operation::Update,
        Operation::Delete,
        Operation::Query,
        Operation::Scan,
        Operation::BatchGet,
        Operation::BatchWrite,
        Operation::TransactGet,
        Operation::TransactWrite,
    ];

    /// The operation's name on the command line: `get`, `batch-write`, ...
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::Put => "put",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Query => "query",
            Operation::Scan => "scan",
            Operation::BatchGet => "batch-get",
            Operation::BatchWrite => "batch-write",
            Operation::TransactGet => "transact-get",
            Operation::TransactWrite => "transact-write",
        }
    }

    /// The operation's name in a scenario file: `get`, `batch_write`, ...
    pub const fn scenario_name(self) -> &'static str {
        match self {
            Operation::BatchGet => "batch_get",
            Operation::BatchWrite => "batch_write",
            Operation::TransactGet => "transact_get",
            Operation::TransactWrite => "transact_write",
            other => other.name(),
        }
    }

    /// The operation named `name` in a scenario file.
    pub fn from_scenario_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.scenario_name() == name)
    }

    /// Whether the operation writes items (and takes no read consistency).
    pub const fn writes(self) -> bool {
        !self.is_read()
    }

    /// Whether the operation stores items of a given size (puts, in one request or several).
    pub const fn stores(self) -> bool {
        matches!(self, Operation::Put | Operation::BatchWrite | Operation::TransactWrite)
    }

    /// Whether one request carries several items (batches and transactions).
    pub const fn is_multi_item(self) -> bool {
        matches!(
            self,
            Operation::BatchGet | Operation::BatchWrite | Operation::TransactGet | Operation::TransactWrite
        )
    }

    /// Whether the operation consumes read units (the others consume write units).
    pub const fn is_read(self) -> bool {
        matches!(
            self,
            Operation::Get
                | Operation::Query
                | Operation::Scan
                | Operation::BatchGet
                | Operation::TransactGet
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `count` items of `bytes` bytes each (sizes by MODEL.md §1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemSizes {
    /// How many items.
    pub count: u64,
    /// Bytes of each; 0 is an item that does not exist (a get of a missing key).
    pub bytes: u64,
}

/// One operation to price. `None` settings take their defaults: eventual consistency, one
/// partition, no item before.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The operation.
    pub operation: Operation,
    /// The items read, written or (Query, Scan) evaluated, in order.
    pub items: &'a [ItemSizes],
    /// Put, Update: the size of the item replaced; Delete: the deleted item's size (instead of
    /// `items`).
    pub before_bytes: Option<u64>,
    /// Get, BatchGet, Query, Scan: eventual (the default) or strong.
    pub consistency: Option<Consistency>,
    /// Query, Scan: partitions touched, items or not (default 1).
    pub partitions: Option<u64>,
}

impl<'a> Request<'a> {
    /// A request with default settings.
    pub fn new(operation: Operation, items: &'a [ItemSizes]) -> Request<'a> {
        Request { operation, items, before_bytes: None, consistency: None, partitions: None }
    }
}

/// What one operation consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consumption {
    /// Items read, written or evaluated.
    pub items: u64,
    /// Their total size, in bytes.
    pub item_bytes: u64,
    /// Size blocks charged (4 KB for reads, 1 KB for writes), before the consistency or
    /// transaction multiplier.
    pub blocks: u64,
    /// Query, Scan: 1 MB pages read (a query that finds nothing still reads one); 0 otherwise.
    pub pages: u64,
    /// Query, Scan: whether the per-partition minimum, rather than the items, set the charge.
    pub partition_minimum: bool,
    /// Read capacity consumed, in milli-units.
    pub read_milli: u64,
    /// Write capacity consumed, in milli-units.
    pub write_milli: u64,
}

impl Consumption {
    /// Read capacity units (RCU or RRU).
    pub fn read_units(&self) -> f64 {
        super::units::milli_to_units(self.read_milli)
    }

    /// Write capacity units (WCU or WRU).
    pub fn write_units(&self) -> f64 {
        super::units::milli_to_units(self.write_milli)
    }
}

mod rules;
pub use rules::{consumption, CalcError, Setting};

#[cfg(test)]
mod tests;
