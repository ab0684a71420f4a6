//! The page shell every page shares: `lang`, skip link, the municipality's name and colour in
//! the header, one `main` landmark, and the language switch.

use crate::context::Ctx;
use crate::html::esc;
use crate::i18n::Tx;
use axum::response::Html;
use booking::domain::tenant::Tenant;

pub struct Page<'a> {
    /// The `h1`, also the start of the document title.
    pub title: String,
    pub tenant: Option<&'a Tenant>,
    /// The HTML inside `main`, after the `h1`. Built with `esc` for every value.
    pub body: String,
    /// Set when the page shows form errors, so screen readers hear it in the title first.
    pub has_errors: bool,
    /// The staff navigation (`staff_nav`) on clerk and admin pages, empty elsewhere. It goes
    /// between the header and `main`, so the skip link passes it.
    pub nav: String,
}

pub fn render(ctx: &Ctx, page: Page<'_>) -> Html<String> {
    let tx = match page.tenant {
        Some(t) => Tx::new(ctx.lang, t.tone),
        None => Tx::formal(ctx.lang),
    };
    let site = page
        .tenant
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "Videoloket".to_string());
    let error_prefix = if page.has_errors {
        tx.t("Fout: ", "Error: ")
    } else {
        ""
    };
    // The colour is a validated `#rrggbb` with AA contrast against white (booking::domain::tenant::Colour),
    // so it can go into the style attribute as is.
    let colours = page
        .tenant
        .map(|t| {
            format!(
                " style=\"--primary: {}; --secondary: {}\"",
                t.primary_colour.as_str(),
                t.secondary_colour.as_str()
            )
        })
        .unwrap_or_default();
    let home = page
        .tenant
        .map(|t| format!("/{}", t.slug.as_str()))
        .unwrap_or_else(|| "/".to_string());
    let other = ctx.lang.other();
    Html(format!(
        r##"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{error_prefix}{title} - {site}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body{colours}>
<a class="skip-link" href="#inhoud">{skip}</a>
<header class="site-header">
  <div class="container header-row">
    <a class="site-name" href="{home}">{site}</a>
    <a class="lang-switch" href="{switch}" lang="{other_code}" hreflang="{other_code}">{other_name}</a>
  </div>
</header>
{nav}<main id="inhoud" class="container" tabindex="-1">
<h1>{title}</h1>
{body}
</main>
<footer class="site-footer">
  <div class="container"><p>{footer}</p></div>
</footer>
</body>
</html>
"##,
        lang = ctx.lang.code(),
        title = esc(&page.title),
        site = esc(&site),
        skip = tx.t("Naar de inhoud", "Skip to content"),
        switch = esc(&ctx.switch_href()),
        other_code = other.code(),
        other_name = other.own_name(),
        body = page.body,
        nav = if page.nav.is_empty() {
            String::new()
        } else {
            format!("<div class=\"container\">{}</div>\n", page.nav)
        },
        footer = tx.t(
            "Videoloket: videobellen met de gemeente.",
            "Videoloket: video calls with the municipality."
        ),
    ))
}
