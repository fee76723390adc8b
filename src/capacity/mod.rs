//! Capacity: token buckets, admission models and throttling reasons.
//!
//! Architecture invariant: like the engine, this layer is pure. Every decision takes `now` as
//! an argument; a throttled attempt is an outcome carrying its reason and consumes nothing.

pub mod bucket;
pub mod provisioned;
pub mod throttle;

pub use bucket::TokenBucket;
pub use provisioned::{CapacityParams, Gate, ProvisionedAdmission};
pub use throttle::{LimitType, Operation, Resource, ThrottleReason, REASON_COUNT};
