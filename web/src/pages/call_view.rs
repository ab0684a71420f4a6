//! The call screen's markup, shared by the resident's and the clerk's page: large remote
//! video, small self-view, big buttons with words, and the state in words. `static/call-view.js`
//! brings it to life; the words it needs travel in data attributes, in the page's language.

use crate::i18n::Tx;
use maud::{html, Markup};

/// Whose page the call is on: the words and which picture fills the space differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The clerk's page: the resident's picture is the large one.
    Clerk,
    /// The resident's or a companion's page (issue 21 item 4): the clerk's picture is the large
    /// one, the state is a sentence naming the clerk, leaving is "Gesprek verlaten".
    Resident,
}

/// `other` names the other side ("de medewerker", "de bewoner") in the remote video's label.
pub fn call_view(tx: &Tx, other_label: &str) -> Markup {
    markup(tx, other_label, Side::Clerk)
}

/// The call as the resident and their companion see it.
pub fn resident_call_view(tx: &Tx, other_label: &str) -> Markup {
    markup(tx, other_label, Side::Resident)
}

fn markup(tx: &Tx, other_label: &str, side: Side) -> Markup {
    let resident = side == Side::Resident;
    let connecting = tx.t("Verbinden…", "Connecting…");
    let mic_off = tx.t("Microfoon uitzetten", "Turn microphone off");
    let camera_off = tx.t("Camera uitzetten", "Turn camera off");
    html! {
        section id="gesprek" class=(if resident { "call call--resident" } else { "call" }) hidden aria-labelledby="gesprek-kop"
            data-connecting=(connecting)
            data-connected=(tx.t("Verbonden", "Connected"))
            data-reconnecting=(if resident {
                tx.t(
                    "De verbinding is even weg, we proberen het opnieuw…",
                    "The connection is gone for a moment, we are trying again…"
                )
            } else {
                tx.t(
                    "Opnieuw verbinden… Blijf op deze pagina.",
                    "Reconnecting… Please stay on this page."
                )
            })
            data-talking-to=[resident.then(|| tx.pick(
                "U praat nu met {name} van de gemeente.",
                "Je praat nu met {name} van de gemeente.",
                "You are now talking to {name} from the municipality."
            ))]
            data-main-role=(if resident { "clerk" } else { "resident" })
            data-role-clerk=(tx.t("gemeente", "municipality"))
            data-role-resident=(tx.t("bewoner", "resident"))
            data-role-companion=(tx.t("begeleider", "companion"))
            data-role-interpreter=(tx.t("tolk", "interpreter"))
            data-other-picture=(tx.t("Beeld van een deelnemer", "A participant's picture"))
            data-removed=(tx.pick(
                "U bent uit het gesprek gehaald.",
                "Je bent uit het gesprek gehaald.",
                "You were taken out of the call."
            ))
            data-waiting-other=(tx.t(
                "Verbonden. Wachten op de ander…",
                "Connected. Waiting for the other person…"
            ))
            data-other-reconnecting=(tx.t(
                "De verbinding van de ander hapert. Even geduld…",
                "The other person's connection is unstable. Please wait…"
            ))
            data-other-left=(tx.t(
                "De ander heeft het gesprek verlaten en kan terugkomen. Blijf op deze pagina.",
                "The other person left the call and may come back. Please stay on this page."
            ))
            data-left=(tx.pick(
                "U heeft het gesprek verlaten. Zolang het gesprek niet is beëindigd, kunt u opnieuw deelnemen.",
                "Je hebt het gesprek verlaten. Zolang het gesprek niet is beëindigd, kun je opnieuw deelnemen.",
                "You left the call. As long as the conversation has not been ended, you can join again."
            ))
            data-moved=(tx.pick(
                "Het gesprek is verplaatst naar een ander apparaat. Wilt u hier verder? Laad deze pagina dan opnieuw.",
                "Het gesprek is verplaatst naar een ander apparaat. Wil je hier verder? Laad deze pagina dan opnieuw.",
                "The call moved to another device. Want to continue here? Then reload this page."
            ))
            data-ended=(tx.t("Het gesprek is afgelopen.", "The call has ended."))
            data-refused=(tx.pick(
                "U kunt niet (meer) in dit gesprek. Vraag de gemeente om een nieuwe afspraak.",
                "Je kunt niet (meer) in dit gesprek. Vraag de gemeente om een nieuwe afspraak.",
                "You cannot join this call (any more). Ask the municipality for a new appointment."
            ))
            data-mic-on=(tx.t("Microfoon aanzetten", "Turn microphone on"))
            data-mic-off=(mic_off)
            data-camera-on=(tx.t("Camera aanzetten", "Turn camera on"))
            data-camera-off=(camera_off) {
            h2 id="gesprek-kop" tabindex="-1" { (tx.t("In gesprek", "In the call")) }
            p id="call-state" class="call-state" role="status" { (connecting) }
            div class="call-videos" {
                figure class="call-tile call-tile--main" {
                    video id="remote-video" class="remote-video" autoplay playsinline aria-label=(other_label) {}
                    figcaption id="remote-name" {}
                }
                div id="other-videos" class="call-others" hidden {}
                figure class="call-tile call-tile--self" {
                    video id="self-video" class="self-video" autoplay playsinline muted
                        aria-label=(tx.pick("Uw eigen beeld", "Je eigen beeld", "Your own picture")) {}
                    figcaption { (tx.pick("Uzelf", "Jijzelf", "You")) }
                }
            }
            p {
                button type="button" id="play-button" class="button call-button" hidden {
                    (tx.t("Beeld en geluid starten", "Start picture and sound"))
                }
            }
            p id="remote-no-video" class="notice" hidden {
                (tx.pick(
                    "De ander heeft geen camera aan; u hoort elkaar wel.",
                    "De ander heeft geen camera aan; jullie horen elkaar wel.",
                    "The other person's camera is off; you can still hear each other."
                ))
            }
            p id="audio-only" class="notice" hidden {
                (tx.pick(
                    "U belt zonder camera: de ander hoort u wel, maar ziet u niet.",
                    "Je belt zonder camera: de ander hoort je wel, maar ziet je niet.",
                    "You are calling without a camera: the other person hears you but cannot see you."
                ))
            }
            ul class="call-controls" {
                li { button type="button" id="mic-button" class="button call-button" { (mic_off) } }
                li { button type="button" id="camera-button" class="button call-button" { (camera_off) } }
                li {
                    button type="button" id="hang-up-button" class="button button--danger call-button"
                        aria-haspopup="dialog" {
                        @if resident {
                            (tx.t("Gesprek verlaten", "Leave the call"))
                        } @else {
                            (tx.t("Ophangen", "Hang up"))
                        }
                    }
                }
            }
            p id="rejoin" hidden {
                button type="button" id="rejoin-button" class="button call-button" {
                    (tx.t("Opnieuw deelnemen", "Join again"))
                }
            }
            (leave_dialog(tx))
            (network_quality(tx))
            (documents_in_call(tx, side))
        }
    }
}

/// Issue 22 items 2 and 3, brought to life by `static/call-documents.js`. The clerk asks for a
/// photo of a document, takes one still of the resident's picture once the resident said yes
/// (each photo needs its own yes), and shows their screen. The resident answers the request and
/// is told when the clerk shows their screen.
fn documents_in_call(tx: &Tx, side: Side) -> Markup {
    match side {
        Side::Resident => html! {
            p id="screen-shared" class="notice" role="status" hidden {
                (tx.t("De medewerker laat het scherm zien.", "The clerk is showing you their screen."))
            }
            section id="photo-prompt" class="notice photo-prompt" hidden aria-labelledby="photo-prompt-kop" {
                h3 id="photo-prompt-kop" tabindex="-1" {
                    (tx.pick(
                        "De medewerker wil een foto maken van uw document",
                        "De medewerker wil een foto maken van je document",
                        "The clerk wants to take a photo of your document"
                    ))
                }
                p {
                    (tx.pick(
                        "Houd het document stil voor uw camera als u dat goed vindt. Er wordt één foto gemaakt, geen opname. U ziet de foto terug bij Uw gegevens.",
                        "Houd het document stil voor je camera als je dat goed vindt. Er wordt één foto gemaakt, geen opname. Je ziet de foto terug bij Je gegevens.",
                        "Hold the document still in front of your camera if you agree. One photo is taken, not a recording. You will find it under Your details."
                    ))
                }
                ul class="actions" {
                    li { button type="button" id="photo-allow" class="button call-button" { (tx.t("Ja, foto toestaan", "Yes, allow the photo")) } }
                    li { button type="button" id="photo-deny" class="button button--secondary call-button" { (tx.t("Nee, liever niet", "No, rather not")) } }
                }
            }
            p id="photo-state" class="call-state" role="status"
                data-allowed=(tx.pick(
                    "U heeft de foto toegestaan. Houd het document stil voor de camera.",
                    "Je hebt de foto toegestaan. Houd het document stil voor de camera.",
                    "You allowed the photo. Hold the document still in front of the camera."
                ))
                data-denied=(tx.t("U heeft geen toestemming gegeven. Er wordt geen foto gemaakt.", "You said no. No photo is taken."))
                data-taken=(tx.t("De medewerker heeft de foto gemaakt.", "The clerk took the photo.")) {}
        },
        Side::Clerk => html! {
            div id="call-documents" class="call-documents"
                data-asked=(tx.t("Gevraagd. De bewoner ziet de vraag en kiest ja of nee.", "Asked. The resident sees the question and chooses yes or no."))
                data-allowed=(tx.t("De bewoner staat één foto toe. Vraag het document stil voor de camera te houden en kies 'Foto maken'.", "The resident allows one photo. Ask them to hold the document still and choose 'Take the photo'."))
                data-denied=(tx.t("De bewoner wil geen foto. Er is geen foto gemaakt.", "The resident does not want a photo. No photo was taken."))
                data-taken=(tx.t("Foto bewaard bij de documenten van de bewoner: {label}.", "Photo kept with the resident's documents: {label}."))
                data-failed=(tx.t("De foto kon niet worden bewaard. Vraag opnieuw.", "The photo could not be kept. Ask again."))
                data-sharing=(tx.t("U laat uw scherm zien. De bewoner ziet het groot, met uw gezicht klein in de hoek.", "You are showing your screen. The resident sees it large, with your face small in the corner."))
                data-share-start=(tx.t("Scherm delen", "Share screen"))
                data-share-stop=(tx.t("Stoppen met scherm delen", "Stop sharing the screen"))
                data-share-failed=(tx.t("Scherm delen lukte niet.", "Sharing the screen did not work.")) {
                ul class="actions" {
                    li { button type="button" id="photo-ask" class="button call-button" { (tx.t("Foto van document vragen", "Ask for a photo of a document")) } }
                    li { button type="button" id="photo-take" class="button call-button" hidden { (tx.t("Foto maken", "Take the photo")) } }
                    li { button type="button" id="screen-share" class="button button--secondary call-button" { (tx.t("Scherm delen", "Share screen")) } }
                }
                p id="photo-state" class="call-state" role="status" {}
            }
        },
    }
}

/// Weak networks and the phone fallback (issue 15 item 5), brought to life by
/// `static/call-quality-view.js`: the words sit in a status region that is always there, so a
/// screen reader hears each change; the fallback is an alert with the municipality's number.
fn network_quality(tx: &Tx) -> Markup {
    html! {
        div id="network-quality"
            data-offer=(tx.pick(
                "Het beeld hapert door een zwakke verbinding. Wilt u verder met alleen geluid? Dan hoort u elkaar beter.",
                "Het beeld hapert door een zwakke verbinding. Wil je verder met alleen geluid? Dan horen jullie elkaar beter.",
                "The picture keeps freezing because the connection is weak. Continue with sound only? You will hear each other better."
            ))
            data-switched=(tx.pick(
                "De verbinding is te zwak voor beeld. We gaan verder met alleen geluid: u hoort elkaar nog. De ander ziet dit ook.",
                "De verbinding is te zwak voor beeld. We gaan verder met alleen geluid: jullie horen elkaar nog. De ander ziet dit ook.",
                "The connection is too weak for video. We continue with sound only: you can still hear each other. The other person is told too."
            ))
            data-recovered=(tx.pick(
                "De verbinding is weer beter. Wilt u het beeld weer aanzetten?",
                "De verbinding is weer beter. Wil je het beeld weer aanzetten?",
                "The connection is better again. Turn the picture back on?"
            ))
            data-fallback=(tx.pick(
                "Het videogesprek komt niet tot stand. Bel de gemeente, dan gaan we telefonisch verder:",
                "Het videogesprek komt niet tot stand. Bel de gemeente, dan gaan we telefonisch verder:",
                "The video call cannot connect. Call the municipality and we will continue by phone:"
            ))
            data-fallback-lost=(tx.pick(
                "De verbinding is weggevallen en komt niet terug. Bel de gemeente, dan gaan we telefonisch verder:",
                "De verbinding is weggevallen en komt niet terug. Bel de gemeente, dan gaan we telefonisch verder:",
                "The connection dropped and does not come back. Call the municipality and we will continue by phone:"
            )) {
            p id="network-words" class="call-state" role="status" {}
            ul id="network-offer" class="actions" hidden {
                li {
                    button type="button" id="network-audio-only" class="button call-button" {
                        (tx.t("Alleen geluid", "Sound only"))
                    }
                }
                li {
                    button type="button" id="network-keep-video"
                        class="button button--secondary call-button" {
                        (tx.t("Beeld houden", "Keep the picture"))
                    }
                }
            }
            p id="network-offer-video" hidden {
                button type="button" id="network-video-back" class="button call-button" {
                    (tx.t("Beeld weer aan", "Picture back on"))
                }
            }
            div id="call-fallback" class="notice" role="alert" hidden {
                p {
                    span id="call-fallback-text" {} " "
                    a id="call-fallback-phone" class="tel-link" hidden {}
                }
            }
        }
        p id="by-phone-notice" class="notice" role="status" hidden
            data-with-phone=(tx.pick(
                "De medewerker gaat telefonisch verder en belt u nu op {phone}.",
                "De medewerker gaat telefonisch verder en belt je nu op {phone}.",
                "The clerk continues by phone and is calling you now on {phone}."
            ))
            data-without-phone=(tx.pick(
                "De medewerker gaat telefonisch verder. Bel de gemeente als u niet wordt gebeld.",
                "De medewerker gaat telefonisch verder. Bel de gemeente als je niet wordt gebeld.",
                "The clerk continues by phone. Call the municipality if you are not called."
            )) {}
        p id="remote-weak-network" class="notice" hidden {
            (tx.pick(
                "De verbinding van de ander is te zwak voor beeld. U hoort elkaar nog.",
                "De verbinding van de ander is te zwak voor beeld. Jullie horen elkaar nog.",
                "The other person's connection is too weak for video. You can still hear each other."
            ))
        }
    }
}

/// The confirm step before leaving the room: "No" is focused first, so a stray Enter or
/// Escape keeps the call.
fn leave_dialog(tx: &Tx) -> Markup {
    html! {
        dialog id="leave-dialog" class="confirm-dialog" aria-labelledby="leave-dialog-kop"
            aria-describedby="leave-dialog-uitleg" {
            h2 id="leave-dialog-kop" {
                (tx.pick(
                    "Weet u zeker dat u het gesprek wilt verlaten?",
                    "Weet je zeker dat je het gesprek wilt verlaten?",
                    "Are you sure you want to leave the call?"
                ))
            }
            p id="leave-dialog-uitleg" {
                (tx.pick(
                    "U kunt daarna opnieuw deelnemen, zolang het gesprek niet is beëindigd.",
                    "Je kunt daarna opnieuw deelnemen, zolang het gesprek niet is beëindigd.",
                    "You can join again afterwards, as long as the conversation has not been ended."
                ))
            }
            ul class="actions" {
                li {
                    button type="button" id="confirm-leave" class="button button--danger call-button" {
                        (tx.t("Ja, gesprek verlaten", "Yes, leave the call"))
                    }
                }
                li {
                    button type="button" id="cancel-leave" class="button button--secondary call-button" {
                        (tx.t("Nee, terug", "No, go back"))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use booking::domain::tenant::Tone;

    #[test]
    fn a_je_municipality_is_addressed_with_je_in_the_call() {
        let html = call_view(&Tx::new(Lang::Nl, Tone::Je), "de medewerker").into_string();
        assert!(
            html.contains("Je belt zonder camera: de ander hoort je wel"),
            "{html}"
        );
        assert!(html.contains("Je eigen beeld"));
        for formal in ["U belt", "Uw eigen", "U kunt", "; u hoort"] {
            assert!(!html.contains(formal), "{formal} in {html}");
        }
        assert!(html.contains("Weet je zeker dat je het gesprek wilt verlaten?"));
        assert!(html.contains("kun je opnieuw deelnemen"));
        let formal = call_view(&Tx::new(Lang::Nl, Tone::U), "de medewerker").into_string();
        assert!(formal.contains("U belt zonder camera"));
        assert!(formal.contains("Weet u zeker dat u het gesprek wilt verlaten?"));
        let english = call_view(&Tx::new(Lang::En, Tone::U), "the clerk").into_string();
        assert!(english.contains("The call moved to another device."));
        assert!(english.contains("Yes, leave the call") && english.contains("No, go back"));
    }
}
