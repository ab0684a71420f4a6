//! The page shell every page shares: `lang`, skip link, the municipality's name and colour in
//! the header, one `main` landmark, the language switch, and how to phone with a question: the
//! municipality's number when it is known and gave one, else the platform's help line.

use crate::context::Ctx;
use crate::i18n::Tx;
use axum::response::Html;
use booking::domain::tenant::Tenant;
use maud::{html, Markup, DOCTYPE};

pub struct Page<'a> {
    /// The `h1`, also the start of the document title.
    pub title: String,
    pub tenant: Option<&'a Tenant>,
    /// The markup inside `main`, after the `h1`.
    pub body: Markup,
    /// Set when the page shows form errors, so screen readers hear it in the title first.
    pub has_errors: bool,
    /// The staff navigation (`staff_nav`) on clerk and admin pages. It goes between the
    /// header and `main`, so the skip link passes it.
    pub nav: Option<Markup>,
}

/// The phone number residents call when no municipality is known (the start page, an error
/// page without a municipality) or the municipality gave none: 14 + the area code reaches every
/// Dutch municipality, and the government's general line answers questions about which one.
pub const PLATFORM_PHONE: &str = "1400";

/// "Vragen? Bel 14 030" as a large `tel:` link: the municipality's number, or the platform's.
fn question_line(tx: &Tx, tenant: Option<&Tenant>) -> Markup {
    use booking::domain::text::PhoneNumber;
    let own = tenant
        .and_then(|t| t.resident_info.phone.as_deref())
        .and_then(|p| PhoneNumber::parse_for_municipality(p).ok());
    let (href, words) = match &own {
        Some(phone) => (phone.as_str().to_string(), phone.in_words()),
        None => (PLATFORM_PHONE.to_string(), PLATFORM_PHONE.to_string()),
    };
    let whom = match (own.is_some(), tenant) {
        (true, Some(t)) => t.name.clone(),
        _ => tx.t("de Rijksoverheid", "the Dutch government").to_string(),
    };
    html! {
        p class="question-line" {
            (tx.t("Vragen? ", "Questions? "))
            a class="tel-link" href={ "tel:" (href) }
                aria-label=(format!("{} {} ({whom})", tx.t("Bel", "Call"), words)) {
                (tx.t("Bel ", "Call ")) (words)
            }
        }
    }
}

pub fn render(ctx: &Ctx, page: Page<'_>) -> Html<String> {
    let tx = match page.tenant {
        Some(t) => Tx::new(ctx.lang, t.tone),
        None => Tx::formal(ctx.lang),
    };
    let site = page.tenant.map_or("Videoloket", |t| t.name.as_str());
    let error_prefix = if page.has_errors {
        tx.t("Fout: ", "Error: ")
    } else {
        ""
    };
    // The colour is a validated `#rrggbb` with AA contrast against white (booking::domain::tenant::Colour).
    let colours = page.tenant.map(|t| {
        format!(
            "--primary: {}; --secondary: {}",
            t.primary_colour.as_str(),
            t.secondary_colour.as_str()
        )
    });
    let home = page
        .tenant
        .map_or_else(|| "/".to_string(), |t| format!("/{}", t.slug.as_str()));
    let other = ctx.lang.other();
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (error_prefix) (page.title) " - " (site) }
                link rel="stylesheet" href="/static/site.css";
            }
            body style=[colours] {
                a class="skip-link" href="#inhoud" { (tx.t("Naar de inhoud", "Skip to content")) }
                header class="site-header" {
                    div class="container header-row" {
                        a class="site-name" href=(home) { (site) }
                        @if page.nav.is_none() {
                            (question_line(&tx, page.tenant))
                        }
                        a class="lang-switch" href=(ctx.switch_href()) lang=(other.code()) hreflang=(other.code()) {
                            (other.own_name())
                        }
                    }
                }
                @if let Some(nav) = page.nav {
                    div class="container" { (nav) }
                }
                main id="inhoud" class="container" tabindex="-1" {
                    h1 { (page.title) }
                    (page.body)
                }
                footer class="site-footer" {
                    div class="container" {
                        @if let Some(t) = page.tenant {
                            (contact(&tx, t))
                        }
                        p {
                            (tx.t(
                                "Videoloket: videobellen met de gemeente.",
                                "Videoloket: video calls with the municipality."
                            ))
                        }
                    }
                }
            }
        }
    };
    Html(markup.into_string())
}

/// How to reach the municipality, on every page of a municipality: its phone number as a
/// `tel:` link, its address and opening hours, as far as it gave them.
fn contact(tx: &Tx, tenant: &Tenant) -> maud::Markup {
    let info = &tenant.resident_info;
    let phone = info
        .phone
        .as_deref()
        .and_then(|p| booking::domain::text::PhoneNumber::parse_for_municipality(p).ok());
    html! {
        @if let Some(phone) = phone {
            p class="contact-phone" {
                (tx.t("Bel ons: ", "Call us: "))
                a href={ "tel:" (phone.as_str()) } { (phone.in_words()) }
            }
        }
        @if !info.address.is_empty() {
            p class="multiline" { (info.address) }
        }
        @if !info.opening_hours.is_empty() {
            p class="multiline" {
                (tx.t("Openingstijden: ", "Opening hours: "))
                (info.opening_hours)
            }
        }
    }
}
