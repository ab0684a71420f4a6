//! The navigation shared by the clerk pages (`/medewerker/...`) and the admin pages
//! (`/beheer/...`). Admin links show only for admins.

use crate::i18n::Tx;
use maud::{html, Markup};

/// One link in the staff navigation: (path, Dutch, English, admin only).
const LINKS: &[(&str, &str, &str, bool)] = &[
    ("/medewerker/vandaag", "Vandaag", "Today", false),
    ("/medewerker/wachtrij", "Wachtrij", "Queue", false),
    (
        "/medewerker/terugbellen",
        "Terugbelverzoeken",
        "Callbacks",
        false,
    ),
    (
        "/medewerker/beoordelingen",
        "Beoordelingen",
        "Ratings",
        false,
    ),
    (
        "/medewerker/afspraken",
        "Afspraak maken of zoeken",
        "Book or find",
        false,
    ),
    ("/beheer", "Instellingen", "Settings", true),
    ("/beheer/logo", "Logo", "Logo", true),
    ("/beheer/onderwerpen", "Onderwerpen", "Services", true),
    ("/beheer/medewerkers", "Medewerkers", "Clerks", true),
    (
        "/beheer/sluitingsdagen",
        "Sluitingsdagen",
        "Closing days",
        true,
    ),
    ("/beheer/dashboard", "Dashboard", "Dashboard", true),
    ("/beheer/klachten", "Klachten", "Complaints", true),
    ("/beheer/zaaksysteem", "Zaaksysteem", "Case system", true),
    ("/beheer/berichten", "Berichten", "Messages", true),
    ("/beheer/logboek", "Logboek", "Audit log", true),
    ("/medewerker/wachtwoord", "Wachtwoord", "Password", false),
    ("/beheer/inloggen", "Inloggen", "Login", true),
];

/// The navigation, with `current` (a path from `LINKS`) marked `aria-current="page"`.
/// Pass it as `Page::nav`: the layout puts it between the header and `main`.
pub fn staff_nav(tx: &Tx, current: &str, is_admin: bool) -> Markup {
    let links = LINKS
        .iter()
        .filter(|(_, _, _, admin_only)| is_admin || !admin_only);
    html! {
        nav class="staff-nav" aria-label=(tx.t("Medewerkersmenu", "Staff menu")) {
            ul {
                @for &(path, nl, en, _) in links {
                    li { a href=(path) aria-current=[(path == current).then_some("page")] { (tx.t(nl, en)) } }
                }
            }
            // The clerk's status (issue 21): available or paused with an optional reason; in
            // a call and finishing follow the calls. The queue page shows everyone's status.
            form method="post" action="/medewerker/status" class="status-control" {
                input type="hidden" name="terug" value=(current);
                fieldset {
                    legend { (tx.t("Mijn status", "My status")) }
                    label for="status-reden" { (tx.t("Reden van de pauze (niet verplicht)", "Reason for the pause (optional)")) }
                    input type="text" id="status-reden" name="reden" maxlength="100" autocomplete="off";
                    button type="submit" name="status" value="pauze" class="button button--secondary" { (tx.t("Pauze", "Pause")) }
                    button type="submit" name="status" value="beschikbaar" class="button button--secondary" { (tx.t("Beschikbaar", "Available")) }
                }
            }
            form method="post" action="/medewerker/uitloggen" {
                button type="submit" class="button button--secondary" { (tx.t("Uitloggen", "Log out")) }
            }
        }
    }
}
