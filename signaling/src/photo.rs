//! A photo of a document during the call (issue 22 item 2), as a sans-IO state machine per
//! room: the clerk asks, the resident accepts or declines, and one acceptance allows one still.
//! Every photo needs a fresh acceptance: after the still (or a decline, or the clerk asking
//! again) the room is back where nobody may take one. The server keeps this state, so a clerk's
//! page cannot announce a still the resident did not allow; the still itself is taken from the
//! incoming video in the clerk's browser and uploaded through the documents API.

/// Where a room is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum PhotoConsent {
    /// Nobody asked, or the last request was answered and used.
    #[default]
    Idle,
    /// The clerk (participant id) asked; the resident has not answered yet.
    Asked { clerk: String },
    /// The resident allowed the clerk one still.
    Accepted { clerk: String },
}

/// Why a step is refused; sent back to whoever tried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhotoRefusal {
    /// An answer while nobody asked.
    NotAsked,
    /// A still announced without an acceptance for this clerk.
    NotAccepted,
}

impl PhotoRefusal {
    pub(crate) fn message(self) -> &'static str {
        match self {
            PhotoRefusal::NotAsked => "no photo was asked for",
            PhotoRefusal::NotAccepted => "the resident did not allow a photo",
        }
    }
}

impl PhotoConsent {
    /// The clerk asks (again): any earlier acceptance is void.
    pub(crate) fn request(&mut self, clerk: &str) {
        *self = PhotoConsent::Asked {
            clerk: clerk.to_owned(),
        };
    }

    /// The resident answers; returns the clerk who asked.
    pub(crate) fn answer(&mut self, accepted: bool) -> Result<String, PhotoRefusal> {
        let PhotoConsent::Asked { clerk } = std::mem::take(self) else {
            return Err(PhotoRefusal::NotAsked);
        };
        if accepted {
            *self = PhotoConsent::Accepted {
                clerk: clerk.clone(),
            };
        }
        Ok(clerk)
    }

    /// The clerk took the still: used up.
    pub(crate) fn taken(&mut self, clerk: &str) -> Result<(), PhotoRefusal> {
        match self {
            PhotoConsent::Accepted { clerk: allowed } if allowed == clerk => {
                *self = PhotoConsent::Idle;
                Ok(())
            }
            _ => Err(PhotoRefusal::NotAccepted),
        }
    }

    /// Someone left the room: a pending request or acceptance does not outlive them.
    pub(crate) fn left(&mut self) {
        *self = PhotoConsent::Idle;
    }

    /// Whether `clerk` may take a still now.
    #[cfg(test)]
    pub(crate) fn allows(&self, clerk: &str) -> bool {
        matches!(self, PhotoConsent::Accepted { clerk: c } if c == clerk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_acceptance_allows_one_still() {
        let mut room = PhotoConsent::default();
        assert_eq!(room.taken("clerk"), Err(PhotoRefusal::NotAccepted));
        assert_eq!(room.answer(true), Err(PhotoRefusal::NotAsked));
        room.request("clerk");
        assert!(!room.allows("clerk"), "asking is not allowing");
        assert_eq!(room.answer(true), Ok("clerk".into()));
        assert!(room.allows("clerk"));
        assert!(!room.allows("other"));
        assert_eq!(room.taken("other"), Err(PhotoRefusal::NotAccepted));
        assert_eq!(room.taken("clerk"), Ok(()));
        // Each photo needs its own yes.
        assert_eq!(room.taken("clerk"), Err(PhotoRefusal::NotAccepted));
        assert_eq!(room.answer(true), Err(PhotoRefusal::NotAsked));
    }

    #[test]
    fn a_no_or_asking_again_or_leaving_voids_it() {
        let mut room = PhotoConsent::default();
        room.request("clerk");
        assert_eq!(room.answer(false), Ok("clerk".into()));
        assert_eq!(room, PhotoConsent::Idle);
        assert_eq!(
            room.answer(true),
            Err(PhotoRefusal::NotAsked),
            "one answer per request"
        );

        room.request("clerk");
        room.answer(true).unwrap();
        room.request("clerk");
        assert!(!room.allows("clerk"), "a new request needs a new yes");

        room.answer(true).unwrap();
        room.left();
        assert_eq!(room.taken("clerk"), Err(PhotoRefusal::NotAccepted));
    }
}
