//! `/a/{token}`: the resident's personal link (the booking mail links here). Shows the
//! appointment and lets the resident move it or cancel it, each as its own page with a
//! POST that redirects back here.

use super::picker::{self, capitalise_first, TimesForm};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form;
use crate::html::url;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use ::booking::domain::start_time::StartTime;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use booking::domain::appointment::AppointmentStatus;
use booking::usecases;
use booking::usecases::feedback::RatingState;
use booking::{App, Error, Result};
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;

pub(super) use booking::usecases::booking::{unlock, Unlocked};

fn home(u: &Unlocked) -> String {
    format!("/a/{}", u.token.as_str())
}

/// The appointment as a description list: what, when, who.
fn summary(tx: &Tx, u: &Unlocked) -> Markup {
    let a = &u.appointment;
    html! {
        dl class="summary" {
            div { dt { (tx.t("Waarover", "About")) } dd { (u.service.name) } }
            div {
                dt { (tx.t("Wanneer", "When")) }
                dd id="when" { (capitalise_first(&tx.when_in_words(&u.tenant, a.start))) }
            }
            div { dt { (tx.t("Naam", "Name")) } dd { (a.resident.name) } }
            @if let Some(email) = a.resident.email() {
                div { dt { (tx.t("E-mailadres", "Email address")) } dd { (email.as_str()) } }
            }
            @if let Some(phone) = a.resident.phone() {
                div { dt { (tx.t("Mobiel nummer", "Mobile number")) } dd { (phone.as_str()) } }
            }
            div {
                dt { (tx.t("Afspraakcode", "Booking code")) }
                dd class="booking-code" id="booking-code" { (a.code.grouped()) }
            }
        }
    }
}

fn calendar_link(tx: &Tx, u: &Unlocked) -> Markup {
    html! {
        p {
            a class="button button--secondary" href={ "/api/v1/personal/" (url(u.token.as_str())) "/invite.ics" } download {
                (tx.pick(
                    "Zet de afspraak in uw agenda",
                    "Zet de afspraak in je agenda",
                    "Add to calendar"
                ))
            }
        }
    }
}

pub async fn show(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        // The flash after a POST comes back in the query of the redirect (Post/Redirect/Get).
        let notice = match ctx.param("gedaan") {
            Some("verzet") => Some(tx.pick("Uw afspraak is verzet. U krijgt een nieuwe uitnodiging per e-mail.", "Je afspraak is verzet. Je krijgt een nieuwe uitnodiging per e-mail.", "Your appointment has been moved. You will get a new invitation by email.")),
            Some("afgezegd") => Some(tx.pick("Uw afspraak is afgezegd. U krijgt hierover een e-mail.", "Je afspraak is afgezegd. Je krijgt hierover een e-mail.", "Your appointment has been cancelled. You will get an email about it.")),
            _ => None,
        }
        ;
        let a = &u.appointment;
        let home = home(&u);
        let cancelled = a.status == AppointmentStatus::Cancelled;
        let changeable = a.ensure_changeable(app.clock.now()).is_ok();
        // Once the call has started (a clerk called, or its time came) the resident can rate it.
        let rating = usecases::feedback::state(&app, &u).await?;
        let documents = usecases::documents::for_resident(&app, &u).await?;
        let body = html! {
            @if let Some(text) = notice {
                (form::notice(text))
            }
            (summary(&tx, &u))
            @match rating {
                RatingState::Open => {
                    h2 { (tx.pick("Uw mening", "Je mening", "Your opinion")) }
                    p {
                        a class="button" href={ (home) "/beoordeling" } {
                            (tx.pick("Geef uw mening over het gesprek", "Geef je mening over het gesprek", "Give your opinion of the call"))
                        }
                    }
                }
                RatingState::Given(given) => {
                    h2 { (tx.pick("Uw mening", "Je mening", "Your opinion")) }
                    p {
                        (tx.pick("Bedankt voor uw mening over het gesprek.", "Bedankt voor je mening over het gesprek.", "Thank you for your opinion of the call."))
                        " "
                        a href={ (home) "/beoordeling" } {
                            (tx.pick("Bekijk wat u gaf", "Bekijk wat je gaf", "See what you gave"))
                        }
                    }
                    @if let Some(answer) = &given.answer {
                        h3 id="antwoord-klacht" { (tx.pick("Antwoord op uw klacht", "Antwoord op je klacht", "Answer to your complaint")) }
                        div class="complaint-answer" aria-labelledby="antwoord-klacht" {
                            @for line in answer.lines() {
                                p { (line) }
                            }
                        }
                    }
                }
                RatingState::NotYet | RatingState::Cancelled => {}
            }
            @if !cancelled {
                h2 { (tx.t("Videogesprek", "Video call")) }
                p { (tx.pick("Vanaf 15 minuten voor uw afspraak meldt u zich hier. Eerst controleren we samen uw camera en microfoon.", "Vanaf 15 minuten voor je afspraak meld je je hier. Eerst controleren we samen je camera en microfoon.", "From 15 minutes before your appointment you sign in here. First we check your camera and microphone together.")) }
                p { a class="button" href={ (home) "/video" } { (tx.t("Naar het videogesprek", "Go to the video call")) } }
                p {
                    a href={ (home) "/meenemen" } {
                        (tx.pick("Iemand meenemen in het gesprek", "Iemand meenemen in het gesprek", "Bring someone into the call"))
                    }
                }
            }
            // Issue 22: the papers the resident said they would supply, sent ahead.
            @if !cancelled && (!documents.slots.is_empty() || !documents.all.is_empty()) {
                h2 { (tx.t("Documenten", "Documents")) }
                p { (tx.pick(
                    "Stuur vooraf een foto of bestand van de papieren die u zelf aanlevert.",
                    "Stuur vooraf een foto of bestand van de papieren die je zelf aanlevert.",
                    "Send a photo or file of the papers you supply yourself in advance.",
                )) }
                p { a class="button button--secondary" href={ (home) "/documenten" } { (tx.t("Documenten sturen", "Send documents")) } }
            }
            @if cancelled {
                p { (tx.t("Deze afspraak is afgezegd.", "This appointment has been cancelled.")) }
                p {
                    a class="button" href={ "/" (url(u.tenant.slug.as_str())) } {
                        (tx.t("Een nieuwe afspraak maken", "Book a new appointment"))
                    }
                }
            } @else if !changeable {
                p { (tx.t("Deze afspraak is al begonnen of voorbij.", "This appointment has started or is over.")) }
            } @else {
                (calendar_link(&tx, &u))
                h2 { (tx.pick("Kunt u niet?", "Kun je niet?", "Can't make it?")) }
                p { (tx.pick("Verzet de afspraak naar een andere tijd of zeg hem af.", "Verzet de afspraak naar een andere tijd of zeg hem af.", "Move the appointment to another time or cancel it.")) }
                ul class="actions" {
                    li { a class="button button--secondary" href={ (home) "/verzetten" } { (tx.t("Afspraak verzetten", "Move appointment")) } }
                    li { a class="button button--secondary" href={ (home) "/afzeggen" } { (tx.t("Afspraak afzeggen", "Cancel appointment")) } }
                }
            }
            h2 { (tx.pick("Uw gegevens", "Je gegevens", "Your data")) }
            p {
                (tx.pick(
                    "Kies welke gegevens de gemeente mag opvragen, zie wie uw gegevens heeft bekeken, of laat uw gegevens verwijderen.",
                    "Kies welke gegevens de gemeente mag opvragen, zie wie je gegevens heeft bekeken, of laat je gegevens verwijderen.",
                    "Choose what information the municipality may request, see who looked at your data, or have your data erased."
                ))
            }
            p { a class="button button--secondary" href={ (home) "/privacy" } { (tx.pick("Naar uw gegevens", "Naar je gegevens", "Go to your data")) } }
        };
        let title = tx.pick("Uw afspraak", "Je afspraak", "Your appointment").to_string();
        Ok(render(&ctx, Page { title, tenant: Some(&u.tenant), body, has_errors: false , nav: None}).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// Shown once after booking: when, add to calendar, what to prepare, and the personal link.
pub async fn confirmation(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let link = app.personal_link(&u.token);
        let prepare = [
            tx.pick("Een computer, tablet of telefoon met camera, microfoon en internet.", "Een computer, tablet of telefoon met camera, microfoon en internet.", "A computer, tablet or phone with a camera, a microphone and internet."),
            tx.pick("Uw paspoort, identiteitskaart of rijbewijs.", "Je paspoort, identiteitskaart of rijbewijs.", "Your passport, identity card or driving licence."),
            tx.pick("Papieren die over uw vraag gaan.", "Papieren die over je vraag gaan.", "Papers about your question."),
            tx.pick("Een rustige plek. Open de link 5 minuten voor de afspraak.", "Een rustige plek. Open de link 5 minuten voor de afspraak.", "A quiet place. Open the link 5 minutes before the appointment."),
        ];
        let sent = match u.appointment.resident.email() {
            Some(email) => tx
                .pick("Wij hebben een bevestiging gestuurd naar {email}.", "We hebben een bevestiging gestuurd naar {email}.", "We have sent a confirmation to {email}.")
                .replace("{email}", email.as_str()),
            // Issue 16: no e-mail address; the code finds the appointment again.
            None => tx
                .pick("Schrijf de afspraakcode op. Met de code en uw telefoonnummer vindt u de afspraak terug.", "Schrijf de afspraakcode op. Met de code en je telefoonnummer vind je de afspraak terug.", "Write down the booking code. With the code and your phone number you can find the appointment again.")
                .to_string(),
        };
        let body = html! {
            (form::notice(&sent))
            (summary(&tx, &u))
            (calendar_link(&tx, &u))
            h2 { (tx.pick("Wat u klaarlegt", "Wat je klaarlegt", "What to prepare")) }
            ul class="bullets" {
                @for item in prepare {
                    li { (item) }
                }
            }
            h2 { (tx.pick("Uw persoonlijke link", "Je persoonlijke link", "Your personal link")) }
            p {
                (tx.pick(
                    "Met deze link start u het gesprek, en kunt u de afspraak verzetten of afzeggen. Deel hem niet met anderen.",
                    "Met deze link start je het gesprek, en kun je de afspraak verzetten of afzeggen. Deel hem niet met anderen.",
                    "With this link you start the call, and you can move or cancel the appointment. Do not share it."
                ))
            }
            p class="personal-link" { a href=(home(&u)) { (link) } }
        };
        let title = tx.pick("Uw afspraak is gemaakt", "Je afspraak is gemaakt", "Your appointment is booked").to_string();
        Ok(render(&ctx, Page { title, tenant: Some(&u.tenant), body, has_errors: false , nav: None}).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn reschedule_form(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        u.appointment.ensure_changeable(app.clock.now())?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        match ctx.param("day").and_then(|d| d.parse::<Date>().ok()) {
            Some(day) => times_page(&app, &ctx, &tx, &u, day, None, StatusCode::OK).await,
            None => {
                let days =
                    picker::free_days(&app, &u.tenant, &u.service, party_size(&app, &u).await?)
                        .await?;
                let base = format!("{}/verzetten", home(&u));
                let list = picker::days_list(&tx, &days, |day| format!("{base}?day={day}"));
                let body = html! {
                    (summary(&tx, &u))
                    p {
                        (tx.pick(
                            "Kies een nieuwe dag. Daarna kiest u de tijd.",
                            "Kies een nieuwe dag. Daarna kies je de tijd.",
                            "Choose a new day. After that you choose the time."
                        ))
                    }
                    (list)
                    p {
                        a href=(home(&u)) {
                            (tx.pick(
                                "Terug naar uw afspraak",
                                "Terug naar je afspraak",
                                "Back to your appointment"
                            ))
                        }
                    }
                };
                let title = tx.t("Afspraak verzetten", "Move appointment").to_string();
                Ok(render(
                    &ctx,
                    Page {
                        title,
                        tenant: Some(&u.tenant),
                        body,
                        has_errors: false,
                        nav: None,
                    },
                )
                .into_response())
            }
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// Everyone in the appointment, the resident included: a new time must fit them all.
async fn party_size(app: &App, u: &Unlocked) -> Result<i64> {
    Ok(::booking::usecases::booking::people(app, &u.appointment)
        .await?
        .len() as i64
        + 1)
}

async fn times_page(
    app: &App,
    ctx: &Ctx,
    tx: &Tx,
    u: &Unlocked,
    day: Date,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let times =
        picker::free_times(app, &u.tenant, &u.service, party_size(app, u).await?, day).await?;
    let base = format!("{}/verzetten", home(u));
    let has_errors = error.is_some();
    let form = picker::times_form(
        tx,
        &u.tenant,
        TimesForm {
            day,
            times: &times,
            method: "post",
            action: base.clone(),
            submit: tx.t("Verzetten naar deze tijd", "Move to this time"),
            error,
            other_day_href: base,
            carry: &[],
        },
    );
    let title = tx
        .t("Kies een nieuwe tijd", "Choose a new time")
        .to_string();
    Ok((
        status,
        render(
            ctx,
            Page {
                title,
                tenant: Some(&u.tenant),
                body: form,
                has_errors,
                nav: None,
            },
        ),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct NewTime {
    #[serde(default)]
    start: String,
    #[serde(default)]
    day: String,
}

pub async fn reschedule(
    State(app): State<App>,
    Path(token): Path<String>,
    ctx: Ctx,
    Form(form): Form<NewTime>,
) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let Some(start) = StartTime::parse(&form.start)
            .ok()
            .filter(|s| s.in_zone(u.tenant.time_zone.tz()).is_ok())
        else {
            return match form.day.parse::<Date>() {
                Ok(day) => {
                    times_page(
                        &app,
                        &ctx,
                        &tx,
                        &u,
                        day,
                        Some(
                            if form.start.trim().is_empty() {
                                tx.t("Kies een tijd.", "Choose a time.")
                            } else {
                                // A stale or altered form: the time is not one this page offers.
                                tx.t(
                                "Deze tijd kan niet worden gekozen. Kies een tijd uit de lijst.",
                                "This time cannot be chosen. Choose a time from the list.",
                            )
                            }
                            .to_string(),
                        ),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Err(_) => Ok(see_other(&format!("{}/verzetten", home(&u)))),
            };
        };
        let day = start.at.to_zoned(u.tenant.time_zone.tz().clone()).date();
        match usecases::booking::reschedule(
            &app,
            &u.tenant,
            &u.service,
            &u.appointment,
            &u.token,
            start,
        )
        .await
        {
            Ok(_) => Ok(see_other(&format!("{}?gedaan=verzet", home(&u)))),
            Err(Error::SlotTaken) => {
                times_page(
                    &app,
                    &ctx,
                    &tx,
                    &u,
                    day,
                    Some(tx.slot_taken().to_string()),
                    StatusCode::CONFLICT,
                )
                .await
            }
            Err(Error::Invalid { field, message }) => {
                times_page(
                    &app,
                    &ctx,
                    &tx,
                    &u,
                    day,
                    Some(tx.field_error(&field, &message)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

/// The confirmation step: cancelling cannot be undone, so it takes a second, explicit choice.
pub async fn cancel_form(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        u.appointment.ensure_changeable(app.clock.now())?;
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let home = home(&u);
        let body = html! {
            (summary(&tx, &u))
            p { (tx.pick("Afzeggen kan niet ongedaan worden gemaakt. U kunt daarna wel een nieuwe afspraak maken.", "Afzeggen kan niet ongedaan worden gemaakt. Je kunt daarna wel een nieuwe afspraak maken.", "Cancelling cannot be undone. You can book a new appointment afterwards.")) }
            form method="post" action={ (home) "/afzeggen" } {
                button type="submit" class="button button--danger" { (tx.t("Ja, afspraak afzeggen", "Yes, cancel the appointment")) }
            }
            p {
                a class="button button--secondary" href=(home) {
                    (tx.pick("Nee, terug naar mijn afspraak", "Nee, terug naar mijn afspraak", "No, back to my appointment"))
                }
            }
        };
        let title = tx
            .pick("Wilt u de afspraak afzeggen?", "Wil je de afspraak afzeggen?", "Do you want to cancel the appointment?")
            .to_string();
        Ok(render(&ctx, Page { title, tenant: Some(&u.tenant), body, has_errors: false , nav: None}).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn cancel(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        usecases::booking::cancel(&app, &u.tenant, &u.service, &u.appointment, &u.token).await?;
        Ok(see_other(&format!("{}?gedaan=afgezegd", home(&u))))
    }
    .await;
    respond(&ctx, outcome)
}
