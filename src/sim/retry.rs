//! The client's retry strategy for throttled attempts (MODEL.md §6.5).
//!
//! A profile fixes the number of attempts, the backoff (exponential, with full jitter or none,
//! capped) and an optional retry quota, as the AWS SDKs implement them. The client is the only
//! place that knows about retries; the table sees attempts.

use crate::rng::{unit_f64, StreamRng};

/// How the delay before a retry is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// The delay is exactly `base x growth^(n-1)` (botocore legacy mode).
    None,
    /// The delay is uniform in `[0, min(base x 2^(n-1), cap))` (standard mode).
    Full,
}

/// The retry quota of standard mode (MODEL.md §6.5, [BOTO] `quota.py`): a bucket of tokens;
/// each retry takes `retry_cost`, a success without retries returns `no_retry_increment`, and a
/// success after retries returns the cost of its last retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QuotaParams {
    /// Tokens at start and at most (500).
    pub capacity: u32,
    /// Tokens a retry of a throttled attempt takes (5).
    pub retry_cost: u32,
    /// Tokens a first-try success returns (1).
    pub no_retry_increment: u32,
}

/// The standard-mode quota of botocore and the cross-SDK specification.
pub const STANDARD_QUOTA: QuotaParams = QuotaParams { capacity: 500, retry_cost: 5, no_retry_increment: 1 };

/// A retry profile.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RetryProfile {
    /// Profile name as written in a scenario.
    pub name: String,
    /// Attempts in all, the first included (1 means no retry).
    pub max_attempts: u32,
    /// Delay scale of the first retry, microseconds.
    pub base_us: u64,
    /// Factor between successive delays.
    pub growth: f64,
    /// Largest delay, microseconds.
    pub cap_us: u64,
    /// Jitter kind.
    pub jitter: Jitter,
    /// Retry quota, if the profile has one.
    pub quota: Option<QuotaParams>,
}

impl RetryProfile {
    /// No retries: a throttled attempt fails the request.
    pub fn none() -> RetryProfile {
        RetryProfile {
            name: "none".into(),
            max_attempts: 1,
            base_us: 0,
            growth: 1.0,
            cap_us: 0,
            jitter: Jitter::None,
            quota: None,
        }
    }

    /// The AWS SDKs' standard mode (MODEL.md §6.5, §12 I2): 3 attempts, delay U(0, 1 s) then
    /// U(0, 2 s), capped at 20 s, with the 500-token retry quota.
    pub fn aws_sdk_standard() -> RetryProfile {
        RetryProfile {
            name: "aws-sdk-standard".into(),
            max_attempts: 3,
            base_us: 1_000_000,
            growth: 2.0,
            cap_us: 20_000_000,
            jitter: Jitter::Full,
            quota: Some(STANDARD_QUOTA),
        }
    }

    /// botocore's legacy mode for DynamoDB, the boto3 default (MODEL.md §6.5, §12 I1): 10
    /// attempts, 50 ms doubling, no jitter, no quota.
    pub fn botocore_legacy() -> RetryProfile {
        RetryProfile {
            name: "botocore-legacy".into(),
            max_attempts: 10,
            base_us: 50_000,
            growth: 2.0,
            cap_us: u64::MAX,
            jitter: Jitter::None,
            quota: None,
        }
    }

    /// The Java SDK v2 DynamoDB client (MODEL.md §6.5, §12 I3): 9 attempts, 25 ms base, full
    /// jitter, 20 s cap, with the standard quota.
    pub fn java_v2() -> RetryProfile {
        RetryProfile {
            name: "java-v2".into(),
            max_attempts: 9,
            base_us: 25_000,
            growth: 2.0,
            cap_us: 20_000_000,
            jitter: Jitter::Full,
            quota: Some(STANDARD_QUOTA),
        }
    }

    /// The profile named `name`, if there is one.
    pub fn by_name(name: &str) -> Option<RetryProfile> {
        match name {
            "none" => Some(RetryProfile::none()),
            "aws-sdk-standard" | "standard" => Some(RetryProfile::aws_sdk_standard()),
            "botocore-legacy" | "legacy" => Some(RetryProfile::botocore_legacy()),
            "java-v2" => Some(RetryProfile::java_v2()),
            _ => None,
        }
    }

    /// Names accepted by [`RetryProfile::by_name`].
    pub const NAMES: [&'static str; 4] = ["none", "aws-sdk-standard", "botocore-legacy", "java-v2"];

    /// The delay before retrying after failed attempt number `attempt` (1-based), microseconds.
    pub fn delay_us(&self, attempt: u32, rng: &mut StreamRng) -> u64 {
        let exponent = attempt.saturating_sub(1).min(62) as i32;
        let ceiling = (self.base_us as f64 * self.growth.powi(exponent)).min(self.cap_us as f64);
        match self.jitter {
            Jitter::None => ceiling as u64,
            Jitter::Full => (unit_f64(rng) * ceiling) as u64,
        }
    }
}

/// The round trip of one attempt as the client sees it, before any backoff.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyModel {
    /// Every attempt takes this many microseconds.
    Constant(u64),
    /// Log-normal: `exp(mu + sigma x N(0, 1))` microseconds (mu, sigma of the logarithm).
    LogNormal {
        /// Mean of the logarithm of microseconds.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

/// The 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874;

impl LatencyModel {
    /// A log-normal latency from its median and 99th percentile, microseconds.
    pub fn log_normal(median_us: f64, p99_us: f64) -> LatencyModel {
        LatencyModel::LogNormal { mu: median_us.ln(), sigma: (p99_us / median_us).ln() / Z_99 }
    }

    /// One attempt's latency, microseconds (at least 1).
    #[inline(always)]
    pub fn draw(&self, rng: &mut StreamRng) -> u64 {
        match *self {
            LatencyModel::Constant(us) => us,
            LatencyModel::LogNormal { mu, sigma } => {
                use rand_distr::Distribution;
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                ((mu + sigma * z).exp().round() as u64).max(1)
            }
        }
    }
}

/// The client's retry-quota state.
#[derive(Clone, Debug)]
pub struct RetryQuota {
    params: Option<QuotaParams>,
    available: u32,
}

impl RetryQuota {
    /// A full quota for `profile` (unlimited if the profile has none).
    pub fn new(profile: &RetryProfile) -> RetryQuota {
        RetryQuota { params: profile.quota, available: profile.quota.map_or(0, |q| q.capacity) }
    }

    /// Takes the cost of one retry; false when the quota is exhausted and the retry is refused.
    pub fn acquire(&mut self) -> bool {
        let Some(q) = self.params else { return true };
        if self.available >= q.retry_cost {
            self.available -= q.retry_cost;
            true
        } else {
            false
        }
    }

    /// Records a success, `retried` telling whether the request needed retries.
    #[inline(always)]
    pub fn on_success(&mut self, retried: bool) {
        let Some(q) = self.params else { return };
        // Without a branch: whether the quota is full is unpredictable while throttles drain it.
        let refund = std::hint::select_unpredictable(retried, q.retry_cost, q.no_retry_increment);
        self.available = (self.available + refund).min(q.capacity);
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// MODEL.md §12 I1: botocore legacy waits 50 ms doubling, 25.55 s over 9 retries.
    #[test]
    fn botocore_legacy_delays() {
        let p = RetryProfile::botocore_legacy();
        let mut rng = stream(1, "retry");
        let delays: Vec<u64> = (1..p.max_attempts).map(|a| p.delay_us(a, &mut rng) / 1_000).collect();
        assert_eq!(delays, [50, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800]);
        assert_eq!(delays.iter().sum::<u64>(), 25_550);
    }

    /// MODEL.md §12 I2: standard mode delays are U(0, 1 s) then U(0, 2 s).
    #[test]
    fn standard_delays_are_full_jitter() {
        let p = RetryProfile::aws_sdk_standard();
        let mut rng = stream(2, "retry");
        let first: Vec<u64> = (0..10_000).map(|_| p.delay_us(1, &mut rng)).collect();
        let second: Vec<u64> = (0..10_000).map(|_| p.delay_us(2, &mut rng)).collect();
        assert!(first.iter().all(|&d| d < 1_000_000));
        assert!(second.iter().all(|&d| d < 2_000_000));
        let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
        assert!((mean(&first) - 500_000.0).abs() < 15_000.0);
        assert!((mean(&second) - 1_000_000.0).abs() < 30_000.0);
        assert!(p.delay_us(30, &mut rng) < 20_000_000, "capped at 20 s");
    }

    /// MODEL.md §12 I2: 500 tokens at 5 per retry allow 100 retries before retries stop.
    #[test]
    fn standard_quota_allows_100_retries() {
        let mut quota = RetryQuota::new(&RetryProfile::aws_sdk_standard());
        assert_eq!((0..150).filter(|_| quota.acquire()).count(), 100);
        quota.on_success(false);
        assert_eq!(quota.available(), 1);
        quota.on_success(true);
        assert_eq!(quota.available(), 6);
        assert!(quota.acquire());
    }

    #[test]
    fn log_normal_latency_has_its_median_and_p99() {
        let model = LatencyModel::log_normal(4_000.0, 20_000.0);
        let mut rng = stream(4, "latency");
        let mut draws: Vec<u64> = (0..100_000).map(|_| model.draw(&mut rng)).collect();
        draws.sort_unstable();
        let (median, p99) = (draws[50_000] as f64, draws[99_000] as f64);
        assert!((median - 4_000.0).abs() < 100.0, "{median}");
        assert!((p99 - 20_000.0).abs() < 1_000.0, "{p99}");
    }

    #[test]
    fn no_quota_means_unlimited_retries() {
        let mut quota = RetryQuota::new(&RetryProfile::botocore_legacy());
        assert!((0..10_000).all(|_| quota.acquire()));
    }
}
