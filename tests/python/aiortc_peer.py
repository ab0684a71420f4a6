#!/usr/bin/env python3
"""An independent WebRTC peer (aiortc) for Videoloket's signalling protocol.

Two modes:

  aiortc_peer.py write-ivf PATH [--frames N]
      Encodes a generated test pattern to VP8 and writes it as IVF, so the Rust test
      peer has real VP8 to send (which this peer then has to decode).

  aiortc_peer.py join --url ws://127.0.0.1:PORT/ws --room ROOM --token TOKEN
      Joins the room like a browser: answers the SFU's offers, publishes a generated
      video and audio track, decodes what it receives. Prints one JSON line with what
      it decoded and exits 0 once at least --min-frames video and audio frames were
      decoded, 1 otherwise (after --timeout seconds).

Traffic stays on loopback: host candidates are restricted to 127.0.0.1 and no STUN
server is used. With --relay the peer uses only the TURN server from `joined` (relay
candidates, as a browser with iceTransportPolicy "relay"), trusting --turn-ca for turns:, and
reports the types of its selected local candidates.
"""

import argparse
import asyncio
import fractions
import json
import math
import ssl
import sys
import time

import aioice.ice
import av
import websockets
import aiortc.rtcicetransport
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcicetransport import RTCIceGatherer
from aiortc.sdp import candidate_from_sdp

WIDTH, HEIGHT = 320, 240

# Loopback only: no interface addresses, no default Google STUN server.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
RTCIceGatherer.getDefaultIceServers = classmethod(lambda cls: [])


def trust_turn_ca(cafile: str) -> None:
    """turns: with a test certificate: aioice's default TLS context would refuse it."""
    context = ssl.create_default_context(cafile=cafile)
    original = aiortc.rtcicetransport.connection_kwargs

    def with_context(servers):
        kwargs = original(servers)
        if kwargs.get("turn_ssl") is True:
            kwargs["turn_ssl"] = context
        return kwargs

    aiortc.rtcicetransport.connection_kwargs = with_context


async def add_bundled_candidates(pc: RTCPeerConnection, offer_sdp: str) -> None:
    """The server's candidates, to the bundled transport.

    With max-bundle, aiortc keeps the candidates of the last m-section for the shared
    transport, and the server lists its candidates in the first one. Without a relay this
    goes unnoticed (the server's checks arrive and make a peer-reflexive candidate), but a
    relay only lets in what its permissions allow, and those follow remote candidates.
    """
    transports = {t.receiver.transport.transport for t in pc.getTransceivers()}
    for line in offer_sdp.splitlines():
        if line.startswith("a=candidate:"):
            candidate = candidate_from_sdp(line[len("a=candidate:"):])
            for transport in transports:
                await transport.addRemoteCandidate(candidate)


def selected_local_candidate_types(pc: RTCPeerConnection) -> list:
    """The type of the local candidate of each nominated pair (aioice keeps them)."""
    types = set()
    for transceiver in pc.getTransceivers():
        ice = transceiver.receiver.transport.transport
        for pair in ice._connection._nominated.values():
            types.add(pair.local_candidate.type)
    return sorted(types)


def pattern_frame(index: int) -> av.VideoFrame:
    """A moving grey ramp, so consecutive frames differ."""
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    luma = frame.planes[0]
    row = bytes((x + index * 4) % 256 for x in range(luma.line_size))
    luma.update(row * HEIGHT)
    for plane in frame.planes[1:]:
        plane.update(bytes([128]) * plane.buffer_size)
    return frame


class PatternVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._index = 0
        self._start = None

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        self._index += 1
        target = self._start + self._index / 30
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        frame = pattern_frame(self._index)
        frame.pts = self._index * 3000
        frame.time_base = fractions.Fraction(1, 90000)
        return frame


class ToneAudioTrack(MediaStreamTrack):
    """A 440 Hz tone in 20 ms frames."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._samples = 0
        self._start = None

    async def recv(self) -> av.AudioFrame:
        rate, count = 48000, 960
        if self._start is None:
            self._start = time.monotonic()
        target = self._start + self._samples / rate
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        pcm = bytearray()
        for i in range(count):
            value = int(8000 * math.sin(2 * math.pi * 440 * (self._samples + i) / rate))
            pcm += value.to_bytes(2, "little", signed=True)
        frame = av.AudioFrame(format="s16", layout="mono", samples=count)
        frame.planes[0].update(bytes(pcm))
        frame.sample_rate = rate
        frame.pts = self._samples
        frame.time_base = fractions.Fraction(1, rate)
        self._samples += count
        return frame


def write_ivf(path: str, frames: int) -> None:
    container = av.open(path, "w", format="ivf")
    stream = container.add_stream("libvpx", rate=30)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    # Frequent keyframes: a receiver may join at any point of the looped clip.
    stream.codec_context.gop_size = 10
    stream.codec_context.bit_rate = 300_000
    for index in range(frames):
        frame = pattern_frame(index)
        frame.pts = index
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


async def join(args: argparse.Namespace) -> int:
    stats = {"video_frames": 0, "audio_frames": 0, "width": 0, "height": 0, "offers": 0}
    done = asyncio.Event()

    def check_done() -> None:
        if stats["video_frames"] >= args.min_frames and stats["audio_frames"] >= args.min_frames:
            done.set()

    async def consume(track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                stats["video_frames"] += 1
                stats["width"], stats["height"] = frame.width, frame.height
            else:
                stats["audio_frames"] += 1
            check_done()

    # max-bundle: with aiortc's default ("balanced"), a second video m-section in one
    # offer (our uplink plus another participant's video) is bound to a transport that
    # bundling then discards, and that track never receives anything.
    consumers = []
    pc = None

    async with websockets.connect(args.url, max_size=2**20) as ws:
        await ws.send(json.dumps({"type": "join", "room": args.room, "token": args.token}))
        joined = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if joined.get("type") != "joined":
            print(json.dumps({"error": joined}), flush=True)
            return 1
        if args.relay:
            servers = [
                RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
                for s in joined.get("ice_servers", [])
            ]
            config = RTCConfiguration(
                iceServers=servers,
                iceTransportPolicy=RTCIceTransportPolicy.RELAY,
                bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
            )
        else:
            config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        pc = RTCPeerConnection(config)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            consumers.append(asyncio.ensure_future(consume(track)))

        async def signalling() -> None:
            first = True
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") != "offer":
                    continue
                stats["offers"] += 1
                await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                if first:
                    # The first audio and video m-sections are this participant's uplink.
                    pc.addTrack(ToneAudioTrack())
                    pc.addTrack(PatternVideoTrack())
                    first = False
                await pc.setLocalDescription(await pc.createAnswer())
                await add_bundled_candidates(pc, message["sdp"])
                # aiortc gathers before returning: the answer carries the candidates.
                await ws.send(json.dumps({"type": "answer", "sdp": pc.localDescription.sdp}))

        reader = asyncio.ensure_future(signalling())
        try:
            await asyncio.wait_for(done.wait(), args.timeout)
            ok = True
        except asyncio.TimeoutError:
            ok = False
        # Keep publishing a little longer so the other side can count our media too.
        await asyncio.sleep(args.linger)
        if args.relay:
            stats["selected_local_candidate_types"] = selected_local_candidate_types(pc)
        print(json.dumps(stats), flush=True)
        try:
            await ws.send(json.dumps({"type": "leave"}))
        except websockets.ConnectionClosed:
            pass
        reader.cancel()
    for consumer in consumers:
        consumer.cancel()
    await pc.close()
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ivf = sub.add_parser("write-ivf")
    ivf.add_argument("path")
    ivf.add_argument("--frames", type=int, default=60)
    peer = sub.add_parser("join")
    peer.add_argument("--url", required=True)
    peer.add_argument("--room", required=True)
    peer.add_argument("--token", required=True)
    peer.add_argument("--min-frames", type=int, default=20)
    peer.add_argument("--timeout", type=float, default=40)
    peer.add_argument("--linger", type=float, default=2)
    peer.add_argument("--relay", action="store_true", help="only relay candidates, through the TURN server from joined")
    peer.add_argument("--turn-ca", help="CA certificate (PEM) to trust for turns:")
    parser.add_argument("--verbose", action="store_true", help="aiortc debug logging to stderr")
    args = parser.parse_args()
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)

    if args.command == "join" and args.turn_ca:
        trust_turn_ca(args.turn_ca)
    if args.command == "write-ivf":
        write_ivf(args.path, args.frames)
        return 0
    return asyncio.run(join(args))


if __name__ == "__main__":
    sys.exit(main())
