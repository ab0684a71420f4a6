//! The call screen's markup, shared by the resident's and the clerk's page: large remote
//! video, small self-view, big buttons with words, and the state in words. `static/call-view.js`
//! brings it to life; the words it needs travel in data attributes, in the page's language.

use crate::html::esc;
use crate::i18n::Tx;

/// `other` names the other side ("de medewerker", "de bewoner") in the remote video's label.
pub fn call_view(tx: &Tx, other_label: &str) -> String {
    format!(
        r#"<section id="gesprek" class="call" hidden aria-labelledby="gesprek-kop"
 data-connecting="{connecting}" data-connected="{connected}" data-reconnecting="{reconnecting}"
 data-waiting-other="{waiting_other}" data-other-reconnecting="{other_reconnecting}"
 data-other-left="{other_left}" data-ended="{ended}" data-refused="{refused}"
 data-mic-on="{mic_on}" data-mic-off="{mic_off}" data-camera-on="{camera_on}" data-camera-off="{camera_off}">
<h2 id="gesprek-kop" tabindex="-1">{heading}</h2>
<p id="call-state" class="call-state" role="status">{connecting}</p>
<div class="call-videos">
  <video id="remote-video" class="remote-video" autoplay playsinline aria-label="{remote_label}"></video>
  <video id="self-video" class="self-video" autoplay playsinline muted aria-label="{self_label}"></video>
</div>
<p><button type="button" id="play-button" class="button call-button" hidden>{play}</button></p>
<p id="remote-no-video" class="notice" hidden>{remote_no_video}</p>
<p id="audio-only" class="notice" hidden>{audio_only}</p>
<ul class="call-controls">
  <li><button type="button" id="mic-button" class="button call-button">{mic_off}</button></li>
  <li><button type="button" id="camera-button" class="button call-button">{camera_off}</button></li>
  <li><button type="button" id="hang-up-button" class="button button--danger call-button">{hang_up}</button></li>
</ul>
</section>"#,
        heading = tx.t("In gesprek", "In the call"),
        connecting = tx.t("Verbinden…", "Connecting…"),
        connected = tx.t("Verbonden", "Connected"),
        reconnecting = tx.t(
            "Opnieuw verbinden… Blijf op deze pagina.",
            "Reconnecting… Please stay on this page."
        ),
        waiting_other = tx.t(
            "Verbonden. Wachten op de ander…",
            "Connected. Waiting for the other person…"
        ),
        other_reconnecting = tx.t(
            "De verbinding van de ander hapert. Even geduld…",
            "The other person's connection is unstable. Please wait…"
        ),
        other_left = tx.t("De ander heeft opgehangen.", "The other person hung up."),
        ended = tx.t("Het gesprek is afgelopen.", "The call has ended."),
        refused = tx.t(
            "U kunt niet (meer) in dit gesprek. Vraag de gemeente om een nieuwe afspraak.",
            "You cannot join this call (any more). Ask the municipality for a new appointment."
        ),
        mic_on = tx.t("Microfoon aanzetten", "Turn microphone on"),
        mic_off = tx.t("Microfoon uitzetten", "Turn microphone off"),
        camera_on = tx.t("Camera aanzetten", "Turn camera on"),
        camera_off = tx.t("Camera uitzetten", "Turn camera off"),
        hang_up = tx.t("Ophangen", "Hang up"),
        play = tx.t("Beeld en geluid starten", "Start picture and sound"),
        remote_label = esc(other_label),
        self_label = tx.t("Uw eigen beeld", "Your own picture"),
        remote_no_video = tx.t(
            "De ander heeft geen camera aan; u hoort elkaar wel.",
            "The other person's camera is off; you can still hear each other."
        ),
        audio_only = tx.t(
            "U belt zonder camera: de ander hoort u wel, maar ziet u niet.",
            "You are calling without a camera: the other person hears you but cannot see you."
        ),
    )
}
