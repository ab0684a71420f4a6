//! Dates in words as residents read them, in Dutch ("dinsdag 1 december") and English
//! ("Tuesday 1 December"). English names come from jiff's `strftime`; the Dutch ones live here
//! because jiff only knows English. Pages, mails and the access log all use these.

use jiff::civil::Date;

const NL_DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

const NL_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "1 december".
pub fn day_month_nl(date: Date) -> String {
    let month = NL_MONTHS[usize::try_from(date.month() - 1).unwrap_or(0)];
    format!("{} {month}", date.day())
}

/// "dinsdag 1 december".
pub fn day_nl(date: Date) -> String {
    let weekday = NL_DAYS[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())];
    format!("{weekday} {}", day_month_nl(date))
}

/// "1 December".
pub fn day_month_en(date: Date) -> String {
    date.strftime("%-d %B").to_string()
}

/// "Tuesday 1 December".
pub fn day_en(date: Date) -> String {
    date.strftime("%A %-d %B").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_and_months_in_both_languages() {
        let d = date(2026, 12, 1);
        assert_eq!(day_nl(d), "dinsdag 1 december");
        assert_eq!(day_en(d), "Tuesday 1 December");
        assert_eq!(day_month_nl(date(2026, 3, 12)), "12 maart");
        assert_eq!(day_month_en(date(2026, 3, 12)), "12 March");
        assert_eq!(day_nl(date(2026, 11, 1)), "zondag 1 november");
        assert_eq!(day_nl(date(2026, 11, 30)), "maandag 30 november");
        assert_eq!(day_month_nl(date(2026, 1, 1)), "1 januari");
    }
}
