//! Validation of `[pricing]`: the price table a run is priced with (region, table class, free
//! tier) and overrides of single prices (MODEL.md §9.1).
//!
//! The price tables are data that the `cost` layer owns; validation looks the region up there,
//! so that every command rejects a region without prices when it loads the scenario, with the
//! line, as it does any other bad key.

use super::raw::RawPricing;
use super::validate::{nearest, one_of, Problems};
use crate::cost::prices::{price_table, regions, PriceTable, TableClass};

/// The region priced when a scenario names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The price table of `[pricing]` (us-east-1, Standard, no free tier when it is absent), or
/// `None` after recording what is wrong.
pub(super) fn pricing(p: &mut Problems, raw: Option<&RawPricing>) -> Option<PriceTable> {
    let Some(raw) = raw else {
        return price_table(DEFAULT_REGION, TableClass::Standard, false);
    };
    let region = raw.region.as_deref().unwrap_or(DEFAULT_REGION);
    let known = regions();
    if !known.contains(&region) {
        let hint = nearest(region, &known).map(|n| format!(" (did you mean \"{n}\"?)")).unwrap_or_default();
        let list = known.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ");
        p.add(
            "pricing.region",
            format!("no price table for region \"{region}\"{hint}; regions with prices: {list}"),
        );
    }
    let class = match raw.table_class.as_deref() {
        None => Some(TableClass::Standard),
        Some(name) => {
            let class = TableClass::from_name(name);
            if class.is_none() {
                p.add("pricing.table_class", one_of("pricing.table_class", name, &TableClass::NAMES));
            }
            class
        }
    };
    let overrides = [
        ("on_demand_read_per_million", raw.on_demand_read_per_million),
        ("on_demand_write_per_million", raw.on_demand_write_per_million),
        ("rcu_hour", raw.rcu_hour),
        ("wcu_hour", raw.wcu_hour),
        ("storage_gb_month", raw.storage_gb_month),
        ("reserved_rcu_upfront", raw.reserved_rcu_upfront),
        ("reserved_rcu_hour", raw.reserved_rcu_hour),
        ("reserved_wcu_upfront", raw.reserved_wcu_upfront),
        ("reserved_wcu_hour", raw.reserved_wcu_hour),
    ];
    let mut valid = Vec::new();
    for (key, value) in overrides {
        match value {
            Some(usd) if usd.is_finite() && usd >= 0.0 => valid.push((key, usd)),
            Some(usd) => {
                p.add(format!("pricing.{key}"), format!("must be a price in USD, zero or more, got {usd}"))
            }
            None => {}
        }
    }
    let mut table = price_table(region, class?, raw.free_tier.unwrap_or(false))?;
    for &(key, usd) in &valid {
        if let Err(message) = table.set(key, usd) {
            p.add(format!("pricing.{key}"), message);
        }
    }
    table.relabel(valid.len());
    Some(table)
}

#[cfg(test)]
mod tests {
    use crate::scenario::{parse, ScenarioError};
    use std::path::Path;

    const BASE: &str = r#"name = "p"
duration = "10s"

[table]
name = "T"
partition_key = "K"
read_capacity = 10
write_capacity = 10

[[workload]]
name = "reads"
operation = "get"
rate = 1
[workload.attributes]
K = { distribution = "uniform", count = 10 }
"#;

    fn problems(pricing: &str) -> Vec<String> {
        match parse(Path::new("p.toml"), &format!("{BASE}\n[pricing]\n{pricing}")) {
            Err(ScenarioError::Invalid { problems, .. }) => {
                problems.iter().map(|p| format!("{:?} {}: {}", p.line, p.path, p.message)).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn no_pricing_is_us_east_1_standard_without_free_tier() {
        let s = parse(Path::new("p.toml"), BASE).unwrap();
        assert_eq!(s.pricing, *crate::cost::US_EAST_1_STANDARD);
    }

    #[test]
    fn pricing_picks_a_class_applies_the_free_tier_and_overrides_prices() {
        let text = format!(
            "{BASE}\n[pricing]\nregion = \"us-east-1\"\ntable_class = \"standard_ia\"\nfree_tier = true\n\
             on_demand_write_per_million = 0.7\nrcu_hour = 0\n"
        );
        let t = parse(Path::new("p.toml"), &text).unwrap().pricing;
        assert_eq!((t.on_demand_write_per_million, t.rcu_hour, t.wcu_hour), (0.7, 0.0, 0.000_812_5));
        assert!(t.free_tier.is_some() && t.reserved.is_none());
        assert_eq!(
            t.label,
            "us-east-1 standard_ia, prices from 2024-11-01, free tier applied, 2 prices overridden"
        );
    }

    #[test]
    fn bad_pricing_is_reported_with_its_key_and_line() {
        assert_eq!(
            problems("region = \"us-east-2\"\nwcu_hour = -1\n"),
            [
                "Some(18) pricing.region: no price table for region \"us-east-2\" (did you mean \"us-east-1\"?); \
                 regions with prices: \"us-east-1\"",
                "Some(19) pricing.wcu_hour: must be a price in USD, zero or more, got -1",
            ]
        );
        assert_eq!(
            problems("table_class = \"infrequent\"\n"),
            ["Some(18) pricing.table_class: unknown value \"infrequent\"; expected one of \"standard\", \"standard_ia\""]
        );
        assert_eq!(
            problems("table_class = \"standard_ia\"\nreserved_wcu_hour = 0.01\n"),
            ["Some(19) pricing.reserved_wcu_hour: reserved capacity is not sold for the standard_ia table class (MODEL.md §8.7)"]
        );
        let unknown = problems("wcu_hours = 1\n");
        assert!(
            unknown[0].starts_with(
                "Some(18) pricing.wcu_hours: unknown key `wcu_hours` (did you mean `wcu_hour`?)"
            ),
            "{unknown:?}"
        );
        assert_eq!(
            problems("storage_gb_month = inf\n")[0],
            "Some(18) pricing.storage_gb_month: must be a price in USD, zero or more, got inf"
        );
    }
}
