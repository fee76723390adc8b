//! `ddbsim cost SCENARIO`: the scenario's traffic priced under every billing option. The
//! options' configurations and their comparison come from `cost::options`; this runs them, the
//! on-demand run first (its busiest second sizes the others), then the rest in parallel, one
//! whole run per rayon worker, results in input order.

use super::{bad_input, fresh_seed};
use crate::cost::options::{auto_scaling_config, fixed_config, on_demand_config, CostComparison, Outcome};
use crate::cost::PriceTable;
use crate::metrics::{Metrics, MetricsConfig};
use crate::scenario;
use crate::sim::{self, SimConfig};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// `ddbsim cost` flags.
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Root seed of every run, overriding the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Print the comparison as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `ddbsim cost`.
pub fn run(args: &CostArgs) -> ExitCode {
    let scenario = match scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => return bad_input(e),
    };
    let seed = args.seed.or(scenario.seed).unwrap_or_else(|| {
        let s = fresh_seed();
        eprintln!("no seed given; using --seed {s}");
        s
    });
    let comparison = compare(&scenario.name, &scenario.config, &scenario.pricing, seed);
    if args.json {
        let json = serde_json::to_string_pretty(&comparison).expect("a comparison always serializes");
        println!("{json}");
    } else {
        print!("{}", crate::report::cost_table::render(&comparison));
    }
    ExitCode::SUCCESS
}

/// Runs every billing option of `config` with `seed` and compares them.
pub fn compare(name: &str, config: &SimConfig, prices: &PriceTable, seed: u64) -> CostComparison {
    let on_demand = run_all(prices, &[on_demand_config(config)], seed);
    let peak = on_demand[0].peak_capacity;
    let provisioned = run_all(prices, &[fixed_config(config, peak), auto_scaling_config(config, peak)], seed);
    CostComparison::new(name, config, seed, prices, [&on_demand[0], &provisioned[0], &provisioned[1]])
}

/// Runs each of `configs` with `seed` on rayon's pool, and prices it; results in input order.
fn run_all(prices: &PriceTable, configs: &[SimConfig], seed: u64) -> Vec<Outcome> {
    configs
        .par_iter()
        .map(|config| {
            let mut metrics = Metrics::new(MetricsConfig::for_run(config));
            let out = sim::run(config, seed, &mut metrics, &mut |_| {});
            Outcome::of_run(prices, config, &metrics, out.table.storage_bytes())
        })
        .collect()
}
