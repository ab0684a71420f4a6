//! Text a person types, parsed once at the edge: a name, a line or a note of free text, a
//! phone number. Parsing normalises Unicode to NFC, trims, bounds the length in characters and
//! refuses control characters (C0 and C1, NUL included), so nothing downstream (a mail header,
//! a calendar invite, PostgreSQL) meets a character it cannot carry. Line breaks are allowed
//! only in multi-line notes. Accents, apostrophes, hyphens, right-to-left text and emoji are
//! ordinary characters and stay.

use crate::error::{Error, Words};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Why typed text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong { max: usize },
    ControlCharacter,
    LineBreak,
    NotAPhoneNumber,
}

impl TextProblem {
    /// The refusal of the request field at `pointer` (e.g. `/name`), in words a person
    /// understands.
    pub fn at(self, pointer: &str) -> Error {
        let key = pointer.rsplit('/').next().unwrap_or(pointer);
        Error::invalid_because(pointer, self.message(key))
    }

    /// The same refusal as Dutch and English words, naming the field by its key.
    pub fn message(&self, key: &str) -> Words {
        match self {
            TextProblem::Empty => Words::new(
                format!("Het veld ‘{key}’ is leeg; vul het in."),
                format!("The field ‘{key}’ is empty; fill it in."),
            ),
            TextProblem::TooLong { max } => Words::new(
                format!("Het veld ‘{key}’ mag hoogstens {max} tekens lang zijn."),
                format!("The field ‘{key}’ can be at most {max} characters long."),
            ),
            TextProblem::ControlCharacter => Words::new(
                format!("Het veld ‘{key}’ bevat een onzichtbaar stuurteken; typ de tekst opnieuw zonder dat teken."),
                format!("The field ‘{key}’ contains an invisible control character; type the text again without it."),
            ),
            TextProblem::LineBreak => Words::new(
                format!("Het veld ‘{key}’ moet op één regel passen."),
                format!("The field ‘{key}’ must fit on one line."),
            ),
            TextProblem::NotAPhoneNumber => Words::new(
                "Geef een telefoonnummer, bijvoorbeeld 06 12345678 of +31 6 12345678.",
                "Give a phone number, e.g. 06 12345678 or +31 6 12345678.",
            ),
        }
    }
}

/// Whether a text may span lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// NFC, line breaks unified to `\n` (only where allowed), no other control characters, trimmed,
/// at most `max` characters. Empty text is returned empty; the types decide whether it may be.
fn clean(raw: &str, lines: Lines, max: usize) -> Result<String, TextProblem> {
    let normalised: String = raw.replace("\r\n", "\n").nfc().collect();
    for c in normalised.chars() {
        let line_break = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
        if line_break {
            if lines == Lines::One {
                return Err(TextProblem::LineBreak);
            }
            if c == '\n' {
                continue;
            }
        }
        // `char::is_control` is exactly C0, DEL and C1.
        if c.is_control() || line_break {
            return Err(TextProblem::ControlCharacter);
        }
    }
    let text = normalised.trim();
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(text.to_string())
}

/// A person's name: one line, 1 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, TextProblem> {
        let name = clean(raw, Lines::One, Self::MAX_CHARS)?;
        if name.is_empty() {
            return Err(TextProblem::Empty);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text: a line (a service's name, a reason) or a note over several lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeText(String);

impl FreeText {
    /// Text that must be there.
    pub fn parse(raw: &str, lines: Lines, max: usize) -> Result<Self, TextProblem> {
        let text = clean(raw, lines, max)?;
        if text.is_empty() {
            return Err(TextProblem::Empty);
        }
        Ok(Self(text))
    }

    /// Text that may be left out: empty (or only spaces) is `None`.
    pub fn optional(raw: &str, lines: Lines, max: usize) -> Result<Option<Self>, TextProblem> {
        let text = clean(raw, lines, max)?;
        Ok((!text.is_empty()).then_some(Self(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The language a resident speaks or the interpreter they need, as they typed it: "Arabisch,
/// tolk nodig", "Engels", "Gebarentaal". One line of at most 80 characters; blank is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageNeed(String);

impl LanguageNeed {
    pub const MAX_CHARS: usize = 80;

    /// Blank (or only spaces) is `None`: the need is optional.
    pub fn optional(raw: &str) -> Result<Option<Self>, TextProblem> {
        let text = clean(raw, Lines::One, Self::MAX_CHARS)?;
        Ok((!text.is_empty()).then_some(Self(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for LanguageNeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 (`+31612345678`). Accepts it as people type it: with spaces, dashes,
/// dots and brackets, `00` for `+`, and Dutch national numbers (`06-12345678`, `020 123 4567`),
/// which become `+31` and the nine digits after the leading 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// E.164 allows at most 15 digits; the shortest national numbers have 8.
    const DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

    pub fn parse(raw: &str) -> Result<Self, TextProblem> {
        let typed = clean(raw, Lines::One, 40)?;
        if typed.is_empty() {
            return Err(TextProblem::Empty);
        }
        // "+31 (0)70 ..." writes the national 0 beside the country code; it is not dialled.
        let typed = typed.replace("(0)", "");
        let mut digits = String::new();
        for (i, c) in typed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' | '/' => {}
                _ => return Err(TextProblem::NotAPhoneNumber),
            }
        }
        let international = if typed.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(national) = digits.strip_prefix('0') {
            // A Dutch number: 0 and nine digits.
            if national.len() != 9 {
                return Err(TextProblem::NotAPhoneNumber);
            }
            format!("31{national}")
        } else {
            return Err(TextProblem::NotAPhoneNumber);
        };
        let dutch_ok = !international.starts_with("31") || international.len() == 11;
        if !Self::DIGITS.contains(&international.len())
            || international.starts_with('0')
            || !dutch_ok
        {
            return Err(TextProblem::NotAPhoneNumber);
        }
        Ok(Self(format!("+{international}")))
    }

    /// A number residents call the municipality on: any number `parse` takes, or a Dutch
    /// municipal short number, 14 and the area code without its 0 (`14 030`), stored as
    /// digits (`14030`). Short numbers are not E.164: they work only from within the
    /// Netherlands, which is where the municipality's residents call from.
    pub fn parse_for_municipality(raw: &str) -> Result<Self, TextProblem> {
        let typed = clean(raw, Lines::One, 40)?;
        let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let short = digits.starts_with("140")
            && (5..=6).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if short {
            return Ok(Self(digits));
        }
        Self::parse(raw)
    }

    /// A number read back from the database: parsed again, or kept as stored when it was
    /// stored before numbers were parsed (it was checked for its shape then).
    pub fn from_stored(stored: String) -> Self {
        Self::parse(&stored).unwrap_or(Self(stored))
    }

    /// As people read it: a short number grouped (`14 030`), others as stored.
    pub fn in_words(&self) -> String {
        match self.0.strip_prefix("14") {
            Some(area) if !self.0.starts_with('+') => format!("14 {area}"),
            _ => self.0.clone(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored value made safe for one line of a mail header or a calendar parameter: control
/// characters (a value stored before parsing existed could hold CR or LF) become spaces.
pub fn one_line(stored: &str) -> String {
    stored
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_municipality_may_give_its_14_short_number() {
        let short = PhoneNumber::parse_for_municipality("14 030").unwrap();
        assert_eq!(short.as_str(), "14030");
        assert_eq!(short.in_words(), "14 030");
        assert_eq!(
            PhoneNumber::parse_for_municipality("14-0411")
                .unwrap()
                .as_str(),
            "140411"
        );
        assert_eq!(
            PhoneNumber::parse_for_municipality("020 123 4567")
                .unwrap()
                .as_str(),
            "+31201234567"
        );
        for bad in [
            "14",
            "1403",
            "1412345",
            "14 0301 2",
            "bel ons",
            "14\u{0}030",
            "",
        ] {
            assert!(PhoneNumber::parse_for_municipality(bad).is_err(), "{bad:?}");
        }
        // Residents give a number the municipality can call back: no short numbers.
        assert!(PhoneNumber::parse("14 030").is_err());
    }

    #[test]
    fn names_from_everywhere_stay_valid() {
        for name in [
            "Jan de Vries",
            "Zoë d'Ancona-Brontë",
            "Ğülşen Çelik",
            "محمد العلي",
            "שרה כהן",
            "Anna 🌷",
            "O'Brien",
            "José María",
        ] {
            assert_eq!(PersonName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn names_are_trimmed_and_normalised_to_nfc() {
        // "e" with a combining acute accent becomes the single character "é".
        let name = PersonName::parse("  Rene\u{301} ").unwrap();
        assert_eq!(name.as_str(), "René");
        assert_eq!(name.as_str().chars().count(), 4);
    }

    #[test]
    fn control_characters_are_refused_everywhere() {
        for bad in [
            "Jan\u{0}Vries",
            "Jan\u{7}Vries",
            "Jan\u{1b}[31mVries",
            "Jan\u{7f}",
            "Jan\u{85}Vries",
            "Jan\u{9b}Vries",
            "Jan\tVries",
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?}");
            assert!(FreeText::parse(bad, Lines::Many, 100).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn line_breaks_only_in_multi_line_notes() {
        for bad in [
            "Jan\nORGANIZER:mailto:evil@example.org",
            "Jan\rVries",
            "Jan\r\nVries",
            "Jan\u{2028}Vries",
        ] {
            assert_eq!(
                PersonName::parse(bad),
                Err(TextProblem::LineBreak),
                "{bad:?}"
            );
            assert_eq!(
                FreeText::parse(bad, Lines::One, 100),
                Err(TextProblem::LineBreak)
            );
        }
        let note = FreeText::parse("regel een\r\nregel twee\n", Lines::Many, 100).unwrap();
        assert_eq!(note.as_str(), "regel een\nregel twee");
        assert_eq!(
            FreeText::parse("a\rb", Lines::Many, 100),
            Err(TextProblem::ControlCharacter)
        );
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(PersonName::parse(&"🌷".repeat(100)).is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(101)),
            Err(TextProblem::TooLong { max: 100 })
        );
        assert_eq!(PersonName::parse("   "), Err(TextProblem::Empty));
        assert_eq!(FreeText::optional("  ", Lines::Many, 10), Ok(None));
    }

    #[test]
    fn a_language_need_is_one_short_line_or_none() {
        assert_eq!(
            LanguageNeed::optional("  Arabisch, tolk nodig ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Arabisch, tolk nodig"
        );
        assert_eq!(
            LanguageNeed::optional("العربية، مترجم")
                .unwrap()
                .unwrap()
                .as_str(),
            "العربية، مترجم"
        );
        assert_eq!(LanguageNeed::optional("   "), Ok(None));
        assert!(LanguageNeed::optional(&"é".repeat(80)).unwrap().is_some());
        assert_eq!(
            LanguageNeed::optional(&"é".repeat(81)),
            Err(TextProblem::TooLong { max: 80 })
        );
        assert_eq!(
            LanguageNeed::optional("Engels\ntolk"),
            Err(TextProblem::LineBreak)
        );
        assert_eq!(
            LanguageNeed::optional("Engels\u{0}"),
            Err(TextProblem::ControlCharacter)
        );
    }

    #[test]
    fn dutch_and_international_numbers_become_e164() {
        for (typed, e164) in [
            ("06-12345678", "+31612345678"),
            ("06 12 34 56 78", "+31612345678"),
            ("020 123 4567", "+31201234567"),
            ("(020) 123-4567", "+31201234567"),
            ("+31 6 12345678", "+31612345678"),
            ("+31 (0)70 123 4567", "+31701234567"),
            ("0031 6 12345678", "+31612345678"),
            ("+32 2 123 45 67", "+3221234567"),
            ("+49 30 1234567", "+49301234567"),
        ] {
            assert_eq!(PhoneNumber::parse(typed).unwrap().as_str(), e164, "{typed}");
        }
    }

    #[test]
    fn what_is_not_a_phone_number_is_refused() {
        for bad in [
            "12345",
            "06-1234",
            "06-123456789",
            "+31 6 1234",
            "+0 123456789",
            "0612345678x",
            "bel mij",
            "+1234567890123456",
            "06\u{0}12345678",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_values_become_one_line() {
        assert_eq!(one_line("Jan\r\nORGANIZER\u{0}"), "Jan  ORGANIZER ");
    }
}
