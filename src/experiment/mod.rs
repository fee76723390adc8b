//! Experiments: many runs at once (scenarios, their variants, seeds, sweep points), and what is
//! made of their summaries (ranked rows with confidence intervals, baseline comparisons).
//!
//! Architecture invariant (STYLE.md): runs are parallel as whole runs, one per rayon worker,
//! and results are restored to input order, so the same jobs give the same results, byte for
//! byte, whatever the number of threads. Nothing here reads a clock.

pub mod baseline;
pub mod rank;
pub mod stats;

use crate::metrics::Metrics;
use crate::report::{self, Summary};
use crate::scenario::Scenario;
use crate::sim;
use rayon::prelude::*;

/// One run to make: a scenario (or variant, or sweep point) and a seed.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// What to run.
    pub scenario: &'a Scenario,
    /// Its root seed.
    pub seed: u64,
}

/// Runs `scenario` with `seed`, without a progress bar, and returns its summary and metrics.
pub fn run_one(scenario: &Scenario, seed: u64) -> (Summary, Metrics) {
    run_with_progress(scenario, seed, &mut |_| {})
}

/// Runs `scenario` with `seed`, calling `progress` with the simulated time now and then, and
/// returns its summary (priced with the scenario's `[pricing]`) and metrics.
pub fn run_with_progress(
    scenario: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(crate::time::SimTime),
) -> (Summary, Metrics) {
    let mut metrics = Metrics::new(crate::metrics::MetricsConfig::for_run(&scenario.config));
    let out = sim::run(&scenario.config, seed, &mut metrics, progress);
    metrics.record_partition_starts(out.table.partitions().iter().map(|p| (p.id(), p.start())));
    let summary = report::summary::build(scenario, seed, &metrics, &out, &scenario.pricing);
    (summary, metrics)
}

/// Runs every job in parallel on the current rayon pool, one whole run per worker, hands each
/// run's position in `jobs`, summary and metrics to `finish`, and returns what it gives in the
/// order of `jobs`.
pub fn run_all<R, F>(jobs: &[Job<'_>], finish: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize, Summary, Metrics) -> R + Sync,
{
    // One job per task: a run is long (milliseconds to minutes), so splitting finer gains
    // nothing, and rayon's `collect` into a `Vec` keeps the input order.
    jobs.par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, job)| {
            let (summary, metrics) = run_one(job.scenario, job.seed);
            finish(i, summary, metrics)
        })
        .collect()
}

/// The summaries of every job, in the order of `jobs`.
pub fn summaries(jobs: &[Job<'_>]) -> Vec<Summary> {
    run_all(jobs, |_, summary, _| summary)
}

/// The seeds of `runs` runs from root seed `root`: the root itself for a single run (so that it
/// matches `ddbsim run`), else `derive_seed(root, i)` for `i` in `0..runs`.
pub fn seeds(root: u64, runs: usize) -> Vec<u64> {
    if runs == 1 {
        return vec![root];
    }
    (0..runs as u64).map(|i| crate::rng::derive_seed(root, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_keeps_its_root_seed_and_many_derive_distinct_ones() {
        assert_eq!(seeds(42, 1), vec![42]);
        let many = seeds(42, 5);
        assert_eq!(many.len(), 5);
        assert_eq!(many[0], crate::rng::derive_seed(42, 0));
        let distinct: std::collections::BTreeSet<_> = many.iter().collect();
        assert_eq!(distinct.len(), 5);
    }
}
