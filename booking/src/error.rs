//! The booking crate's one error type. It names what went wrong and nothing about HTTP or SQL:
//! `api::problem` maps it once to RFC 9457 problem+json, the pages in `web` to a page, and the
//! store turns database errors into `Storage` (and a unique key into the `Conflict` it means).

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    /// A request field that is wrong. `field` is a JSON pointer (RFC 6901) into the request,
    /// e.g. `/name` or `/sources/0/code`; `message` says why, for people, in Dutch and English.
    #[error("{field}: {message}")]
    Invalid { field: String, message: Words },
    #[error("the request is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this time slot is no longer available")]
    SlotTaken,
    /// The request is well-formed but the state of things does not allow it (now).
    #[error("{0}")]
    Conflict(Conflict),
    #[error("log in first")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("storage error: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("mail error: {0}")]
    Mail(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// A JSON request body that could not be read as the request it should be.
    #[error("{0:?}")]
    Body(BodyProblem),
    /// Over a limit on anonymous actions (`limits`); try again after `retry_after`.
    #[error("{0}")]
    TooMany(TooMany),
}

/// Which limit a request went over, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooMany {
    pub what: Flood,
    pub by: CountedBy,
    pub retry_after: std::time::Duration,
}

impl TooMany {
    /// Whole seconds to wait, rounded up (for `Retry-After` and the words).
    pub fn retry_after_seconds(&self) -> u64 {
        self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)
    }
}

/// The anonymous actions that are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flood {
    Bookings,
    WalkIns,
    Callbacks,
    LiveStreams,
    /// Looking up an appointment with its booking code (issue 16): guesses.
    Finds,
}

/// What a count was kept by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountedBy {
    /// The client's network address.
    Address,
    Email,
    Phone,
    /// One queue entry's token (live streams open at once).
    Token,
    /// One booking code (guesses at its phone number or date).
    Code,
}

impl fmt::Display for TooMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.what {
            Flood::Bookings => "bookings",
            Flood::WalkIns => "queue sign-ups",
            Flood::Callbacks => "callback requests",
            Flood::LiveStreams => "live updates open",
            Flood::Finds => "attempts to find an appointment",
        };
        let by = match self.by {
            CountedBy::Address => "from your network",
            CountedBy::Email => "for this e-mail address",
            CountedBy::Phone => "for this phone number",
            CountedBy::Token => "for this place in the queue (close other windows)",
            CountedBy::Code => "for this booking code",
        };
        write!(
            f,
            "too many {what} {by}; please wait {} seconds and try again",
            self.retry_after_seconds()
        )
    }
}

/// What was wrong with a JSON request body, named so `api::problem` can say it in the
/// client's language. `pointer` is a JSON pointer (RFC 6901) to the field, e.g. `/service_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// The body is not JSON at all (or not sent as JSON).
    NotJson,
    /// JSON, but not the object the request is.
    NotAnObject,
    Missing {
        pointer: String,
    },
    WrongValue {
        pointer: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A sentence for a person, in Dutch and in English; the reader's language picks one. Never
/// parser or database text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub dutch: String,
    pub english: String,
}

impl Words {
    pub fn new(dutch: impl Into<String>, english: impl Into<String>) -> Self {
        Self {
            dutch: dutch.into(),
            english: english.into(),
        }
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl Error {
    /// A refusal of the field at `pointer` (a JSON pointer such as `/name`).
    pub fn invalid(
        pointer: impl Into<String>,
        dutch: impl Into<String>,
        english: impl Into<String>,
    ) -> Self {
        Self::invalid_because(pointer, Words::new(dutch, english))
    }

    pub fn invalid_because(pointer: impl Into<String>, message: Words) -> Self {
        let field = pointer.into();
        debug_assert!(field.starts_with('/'), "not a JSON pointer: {field}");
        Error::Invalid { field, message }
    }
}

impl From<Conflict> for Error {
    fn from(conflict: Conflict) -> Self {
        Error::Conflict(conflict)
    }
}

/// Why a request cannot be carried out in the present state. One variant per reason, so a
/// caller (a page, a test) acts on the reason, never on the wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    // Appointments
    AppointmentCancelled,
    AlreadyCancelled,
    AppointmentStarted,
    AppointmentOver,
    AppointmentChangedMeanwhile,
    // The video room
    RoomNotOpenYet {
        opens: String,
        minutes: i64,
    },
    NoClerkCalling,
    // The queue
    CheckInNotOpenYet {
        opens_in_words: String,
        opens_at: String,
    },
    CheckInClosed,
    NoWalkIns {
        municipality: String,
    },
    /// Nobody who handles the service is working now; `opens_next` (RFC 3339, local offset)
    /// and its words say when someone is, `None` when nobody is within two weeks.
    WalkInClosed {
        opens_next: Option<String>,
        opens_in_dutch: Option<String>,
        opens_in_english: Option<String>,
    },
    EveryoneTakenMeanwhile,
    NoLongerWaiting,
    NotBeingCalled,
    InConversation,
    NotInQueue,
    NotInCallWithYou,
    CallbackAlreadyHandled,
    // Consent and privacy
    ChoicesFrozen,
    /// Issue 22: the call started (or the appointment is cancelled or over): documents can no
    /// longer be added, replaced or removed by the resident.
    DocumentsClosed,
    ChoicesChangedMeanwhile,
    EraseNeedsCancel,
    // Outcomes
    NothingToRecord,
    /// No clerk has called the resident yet: there is no call to record an outcome of.
    CallNotStarted,
    OutcomeExists {
        version: u32,
    },
    OutcomeChangedMeanwhile {
        version: Option<u32>,
    },
    NoOutcomeToCorrect,
    CorrectionDayOver,
    // Feedback
    NothingToRate,
    RatingNotYet,
    AlreadyRated,
    ComplaintAlreadyHandled,
    // Administration
    ClerkEmailTaken,
    LastAdmin,
    DeactivateSelf,
    // Accounts and the platform
    PasswordLinkUsed,
    PasswordLinkExpired,
    MunicipalitySuspended {
        municipality: String,
    },
    SlugTaken {
        slug: String,
    },
    // Clerk status and work lists (issue 21)
    /// A paused clerk takes nobody from the queue; they say they are available first.
    ClerkPaused,
    /// Another clerk took this resident a moment earlier.
    TakenByColleague,
}

impl Conflict {
    /// The reason in Dutch, formal ("u"); `Display` gives the English.
    pub fn dutch(&self) -> String {
        use Conflict::*;
        match self {
            AppointmentCancelled => "Deze afspraak is geannuleerd.".into(),
            AlreadyCancelled => "Deze afspraak was al geannuleerd.".into(),
            AppointmentStarted => {
                "Deze afspraak is al begonnen en kan niet meer worden gewijzigd.".into()
            }
            AppointmentOver => "Deze afspraak is voorbij.".into(),
            AppointmentChangedMeanwhile => {
                "De afspraak is tegelijk gewijzigd; laad de pagina opnieuw.".into()
            }
            RoomNotOpenYet { opens, minutes } => format!(
                "Het videogesprek gaat open om {opens} ({minutes} minuten voor de afspraak)."
            ),
            NoClerkCalling => "Er roept nu geen medewerker op.".into(),
            CheckInNotOpenYet {
                opens_in_words,
                opens_at,
            } => format!("U kunt zich aanmelden vanaf {opens_in_words} ({opens_at})."),
            CheckInClosed => "De tijd om u voor deze afspraak aan te melden is voorbij; \
                maak een nieuwe afspraak."
                .into(),
            NoWalkIns { municipality } => format!(
                "{municipality} helpt geen inwoners zonder afspraak; maak een afspraak."
            ),
            WalkInClosed {
                opens_in_dutch: Some(words),
                opens_next: Some(at),
                ..
            } => format!(
                "Er is nu niemand aan het werk voor deze dienst. U kunt binnenlopen vanaf {words} ({at}), \
                 een afspraak maken of vragen of we u terugbellen."
            ),
            WalkInClosed { .. } => "Er is de komende twee weken niemand aan het werk voor deze \
                dienst. Maak een afspraak of vraag of we u terugbellen."
                .into(),
            EveryoneTakenMeanwhile => "Andere medewerkers namen tegelijk alle wachtende \
                inwoners; probeer het opnieuw."
                .into(),
            NoLongerWaiting => "Deze inwoner wacht niet meer.".into(),
            NotBeingCalled => "U wordt nu niet opgeroepen.".into(),
            InConversation => "U bent in gesprek; de medewerker beëindigt het gesprek.".into(),
            NotInQueue => "U staat niet meer in de wachtrij.".into(),
            NotInCallWithYou => "Deze inwoner is niet met u in gesprek.".into(),
            CallbackAlreadyHandled => "Dit terugbelverzoek is al afgehandeld.".into(),
            ChoicesFrozen => {
                "Het gesprek is begonnen; de keuzes kunnen niet meer veranderen.".into()
            }
            DocumentsClosed => "Het gesprek is begonnen of voorbij; documenten kunnen niet meer \
                worden toegevoegd of verwijderd."
                .into(),
            ChoicesChangedMeanwhile => {
                "De keuzes zijn intussen gewijzigd; laad de pagina opnieuw.".into()
            }
            EraseNeedsCancel => "Annuleer eerst de afspraak; de gemeente heeft uw gegevens \
                nodig voor het gesprek."
                .into(),
            NothingToRecord => {
                "Deze afspraak is geannuleerd; er is geen gesprek om vast te leggen.".into()
            }
            CallNotStarted => "Het gesprek is nog niet begonnen; leg de uitkomst vast \
                zodra u de inwoner hebt opgeroepen."
                .into(),
            OutcomeExists { version } => format!(
                "Er is al een uitkomst vastgelegd (versie {version}); stuur een correctie."
            ),
            OutcomeChangedMeanwhile { version: Some(v) } => format!(
                "De uitkomst is intussen gewijzigd (nu versie {v}); laad de pagina opnieuw."
            ),
            OutcomeChangedMeanwhile { version: None } => {
                "De uitkomst is intussen gewijzigd; laad de pagina opnieuw.".into()
            }
            NoOutcomeToCorrect => "Er is nog geen uitkomst om te corrigeren.".into(),
            CorrectionDayOver => {
                "Een uitkomst kan alleen worden gecorrigeerd op de dag dat die is vastgelegd."
                    .into()
            }
            NothingToRate => {
                "Deze afspraak is geannuleerd; er was geen gesprek om te beoordelen.".into()
            }
            RatingNotYet => "U kunt uw mening geven zodra het gesprek is begonnen.".into(),
            AlreadyRated => "U hebt uw mening over dit gesprek al gegeven.".into(),
            ComplaintAlreadyHandled => "Deze klacht is al afgehandeld.".into(),
            ClerkEmailTaken => "Er is al een medewerker met dit e-mailadres.".into(),
            LastAdmin => "De gemeente heeft minstens één beheerder nodig.".into(),
            DeactivateSelf => "U kunt uw eigen account niet uitzetten.".into(),
            PasswordLinkUsed => "Deze link is al gebruikt; vraag een nieuwe aan met \
                'wachtwoord vergeten'."
                .into(),
            PasswordLinkExpired => "Deze link is verlopen; vraag een nieuwe aan met \
                'wachtwoord vergeten'."
                .into(),
            MunicipalitySuspended { municipality } => format!(
                "{municipality} is op dit moment niet beschikbaar via dit platform; neem contact op met de gemeente."
            ),
            SlugTaken { slug } => format!("De korte naam '{slug}' is al in gebruik."),
            ClerkPaused => "U staat op pauze. Zet uw status op beschikbaar om iemand op te roepen."
                .into(),
            TakenByColleague => {
                "Een collega heeft deze inwoner net opgeroepen; kies een ander.".into()
            }
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Conflict::*;
        match self {
            AppointmentCancelled => f.write_str("this appointment has been cancelled"),
            AlreadyCancelled => f.write_str("this appointment has already been cancelled"),
            AppointmentStarted => {
                f.write_str("this appointment has already started and can no longer be changed")
            }
            AppointmentOver => f.write_str("this appointment is over"),
            AppointmentChangedMeanwhile => {
                f.write_str("the appointment was changed at the same time; please reload")
            }
            RoomNotOpenYet { opens, minutes } => write!(
                f,
                "the video room opens at {opens} ({minutes} minutes before the appointment)"
            ),
            NoClerkCalling => f.write_str("no clerk is calling this entry"),
            CheckInNotOpenYet {
                opens_in_words,
                opens_at,
            } => write!(
                f,
                "you can join the queue from {opens_in_words} ({opens_at})"
            ),
            CheckInClosed => f.write_str(
                "the time to join the queue for this appointment has passed; please book a new one",
            ),
            NoWalkIns { municipality } => write!(
                f,
                "{municipality} does not take residents without an appointment; please book one"
            ),
            WalkInClosed {
                opens_in_english: Some(words),
                opens_next: Some(at),
                ..
            } => write!(
                f,
                "nobody is working for this service now; you can walk in from {words} ({at}), \
                 book an appointment or ask us to call you back"
            ),
            WalkInClosed { .. } => f.write_str(
                "nobody is working for this service in the next two weeks; book an appointment \
                 or ask us to call you back",
            ),
            EveryoneTakenMeanwhile => f.write_str(
                "other clerks took every waiting resident at the same moment; please try again",
            ),
            NoLongerWaiting => f.write_str("this resident is no longer waiting"),
            NotBeingCalled => f.write_str("you are not being called right now"),
            InConversation => f.write_str("you are in the conversation; the clerk ends it"),
            NotInQueue => f.write_str("you are no longer in the queue"),
            NotInCallWithYou => f.write_str("this resident is not in a call with you"),
            CallbackAlreadyHandled => f.write_str("this callback has already been handled"),
            ChoicesFrozen => f.write_str("the call has started; the choices can no longer change"),
            DocumentsClosed => f.write_str(
                "the call has started or is over; documents can no longer be added or removed",
            ),
            ChoicesChangedMeanwhile => f.write_str("the choices were changed meanwhile; reload"),
            EraseNeedsCancel => f.write_str(
                "cancel the appointment first; the municipality needs your details for the call",
            ),
            NothingToRecord => {
                f.write_str("this appointment was cancelled; there is no call to record")
            }
            CallNotStarted => f.write_str(
                "the call has not started yet; record the outcome once you have called the resident",
            ),
            OutcomeExists { version } => write!(
                f,
                "an outcome was already recorded (version {version}); send a correction"
            ),
            OutcomeChangedMeanwhile { version: Some(v) } => {
                write!(
                    f,
                    "the outcome was changed meanwhile (now version {v}); reload"
                )
            }
            OutcomeChangedMeanwhile { version: None } => {
                f.write_str("the outcome was changed meanwhile; reload")
            }
            NoOutcomeToCorrect => f.write_str("there is no outcome to correct yet"),
            CorrectionDayOver => {
                f.write_str("an outcome can only be corrected on the day it was recorded")
            }
            NothingToRate => {
                f.write_str("this appointment was cancelled; there was no call to rate")
            }
            RatingNotYet => f.write_str("you can give your opinion once the call has started"),
            AlreadyRated => f.write_str("you already gave your opinion on this call"),
            ComplaintAlreadyHandled => f.write_str("this complaint was already handled"),
            ClerkEmailTaken => f.write_str("a clerk with this e-mail address already exists"),
            LastAdmin => f.write_str("the municipality needs at least one admin"),
            DeactivateSelf => f.write_str("you cannot deactivate your own account"),
            PasswordLinkUsed => f.write_str(
                "this link has already been used; ask for a new one with 'wachtwoord vergeten'",
            ),
            PasswordLinkExpired => f.write_str(
                "this link has expired; ask for a new one with 'wachtwoord vergeten'",
            ),
            MunicipalitySuspended { municipality } => write!(
                f,
                "{municipality} is not available on this platform at the moment; please contact the municipality"
            ),
            SlugTaken { slug } => write!(f, "the slug '{slug}' is already in use"),
            ClerkPaused => f.write_str(
                "you are paused; set your status to available to call someone in",
            ),
            TakenByColleague => f.write_str(
                "a colleague took this resident a moment ago; choose another",
            ),
        }
    }
}
