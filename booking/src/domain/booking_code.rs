//! The booking code: a short code a resident can read aloud over the phone or type from a
//! note, `K7M-4QX-9P`. Eight characters from an alphabet of 32 without the look-alikes 0/O and
//! 1/I; the last is a check character, so a mistyped or misheard code is refused before any
//! lookup instead of reaching someone else's appointment.
//!
//! The check is Damm's algorithm over a totally anti-symmetric quasigroup of order 32:
//! `x * y = 2x + y` in GF(32) (polynomial x^5 + x^2 + 1). Every row and column of that table
//! is a permutation, so any single substitution changes the result; and
//! `(c*x)*y = (c*y)*x` only when `x = y`, so any swap of two adjacent characters (the check
//! character included) is caught too. The property tests below check both.

use rand::Rng;
use std::fmt;

/// No 0, O, 1 or I: they are misread and misheard for each other.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Seven random characters (35 bits) and the check character.
pub const LENGTH: usize = 8;

/// Multiplication by 2 (the element x) in GF(32) modulo x^5 + x^2 + 1.
fn double(v: u8) -> u8 {
    let shifted = v << 1;
    if shifted & 0x20 != 0 {
        (shifted ^ 0x25) & 0x1f
    } else {
        shifted
    }
}

/// The quasigroup operation: `2·interim + digit` (addition in GF(32) is XOR).
fn step(interim: u8, digit: u8) -> u8 {
    double(interim) ^ digit
}

/// The check value: 0 for a whole code whose check character is right.
fn fold(values: &[u8]) -> u8 {
    values.iter().fold(0, |interim, v| step(interim, *v))
}

/// The check character for the given values: the one `c` with `interim * c = 0`.
fn check_value(values: &[u8]) -> u8 {
    double(fold(values))
}

fn value_of(c: char) -> Option<u8> {
    ALPHABET
        .iter()
        .position(|a| *a as char == c)
        .map(|p| p as u8)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BookingCode(String);

/// Why a typed code was refused; the words are the same for every reason on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeProblem {
    /// Not 8 characters of the alphabet after removing spaces and dashes.
    Shape,
    /// The check character does not fit: a typing or hearing mistake.
    Check,
}

impl BookingCode {
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let values: Vec<u8> = (0..LENGTH - 1)
            .map(|_| rng.gen_range(0..ALPHABET.len() as u8))
            .collect();
        Self::from_values(&values)
    }

    /// The code for seven values (each below 32) with its check character.
    fn from_values(values: &[u8]) -> Self {
        let mut all = values.to_vec();
        all.push(check_value(values));
        Self(all.iter().map(|v| ALPHABET[*v as usize] as char).collect())
    }

    /// As people type or read it: any case, with spaces or dashes anywhere.
    pub fn parse(raw: &str) -> Result<Self, CodeProblem> {
        let plain: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
            .flat_map(char::to_uppercase)
            .collect();
        if plain.chars().count() != LENGTH {
            return Err(CodeProblem::Shape);
        }
        let values: Vec<u8> = plain
            .chars()
            .map(value_of)
            .collect::<Option<_>>()
            .ok_or(CodeProblem::Shape)?;
        if fold(&values) != 0 {
            return Err(CodeProblem::Check);
        }
        Ok(Self(plain))
    }

    /// As stored: eight characters, no separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud: `K7M-4QX-9P`.
    pub fn grouped(&self) -> String {
        format!("{}-{}-{}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

impl fmt::Display for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code_values() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0u8..32, LENGTH - 1)
    }

    #[test]
    fn generated_codes_parse_in_any_case_and_grouping() {
        for _ in 0..200 {
            let code = BookingCode::generate();
            assert_eq!(code.as_str().len(), LENGTH);
            assert!(!code.as_str().contains(['0', 'O', '1', 'I']));
            assert_eq!(BookingCode::parse(&code.grouped()), Ok(code.clone()));
            assert_eq!(
                BookingCode::parse(&code.as_str().to_lowercase()),
                Ok(code.clone())
            );
            assert_eq!(code.grouped().len(), LENGTH + 2);
        }
    }

    #[test]
    fn wrong_shapes_are_refused() {
        assert_eq!(BookingCode::parse(""), Err(CodeProblem::Shape));
        assert_eq!(BookingCode::parse("ABC"), Err(CodeProblem::Shape));
        assert_eq!(BookingCode::parse("OOOOOOOO"), Err(CodeProblem::Shape));
        assert_eq!(BookingCode::parse("22222222222"), Err(CodeProblem::Shape));
    }

    #[test]
    fn the_quasigroup_is_totally_anti_symmetric() {
        // Checked over the whole table: rows and columns are permutations, and
        // (c*x)*y == (c*y)*x only for x == y.
        for c in 0..32u8 {
            let row: std::collections::HashSet<u8> = (0..32).map(|y| step(c, y)).collect();
            let col: std::collections::HashSet<u8> = (0..32).map(|x| step(x, c)).collect();
            assert_eq!((row.len(), col.len()), (32, 32));
            for x in 0..32u8 {
                for y in 0..32u8 {
                    if x != y {
                        assert_ne!(step(step(c, x), y), step(step(c, y), x));
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_single_substitution_is_caught(values in code_values(), at in 0..LENGTH, by in 1u8..32) {
            let code = BookingCode::from_values(&values);
            let mut chars: Vec<u8> = code.as_str().bytes().collect();
            let old = value_of(chars[at] as char).unwrap();
            chars[at] = ALPHABET[((old + by) % 32) as usize];
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(BookingCode::parse(&typo), Err(CodeProblem::Check));
        }

        #[test]
        fn any_adjacent_transposition_is_caught(values in code_values(), at in 0..LENGTH - 1) {
            let code = BookingCode::from_values(&values);
            let mut chars: Vec<u8> = code.as_str().bytes().collect();
            prop_assume!(chars[at] != chars[at + 1]);
            chars.swap(at, at + 1);
            let swapped = String::from_utf8(chars).unwrap();
            prop_assert_eq!(BookingCode::parse(&swapped), Err(CodeProblem::Check));
        }

        #[test]
        fn every_code_made_from_values_is_accepted(values in code_values()) {
            let code = BookingCode::from_values(&values);
            prop_assert_eq!(BookingCode::parse(code.as_str()), Ok(code.clone()));
        }
    }
}
