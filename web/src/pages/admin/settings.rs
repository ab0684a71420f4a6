//! `/beheer`: the municipality's settings (name, colours, tone, walk-ins, times, contact).

use super::{admin_page, number, saved_notice, say, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_for, error_summary_unsaved, Field, Radio};
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::tenant::{Colour, InvalidColour, Tenant};
use booking::usecases;
use booking::usecases::admin::settings::SettingsInput;
use booking::App;
use maud::html;

const HERE: &str = "/beheer";

pub async fn show(AdminSession { tenant, .. }: AdminSession, ctx: Ctx) -> Response {
    // `finish` remembers a language chosen with ?lang= in a cookie.
    ctx.finish(form(
        &ctx,
        &tenant,
        &SettingsInput::of(&tenant),
        &Vec::new(),
    ))
}

pub async fn save(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let tx = Tx::formal(ctx.lang);
        // A number that is not a number at all is out of every range.
        let int = |name: &str| number(f.get(name)).unwrap_or(i64::MIN);
        let input = SettingsInput {
            name: f.get("name").into(),
            tone: f.get("tone").into(),
            primary_colour: f.get("primary_colour").into(),
            secondary_colour: f.get("secondary_colour").into(),
            walk_ins_allowed: f.has("walk_ins_allowed"),
            lead_time_minutes: int("lead_time_minutes"),
            horizon_days: int("horizon_days"),
            retention_days: int("retention_days"),
            contact_email: f.get("contact_email").into(),
            check_in_minutes: int("check_in_minutes"),
            no_show_grace_minutes: int("no_show_grace_minutes"),
            phone: f.get("phone").into(),
            address: f.get("address").into(),
            opening_hours: f.get("opening_hours").into(),
            intro_nl: f.get("intro_nl").into(),
            intro_en: f.get("intro_en").into(),
        };
        match usecases::admin::settings::check_settings(&tenant, &input) {
            Ok(_) => {
                usecases::admin::settings::update_settings(&app, &claims, &input).await?;
                Ok(see_other("/beheer?opgeslagen=1"))
            }
            Err(problems) => {
                let errors: Errors = problems
                    .iter()
                    .map(|(field, message)| {
                        (
                            field.to_string(),
                            dutch(&tx, field, &message.english, &input),
                        )
                    })
                    .collect();
                // Keep what was typed, the numbers as typed too.
                Ok(form_typed(&ctx, &tenant, &input, &f, &errors))
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn colour_message(tx: &Tx, raw: &str, message: &str) -> String {
    match Colour::parse(raw.trim()) {
        Err(InvalidColour::Contrast { colour, ratio }) => say(
            tx,
            format!(
                "De kleur {colour} is te licht: witte tekst erop heeft een contrast van {}:1, en er is minstens 4,5:1 nodig om het goed te kunnen lezen. Kies een donkerdere kleur.",
                format!("{ratio:.2}").replace('.', ",")
            ),
            message,
        ),
        _ => say(
            tx,
            "Vul een kleur in als # met zes tekens 0-9 of a-f, bijvoorbeeld #154273.",
            message,
        ),
    }
}

fn dutch(tx: &Tx, field: &str, message: &str, input: &SettingsInput) -> String {
    let nl = match field {
        "name" => "Vul de naam van de gemeente in (hoogstens 100 tekens).".to_string(),
        "tone" => "Kies hoe de gemeente bewoners aanspreekt: met u of met je.".to_string(),
        "primary_colour" => return colour_message(tx, &input.primary_colour, message),
        "secondary_colour" => return colour_message(tx, &input.secondary_colour, message),
        "lead_time_minutes" => {
            "Vul bij 'Minimale tijd vooruit' een aantal minuten in van 0 tot en met 10080.".into()
        }
        "horizon_days" => {
            "Vul bij 'Hoe ver vooruit' een aantal dagen in van 1 tot en met 365.".into()
        }
        "retention_days" => {
            "Vul bij 'Bewaartermijn' een aantal dagen in van 1 tot en met 3650.".into()
        }
        "check_in_minutes" => {
            "Vul bij 'Aanmelden kan vanaf' een aantal minuten in van 0 tot en met 240.".into()
        }
        "no_show_grace_minutes" => {
            "Vul bij 'Wachten op een bewoner' een aantal minuten in van 0 tot en met 120.".into()
        }
        "contact_email" => "Vul een geldig e-mailadres in, bijvoorbeeld loket@gemeente.nl.".into(),
        "phone" => "Vul een telefoonnummer in, bijvoorbeeld 14 030 of 020 123 4567, of laat het veld leeg.".into(),
        "address" => "Het adres mag hoogstens 300 tekens lang zijn, zonder onzichtbare stuurtekens.".into(),
        "opening_hours" => "De openingstijden mogen hoogstens 500 tekens lang zijn, zonder onzichtbare stuurtekens.".into(),
        "intro_nl" | "intro_en" => "Een welkomsttekst mag hoogstens 2000 tekens lang zijn, zonder onzichtbare stuurtekens.".into(),
        _ => message.to_string(),
    };
    say(tx, nl, message)
}

fn form(ctx: &Ctx, tenant: &Tenant, values: &SettingsInput, errors: &Errors) -> Response {
    let typed = FormData(Vec::new());
    form_typed(ctx, tenant, values, &typed, errors)
}

/// The form; numbers show as typed (`typed`) after a failed save, else from `values`.
fn form_typed(
    ctx: &Ctx,
    tenant: &Tenant,
    values: &SettingsInput,
    typed: &FormData,
    errors: &Errors,
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let num = |name: &str, value: i64| -> String {
        if typed.has(name) {
            typed.get(name).to_string()
        } else {
            value.to_string()
        }
    };
    let colour = |id: &'static str, label: &str, value: &str| {
        // The swatch shows the colour only when it is a well-formed colour; its text says it.
        let swatch = value.len() == 7
            && value.starts_with('#')
            && value[1..].chars().all(|c| c.is_ascii_hexdigit());
        let field = Field::input(id, "text", label, value)
            .hint(Some(tx.t(
                "Als #rrggbb, bijvoorbeeld #154273. Witte tekst moet er goed op te lezen zijn (contrast minstens 4,5:1).",
                "As #rrggbb, for example #154273. White text must be easy to read on it (contrast at least 4.5:1).",
            )))
            .autocomplete("off")
            .spellcheck_off()
            .maxlength(7);
        html! {
            div class="colour-field" {
                (field.render(&tx, errors))
                @if swatch {
                    span class="colour-swatch" style={ "background: " (value) } aria-hidden="true" {}
                }
            }
        }
    };
    let tone_error = error_for(errors, "tone");
    let tone_radio = |value: &str, label: &str, example: &str| {
        let example_id = format!("tone-{value}-example");
        html! {
            (Radio {
                id: &format!("tone-{value}"),
                name: "tone",
                value,
                label,
                checked: values.tone == value,
                invalid: false,
                required: false,
                described_by: Some(&example_id),
            }
            .render())
            p class="hint tone-example" id=(example_id) { (example) }
        }
    };
    let numeric_field =
        |id: &'static str, label: &'static str, hint: Option<&'static str>, value: i64| {
            Field::input(id, "text", label, &num(id, value))
                .hint(hint)
                .numeric()
                .render(&tx, errors)
        };
    let body = html! {
        (saved_notice(
            ctx,
            "opgeslagen",
            tx.t(
                "De instellingen zijn opgeslagen.",
                "The settings have been saved."
            )
        ).unwrap_or_default())
        (error_summary_unsaved(&tx, errors))
        p { a href="/beheer/gesprek" { (tx.t("Hoeveel mensen in één videogesprek", "How many people in one video call")) } }
        p { a href="/beheer/afronden" { (tx.t("Hoe lang een medewerker een gesprek mag afronden", "How long a clerk may spend finishing a call")) } }
        form method="post" action=(HERE) class="staff-form" novalidate {
            (Field::input("name", "text", tx.t("Naam van de gemeente", "Name of the municipality"), &values.name)
                .autocomplete("organization")
                .render(&tx, errors))
            (colour("primary_colour", tx.t("Hoofdkleur", "Primary colour"), &values.primary_colour))
            (colour("secondary_colour", tx.t("Tweede kleur", "Secondary colour"), &values.secondary_colour))
            fieldset id="tone" {
                legend {
                    (tx.t(
                        "Hoe spreekt de gemeente bewoners aan?",
                        "How does the municipality address residents?"
                    ))
                }
                @if let Some(e) = tone_error {
                    p class="field-error" { (e) }
                }
                div class="radio-list" {
                    (tone_radio(
                        "u",
                        tx.t("Met u (formeel)", "With u (formal)"),
                        tx.t(
                            "Voorbeeld: \"Op welke dag wilt u het gesprek?\"",
                            "Example: \"Op welke dag wilt u het gesprek?\""
                        ),
                    ))
                    (tone_radio(
                        "je",
                        tx.t("Met je (informeel)", "With je (informal)"),
                        tx.t(
                            "Voorbeeld: \"Op welke dag wil je het gesprek?\"",
                            "Example: \"Op welke dag wil je het gesprek?\""
                        ),
                    ))
                }
            }
            fieldset {
                legend { (tx.t("Zonder afspraak", "Without an appointment")) }
                div class="checkbox" {
                    input type="checkbox" id="walk_ins_allowed" name="walk_ins_allowed" value="1" checked[values.walk_ins_allowed];
                    label for="walk_ins_allowed" {
                        (tx.t(
                            "Bewoners mogen zonder afspraak in de wachtrij (inloop)",
                            "Residents may join the queue without an appointment (walk-in)"
                        ))
                    }
                }
            }
            (numeric_field(
                "lead_time_minutes",
                tx.t(
                    "Minimale tijd vooruit (minuten)",
                    "Minimum notice (minutes)",
                ),
                Some(tx.t(
                    "Zo lang van tevoren moet een afspraak op zijn laatst gemaakt worden.",
                    "How long before the appointment it must be booked at the latest.",
                )),
                values.lead_time_minutes,
            ))
            (numeric_field(
                "horizon_days",
                tx.t("Hoe ver vooruit (dagen)", "How far ahead (days)"),
                Some(tx.t(
                    "Zo veel dagen vooruit kunnen bewoners een afspraak maken.",
                    "How many days ahead residents can book.",
                )),
                values.horizon_days,
            ))
            (numeric_field(
                "check_in_minutes",
                tx.t(
                    "Aanmelden kan vanaf (minuten voor de afspraak)",
                    "Check-in opens (minutes before the appointment)",
                ),
                None,
                values.check_in_minutes,
            ))
            (numeric_field(
                "no_show_grace_minutes",
                tx.t(
                    "Wachten op een bewoner (minuten na de starttijd)",
                    "Waiting for a resident (minutes after the start)",
                ),
                Some(tx.t(
                    "Wie zich daarna nog niet heeft aangemeld, telt als niet verschenen.",
                    "Whoever has not checked in by then counts as a no-show.",
                )),
                values.no_show_grace_minutes,
            ))
            (numeric_field(
                "retention_days",
                tx.t(
                    "Bewaartermijn persoonsgegevens (dagen na de afspraak)",
                    "Keep personal data for (days after the appointment)",
                ),
                None,
                values.retention_days,
            ))
            (Field::input("contact_email", "email", tx.t("E-mailadres voor bewoners", "Email address for residents"), &values.contact_email)
                .hint(Some(tx.t(
                    "Dit adres staat als afzender in de uitnodigingen.",
                    "This address is the sender of the invitations."
                )))
                .autocomplete("email")
                .render(&tx, errors))
            fieldset {
                legend { (tx.t("Wat bewoners van de gemeente zien", "What residents see of the municipality")) }
                (Field::input("phone", "tel", tx.t("Telefoonnummer", "Phone number"), &values.phone)
                    .hint(Some(tx.t(
                        "Staat op elke pagina voor bewoners en in de bevestigingsmail, bijvoorbeeld 14 030. Laat leeg om geen nummer te tonen.",
                        "Shown on every resident page and in the confirmation mail, for example 14 030. Leave empty to show no number.",
                    )))
                    .autocomplete("tel")
                    .maxlength(40)
                    .render(&tx, errors))
                (Field::textarea("address", 3, tx.t("Adres", "Address"), &values.address)
                    .hint(Some(tx.t("Post- of bezoekadres.", "Postal or visiting address.")))
                    .render(&tx, errors))
                (Field::textarea("opening_hours", 3, tx.t("Openingstijden", "Opening hours"), &values.opening_hours)
                    .render(&tx, errors))
                (Field::textarea("intro_nl", 4, tx.t("Welkomsttekst (Nederlands)", "Introduction (Dutch)"), &values.intro_nl)
                    .hint(Some(tx.t(
                        "Staat bovenaan de startpagina van de gemeente.",
                        "Shown at the top of the municipality's start page.",
                    )))
                    .render(&tx, errors))
                (Field::textarea("intro_en", 4, tx.t("Welkomsttekst (Engels)", "Introduction (English)"), &values.intro_en)
                    .hint(Some(tx.t(
                        "Leeg: de Nederlandse tekst wordt getoond.",
                        "Empty: the Dutch text is shown.",
                    )))
                    .render(&tx, errors))
            }
            p { button type="submit" class="button" { (tx.t("Instellingen opslaan", "Save settings")) } }
        }
    };
    admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Instellingen", "Settings").to_string(),
        body,
        !errors.is_empty(),
    )
}
