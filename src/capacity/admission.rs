//! Admission: whether an attempt's capacity is available, in either billing mode.
//!
//! Provisioned, the modern model (MODEL.md §3.3): a table-level token bucket at the provisioned
//! rate with a burst reservoir of up to 300 s of unused capacity (§3.1), then the per-partition
//! caps of 3,000 RCU and 1,000 WCU per second (§2.1).
//!
//! On demand (MODEL.md §4, §10.4): no provisioned rate; a table-level bucket only for the
//! configured maximum throughput (§4.5) or the per-table quota (§4.3), then the same
//! per-partition caps. The table's ceiling is therefore its partition count times the caps,
//! which the simulator grows by splitting partitions (see `ondemand`).
//!
//! The table bucket is checked first, as a request router checks its global-admission tokens
//! before the storage node checks the partition (§3.3). A refused attempt consumes nothing.

use super::bucket::{Level, Limits, TokenBucket};
use super::legacy::{Allocations, LegacyParams};
use super::throttle::{LimitType, Operation, Resource, ThrottleReason};
use crate::engine::{
    Access, CapacityGate, Charge, Target, MILLI, PARTITION_READ_UNITS, PARTITION_WRITE_UNITS,
};
use crate::time::SimTime;

/// The default per-table throughput quota, RCU and WCU (or RRU and WRU) each (MODEL.md §4.3:
/// "40,000 RRU and 40,000 WRU" per table, GSIs included; adjustable by AWS).
pub const TABLE_QUOTA_UNITS: u64 = 40_000;

/// Parameters of the provisioned admission model. Defaults come from MODEL.md.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
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
    /// Per-table throughput quota, RRU and WRU per second each, that bounds an on-demand table
    /// (MODEL.md §4.3: 40,000 by default, adjustable).
    pub table_quota_units: u64,
    /// Eventually consistent read ceiling of one partition, RCU per second: any of the three
    /// replicas can serve such reads, so it may exceed `partition_read_units` (MODEL.md §2.1:
    /// 3,000 documented, 4,500 observed [BLOG-P2]). Default 3,000.
    pub partition_eventual_read_units: u64,
    /// The admission model of a provisioned table (MODEL.md §3.3). Default modern.
    pub model: AdmissionModel,
    /// Storage at which a partition splits for size, bytes with the per-item overhead
    /// (MODEL.md §2.1: "10GB is the maximum size of a partition"). Default 10 GiB.
    pub partition_size_limit_bytes: u64,
    /// Adaptive capacity of the legacy model.
    pub legacy: LegacyParams,
}

/// Which admission model a provisioned table follows (MODEL.md §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionModel {
    /// Global admission control: a table bucket with burst, then per-partition caps.
    Modern,
    /// Per-partition allocations with per-partition burst and delayed adaptive capacity.
    Legacy,
}

impl Default for CapacityParams {
    fn default() -> CapacityParams {
        CapacityParams {
            burst_seconds: 300,
            initial_burst_seconds: 0,
            partition_read_units: PARTITION_READ_UNITS,
            partition_write_units: PARTITION_WRITE_UNITS,
            table_quota_units: TABLE_QUOTA_UNITS,
            partition_eventual_read_units: PARTITION_READ_UNITS,
            model: AdmissionModel::Modern,
            partition_size_limit_bytes: 10 * 1_024 * 1_024 * 1_024,
            legacy: LegacyParams::default(),
        }
    }
}

/// The read or the write side of admission: an optional table bucket and one bucket per
/// partition.
#[derive(Clone, Debug)]
struct Side {
    table: Option<TokenBucket>,
    table_limit: LimitType,
    /// Each partition's bucket; they all share `partition_limits`: the per-partition cap,
    /// refilled per second and held for at most one second.
    partitions: Vec<Level>,
    partition_limits: Limits,
    /// Eventually consistent reads are charged to the partition bucket scaled by
    /// the strong cap over the eventual ceiling.
    eventual_scale: Scale,
    /// Per-partition allocations, in the legacy model.
    legacy: Option<Allocations>,
    operation: Operation,
    /// The base table or an index: the first word of the throttling reasons this side gives.
    resource: Resource,
}

/// Multiplication by `num / den`, rounded up: reduced to lowest terms once, so that the usual
/// ratios (1, or the strong cap over twice it) cost a shift per read rather than a division.
#[derive(Clone, Copy, Debug)]
struct Scale {
    num: u64,
    den: u64,
    /// log2 of `den` when it is a power of two.
    shift: Option<u32>,
}

impl Scale {
    fn new(num: u64, den: u64) -> Scale {
        let (mut a, mut b) = (num, den);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let (num, den) = (num / a.max(1), den / a.max(1));
        Scale { num, den, shift: den.is_power_of_two().then(|| den.trailing_zeros()) }
    }

    /// `ceil(milli * num / den)`.
    #[inline]
    fn apply(&self, milli: u64) -> u64 {
        let scaled = milli * self.num;
        match self.shift {
            Some(shift) => (scaled + (self.den - 1)) >> shift,
            None => scaled.div_ceil(self.den),
        }
    }
}

impl Side {
    fn new(
        table: Option<TokenBucket>,
        table_limit: LimitType,
        partition_units: u64,
        partitions: usize,
        operation: Operation,
    ) -> Side {
        let rate = partition_units * MILLI;
        let partition_limits = Limits::new(rate, rate);
        Side {
            table,
            table_limit,
            partitions: vec![partition_limits.level(rate, SimTime::ZERO); partitions],
            partition_limits,
            eventual_scale: Scale::new(1, 1),
            legacy: None,
            operation,
            resource: Resource::Table,
        }
    }

    /// A provisioned side: the table bucket refills at the provisioned rate and keeps up to
    /// `burst_seconds` of unused capacity (MODEL.md §3.1).
    fn provisioned(
        units: u64,
        partition_units: u64,
        partitions: usize,
        p: &CapacityParams,
        op: Operation,
    ) -> Side {
        let limit = LimitType::ProvisionedThroughputExceeded;
        if p.model == AdmissionModel::Legacy {
            let mut side = Side::new(None, limit, partition_units, partitions, op);
            side.legacy = Some(Allocations::new(units, partitions, p.burst_seconds, partition_units));
            return side;
        }
        let rate = units * MILLI;
        // At least one second of capacity, so an item larger than one second's tokens can pass.
        let cap = rate * p.burst_seconds.max(1);
        let initial = rate * (1 + p.initial_burst_seconds);
        let table = TokenBucket::new(rate, cap, initial, SimTime::ZERO);
        Side::new(Some(table), limit, partition_units, partitions, op)
    }

    /// An on-demand side: a one-second table bucket at the maximum throughput setting if one is
    /// set below the quota (MODEL.md §4.5), else at the per-table quota (§4.3).
    fn on_demand(
        max: Option<u64>,
        partition_units: u64,
        partitions: usize,
        p: &CapacityParams,
        op: Operation,
    ) -> Side {
        let (units, limit) = match max {
            Some(max) if max < p.table_quota_units => (max, LimitType::MaxOnDemandThroughputExceeded),
            _ => (p.table_quota_units, LimitType::AccountLimitExceeded),
        };
        let rate = units * MILLI;
        let table = TokenBucket::new(rate, rate, rate, SimTime::ZERO);
        Side::new(Some(table), limit, partition_units, partitions, op)
    }

    /// Admits one charge: the table and partition buckets checked, then (the legacy model's
    /// allocation permitting) taken.
    #[inline(always)]
    fn admit(
        &mut self,
        now: SimTime,
        partition: usize,
        milli: u64,
        eventual: bool,
    ) -> Result<(), ThrottleReason> {
        if self.legacy.is_some() {
            let partition_milli = self.check(now, partition, (milli, milli), eventual)?;
            return self.take_scaled(now, partition, milli, partition_milli);
        }
        // Without the legacy model's allocations nothing can refuse after the check: both at once.
        self.check_then::<true>(now, partition, (milli, milli), eventual).map(|_| ())
    }

    /// Whether `partition_milli` on `partition` and `table_milli` on the table could be taken
    /// at `now`, without taking them: the check half of [`Admission::admit_all`]. Returns the
    /// partition's charge as its bucket counts it (eventual reads scaled).
    #[inline(always)]
    fn check(
        &mut self,
        now: SimTime,
        partition: usize,
        milli: (u64, u64),
        eventual: bool,
    ) -> Result<u64, ThrottleReason> {
        self.check_then::<false>(now, partition, milli, eventual)
    }

    /// [`Side::check`], and if `TAKE`, then the take of a single charge without legacy
    /// allocations, the partition's level looked up once.
    #[inline(always)]
    fn check_then<const TAKE: bool>(
        &mut self,
        now: SimTime,
        partition: usize,
        (partition_milli, table_milli): (u64, u64),
        eventual: bool,
    ) -> Result<u64, ThrottleReason> {
        let reason = |limit| ThrottleReason::new(self.resource, self.operation, limit);
        if let Some(table) = &mut self.table {
            if !table.can_take(now, table_milli) {
                return Err(reason(self.table_limit));
            }
        }
        let partition_milli = self.scaled(partition_milli, eventual);
        let level = &mut self.partitions[partition];
        if !level.can_take(now, partition_milli, &self.partition_limits) {
            return Err(reason(LimitType::KeyRangeThroughputExceeded));
        }
        if TAKE {
            level.take(partition_milli);
            if let Some(table) = &mut self.table {
                table.take(table_milli);
            }
        }
        Ok(partition_milli)
    }

    /// Takes a charge that [`Side::check`] passed.
    fn take(
        &mut self,
        now: SimTime,
        partition: usize,
        milli: u64,
        eventual: bool,
    ) -> Result<(), ThrottleReason> {
        self.take_scaled(now, partition, milli, self.scaled(milli, eventual))
    }

    /// [`Side::take`] of `milli` from the table and `partition_milli` (already scaled) from the
    /// partition, once the legacy model's allocation, if any, admits it.
    #[inline(always)]
    fn take_scaled(
        &mut self,
        now: SimTime,
        partition: usize,
        milli: u64,
        partition_milli: u64,
    ) -> Result<(), ThrottleReason> {
        if let Some(allocations) = &mut self.legacy {
            if !allocations.admit(now, partition, milli) {
                let reason = ThrottleReason::new(
                    self.resource,
                    self.operation,
                    LimitType::ProvisionedThroughputExceeded,
                );
                return Err(reason);
            }
        }
        self.partitions[partition].take(partition_milli);
        if let Some(table) = &mut self.table {
            table.take(milli);
        }
        Ok(())
    }

    #[inline]
    fn scaled(&self, milli: u64, eventual: bool) -> u64 {
        if eventual {
            self.eventual_scale.apply(milli)
        } else {
            milli
        }
    }

    fn ceiling_units(&self) -> u64 {
        let partitions = self.partitions.len() as u64 * self.partition_limits.rate_milli_per_s() / MILLI;
        self.table.as_ref().map_or(partitions, |t| partitions.min(t.rate_milli_per_s() / MILLI))
    }
}

/// How a table is billed, which decides its admission (MODEL.md §3, §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    /// Provisioned capacity.
    Provisioned {
        /// RCU.
        read_units: u64,
        /// WCU.
        write_units: u64,
    },
    /// On demand, with optional maximum throughput settings (MODEL.md §4.5).
    OnDemand {
        /// `MaxReadRequestUnits`, if set.
        max_read_units: Option<u64>,
        /// `MaxWriteRequestUnits`, if set.
        max_write_units: Option<u64>,
    },
}

/// The admission state of one table.
#[derive(Clone, Debug)]
pub struct Admission {
    read: Side,
    write: Side,
    mode: BillingMode,
}

impl Admission {
    /// Admission for a table billed by `mode`, with `partitions` partitions.
    pub fn new(mode: BillingMode, partitions: usize, p: &CapacityParams) -> Admission {
        let (read, write) = match mode {
            BillingMode::Provisioned { read_units, write_units } => (
                Side::provisioned(read_units, p.partition_read_units, partitions, p, Operation::Read),
                Side::provisioned(write_units, p.partition_write_units, partitions, p, Operation::Write),
            ),
            BillingMode::OnDemand { max_read_units, max_write_units } => (
                Side::on_demand(max_read_units, p.partition_read_units, partitions, p, Operation::Read),
                Side::on_demand(max_write_units, p.partition_write_units, partitions, p, Operation::Write),
            ),
        };
        let mut read = read;
        read.eventual_scale = Scale::new(p.partition_read_units, p.partition_eventual_read_units.max(1));
        Admission { read, write, mode }
    }

    /// Admission for a table that switches to billing mode `mode` at `now` (MODEL.md §4.3): new
    /// buckets, which start earning then.
    pub fn switched(mode: BillingMode, partitions: usize, p: &CapacityParams, now: SimTime) -> Admission {
        let mut a = Admission::new(mode, partitions, p);
        for side in [&mut a.read, &mut a.write] {
            side.table = side.table.take().map(|b| b.starting_at(now));
            side.partitions =
                std::mem::take(&mut side.partitions).into_iter().map(|b| b.starting_at(now)).collect();
            side.legacy = side.legacy.take().map(|l| l.starting_at(now));
        }
        a
    }

    /// A provisioned table's admission.
    pub fn provisioned(
        read_units: u64,
        write_units: u64,
        partitions: usize,
        p: &CapacityParams,
    ) -> Admission {
        Admission::new(BillingMode::Provisioned { read_units, write_units }, partitions, p)
    }

    /// The billing mode.
    pub fn mode(&self) -> BillingMode {
        self.mode
    }

    /// The table's read and write ceilings now, units per second: the provisioned capacity, or
    /// for on demand the partitions' combined caps bounded by the maximum throughput or quota.
    pub fn ceiling_units(&self) -> (u64, u64) {
        match self.mode {
            BillingMode::Provisioned { read_units, write_units } => (read_units, write_units),
            BillingMode::OnDemand { .. } => (self.read.ceiling_units(), self.write.ceiling_units()),
        }
    }

    /// Number of partitions admission tracks.
    pub fn partition_count(&self) -> usize {
        self.read.partitions.len()
    }

    /// Admits `charge` at `now`, consuming its units, or refuses it with the reason DynamoDB
    /// would give and consumes nothing.
    #[inline(always)]
    pub fn admit(&mut self, now: SimTime, charge: Charge) -> Result<(), ThrottleReason> {
        match charge.access {
            Access::Read => self.read.admit(now, charge.partition, charge.milli, charge.eventual),
            Access::Write => self.write.admit(now, charge.partition, charge.milli, false),
        }
    }

    /// Admits every charge in `charges` or none (a multi-item or multi-index operation is one
    /// request): checks each partition and the table against the charges' running totals, then
    /// takes them all. In the legacy model a per-partition allocation can still refuse during
    /// the take; the charges taken before it stay taken (an approximation of a model AWS retired).
    pub fn admit_all(&mut self, now: SimTime, charges: &[Charge]) -> Result<(), ThrottleReason> {
        self.check_all(now, charges)?;
        self.take_all(now, charges)
    }

    /// The check half of [`Admission::admit_all`]: whether every charge would be admitted,
    /// taking nothing.
    pub fn check_all(&mut self, now: SimTime, charges: &[Charge]) -> Result<(), ThrottleReason> {
        for (i, c) in charges.iter().enumerate() {
            let same = |d: &&Charge| d.access == c.access;
            let table_milli: u64 = charges[..=i].iter().filter(same).map(|d| d.milli).sum();
            let partition_milli: u64 = charges[..=i]
                .iter()
                .filter(same)
                .filter(|d| d.partition == c.partition)
                .map(|d| d.milli)
                .sum();
            let side = match c.access {
                Access::Read => &mut self.read,
                Access::Write => &mut self.write,
            };
            side.check(
                now,
                c.partition,
                (partition_milli, table_milli),
                c.eventual && c.access == Access::Read,
            )?;
        }
        Ok(())
    }

    /// The take half of [`Admission::admit_all`], after [`Admission::check_all`] passed.
    pub fn take_all(&mut self, now: SimTime, charges: &[Charge]) -> Result<(), ThrottleReason> {
        for c in charges {
            match c.access {
                Access::Read => self.read.take(now, c.partition, c.milli, c.eventual)?,
                Access::Write => self.write.take(now, c.partition, c.milli, false)?,
            }
        }
        Ok(())
    }

    /// This admission's throttles name an index (`Index...` reasons) instead of the table.
    pub fn for_index(mut self) -> Admission {
        self.read.resource = Resource::Index;
        self.write.resource = Resource::Index;
        self
    }

    /// Changes a provisioned table's capacity at `now` (UpdateTable): the table buckets refill
    /// at the new rates from now on and keep the tokens they hold, up to the new burst cap.
    /// Ignored for an on-demand table.
    pub fn set_provisioned(&mut self, now: SimTime, read_units: u64, write_units: u64, p: &CapacityParams) {
        if !matches!(self.mode, BillingMode::Provisioned { .. }) {
            return;
        }
        self.mode = BillingMode::Provisioned { read_units, write_units };
        for (side, units) in [(&mut self.read, read_units), (&mut self.write, write_units)] {
            if let Some(table) = &mut side.table {
                let rate = units * MILLI;
                table.reconfigure(now, rate, rate * p.burst_seconds.max(1));
            }
            let partitions = side.partitions.len();
            if let Some(allocations) = &mut side.legacy {
                allocations.reallocate(now, units, partitions);
            }
        }
    }

    /// Milli-units of table-level read and write capacity available at `now` (burst included).
    pub fn table_available_milli(&mut self, now: SimTime) -> (u64, u64) {
        let available = |side: &mut Side| side.table.as_mut().map_or(u64::MAX, |t| t.available_milli(now));
        (available(&mut self.read), available(&mut self.write))
    }

    /// The partition at `index` was split into two: each child starts with the tokens its parent
    /// held (a split moves data, it does not mint capacity).
    /// In the legacy model, each child also gets half its parent's allocation ([ATC22] §4).
    pub fn partition_split(&mut self, now: SimTime, index: usize) {
        for side in [&mut self.read, &mut self.write] {
            let child = side.partitions[index];
            side.partitions.insert(index + 1, child);
            if let Some(allocations) = &mut side.legacy {
                allocations.split(now, index);
            }
        }
    }

    /// One second of the legacy model's adaptive capacity, given the milli-units (read, write)
    /// the table consumed in it; nothing in the modern model, whose admission is instant.
    pub fn adapt(&mut self, now: SimTime, consumed_milli: (u64, u64), p: &CapacityParams) {
        let BillingMode::Provisioned { read_units, write_units } = self.mode else { return };
        for (side, consumed, units) in
            [(&mut self.read, consumed_milli.0, read_units), (&mut self.write, consumed_milli.1, write_units)]
        {
            if let Some(allocations) = &mut side.legacy {
                allocations.adapt(now, consumed, units * MILLI, &p.legacy);
            }
        }
    }
}

/// Binds the admission of a table and of its global secondary indexes to the current time, for
/// the engine's [`CapacityGate`]: each charge goes to its target's admission.
pub struct Gate<'a> {
    /// The base table's admission state.
    pub admission: &'a mut Admission,
    /// Each global secondary index's admission state, by index number (local indexes use the
    /// table's; their slots are unused).
    pub indexes: &'a mut [Admission],
    /// The simulated time of the attempt.
    pub now: SimTime,
}

impl Gate<'_> {
    fn target(&mut self, target: Target) -> &mut Admission {
        match target {
            Target::Table => self.admission,
            Target::Index(n) => &mut self.indexes[usize::from(n)],
        }
    }
}

impl CapacityGate for Gate<'_> {
    type Refusal = ThrottleReason;

    #[inline(always)]
    fn admit(&mut self, charge: Charge) -> Result<(), ThrottleReason> {
        let now = self.now;
        self.target(charge.target).admit(now, charge)
    }

    /// Checks every target's charges before taking any (MODEL.md §6.2: a table write succeeds
    /// only if the table and every index it updates have the capacity).
    fn admit_all(&mut self, charges: &[Charge]) -> Result<(), ThrottleReason> {
        let now = self.now;
        let mut targets: Vec<Target> = charges.iter().map(|c| c.target).collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.len() <= 1 {
            return match targets.first() {
                Some(&t) => self.target(t).admit_all(now, charges),
                None => Ok(()),
            };
        }
        let of = |t: Target| -> Vec<Charge> { charges.iter().filter(|c| c.target == t).copied().collect() };
        for &t in &targets {
            self.target(t).check_all(now, &of(t))?;
        }
        for &t in &targets {
            self.target(t).take_all(now, &of(t))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_up_like_the_division_they_replace() {
        for (num, den) in [(1, 1), (3000, 6000), (3000, 4500), (7, 3), (0, 5), (1000, 1024)] {
            let scale = Scale::new(num, den);
            for milli in [0u64, 1, 2, 499, 500, 501, 1000, 4_000_000, 123_457] {
                assert_eq!(scale.apply(milli), (milli * num).div_ceil(den), "{num}/{den} of {milli}");
            }
        }
        assert_eq!(Scale::new(3000, 6000).shift, Some(1));
    }

    fn write(partition: usize, units: u64) -> Charge {
        Charge {
            target: Target::Table,
            partition,
            access: Access::Write,
            milli: units * MILLI,
            eventual: false,
            hash: 0,
        }
    }

    /// Serves one write per `interval_us` for `seconds`, returns the number admitted per second.
    fn drive(adm: &mut Admission, from_s: u64, seconds: u64, per_second: u64, partition: usize) -> Vec<u64> {
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
        let mut adm = Admission::provisioned(100, 100, 1, &CapacityParams::default());
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
        let mut adm = Admission::provisioned(0, 4_000, 4, &CapacityParams::default());
        let served = drive(&mut adm, 0, 5, 2_000, 2);
        // The partition's one-second bucket starts full, so the first second also spends it.
        assert!(served[0] < 2_000, "{served:?}");
        assert!(served[1..].iter().all(|&n| (1_000..=1_001).contains(&n)), "{served:?}");
        let mut adm = Admission::provisioned(0, 4_000, 4, &CapacityParams::default());
        assert!(adm.admit(SimTime::ZERO, write(1, 1_000)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(1, 1)).expect_err("partition drained");
        assert_eq!(reason.code(), "TableWriteKeyRangeThroughputExceeded");
        assert!(adm.admit(SimTime::ZERO, write(0, 1)).is_ok(), "other partitions unaffected");
    }

    /// MODEL.md §4.2, §2.2: a new on-demand table of 4 partitions serves 4,000 WRU per second
    /// (4 x 1,000) and no more, whatever the traffic's spread; the refusal names the key range.
    #[test]
    fn on_demand_ceiling_is_the_partitions_caps() {
        let mode = BillingMode::OnDemand { max_read_units: None, max_write_units: None };
        let mut adm = Admission::new(mode, 4, &CapacityParams::default());
        assert_eq!(adm.ceiling_units(), (12_000, 4_000));
        // Past the first seconds, which spend the full one-second buckets.
        let served: u64 = (0..4).map(|p| drive(&mut adm, 0, 6, 1_500, p)[3..].iter().sum::<u64>()).sum();
        assert_eq!(served / 3, 4_000);
        let mut adm = Admission::new(mode, 4, &CapacityParams::default());
        assert!(adm.admit(SimTime::ZERO, write(0, 1_000)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(0, 1)).expect_err("partition drained");
        assert_eq!(reason.code(), "TableWriteKeyRangeThroughputExceeded");
    }

    /// MODEL.md §4.5: a maximum throughput setting throttles with its own reason and exception.
    #[test]
    fn on_demand_maximum_throughput_throttles() {
        let mode = BillingMode::OnDemand { max_read_units: None, max_write_units: Some(50) };
        let mut adm = Admission::new(mode, 4, &CapacityParams::default());
        assert_eq!(adm.ceiling_units(), (12_000, 50));
        assert!(adm.admit(SimTime::ZERO, write(0, 50)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(1, 1)).expect_err("table maximum reached");
        assert_eq!(reason.code(), "TableWriteMaxOnDemandThroughputExceeded");
        assert_eq!(reason.exception(), "ThrottlingException");
    }

    /// MODEL.md §4.3: without a maximum, the per-table quota bounds an on-demand table.
    #[test]
    fn on_demand_quota_throttles_as_account_limit() {
        let params = CapacityParams { table_quota_units: 100, ..CapacityParams::default() };
        let mode = BillingMode::OnDemand { max_read_units: None, max_write_units: None };
        let mut adm = Admission::new(mode, 4, &params);
        assert!(adm.admit(SimTime::ZERO, write(0, 100)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(1, 1)).expect_err("quota reached");
        assert_eq!(reason.code(), "TableWriteAccountLimitExceeded");
    }

    /// MODEL.md §2.1 [BLOG-P2]: with the observed 4,500 RU/s eventually consistent ceiling, one
    /// partition serves 9,000 eventually consistent 4 KB reads per second, and still 3,000
    /// strong ones.
    #[test]
    fn eventual_read_ceiling_is_a_parameter() {
        let params = CapacityParams { partition_eventual_read_units: 4_500, ..CapacityParams::default() };
        let mut adm = Admission::provisioned(40_000, 10, 1, &params);
        let read = |eventual| Charge {
            target: Target::Table,
            partition: 0,
            access: Access::Read,
            milli: if eventual { 500 } else { 1_000 },
            eventual,
            hash: 0,
        };
        // Ten seconds of demand above the ceiling; the partition's full one-second bucket at
        // the start adds one second's worth.
        let served = |adm: &mut Admission, eventual: bool, per_second: u64| -> u64 {
            (0..per_second * 10)
                .filter(|i| {
                    adm.admit(SimTime(1_000_000 + i * 1_000_000 / per_second), read(eventual)).is_ok()
                })
                .count() as u64
        };
        // Each eventual read takes ceil(500 x 3,000 / 4,500) = 334 of the 3,000,000 milli-units
        // a second: 8,982 reads a second, where strong reads get 3,000.
        let eventual = served(&mut adm, true, 12_000);
        assert!((11 * 8_982 - 2..=11 * 8_982).contains(&eventual), "{eventual}");
        let mut adm = Admission::provisioned(40_000, 10, 1, &params);
        let strong = served(&mut adm, false, 5_000);
        assert!((11 * 3_000 - 2..=11 * 3_000).contains(&strong), "{strong}");
    }

    #[test]
    fn table_limit_names_provisioned_throughput() {
        let mut adm = Admission::provisioned(10, 10, 1, &CapacityParams::default());
        assert!(adm.admit(SimTime::ZERO, write(0, 10)).is_ok());
        let reason = adm.admit(SimTime::ZERO, write(0, 1)).expect_err("table drained");
        assert_eq!(reason.code(), "TableWriteProvisionedThroughputExceeded");
        assert_eq!(reason.exception(), "ProvisionedThroughputExceededException");
    }
}
