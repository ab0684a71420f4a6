//! `/beheer/onderwerpen/{id}/personen`: for how many people one appointment of a service may be
//! and the minutes each extra person adds (issue 16 item 8). One plain form.

use super::{admin_page, number, saved_notice, AdminSession, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::{Lang, Tx};
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::catalog::Service;
use booking::domain::party::{PartyRule, MOST_PEOPLE};
use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::{App, Error};
use maud::html;

const SERVICES: &str = "/beheer/onderwerpen";

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let rule = service.party;
        Ok(page(
            &ctx,
            &tenant,
            &service,
            rule,
            &FormData(Vec::new()),
            &[],
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let f = FormData::parse(&body);
        let max = number(f.get("max_people")).unwrap_or(-1);
        let minutes = number(f.get("minutes_per_extra_person")).unwrap_or(-1);
        match usecases::admin::services::set_party_rule(&app, &claims, &id, max, minutes).await {
            Ok(_) => Ok(see_other(&format!(
                "{SERVICES}/{}/personen?opgeslagen=1",
                service.id
            ))),
            Err(Error::Invalid { field, message }) => {
                let words = match ctx.lang {
                    Lang::Nl => message.dutch,
                    Lang::En => message.english,
                };
                let rule = service.party;
                let id = field.trim_start_matches('/').to_string();
                Ok(page(&ctx, &tenant, &service, rule, &f, &[(id, words)]))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn page(
    ctx: &Ctx,
    tenant: &Tenant,
    service: &Service,
    rule: PartyRule,
    typed: &FormData,
    errors: &[(String, String)],
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let errors = errors.to_vec();
    let value = |name: &str, stored: String| -> String {
        if typed.has(name) {
            typed.get(name).to_string()
        } else {
            stored
        }
    };
    let max = value("max_people", rule.max_people.to_string());
    let minutes = value(
        "minutes_per_extra_person",
        rule.minutes_per_extra_person.to_string(),
    );
    let base = format!("{SERVICES}/{}/personen", service.id);
    let max_hint = format!(
        "{} {MOST_PEOPLE}. {}",
        tx.t("Van 1 tot en met", "From 1 to"),
        tx.t(
            "Bij 1 is een afspraak voor één persoon en vragen we niets.",
            "With 1 an appointment is for one person and we ask nothing."
        )
    );
    let body = html! {
        @if let Some(n) = saved_notice(ctx, "opgeslagen", tx.t("Het aantal personen is opgeslagen.", "The number of people has been saved.")) { (n) }
        (error_summary_unsaved(&tx, &errors))
        p {
            (tx.t(
                "Bijvoorbeeld een gezin dat samen paspoorten aanvraagt: bewoners kiezen bij het maken van de afspraak voor hoeveel personen die is en vullen de namen in. Elke extra persoon maakt de afspraak langer. De medewerker ziet alle namen bij de afspraak.",
                "For example a family applying for passports together: residents choose for how many people the appointment is and fill in the names. Each extra person makes the appointment longer. The clerk sees all names with the appointment."
            ))
        }
        form method="post" action=(base) class="staff-form" novalidate {
            (Field::input("max_people", "text", tx.t("Voor hoeveel personen (hoogstens)", "For how many people (at most)"), &max)
                .hint(Some(&max_hint))
                .numeric()
                .render(&tx, &errors))
            (Field::input("minutes_per_extra_person", "text", tx.t("Extra minuten per extra persoon", "Extra minutes per extra person"), &minutes)
                .hint(Some(tx.t("In stappen van 5 minuten. Afspraken die al gemaakt zijn, houden hun tijd.", "In steps of 5 minutes. Appointments already made keep their time.")))
                .numeric()
                .render(&tx, &errors))
            p { button type="submit" class="button" { (tx.t("Opslaan", "Save")) } }
        }
        p { a href={ (SERVICES) "/" (service.id) } { (tx.t("Terug naar het onderwerp", "Back to the service")) } }
    };
    admin_page(
        ctx,
        tenant,
        SERVICES,
        format!(
            "{} {}",
            tx.t("Personen per afspraak:", "People per appointment:"),
            service.name
        ),
        body,
        !errors.is_empty(),
    )
}
