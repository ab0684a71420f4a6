//! The page shell every page shares: `lang`, skip link, the municipality's name and colour in
//! the header, one `main` landmark, the language switch, and how to phone with a question: the
//! municipality's number when it is known and gave one, else the platform's help line.

use crate::context::Ctx;
use crate::i18n::Tx;
use axum::response::Html;
use booking::domain::tenant::Tenant;
use booking::domain::text::PhoneNumber;
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
/// page without a municipality): the government's general line, which helps find the right one.
pub const PLATFORM_PHONE: &str = "1400";

/// "Vragen? Bel 14 030" as a large `tel:` link: the municipality's number on its pages, else
/// the platform's configured number (`App::fallback_phone`), else the government's line.
fn question_line(tx: &Tx, tenant: Option<&Tenant>, fallback: Option<&PhoneNumber>) -> Markup {
    let own = tenant.and_then(|t| {
        t.resident_info
            .phone
            .as_deref()
            .and_then(|p| PhoneNumber::parse_for_municipality(p).ok())
            .map(|phone| (phone, t.name.clone()))
    });
    let (href, words, whom) = match (own, fallback, tenant) {
        (Some((phone, name)), _, _) => (phone.as_str().to_string(), phone.in_words(), name),
        (None, Some(phone), Some(t)) => {
            (phone.as_str().to_string(), phone.in_words(), t.name.clone())
        }
        (None, Some(phone), None) => (
            phone.as_str().to_string(),
            phone.in_words(),
            tx.t("Videoloket", "Videoloket").to_string(),
        ),
        (None, None, _) => (
            PLATFORM_PHONE.to_string(),
            PLATFORM_PHONE.to_string(),
            tx.t("de Rijksoverheid", "the Dutch government").to_string(),
        ),
    };
    html! {
        p class="question-line" {
            (tx.t("Vragen? ", "Questions? "))
            a class="tel-link" href={ "tel:" (href) }
                aria-label=(format!("{} {words} ({whom})", tx.t("Bel", "Call"))) {
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
    // Clerk and admin pages (the ones with the staff navigation) use the width of the screen:
    // the call workspace and the tables need it; resident pages keep one readable column.
    let container = if page.nav.is_some() {
        "container container--wide"
    } else {
        "container"
    };
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
                    div class={ (container) " header-row" } {
                        a class="site-name" href=(home) {
                            // The name follows, so the picture is decoration for a screen reader.
                            @if let Some((slug, version)) = page.tenant.and_then(|t| Some((t.slug.as_str(), t.logo_version?))) {
                                img class="site-logo" src={ "/" (slug) "/logo?v=" (version) } alt="" height="48";
                            }
                            (site)
                        }
                        @if page.nav.is_none() {
                            (question_line(&tx, page.tenant, ctx.fallback_phone.as_ref()))
                        }
                        a class="lang-switch" href=(ctx.switch_href()) lang=(other.code()) hreflang=(other.code()) {
                            (other.own_name())
                        }
                    }
                }
                @if let Some(nav) = &page.nav {
                    div class=(container) { (nav) }
                }
                main id="inhoud" class=(container) tabindex="-1" {
                    h1 { (page.title) }
                    (page.body)
                }
                footer class="site-footer" {
                    div class=(container) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page_for(tenant: Option<&Tenant>) -> String {
        let (parts, ()) = axum::http::Request::builder()
            .uri("/voorbeeld")
            .body(())
            .unwrap()
            .into_parts();
        let ctx = Ctx::from_parts(&parts);
        let page = Page {
            title: "Test".into(),
            tenant,
            body: html! { p { "inhoud" } },
            has_errors: false,
            nav: None,
        };
        render(&ctx, page).0
    }

    #[test]
    fn every_page_says_whom_to_phone() {
        let mut tenant = booking::demo::demo_tenant();
        tenant.resident_info.phone = Some("14 030".into());
        let own = page_for(Some(&tenant));
        assert!(
            own.contains("Vragen? <a class=\"tel-link\" href=\"tel:"),
            "{own}"
        );
        assert!(own.contains(">Bel 14 030</a>"), "{own}");
        // Without a municipality, or for one without a number of its own: the platform's
        // line, so there is always a number to call.
        let platform = page_for(None);
        assert!(
            platform.contains(&format!("href=\"tel:{PLATFORM_PHONE}\"")),
            "{platform}"
        );
        tenant.resident_info.phone = None;
        let without = page_for(Some(&tenant));
        assert!(
            without.contains(&format!("href=\"tel:{PLATFORM_PHONE}\"")),
            "{without}"
        );
    }

    #[test]
    fn a_configured_platform_number_stands_in_for_a_missing_one() {
        let mut tenant = booking::demo::demo_tenant();
        tenant.resident_info.phone = None;
        let (mut parts, ()) = axum::http::Request::builder()
            .uri("/voorbeeld")
            .body(())
            .unwrap()
            .into_parts();
        parts.extensions.insert(crate::context::FallbackPhone(Some(
            PhoneNumber::parse_for_municipality("14 020").unwrap(),
        )));
        let ctx = Ctx::from_parts(&parts);
        let page = render(
            &ctx,
            Page {
                title: "Test".into(),
                tenant: Some(&tenant),
                body: html! { p { "inhoud" } },
                has_errors: false,
                nav: None,
            },
        )
        .0;
        assert!(page.contains("href=\"tel:14020\""), "{page}");
        assert!(page.contains(">Bel 14 020</a>"), "{page}");
    }
}
