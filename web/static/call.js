// One video call over our signaling protocol (docs/signaling.md): join with the room ticket,
// answer every offer the SFU sends (it is always the offerer), trickle our candidates, and put
// our microphone and camera on the first audio and video m-sections (our uplink).
//
// The page gives the words for each state (Dutch or English, from the server's i18n); this
// module only reports which state the call is in.

// Close codes after which joining again cannot help (token refused, room full, taken over,
// the appointment is over); see "Close codes" in docs/signaling.md.
const FINAL_CLOSE_CODES = new Set([1000, 4001, 4002, 4003, 4004, 4005, 4006, 4008]);
// Another socket with our token took over the call (another device or tab).
const REPLACED = 4005;
// The clerk took us out of the call (a companion or interpreter).
const REMOVED = 4008;
// A dropped socket keeps our place for 30 s on the server; try again well within that.
const RECONNECT_DELAY_MS = 1500;
// 1012: the server asks us to join again at once (it is stopping, or the call's media server
// was lost and the call moves to another). Soon, with jitter, so that the people of a whole
// media server do not all come back in the same millisecond.
const SERVICE_RESTART = 1012;
const RESTART_DELAY_MS = 200;
const RESTART_JITTER_MS = 400;
// A peer connection "disconnected" this long gets an ICE restart; "failed" gets one at once.
const DISCONNECTED_RESTART_MS = 2000;
// Network events come in bursts (Wi-Fi off, mobile on): one restart per this interval.
const RESTART_ICE_MIN_INTERVAL_MS = 1000;

/** The server's ICE servers as `RTCPeerConnection` takes them. */
function toRtcIceServers(servers) {
  return (servers || []).map((s) => ({
    urls: s.urls,
    username: s.username || undefined,
    credential: s.credential || undefined,
  }));
}

export class Call {
  /**
   * @param {object} o
   * @param {{room: string, token: string, signaling_path: string}} o.ticket
   * @param {MediaStream} o.stream our microphone (and camera, when there is one)
   * @param {HTMLVideoElement} o.remoteVideo where the other participant appears
   * @param {(state: string) => void} o.onState "connecting", "connected", "reconnecting",
   *   "other-joined", "other-reconnecting", "other-left" (the other may come back), "left"
   *   (we left; `start()` joins again), "moved" (another device took over), "removed" (the
   *   clerk took us out), "ended" or "refused"
   * @param {(media: {audio: boolean, video: boolean}) => void} [o.onRemoteMedia]
   * @param {(people: Map<string, {id: string, name: string, role: string, state: string,
   *   audio: boolean, video: boolean}>) => void} [o.onParticipants] everyone else in the room,
   *   after every change (names and roles for the captions)
   * @param {(participantId: string) => HTMLVideoElement} [o.videoFor] where a participant's
   *   picture goes (with companions there is more than one); `remoteVideo` without it
   */
  constructor({ ticket, stream, remoteVideo, onState, onRemoteMedia, onParticipants, videoFor }) {
    this.ticket = ticket;
    this.stream = stream;
    this.remoteVideo = remoteVideo;
    this.onState = onState;
    this.onRemoteMedia = onRemoteMedia || (() => {});
    /** Our camera is off because the network is too weak (call-quality-view.js sets it). */
    this.weakNetwork = false;
    /** The clerk shows their screen on the video track (call-documents.js sets it). */
    this.screen = false;
    /** Our role in the room, from `joined`. */
    this.role = null;
    /** Photo requests, answers and stills in the room (call-documents.js sets it). */
    this.onPhoto = () => {};
    this.onParticipants = onParticipants || (() => {});
    this.videoFor = videoFor || (() => this.remoteVideo);
    /** Everyone else in the room, by participant id. */
    this.people = new Map();
    this.pc = null;
    this.ws = null;
    this.iceServers = [];
    this.leaving = false;
    this.remoteStream = null;
    this.others = new Set();
    /** How many ICE restarts this page asked for (diagnostics and tests). */
    this.iceRestarts = 0;
    this.lastIceRestart = 0;
    this.disconnectedTimer = 0;
    this.network = null; // AbortController of the network-change listeners
    /** Called when the browser will not start the remote video by itself (autoplay policy). */
    this.onPlayBlocked = () => {};
  }

  /** Joins (again, after `leave()`: then with a fresh `stream`). */
  start(stream) {
    if (stream) this.stream = stream;
    this.leaving = false;
    this.onState("connecting");
    this.watchNetwork();
    this.connect();
  }

  // A new network (Wi-Fi to mobile, a VPN, waking up) breaks the ICE path long before the
  // socket notices: ask the server for an offer with fresh ICE credentials.
  watchNetwork() {
    this.network?.abort();
    this.network = new AbortController();
    const signal = this.network.signal;
    window.addEventListener("online", () => this.restartIce("online"), { signal });
    navigator.connection?.addEventListener("change", () => this.restartIce("connection-change"), { signal });
  }

  restartIce(why) {
    if (this.leaving || !this.pc) return false;
    const now = Date.now();
    if (now - this.lastIceRestart < RESTART_ICE_MIN_INTERVAL_MS) return false;
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false; // rejoining gives a fresh connection anyway
    this.lastIceRestart = now;
    this.iceRestarts += 1;
    console.info("asking for an ICE restart:", why);
    this.send({ type: "restart_ice" });
    return true;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.ticket.signaling_path}`);
    this.ws = ws;
    ws.onopen = () => this.send({ type: "join", room: this.ticket.room, token: this.ticket.token });
    ws.onmessage = (e) => this.receive(JSON.parse(e.data)).catch((err) => console.error(err));
    ws.onclose = (e) => {
      if (this.ws !== ws || this.leaving) return;
      if (FINAL_CLOSE_CODES.has(e.code)) {
        const state = e.code === REPLACED
          ? "moved"
          : e.code === REMOVED
            ? "removed"
            : e.code === 4006 || e.code === 1000 ? "ended" : "refused";
        this.finish(state);
        return;
      }
      // Joining again with the same token gives a fresh peer connection (docs/signaling.md).
      this.onState("reconnecting");
      const delay = e.code === SERVICE_RESTART
        ? RESTART_DELAY_MS + Math.random() * RESTART_JITTER_MS
        : RECONNECT_DELAY_MS;
      setTimeout(() => !this.leaving && this.connect(), delay);
    };
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  async receive(msg) {
    switch (msg.type) {
      case "joined":
        this.iceServers = toRtcIceServers(msg.ice_servers);
        this.role = msg.role;
        this.others = new Set((msg.participants || []).map((p) => p.id));
        this.people = new Map((msg.participants || []).map((p) => [p.id, { ...p }]));
        this.onParticipants(this.people);
        if (this.others.size > 0) this.onState("other-joined");
        this.sendMediaState();
        break;
      case "ice_servers":
        // Fresh TURN credentials for the ICE restart whose offer comes next.
        this.iceServers = toRtcIceServers(msg.ice_servers);
        if (this.pc) this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: this.iceServers });
        break;
      case "offer":
        await this.answer(msg.sdp);
        break;
      case "connection_state":
        if (msg.state === "connected") this.onState("connected");
        else this.onState("reconnecting");
        break;
      case "participant_joined":
        this.others.add(msg.participant.id);
        this.people.set(msg.participant.id, { ...msg.participant });
        this.onParticipants(this.people);
        this.onState("other-joined");
        this.onRemoteMedia({ audio: msg.participant.audio, video: msg.participant.video });
        break;
      case "participant_state":
        if (this.people.has(msg.participant_id)) {
          this.people.get(msg.participant_id).state = msg.state;
          this.onParticipants(this.people);
        }
        this.onState(msg.state === "reconnecting" ? "other-reconnecting" : "other-joined");
        break;
      case "participant_left":
        // Leaving the room is not the end of the conversation: the other may come back
        // (only the clerk ends it, and the page learns that from the queue).
        this.others.delete(msg.participant_id);
        this.people.delete(msg.participant_id);
        this.onParticipants(this.people);
        // A companion leaving does not make the conversation's other side gone.
        this.onState(this.others.size > 0 ? "other-joined" : "other-left");
        break;
      case "replaced":
        // The close (4005) follows; say where the call went, do not join again.
        this.finish("moved");
        break;
      case "removed":
        // The clerk took us out (close 4008 follows): the link admits no more.
        this.finish("removed");
        break;
      case "media_state":
        if (this.people.has(msg.participant_id)) {
          Object.assign(this.people.get(msg.participant_id), { audio: msg.audio, video: msg.video });
          this.onParticipants(this.people);
        }
        this.onRemoteMedia({
          audio: msg.audio,
          video: msg.video,
          weakNetwork: !!msg.weak_network,
          screen: !!msg.screen,
          participantId: msg.participant_id,
        });
        break;
      case "photo_requested":
      case "photo_answered":
      case "photo_taken":
        this.onPhoto(msg);
        break;
      case "error":
        console.warn("signaling error", msg.code, msg.message);
        break;
      default:
        break;
    }
  }

  newPeer() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    pc.onicecandidate = (e) => {
      if (e.candidate) this.send({ type: "candidate", ...e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      // Each other participant's audio and video share one stream (msid = their id).
      const stream = e.streams[0] || new MediaStream([e.track]);
      const video = this.videoFor(stream.id);
      // The server replaces a participant's video track when their codec turns out to be
      // another one (an H.264-only iPad): the stream keeps only the newest video track, and
      // the element loads again, or it would keep showing the old, silent one.
      let replaced = false;
      if (e.track.kind === "video") {
        for (const old of stream.getVideoTracks()) {
          if (old !== e.track) {
            stream.removeTrack(old);
            replaced = true;
          }
        }
      }
      if (video.srcObject !== stream || replaced) {
        if (video === this.remoteVideo) this.remoteStream = stream;
        video.srcObject = stream;
      }
      video.play().catch((err) => {
        if (err.name === "NotAllowedError") this.onPlayBlocked();
      });
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      clearTimeout(this.disconnectedTimer);
      if (pc.connectionState === "failed") this.restartIce("failed");
      else if (pc.connectionState === "disconnected") {
        this.disconnectedTimer = setTimeout(() => {
          if (this.pc === pc && pc.connectionState === "disconnected") this.restartIce("disconnected");
        }, DISCONNECTED_RESTART_MS);
      }
    };
    pc.attached = false;
    return pc;
  }

  async answer(sdp) {
    // After a reconnect the server offers a fresh connection: the first offer on a new socket
    // always starts a new peer connection.
    if (!this.pc || this.pc.socket !== this.ws) {
      this.closePeer();
      this.pc = this.newPeer();
      this.pc.socket = this.ws;
    }
    const pc = this.pc;
    await pc.setRemoteDescription({ type: "offer", sdp });
    if (!pc.attached) {
      // addTrack takes the first unused transceiver of the kind: our uplink m-sections.
      for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
      pc.attached = true;
    }
    await pc.setLocalDescription(await pc.createAnswer());
    this.send({ type: "answer", sdp: pc.localDescription.sdp });
  }

  setAudio(on) {
    this.stream.getAudioTracks().forEach((t) => (t.enabled = on));
    this.sendMediaState();
  }

  setVideo(on) {
    this.stream.getVideoTracks().forEach((t) => (t.enabled = on));
    this.sendMediaState();
  }

  sendMediaState() {
    const on = (tracks) => tracks.some((t) => t.enabled && t.readyState === "live");
    this.send({
      type: "media_state",
      audio: on(this.stream.getAudioTracks()),
      video: on(this.stream.getVideoTracks()),
      weak_network: this.weakNetwork,
      screen: this.screen,
    });
  }

  /** Puts `track` on our video uplink in place of the camera (or the camera back, with the
   * camera's track): the SFU forwards whatever the one video track carries, no renegotiation. */
  async replaceVideo(track) {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === "video");
    if (sender) await sender.replaceTrack(track);
  }

  /** Clerks: ask the resident for one photo of a document (issue 22). */
  requestPhoto() {
    this.send({ type: "photo_request" });
  }

  /** Residents: the answer to the clerk's request. */
  answerPhoto(accepted) {
    this.send({ type: "photo_answer", accepted });
  }

  /** Clerks: the allowed photo was taken. */
  photoTaken() {
    this.send({ type: "photo_taken" });
  }

  /** Bytes received so far over all incoming RTP streams (for "is anything arriving?"). */
  async bytesReceived() {
    if (!this.pc) return 0;
    let total = 0;
    (await this.pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp") total += r.bytesReceived || 0;
    });
    return total;
  }

  closePeer() {
    clearTimeout(this.disconnectedTimer);
    if (this.pc) this.pc.close();
    this.pc = null;
  }

  /** The clerk takes `participantId` out of the room (the server refuses anyone else). */
  remove(participantId) {
    this.send({ type: "remove", participant_id: participantId });
  }

  /** Leaves the room (camera and microphone off); `start(stream)` joins again. */
  leave() {
    this.finish("left");
  }

  /** The conversation is over (the clerk ended it, or the clerk ends it here). */
  end() {
    this.finish("ended");
  }

  finish(state) {
    const wasLeaving = this.leaving;
    this.leaving = true;
    this.network?.abort();
    // A socket that was taken over (or taken out) is no longer ours to leave with.
    if (state !== "moved" && state !== "removed") this.send({ type: "leave" });
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    this.closePeer();
    this.stream.getTracks().forEach((t) => t.stop());
    // After leaving, only the end of the conversation is still news.
    if (!wasLeaving || state === "ended") this.onState(state);
  }
}

/** Our microphone and camera; audio only when there is no camera (or it is refused). */
export async function openMedia() {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true, video: true }), camera: true };
  } catch (err) {
    if (err.name !== "NotFoundError" && err.name !== "OverconstrainedError" && err.name !== "NotReadableError") {
      throw err;
    }
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true }), camera: false };
  }
}
