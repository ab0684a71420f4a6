// One video call over our signaling protocol (docs/signaling.md): join with the room ticket,
// answer every offer the SFU sends (it is always the offerer), trickle our candidates, and put
// our microphone and camera on the first audio and video m-sections (our uplink).
//
// The page gives the words for each state (Dutch or English, from the server's i18n); this
// module only reports which state the call is in.

// Close codes after which joining again cannot help (token refused, room full, taken over,
// the appointment is over); see "Close codes" in docs/signaling.md.
const FINAL_CLOSE_CODES = new Set([1000, 4001, 4002, 4003, 4004, 4005, 4006]);
// A dropped socket keeps our place for 30 s on the server; try again well within that.
const RECONNECT_DELAY_MS = 1500;

export class Call {
  /**
   * @param {object} o
   * @param {{room: string, token: string, signaling_path: string}} o.ticket
   * @param {MediaStream} o.stream our microphone (and camera, when there is one)
   * @param {HTMLVideoElement} o.remoteVideo where the other participant appears
   * @param {(state: string) => void} o.onState "connecting", "connected", "reconnecting",
   *   "other-joined", "other-reconnecting", "other-left" (the call ended when nobody is left),
   *   "ended" or "refused"
   * @param {(media: {audio: boolean, video: boolean}) => void} [o.onRemoteMedia]
   */
  constructor({ ticket, stream, remoteVideo, onState, onRemoteMedia }) {
    this.ticket = ticket;
    this.stream = stream;
    this.remoteVideo = remoteVideo;
    this.onState = onState;
    this.onRemoteMedia = onRemoteMedia || (() => {});
    this.pc = null;
    this.ws = null;
    this.iceServers = [];
    this.leaving = false;
    this.remoteStream = null;
    this.others = new Set();
    /** Called when the browser will not start the remote video by itself (autoplay policy). */
    this.onPlayBlocked = () => {};
  }

  start() {
    this.onState("connecting");
    this.connect();
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
        this.closePeer();
        this.onState(e.code === 4006 || e.code === 1000 ? "ended" : "refused");
        return;
      }
      // Joining again with the same token gives a fresh peer connection (docs/signaling.md).
      this.onState("reconnecting");
      setTimeout(() => !this.leaving && this.connect(), RECONNECT_DELAY_MS);
    };
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  async receive(msg) {
    switch (msg.type) {
      case "joined":
        this.iceServers = (msg.ice_servers || []).map((s) => ({
          urls: s.urls,
          username: s.username || undefined,
          credential: s.credential || undefined,
        }));
        this.others = new Set((msg.participants || []).map((p) => p.id));
        if (this.others.size > 0) this.onState("other-joined");
        this.sendMediaState();
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
        this.onState("other-joined");
        this.onRemoteMedia({ audio: msg.participant.audio, video: msg.participant.video });
        break;
      case "participant_state":
        this.onState(msg.state === "reconnecting" ? "other-reconnecting" : "other-joined");
        break;
      case "participant_left":
        this.others.delete(msg.participant_id);
        if (msg.reason === "left" && this.others.size === 0) {
          // The other hung up for good and nobody is left: end our side too, so the camera
          // and microphone go off instead of staying on for an empty room.
          this.finish("other-left");
        } else {
          this.onState("other-left");
        }
        break;
      case "media_state":
        this.onRemoteMedia({ audio: msg.audio, video: msg.video });
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
      if (this.remoteVideo.srcObject !== stream) {
        this.remoteStream = stream;
        this.remoteVideo.srcObject = stream;
      }
      this.remoteVideo.play().catch((err) => {
        if (err.name === "NotAllowedError") this.onPlayBlocked();
      });
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
    });
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
    if (this.pc) this.pc.close();
    this.pc = null;
  }

  hangUp() {
    this.finish("ended");
  }

  finish(state) {
    this.leaving = true;
    this.send({ type: "leave" });
    if (this.ws) this.ws.close(1000);
    this.closePeer();
    this.stream.getTracks().forEach((t) => t.stop());
    this.onState(state);
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
