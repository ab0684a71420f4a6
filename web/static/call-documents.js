// Documents in the call (issue 22 items 2 and 3), on both sides of the call screen
// (markup `documents_in_call` in web/src/pages/call_view.rs).
//
// A photo of a document: the clerk asks ("photo_request"); the resident sees "De medewerker
// wil een foto maken van uw document" and says yes or no ("photo_answer"); after a yes the
// clerk takes ONE still of the resident's incoming video at its full resolution (a canvas
// drawn from the <video>; nothing is recorded), uploads it to the server, which checks,
// re-encodes and seals it like the resident's own uploads and logs it, and says so
// ("photo_taken"). The signalling server holds the yes (signaling/src/photo.rs): each photo
// needs a new one.
//
// Sharing the screen: the clerk's video track is replaced (RTCRtpSender.replaceTrack, so the
// SFU forwards it as it forwards the camera, no renegotiation) by a canvas with the screen
// large and the clerk's face small in a corner. media_state carries `screen`, so the
// resident's page says "De medewerker laat het scherm zien".

// The clerk's face in the shared picture: this share of the width, bottom right.
const FACE_SHARE = 0.2;
const SHARE_FPS = 15;

/**
 * @param {HTMLElement} root the call screen (#gesprek)
 * @param {import("/static/call.js").Call} call
 * @param {{camera: () => MediaStreamTrack | undefined}} o the clerk's camera track now
 * @returns {{remoteMedia: (media: object) => void}}
 */
export function watchCallDocuments(root, call, { camera }) {
  const clerkPanel = root.querySelector("#call-documents");
  return clerkPanel ? clerkSide(root, clerkPanel, call, camera) : residentSide(root, call);
}

function residentSide(root, call) {
  const prompt = root.querySelector("#photo-prompt");
  const state = root.querySelector("#photo-state");
  const screenShared = root.querySelector("#screen-shared");
  const words = state.dataset;
  const answer = (accepted) => {
    call.answerPhoto(accepted);
    prompt.hidden = true;
    state.textContent = accepted ? words.allowed : words.denied;
  };
  root.querySelector("#photo-allow").addEventListener("click", () => answer(true));
  root.querySelector("#photo-deny").addEventListener("click", () => answer(false));
  call.onPhoto = (msg) => {
    // Only the resident answers (a companion's page shows nothing).
    if (call.role !== "resident") return;
    if (msg.type === "photo_requested") {
      state.textContent = "";
      prompt.hidden = false;
      prompt.querySelector("h3").focus();
    } else if (msg.type === "photo_taken") {
      state.textContent = words.taken;
    }
  };
  return {
    remoteMedia(media) {
      // Only the clerk shares; their picture is the large one on this page.
      if (media.participantId && call.people.get(media.participantId)?.role !== "clerk") return;
      screenShared.hidden = !media.screen;
      root.classList.toggle("call--screen", !!media.screen);
    },
  };
}

function clerkSide(root, panel, call, camera) {
  const words = panel.dataset;
  const ask = panel.querySelector("#photo-ask");
  const take = panel.querySelector("#photo-take");
  const share = panel.querySelector("#screen-share");
  const state = panel.querySelector("#photo-state");
  const remote = root.querySelector("#remote-video");
  const appointment = document.getElementById("clerk-call")?.dataset.appointment;
  // A walk-in has no appointment to keep a photo with.
  if (!appointment) ask.parentElement.hidden = true;

  ask.addEventListener("click", () => {
    take.hidden = true;
    call.requestPhoto();
    state.textContent = words.asked;
  });
  call.onPhoto = (msg) => {
    if (msg.type !== "photo_answered") return;
    take.hidden = !msg.accepted;
    state.textContent = msg.accepted ? words.allowed : words.denied;
    if (msg.accepted) take.focus();
  };
  take.addEventListener("click", async () => {
    take.hidden = true;
    const blob = await still(remote);
    if (!blob) {
      state.textContent = words.failed;
      return;
    }
    let resp;
    try {
      resp = await fetch(`/medewerker/afspraken/${appointment}/foto`, {
        method: "POST",
        headers: { "Content-Type": blob.type, Accept: "application/json" },
        body: blob,
      });
    } catch {
      resp = null;
    }
    if (!resp || resp.status !== 201) {
      state.textContent = words.failed;
      return;
    }
    const taken = await resp.json();
    call.photoTaken();
    state.textContent = words.taken.replace("{label}", taken.label);
    // For the browser tests: what was kept.
    window.videoloketLastPhoto = { ...taken, width: blob.width, height: blob.height };
    ask.focus();
  });

  let sharing = null;
  share.addEventListener("click", async () => {
    if (sharing) {
      sharing.stop();
      return;
    }
    try {
      sharing = await shareScreen(call, camera, () => {
        sharing = null;
        share.textContent = words.shareStart;
        state.textContent = "";
      });
    } catch (err) {
      console.warn("screen sharing", err);
      state.textContent = words.shareFailed;
      return;
    }
    share.textContent = words.shareStop;
    state.textContent = words.sharing;
  });
  return { remoteMedia() {} };
}

/** One full-resolution still of the video as it arrives (JPEG), or null without a picture. */
async function still(video) {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (!width || !height) return null;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(video, 0, 0, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
  if (blob) Object.assign(blob, { width, height });
  return blob;
}

/** Starts sharing: the screen large, the clerk's face small, on the call's video track. */
async function shareScreen(call, camera, onStopped) {
  const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const screenTrack = display.getVideoTracks()[0];
  const screenVideo = playing(display);
  const faceTrack = camera();
  const faceVideo = faceTrack ? playing(new MediaStream([faceTrack])) : null;
  const settings = screenTrack.getSettings();
  const canvas = document.createElement("canvas");
  canvas.width = Math.min(settings.width || 1280, 1920);
  canvas.height = Math.min(settings.height || 720, 1080);
  const g = canvas.getContext("2d");
  const draw = () => {
    g.drawImage(screenVideo, 0, 0, canvas.width, canvas.height);
    if (faceVideo && faceVideo.videoWidth) {
      const w = Math.round(canvas.width * FACE_SHARE);
      const h = Math.round((w * faceVideo.videoHeight) / faceVideo.videoWidth);
      const margin = Math.round(canvas.width * 0.02);
      g.drawImage(faceVideo, canvas.width - w - margin, canvas.height - h - margin, w, h);
    }
  };
  // A timer, not requestAnimationFrame: the clerk may look at another window meanwhile.
  const timer = setInterval(draw, 1000 / SHARE_FPS);
  const shared = canvas.captureStream(SHARE_FPS).getVideoTracks()[0];
  await call.replaceVideo(shared);
  call.screen = true;
  call.sendMediaState();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    shared.stop();
    display.getTracks().forEach((t) => t.stop());
    if (faceTrack && faceTrack.readyState === "live") await call.replaceVideo(faceTrack);
    call.screen = false;
    call.sendMediaState();
    onStopped();
  };
  // The browser's own "Stop sharing" ends the screen track.
  screenTrack.addEventListener("ended", stop);
  return { stop };
}

function playing(stream) {
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  video.play().catch(() => {});
  return video;
}
