//! `/beheer/onderwerpen`: the services (list and add), and per service its information sources
//! (what the resident is asked consent for) and the results a clerk can record.
//!
//! Sources and results are edited as text, one per line with `|` between the parts, so a list
//! of any length works without JavaScript.

use super::{admin_page, number, saved_notice, say, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::catalog::Service;
use booking::domain::consent::{self, InfoSource};
use booking::domain::outcome::{self, ResultOption};
use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::usecases::admin::services::ServiceInput;
use booking::{App, Error, Result};
use maud::html;

const HERE: &str = "/beheer/onderwerpen";

pub async fn list(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome =
        async { list_page(&app, &ctx, &tenant, &FormData(Vec::new()), &Vec::new()).await }.await;
    respond(&ctx, outcome)
}

pub async fn create(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let tx = Tx::formal(ctx.lang);
        let input = service_input(&f);
        match usecases::admin::services::check_service(tenant.id, &input) {
            Ok(_) => {
                let service =
                    usecases::admin::services::create_service(&app, &claims, &input).await?;
                Ok(see_other(&format!("{HERE}/{}?toegevoegd=1", service.id)))
            }
            Err(problems) => {
                let errors = service_errors(&tx, &problems);
                list_page(&app, &ctx, &tenant, &f, &errors).await
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// The service form's problems in the page's language.
fn service_errors(tx: &Tx, problems: &[usecases::admin::Problem]) -> Errors {
    problems
        .iter()
        .map(|(field, message)| {
            let nl = match *field {
                "name" => "Vul de naam van het onderwerp in (hoogstens 100 tekens).",
                "description" => "De uitleg mag hoogstens 2000 tekens lang zijn.",
                "duration_minutes" => {
                    "Vul bij 'Duur' een aantal minuten in van 5 tot en met 240, in stappen van 5."
                }
                "buffer_minutes" => {
                    "Vul bij 'Tijd tussen afspraken' een aantal minuten in van 0 tot en met 120, in stappen van 5."
                }
                _ => message.dutch.as_str(),
            };
            (field.to_string(), say(tx, nl, &message.english))
        })
        .collect()
}

fn service_input(f: &FormData) -> ServiceInput {
    ServiceInput {
        name: f.get("name").into(),
        description: f.get("description").into(),
        duration_minutes: number(f.get("duration_minutes")).unwrap_or(-1),
        buffer_minutes: number(f.get("buffer_minutes")).unwrap_or(-1),
    }
}

/// Saves the service's name, explanation and times.
pub async fn save(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let input = service_input(&f);
        match usecases::admin::services::check_service(tenant.id, &input) {
            Ok(_) => {
                usecases::admin::services::update_service(&app, &claims, &id, &input).await?;
                Ok(see_other(&format!("{HERE}/{}?gewijzigd=1", service.id)))
            }
            Err(problems) => {
                let errors = service_errors(&tx, &problems);
                let sources = sources_text(
                    &::booking::usecases::admin::services::sources(&app, &service).await?,
                );
                let results = results_text(
                    &::booking::usecases::admin::services::results(&app, &service).await?,
                );
                Ok(service_page(
                    &ctx, &tenant, &service, &f, &sources, &results, &errors,
                ))
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Stops (`active=0`) or resumes (`active=1`) offering the service, then back to its page.
pub async fn set_offered(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let offered = f.get("active") == "1";
        let service =
            usecases::admin::services::set_service_offered(&app, &claims, &id, offered).await?;
        let key = if offered { "hervat" } else { "gestopt" };
        Ok(see_other(&format!("{HERE}/{}?{key}=1", service.id)))
    }
    .await;
    respond(&ctx, outcome)
}

async fn list_page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let services = ::booking::usecases::desk::services(app, tenant.id).await?;
    let value = |name: &str, default: &str| -> String {
        if typed.has(name) {
            typed.get(name).to_string()
        } else {
            default.to_string()
        }
    };
    let min = tx.t("minuten", "minutes");
    let (name, description, duration, buffer) = (
        value("name", ""),
        value("description", ""),
        value("duration_minutes", "30"),
        value("buffer_minutes", "5"),
    );
    let body = html! {
        div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Onderwerpen van de gemeente. Voor een onderwerp dat niet aangeboden wordt, kunnen bewoners geen afspraak maken.", "The municipality's services. Residents cannot book a service that is not offered.")) {
            table class="queue-table" {
                caption {
                    (tx.t(
                        "Onderwerpen van de gemeente. Voor een onderwerp dat niet aangeboden wordt, kunnen bewoners geen afspraak maken.",
                        "The municipality's services. Residents cannot book a service that is not offered."
                    ))
                }
                thead {
                    tr {
                        th scope="col" { (tx.t("Onderwerp", "Service")) }
                        th scope="col" { (tx.t("Duur", "Duration")) }
                        th scope="col" { (tx.t("Tijd tussen afspraken", "Time between appointments")) }
                        th scope="col" { (tx.t("Bewoners kunnen boeken", "Residents can book")) }
                    }
                }
                tbody {
                    @for s in &services {
                        tr {
                            th scope="row" { a href={ (HERE) "/" (s.id.to_string()) } { (s.name) } }
                            td { (s.duration_minutes) " " (min) }
                            td { (s.buffer_minutes) " " (min) }
                            td {
                                @if s.active {
                                    (tx.t("aangeboden", "offered"))
                                } @else {
                                    (tx.t("niet aangeboden", "not offered"))
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="toevoegen" { (tx.t("Onderwerp toevoegen", "Add a service")) }
        (error_summary_unsaved(&tx, errors))
        form method="post" action=(HERE) class="staff-form" novalidate aria-labelledby="toevoegen" {
            (Field::input("name", "text", tx.t("Naam", "Name"), &name)
                .hint(Some(tx.t(
                    "Zoals bewoners het zien, bijvoorbeeld 'Verhuizing doorgeven'.",
                    "As residents see it, for example 'Report a move'."
                )))
                .render(&tx, errors))
            (Field::textarea(
                "description",
                6,
                tx.t(
                    "Uitleg voor bewoners (niet verplicht)",
                    "Explanation for residents (optional)"
                ),
                &description,
            )
            .render(&tx, errors))
            (Field::input("duration_minutes", "text", tx.t("Duur (minuten)", "Duration (minutes)"), &duration)
                .hint(Some(tx.t("In stappen van 5 minuten.", "In steps of 5 minutes.")))
                .numeric()
                .render(&tx, errors))
            (Field::input(
                "buffer_minutes",
                "text",
                tx.t(
                    "Tijd tussen afspraken (minuten)",
                    "Time between appointments (minutes)"
                ),
                &buffer,
            )
            .hint(Some(tx.t(
                "Voor het afronden van het gesprek, in stappen van 5 minuten.",
                "To finish the call, in steps of 5 minutes."
            )))
            .numeric()
            .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Onderwerp toevoegen", "Add service")) } }
        }
    };
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Onderwerpen", "Services").to_string(),
        body,
        !errors.is_empty(),
    ))
}

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let sources =
            sources_text(&::booking::usecases::admin::services::sources(&app, &service).await?);
        let results =
            results_text(&::booking::usecases::admin::services::results(&app, &service).await?);
        Ok(service_page(
            &ctx,
            &tenant,
            &service,
            &FormData(Vec::new()),
            &sources,
            &results,
            &Vec::new(),
        ))
    }
    .await;
    respond(&ctx, outcome)
}

fn sources_text(list: &[InfoSource]) -> String {
    list.iter()
        .map(|s| format!("{} | {} | {}\n", s.code, s.label, s.reason))
        .collect()
}

fn results_text(list: &[ResultOption]) -> String {
    list.iter()
        .map(|r| format!("{} | {}\n", r.code, r.label))
        .collect()
}

/// The lines of a textarea, empty lines skipped, each split at `|` into `parts` trimmed parts.
/// A line with another number of parts is reported by its number (counting from 1).
fn lines(raw: &str, parts: usize) -> std::result::Result<Vec<(usize, Vec<String>)>, usize> {
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let p: Vec<String> = l.split('|').map(|s| s.trim().to_string()).collect();
            if p.len() == parts {
                Ok((i + 1, p))
            } else {
                Err(i + 1)
            }
        })
        .collect()
}

/// The first problem with a line, in words, with its line number.
fn line_problem(tx: &Tx, line: usize, field: &str, message: &str, what: &str) -> String {
    let nl = match field {
        "code" => format!("Regel {line}: de code mag alleen kleine letters, cijfers, - en _ bevatten (1 tot 40 tekens), en elke code één keer."),
        "label" => format!("Regel {line}: vul een naam in van 1 tot 100 tekens, en elke naam één keer."),
        "reason" => format!("Regel {line}: vul een reden in van 1 tot 500 tekens."),
        _ => format!("Regel {line}: schrijf {what}."),
    };
    say(tx, nl, &format!("line {line}: {message}"))
}

/// A list typed one item per line, `parts` values between bars: the items, or the first
/// problem in words with its line number. `build` makes an item of a line's values, `check`
/// is the booking crate's rule for a list, applied to each line alone so the message can
/// name the line.
fn typed_list<T: Clone>(
    tx: &Tx,
    typed: &str,
    parts: usize,
    what: &str,
    build: impl Fn(&mut dyn FnMut() -> String) -> T,
    check: impl Fn(Vec<T>) -> Result<Vec<T>>,
) -> std::result::Result<Vec<T>, String> {
    let (nl, en) = if parts == 3 {
        ("drie", "three")
    } else {
        ("twee", "two")
    };
    let parsed = lines(typed, parts).map_err(|line| {
        say(
            tx,
            format!("Regel {line}: schrijf {nl} delen met | ertussen: {what}."),
            &format!("line {line}: write {en} parts separated by |: {what}"),
        )
    })?;
    let items: Vec<(usize, T)> = parsed
        .into_iter()
        .map(|(n, values)| {
            let mut values = values.into_iter();
            (n, build(&mut || values.next().unwrap_or_default()))
        })
        .collect();
    for (n, item) in &items {
        if let Err(Error::Invalid { field, message }) = check(vec![item.clone()]) {
            let key = field.rsplit('/').next().unwrap_or_default();
            return Err(line_problem(tx, *n, key, &message.english, what));
        }
    }
    Ok(items.into_iter().map(|(_, item)| item).collect())
}

pub async fn save_sources(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let typed = f.get("sources").to_string();
        let what = tx.t("code | naam | reden", "code | name | reason");
        let typed_sources = typed_list(
            &tx,
            &typed,
            3,
            what,
            |next| InfoSource {
                code: next(),
                label: next(),
                reason: next(),
            },
            consent::parse_source_list,
        );
        let error = match typed_sources {
            Err(message) => Some(message),
            Ok(sources) => {
                match usecases::admin::services::set_sources(&app, &claims, &id, sources).await {
                    Ok(_) => None,
                    Err(Error::Invalid { field, message }) => Some(say(
                        &tx,
                        match field.as_str() {
                            "/sources" => {
                                format!("Geef hoogstens {} bronnen.", consent::MAX_SOURCES)
                            }
                            _ => "Elke code en elke naam mag maar één keer voorkomen.".to_string(),
                        },
                        &message.english,
                    )),
                    Err(other) => return Err(other),
                }
            }
        };
        match error {
            None => Ok(see_other(&format!("{HERE}/{}?bronnen=1", service.id))),
            Some(message) => {
                let results = results_text(
                    &::booking::usecases::admin::services::results(&app, &service).await?,
                );
                let errors = vec![("sources".to_string(), message)];
                Ok(service_page(
                    &ctx,
                    &tenant,
                    &service,
                    &FormData(Vec::new()),
                    &typed,
                    &results,
                    &errors,
                ))
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save_results(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let service = usecases::admin::services::own_service(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let typed = f.get("results").to_string();
        let what = tx.t("code | naam", "code | name");
        let typed_results = typed_list(
            &tx,
            &typed,
            2,
            what,
            |next| ResultOption {
                code: next(),
                label: next(),
            },
            outcome::parse_result_list,
        );
        let error = match typed_results {
            Err(message) => Some(message),
            Ok(results) => {
                match usecases::admin::services::set_results(&app, &claims, &id, results).await {
                    Ok(_) => None,
                    Err(Error::Invalid { field, message }) => Some(say(
                        &tx,
                        match field.as_str() {
                            "/results" => {
                                format!("Geef 1 tot {} resultaten.", outcome::MAX_RESULTS)
                            }
                            _ => "Elke code mag maar één keer voorkomen.".to_string(),
                        },
                        &message.english,
                    )),
                    Err(other) => return Err(other),
                }
            }
        };
        match error {
            None => Ok(see_other(&format!("{HERE}/{}?resultaten=1", service.id))),
            Some(message) => {
                let sources = sources_text(
                    &::booking::usecases::admin::services::sources(&app, &service).await?,
                );
                let errors = vec![("results".to_string(), message)];
                Ok(service_page(
                    &ctx,
                    &tenant,
                    &service,
                    &FormData(Vec::new()),
                    &sources,
                    &typed,
                    &errors,
                ))
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

#[allow(clippy::too_many_arguments)]
fn service_page(
    ctx: &Ctx,
    tenant: &Tenant,
    service: &Service,
    basics: &FormData,
    sources: &str,
    results: &str,
    errors: &Errors,
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let base = format!("{HERE}/{}", service.id);
    let notices = [
        saved_notice(ctx, "toegevoegd", tx.t("Het onderwerp is toegevoegd. Bewoners kunnen er nu een afspraak voor maken. Vul hieronder in welke gegevens de medewerker mag opvragen.", "The service has been added. Residents can now book it. Below, fill in which information the clerk may need.")),
        saved_notice(ctx, "gewijzigd", tx.t("De gegevens van het onderwerp zijn opgeslagen.", "The service's details have been saved.")),
        saved_notice(ctx, "bronnen", tx.t("De bronnen zijn opgeslagen.", "The sources have been saved.")),
        saved_notice(ctx, "resultaten", tx.t("De resultaten zijn opgeslagen.", "The results have been saved.")),
        saved_notice(ctx, "gestopt", tx.t("Het onderwerp wordt niet meer aangeboden. Bewoners kunnen er geen nieuwe afspraak voor maken.", "The service is no longer offered. Residents cannot make new appointments for it.")),
        saved_notice(ctx, "hervat", tx.t("Het onderwerp wordt weer aangeboden. Bewoners kunnen er weer een afspraak voor maken.", "The service is offered again. Residents can book it again.")),
    ];
    let value = |name: &str, stored: String| -> String {
        if basics.has(name) {
            basics.get(name).to_string()
        } else {
            stored
        }
    };
    let (name, description, duration, buffer) = (
        value("name", service.name.clone()),
        value("description", service.description.clone()),
        value("duration_minutes", service.duration_minutes.to_string()),
        value("buffer_minutes", service.buffer_minutes.to_string()),
    );
    let body = html! {
        @for notice in notices.into_iter().flatten() {
            (notice)
        }
        (error_summary_unsaved(&tx, errors))
        h2 id="aanbod-kop" { (tx.t("Aanbieden aan bewoners", "Offered to residents")) }
        @if service.active {
            p {
                (tx.t(
                    "Bewoners kunnen voor dit onderwerp een afspraak maken.",
                    "Residents can book this service."
                ))
            }
            p {
                (tx.t(
                    "Wilt u dit onderwerp niet meer aanbieden? Dan ziet een bewoner het niet meer en kan niemand er een nieuwe afspraak voor maken. Afspraken die al gemaakt zijn blijven staan, en bewoners kunnen hun persoonlijke link blijven gebruiken.",
                    "Do you want to stop offering this service? Residents will no longer see it and nobody can make a new appointment for it. Appointments already made stay, and residents can keep using their personal link."
                ))
            }
            form method="post" action={ (base) "/aanbod" } {
                input type="hidden" name="active" value="0";
                p { button type="submit" class="button button--secondary" { (tx.t("Niet meer aanbieden", "Stop offering")) } }
            }
        } @else {
            p {
                strong {
                    (tx.t(
                        "Dit onderwerp wordt niet aangeboden.",
                        "This service is not offered."
                    ))
                }
            }
            p {
                (tx.t(
                    "Bewoners zien het niet en kunnen er geen afspraak voor maken. Afspraken die al gemaakt zijn, blijven staan.",
                    "Residents do not see it and cannot book it. Appointments already made stay."
                ))
            }
            form method="post" action={ (base) "/aanbod" } {
                input type="hidden" name="active" value="1";
                p { button type="submit" class="button" { (tx.t("Weer aanbieden", "Offer again")) } }
            }
        }
        h2 id="gegevens-kop" { (tx.t("Naam, uitleg en duur", "Name, explanation and duration")) }
        form method="post" action=(base) class="staff-form" novalidate aria-labelledby="gegevens-kop" {
            (Field::input("name", "text", tx.t("Naam", "Name"), &name).render(&tx, errors))
            (Field::textarea(
                "description",
                6,
                tx.t(
                    "Uitleg voor bewoners (niet verplicht)",
                    "Explanation for residents (optional)",
                ),
                &description,
            )
            .render(&tx, errors))
            (Field::input("duration_minutes", "text", tx.t("Duur (minuten)", "Duration (minutes)"), &duration)
                .hint(Some(tx.t(
                    "In stappen van 5 minuten. Afspraken die al gemaakt zijn, houden hun tijd.",
                    "In steps of 5 minutes. Appointments already made keep their time.",
                )))
                .numeric()
                .render(&tx, errors))
            (Field::input(
                "buffer_minutes",
                "text",
                tx.t(
                    "Tijd tussen afspraken (minuten)",
                    "Time between appointments (minutes)",
                ),
                &buffer,
            )
            .hint(Some(tx.t("In stappen van 5 minuten.", "In steps of 5 minutes.")))
            .numeric()
            .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Gegevens opslaan", "Save details")) } }
        }
        h2 id="bronnen-kop" { (tx.t("Gegevens die de medewerker mag opvragen", "Information the clerk may look up")) }
        p {
            (tx.t(
                "Bewoners zien deze bronnen met de reden, en kiezen per bron of de gemeente het mag opvragen of dat ze het zelf meenemen.",
                "Residents see these sources with the reason, and choose per source whether the municipality may request it or they bring it themselves."
            ))
        }
        form method="post" action={ (base) "/bronnen" } class="staff-form" novalidate aria-labelledby="bronnen-kop" {
            (Field::textarea("sources", 6, tx.t("Bronnen, één per regel", "Sources, one per line"), sources)
                .hint(Some(tx.t(
                    "Schrijf per regel: code | naam | reden in gewone taal. Bijvoorbeeld: brp | Basisregistratie Personen | Om uw adres en gezinssamenstelling te controleren. Laat het veld leeg als er geen bronnen nodig zijn.",
                    "Write on each line: code | name | reason in plain language. For example: brp | Basisregistratie Personen | To check your address and household. Leave empty when no sources are needed.",
                )))
                .spellcheck_off()
                .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Bronnen opslaan", "Save sources")) } }
        }
        h2 id="resultaten-kop" { (tx.t("Resultaten van een gesprek", "Results of a call")) }
        form method="post" action={ (base) "/resultaten" } class="staff-form" novalidate aria-labelledby="resultaten-kop" {
            (Field::textarea("results", 6, tx.t("Resultaten, één per regel", "Results, one per line"), results)
                .hint(Some(tx.t(
                    "Schrijf per regel: code | naam. Bijvoorbeeld: complete | Aanvraag compleet. De medewerker kiest er één na het gesprek.",
                    "Write on each line: code | name. For example: complete | Application complete. The clerk chooses one after the call.",
                )))
                .spellcheck_off()
                .render(&tx, errors))
            p { button type="submit" class="button" { (tx.t("Resultaten opslaan", "Save results")) } }
        }
        h2 id="vragen-kop" { (tx.t("Vragen vooraf", "Questions before booking")) }
        p {
            (tx.t(
                "Stel bewoners een paar vragen voordat ze een tijd kiezen, bijvoorbeeld of het wel met video kan.",
                "Ask residents a few questions before they choose a time, for example whether it can be done by video."
            ))
            " "
            a href={ (base) "/vragen" } { (tx.t("Vragen vooraf instellen", "Set the questions before booking")) }
        }
        h2 id="personen-kop" { (tx.t("Meer personen in één afspraak", "Several people in one appointment")) }
        p {
            (tx.t(
                "Mag een bewoner één afspraak maken voor meer personen, zoals een gezin?",
                "May a resident make one appointment for several people, such as a family?"
            ))
            " "
            a href={ (base) "/personen" } { (tx.t("Aantal personen instellen", "Set the number of people")) }
        }
        p { a href=(HERE) { (tx.t("Terug naar de onderwerpen", "Back to the services")) } }
    };
    admin_page(
        ctx,
        tenant,
        HERE,
        service.name.clone(),
        body,
        !errors.is_empty(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn results(typed: &str) -> std::result::Result<Vec<ResultOption>, String> {
        typed_list(
            &Tx::formal(Lang::Nl),
            typed,
            2,
            "code | naam",
            |next| ResultOption {
                code: next(),
                label: next(),
            },
            outcome::parse_result_list,
        )
    }

    #[test]
    fn typed_lists_name_the_line_of_the_first_problem() {
        let ok = results("klaar | Afgerond\n\nnog | Nog niet klaar").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].label, "Nog niet klaar");
        // A line with the wrong number of parts.
        assert!(results("klaar | Afgerond\nnog")
            .unwrap_err()
            .starts_with("Regel 2: schrijf twee delen"));
        // A line the booking crate's rule refuses (a code with a capital and a space).
        let refused = results("klaar | Afgerond\n\nNiet Goed | Label").unwrap_err();
        assert!(refused.starts_with("Regel 3: de code"), "{refused}");
    }

    #[test]
    fn lines_split_at_bars_and_skip_empty_lines() {
        let parsed = lines(
            "brp | BRP | Om te controleren.\n\n  kvk|KvK|Voor uw bedrijf \n",
            3,
        )
        .unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(
            parsed[0],
            (
                1,
                vec!["brp".into(), "BRP".into(), "Om te controleren.".into()]
            )
        );
        assert_eq!(
            parsed[1],
            (
                3,
                vec!["kvk".into(), "KvK".into(), "Voor uw bedrijf".into()]
            )
        );
        assert_eq!(lines("a | b | c\nzonder reden | x", 3), Err(2));
        assert_eq!(lines("", 2), Ok(Vec::new()));
    }

    #[test]
    fn lists_show_as_the_text_they_are_edited_in() {
        let text = sources_text(&[InfoSource {
            code: "brp".into(),
            label: "BRP".into(),
            reason: "Adres".into(),
        }]);
        assert_eq!(text, "brp | BRP | Adres\n");
        assert_eq!(lines(&text, 3).unwrap()[0].1, ["brp", "BRP", "Adres"]);
    }
}
