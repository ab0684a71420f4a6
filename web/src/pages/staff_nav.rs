//! The navigation shared by the clerk pages (`/medewerker/...`) and the admin pages
//! (`/beheer/...`). Admin links show only for admins.

use crate::html::esc;
use crate::i18n::Tx;

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
    ("/beheer", "Instellingen", "Settings", true),
    ("/beheer/onderwerpen", "Onderwerpen", "Services", true),
    ("/beheer/medewerkers", "Medewerkers", "Clerks", true),
    ("/beheer/dashboard", "Dashboard", "Dashboard", true),
    ("/beheer/klachten", "Klachten", "Complaints", true),
    ("/beheer/zaaksysteem", "Zaaksysteem", "Case system", true),
];

/// The navigation as HTML, with `current` (a path from `LINKS`) marked `aria-current="page"`.
/// Pass it as `Page::nav`: the layout puts it between the header and `main`.
pub fn staff_nav(tx: &Tx, current: &str, is_admin: bool) -> String {
    let items: String = LINKS
        .iter()
        .filter(|(_, _, _, admin_only)| is_admin || !admin_only)
        .map(|&(path, nl, en, _)| {
            let here = if path == current {
                r#" aria-current="page""#
            } else {
                ""
            };
            format!(
                r#"<li><a href="{}"{here}>{}</a></li>"#,
                esc(path),
                tx.t(nl, en)
            )
        })
        .collect();
    format!(
        r#"<nav class="staff-nav" aria-label="{label}"><ul>{items}</ul>
<form method="post" action="/medewerker/uitloggen"><button type="submit" class="button button--secondary">{logout}</button></form></nav>"#,
        label = tx.t("Medewerkersmenu", "Staff menu"),
        logout = tx.t("Uitloggen", "Log out"),
    )
}
