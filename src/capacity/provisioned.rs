//! Admission in provisioned mode, the modern model (MODEL.md §3.3): a table-level token bucket
//! at the provisioned rate with a burst reservoir of up to 300 s of unused capacity (§3.1), then
//! the per-partition caps of 3,000 RCU and 1,000 WCU per second (§2.1).
//!
//! The table bucket is checked first, as a request router checks its global-admission tokens
//! before the storage node checks the partition (§3.3). A refused attempt consumes nothing.

use super::bucket::TokenBucket;
use super::throttle::{LimitType, Operation, Resource, ThrottleReason};
use crate::engine::{Access, CapacityGate, Charge, MILLI, PARTITION_READ_UNITS, PARTITION_WRITE_UNITS};
use crate::time::SimTime;

/// Parameters of the provisioned admission model. Defaults come from MODEL.md.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CapacityParams {
    /// Seconds of unused capacity the burst reservoir retains (MODEL.md §3.1: "up to 5 minutes
    /// (300 seconds)"). Default 300.
    pub burst_seconds: u64,
    /// Seconds of burst the reservoir holds at time zero. Undocumented [INF]: a table that has
    /// just been created has had no unused capacity, so the default is 0.
    pub initial_burst_seconds: u64,
    /// Read ceiling of one partition, RCU per second (MODEL.md §2.1). Default 3,000.
    pub partition_read_units: u64,
    /// Write ceiling of one partition, WCU per second (MODEL.md §2.1). Default 1,000.
    pub partition_write_units: u64,
}

impl Default for CapacityParams {
    fn default() -> CapacityParams {
        CapacityParams {
            burst_seconds: 300,
            initial_burst_seconds: 0,
            partition_read_units: PARTITION_READ_UNITS,
            partition_write_units: PARTITION_WRITE_UNITS,
        }
    }
}

/// The read or the write side of admission: one table bucket and one bucket per partition.
#[derive(Clone, Debug)]
struct Side {
    table: TokenBucket,
    partitions: Vec<TokenBucket>,
    partition_rate_milli: u64,
    operation: Operation,
}

impl Side {
    fn new(
        provisioned_units: u64,
        partition_units: u64,
        partitions: usize,
        params: &CapacityParams,
        operation: Operation,
    ) -> Side {
        let rate = provisioned_units * MILLI;
        // At least one second of capacity, so an item larger than one second's tokens can pass.
        let cap = rate * params.burst_seconds.max(1);
        let initial = rate * (1 + params.initial_burst_seconds);
        let partition_rate_milli = partition_units * MILLI;
        let partition =
            TokenBucket::new(partition_rate_milli, partition_rate_milli, partition_rate_milli, SimTime::ZERO);
        Side {
            table: TokenBucket::new(rate, cap, initial, SimTime::ZERO),
            partitions: vec![partition; partitions],
            partition_rate_milli,
            operation,
        }
    }

    #[inline]
    fn admit(&mut self, now: SimTime, partition: usize, milli: u64) -> Result<(), ThrottleReason> {
        let reason = |limit| ThrottleReason::new(Resource::Table, self.operation, limit);
        if !self.table.can_take(now, milli) {
            return Err(reason(LimitType::ProvisionedThroughputExceeded));
        }
        let bucket = &mut self.partitions[partition];
        if !bucket.can_take(now, milli) {
            return Err(reason(LimitType::KeyRangeThroughputExceeded));
        }
        bucket.take(milli);
        self.table.take(milli);
        Ok(())
    }
}

/// The admission state of one provisioned table.
#[derive(Clone, Debug)]
pub struct ProvisionedAdmission {
    read: Side,
    write: Side,
    read_units: u64,
    write_units: u64,
}

impl ProvisionedAdmission {
    /// Admission for a table provisioned with `read_units` RCU and `write_units` WCU, spread over
    /// `partitions` partitions.
    pub fn new(
        read_units: u64,
        write_units: u64,
        partitions: usize,
        params: &CapacityParams,
    ) -> ProvisionedAdmission {
        ProvisionedAdmission {
            read: Side::new(read_units, params.partition_read_units, partitions, params, Operation::Read),
            write: Side::new(write_units, params.partition_write_units, partitions, params, Operation::Write),
            read_units,
            write_units,
        }
    }

    /// Admits `charge` at `now`, consuming its units, or refuses it with the reason DynamoDB
    /// would give and consumes nothing.
    #[inline]
    pub fn admit(&mut self, now: SimTime, charge: Charge) -> Result<(), ThrottleReason> {
        match charge.access {
            Access::Read => self.read.admit(now, charge.partition, charge.milli),
            Access::Write => self.write.admit(now, charge.partition, charge.milli),
        }
    }

    /// Provisioned read capacity, RCU.
    pub fn read_units(&self) -> u64 {
        self.read_units
    }

    /// Provisioned write capacity, WCU.
    pub fn write_units(&self) -> u64 {
        self.write_units
    }

    /// Milli-units of table-level read and write capacity available at `now` (burst included).
    pub fn table_available_milli(&mut self, now: SimTime) -> (u64, u64) {
        (self.read.table.available_milli(now), self.write.table.available_milli(now))
    }

    /// The partition was split into two at `index`: both children start with a full bucket.
    pub fn partition_split(&mut self, index: usize) {
        for side in [&mut self.read, &mut self.write] {
            let rate = side.partition_rate_milli;
            let child = TokenBucket::new(rate, rate, rate, SimTime::ZERO);
            side.partitions[index] = child.clone();
            side.partitions.insert(index + 1, child);
        }
    }
}

/// Binds an admission model to the current time, for the engine's [`CapacityGate`].
pub struct Gate<'a> {
    /// The admission state.
    pub admission: &'a mut ProvisionedAdmission,
    /// The simulated time of the attempt.
    pub now: SimTime,
}

impl CapacityGate for Gate<'_> {
    type Refusal = ThrottleReason;

    #[inline]
    fn admit(&mut self, charge: Charge) -> Result<(), ThrottleReason> {
        self.admission.admit(self.now, charge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(partition: usize, units: u64) -> Charge {
        Charge { partition, access: Access::Write, milli: units * MILLI }
    }

    /// Serves one write per `interval_us` for `seconds`, returns the number admitted per second.
    fn drive(
        adm: &mut ProvisionedAdmission,
        from_s: u64,
        seconds: u64,
        per_second: u64,
        partition: usize,
    ) -> Vec<u64> {
        let interval = 1_000_000 / per_second;
        (from_s..from_s + seconds)
            .map(|s| {
                (0..per_second)
                    .filter(|i| adm.admit(SimTime(s * 1_000_000 + i * interval), write(partition, 1)).is_ok())
                    .count() as u64
            })
            .collect()
    }

    /// MODEL.md §12 D1: 100 WCU idle for 300 s hold 30,000 WCU of burst; 400 writes/s are then
    /// served for about 100 s before falling to 100 per second.
    #[test]
    fn burst_reservoir_serves_a_spike_for_about_100_seconds() {
        let mut adm = ProvisionedAdmission::new(100, 100, 1, &CapacityParams::default());
        assert_eq!(adm.table_available_milli(SimTime::from_secs(300)).1, 30_000 * MILLI);
        let served = drive(&mut adm, 300, 200, 400, 0);
        let full_seconds = served.iter().take_while(|&&n| n == 400).count();
        assert!((99..=101).contains(&full_seconds), "served in full for {full_seconds} s");
        let tail: u64 = served[110..].iter().sum::<u64>() / 90;
        assert_eq!(tail, 100, "after the burst, the provisioned rate");
    }

    /// MODEL.md §2.1: one partition serves at most 1,000 WCU per second, even when the table has
    /// far more capacity; the refusal names the key range.
    #[test]
    fn partition_cap_throttles_a_hot_partition_below_table_capacity() {
        let mut adm = ProvisionedAdmission::new(0, 4_000, 4, &CapacityParams::default());
        let served = drive(&mut adm, 0, 5, 2_000, 2);
        // The partition's one-second bucket starts full, so the first second also spends it.
        assert!(served[0] < 2_000, "{served:?}");
        assert!(served[1..].iter().all(|&n| (1_000..=1_001).contains(&n)), "{served:?}");
        let mut adm = ProvisionedAdmission::new(0, 4_000, 4, &CapacityParams::default());
        assert!(adm.admit(SimTime::ZERO, write(1, 1_000)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(1, 1)).expect_err("partition drained");
        assert_eq!(reason.code(), "TableWriteKeyRangeThroughputExceeded");
        assert!(adm.admit(SimTime::ZERO, write(0, 1)).is_ok(), "other partitions unaffected");
    }

    #[test]
    fn table_limit_names_provisioned_throughput() {
        let mut adm = ProvisionedAdmission::new(10, 10, 1, &CapacityParams::default());
        assert!(adm.admit(SimTime::ZERO, write(0, 10)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(0, 1)).expect_err("table drained");
        assert_eq!(reason.code(), "TableWriteProvisionedThroughputExceeded");
        assert_eq!(reason.exception(), "ProvisionedThroughputExceededException");
    }
}
