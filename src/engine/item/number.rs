//! DynamoDB number values (MODEL.md §1.2): kept as the decimal string the client sent, as
//! DynamoDB does, together with a normalised form (sign, significant digits, magnitude) used for
//! sizing, range checks and set-element equality.
//!
//! Invariant: a [`Number`] exists only if its text is a decimal number with at most 38
//! significant digits whose magnitude is within DynamoDB's range (1E-130 to
//! 9.9999999999999999999999999999999999999E+125, either sign, or zero).

use std::fmt;

/// Most significant digits a number may have (MODEL.md §1.2: "at most 38 significant digits").
pub const MAX_SIGNIFICANT_DIGITS: usize = 38;
/// Largest decimal exponent of a number's leading digit: 9.99...E+125 is the largest magnitude.
pub const MAX_MAGNITUDE: i64 = 125;
/// Smallest decimal exponent of a number's leading digit: 1E-130 is the smallest non-zero
/// magnitude.
pub const MIN_MAGNITUDE: i64 = -130;

/// Why a string is not a DynamoDB number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// The text is not a decimal number (optional sign, digits, optional fraction and exponent).
    #[error("\"{0}\" is not a number")]
    Syntax(String),
    /// More than [`MAX_SIGNIFICANT_DIGITS`] significant digits.
    #[error("\"{text}\" has {digits} significant digits; numbers have at most 38")]
    TooManyDigits {
        /// The number as written.
        text: String,
        /// Its significant digits, leading and trailing zeroes trimmed.
        digits: usize,
    },
    /// The magnitude is outside 1E-130 ..= 9.99...E+125.
    #[error("\"{0}\" is out of range: numbers are 1E-130 to 9.99E+125 in magnitude, or 0")]
    OutOfRange(String),
}

/// A validated DynamoDB number.
#[derive(Clone, Debug)]
pub struct Number {
    text: Box<str>,
    negative: bool,
    /// Significant digits, leading and trailing zeroes trimmed; empty for zero.
    digits: Box<str>,
    /// Decimal exponent of the leading significant digit (value = d.ddd × 10^magnitude).
    magnitude: i64,
}

impl Number {
    /// Parses a number as DynamoDB accepts it: `[+-]digits[.digits][(e|E)[+-]digits]`, with
    /// digits on at least one side of the point.
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let syntax = || NumberError::Syntax(text.to_string());
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..]).ok_or_else(syntax)?),
            None => (unsigned, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part) {
            return Err(syntax());
        }
        let joined: String = [int_part, frac_part].concat();
        let leading = joined.len() - joined.trim_start_matches('0').len();
        let digits = joined.trim_matches('0');
        if digits.is_empty() {
            return Ok(Number { text: text.into(), negative: false, digits: "".into(), magnitude: 0 });
        }
        if digits.len() > MAX_SIGNIFICANT_DIGITS {
            return Err(NumberError::TooManyDigits { text: text.to_string(), digits: digits.len() });
        }
        // The leading significant digit sits `leading` places after the start of the joined
        // digits, whose first digit has exponent int_part.len() - 1.
        let magnitude = exponent.saturating_add(int_part.len() as i64 - 1 - leading as i64);
        if !(MIN_MAGNITUDE..=MAX_MAGNITUDE).contains(&magnitude) {
            return Err(NumberError::OutOfRange(text.to_string()));
        }
        Ok(Number { text: text.into(), negative, digits: digits.into(), magnitude })
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Significant digits, leading and trailing zeroes trimmed (0 for zero).
    pub fn significant_digits(&self) -> usize {
        self.digits.len()
    }

    /// Bytes the value takes (without an attribute name): 1 byte per two significant digits,
    /// plus 1 (MODEL.md §1.2, example A2). Zero counts as one digit, 2 bytes, as
    /// [`crate::engine::key::number_size_bytes`] does for number keys.
    pub fn size_bytes(&self) -> u64 {
        let digits = self.significant_digits().max(1) as u64;
        digits.div_ceil(2) + 1
    }

    /// The normalised value: equal for numbers that DynamoDB considers equal ("1" and
    /// "1.0E0"), so a number set can reject duplicates.
    pub fn normalized(&self) -> (bool, i64, &str) {
        (self.negative, self.magnitude, &self.digits)
    }
}

/// An exponent's digits, with an optional sign. Long exponents saturate, which keeps them out
/// of range instead of overflowing.
fn parse_exponent(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value =
        digits.bytes().fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')));
    Some(if negative { -value } else { value })
}

impl PartialEq for Number {
    /// Numerical equality: "1000" equals "1E3".
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}

impl Eq for Number {}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::key::number_size_bytes;

    fn digits(text: &str) -> usize {
        Number::parse(text).expect(text).significant_digits()
    }

    #[test]
    fn leading_and_trailing_zeroes_are_trimmed() {
        assert_eq!(digits("0.000100"), 1);
        assert_eq!(digits("-1.5E3"), 2);
        assert_eq!(digits("1000"), 1);
        assert_eq!(digits("123456"), 6);
        assert_eq!(digits("00120.0340"), 6); // 120034: inner zeroes count
        assert_eq!(digits("0"), 0);
        assert_eq!(digits("-0.000"), 0);
        assert_eq!(digits(".5"), 1);
        assert_eq!(digits("5."), 1);
        assert_eq!(digits("+7e-2"), 1);
    }

    /// MODEL.md §1.2: 1 byte per two significant digits, plus 1.
    #[test]
    fn sizes_follow_the_significant_digit_rule() {
        let size = |text: &str| Number::parse(text).expect(text).size_bytes();
        assert_eq!(size("123456"), 4); // A2: 4 + the 1-byte name "n" = 5
        assert_eq!(size("0.000100"), 2);
        assert_eq!(size("-1.5E3"), 2);
        assert_eq!(size("1000"), 2);
        assert_eq!(size("12345"), 4);
        assert_eq!(size("0"), 2);
        assert_eq!(size(&"9".repeat(38)), 20);
    }

    /// A number attribute and a number key of the same value have the same size.
    #[test]
    fn sizes_agree_with_number_keys() {
        for n in [0i64, 7, -12, 100, 123_456, 1_000_000, 98_765_432_100, i64::MIN, i64::MAX] {
            let text = n.to_string();
            assert_eq!(Number::parse(&text).expect(&text).size_bytes(), number_size_bytes(n), "{n}");
        }
    }

    #[test]
    fn range_limits_are_1e_minus_130_to_just_under_1e126() {
        assert!(Number::parse("1E-130").is_ok());
        assert!(Number::parse("-1E-130").is_ok());
        assert!(Number::parse("0.01E-128").is_ok());
        assert!(Number::parse(&format!("9.{}E+125", "9".repeat(37))).is_ok());
        assert!(Number::parse("0E999999").is_ok(), "zero is in range whatever its exponent");
        for text in ["1E-131", "1E126", "10E125", "-1E126", "1E99999999999999999999999"] {
            assert_eq!(Number::parse(text), Err(NumberError::OutOfRange(text.into())), "{text}");
        }
    }

    #[test]
    fn at_most_38_significant_digits() {
        assert!(Number::parse(&"1".repeat(38)).is_ok());
        assert!(Number::parse(&format!("{}000", "1".repeat(38))).is_ok(), "trailing zeroes are free");
        let text = "1".repeat(39);
        assert_eq!(Number::parse(&text), Err(NumberError::TooManyDigits { text: text.clone(), digits: 39 }));
        assert_eq!(
            Number::parse(&text).map_err(|e| e.to_string()),
            Err(format!("\"{text}\" has 39 significant digits; numbers have at most 38"))
        );
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        for text in
            ["", "-", "+", ".", "abc", "1e", "1e+", "1.2.3", " 1", "1 ", "0x10", "NaN", "Infinity", "1_000"]
        {
            assert_eq!(Number::parse(text), Err(NumberError::Syntax(text.into())), "{text:?}");
        }
    }

    #[test]
    fn equality_is_numerical_and_the_text_is_kept() {
        let n = |t: &str| Number::parse(t).expect(t);
        assert_eq!(n("1000"), n("1E3"));
        assert_eq!(n("0.5"), n("5e-1"));
        assert_eq!(n("0"), n("-0.0"));
        assert_ne!(n("1"), n("-1"));
        assert_ne!(n("1"), n("10"));
        assert_eq!(n("1.50").as_str(), "1.50");
        assert_eq!(n("-1.5E3").to_string(), "-1.5E3");
    }
}
