//! Temporary Zipf sampler (to be replaced by the fast exact sampler).
use rand_distr::Distribution;

#[derive(Clone, Debug)]
pub struct Zipf {
    inner: rand_distr::Zipf<f64>,
    count: u64,
    exponent: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ZipfError {
    ZeroCount,
    BadExponent(f64),
}

impl std::fmt::Display for ZipfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZipfError::ZeroCount => write!(f, "zipf count must be at least 1"),
            ZipfError::BadExponent(e) => {
                write!(f, "zipf exponent must be positive and finite, got {e}")
            }
        }
    }
}
impl std::error::Error for ZipfError {}

impl Zipf {
    pub fn new(count: u64, exponent: f64) -> Result<Zipf, ZipfError> {
        if count == 0 {
            return Err(ZipfError::ZeroCount);
        }
        if !(exponent > 0.0 && exponent.is_finite()) {
            return Err(ZipfError::BadExponent(exponent));
        }
        let inner =
            rand_distr::Zipf::new(count as f64, exponent).map_err(|_| ZipfError::BadExponent(exponent))?;
        Ok(Zipf { inner, count, exponent })
    }
    pub fn count(&self) -> u64 {
        self.count
    }
    pub fn exponent(&self) -> f64 {
        self.exponent
    }
    #[inline]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        self.inner.sample(rng) as u64 - 1
    }
}
