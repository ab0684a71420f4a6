//! The call screen's markup, shared by the resident's and the clerk's page: large remote
//! video, small self-view, big buttons with words, and the state in words. `static/call-view.js`
//! brings it to life; the words it needs travel in data attributes, in the page's language.

use crate::i18n::Tx;
use maud::{html, Markup};

/// `other` names the other side ("de medewerker", "de bewoner") in the remote video's label.
pub fn call_view(tx: &Tx, other_label: &str) -> Markup {
    let connecting = tx.t("Verbinden…", "Connecting…");
    let mic_off = tx.t("Microfoon uitzetten", "Turn microphone off");
    let camera_off = tx.t("Camera uitzetten", "Turn camera off");
    html! {
        section id="gesprek" class="call" hidden aria-labelledby="gesprek-kop"
            data-connecting=(connecting)
            data-connected=(tx.t("Verbonden", "Connected"))
            data-reconnecting=(tx.t(
                "Opnieuw verbinden… Blijf op deze pagina.",
                "Reconnecting… Please stay on this page."
            ))
            data-waiting-other=(tx.t(
                "Verbonden. Wachten op de ander…",
                "Connected. Waiting for the other person…"
            ))
            data-other-reconnecting=(tx.t(
                "De verbinding van de ander hapert. Even geduld…",
                "The other person's connection is unstable. Please wait…"
            ))
            data-other-left=(tx.t("De ander heeft opgehangen.", "The other person hung up."))
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
                video id="remote-video" class="remote-video" autoplay playsinline aria-label=(other_label) {}
                video id="self-video" class="self-video" autoplay playsinline muted
                    aria-label=(tx.pick("Uw eigen beeld", "Je eigen beeld", "Your own picture")) {}
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
                    button type="button" id="hang-up-button" class="button button--danger call-button" {
                        (tx.t("Ophangen", "Hang up"))
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
        let formal = call_view(&Tx::new(Lang::Nl, Tone::U), "de medewerker").into_string();
        assert!(formal.contains("U belt zonder camera"));
    }
}
