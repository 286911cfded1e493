//! Attribution scores, read exactly: a decimal string becomes a whole number of nano-units.
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Digits after the decimal point a score may have: scores are counted in 10⁻⁹ units.
pub const SCORE_DECIMALS: usize = 9;
/// Digits before the decimal point: one score is below 10¹⁸, so any sum of a few billion of them
/// fits in 128 bits.
pub const SCORE_INTEGER_DIGITS: usize = 18;

const NANO: u128 = 1_000_000_000;

/// A non-negative attribution score (an influence or token-attribution score) in nano-units.
///
/// Written as a decimal string — `"0.0421"`, `"3"` — never a JSON number, so every
/// implementation reads the same value with no floating point in between.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Score(pub u128);

impl Score {
    pub const ZERO: Score = Score(0);

    pub fn nano(self) -> u128 {
        self.0
    }

    pub fn checked_add(self, other: Score) -> Option<Score> {
        self.0.checked_add(other.0).map(Score)
    }
}

impl FromStr for Score {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("score '{s}' is not a non-negative decimal like \"0.25\" (at most {SCORE_DECIMALS} decimals)");
        let (whole, fraction) = match s.split_once('.') {
            Some((w, f)) if !f.is_empty() => (w, f),
            Some(_) => return Err(bad()),
            None => (s, ""),
        };
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > SCORE_INTEGER_DIGITS || !digits(whole) || !digits(fraction) {
            return Err(bad());
        }
        if fraction.len() > SCORE_DECIMALS {
            return Err(bad());
        }
        let whole: u128 = whole.parse().map_err(|_| bad())?;
        let mut nano = 0u128;
        for (i, b) in fraction.bytes().enumerate() {
            nano += u128::from(b - b'0') * 10u128.pow((SCORE_DECIMALS - 1 - i) as u32);
        }
        Ok(Score(whole * NANO + nano))
    }
}

/// The canonical form: no leading zeros, no trailing zeros after the point, no point for whole
/// numbers (`"0.5"`, `"12"`, `"0"`).
impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, nano) = (self.0 / NANO, self.0 % NANO);
        if nano == 0 {
            return write!(f, "{whole}");
        }
        let fraction = format!("{nano:09}");
        write!(f, "{whole}.{}", fraction.trim_end_matches('0'))
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly_and_written_canonically() {
        for (text, nano, canonical) in [
            ("0", 0, "0"),
            ("0.5", 500_000_000, "0.5"),
            ("0.500", 500_000_000, "0.5"),
            ("007.25", 7_250_000_000, "7.25"),
            ("0.000000001", 1, "0.000000001"),
            ("999999999999999999.999999999", 999_999_999_999_999_999_999_999_999, "999999999999999999.999999999"),
        ] {
            let score: Score = text.parse().expect(text);
            assert_eq!((score.nano(), score.to_string().as_str()), (nano, canonical), "{text}");
        }
        for bad in ["", "-1", "1e3", ".5", "5.", "0.0000000001", "1,5", " 1", "+1", "1000000000000000000", "NaN"] {
            assert!(bad.parse::<Score>().is_err(), "{bad:?} accepted");
        }
    }
}
