//! Means and 95% confidence intervals over the runs of several seeds (Student's t).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The mean of some samples and, with two or more, the 95% confidence interval of the mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Arithmetic mean.
    pub mean: f64,
    /// `[low, high]`: mean ± t(0.975, n-1) · s / √n; `None` for a single sample.
    pub ci95: Option<[f64; 2]>,
}

impl Estimate {
    /// Whether the intervals of `self` and `other` share a point (a single sample is a point).
    pub fn overlaps(&self, other: &Estimate) -> bool {
        let [a_low, a_high] = self.ci95.unwrap_or([self.mean, self.mean]);
        let [b_low, b_high] = other.ci95.unwrap_or([other.mean, other.mean]);
        a_low <= b_high && b_low <= a_high
    }

    /// Half the interval's width, 0 without one.
    pub fn half_width(&self) -> f64 {
        self.ci95.map_or(0.0, |[low, high]| (high - low) / 2.0)
    }
}

/// Rounds to 9 decimals, as summaries do, so that figures print and compare stably.
pub fn round(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The estimate of `samples`' mean; `samples` must not be empty (a mean of nothing is 0).
pub fn estimate(samples: &[f64]) -> Estimate {
    let n = samples.len();
    if n == 0 {
        return Estimate { mean: 0.0, ci95: None };
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate { mean: round(mean), ci95: None };
    }
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).map_or(f64::NAN, |d| d.inverse_cdf(0.975));
    let half = t * (variance / n as f64).sqrt();
    Estimate { mean: round(mean), ci95: Some([round(mean - half), round(mean + half)]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_uses_students_t() {
        // n = 4, mean 2.5, s = 1.2910, t(0.975, 3) = 3.1824: half width 2.0543.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        let [low, high] = e.ci95.expect("an interval");
        assert!((high - 2.5 - 2.054_3).abs() < 1e-3 && (2.5 - low - 2.054_3).abs() < 1e-3, "{low} {high}");
        assert_eq!(estimate(&[7.0]), Estimate { mean: 7.0, ci95: None });
        assert_eq!(estimate(&[3.0, 3.0]).ci95, Some([3.0, 3.0]));
    }

    #[test]
    fn overlap_is_symmetric_and_points_are_intervals() {
        let a = Estimate { mean: 1.0, ci95: Some([0.5, 1.5]) };
        let b = Estimate { mean: 2.0, ci95: Some([1.4, 2.6]) };
        let c = Estimate { mean: 3.0, ci95: None };
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c) && !c.overlaps(&b));
        assert!(c.overlaps(&Estimate { mean: 3.0, ci95: None }));
    }
}
