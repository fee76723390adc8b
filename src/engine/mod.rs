//! The partition engine: items, keys, item sizes, partitions and capacity-unit math.
//!
//! Architecture invariant: the engine is pure. It never reads a clock, draws a random number or
//! does I/O. Capacity decisions come in through [`CapacityGate`], so throttling is an outcome
//! the caller chooses, never an error the engine raises.

pub mod index;
pub mod indexed;
pub mod item;
pub mod key;
pub mod operation;
pub mod partition;
pub mod request;
pub mod shared;
pub mod store;
pub mod table;
pub mod units;

pub use index::{IndexKind, IndexSpec, Projection, SortCondition};
pub use indexed::{IndexParams, IndexedTable};
pub use item::{item_size_bytes, parse_item_json, validate_item, AttributeValue, Item, ItemError, Number};
pub use key::{ItemKey, KeyValue};
pub use partition::{Partition, PartitionId, StoredItem, ITEM_STORAGE_OVERHEAD_BYTES, NO_ATTRS};
pub use request::{
    CompareOp, Condition, Consumed, OpError, PageOutput, QueryRequest, ScanRequest, UpdateAction, WriteKind,
    WriteOutput, WriteRequest,
};
pub use shared::{SharedBytes, SharedStr};
pub use store::KeyRef;
pub use table::{
    initial_partition_count, Access, CapacityGate, Charge, GetItemOutput, PutItemOutput, Table, TableSpec,
    Target, MAX_ITEM_BYTES, PARTITION_READ_UNITS, PARTITION_WRITE_UNITS,
};
pub use units::{read_milli, write_milli, Consistency, MILLI};
