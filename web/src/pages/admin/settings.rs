//! `/beheer`: the municipality's settings (name, colours, tone, walk-ins, times, contact).

use super::{
    admin_page, error_summary, number, saved_notice, say, AdminSession, Errors, Field, FormData,
};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::html::esc;
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::tenant::{Colour, InvalidColour, Tenant};
use booking::usecases;
use booking::usecases::admin::settings::SettingsInput;
use booking::App;

const HERE: &str = "/beheer";

pub async fn show(
    State(app): State<App>,
    AdminSession(claims): AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::desk::municipality(&app, &claims).await?;
        Ok(form(
            &ctx,
            &tenant,
            &SettingsInput::of(&tenant),
            &Vec::new(),
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save(
    State(app): State<App>,
    AdminSession(claims): AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let tenant = ::booking::usecases::desk::municipality(&app, &claims).await?;
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
        };
        match usecases::admin::settings::check_settings(&tenant, &input) {
            Ok(_) => {
                usecases::admin::settings::update_settings(&app, tenant.id, &input).await?;
                Ok(see_other("/beheer?opgeslagen=1"))
            }
            Err(problems) => {
                let errors: Errors = problems
                    .iter()
                    .map(|(field, message)| (field.to_string(), dutch(&tx, field, message, &input)))
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
    let text = |id: &str, label: &str, hint: Option<&str>, kind: &str, value: &str, extra: &str| {
        Field {
            id,
            name: id,
            label,
            hint,
            kind,
            value,
            extra,
        }
        .html(&tx, errors)
    };
    let colour = |id: &str, label: &str, value: &str| {
        // The swatch shows the colour only when it is a well-formed colour; its text says it.
        let swatch = if value.len() == 7
            && value.starts_with('#')
            && value[1..].chars().all(|c| c.is_ascii_hexdigit())
        {
            format!(
                r#"<span class="colour-swatch" style="background: {v}" aria-hidden="true"></span>"#,
                v = esc(value)
            )
        } else {
            String::new()
        };
        format!(
            r#"<div class="colour-field">{}{swatch}</div>"#,
            text(
                id,
                label,
                Some(tx.t(
                    "Als #rrggbb, bijvoorbeeld #154273. Witte tekst moet er goed op te lezen zijn (contrast minstens 4,5:1).",
                    "As #rrggbb, for example #154273. White text must be easy to read on it (contrast at least 4.5:1)."
                )),
                "text",
                value,
                r#" autocomplete="off" spellcheck="false" maxlength="7""#,
            )
        )
    };
    let tone_error = super::error_for(errors, "tone");
    let tone_radio = |value: &str, label: &str, example: &str| {
        let checked = if values.tone == value { " checked" } else { "" };
        format!(
            r#"<div class="radio"><input type="radio" id="tone-{value}" name="tone" value="{value}"{checked} aria-describedby="tone-{value}-example"><label for="tone-{value}">{label}</label></div><p class="hint tone-example" id="tone-{value}-example">{example}</p>"#,
            label = esc(label),
            example = esc(example),
        )
    };
    let tone = format!(
        r#"<fieldset id="tone"><legend>{legend}</legend>{error}<div class="radio-list">{u}{je}</div></fieldset>"#,
        legend = tx.t(
            "Hoe spreekt de gemeente bewoners aan?",
            "How does the municipality address residents?"
        ),
        error = tone_error
            .map(|e| format!(r#"<p class="field-error">{}</p>"#, esc(e)))
            .unwrap_or_default(),
        u = tone_radio(
            "u",
            tx.t("Met u (formeel)", "With u (formal)"),
            tx.t(
                "Voorbeeld: \"Op welke dag wilt u het gesprek?\"",
                "Example: \"Op welke dag wilt u het gesprek?\""
            ),
        ),
        je = tone_radio(
            "je",
            tx.t("Met je (informeel)", "With je (informal)"),
            tx.t(
                "Voorbeeld: \"Op welke dag wil je het gesprek?\"",
                "Example: \"Op welke dag wil je het gesprek?\""
            ),
        ),
    );
    let walk_ins = format!(
        r#"<fieldset><legend>{legend}</legend><div class="checkbox"><input type="checkbox" id="walk_ins_allowed" name="walk_ins_allowed" value="1"{checked}><label for="walk_ins_allowed">{label}</label></div></fieldset>"#,
        legend = tx.t("Zonder afspraak", "Without an appointment"),
        label = tx.t(
            "Bewoners mogen zonder afspraak in de wachtrij (inloop)",
            "Residents may join the queue without an appointment (walk-in)"
        ),
        checked = if values.walk_ins_allowed {
            " checked"
        } else {
            ""
        },
    );
    let numbers = [
        text(
            "lead_time_minutes",
            tx.t(
                "Minimale tijd vooruit (minuten)",
                "Minimum notice (minutes)",
            ),
            Some(tx.t(
                "Zo lang van tevoren moet een afspraak op zijn laatst gemaakt worden.",
                "How long before the appointment it must be booked at the latest.",
            )),
            "text",
            &num("lead_time_minutes", values.lead_time_minutes),
            r#" inputmode="numeric""#,
        ),
        text(
            "horizon_days",
            tx.t("Hoe ver vooruit (dagen)", "How far ahead (days)"),
            Some(tx.t(
                "Zo veel dagen vooruit kunnen bewoners een afspraak maken.",
                "How many days ahead residents can book.",
            )),
            "text",
            &num("horizon_days", values.horizon_days),
            r#" inputmode="numeric""#,
        ),
        text(
            "check_in_minutes",
            tx.t(
                "Aanmelden kan vanaf (minuten voor de afspraak)",
                "Check-in opens (minutes before the appointment)",
            ),
            None,
            "text",
            &num("check_in_minutes", values.check_in_minutes),
            r#" inputmode="numeric""#,
        ),
        text(
            "no_show_grace_minutes",
            tx.t(
                "Wachten op een bewoner (minuten na de starttijd)",
                "Waiting for a resident (minutes after the start)",
            ),
            Some(tx.t(
                "Wie zich daarna nog niet heeft aangemeld, telt als niet verschenen.",
                "Whoever has not checked in by then counts as a no-show.",
            )),
            "text",
            &num("no_show_grace_minutes", values.no_show_grace_minutes),
            r#" inputmode="numeric""#,
        ),
        text(
            "retention_days",
            tx.t(
                "Bewaartermijn persoonsgegevens (dagen na de afspraak)",
                "Keep personal data for (days after the appointment)",
            ),
            None,
            "text",
            &num("retention_days", values.retention_days),
            r#" inputmode="numeric""#,
        ),
    ]
    .concat();
    let body = format!(
        r#"{saved}{summary}<form method="post" action="{HERE}" class="staff-form" novalidate>
{name}
{primary}
{secondary}
{tone}
{walk_ins}
{numbers}
{email}
<p><button type="submit" class="button">{submit}</button></p>
</form>"#,
        saved = saved_notice(
            ctx,
            "opgeslagen",
            tx.t(
                "De instellingen zijn opgeslagen.",
                "The settings have been saved."
            )
        ),
        summary = error_summary(&tx, errors),
        name = text(
            "name",
            tx.t("Naam van de gemeente", "Name of the municipality"),
            None,
            "text",
            &values.name,
            r#" autocomplete="organization""#
        ),
        primary = colour(
            "primary_colour",
            tx.t("Hoofdkleur", "Primary colour"),
            &values.primary_colour
        ),
        secondary = colour(
            "secondary_colour",
            tx.t("Tweede kleur", "Secondary colour"),
            &values.secondary_colour
        ),
        email = text(
            "contact_email",
            tx.t("E-mailadres voor bewoners", "Email address for residents"),
            Some(tx.t(
                "Dit adres staat als afzender in de uitnodigingen.",
                "This address is the sender of the invitations."
            )),
            "email",
            &values.contact_email,
            r#" autocomplete="email""#,
        ),
        submit = tx.t("Instellingen opslaan", "Save settings"),
    );
    admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Instellingen", "Settings").to_string(),
        body,
        !errors.is_empty(),
    )
}
