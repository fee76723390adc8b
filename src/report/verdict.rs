//! The verdict that opens the HTML and Markdown reports: one judgement of a run, and the key
//! figures behind it, read from the summary (this module computes no model numbers, it only
//! words what the summary says).

use super::format::{group, percent, share, usd};
use super::Summary;

/// How a run went, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Some requests gave up after their retries.
    Failing,
    /// Attempts were throttled, but retries absorbed every one.
    Throttled,
    /// Nothing was throttled.
    Healthy,
}

impl Level {
    /// A lowercase word, used as a CSS class.
    pub fn word(self) -> &'static str {
        match self {
            Level::Failing => "failing",
            Level::Throttled => "throttled",
            Level::Healthy => "healthy",
        }
    }
}

/// A run's verdict: a level, a headline and, when something throttled, what limited it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The judgement.
    pub level: Level,
    /// One sentence on what the application saw.
    pub headline: String,
    /// One sentence on the limit that throttled most, if any did.
    pub cause: Option<String>,
}

/// Judges the run that `s` summarises.
pub fn verdict(s: &Summary) -> Verdict {
    let r = &s.requests;
    let (level, headline) = if r.failed > 0 {
        let failed = format!("{} of {} requests", group(r.failed), group(r.offered));
        (
            Level::Failing,
            format!("{failed} ({}) failed after their retries.", percent(share(r.failed, r.offered))),
        )
    } else if r.throttled > 0 {
        let throttled = percent(s.throttle_ratio);
        (
            Level::Throttled,
            format!("No request failed, but {throttled} of attempts were throttled and retried."),
        )
    } else {
        (Level::Healthy, "No throttling: every attempt was admitted.".to_string())
    };
    let top = s.throttles_by_reason.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    let cause = top.map(|(code, n)| {
        let limit = if code.starts_with("Index") && code.contains("Write") {
            "a global secondary index cannot take the writes the table sends it, so the table's writes are throttled (MODEL.md §6.2): see the index's hot partitions in summary.json's indexes"
        } else if code.starts_with("Index") {
            "a global secondary index's reads are the limit (the table's are not affected)"
        } else if code.contains("KeyRange") {
            match s.billing_mode {
                "on_demand" => "partitions at their cap are the limit: a hot partition, or an on-demand table that has not yet grown to its traffic",
                _ => "a hot partition, not the table's provisioned capacity, is the limit",
            }
        } else if code.contains("Provisioned") {
            "the table's provisioned capacity is the limit"
        } else {
            "a throughput quota is the limit"
        };
        let which = match *n == r.throttled {
            true => format!("All {} throttles", group(*n)),
            false => format!("{} of {} throttles", group(*n), group(r.throttled)),
        };
        format!("{which} are {code}: {limit}.")
    });
    Verdict { level, headline, cause }
}

/// A latency in milliseconds, short: `5.0 ms`, `2.34 s`.
fn duration(ms: f64) -> String {
    if ms < 1_000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1_000.0)
    }
}

/// The figures every verdict shows, as (label, value, detail) in display order.
pub fn key_figures(s: &Summary) -> Vec<(&'static str, String, String)> {
    let r = &s.requests;
    let partitions = s.partitions.final_count.max(1);
    let hottest = match s.hot_partitions.first() {
        Some(p) => (
            percent(p.share_of_attempts),
            format!(
                "of attempts, partition id {}; {} partitions at the end (an even spread: {} each)",
                p.id,
                group(u64::from(partitions)),
                percent(1.0 / f64::from(partitions))
            ),
        ),
        None => ("none".to_string(), "no attempts".to_string()),
    };
    let month = &s.cost.per_month;
    let mut figures = vec![
        (
            "Throttle ratio",
            percent(s.throttle_ratio),
            format!("{} of {} attempts throttled", group(r.throttled), group(r.attempts)),
        ),
        (
            "Failed requests",
            group(r.failed),
            format!("{} of {} offered", percent(share(r.failed, r.offered)), group(r.offered)),
        ),
        ("Hottest partition", hottest.0, hottest.1),
        (
            "On demand, per month",
            usd(month.on_demand_usd),
            "the consumed units at on-demand prices, scaled to 730 hours".to_string(),
        ),
        (
            "Provisioned, per month",
            usd(month.provisioned_usd),
            format!(
                "{} RCU and {} WCU {}; {}; storage {} more",
                group(s.cost.provisioned_read_units.round() as u64),
                group(s.cost.provisioned_write_units.round() as u64),
                match s.billing_mode {
                    "on_demand" => "(the busiest second at 70% utilisation)",
                    _ if !s.indexes.is_empty() => "on average, as the table and its global indexes had them",
                    _ => "on average, as the table had them",
                },
                month.reserved_usd.map_or_else(
                    || "no reserved capacity for this table class".to_string(),
                    |r| format!("{} with 1-year reserved capacity", usd(r))
                ),
                usd(month.storage_usd)
            ),
        ),
        (
            "Latency p50 / p99",
            format!("{} / {}", duration(s.latency_ms.p50), duration(s.latency_ms.p99)),
            format!("max {}, end to end with retries", duration(s.latency_ms.max)),
        ),
    ];
    if let Some(p) = &s.preload {
        figures.push((
            "Preloaded",
            format!("{} items", group(p.items)),
            format!(
                "{:.2} GB stored before time zero; {} partitions at time zero",
                p.bytes as f64 / (1u64 << 30) as f64,
                group(u64::from(s.partitions.initial))
            ),
        ));
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_follows_failures_then_throttles_and_the_cause_the_top_reason() {
        let (mut s, _) = super::super::fixture::run();
        let v = verdict(&s);
        assert_eq!(v.level, Level::Failing);
        assert!(v.headline.ends_with("failed after their retries."), "{}", v.headline);
        let cause = v.cause.unwrap();
        assert!(cause.starts_with("All ") && cause.contains("a hot partition"), "{cause}");

        s.requests.failed = 0;
        assert_eq!(verdict(&s).level, Level::Throttled);
        s.throttles_by_reason.insert("TableReadProvisionedThroughputExceeded", s.requests.throttled * 2);
        let cause = verdict(&s).cause.unwrap();
        assert!(cause.contains("the table's provisioned capacity is the limit"), "{cause}");

        s.requests.throttled = 0;
        s.throttles_by_reason.clear();
        let v = verdict(&s);
        assert_eq!((v.level, v.cause), (Level::Healthy, None));
    }

    #[test]
    fn key_figures_word_the_summary() {
        let (s, _) = super::super::fixture::run();
        let figures = key_figures(&s);
        let labels: Vec<&str> = figures.iter().map(|f| f.0).collect();
        assert_eq!(
            labels,
            [
                "Throttle ratio",
                "Failed requests",
                "Hottest partition",
                "On demand, per month",
                "Provisioned, per month",
                "Latency p50 / p99"
            ]
        );
        assert_eq!(figures[0].1, percent(s.throttle_ratio));
        assert!(
            figures[2].2.contains("2 partitions at the end (an even spread: 50.00% each)"),
            "{}",
            figures[2].2
        );
        assert!(figures[4].2.starts_with("12,000 RCU and 100 WCU"), "{}", figures[4].2);
        let reserved = usd(s.cost.per_month.reserved_usd.unwrap());
        assert!(
            figures[4].2.contains(&format!("; {reserved} with 1-year reserved capacity;")),
            "{}",
            figures[4].2
        );
        assert_eq!((duration(5.0), duration(2_342.9)), ("5.0 ms".to_string(), "2.34 s".to_string()));
    }

    #[test]
    fn a_preload_adds_a_figure() {
        let (mut s, _) = super::super::fixture::run();
        s.preload = Some(crate::report::summary::Preload { items: 300_000, bytes: 3 << 30 });
        let figures = key_figures(&s);
        let last = figures.last().expect("figures");
        assert_eq!(
            (last.0, last.1.as_str(), last.2.as_str()),
            ("Preloaded", "300,000 items", "3.00 GB stored before time zero; 2 partitions at time zero")
        );
    }
}
