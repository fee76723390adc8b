//! Throttling reasons (MODEL.md §6.4): `<Table|Index><Read|Write><LimitType>`, 16 in all, and
//! the exception class that carries each (MODEL.md §6.4's suggested mapping, [INF]).

use std::fmt;

/// The resource whose limit was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// The base table.
    Table,
    /// A global secondary index.
    Index,
}

/// The kind of capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// Read capacity.
    Read,
    /// Write capacity.
    Write,
}

/// Which limit was reached (MODEL.md §6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitType {
    /// Provisioned RCU/WCU exceeded.
    ProvisionedThroughputExceeded,
    /// An on-demand table or index exceeded the per-table account quota.
    AccountLimitExceeded,
    /// A partition-level limit (3,000 RCU / 1,000 WCU per partition, MODEL.md §2.1).
    KeyRangeThroughputExceeded,
    /// The configured on-demand maximum throughput.
    MaxOnDemandThroughputExceeded,
}

/// A DynamoDB ThrottlingReason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThrottleReason {
    /// Table or index.
    pub resource: Resource,
    /// Read or write.
    pub operation: Operation,
    /// The limit reached.
    pub limit: LimitType,
}

/// Number of distinct reasons: 2 resources x 2 operations x 4 limit types.
pub const REASON_COUNT: usize = 16;

const LIMITS: [LimitType; 4] = [
    LimitType::ProvisionedThroughputExceeded,
    LimitType::AccountLimitExceeded,
    LimitType::KeyRangeThroughputExceeded,
    LimitType::MaxOnDemandThroughputExceeded,
];

impl ThrottleReason {
    /// A reason from its parts.
    pub const fn new(resource: Resource, operation: Operation, limit: LimitType) -> ThrottleReason {
        ThrottleReason { resource, operation, limit }
    }

    /// A dense index in `0..REASON_COUNT`, for counting without a map.
    pub const fn index(self) -> usize {
        (self.resource as usize) * 8 + (self.operation as usize) * 4 + self.limit as usize
    }

    /// The reason with dense index `index`, the inverse of [`ThrottleReason::index`].
    pub fn from_index(index: usize) -> Option<ThrottleReason> {
        if index >= REASON_COUNT {
            return None;
        }
        let resource = if index / 8 == 0 { Resource::Table } else { Resource::Index };
        let operation = if (index / 4).is_multiple_of(2) { Operation::Read } else { Operation::Write };
        Some(ThrottleReason::new(resource, operation, LIMITS[index % 4]))
    }

    /// Every reason, in index order.
    pub fn all() -> impl Iterator<Item = ThrottleReason> {
        (0..REASON_COUNT).filter_map(ThrottleReason::from_index)
    }

    /// DynamoDB's reason code, for example `TableReadKeyRangeThroughputExceeded`.
    pub const fn code(self) -> &'static str {
        const CODES: [&str; REASON_COUNT] = [
            "TableReadProvisionedThroughputExceeded",
            "TableReadAccountLimitExceeded",
            "TableReadKeyRangeThroughputExceeded",
            "TableReadMaxOnDemandThroughputExceeded",
            "TableWriteProvisionedThroughputExceeded",
            "TableWriteAccountLimitExceeded",
            "TableWriteKeyRangeThroughputExceeded",
            "TableWriteMaxOnDemandThroughputExceeded",
            "IndexReadProvisionedThroughputExceeded",
            "IndexReadAccountLimitExceeded",
            "IndexReadKeyRangeThroughputExceeded",
            "IndexReadMaxOnDemandThroughputExceeded",
            "IndexWriteProvisionedThroughputExceeded",
            "IndexWriteAccountLimitExceeded",
            "IndexWriteKeyRangeThroughputExceeded",
            "IndexWriteMaxOnDemandThroughputExceeded",
        ];
        CODES[self.index()]
    }

    /// The exception class that carries this reason (MODEL.md §6.4, suggested mapping [INF]).
    pub const fn exception(self) -> &'static str {
        match self.limit {
            LimitType::ProvisionedThroughputExceeded | LimitType::KeyRangeThroughputExceeded => {
                "ProvisionedThroughputExceededException"
            }
            LimitType::MaxOnDemandThroughputExceeded => "ThrottlingException",
            LimitType::AccountLimitExceeded => "RequestLimitExceeded",
        }
    }
}

impl fmt::Display for ThrottleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_distinct_codes_round_trip_through_their_index() {
        let all: Vec<ThrottleReason> = ThrottleReason::all().collect();
        assert_eq!(all.len(), REASON_COUNT);
        for (i, reason) in all.iter().enumerate() {
            assert_eq!(reason.index(), i);
            let expected = format!("{:?}{:?}{:?}", reason.resource, reason.operation, reason.limit);
            assert_eq!(reason.code(), expected);
        }
    }

    #[test]
    fn exceptions_follow_the_model_mapping() {
        let r = ThrottleReason::new(Resource::Table, Operation::Read, LimitType::KeyRangeThroughputExceeded);
        assert_eq!(r.exception(), "ProvisionedThroughputExceededException");
        let r =
            ThrottleReason::new(Resource::Index, Operation::Write, LimitType::MaxOnDemandThroughputExceeded);
        assert_eq!(r.exception(), "ThrottlingException");
    }
}
