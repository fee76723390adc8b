//! Price tables: one dated TOML file per region under `prices/`, embedded in the binary so that
//! ddbsim prices runs from any folder, and resolved for one table class, with the free tier
//! applied or not and any price overridden (MODEL.md §9.1, §8.7).
//!
//! Invariant: every embedded file parses (a test checks each), so resolving a known region
//! cannot fail at run time.

use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The embedded price files: (region, file text), in region order.
const PRICE_FILES: [(&str, &str); 1] = [("us-east-1", include_str!("../../prices/us-east-1.toml"))];

/// Prices a scenario may override in `[pricing]`, by key, in the order the README lists them.
pub const OVERRIDABLE: [&str; 9] = [
    "on_demand_read_per_million",
    "on_demand_write_per_million",
    "rcu_hour",
    "wcu_hour",
    "storage_gb_month",
    "reserved_rcu_upfront",
    "reserved_rcu_hour",
    "reserved_wcu_upfront",
    "reserved_wcu_hour",
];

/// A DynamoDB table class (MODEL.md §8.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableClass {
    /// DynamoDB Standard, the default.
    Standard,
    /// DynamoDB Standard-Infrequent Access: cheaper storage, dearer throughput, no reserved
    /// capacity.
    StandardIa,
}

impl TableClass {
    /// Every class, by its name in scenarios.
    pub const NAMES: [&str; 2] = ["standard", "standard_ia"];

    /// Its name in scenarios and reports.
    pub fn name(self) -> &'static str {
        match self {
            TableClass::Standard => "standard",
            TableClass::StandardIa => "standard_ia",
        }
    }

    /// The class named `name`, if any.
    pub fn from_name(name: &str) -> Option<TableClass> {
        match name {
            "standard" => Some(TableClass::Standard),
            "standard_ia" => Some(TableClass::StandardIa),
            _ => None,
        }
    }
}

/// Reserved capacity, sold in blocks of provisioned units for a term: an upfront payment and an
/// hourly rate for every hour of the term, used or not (MODEL.md §9.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservedPrices {
    /// Hours in the term: 8,760 for one year.
    pub term_hours: f64,
    /// Units per block: 100.
    pub block_units: u64,
    /// USD upfront per block of RCU.
    pub rcu_upfront: f64,
    /// USD per hour per block of RCU.
    pub rcu_hour: f64,
    /// USD upfront per block of WCU.
    pub wcu_upfront: f64,
    /// USD per hour per block of WCU.
    pub wcu_hour: f64,
    /// How far to trust these numbers (MODEL.md §9.1: "medium-low").
    pub confidence: String,
    /// Source tags of MODEL.md.
    #[serde(default, skip_serializing)]
    pub sources: Vec<String>,
}

impl ReservedPrices {
    /// USD per hour of one block of RCU, the upfront payment amortised over the term.
    pub fn read_block_hour(&self) -> f64 {
        self.rcu_upfront / self.term_hours + self.rcu_hour
    }

    /// USD per hour of one block of WCU, the upfront payment amortised over the term.
    pub fn write_block_hour(&self) -> f64 {
        self.wcu_upfront / self.term_hours + self.wcu_hour
    }
}

/// The always-free tier (MODEL.md §9.1): storage and provisioned capacity that are not billed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeTier {
    /// GB of storage.
    pub storage_gb: f64,
    /// Provisioned RCU.
    pub read_capacity_units: u64,
    /// Provisioned WCU.
    pub write_capacity_units: u64,
    /// Source tags of MODEL.md.
    #[serde(default, skip_serializing)]
    pub sources: Vec<String>,
}

/// The prices of one region for one table class, as a run is priced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceTable {
    /// Where and when these prices hold, for people: `us-east-1 standard, prices from 2024-11-01`.
    pub label: String,
    /// AWS region.
    pub region: String,
    /// Table class.
    pub table_class: TableClass,
    /// The date from which these prices hold, `YYYY-MM-DD`.
    pub effective: String,
    /// On-demand, USD per million read request units.
    pub on_demand_read_per_million: f64,
    /// On-demand, USD per million write request units.
    pub on_demand_write_per_million: f64,
    /// Provisioned, USD per RCU-hour.
    pub rcu_hour: f64,
    /// Provisioned, USD per WCU-hour.
    pub wcu_hour: f64,
    /// Storage, USD per GB-month.
    pub storage_gb_month: f64,
    /// Reserved capacity, where AWS sells it for this class.
    pub reserved: Option<ReservedPrices>,
    /// The free tier, when it is applied (`None`: every unit is billed).
    pub free_tier: Option<FreeTier>,
    /// Source tags of MODEL.md.
    #[serde(skip)]
    pub sources: Vec<String>,
}

/// One table class's section of a price file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassPrices {
    on_demand_read_per_million: f64,
    on_demand_write_per_million: f64,
    rcu_hour: f64,
    wcu_hour: f64,
    storage_gb_month: f64,
    #[serde(default)]
    reserved: Option<ReservedPrices>,
    #[serde(default)]
    sources: Vec<String>,
}

/// A price file, `prices/<region>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceFile {
    region: String,
    effective: String,
    #[serde(default)]
    sources: Vec<String>,
    free_tier: FreeTier,
    standard: ClassPrices,
    standard_ia: ClassPrices,
}

/// The embedded files, parsed once.
static FILES: LazyLock<Vec<PriceFile>> = LazyLock::new(|| {
    PRICE_FILES
        .iter()
        .map(|(region, text)| {
            let file: PriceFile = toml::from_str(text).expect("embedded price files parse (a test checks)");
            assert_eq!(file.region, *region, "a price file is named after its region");
            file
        })
        .collect()
});

/// us-east-1, Standard class, current prices, free tier not applied: the default table.
pub static US_EAST_1_STANDARD: LazyLock<PriceTable> = LazyLock::new(|| {
    price_table("us-east-1", TableClass::Standard, false).expect("us-east-1 prices are embedded")
});

/// Regions with a price file, in order.
pub fn regions() -> Vec<&'static str> {
    PRICE_FILES.iter().map(|(region, _)| *region).collect()
}

/// The prices of `region` for `class`, with the free tier applied if `free_tier`; `None` for a
/// region without a price file.
pub fn price_table(region: &str, class: TableClass, free_tier: bool) -> Option<PriceTable> {
    let file = FILES.iter().find(|f| f.region == region)?;
    let prices = match class {
        TableClass::Standard => &file.standard,
        TableClass::StandardIa => &file.standard_ia,
    };
    let mut sources = file.sources.clone();
    sources.extend(prices.sources.iter().filter(|s| !file.sources.contains(s)).cloned());
    let mut table = PriceTable {
        label: String::new(),
        region: file.region.clone(),
        table_class: class,
        effective: file.effective.clone(),
        on_demand_read_per_million: prices.on_demand_read_per_million,
        on_demand_write_per_million: prices.on_demand_write_per_million,
        rcu_hour: prices.rcu_hour,
        wcu_hour: prices.wcu_hour,
        storage_gb_month: prices.storage_gb_month,
        reserved: prices.reserved.clone(),
        free_tier: free_tier.then(|| file.free_tier.clone()),
        sources,
    };
    table.relabel(0);
    Some(table)
}

impl PriceTable {
    /// Sets the price `key` (one of [`OVERRIDABLE`]) to `usd`. Fails with a lowercase reason for
    /// an unknown key, or for a reserved price where reserved capacity is not sold.
    pub fn set(&mut self, key: &str, usd: f64) -> Result<(), String> {
        if !OVERRIDABLE.contains(&key) {
            return Err(format!("unknown price `{key}`"));
        }
        let slot = match key {
            "on_demand_read_per_million" => &mut self.on_demand_read_per_million,
            "on_demand_write_per_million" => &mut self.on_demand_write_per_million,
            "rcu_hour" => &mut self.rcu_hour,
            "wcu_hour" => &mut self.wcu_hour,
            "storage_gb_month" => &mut self.storage_gb_month,
            _ => {
                let class = self.table_class.name();
                let Some(r) = &mut self.reserved else {
                    return Err(format!(
                        "reserved capacity is not sold for the {class} table class (MODEL.md §8.7)"
                    ));
                };
                match key {
                    "reserved_rcu_upfront" => &mut r.rcu_upfront,
                    "reserved_rcu_hour" => &mut r.rcu_hour,
                    "reserved_wcu_upfront" => &mut r.wcu_upfront,
                    _ => &mut r.wcu_hour,
                }
            }
        };
        *slot = usd;
        Ok(())
    }

    /// Rewrites the label after `overridden` prices were set.
    pub fn relabel(&mut self, overridden: usize) {
        let mut label =
            format!("{} {}, prices from {}", self.region, self.table_class.name(), self.effective);
        if self.free_tier.is_some() {
            label.push_str(", free tier applied");
        }
        match overridden {
            0 => {}
            1 => label.push_str(", 1 price overridden"),
            n => label.push_str(&format!(", {n} prices overridden")),
        }
        self.label = label;
    }

    /// The same prices with the free tier left out.
    pub fn without_free_tier(&self) -> PriceTable {
        PriceTable { free_tier: None, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_parses_with_both_classes() {
        assert_eq!(FILES.len(), PRICE_FILES.len());
        for region in regions() {
            for class in [TableClass::Standard, TableClass::StandardIa] {
                let t = price_table(region, class, false).unwrap();
                assert!(t.on_demand_read_per_million > 0.0 && t.wcu_hour > 0.0, "{region} {class:?}");
                assert!(t.effective.len() == 10 && !t.sources.is_empty());
            }
        }
    }

    /// MODEL.md §9.1, from 1 November 2024.
    #[test]
    fn us_east_1_matches_model_9_1() {
        let s = &*US_EAST_1_STANDARD;
        assert_eq!(s.label, "us-east-1 standard, prices from 2024-11-01");
        assert_eq!(
            (s.on_demand_read_per_million, s.on_demand_write_per_million, s.rcu_hour, s.wcu_hour),
            (0.125, 0.625, 0.000_13, 0.000_65)
        );
        assert_eq!((s.storage_gb_month, s.free_tier.clone()), (0.25, None));
        let r = s.reserved.as_ref().unwrap();
        assert_eq!((r.term_hours, r.block_units, r.wcu_upfront, r.wcu_hour), (8760.0, 100, 150.0, 0.0128));
        assert_eq!((r.rcu_upfront, r.rcu_hour, r.confidence.as_str()), (30.0, 0.0025, "medium-low"));
        let ia = price_table("us-east-1", TableClass::StandardIa, true).unwrap();
        assert_eq!(
            (ia.on_demand_write_per_million, ia.wcu_hour, ia.storage_gb_month),
            (0.78125, 0.0008125, 0.1)
        );
        assert!(ia.reserved.is_none(), "no reserved capacity for Standard-IA (MODEL.md §8.7)");
        let free = ia.free_tier.unwrap();
        assert_eq!((free.storage_gb, free.read_capacity_units, free.write_capacity_units), (25.0, 25, 25));
        assert_eq!(price_table("eu-west-9", TableClass::Standard, false), None);
    }

    #[test]
    fn overrides_set_one_price_and_reserved_needs_a_class_that_sells_it() {
        let mut t = US_EAST_1_STANDARD.clone();
        t.set("on_demand_write_per_million", 0.7).unwrap();
        t.set("reserved_wcu_hour", 0.01).unwrap();
        t.relabel(2);
        assert_eq!((t.on_demand_write_per_million, t.reserved.as_ref().unwrap().wcu_hour), (0.7, 0.01));
        assert_eq!(t.label, "us-east-1 standard, prices from 2024-11-01, 2 prices overridden");
        for key in OVERRIDABLE {
            assert!(t.set(key, 1.0).is_ok(), "{key}");
        }
        let mut ia = price_table("us-east-1", TableClass::StandardIa, false).unwrap();
        assert!(ia.set("reserved_rcu_upfront", 1.0).unwrap_err().contains("not sold for the standard_ia"));
        assert!(ia.set("rcu_hour", 1.0).is_ok());
        assert_eq!(t.set("nope", 1.0).unwrap_err(), "unknown price `nope`");
    }

    #[test]
    fn reserved_blocks_amortise_the_upfront_payment_over_the_term() {
        let r = US_EAST_1_STANDARD.reserved.clone().unwrap();
        assert!((r.write_block_hour() - (150.0 / 8760.0 + 0.0128)).abs() < 1e-12);
        assert!((r.read_block_hour() - (30.0 / 8760.0 + 0.0025)).abs() < 1e-12);
    }
}
