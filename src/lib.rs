//! # ddbsim
//!
//! A discrete-event simulator of Amazon DynamoDB that runs a real partition engine (items stored
//! by partition-key hash in partitions that own contiguous hash ranges, exact capacity-unit
//! math) behind token-bucket admission (provisioned capacity, burst, per-partition caps), driven
//! by workloads described in TOML scenarios, and writes reports with charts.
//!
//! ## Layers
//!
//! Each layer depends only on the ones listed before it:
//!
//! | module | owns |
//! |---|---|
//! | [`engine`] | items, keys, item size, partitions, capacity-unit math, splits |
//! | [`capacity`] | token buckets, burst, per-partition caps, throttling reasons |
//! | [`workload`] | entities, key-attribute and item-size distributions, write shards, traffic shapes and arrivals, recorded traces |
//! | [`sim`] | simulated time, event queue, client retries, the driver loop |
//! | [`scenario`] | TOML parsing and validation with precise error paths, variants, `[expect]` |
//! | [`metrics`] | per-second and per-partition aggregation, latency histograms |
//! | [`cost`] | prices and cost arithmetic |
//! | [`report`] | summary.json, CSV, charts, the HTML report and the Markdown summary |
//! | [`report`] | summary.json, CSV, charts, expectation outcomes, JUnit XML, tables |
//! | [`experiment`] | parallel runs (one whole run per worker, input order kept), rankings, baselines |
//! | [`cli`] | subcommands, exit codes, progress bars |
//!
//! ## Architecture invariants
//!
//! - **The engine and the capacity model are pure.** They never read a clock, draw a random
//!   number or do I/O; every time-dependent rule takes `now`. Throttling is an outcome
//!   (`Err(ThrottleReason)`), not an error.
//! - **Integer time and integer units.** Simulated time is microseconds ([`time::SimTime`]);
//!   token balances are integer milli-units.
//! - **Determinism.** One root seed derives a named stream per subsystem ([`rng`]); events at
//!   equal times run in scheduling order; nothing that affects results iterates a hash map.
//!   The same scenario and seed give the same `summary.json` bytes, and many runs in parallel
//!   give the same results whatever the number of threads.
//! - **Every DynamoDB rule cites MODEL.md**, and every undocumented constant is a named
//!   parameter with a default.

pub mod capacity;
pub mod cli;
pub mod cost;
pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod time;
pub mod workload;
