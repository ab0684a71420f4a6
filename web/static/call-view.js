// The call screen both the resident and the clerk see: large remote video, small self-view,
// big buttons with words, and the connection state in words. The words come from the page
// (data-* attributes rendered by the server in the visitor's language).

import { Call } from "/static/call.js";

/**
 * Starts the call inside `root` (the markup of web/src/pages/call_view.rs).
 * @returns {Call}
 */
export function startCallView(root, { ticket, stream, camera, onEnded }) {
  const w = root.dataset;
  const $ = (id) => root.querySelector(`#${id}`);
  const state = $("call-state");
  const remote = $("remote-video");
  const self = $("self-video");
  const mic = $("mic-button");
  const cam = $("camera-button");
  const hangUp = $("hang-up-button");
  const remoteNoVideo = $("remote-no-video");

  root.hidden = false;
  self.srcObject = stream;
  if (!camera) {
    // Audio only: no self-view and no camera button, and the page says so.
    self.hidden = true;
    cam.parentElement.hidden = true;
    $("audio-only").hidden = false;
  }

  const words = {
    connecting: w.connecting,
    connected: w.connected,
    reconnecting: w.reconnecting,
    "other-joined": w.connected,
    "other-reconnecting": w.otherReconnecting,
    "other-left": w.otherLeft,
    ended: w.ended,
    refused: w.refused,
  };
  let connected = false;
  let otherHere = false;
  const call = new Call({
    ticket,
    stream,
    remoteVideo: remote,
    onState: (s) => {
      if (s === "connected") connected = true;
      if (s === "reconnecting") connected = false;
      if (s === "other-joined") otherHere = true;
      if (s === "other-left") otherHere = false;
      // Until the other is there, "connected" alone would suggest someone is listening.
      let text = words[s];
      if ((s === "connected" || s === "other-joined") && !(connected && otherHere)) {
        text = connected ? w.waitingOther : w.connecting;
      }
      state.textContent = text;
      state.dataset.state = s;
      if (s === "ended" || s === "refused" || call.leaving) {
        mic.disabled = cam.disabled = hangUp.disabled = true;
        // Nothing more to see or press: the state line says the call is over.
        root.querySelector(".call-videos").hidden = true;
        root.querySelector(".call-controls").hidden = true;
        onEnded && onEnded(s);
      }
    },
    onRemoteMedia: ({ video }) => {
      remoteNoVideo.hidden = video !== false;
    },
  });

  // Some browsers only start sound after a click on this page; then the page asks for one.
  const play = $("play-button");
  call.onPlayBlocked = () => {
    play.hidden = false;
  };
  play.addEventListener("click", () => {
    remote.play().then(() => (play.hidden = true), () => {});
  });

  let micOn = true;
  mic.addEventListener("click", () => {
    micOn = !micOn;
    call.setAudio(micOn);
    mic.textContent = micOn ? w.micOff : w.micOn;
    mic.classList.toggle("call-button--off", !micOn);
  });
  let camOn = true;
  cam.addEventListener("click", () => {
    camOn = !camOn;
    call.setVideo(camOn);
    cam.textContent = camOn ? w.cameraOff : w.cameraOn;
    cam.classList.toggle("call-button--off", !camOn);
  });
  hangUp.addEventListener("click", () => call.hangUp());

  // For diagnostics (and the browser tests): the call in progress.
  window.videoloketCall = call;
  call.start();
  return call;
}
