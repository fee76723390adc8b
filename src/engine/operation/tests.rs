//! MODEL.md §12 A and B, and DynamoDB's per-request limits, through [`consumption`].

use super::*;
use crate::engine::units::Consistency::{Eventual, Strong};
use Operation::*;

const KB: u64 = 1_024;

fn sizes(bytes: &[u64]) -> Vec<ItemSizes> {
    bytes.iter().map(|&bytes| ItemSizes { count: 1, bytes }).collect()
}

/// Read and write units of `operation` over `items`, with `consistency` if given.
fn units(operation: Operation, items: &[ItemSizes], consistency: Option<Consistency>) -> (f64, f64) {
    let request = Request { consistency, ..Request::new(operation, items) };
    let c = consumption(&request).expect("valid request");
    (c.read_units(), c.write_units())
}

fn read(operation: Operation, bytes: &[u64], consistency: Consistency) -> f64 {
    let (read, write) = units(operation, &sizes(bytes), Some(consistency));
    assert_eq!(write, 0.0);
    read
}

fn write(operation: Operation, bytes: &[u64]) -> f64 {
    let (read, write) = units(operation, &sizes(bytes), None);
    assert_eq!(read, 0.0);
    write
}

fn put(before: Option<u64>, after: u64) -> f64 {
    let items = sizes(&[after]);
    let request = Request { before_bytes: before, ..Request::new(Put, &items) };
    consumption(&request).expect("valid put").write_units()
}

fn error(request: Request<'_>) -> String {
    consumption(&request).expect_err("invalid request").to_string()
}

/// MODEL.md §12 A4-A7: GetItem of 3,500 B, 8 KB, 10 KB and a missing item (size 0).
#[test]
fn model_a4_to_a7_get_item() {
    assert_eq!(read(Get, &[3_500], Strong), 1.0);
    assert_eq!(read(Get, &[3_500], Eventual), 0.5);
    assert_eq!(units(TransactGet, &sizes(&[3_500]), None), (2.0, 0.0));
    assert_eq!(read(Get, &[8 * KB], Strong), 2.0);
    assert_eq!(read(Get, &[8 * KB], Eventual), 1.0);
    assert_eq!(units(TransactGet, &sizes(&[8 * KB]), None), (4.0, 0.0));
    assert_eq!(read(Get, &[10 * KB], Strong), 3.0);
    assert_eq!(read(Get, &[10 * KB], Eventual), 1.5);
    assert_eq!(read(Get, &[0], Strong), 1.0);
    assert_eq!(read(Get, &[0], Eventual), 0.5);
}

/// MODEL.md §12 A8-A11: PutItem, UpdateItem, a failed conditional put and the pricing-page
/// examples.
#[test]
fn model_a8_to_a11_writes() {
    assert_eq!(put(None, 1_639), 2.0); // A8: 1.6 KB
    assert_eq!(put(None, 500), 1.0); // A8: 500 B
    let update = sizes(&[922]); // A9: 0.9 KB after, 3.2 KB before
    let request = Request { before_bytes: Some(3_277), ..Request::new(Update, &update) };
    assert_eq!(consumption(&request).map(|c| (c.write_units(), c.blocks)), Ok((4.0, 4)));
    assert_eq!(put(Some(KB), 2 * KB), 2.0); // A10 (a): the new item's size counts
                                            // A10 (b) prices a failed conditional put of a new item at 1 WCU whatever its size; the
                                            // calculator prices writes that happen, which agree for items up to 1 KB.
    assert_eq!(put(None, KB), 1.0);
    assert_eq!(write(Put, &[3 * KB]), 3.0); // A11
    assert_eq!(write(TransactWrite, &[3 * KB]), 6.0);
    assert_eq!(write(Put, &[15 * KB / 2]), 8.0); // A11: 7.5 KB
    assert_eq!(read(Get, &[15 * KB / 2], Strong), 2.0);
}

#[test]
fn delete_charges_the_deleted_item() {
    assert_eq!(write(Delete, &[3_500]), 4.0);
    let request = Request { before_bytes: Some(3_500), ..Request::new(Delete, &[]) };
    let c = consumption(&request).expect("delete by size before");
    assert_eq!((c.items, c.item_bytes, c.write_units()), (1, 3_500, 4.0));
}

/// MODEL.md §12 B1, B2: batches round each item.
#[test]
fn model_b1_b2_batches_round_each_item() {
    assert_eq!(read(BatchGet, &[1_536, 6_656], Strong), 3.0); // B1: 4 KB + 8 KB
    assert_eq!(read(BatchGet, &[1_536, 6_656], Eventual), 1.5);
    assert_eq!(write(BatchWrite, &[500, 3_584]), 5.0); // B2: 1 KB + 4 KB
}

/// MODEL.md §12 B3-B6, B8: Query sums the items, then rounds.
#[test]
fn model_b3_to_b8_query_sums_then_rounds() {
    let b3 = [ItemSizes { count: 10, bytes: 4_178 }]; // 41,780 B = 40.8 KB, rounds to 44 KB
    assert_eq!(units(Query, &b3, Some(Strong)), (11.0, 0.0));
    assert_eq!(units(Query, &b3, Some(Eventual)), (5.5, 0.0));
    let b4 = [ItemSizes { count: 1_500, bytes: 64 }]; // 96,000 B
    assert_eq!(units(Query, &b4, Some(Strong)), (24.0, 0.0));
    assert_eq!(units(Query, &b4, Some(Eventual)), (12.0, 0.0));
    let b5 = [ItemSizes { count: 20, bytes: 4 * KB }]; // 80 KB
    assert_eq!(units(Query, &b5, Some(Eventual)), (10.0, 0.0));
    let b6 = [ItemSizes { count: 100, bytes: KB }]; // 100 evaluated, whatever the filter returns
    assert_eq!(units(Query, &b6, Some(Strong)), (25.0, 0.0));
    assert_eq!(units(Scan, &b6, Some(Strong)), (25.0, 0.0));
    let b8 = [ItemSizes { count: 8, bytes: 2_000 }]; // GSI query: 16,000 B rounds to 16 KB
    assert_eq!(units(Query, &b8, None), (2.0, 0.0));
}

/// MODEL.md §12 B7: a Scan over 3 partitions that finds nothing costs 0.5 per partition.
#[test]
fn model_b7_partition_minimum() {
    let scan = |items: &[ItemSizes], partitions, consistency| {
        let request = Request { partitions: Some(partitions), consistency, ..Request::new(Scan, items) };
        consumption(&request).expect("valid scan")
    };
    let empty = scan(&[], 3, None);
    assert_eq!((empty.read_units(), empty.blocks, empty.pages, empty.partition_minimum), (1.5, 3, 1, true));
    assert_eq!(scan(&[], 3, Some(Strong)).read_units(), 3.0);
    // Items worth more than the minimum set the charge: 10 × 4 KB over 3 partitions.
    let full = scan(&[ItemSizes { count: 10, bytes: 4 * KB }], 3, None);
    assert_eq!((full.read_units(), full.partition_minimum), (5.0, false));
    assert_eq!(units(Query, &[], None), (0.5, 0.0), "one partition by default");
}

/// MODEL.md §12 B10: three 500-byte items in a transaction: 6 WCU to write, 6 RCU to read.
#[test]
fn model_b10_transactions() {
    assert_eq!(write(TransactWrite, &[500, 500, 500]), 6.0);
    assert_eq!(units(TransactGet, &sizes(&[500, 500, 500]), None), (6.0, 0.0));
}

/// Each 1 MB page is rounded on its own: 3 × 400 KB items fill two pages (800 KB + 400 KB).
#[test]
fn query_pages_are_rounded_separately() {
    let c = consumption(&Request::new(Query, &[ItemSizes { count: 3, bytes: 400 * KB }])).expect("query");
    assert_eq!((c.pages, c.blocks, c.read_units()), (2, 300, 150.0));
    // 510 items of 4,097 B: 255 per page (1,044,735 B, 256 blocks), so 512 blocks in all where
    // rounding their sum once would give 511.
    let c = consumption(&Request::new(Query, &[ItemSizes { count: 510, bytes: 4_097 }])).expect("query");
    assert_eq!((c.pages, c.blocks, c.item_bytes), (2, 512, 2_089_470));
    // Pages continue across groups: 3 × 300 KB fill page one to 900 KB; a 200 KB item would
    // take it over 1 MB, so the two 200 KB items go on page two.
    let groups = [ItemSizes { count: 3, bytes: 300 * KB }, ItemSizes { count: 2, bytes: 200 * KB }];
    let c = consumption(&Request::new(Scan, &groups)).expect("scan");
    assert_eq!((c.pages, c.blocks), (2, 225 + 100));
    let groups = [ItemSizes { count: 1, bytes: 300 * KB }, ItemSizes { count: 3, bytes: 200 * KB }];
    assert_eq!(consumption(&Request::new(Scan, &groups)).map(|c| (c.pages, c.blocks)), Ok((1, 225)));
}

#[test]
fn limits_are_errors() {
    let big = [ItemSizes { count: 1, bytes: 409_601 }];
    assert_eq!(
        error(Request::new(Put, &big)),
        "an item of 409601 bytes is over the 409600-byte (400 KB) item limit"
    );
    assert!(consumption(&Request::new(Put, &sizes(&[409_600]))).is_ok());
    let items = |count| [ItemSizes { count, bytes: 100 }];
    assert!(consumption(&Request::new(BatchGet, &items(100))).is_ok());
    assert_eq!(error(Request::new(BatchGet, &items(101))), "batch-get takes at most 100 items, found 101");
    assert!(consumption(&Request::new(BatchWrite, &items(25))).is_ok());
    assert_eq!(error(Request::new(BatchWrite, &items(26))), "batch-write takes at most 25 items, found 26");
    assert_eq!(
        error(Request::new(TransactWrite, &items(101))),
        "transact-write takes at most 100 items, found 101"
    );
    let heavy = [ItemSizes { count: 11, bytes: 400 * KB }]; // 4,505,600 B > 4 MB
    assert_eq!(
        error(Request::new(TransactGet, &heavy)),
        "transact-get takes at most 4194304 bytes of items in all, found 4505600"
    );
    let heavier = [ItemSizes { count: 41, bytes: 400 * KB }]; // > 16 MB
    assert!(error(Request::new(BatchGet, &heavier)).starts_with("batch-get takes at most 16777216 bytes"));
    assert_eq!(error(Request::new(BatchWrite, &[])), "batch-write takes at least one item");
    assert_eq!(error(Request::new(Get, &sizes(&[1, 2]))), "get takes one item, found 2");
    assert_eq!(error(Request::new(Update, &[])), "update takes one item, found 0");
}

#[test]
fn settings_must_apply_to_the_operation() {
    let one = sizes(&[100]);
    let with = |operation, before, consistency, partitions| Request {
        before_bytes: before,
        consistency,
        partitions,
        ..Request::new(operation, &one)
    };
    assert_eq!(
        error(with(Get, Some(1), None, None)),
        "the size before applies only to put, update and delete, not to get"
    );
    assert_eq!(
        error(with(Put, None, Some(Strong), None)),
        "consistency applies only to get, batch-get, query and scan, not to put"
    );
    assert_eq!(
        error(with(Get, None, None, Some(2))),
        "partitions touched applies only to query and scan, not to get"
    );
    assert_eq!(error(with(Query, None, None, Some(0))), "a query touches at least one partition");
    assert_eq!(
        error(with(Get, None, Some(Consistency::Transactional), None)),
        "get reads are eventually or strongly consistent; transactional reads are transact-get"
    );
    assert_eq!(
        error(with(Delete, Some(100), None, None)),
        "delete charges the deleted item's size: give it as the item or as the size before, not both"
    );
    assert_eq!(
        error(with(Put, Some(409_601), None, None)),
        "the item before, of 409601 bytes, is over the 409600-byte (400 KB) item limit"
    );
}

#[test]
fn huge_counts_are_an_error_not_an_overflow() {
    let huge = [ItemSizes { count: u64::MAX, bytes: 400 * KB }];
    assert_eq!(consumption(&Request::new(Scan, &huge)), Err(CalcError::Overflow));
    let many = [ItemSizes { count: 1_000_000_000, bytes: 100 }];
    let c = consumption(&Request::new(Scan, &many)).expect("a large scan");
    assert_eq!(c.item_bytes, 100_000_000_000);
    assert_eq!(c.pages, 95_375); // 10,485 items (1,048,500 B) per page
}
