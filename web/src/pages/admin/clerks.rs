//! `/beheer/medewerkers`: the clerks (list and add), and per clerk the weekly opening hours
//! (up to two blocks a day, local time) and absences.

use super::{admin_page, saved_notice, say, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_for, error_summary_unsaved, field_error, Field, Radio};
use crate::i18n::Tx;
use axum::extract::{Path, State};
use axum::response::Response;
use booking::domain::catalog::Clerk;
use booking::domain::ids::ServiceId;
use booking::domain::slots::WeeklyWindow;
use booking::domain::staff::StaffRole;
use booking::domain::tenant::Tenant;
use booking::error::Conflict;
use booking::usecases;
use booking::usecases::admin::clerks::{ClerkInput, WindowInput};
use booking::{App, Error, Result};
use maud::{html, Markup};

const HERE: &str = "/beheer/medewerkers";

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
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let own = ::booking::usecases::desk::services(&app, tenant.id).await?;
        let mut errors: Errors = Vec::new();
        let role = match f.get("role") {
            "clerk" => StaffRole::Clerk,
            "admin" => StaffRole::Admin,
            _ => {
                errors.push((
                    "role".into(),
                    say(
                        &tx,
                        "Kies of dit een medewerker of een beheerder is.",
                        "choose clerk or admin",
                    ),
                ));
                StaffRole::Clerk
            }
        };
        // A tampered id is not one of ours: the use case refuses it like a foreign one.
        let services: Vec<ServiceId> = f
            .all("services")
            .iter()
            .map(|raw| raw.parse().unwrap_or_else(|_| ServiceId::new()))
            .collect();
        let input = ClerkInput {
            name: f.get("name").into(),
            email: f.get("email").into(),
            password: f.get("password").into(),
            role,
            services,
        };
        if let Err(problems) = usecases::admin::clerks::check_clerk(tenant.id, &own, &input) {
            for (field, message) in problems {
                let nl = match field {
                    "name" => "Vul de naam in (hoogstens 100 tekens).",
                    "email" => "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.",
                    "password" => match booking::auth::password_weakness(
                        &input.password,
                        &[&input.name, &input.email],
                    ) {
                        Some(booking::auth::PasswordWeakness::Guessable) => {
                            "Dit wachtwoord is te makkelijk te raden. Kies een langer wachtwoord, bijvoorbeeld een paar losse woorden."
                        }
                        _ => "Kies een beginwachtwoord van minstens 12 tekens.",
                    },
                    "services" => "Kies alleen onderwerpen uit de lijst.",
                    _ => message.dutch.as_str(),
                };
                let id = if field == "services" {
                    "services".to_string()
                } else {
                    field.to_string()
                };
                errors.push((id, say(&tx, nl, &message.english)));
            }
        }
        if errors.is_empty() {
            match usecases::admin::clerks::create_clerk(&app, &claims, &input).await {
                Ok(clerk) => {
                    return Ok(see_other(&format!(
                        "{HERE}/{}/tijden?toegevoegd=1",
                        clerk.id
                    )))
                }
                Err(Error::Conflict(conflict @ Conflict::ClerkEmailTaken)) => errors.push((
                    "email".into(),
                    say(
                        &tx,
                        "Er is al een medewerker met dit e-mailadres.",
                        &conflict.to_string(),
                    ),
                )),
                Err(other) => return Err(other),
            }
        }
        list_page(&app, &ctx, &tenant, &f, &errors).await
    }
    .await;
    respond(&ctx, outcome)
}

fn role_name(tx: &Tx, role: StaffRole) -> &'static str {
    match role {
        StaffRole::Clerk => tx.t("Medewerker", "Clerk"),
        StaffRole::Admin => tx.t("Beheerder", "Administrator"),
    }
}

async fn list_page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    typed: &FormData,
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let clerks = ::booking::usecases::desk::clerks(app, tenant.id).await?;
    let inactive = usecases::admin::clerks::deactivated(app, tenant.id).await?;
    let services = ::booking::usecases::desk::services(app, tenant.id).await?;
    let service_names = |c: &Clerk| -> String {
        let names: Vec<&str> = services
            .iter()
            .filter(|s| c.services.contains(&s.id))
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            tx.t("geen", "none").to_string()
        } else {
            names.join(", ")
        }
    };
    let role_now = if typed.has("role") {
        typed.get("role")
    } else {
        "clerk"
    };
    let role_radio = |value: &str, label: &str| {
        Radio {
            id: &format!("role-{value}"),
            name: "role",
            value,
            label,
            checked: role_now == value,
            invalid: false,
            required: false,
            described_by: None,
        }
        .render()
    };
    let chosen = typed.all("services");
    let body = html! {
        (saved_notice(ctx, "opgeslagen", tx.t("Opgeslagen.", "Saved.")).unwrap_or_default())
        (saved_notice(ctx, "gedeactiveerd", tx.t(
            "Gedeactiveerd: deze medewerker is meteen uitgelogd en kan niet meer inloggen.",
            "Deactivated: this clerk was logged out at once and can no longer log in.",
        )).unwrap_or_default())
        (saved_notice(ctx, "geactiveerd", tx.t(
            "Weer actief: deze medewerker kan weer inloggen.",
            "Active again: this clerk can log in again.",
        )).unwrap_or_default())
        @if let Some(refusal) = ctx.param("geweigerd") {
            div class="error-summary" role="alert" tabindex="-1" {
                p { (match refusal {
                    "zelf" => tx.t("U kunt uw eigen account niet deactiveren.", "You cannot deactivate your own account."),
                    _ => tx.t(
                        "Dit is de laatste actieve beheerder; de gemeente heeft er minstens één nodig.",
                        "This is the last active administrator; the municipality needs at least one.",
                    ),
                }) }
            }
        }
        div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Medewerkers en beheerders", "Clerks and administrators")) {
            table class="queue-table" {
                caption { (tx.t("Medewerkers en beheerders", "Clerks and administrators")) }
                thead {
                    tr {
                        th scope="col" { (tx.t("Naam", "Name")) }
                        th scope="col" { (tx.t("E-mailadres", "Email address")) }
                        th scope="col" { (tx.t("Rol", "Role")) }
                        th scope="col" { (tx.t("Onderwerpen", "Services")) }
                        th scope="col" { span class="visually-hidden" { (tx.t("Tijden", "Hours")) } }
                        th scope="col" { (tx.t("Account", "Account")) }
                    }
                }
                tbody {
                    @for c in &clerks {
                        tr {
                            th scope="row" { (c.name) }
                            td { (c.email) }
                            td { (role_name(&tx, c.role)) }
                            td { (service_names(c)) }
                            td {
                                a href={ (HERE) "/" (c.id.to_string()) "/tijden" } {
                                    (tx.t("Wijzigen, tijden en afwezigheid", "Change, hours and absence"))
                                    span class="visually-hidden" { " " (tx.t("van", "of")) " " (c.name) }
                                }
                            }
                            td {
                                @let active = !inactive.contains(&c.id);
                                form method="post" action={ (HERE) "/" (c.id.to_string()) "/actief" } {
                                    input type="hidden" name="actief" value=(if active { "0" } else { "1" });
                                    @if !active { span { (tx.t("Gedeactiveerd", "Deactivated")) " " } }
                                    button type="submit" class="button button--secondary" {
                                        (if active { tx.t("Deactiveren", "Deactivate") } else { tx.t("Weer activeren", "Reactivate") })
                                        span class="visually-hidden" { " " (c.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="toevoegen" { (tx.t("Medewerker toevoegen", "Add a clerk")) }
        (error_summary_unsaved(&tx, errors))
        form method="post" action=(HERE) class="staff-form" novalidate aria-labelledby="toevoegen" {
            (Field::input("name", "text", tx.t("Naam", "Name"), typed.get("name"))
                .autocomplete("off")
                .render(&tx, errors))
            (Field::input("email", "email", tx.t("E-mailadres", "Email address"), typed.get("email"))
                .hint(Some(tx.t(
                    "Hiermee logt de medewerker in.",
                    "The clerk logs in with this."
                )))
                .autocomplete("off")
                .render(&tx, errors))
            // A password is never sent back into the page.
            (Field::input("password", "password", tx.t("Beginwachtwoord", "Initial password"), "")
                .hint(Some(tx.t(
                    "Minstens 12 tekens. Geef het veilig door aan de medewerker.",
                    "At least 12 characters. Pass it on to the clerk safely."
                )))
                .autocomplete("new-password")
                .render(&tx, errors))
            fieldset id="role" {
                legend { (tx.t("Rol", "Role")) }
                @if let Some(e) = error_for(errors, "role") {
                    (field_error(&tx, "role-error", e))
                }
                div class="radio-list" {
                    (role_radio("clerk", role_name(&tx, StaffRole::Clerk)))
                    (role_radio(
                        "admin",
                        tx.t(
                            "Beheerder (mag ook deze beheerpagina's gebruiken)",
                            "Administrator (may also use these admin pages)"
                        )
                    ))
                }
            }
            fieldset id="services" {
                legend {
                    (tx.t(
                        "Onderwerpen die de medewerker behandelt",
                        "Services the clerk handles"
                    ))
                }
                @if let Some(e) = error_for(errors, "services") {
                    (field_error(&tx, "services-error", e))
                }
                div class="checkbox-list" {
                    @for (i, s) in services.iter().enumerate() {
                        @let id = s.id.to_string();
                        div class="checkbox" {
                            input type="checkbox" id={ "service-" (i) } name="services" value=(id)
                                checked[chosen.contains(&id.as_str())];
                            label for={ "service-" (i) } { (s.name) }
                        }
                    }
                }
            }
            p { button type="submit" class="button" { (tx.t("Medewerker toevoegen", "Add clerk")) } }
        }
    };
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Medewerkers", "Clerks").to_string(),
        body,
        !errors.is_empty(),
    ))
}

// ---- one clerk: details, hours and absences ------------------------------------------------------------------

const DAYS: [(&str, &str); 7] = [
    ("maandag", "Monday"),
    ("dinsdag", "Tuesday"),
    ("woensdag", "Wednesday"),
    ("donderdag", "Thursday"),
    ("vrijdag", "Friday"),
    ("zaterdag", "Saturday"),
    ("zondag", "Sunday"),
];

/// The hours form as typed: (weekday 1..=7, block "a"/"b") -> (from, until).
type Typed = Vec<(i8, &'static str, String, String)>;

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn typed_from_windows(windows: &[WeeklyWindow]) -> Typed {
    let mut out = Vec::new();
    for day in 1..=7i8 {
        let of_day: Vec<&WeeklyWindow> = windows
            .iter()
            .filter(|w| w.weekday.to_monday_one_offset() == day)
            .collect();
        for (i, block) in ["a", "b"].into_iter().enumerate() {
            let (from, until) = of_day
                .get(i)
                .map(|w| (hhmm(w.start_minute), hhmm(w.end_minute)))
                .unwrap_or_default();
            out.push((day, block, from, until));
        }
    }
    out
}

fn typed_from_form(f: &FormData) -> Typed {
    let mut out = Vec::new();
    for day in 1..=7i8 {
        for block in ["a", "b"] {
            out.push((
                day,
                block,
                f.get(&format!("from-{day}-{block}")).trim().to_string(),
                f.get(&format!("until-{day}-{block}")).trim().to_string(),
            ));
        }
    }
    out
}

pub async fn hours(
    State(app): State<App>,
    AdminSession { tenant, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let clerk = usecases::admin::clerks::own_clerk(&app, tenant.id, &id).await?;
        let typed =
            typed_from_windows(&::booking::usecases::admin::clerks::hours(&app, &clerk).await?);
        hours_page(
            &app,
            &ctx,
            &tenant,
            &clerk,
            &typed,
            &FormData(Vec::new()),
            &Vec::new(),
        )
        .await
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save_hours(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let clerk = usecases::admin::clerks::own_clerk(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let typed = typed_from_form(&FormData::parse(&body));
        let mut errors: Errors = Vec::new();
        let mut windows = Vec::new();
        for (day, block, from, until) in &typed {
            if from.is_empty() && until.is_empty() {
                continue;
            }
            let (nl_day, en_day) = DAYS[(*day - 1) as usize];
            let field = format!("from-{day}-{block}");
            let window = WindowInput {
                weekday: *day,
                start: from.clone(),
                end: until.clone(),
            };
            if let Err(Error::Invalid { field: which, message }) =
                usecases::admin::clerks::check_hours(std::slice::from_ref(&window))
            {
                let (id, nl) = match which.rsplit('/').next().unwrap_or_default() {
                    "end" if !until.is_empty() && !from.is_empty() && usecases::admin::clerks::minute_of_day("/end", until).is_ok() && usecases::admin::clerks::minute_of_day("/start", from).is_ok() => (
                        format!("until-{day}-{block}"),
                        format!("Op {nl_day}: de eindtijd moet na de begintijd liggen."),
                    ),
                    "end" => (
                        format!("until-{day}-{block}"),
                        format!("Op {nl_day}: vul een eindtijd in als uu:mm, in stappen van 5 minuten, of laat beide tijden leeg."),
                    ),
                    _ => (
                        field.clone(),
                        format!("Op {nl_day}: vul een begintijd in als uu:mm, in stappen van 5 minuten, of laat beide tijden leeg."),
                    ),
                };
                errors.push((id, say(&tx, nl, &format!("{en_day}: {}", message.english))));
                continue;
            }
            windows.push(window);
        }
        if errors.is_empty() {
            usecases::admin::clerks::set_hours(&app, &claims, &id, &windows).await?;
            return Ok(see_other(&format!("{HERE}/{}/tijden?opgeslagen=1", clerk.id)));
        }
        hours_page(&app, &ctx, &tenant, &clerk, &typed, &FormData(Vec::new()), &errors).await
    }
    .await;
    respond(&ctx, outcome)
}

/// Removes one absence and goes back to the hours page with a message. An absence that is
/// already gone (or is not this municipality's) is "not found".
pub async fn remove_absence(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    Path((id, absence)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let clerk = usecases::admin::clerks::own_clerk(&app, claims.tenant, &id).await?;
        usecases::admin::clerks::remove_absence(&app, &claims, &id, &absence).await?;
        Ok(see_other(&format!(
            "{HERE}/{}/tijden?verwijderd=1",
            clerk.id
        )))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn add_absence(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let clerk = usecases::admin::clerks::own_clerk(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let tz = tenant.time_zone.tz().clone();
        let when = |name: &str| -> Option<jiff::Timestamp> {
            let civil: jiff::civil::DateTime = f.get(name).trim().parse().ok()?;
            civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
        };
        let mut errors: Errors = Vec::new();
        let (start, end) = (when("absent-from"), when("absent-until"));
        if start.is_none() {
            errors.push((
                "absent-from".into(),
                say(
                    &tx,
                    "Vul in vanaf wanneer de medewerker afwezig is (datum en tijd).",
                    "give the start as a date and time",
                ),
            ));
        }
        if end.is_none() {
            errors.push((
                "absent-until".into(),
                say(
                    &tx,
                    "Vul in tot wanneer de medewerker afwezig is (datum en tijd).",
                    "give the end as a date and time",
                ),
            ));
        }
        if let (Some(start), Some(end)) = (start, end) {
            match usecases::admin::clerks::add_absence(
                &app,
                &claims,
                &id,
                start,
                end,
                f.get("reason"),
            )
            .await
            {
                Ok(_) => return Ok(see_other(&format!("{HERE}/{}/tijden?afwezig=1", clerk.id))),
                Err(Error::Invalid { field, message }) => {
                    let (id, nl) = match field.as_str() {
                        "/reason" => ("reason", "De reden mag hoogstens 200 tekens lang zijn."),
                        _ => (
                            "absent-until",
                            "Het einde van de afwezigheid moet na het begin liggen.",
                        ),
                    };
                    errors.push((id.into(), say(&tx, nl, &message.english)));
                }
                Err(other) => return Err(other),
            }
        }
        let typed =
            typed_from_windows(&::booking::usecases::admin::clerks::hours(&app, &clerk).await?);
        hours_page(&app, &ctx, &tenant, &clerk, &typed, &f, &errors).await
    }
    .await;
    respond(&ctx, outcome)
}

/// Name, role and services of one clerk, as typed after a mistake, else as stored.
async fn details_form(
    app: &App,
    tx: &Tx,
    tenant: &Tenant,
    clerk: &Clerk,
    typed: &FormData,
    errors: &Errors,
) -> Result<Markup> {
    let services = ::booking::usecases::desk::services(app, tenant.id).await?;
    let retyped = typed.has("name");
    let name = if retyped {
        typed.get("name").to_string()
    } else {
        clerk.name.clone()
    };
    let role_now = if retyped {
        typed.get("role")
    } else {
        clerk.role.as_str()
    };
    let chosen: Vec<String> = if retyped {
        typed
            .all("services")
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        clerk.services.iter().map(|s| s.to_string()).collect()
    };
    let role_radio = |value: &str, label: &str| {
        Radio {
            id: &format!("role-{value}"),
            name: "role",
            value,
            label,
            checked: role_now == value,
            invalid: false,
            required: false,
            described_by: None,
        }
        .render()
    };
    Ok(html! {
        h2 id="gegevens-kop" { (tx.t("Naam, rol en onderwerpen", "Name, role and services")) }
        p { (tx.t("Logt in met", "Logs in with")) " " (clerk.email) }
        form method="post" action={ (HERE) "/" (clerk.id.to_string()) } class="staff-form" novalidate aria-labelledby="gegevens-kop" {
            (Field::input("name", "text", tx.t("Naam", "Name"), &name)
                .autocomplete("off")
                .render(tx, errors))
            fieldset id="role" {
                legend { (tx.t("Rol", "Role")) }
                @if let Some(e) = error_for(errors, "role") {
                    (field_error(tx, "role-error", e))
                }
                div class="radio-list" {
                    (role_radio("clerk", role_name(tx, StaffRole::Clerk)))
                    (role_radio(
                        "admin",
                        tx.t(
                            "Beheerder (mag ook deze beheerpagina's gebruiken)",
                            "Administrator (may also use these admin pages)"
                        )
                    ))
                }
            }
            fieldset id="services" {
                legend {
                    (tx.t(
                        "Onderwerpen die de medewerker behandelt",
                        "Services the clerk handles"
                    ))
                }
                @if let Some(e) = error_for(errors, "services") {
                    (field_error(tx, "services-error", e))
                }
                div class="checkbox-list" {
                    @for (i, s) in services.iter().enumerate() {
                        @let id = s.id.to_string();
                        div class="checkbox" {
                            input type="checkbox" id={ "service-" (i) } name="services" value=(id)
                                checked[chosen.contains(&id)];
                            label for={ "service-" (i) } { (s.name) }
                        }
                    }
                }
            }
            p {
                button type="submit" class="button" {
                    (tx.t(
                        "Naam, rol en onderwerpen opslaan",
                        "Save name, role and services"
                    ))
                }
            }
        }
    })
}

/// Saves a clerk's name, role and services.
pub async fn save_clerk(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let clerk = usecases::admin::clerks::own_clerk(&app, tenant.id, &id).await?;
        let tx = Tx::formal(ctx.lang);
        let f = FormData::parse(&body);
        let mut errors: Errors = Vec::new();
        let role = match f.get("role") {
            "clerk" => StaffRole::Clerk,
            "admin" => StaffRole::Admin,
            _ => {
                errors.push((
                    "role".into(),
                    say(&tx, "Kies of dit een medewerker of een beheerder is.", "choose clerk or admin"),
                ));
                clerk.role
            }
        };
        let change = usecases::admin::clerks::ClerkChange {
            name: f.get("name").into(),
            role,
            services: f
                .all("services")
                .iter()
                .map(|raw| raw.parse().unwrap_or_else(|_| ServiceId::new()))
                .collect(),
        };
        let own = ::booking::usecases::desk::services(&app, tenant.id).await?;
        if let Err(problems) = usecases::admin::clerks::check_clerk_change(&own, &change) {
            for (field, message) in problems {
                let nl = match field {
                    "name" => "Vul de naam in (hoogstens 100 tekens).",
                    "services" => "Kies alleen onderwerpen uit de lijst.",
                    _ => message.dutch.as_str(),
                };
                errors.push((field.to_string(), say(&tx, nl, &message.english)));
            }
        }
        if errors.is_empty() {
            match usecases::admin::clerks::update_clerk(&app, &claims, &id, &change).await {
                Ok(_) => return Ok(see_other(&format!("{HERE}/{}/tijden?gewijzigd=1", clerk.id))),
                Err(Error::Conflict(conflict @ Conflict::LastAdmin)) => errors.push((
                    "role".into(),
                    say(
                        &tx,
                        "De gemeente heeft minstens één beheerder nodig. Maak eerst iemand anders beheerder.",
                        &conflict.to_string(),
                    ),
                )),
                Err(other) => return Err(other),
            }
        }
        let typed = typed_from_windows(&::booking::usecases::admin::clerks::hours(&app, &clerk).await?);
        hours_page(&app, &ctx, &tenant, &clerk, &typed, &f, &errors).await
    }
    .await;
    respond(&ctx, outcome)
}

async fn hours_page(
    app: &App,
    ctx: &Ctx,
    tenant: &Tenant,
    clerk: &Clerk,
    typed: &Typed,
    absence_typed: &FormData,
    errors: &Errors,
) -> Result<Response> {
    let tx = Tx::formal(ctx.lang);
    let details = details_form(app, &tx, tenant, clerk, absence_typed, errors).await?;
    // One time of the hours table; the table's headers say what it is, the hidden label too.
    let input = |name: String, label: String, value: &str| -> Markup {
        let error = error_for(errors, &name);
        let error_id = format!("{name}-error");
        html! {
            label class="visually-hidden" for=(name) { (label) }
            @if let Some(e) = error {
                (field_error(&tx, &error_id, e))
            }
            input type="time" step="300" id=(name) name=(name) value=(value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| &error_id)];
        }
    };
    let times = |day: i8, block: &str| {
        typed
            .iter()
            .find(|(d, b, _, _)| *d == day && *b == block)
            .map(|(_, _, f, u)| (f.as_str(), u.as_str()))
            .unwrap_or(("", ""))
    };
    // The form has two blocks a day; more (set through the API) would be lost on saving.
    let stored = ::booking::usecases::admin::clerks::hours(app, clerk).await?;
    let crowded: Vec<&str> = (1..=7i8)
        .filter(|day| {
            stored
                .iter()
                .filter(|w| w.weekday.to_monday_one_offset() == *day)
                .count()
                > 2
        })
        .map(|day| {
            let (nl, en) = DAYS[(day - 1) as usize];
            tx.t(nl, en)
        })
        .collect();
    let tz = tenant.time_zone.tz().clone();
    let base = format!("{HERE}/{}", clerk.id);
    let absences = ::booking::usecases::admin::clerks::absences_of(app, clerk).await?;
    let fmt = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d-%m-%Y %H:%M")
            .to_string()
    };
    let absence_field =
        |id: &'static str, label: &'static str, kind: &'static str, hint: Option<&'static str>| {
            Field::input(id, kind, label, absence_typed.get(id))
                .hint(hint)
                .render(&tx, errors)
        };
    let notices = [
        saved_notice(ctx, "toegevoegd", tx.t("De medewerker is toegevoegd. Vul hieronder de werktijden in.", "The clerk has been added. Fill in the working hours below.")),
        saved_notice(ctx, "opgeslagen", tx.t("De werktijden zijn opgeslagen.", "The working hours have been saved.")),
        saved_notice(ctx, "gewijzigd", tx.t("Naam, rol en onderwerpen zijn opgeslagen.", "Name, role and services have been saved.")),
        saved_notice(ctx, "afwezig", tx.t("De afwezigheid is toegevoegd.", "The absence has been added.")),
        saved_notice(ctx, "verwijderd", tx.t("De afwezigheid is verwijderd. Bewoners kunnen in die tijd weer een afspraak maken.", "The absence has been removed. Residents can book that time again.")),
    ];
    let body = html! {
        @for notice in notices.into_iter().flatten() {
            (notice)
        }
        (error_summary_unsaved(&tx, errors))
        (details)
        h2 id="tijden-kop" { (tx.t("Werktijden per week", "Weekly working hours")) }
        p {
            (tx.t(
                "Vul per dag in van hoe laat tot hoe laat de medewerker gesprekken voert, als uu:mm. Een tweede blok is voor bijvoorbeeld na de lunch. Laat een dag leeg als de medewerker dan niet werkt.",
                "Fill in per day from what time until what time the clerk takes calls, as hh:mm. A second block is for example for after lunch. Leave a day empty when the clerk does not work then."
            ))
        }
        @if !crowded.is_empty() {
            div class="notice" {
                p {
                    (tx.t(
                        "Let op: deze pagina toont twee blokken per dag. Opslaan bewaart alleen de eerste twee blokken op",
                        "Note: this page shows two blocks a day. Saving keeps only the first two blocks on"
                    ))
                    " " (crowded.join(", ")) "."
                }
            }
        }
        form method="post" action={ (base) "/tijden" } class="staff-form staff-form--wide" novalidate aria-labelledby="tijden-kop" {
            div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Werktijden per weekdag", "Working hours per weekday")) {
                table class="queue-table hours-table" {
                    caption { (tx.t("Werktijden per weekdag", "Working hours per weekday")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Dag", "Day")) }
                            th scope="col" { (tx.t("Van", "From")) }
                            th scope="col" { (tx.t("Tot", "Until")) }
                            th scope="col" { (tx.t("Van (blok 2)", "From (block 2)")) }
                            th scope="col" { (tx.t("Tot (blok 2)", "Until (block 2)")) }
                        }
                    }
                    tbody {
                        @for day in 1..=7i8 {
                            @let (nl_day, en_day) = DAYS[(day - 1) as usize];
                            @let day_name = tx.t(nl_day, en_day);
                            tr {
                                th scope="row" { (day_name) }
                                @for block in ["a", "b"] {
                                    @let (from, until) = times(day, block);
                                    @let nth = if block == "a" {
                                        tx.t("blok 1", "block 1")
                                    } else {
                                        tx.t("blok 2", "block 2")
                                    };
                                    td {
                                        (input(
                                            format!("from-{day}-{block}"),
                                            format!("{day_name} {nth}, {}", tx.t("van", "from")),
                                            from
                                        ))
                                    }
                                    td {
                                        (input(
                                            format!("until-{day}-{block}"),
                                            format!("{day_name} {nth}, {}", tx.t("tot", "until")),
                                            until
                                        ))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { button type="submit" class="button" { (tx.t("Werktijden opslaan", "Save working hours")) } }
        }
        h2 id="afwezig-kop" { (tx.t("Afwezigheid", "Absence")) }
        @if absences.is_empty() {
            p { (tx.t("Er is geen afwezigheid gepland.", "No absence is planned.")) }
        } @else {
            div class="table-scroll" role="region" tabindex="0" aria-label=(tx.t("Geplande afwezigheid", "Planned absence")) {
                table class="queue-table" {
                    caption { (tx.t("Geplande afwezigheid", "Planned absence")) }
                    thead {
                        tr {
                            th scope="col" { (tx.t("Van", "From")) }
                            th scope="col" { (tx.t("Tot", "Until")) }
                            th scope="col" { (tx.t("Reden", "Reason")) }
                            th scope="col" { span class="visually-hidden" { (tx.t("Actie", "Action")) } }
                        }
                    }
                    tbody {
                        @for a in &absences {
                            @let from = fmt(a.period.start);
                            tr {
                                td { (from) }
                                td { (fmt(a.period.end)) }
                                td { (a.reason) }
                                td {
                                    form method="post" action={ (base) "/afwezig/" (a.id.to_string()) "/verwijderen" } {
                                        button type="submit" class="button button--secondary" {
                                            (tx.t("Verwijderen", "Remove"))
                                            span class="visually-hidden" { " (" (tx.t("afwezigheid vanaf", "absence from")) " " (from) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p {
                (tx.t(
                    "Verwijdert u een afwezigheid, dan kunnen bewoners in die tijd weer een afspraak bij deze medewerker maken.",
                    "When you remove an absence, residents can book this clerk in that time again."
                ))
            }
        }
        form method="post" action={ (base) "/afwezig" } class="staff-form" novalidate aria-labelledby="afwezig-kop" {
            (absence_field("absent-from", tx.t("Afwezig vanaf", "Absent from"), "datetime-local", None))
            (absence_field("absent-until", tx.t("Afwezig tot", "Absent until"), "datetime-local", None))
            (absence_field("reason", tx.t("Reden (niet verplicht)", "Reason (optional)"), "text", Some(tx.t("Bijvoorbeeld: vakantie. Bewoners zien dit niet.", "For example: holiday. Residents do not see this."))))
            p { button type="submit" class="button" { (tx.t("Afwezigheid toevoegen", "Add absence")) } }
        }
        p { a href=(HERE) { (tx.t("Terug naar de medewerkers", "Back to the clerks")) } }
    };
    Ok(admin_page(
        ctx,
        tenant,
        HERE,
        clerk.name.clone(),
        body,
        !errors.is_empty(),
    ))
}

/// Deactivates or reactivates a clerk (`actief=0` or `1`) and goes back to the list.
pub async fn set_active(
    State(app): State<App>,
    AdminSession { claims, .. }: AdminSession,
    Path(id): Path<String>,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let active = FormData::parse(&body).get("actief") == "1";
        match usecases::admin::clerks::set_clerk_active(&app, &claims, &id, active).await {
            Ok(_) if active => Ok(see_other(&format!("{HERE}?geactiveerd=1"))),
            Ok(_) => Ok(see_other(&format!("{HERE}?gedeactiveerd=1"))),
            Err(Error::Conflict(Conflict::DeactivateSelf)) => {
                Ok(see_other(&format!("{HERE}?geweigerd=zelf")))
            }
            Err(Error::Conflict(Conflict::LastAdmin)) => {
                Ok(see_other(&format!("{HERE}?geweigerd=laatste")))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}
