//! MODEL.md §1.3, one operation at a time: what is rounded, and the limits of each request.

use super::{Consumption, ItemSizes, Operation, Request};
use super::{BATCH_GET_MAX_BYTES, BATCH_GET_MAX_ITEMS, BATCH_WRITE_MAX_ITEMS, PAGE_BYTES};
use super::{TRANSACT_MAX_BYTES, TRANSACT_MAX_ITEMS};
use crate::engine::table::MAX_ITEM_BYTES;
use crate::engine::units::{read_milli, replace_write_milli, write_milli, Consistency, MILLI};
use std::fmt;

/// Why an operation cannot be priced: it breaks one of DynamoDB's limits, or a setting does not
/// apply to it. Messages are lowercase, without a trailing period.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalcError {
    /// An item is over 400 KB (MODEL.md §1.2).
    #[error("an item of {bytes} bytes is over the 409600-byte (400 KB) item limit")]
    ItemTooLarge {
        /// The item's size.
        bytes: u64,
    },
    /// The item before is over 400 KB (MODEL.md §1.2).
    #[error("the item before, of {bytes} bytes, is over the 409600-byte (400 KB) item limit")]
    BeforeTooLarge {
        /// Its size.
        bytes: u64,
    },
    /// A single-item operation was given another number of items.
    #[error("{operation} takes one item, found {found}")]
    OneItem {
        /// The operation.
        operation: Operation,
        /// Items given.
        found: u64,
    },
    /// A batch or transaction was given no items.
    #[error("{operation} takes at least one item")]
    NoItems {
        /// The operation.
        operation: Operation,
    },
    /// A batch or transaction holds more items than DynamoDB allows.
    #[error("{operation} takes at most {max} items, found {found}")]
    TooManyItems {
        /// The operation.
        operation: Operation,
        /// Its limit.
        max: u64,
        /// Items given.
        found: u64,
    },
    /// A batch or transaction holds more bytes than DynamoDB allows.
    #[error("{operation} takes at most {max} bytes of items in all, found {found}")]
    TooManyBytes {
        /// The operation.
        operation: Operation,
        /// Its limit.
        max: u64,
        /// Bytes given.
        found: u64,
    },
    /// A delete was given the deleted item's size both as its item and as the size before.
    #[error("delete charges the deleted item's size: give it as the item or as the size before, not both")]
    DeleteSizeTwice,
    /// A setting was given to an operation it does not apply to.
    #[error("{setting} applies only to {}, not to {operation}", setting.applies_to())]
    NotApplicable {
        /// The setting.
        setting: Setting,
        /// The operation.
        operation: Operation,
    },
    /// Transactional consistency was asked of a non-transactional read.
    #[error("{operation} reads are eventually or strongly consistent; transactional reads are transact-get")]
    TransactionalRead {
        /// The operation.
        operation: Operation,
    },
    /// A Query or Scan was said to touch no partition.
    #[error("a {operation} touches at least one partition")]
    NoPartitions {
        /// The operation.
        operation: Operation,
    },
    /// The totals do not fit in 64 bits.
    #[error("too many items to add up")]
    Overflow,
}

/// The optional settings of a [`Request`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// The size of the item before the write.
    Before,
    /// Read consistency.
    Consistency,
    /// Partitions touched.
    Partitions,
}

impl Setting {
    fn applies_to(self) -> &'static str {
        match self {
            Setting::Before => "put, update and delete",
            Setting::Consistency => "get, batch-get, query and scan",
            Setting::Partitions => "query and scan",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::Before => "the size before",
            Setting::Consistency => "consistency",
            Setting::Partitions => "partitions touched",
        })
    }
}

/// What `request` consumes, by MODEL.md §1.3 (examples §12 A and B).
pub fn consumption(request: &Request<'_>) -> Result<Consumption, CalcError> {
    use Operation::*;
    let operation = request.operation;
    check_settings(request)?;
    if let Some(item) = request.items.iter().find(|g| g.count > 0 && g.bytes > MAX_ITEM_BYTES) {
        return Err(CalcError::ItemTooLarge { bytes: item.bytes });
    }
    if let Some(bytes) = request.before_bytes.filter(|&b| b > MAX_ITEM_BYTES) {
        return Err(CalcError::BeforeTooLarge { bytes });
    }
    let items = fit(request.items.iter().map(|g| u128::from(g.count)).sum())?;
    let item_bytes = fit(request.items.iter().map(|g| u128::from(g.count) * u128::from(g.bytes)).sum())?;
    let consistency = request.consistency.unwrap_or(Consistency::Eventual);
    let per_item = |units: &dyn Fn(u64) -> u64| {
        fit(request.items.iter().map(|g| u128::from(g.count) * u128::from(units(g.bytes))).sum())
    };
    let limits = |max_items: u64, max_bytes: Option<u64>| {
        check_limits(operation, items, item_bytes, max_items, max_bytes)
    };
    let base = Consumption {
        items,
        item_bytes,
        blocks: 0,
        pages: 0,
        partition_minimum: false,
        read_milli: 0,
        write_milli: 0,
    };
    match operation {
        Get => {
            let bytes = single_item(operation, request.items, items)?;
            Ok(reads(base, read_milli(bytes, consistency), consistency))
        }
        Put | Update => {
            let after = single_item(operation, request.items, items)?;
            Ok(writes(base, replace_write_milli(request.before_bytes.unwrap_or(0), after, false), false))
        }
        Delete => {
            let deleted = match (items, request.before_bytes) {
                (0, Some(before)) => before,
                (1, Some(_)) => return Err(CalcError::DeleteSizeTwice),
                _ => single_item(operation, request.items, items)?,
            };
            let base = Consumption { items: 1, item_bytes: deleted, ..base };
            Ok(writes(base, write_milli(deleted, false), false))
        }
        Query | Scan => paged(base, request.items, consistency, request.partitions.unwrap_or(1)),
        BatchGet => {
            limits(BATCH_GET_MAX_ITEMS, Some(BATCH_GET_MAX_BYTES))?;
            Ok(reads(base, per_item(&|b| read_milli(b, consistency))?, consistency))
        }
        BatchWrite => {
            limits(BATCH_WRITE_MAX_ITEMS, None)?;
            Ok(writes(base, per_item(&|b| write_milli(b, false))?, false))
        }
        TransactGet => {
            limits(TRANSACT_MAX_ITEMS, Some(TRANSACT_MAX_BYTES))?;
            let tx = Consistency::Transactional;
            Ok(reads(base, per_item(&|b| read_milli(b, tx))?, tx))
        }
        TransactWrite => {
            limits(TRANSACT_MAX_ITEMS, Some(TRANSACT_MAX_BYTES))?;
            Ok(writes(base, per_item(&|b| write_milli(b, true))?, true))
        }
    }
}

/// Rejects settings that do not apply to the operation.
fn check_settings(request: &Request<'_>) -> Result<(), CalcError> {
    use Operation::*;
    let operation = request.operation;
    let not_applicable = |setting| Err(CalcError::NotApplicable { setting, operation });
    if request.before_bytes.is_some() && !matches!(operation, Put | Update | Delete) {
        return not_applicable(Setting::Before);
    }
    if let Some(consistency) = request.consistency {
        if !matches!(operation, Get | BatchGet | Query | Scan) {
            return not_applicable(Setting::Consistency);
        }
        if consistency == Consistency::Transactional {
            return Err(CalcError::TransactionalRead { operation });
        }
    }
    match request.partitions {
        Some(_) if !matches!(operation, Query | Scan) => not_applicable(Setting::Partitions),
        Some(0) => Err(CalcError::NoPartitions { operation }),
        _ => Ok(()),
    }
}

/// The size of the one item of a single-item operation.
fn single_item(operation: Operation, groups: &[ItemSizes], items: u64) -> Result<u64, CalcError> {
    match groups.iter().find(|g| g.count > 0) {
        Some(group) if items == 1 => Ok(group.bytes),
        _ => Err(CalcError::OneItem { operation, found: items }),
    }
}

fn check_limits(
    operation: Operation,
    items: u64,
    item_bytes: u64,
    max_items: u64,
    max_bytes: Option<u64>,
) -> Result<(), CalcError> {
    if items == 0 {
        return Err(CalcError::NoItems { operation });
    }
    if items > max_items {
        return Err(CalcError::TooManyItems { operation, max: max_items, found: items });
    }
    match max_bytes {
        Some(max) if item_bytes > max => Err(CalcError::TooManyBytes { operation, max, found: item_bytes }),
        _ => Ok(()),
    }
}

/// Query and Scan (MODEL.md §1.3): items fill 1 MB pages in order, each page's total is rounded
/// up to 4 KB, and the request costs at least one 4 KB block per partition touched, items or
/// not. An item that would take a page over 1 MB starts the next one [INF: DynamoDB does not
/// say which page the item crossing 1 MB belongs to].
fn paged(
    base: Consumption,
    groups: &[ItemSizes],
    consistency: Consistency,
    partitions: u64,
) -> Result<Consumption, CalcError> {
    let (mut pages, mut milli) = (0u128, 0u128);
    let mut open = 0u64; // bytes on the page being filled
    for group in groups.iter().filter(|g| g.bytes > 0) {
        let fits = ((PAGE_BYTES - open) / group.bytes).min(group.count);
        open += fits * group.bytes;
        let left = group.count - fits;
        if left == 0 {
            continue;
        }
        // The open page is full for items of this size: close it, lay the rest out in whole
        // pages and leave the last one open.
        pages += 1;
        milli += u128::from(read_milli(open, consistency));
        let per_page = PAGE_BYTES / group.bytes;
        let full = (left - 1) / per_page;
        pages += u128::from(full);
        milli += u128::from(full) * u128::from(read_milli(per_page * group.bytes, consistency));
        open = (left - full * per_page) * group.bytes;
    }
    pages += 1;
    if open > 0 {
        milli += u128::from(read_milli(open, consistency));
    }
    let per_block = consistency.milli_per_block();
    let item_blocks = fit(milli / u128::from(per_block))?;
    let blocks = item_blocks.max(partitions);
    let read_milli = fit(u128::from(blocks) * u128::from(per_block))?;
    let pages = fit(pages)?;
    Ok(Consumption { blocks, pages, partition_minimum: blocks > item_blocks, read_milli, ..base })
}

fn reads(base: Consumption, read_milli: u64, consistency: Consistency) -> Consumption {
    Consumption { blocks: read_milli / consistency.milli_per_block(), read_milli, ..base }
}

fn writes(base: Consumption, write_milli: u64, transactional: bool) -> Consumption {
    let per_block = if transactional { 2 * MILLI } else { MILLI };
    Consumption { blocks: write_milli / per_block, write_milli, ..base }
}

fn fit(value: u128) -> Result<u64, CalcError> {
    u64::try_from(value).map_err(|_| CalcError::Overflow)
}
