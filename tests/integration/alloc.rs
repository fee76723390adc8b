//! DESIGN.md: exact mode makes "no heap allocation per request in steady state". A counting
//! allocator wraps the system's for this test binary; it counts per thread, so the tests that
//! run beside this one do not add to its count.

use ddbsim::metrics::{Metrics, MetricsConfig};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: an allocation while the thread's locals are being torn down is not counted.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only a
// thread-local integer and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as for `dealloc`, and the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations, attempts and items stored of the standard bench scenario run for `seconds`.
fn run(seconds: u64) -> (u64, u64, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/standard-bench.toml");
    let mut config = ddbsim::scenario::load(&path).expect("the standard bench is valid").config;
    config.duration_us = seconds * 1_000_000;
    let mut metrics = Metrics::new(MetricsConfig::for_run(&config));
    let before = ALLOCATIONS.with(Cell::get);
    let out = ddbsim::sim::run(&config, 1, &mut metrics, &mut |_| {});
    let allocations = ALLOCATIONS.with(Cell::get) - before;
    (allocations, metrics.totals().attempts, out.table.item_count())
}

/// The standard bench (1,000 partitions, 100,000 requests a second): the allocations that eight
/// more simulated seconds add are the stores' tables growing for their new items (a table
/// doubles now and then: measured 2,234 allocations for 50,149 new items and 806,810
/// attempts), the per-second series and the like, never one per request.
#[test]
fn steady_state_allocates_nothing_per_request() {
    let (short_allocations, short_attempts, short_items) = run(2);
    let (long_allocations, long_attempts, long_items) = run(10);
    let (allocations, attempts) = (long_allocations - short_allocations, long_attempts - short_attempts);
    let items = long_items - short_items;
    assert!(attempts > 700_000 && items > 10_000, "{attempts} attempts, {items} items");
    assert!(allocations * 100 < attempts, "{allocations} allocations for {attempts} more attempts");
    assert!(allocations * 10 < items, "{allocations} allocations for {items} more items");
}
