//! Several people in one appointment (issue 16 item 8): a family's passports in one call. Per
//! service the municipality sets for how many people one appointment may be and the minutes
//! each extra person adds; the resident names the extra people.

use crate::domain::text::PersonName;
use crate::error::{Error, Result};
use jiff::SignedDuration;

/// The most people one appointment may ever be for, whatever a service allows.
pub const MOST_PEOPLE: u8 = 8;
/// The most minutes one extra person may add.
pub const MOST_MINUTES_PER_PERSON: i64 = 60;

/// A service's rule for appointments for several people. `max_people` 1 means one person only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyRule {
    pub max_people: u8,
    pub minutes_per_extra_person: i64,
}

impl Default for PartyRule {
    fn default() -> Self {
        Self {
            max_people: 1,
            minutes_per_extra_person: 0,
        }
    }
}

impl PartyRule {
    /// From an admin's numbers: 1..=8 people, 0..=60 minutes in steps of 5 (the reservation
    /// units are 5 minutes). The problem names the field.
    pub fn new(max_people: i64, minutes_per_extra_person: i64) -> Result<Self> {
        if !(1..=i64::from(MOST_PEOPLE)).contains(&max_people) {
            return Err(Error::invalid(
                "/max_people",
                format!("Kies 1 tot en met {MOST_PEOPLE} personen."),
                format!("Choose 1 to {MOST_PEOPLE} people."),
            ));
        }
        if !(0..=MOST_MINUTES_PER_PERSON).contains(&minutes_per_extra_person)
            || minutes_per_extra_person % 5 != 0
        {
            return Err(Error::invalid(
                "/minutes_per_extra_person",
                format!("Geef 0 tot en met {MOST_MINUTES_PER_PERSON} minuten, in stappen van 5."),
                format!("Give 0 to {MOST_MINUTES_PER_PERSON} minutes, in steps of 5."),
            ));
        }
        Ok(Self {
            max_people: max_people as u8,
            minutes_per_extra_person,
        })
    }

    /// Whether residents are asked for how many people.
    pub fn asks(&self) -> bool {
        self.max_people > 1
    }

    /// The time the extra people add to the service's duration.
    pub fn extra_time(&self, extra_people: usize) -> SignedDuration {
        SignedDuration::from_mins(self.minutes_per_extra_person * extra_people as i64)
    }

    /// A head count as asked ("for how many people"), or why not. `/people` is the field the
    /// JSON request names the extra people in.
    pub fn head_count(&self, people: i64) -> Result<u8> {
        if people < 1 || people > i64::from(self.max_people) {
            return Err(self.too_many());
        }
        Ok(people as u8)
    }

    /// The extra people's names, parsed, or why not: too many for the service, or a name that is
    /// not one (`/people/1`).
    pub fn extra_people(&self, names: &[String]) -> Result<Vec<PersonName>> {
        if names.len() + 1 > usize::from(self.max_people) {
            return Err(self.too_many());
        }
        names
            .iter()
            .enumerate()
            .map(|(i, name)| PersonName::parse(name).map_err(|p| p.at(&format!("/people/{i}"))))
            .collect()
    }

    fn too_many(&self) -> Error {
        match self.max_people {
            1 => Error::invalid(
                "/people",
                "Een afspraak voor deze dienst is voor één persoon. Maak voor iedereen een eigen afspraak.",
                "An appointment for this service is for one person. Book one for each person.",
            ),
            n => Error::invalid(
                "/people",
                format!("Een afspraak voor deze dienst is voor hoogstens {n} personen."),
                format!("An appointment for this service is for at most {n} people."),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_extra_person_adds_the_services_minutes() {
        let rule = PartyRule::new(4, 15).unwrap();
        assert_eq!(rule.extra_time(0), SignedDuration::ZERO);
        assert_eq!(rule.extra_time(2), SignedDuration::from_mins(30));
        assert!(rule.asks());
        assert!(!PartyRule::default().asks());
    }

    #[test]
    fn too_many_people_is_refused_at_the_people_field() {
        let rule = PartyRule::new(3, 10).unwrap();
        let names = |n: usize| vec!["Sam".to_string(); n];
        assert_eq!(rule.extra_people(&names(2)).unwrap().len(), 2);
        match rule.extra_people(&names(3)) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "/people"),
            other => panic!("{other:?}"),
        }
        match PartyRule::default().extra_people(&names(1)) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "/people"),
            other => panic!("{other:?}"),
        }
        assert!(rule.head_count(3).is_ok());
        assert!(rule.head_count(4).is_err());
        assert!(rule.head_count(0).is_err());
    }

    #[test]
    fn an_empty_name_is_refused_at_its_place() {
        let rule = PartyRule::new(3, 10).unwrap();
        match rule.extra_people(&["Sam".into(), "  ".into()]) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "/people/1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn admins_numbers_are_checked() {
        assert!(PartyRule::new(0, 10).is_err());
        assert!(PartyRule::new(9, 10).is_err());
        assert!(PartyRule::new(2, 7).is_err());
        assert!(PartyRule::new(2, 65).is_err());
        assert_eq!(
            PartyRule::new(2, 20).unwrap(),
            PartyRule {
                max_people: 2,
                minutes_per_extra_person: 20
            }
        );
    }
}
