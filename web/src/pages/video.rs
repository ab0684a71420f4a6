//! The resident's way into the call, from the personal link: check camera, microphone and
//! sound first, then "I'm ready" joins the queue, the page shows the place and the expected
//! wait as they change, and when the clerk calls it answers and the call starts on the same
//! page (so the camera and microphone permission is asked once). `static/resident.js` drives
//! it; this page only renders the words and the markup.

use super::call_view::resident_call_view;
use super::personal::unlock;
use crate::context::Ctx;
use crate::error::respond;
use crate::i18n::Tx;
use crate::layout::{render, Page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use booking::domain::appointment::AppointmentStatus;
use booking::{App, Error};
use maud::{html, Markup};

pub async fn show(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let u = unlock(&app, &token).await?;
        if u.appointment.status == AppointmentStatus::Cancelled {
            return Err(Error::NotFound("appointment"));
        }
        let tx = Tx::new(ctx.lang, u.tenant.tone);
        let body = html! {
            p {
                a href={ "/a/" (u.token.as_str()) } {
                    (tx.pick(
                        "Terug naar uw afspraak",
                        "Terug naar je afspraak",
                        "Back to your appointment"
                    ))
                }
            }
            (device_check(&tx, u.token.as_str()))
            (waiting(&tx))
            (resident_call_view(&tx, tx.t("Beeld van de medewerker", "The clerk's picture")))
            (after_call(&tx, u.token.as_str()))
            script type="module" src="/static/resident.js" {}
        };
        let title = tx.t("Videogesprek", "Video call").to_string();
        let page = Page {
            title,
            tenant: Some(&u.tenant),
            body,
            has_errors: false,
            nav: None,
        };
        Ok(render(&ctx, page).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// The same way into the call for a walk-in, from their place-in-line link `/w/{token}`: the
/// device check, then the waiting (they are in the line already), then the call. A walk-in has
/// no appointment to rate, so the page ends with the way back to the line page.
pub async fn walk_in(State(app): State<App>, Path(token): Path<String>, ctx: Ctx) -> Response {
    let outcome = async {
        let (tenant, _) = booking::usecases::queue::entry_by_token(&app, &token).await?;
        let tx = Tx::new(ctx.lang, tenant.tone);
        let back = format!("/w/{}", crate::html::url(&token));
        let body = html! {
            p { a href=(back) { (tx.pick("Terug naar uw plek in de rij", "Terug naar je plek in de rij", "Back to your place in line")) } }
            (device_check(&tx, &token))
            (waiting(&tx))
            (resident_call_view(&tx, tx.t("Beeld van de medewerker", "The clerk's picture")))
            section id="na-gesprek" aria-labelledby="na-gesprek-kop" hidden {
                h2 id="na-gesprek-kop" { (tx.t("Het gesprek is afgelopen", "The call has ended")) }
                p { (tx.pick(
                    "Bedankt voor uw bezoek aan het videoloket.",
                    "Bedankt voor je bezoek aan het videoloket.",
                    "Thank you for visiting the video counter.",
                )) }
            }
            script type="module" src="/static/resident.js" {}
        };
        let page = Page {
            title: tx.t("Videogesprek", "Video call").to_string(),
            tenant: Some(&tenant),
            body,
            has_errors: false,
            nav: None,
        };
        Ok(render(&ctx, page).into_response())
    }
    .await;
    respond(&ctx, outcome)
}

/// Camera preview, microphone meter, test sound, and what to do when something is missing.
pub(super) fn device_check(tx: &Tx, token: &str) -> Markup {
    html! {
        section id="apparaten" aria-labelledby="apparaten-kop" data-token=(token)
            data-denied=(tx.pick(
                "Deze pagina mag uw camera en microfoon niet gebruiken. Hieronder staat hoe u dat toestaat op uw apparaat.",
                "Deze pagina mag je camera en microfoon niet gebruiken. Hieronder staat hoe je dat toestaat op je apparaat.",
                "This page may not use your camera and microphone. Below is how to allow it on your device."
            ))
            data-no-devices=(tx.pick(
                "We vinden geen microfoon. Sluit een microfoon of headset aan en kies \"Opnieuw proberen\". Lukt het niet? Bel de gemeente.",
                "We vinden geen microfoon. Sluit een microfoon of headset aan en kies \"Opnieuw proberen\". Lukt het niet? Bel de gemeente.",
                "We cannot find a microphone. Connect a microphone or headset and choose \"Try again\". No luck? Call the municipality."
            ))
            data-no-camera=(tx.pick(
                "We vinden geen camera. U kunt wel bellen: de medewerker hoort u, maar ziet u niet.",
                "We vinden geen camera. Je kunt wel bellen: de medewerker hoort je, maar ziet je niet.",
                "We cannot find a camera. You can still call: the clerk will hear you but not see you."
            ))
            data-check-in-failed=(tx.pick(
                "Aanmelden lukt nu niet. Melden kan vanaf 15 minuten voor uw afspraak.",
                "Aanmelden lukt nu niet. Melden kan vanaf 15 minuten voor je afspraak.",
                "Signing in is not possible now. You can sign in from 15 minutes before your appointment."
            ))
            data-failed=(tx.t(
                "Er ging iets mis. Laad de pagina opnieuw.",
                "Something went wrong. Please reload the page."
            )) {
            h2 id="apparaten-kop" {
                (tx.pick("Eerst uw camera en microfoon", "Eerst je camera en microfoon", "First your camera and microphone"))
            }
            p {
                (tx.pick(
                    "Uw browser vraagt of deze pagina uw camera en microfoon mag gebruiken. Kies \"Toestaan\".",
                    "Je browser vraagt of deze pagina je camera en microfoon mag gebruiken. Kies \"Toestaan\".",
                    "Your browser asks whether this page may use your camera and microphone. Choose \"Allow\"."
                ))
            }
            div class="device-check" {
                video id="preview" class="preview-video" autoplay playsinline muted
                    aria-label=(tx.pick("Uw eigen beeld", "Je eigen beeld", "Your own picture")) {}
                div {
                    p {
                        label for="mic-level" {
                            (tx.pick("Geluid van uw microfoon", "Geluid van je microfoon", "Sound from your microphone"))
                        }
                    }
                    meter id="mic-level" class="mic-level" min="0" max="100" low="10" optimum="50" value="0" { "0" }
                    p class="hint" {
                        (tx.pick(
                            "Zeg iets. Beweegt de balk mee? Dan hoort de medewerker u.",
                            "Zeg iets. Beweegt de balk mee? Dan hoort de medewerker je.",
                            "Say something. Does the bar move? Then the clerk can hear you."
                        ))
                    }
                    p {
                        button type="button" id="test-sound" class="button button--secondary" {
                            (tx.t("Testgeluid afspelen", "Play test sound"))
                        }
                    }
                    p class="hint" {
                        (tx.pick(
                            "Hoort u een toon? Dan hoort u de medewerker ook. Hoort u niets, zet dan het geluid van uw apparaat harder.",
                            "Hoor je een toon? Dan hoor je de medewerker ook. Hoor je niets, zet dan het geluid van je apparaat harder.",
                            "Do you hear a tone? Then you will hear the clerk too. If not, turn up your device's volume."
                        ))
                    }
                }
            }
            div id="device-help" class="notice" role="alert" hidden {}
            (permission_help(tx))
            p {
                button type="button" id="retry-devices" class="button button--secondary" hidden {
                    (tx.t("Opnieuw proberen", "Try again"))
                }
            }
            p {
                button type="button" id="ready" class="button" disabled {
                    (tx.t("Ik ben er klaar voor", "I'm ready"))
                }
            }
        }
    }
}

/// How to allow camera and microphone after refusing them, per kind of device: the padlock
/// of a computer's browser, Safari on an iPhone or iPad, Chrome on Android.
fn permission_help(tx: &Tx) -> Markup {
    html! {
        div id="permission-help" class="notice" hidden {
            ul {
                li {
                    strong { (tx.t("Computer:", "Computer:")) } " "
                    (tx.t(
                        "klik links van het webadres op het slotje en kies bij Camera en Microfoon \"Toestaan\".",
                        "click the padlock left of the web address and choose \"Allow\" for Camera and Microphone."
                    ))
                }
                li {
                    strong { (tx.t("iPhone of iPad (Safari):", "iPhone or iPad (Safari):")) } " "
                    (tx.pick(
                        "tik links in de adresbalk op \"aA\", kies \"Website-instellingen\" en zet Camera en Microfoon op \"Sta toe\". Staat het daar niet? Ga naar Instellingen > Safari > Camera en Instellingen > Safari > Microfoon en kies \"Vraag\" of \"Sta toe\". Laad daarna deze pagina opnieuw.",
                        "tik links in de adresbalk op \"aA\", kies \"Website-instellingen\" en zet Camera en Microfoon op \"Sta toe\". Staat het daar niet? Ga naar Instellingen > Safari > Camera en Instellingen > Safari > Microfoon en kies \"Vraag\" of \"Sta toe\". Laad daarna deze pagina opnieuw.",
                        "tap \"aA\" at the left of the address bar, choose \"Website Settings\" and set Camera and Microphone to \"Allow\". Not there? Go to Settings > Safari > Camera and Settings > Safari > Microphone and choose \"Ask\" or \"Allow\". Then reload this page."
                    ))
                }
                li {
                    strong { (tx.t("Android (Chrome):", "Android (Chrome):")) } " "
                    (tx.t(
                        "tik links van het webadres op het slotje of het instellingen-icoon, kies \"Rechten\" en zet Camera en Microfoon aan.",
                        "tap the padlock or settings icon left of the web address, choose \"Permissions\" and turn on Camera and Microphone."
                    ))
                }
            }
            p {
                (tx.t(
                    "Kies daarna \"Opnieuw proberen\".",
                    "Then choose \"Try again\"."
                ))
            }
        }
    }
}

/// The place in the queue and the expected wait, updated live.
fn waiting(tx: &Tx) -> Markup {
    html! {
        section id="wachten" aria-labelledby="wachten-kop" hidden
            data-place=(tx.pick(
                "U bent nummer {place} in de wachtrij.",
                "Je bent nummer {place} in de wachtrij.",
                "You are number {place} in the queue."
            ))
            data-next=(tx.pick(
                "U bent de volgende.",
                "Je bent de volgende.",
                "You are next."
            ))
            data-left=(tx.pick(
                "U heeft de wachtrij verlaten. Wilt u toch gebeld worden? Kies dan opnieuw \"Ik ben er klaar voor\".",
                "Je hebt de wachtrij verlaten. Wil je toch gebeld worden? Kies dan opnieuw \"Ik ben er klaar voor\".",
                "You have left the queue. Want to be called after all? Choose \"I'm ready\" again."
            ))
            data-wait=(tx.t(
                "Verwachte wachttijd: ongeveer {minutes} minuten.",
                "Expected wait: about {minutes} minutes."
            ))
            data-called=(tx.pick(
                "De medewerker roept u. Het gesprek begint…",
                "De medewerker roept je. Het gesprek begint…",
                "The clerk is calling you. The call is starting…"
            ))
            data-missed=(tx.pick(
                "U hebt de oproep gemist. Bel de gemeente of maak een nieuwe afspraak.",
                "Je hebt de oproep gemist. Bel de gemeente of maak een nieuwe afspraak.",
                "You missed the call. Call the municipality or book a new appointment."
            )) {
            h2 id="wachten-kop" { (tx.pick("U bent aangemeld", "Je bent aangemeld", "You are signed in")) }
            p {
                (tx.pick(
                    "Blijf op deze pagina. Zodra de medewerker u roept, begint het gesprek vanzelf.",
                    "Blijf op deze pagina. Zodra de medewerker je roept, begint het gesprek vanzelf.",
                    "Stay on this page. As soon as the clerk calls you, the call starts by itself."
                ))
            }
            p id="queue-status" class="queue-status" role="status" {}
            p {
                button type="button" id="leave-queue" class="button button--secondary" {
                    (tx.t("Wachtrij verlaten", "Leave the queue"))
                }
            }
        }
    }
}

/// Shown once the call has ended: the way to the rating page.
fn after_call(tx: &Tx, token: &str) -> Markup {
    html! {
        section id="na-gesprek" aria-labelledby="na-gesprek-kop" hidden {
            h2 id="na-gesprek-kop" { (tx.t("Hoe was het gesprek?", "How was the call?")) }
            p {
                (tx.pick(
                    "Wilt u vertellen hoe het ging? Zo leert de gemeente wat beter kan. Het kost een minuut.",
                    "Wil je vertellen hoe het ging? Zo leert de gemeente wat beter kan. Het kost een minuut.",
                    "Would you tell us how it went? It helps the municipality learn what to improve. It takes a minute."
                ))
            }
            p {
                a id="rate-call" class="button" href={ "/a/" (token) "/beoordeling" } {
                    (tx.pick(
                        "Geef uw mening over het gesprek",
                        "Geef je mening over het gesprek",
                        "Give your opinion of the call"
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_words_for_the_script_keep_their_quotes_inside_the_attribute() {
        let tx = Tx::formal(Lang::Nl);
        let html = device_check(&tx, "a\"b<c").into_string();
        assert!(html.contains(r#"data-token="a&quot;b&lt;c""#), "{html}");
        assert!(html.contains("Hieronder staat hoe u dat toestaat op uw apparaat."));
        let help = permission_help(&tx).into_string();
        assert!(
            help.contains("kies bij Camera en Microfoon &quot;Toestaan&quot;."),
            "{help}"
        );
        assert!(
            help.contains("Instellingen &gt; Safari &gt; Camera"),
            "{help}"
        );
        assert!(help.contains("iPhone of iPad (Safari):") && help.contains("Android (Chrome):"));
        let english = permission_help(&Tx::formal(Lang::En)).into_string();
        assert!(
            english.contains("Settings &gt; Safari &gt; Camera"),
            "{english}"
        );
        assert!(
            english.contains("choose &quot;Permissions&quot;"),
            "{english}"
        );
        let waiting = waiting(&tx).into_string();
        assert!(waiting.contains("Kies dan opnieuw &quot;Ik ben er klaar voor&quot;.\""));
    }
}
