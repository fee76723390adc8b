//! Capacity: token buckets, admission models and throttling reasons.
//!
//! Architecture invariant: like the engine, this layer is pure. Every decision takes `now` as
//! an argument; a throttled attempt is an outcome carrying its reason and consumes nothing.

pub mod admission;
pub mod autoscale;
pub mod bucket;
pub mod heat;
pub mod legacy;
pub mod ondemand;
pub mod throttle;

pub use admission::{Admission, AdmissionModel, BillingMode, CapacityParams, Gate, TABLE_QUOTA_UNITS};
pub use autoscale::{AutoScaler, AutoScalingParams, ScalingTarget};
pub use bucket::TokenBucket;
pub use heat::{HeatParams, HeatTracker, SplitDecision};
pub use legacy::LegacyParams;
pub use ondemand::{GrowthParams, OnDemandGrowth};
pub use throttle::{LimitType, Operation, Resource, ThrottleReason, REASON_COUNT};
