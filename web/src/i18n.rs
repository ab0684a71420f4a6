//! Languages and the municipality's tone. Dutch is the default; English is a courtesy for
//! residents who read it better. Dutch texts exist in both tones because a municipality
//! addresses residents either as `u` (formal) or as `je` (informal).

use booking::domain::tenant::{Tenant, Tone};
use jiff::civil::Date;
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Self {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
    /// The name of this language in itself, for the language switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Nl => "Nederlands",
            Lang::En => "English",
        }
    }
}

/// Picks texts by language and tone.
#[derive(Clone, Copy, Debug)]
pub struct Tx {
    pub lang: Lang,
    pub tone: Tone,
}

impl Tx {
    pub fn new(lang: Lang, tone: Tone) -> Self {
        Self { lang, tone }
    }

    /// Without a municipality (the start page) the formal tone is the safe choice.
    pub fn formal(lang: Lang) -> Self {
        Self::new(lang, Tone::U)
    }

    /// Dutch with `u`, Dutch with `je`, English.
    pub fn pick(&self, u: &'static str, je: &'static str, en: &'static str) -> &'static str {
        match (self.lang, self.tone) {
            (Lang::En, _) => en,
            (Lang::Nl, Tone::U) => u,
            (Lang::Nl, Tone::Je) => je,
        }
    }

    /// Texts that read the same in both tones.
    pub fn t(&self, nl: &'static str, en: &'static str) -> &'static str {
        self.pick(nl, nl, en)
    }

    /// "dinsdag 1 december" / "Tuesday 1 December".
    pub fn day_in_words(&self, date: Date) -> String {
        match self.lang {
            Lang::Nl => booking::domain::dates_in_words::day_nl(date),
            Lang::En => booking::domain::dates_in_words::day_en(date),
        }
    }

    /// Date and time in words in the municipality's time zone. Dutch uses the booking
    /// crate's wording, so the page says exactly what the mail says.
    pub fn when_in_words(&self, tenant: &Tenant, at: Timestamp) -> String {
        match self.lang {
            Lang::Nl => booking::usecases::booking::when_in_words(tenant, at),
            Lang::En => {
                let local = at.to_zoned(tenant.time_zone.tz().clone());
                format!(
                    "{} {} at {}",
                    self.day_in_words(local.date()),
                    local.year(),
                    local.strftime("%H:%M")
                )
            }
        }
    }

    /// The booking crate's words in the page's language.
    pub fn words(&self, message: &booking::error::Words) -> String {
        match self.lang {
            Lang::Nl => message.dutch.clone(),
            Lang::En => message.english.clone(),
        }
    }

    /// A form field's error in the page's language. The booking crate words its checks in
    /// English for the API; in Dutch we say per field what is needed.
    pub fn field_error(&self, field: &str, message: &booking::error::Words) -> String {
        if self.lang == Lang::En {
            return capitalise(&message.english);
        }
        match field.trim_start_matches('/') {
            // Issue 16: these messages are written for residents already.
            "email" if message.english.contains("mobile number") => return message.dutch.clone(),
            "code" | "date" | "q" => return message.dutch.clone(),
            "name" => self.pick(
                "Vul uw naam in (hoogstens 100 tekens).",
                "Vul je naam in (hoogstens 100 tekens).",
                "",
            ),
            "email" => self.pick(
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
                "",
            ),
            "phone" => self.pick(
                "Vul een telefoonnummer in met alleen cijfers, bijvoorbeeld 06 12345678. U mag dit veld ook leeg laten.",
                "Vul een telefoonnummer in met alleen cijfers, bijvoorbeeld 06 12345678. Je mag dit veld ook leeg laten.",
                "",
            ),
            "note" => self.pick(
                "Uw opmerking mag hoogstens 1000 tekens lang zijn.",
                "Je opmerking mag hoogstens 1000 tekens lang zijn.",
                "",
            ),
            "language" => self.pick(
                "Schrijf de taal of tolk op één regel, in hoogstens 80 tekens. Bijvoorbeeld: Arabisch, tolk nodig.",
                "Schrijf de taal of tolk op één regel, in hoogstens 80 tekens. Bijvoorbeeld: Arabisch, tolk nodig.",
                "",
            ),
            _ => self.pick(
                "Deze tijd kan niet worden geboekt. Kies een andere tijd.",
                "Deze tijd kan niet worden geboekt. Kies een andere tijd.",
                "",
            ),
        }
        .to_string()
    }

    /// A moment without the year, for histories: "maandag 30 november om 08:15" /
    /// "Monday 30 November at 08:15", in the municipality's time zone.
    pub fn moment_in_words(&self, tenant: &Tenant, at: Timestamp) -> String {
        let local = at.to_zoned(tenant.time_zone.tz().clone());
        let at_word = self.t("om", "at");
        format!(
            "{} {at_word} {}",
            self.day_in_words(local.date()),
            local.strftime("%H:%M")
        )
    }

    /// The message when someone else booked the chosen time first.
    pub fn slot_taken(&self) -> &'static str {
        self.t(
            "Deze tijd is net door iemand anders gekozen. Kies een andere tijd.",
            "This time was just taken by someone else. Please choose another time.",
        )
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tone_and_language_pick_the_right_text() {
        let pick = |lang, tone| {
            Tx::new(lang, tone).pick("Kies uw dienst", "Kies je dienst", "Choose a service")
        };
        assert_eq!(pick(Lang::Nl, Tone::U), "Kies uw dienst");
        assert_eq!(pick(Lang::Nl, Tone::Je), "Kies je dienst");
        assert_eq!(pick(Lang::En, Tone::Je), "Choose a service");
    }

    #[test]
    fn days_in_words() {
        let d = date(2026, 12, 1);
        assert_eq!(Tx::formal(Lang::Nl).day_in_words(d), "dinsdag 1 december");
        assert_eq!(Tx::formal(Lang::En).day_in_words(d), "Tuesday 1 December");
    }

    #[test]
    fn english_field_errors_come_from_booking_in_sentence_case() {
        use booking::error::Words;
        let tx = Tx::formal(Lang::En);
        assert_eq!(
            tx.field_error("/name", &Words::new("x", "please fill in your name")),
            "Please fill in your name."
        );
        assert!(Tx::formal(Lang::Nl)
            .field_error("/email", &Words::new("x", "x"))
            .contains("e-mailadres"));
    }
}
