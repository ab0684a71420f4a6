// The call screen both the resident and the clerk see: large remote video, small self-view,
// big buttons with words, and the connection state in words. The words come from the page
// (data-* attributes rendered by the server in the visitor's language).
//
// "Ophangen" only leaves the room, after a confirm step; while the conversation lasts (the
// clerk ends it, not a button here) "Opnieuw deelnemen" joins again.

import { Call, openMedia } from "/static/call.js";
import { watchCallQuality } from "/static/call-quality-view.js";
import { watchCallDocuments } from "/static/call-documents.js";

/**
 * Starts the call inside `root` (the markup of web/src/pages/call_view.rs).
 * `onEnded(state)` is called once the call is over for this page: "ended" (the conversation
 * is over), "refused" or "moved" (another device took over).
 * @returns {Call}
 */
export function startCallView(root, { ticket, stream, camera, onEnded, onOtherLeft }) {
  const w = root.dataset;
  const $ = (id) => root.querySelector(`#${id}`);
  const state = $("call-state");
  const remote = $("remote-video");
  const self = $("self-video");
  const mic = $("mic-button");
  const cam = $("camera-button");
  const hangUp = $("hang-up-button");
  const remoteNoVideo = $("remote-no-video");
  const dialog = $("leave-dialog");
  const rejoin = $("rejoin");
  const videos = root.querySelector(".call-videos");
  const controls = root.querySelector(".call-controls");
  const remoteName = $("remote-name");
  const others = $("other-videos");
  // The picture that fills the space: the clerk for the resident and a companion, the
  // resident for the clerk. Everyone else (a companion, an interpreter) gets a smaller tile.
  const mainRole = w.mainRole || "resident";
  let mainId = null;
  let people = new Map();
  const tiles = new Map(); // participant id -> extra <figure>

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
    left: w.left,
    moved: w.moved,
    removed: w.removed,
    ended: w.ended,
    refused: w.refused,
  };
  const FINAL = new Set(["ended", "refused", "moved", "removed"]);

  /** "Anna (gemeente)": a participant's name and role under their picture. */
  function caption(p) {
    const role = p && w[`role${p.role.charAt(0).toUpperCase()}${p.role.slice(1)}`];
    return p ? (role ? `${p.name} (${role})` : p.name) : "";
  }

  function videoFor(id) {
    const p = people.get(id);
    if (id === mainId || (!mainId && (!p || p.role === mainRole))) {
      mainId = id;
      remoteName.textContent = caption(p);
      return remote;
    }
    let tile = tiles.get(id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "call-tile call-tile--other";
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.className = "other-video";
      const name = document.createElement("figcaption");
      name.textContent = caption(p);
      video.setAttribute("aria-label", caption(p) || w.otherPicture || "");
      tile.append(video, name);
      others.append(tile);
      tiles.set(id, tile);
    }
    return tile.querySelector("video");
  }

  function showPeople(now) {
    people = now;
    if (mainId && !people.has(mainId)) mainId = null;
    remoteName.textContent = caption(people.get(mainId) || [...people.values()].find((p) => p.role === mainRole));
    for (const [id, tile] of tiles) {
      if (!people.has(id) || id === mainId) {
        tile.remove();
        tiles.delete(id);
      } else {
        tile.querySelector("figcaption").textContent = caption(people.get(id));
      }
    }
    others.hidden = tiles.size === 0;
    // For the clerk's list of who is in the room (static/participants.js).
    root.dispatchEvent(new CustomEvent("videoloket:participants", { detail: { people, call } }));
  }

  /** The state in a sentence: "U praat nu met Anna van de gemeente". */
  function talkingTo() {
    const main = [...people.values()].find((p) => p.role === mainRole);
    return w.talkingTo && main ? w.talkingTo.replace("{name}", main.name) : w.connected;
  }
  let connected = false;
  let otherHere = false;
  let over = false;
  let micOn = true;
  let camOn = true;

  function showCall(on) {
    videos.hidden = !on;
    controls.hidden = !on;
    mic.disabled = cam.disabled = hangUp.disabled = !on;
  }

  const call = new Call({
    ticket,
    stream,
    remoteVideo: remote,
    videoFor,
    onParticipants: showPeople,
    onState: (s) => {
      if (over) return;
      if (s === "connected") connected = true;
      if (s === "reconnecting" || s === "left") connected = false;
      if (s === "other-joined") otherHere = true;
      if (s === "other-left" || s === "left") otherHere = false;
      // Until the other is there, "connected" alone would suggest someone is listening.
      let text = words[s];
      if ((s === "connected" || s === "other-joined") && !(connected && otherHere)) {
        text = connected ? w.waitingOther : w.connecting;
      } else if (s === "connected" || s === "other-joined") {
        text = talkingTo();
      }
      if (s === "other-left" && !connected) text = w.connecting;
      if (s === "other-left") onOtherLeft && onOtherLeft();
      state.textContent = text;
      state.dataset.state = s;
      if (s === "left") {
        showCall(false);
        rejoin.hidden = false;
        rejoin.querySelector("button").focus();
      } else if (FINAL.has(s)) {
        over = true;
        if (dialog.open) dialog.close();
        // Nothing more to see or press: the state line says the call is over.
        showCall(false);
        rejoin.hidden = true;
        for (const tile of tiles.values()) tile.remove();
        tiles.clear();
        onEnded && onEnded(s);
      }
    },
    onRemoteMedia: (media) => {
      if (!media.participantId || media.participantId === mainId) {
        remoteNoVideo.hidden = media.video !== false || media.weakNetwork;
      }
      quality.remoteMedia(media);
      documents.remoteMedia(media);
    },
  });
  // Photos of documents and the clerk's shared screen (issue 22).
  const documents = watchCallDocuments(root, call, { camera: () => call.stream.getVideoTracks()[0] });
  // Weak networks and the 20-second phone fallback (issue 15 item 5).
  const quality = watchCallQuality(root, call, { setCamera: (on) => on !== camOn && cam.click(), camera: () => camOn && camera });

  // Some browsers only start sound after a click on this page; then the page asks for one.
  const play = $("play-button");
  call.onPlayBlocked = () => {
    play.hidden = false;
  };
  play.addEventListener("click", () => {
    remote.play().then(() => (play.hidden = true), () => {});
  });

  mic.addEventListener("click", () => {
    micOn = !micOn;
    call.setAudio(micOn);
    mic.textContent = micOn ? w.micOff : w.micOn;
    mic.classList.toggle("call-button--off", !micOn);
  });
  cam.addEventListener("click", () => {
    camOn = !camOn;
    call.setVideo(camOn);
    cam.textContent = camOn ? w.cameraOff : w.cameraOn;
    cam.classList.toggle("call-button--off", !camOn);
  });

  // Hanging up asks first (the button sits next to the microphone button); "No" is the
  // default, so Escape or Enter keeps the call.
  hangUp.addEventListener("click", () => {
    dialog.showModal();
    $("cancel-leave").focus();
  });
  $("cancel-leave").addEventListener("click", () => {
    dialog.close();
    hangUp.focus();
  });
  $("confirm-leave").addEventListener("click", () => {
    dialog.close();
    call.leave();
  });

  rejoin.querySelector("button").addEventListener("click", async () => {
    const button = rejoin.querySelector("button");
    button.disabled = true;
    let media;
    try {
      media = await openMedia();
    } catch {
      state.textContent = w.refused;
      button.disabled = false;
      return;
    }
    button.disabled = false;
    if (over) {
      media.stream.getTracks().forEach((t) => t.stop());
      return;
    }
    rejoin.hidden = true;
    self.srcObject = media.stream;
    // The buttons start again from "on", as the new tracks do.
    micOn = camOn = true;
    mic.textContent = w.micOff;
    cam.textContent = w.cameraOff;
    mic.classList.remove("call-button--off");
    cam.classList.remove("call-button--off");
    showCall(true);
    call.start(media.stream);
    root.querySelector("h2").focus();
  });

  // For diagnostics (and the browser tests): the call in progress.
  window.videoloketCall = call;
  call.start();
  return call;
}
