//! The admin audit trail: who changed what in a municipality's administration, and when.
//! Append-only (migration 0020 refuses updates and deletes in the database itself).

use crate::domain::ids::{ClerkId, TenantId};
use jiff::Timestamp;

/// What was changed. Stored by `as_str`; shown in words by `in_words`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    MunicipalityCreated,
    MunicipalitySuspended,
    MunicipalityResumed,
    SettingsChanged,
    ServiceAdded,
    ServiceChanged,
    ServiceStopped,
    ServiceResumed,
    ServiceSourcesChanged,
    ServiceResultsChanged,
    ClerkAdded,
    ClerkChanged,
    ClerkHoursChanged,
    ClerkAbsenceAdded,
    ClerkAbsenceRemoved,
    ClerkDeactivated,
    ClerkReactivated,
    CaseStoreChanged,
    ClosingDayAdded,
    ClosingDayRemoved,
    PasswordLinkSent,
    PasswordSet,
    PasswordChanged,
    LogoChanged,
    LogoRemoved,
    ResidentsMessaged,
    ServiceQuestionsChanged,
    ServicePartyChanged,
    RemindersChanged,
}

const ALL: [AuditAction; 29] = [
    AuditAction::MunicipalityCreated,
    AuditAction::MunicipalitySuspended,
    AuditAction::MunicipalityResumed,
    AuditAction::SettingsChanged,
    AuditAction::ServiceAdded,
    AuditAction::ServiceChanged,
    AuditAction::ServiceStopped,
    AuditAction::ServiceResumed,
    AuditAction::ServiceSourcesChanged,
    AuditAction::ServiceResultsChanged,
    AuditAction::ClerkAdded,
    AuditAction::ClerkChanged,
    AuditAction::ClerkHoursChanged,
    AuditAction::ClerkAbsenceAdded,
    AuditAction::ClerkAbsenceRemoved,
    AuditAction::ClerkDeactivated,
    AuditAction::ClerkReactivated,
    AuditAction::CaseStoreChanged,
    AuditAction::ClosingDayAdded,
    AuditAction::ClosingDayRemoved,
    AuditAction::PasswordLinkSent,
    AuditAction::PasswordSet,
    AuditAction::PasswordChanged,
    AuditAction::LogoChanged,
    AuditAction::LogoRemoved,
    AuditAction::ResidentsMessaged,
    AuditAction::ServiceQuestionsChanged,
    AuditAction::ServicePartyChanged,
    AuditAction::RemindersChanged,
];

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            MunicipalityCreated => "municipality_created",
            MunicipalitySuspended => "municipality_suspended",
            MunicipalityResumed => "municipality_resumed",
            SettingsChanged => "settings_changed",
            ServiceAdded => "service_added",
            ServiceChanged => "service_changed",
            ServiceStopped => "service_stopped",
            ServiceResumed => "service_resumed",
            ServiceSourcesChanged => "service_sources_changed",
            ServiceResultsChanged => "service_results_changed",
            ClerkAdded => "clerk_added",
            ClerkChanged => "clerk_changed",
            ClerkHoursChanged => "clerk_hours_changed",
            ClerkAbsenceAdded => "clerk_absence_added",
            ClerkAbsenceRemoved => "clerk_absence_removed",
            ClerkDeactivated => "clerk_deactivated",
            ClerkReactivated => "clerk_reactivated",
            CaseStoreChanged => "case_store_changed",
            ClosingDayAdded => "closing_day_added",
            ClosingDayRemoved => "closing_day_removed",
            PasswordLinkSent => "password_link_sent",
            PasswordSet => "password_set",
            PasswordChanged => "password_changed",
            LogoChanged => "logo_changed",
            LogoRemoved => "logo_removed",
            ResidentsMessaged => "residents_messaged",
            ServiceQuestionsChanged => "service_questions_changed",
            ServicePartyChanged => "service_party_changed",
            RemindersChanged => "reminders_changed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// The action in Dutch and English, for the admin's log page.
    pub fn in_words(self) -> (&'static str, &'static str) {
        use AuditAction::*;
        match self {
            MunicipalityCreated => ("Gemeente aangemaakt", "Municipality created"),
            MunicipalitySuspended => ("Gemeente opgeschort", "Municipality suspended"),
            MunicipalityResumed => ("Gemeente weer actief", "Municipality resumed"),
            SettingsChanged => ("Instellingen gewijzigd", "Settings changed"),
            ServiceAdded => ("Dienst toegevoegd", "Service added"),
            ServiceChanged => ("Dienst gewijzigd", "Service changed"),
            ServiceStopped => ("Dienst gestopt", "Service stopped"),
            ServiceResumed => ("Dienst hervat", "Service resumed"),
            ServiceSourcesChanged => ("Informatiebronnen gewijzigd", "Information sources changed"),
            ServiceResultsChanged => ("Resultaten gewijzigd", "Results changed"),
            ClerkAdded => ("Medewerker toegevoegd", "Clerk added"),
            ClerkChanged => ("Medewerker gewijzigd", "Clerk changed"),
            ClerkHoursChanged => ("Werktijden gewijzigd", "Working hours changed"),
            ClerkAbsenceAdded => ("Afwezigheid toegevoegd", "Absence added"),
            ClerkAbsenceRemoved => ("Afwezigheid verwijderd", "Absence removed"),
            ClerkDeactivated => ("Medewerker gedeactiveerd", "Clerk deactivated"),
            ClerkReactivated => ("Medewerker weer actief", "Clerk reactivated"),
            CaseStoreChanged => ("Zaaksysteem gewijzigd", "Case store changed"),
            ClosingDayAdded => ("Sluitingsdag toegevoegd", "Closing day added"),
            ClosingDayRemoved => ("Sluitingsdag verwijderd", "Closing day removed"),
            PasswordLinkSent => ("Wachtwoordlink verstuurd", "Password link sent"),
            PasswordSet => ("Wachtwoord ingesteld", "Password set"),
            PasswordChanged => ("Wachtwoord gewijzigd", "Password changed"),
            LogoChanged => ("Logo gewijzigd", "Logo changed"),
            LogoRemoved => ("Logo verwijderd", "Logo removed"),
            ResidentsMessaged => ("Bewoners bericht gestuurd", "Residents sent a message"),
            ServiceQuestionsChanged => (
                "Vragen vooraf gewijzigd",
                "Questions before booking changed",
            ),
            ServicePartyChanged => (
                "Aantal personen per afspraak gewijzigd",
                "People per appointment changed",
            ),
            RemindersChanged => ("Herinneringen gewijzigd", "Reminders changed"),
        }
    }
}

/// Who acted: a clerk of the municipality, or the platform (its operator, or a person
/// acting on their own account through a mailed link, who is then named in the subject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub clerk: Option<ClerkId>,
    pub name: String,
}

impl Actor {
    pub fn operator() -> Self {
        Self {
            clerk: None,
            name: "Beheerder van het platform".into(),
        }
    }
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub tenant: TenantId,
    pub at: Timestamp,
    pub actor: Actor,
    pub action: AuditAction,
    /// What it was about, in a few words: a clerk's or service's name, a date.
    pub subject: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back() {
        for action in ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("settings"), None);
    }
}
