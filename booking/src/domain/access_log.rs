//! The access log: every time a clerk opens a resident's appointment, and every information
//! source marked consulted (or refused because the resident did not allow it), with who, when,
//! what and why. The store only ever inserts; this module turns an entry into the plain Dutch
//! sentence the resident reads through the personal link.

use crate::domain::ids::{AppointmentId, ClerkId, TenantId};
use crate::domain::tenant::Tone;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    OpenedAppointment,
    ConsultedSource,
    /// A clerk tried to record a source the resident had not allowed; nothing was recorded.
    RefusedSource,
    /// The appointment (with the resident's name) was in a clerk's list of the day's
    /// appointments. Logged once per clerk, appointment and day.
    ViewedDayList,
    /// The resident (name, service, how long waiting) was in the live queue a clerk opened.
    /// Logged once per clerk, appointment and day.
    ViewedQueue,
    /// A clerk or admin read the appointment's outcomes (with their delivery to the case
    /// store) or its case in the built-in case store.
    ViewedOutcome,
    /// A clerk or admin read the resident's choices per information source.
    ViewedConsent,
    /// Issue 16: a clerk made the appointment for the resident, on the phone.
    BookedByClerk,
    /// A clerk moved the appointment for the resident.
    RescheduledByClerk,
    /// A clerk cancelled the appointment for the resident.
    CancelledByClerk,
    /// A clerk sent the confirmation again, with a new personal link.
    ResentByClerk,
    /// The appointment was among a clerk's search results (name, phone, e-mail or code).
    FoundByClerk,
    /// Someone found the appointment with its booking code and got a new personal link
    /// (`clerk_id` is empty).
    FoundByResident,
    /// Issue 22: a clerk opened a document the resident supplied (`source` is its source).
    ViewedDocument,
    /// The resident cancelled by replying "annuleren" to a text (`clerk_id` is empty).
    CancelledByText,
    /// Issue 22 item 2: a clerk took a photo of a document the resident held to the camera,
    /// after the resident allowed it (`source` is the photo's label).
    TookPhoto,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::OpenedAppointment => "opened_appointment",
            Action::ConsultedSource => "consulted_source",
            Action::RefusedSource => "refused_source",
            Action::ViewedDayList => "viewed_day_list",
            Action::ViewedQueue => "viewed_queue",
            Action::ViewedOutcome => "viewed_outcome",
            Action::ViewedConsent => "viewed_consent",
            Action::BookedByClerk => "booked_by_clerk",
            Action::RescheduledByClerk => "rescheduled_by_clerk",
            Action::CancelledByClerk => "cancelled_by_clerk",
            Action::ResentByClerk => "resent_by_clerk",
            Action::FoundByClerk => "found_by_clerk",
            Action::FoundByResident => "found_by_resident",
            Action::ViewedDocument => "viewed_document",
            Action::CancelledByText => "cancelled_by_text",
            Action::TookPhoto => "took_photo",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "opened_appointment" => Some(Action::OpenedAppointment),
            "consulted_source" => Some(Action::ConsultedSource),
            "refused_source" => Some(Action::RefusedSource),
            "viewed_day_list" => Some(Action::ViewedDayList),
            "viewed_queue" => Some(Action::ViewedQueue),
            "viewed_outcome" => Some(Action::ViewedOutcome),
            "viewed_consent" => Some(Action::ViewedConsent),
            "booked_by_clerk" => Some(Action::BookedByClerk),
            "rescheduled_by_clerk" => Some(Action::RescheduledByClerk),
            "cancelled_by_clerk" => Some(Action::CancelledByClerk),
            "resent_by_clerk" => Some(Action::ResentByClerk),
            "found_by_clerk" => Some(Action::FoundByClerk),
            "found_by_resident" => Some(Action::FoundByResident),
            "viewed_document" => Some(Action::ViewedDocument),
            "cancelled_by_text" => Some(Action::CancelledByText),
            "took_photo" => Some(Action::TookPhoto),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub tenant_id: TenantId,
    pub appointment_id: AppointmentId,
    /// Empty when the resident acted themselves (`Action::FoundByResident`).
    pub clerk_id: Option<ClerkId>,
    pub at: Timestamp,
    pub action: Action,
    /// The source's label, for the source actions.
    pub source: Option<String>,
    /// Why, e.g. "voorbereiding van het gesprek".
    pub reason: String,
}

pub const REASON_OPENED: &str = "om uw afspraak voor te bereiden of te voeren";
pub const REASON_OUTCOME: &str = "bij het vastleggen van de uitkomst van het gesprek";
pub const REASON_DAY_LIST: &str = "om de afspraken van de dag te plannen";
pub const REASON_QUEUE: &str = "om de wachtrij af te handelen";
pub const REASON_VIEWED_OUTCOME: &str =
    "om de uitkomst van het gesprek te bekijken of af te handelen";
pub const REASON_VIEWED_CONSENT: &str = "om te zien welke gegevens geraadpleegd mogen worden";
pub const REASON_BY_PHONE: &str = "aan de telefoon, op verzoek van de bewoner";
pub const REASON_SEARCH: &str = "om een beller met een afspraak te helpen";
pub const REASON_FOUND: &str = "met de afspraakcode opgezocht";
pub const REASON_DOCUMENT: &str = "om het gesprek voor te bereiden of te voeren";
pub const REASON_TEXT: &str = "op verzoek van de bewoner, per sms";

impl Action {
    /// The list views: logged at most once per clerk, appointment and local day.
    pub fn is_list_view(self) -> bool {
        matches!(self, Action::ViewedDayList | Action::ViewedQueue)
    }
}

/// "Op 12 maart om 10:14 heeft een medewerker van de gemeente uw afspraak bekeken." The
/// clerk is not named: the resident learns that and why their data was used, the
/// municipality keeps the clerk's id for its own audits.
pub fn sentence(entry: &AccessEntry, tz: &TimeZone, tone: Tone) -> String {
    let local = entry.at.to_zoned(tz.clone());
    let when = format!(
        "Op {} om {}",
        crate::domain::dates_in_words::day_month_nl(local.date()),
        local.strftime("%H:%M")
    );
    let (your, you) = match tone {
        Tone::U => ("uw", "u"),
        Tone::Je => ("je", "je"),
    };
    let source = entry.source.as_deref().unwrap_or("een gegevensbron");
    match entry.action {
        Action::OpenedAppointment => {
            format!("{when} heeft een medewerker van de gemeente {your} afspraak bekeken.")
        }
        Action::ConsultedSource => format!(
            "{when} heeft een medewerker van de gemeente {source} geraadpleegd, {}.",
            entry.reason
        ),
        Action::RefusedSource => format!(
            "{when} wilde een medewerker van de gemeente {source} als geraadpleegd vastleggen. \
             Dat is geweigerd, omdat {you} daar geen toestemming voor gaf."
        ),
        Action::ViewedDayList => format!(
            "{when} zag een medewerker van de gemeente {your} afspraak in de lijst met afspraken \
             van die dag."
        ),
        Action::ViewedQueue => {
            format!("{when} zag een medewerker van de gemeente {your} naam in de wachtrij.")
        }
        Action::ViewedOutcome => format!(
            "{when} heeft een medewerker van de gemeente de uitkomst van {your} gesprek bekeken."
        ),
        Action::ViewedConsent => format!(
            "{when} heeft een medewerker van de gemeente {your} keuzes bekeken over de \
             gegevens die de gemeente mag raadplegen."
        ),
        Action::BookedByClerk => {
            format!("{when} is {your} afspraak gemaakt door een medewerker aan de telefoon.")
        }
        Action::RescheduledByClerk => {
            format!("{when} is {your} afspraak verzet door een medewerker aan de telefoon.")
        }
        Action::CancelledByClerk => {
            format!("{when} is {your} afspraak afgezegd door een medewerker aan de telefoon.")
        }
        Action::ResentByClerk => format!(
            "{when} heeft een medewerker aan de telefoon de bevestiging opnieuw gestuurd, met \
             een nieuwe persoonlijke link."
        ),
        Action::FoundByClerk => format!(
            "{when} heeft een medewerker {your} afspraak opgezocht, om {you} aan de telefoon te \
             helpen."
        ),
        Action::FoundByResident => format!(
            "{when} is {your} afspraak opgezocht met de afspraakcode. Daarbij is een nieuwe \
             persoonlijke link gemaakt."
        ),
        Action::ViewedDocument => format!(
            "{when} heeft een medewerker van de gemeente {your} document voor {source} geopend, {}.",
            entry.reason
        ),
        Action::CancelledByText => format!(
            "{when} is {your} afspraak afgezegd met een sms-bericht (\"annuleren\") van {your} \
             telefoonnummer."
        ),
        Action::TookPhoto => format!(
            "{when} heeft een medewerker van de gemeente tijdens het gesprek een foto van {your} \
             document gemaakt, nadat {you} daar toestemming voor gaf."
        ),
    }
}

/// The same sentence in English, for residents who read the pages in English.
pub fn sentence_en(entry: &AccessEntry, tz: &TimeZone) -> String {
    let local = entry.at.to_zoned(tz.clone());
    let when = format!(
        "On {} at {}",
        crate::domain::dates_in_words::day_month_en(local.date()),
        local.strftime("%H:%M")
    );
    let source = entry.source.as_deref().unwrap_or("an information source");
    match entry.action {
        Action::OpenedAppointment => {
            format!("{when} a member of the municipality's staff opened your appointment.")
        }
        Action::ConsultedSource => {
            format!("{when} a member of the municipality's staff consulted {source}.")
        }
        Action::RefusedSource => format!(
            "{when} a member of the municipality's staff tried to record {source} as consulted. \
             This was refused, because you did not allow it."
        ),
        Action::ViewedDayList => format!(
            "{when} a member of the municipality's staff saw your appointment in the list of \
             that day's appointments."
        ),
        Action::ViewedQueue => {
            format!("{when} a member of the municipality's staff saw your name in the queue.")
        }
        Action::ViewedOutcome => format!(
            "{when} a member of the municipality's staff viewed the outcome of your conversation."
        ),
        Action::ViewedConsent => format!(
            "{when} a member of the municipality's staff viewed your choices about the \
             information the municipality may consult."
        ),
        Action::BookedByClerk => {
            format!("{when} your appointment was made by a clerk on the phone.")
        }
        Action::RescheduledByClerk => {
            format!("{when} your appointment was moved by a clerk on the phone.")
        }
        Action::CancelledByClerk => {
            format!("{when} your appointment was cancelled by a clerk on the phone.")
        }
        Action::ResentByClerk => format!(
            "{when} a clerk on the phone sent the confirmation again, with a new personal link."
        ),
        Action::FoundByClerk => {
            format!("{when} a clerk looked up your appointment, to help you on the phone.")
        }
        Action::FoundByResident => format!(
            "{when} your appointment was looked up with its booking code. A new personal link \
             was made."
        ),
        Action::ViewedDocument => format!(
            "{when} a member of the municipality's staff opened your document for {source}."
        ),
        Action::CancelledByText => format!(
            "{when} your appointment was cancelled by a text message (\"annuleren\") from your \
             phone number."
        ),
        Action::TookPhoto => format!(
            "{when} a member of the municipality's staff took a photo of your document during \
             the call, after you allowed it."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: Action, source: Option<&str>) -> AccessEntry {
        AccessEntry {
            tenant_id: TenantId::new(),
            appointment_id: AppointmentId::new(),
            clerk_id: Some(ClerkId::new()),
            // 09:14 UTC is 10:14 in Amsterdam in March (CET).
            at: "2026-03-12T09:14:00Z".parse().unwrap(),
            action,
            source: source.map(str::to_string),
            reason: REASON_OUTCOME.into(),
        }
    }

    #[test]
    fn sentences_are_plain_dutch_in_local_time_and_the_tone() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        assert_eq!(
            sentence(&entry(Action::OpenedAppointment, None), &tz, Tone::U),
            "Op 12 maart om 10:14 heeft een medewerker van de gemeente uw afspraak bekeken."
        );
        assert_eq!(
            sentence(&entry(Action::OpenedAppointment, None), &tz, Tone::Je),
            "Op 12 maart om 10:14 heeft een medewerker van de gemeente je afspraak bekeken."
        );
        assert_eq!(
            sentence(&entry(Action::ConsultedSource, Some("BRP")), &tz, Tone::U),
            "Op 12 maart om 10:14 heeft een medewerker van de gemeente BRP geraadpleegd, \
             bij het vastleggen van de uitkomst van het gesprek."
        );
        let refused = sentence(&entry(Action::RefusedSource, Some("Inkomen")), &tz, Tone::U);
        assert!(
            refused.contains("Inkomen") && refused.contains("geweigerd"),
            "{refused}"
        );
    }

    #[test]
    fn list_views_read_as_plain_sentences_in_both_tones_and_english() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        assert_eq!(
            sentence(&entry(Action::ViewedDayList, None), &tz, Tone::U),
            "Op 12 maart om 10:14 zag een medewerker van de gemeente uw afspraak in de lijst \
             met afspraken van die dag."
        );
        assert_eq!(
            sentence(&entry(Action::ViewedQueue, None), &tz, Tone::Je),
            "Op 12 maart om 10:14 zag een medewerker van de gemeente je naam in de wachtrij."
        );
        assert_eq!(
            sentence(&entry(Action::ViewedQueue, None), &tz, Tone::U),
            "Op 12 maart om 10:14 zag een medewerker van de gemeente uw naam in de wachtrij."
        );
        assert_eq!(
            sentence_en(&entry(Action::ViewedDayList, None), &tz),
            "On 12 March at 10:14 a member of the municipality's staff saw your appointment \
             in the list of that day's appointments."
        );
        assert!(Action::ViewedQueue.is_list_view() && Action::ViewedDayList.is_list_view());
        assert!(!Action::OpenedAppointment.is_list_view());
    }

    #[test]
    fn reading_outcomes_and_choices_reads_as_plain_sentences() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        assert_eq!(
            sentence(&entry(Action::ViewedOutcome, None), &tz, Tone::U),
            "Op 12 maart om 10:14 heeft een medewerker van de gemeente de uitkomst van uw \
             gesprek bekeken."
        );
        assert_eq!(
            sentence(&entry(Action::ViewedConsent, None), &tz, Tone::Je),
            "Op 12 maart om 10:14 heeft een medewerker van de gemeente je keuzes bekeken over \
             de gegevens die de gemeente mag raadplegen."
        );
        assert_eq!(
            sentence_en(&entry(Action::ViewedOutcome, None), &tz),
            "On 12 March at 10:14 a member of the municipality's staff viewed the outcome of \
             your conversation."
        );
        assert!(!Action::ViewedOutcome.is_list_view() && !Action::ViewedConsent.is_list_view());
    }

    #[test]
    fn acts_for_a_caller_say_a_clerk_did_it_on_the_phone() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        assert_eq!(
            sentence(&entry(Action::BookedByClerk, None), &tz, Tone::U),
            "Op 12 maart om 10:14 is uw afspraak gemaakt door een medewerker aan de telefoon."
        );
        assert_eq!(
            sentence_en(&entry(Action::BookedByClerk, None), &tz),
            "On 12 March at 10:14 your appointment was made by a clerk on the phone."
        );
        let found = sentence(&entry(Action::FoundByResident, None), &tz, Tone::Je);
        assert!(
            found.contains("je afspraak") && found.contains("afspraakcode"),
            "{found}"
        );
    }

    #[test]
    fn actions_round_trip_through_their_stored_text() {
        for a in [
            Action::OpenedAppointment,
            Action::ConsultedSource,
            Action::RefusedSource,
            Action::ViewedDayList,
            Action::ViewedQueue,
            Action::ViewedOutcome,
            Action::ViewedConsent,
            Action::BookedByClerk,
            Action::RescheduledByClerk,
            Action::CancelledByClerk,
            Action::ResentByClerk,
            Action::FoundByClerk,
            Action::FoundByResident,
        ] {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }
}
