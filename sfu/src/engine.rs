//! Codec and interceptor set-up shared by every SFU peer connection.

use rtc::interceptor::{
    Attribute, Interceptor, NackGeneratorBuilder, NackResponderBuilder, Packet, Registry, Slot,
    StreamInfo, TaggedPacket,
};
use rtc::peer_connection::configuration::interceptor_registry::{
    configure_rtcp_reports, configure_simulcast_extension_headers, configure_twcc_receiver_only,
};
use rtc::peer_connection::configuration::media_engine::{
    MediaEngine, MIME_TYPE_H264, MIME_TYPE_OPUS, MIME_TYPE_RTX, MIME_TYPE_VP8,
};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind,
};
use rtc::sansio::Protocol;
use rtc::shared::error::Error;
use std::collections::VecDeque;
use std::time::Instant;

/// Builds the media engine and interceptor chain for one peer connection.
///
/// Codecs are deliberately few: the SFU forwards RTP without transcoding, so every
/// participant must be able to decode what every other one sends. VP8 comes first because
/// every browser has it; H.264 (constrained baseline, packetization-mode 1) is offered for
/// clients that prefer it. Opus is the only audio codec.
///
/// `Some(n)` keeps only `n` sent packets per outgoing stream for retransmission instead of
/// the crate's 1,024. The NACK buffer is most of a peer connection's memory (1,024 video
/// packets are about 1.3 MB per subscriber), and a retransmission older than a few round
/// trips comes too late to be played anyway.
pub(crate) fn media_setup_with(
    nack_send_buffer: Option<u16>,
) -> Result<(MediaEngine, Registry), Error> {
    let mut engine = MediaEngine::default();
    // nack, nack pli and transport-cc are added with the interceptors below.
    let video_feedback = vec![feedback("goog-remb", ""), feedback("ccm", "fir")];
    let video = |mime: &str, fmtp: &str, pt: u8| RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: mime.to_owned(),
            clock_rate: 90_000,
            channels: 0,
            sdp_fmtp_line: fmtp.to_owned(),
            rtcp_feedback: video_feedback.clone(),
        },
        payload_type: pt,
    };
    let rtx = |pt: u8, apt: u8| RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_RTX.to_owned(),
            clock_rate: 90_000,
            channels: 0,
            sdp_fmtp_line: format!("apt={apt}"),
            rtcp_feedback: vec![],
        },
        payload_type: pt,
    };
    for codec in [
        video(MIME_TYPE_VP8, "", 96),
        rtx(97, 96),
        video(
            MIME_TYPE_H264,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            102,
        ),
        rtx(103, 102),
    ] {
        engine.register_codec(codec, RtpCodecKind::Video)?;
    }
    engine.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: MIME_TYPE_OPUS.to_owned(),
                clock_rate: 48_000,
                channels: 2,
                sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                rtcp_feedback: vec![],
            },
            payload_type: 111,
        },
        RtpCodecKind::Audio,
    )?;

    // NACK generator/responder, receiver/sender reports and transport-wide CC feedback
    // towards publishers: what the crate offers without decoding media, as
    // `register_default_interceptors` sets it up, but with two settings of our own: the
    // responder's buffer size (memory per call), and a cap on how often one lost packet is
    // asked for again. Uncapped, a publisher whose uplink narrows is asked every 100 ms for
    // every packet the link dropped, and spends its uplink on retransmissions instead of new
    // video (docs/benchmarks.md, "a sender whose uplink narrows").
    engine.register_feedback(feedback("nack", ""), RtpCodecKind::Video);
    engine.register_feedback(feedback("nack", "pli"), RtpCodecKind::Video);
    let responder = match nack_send_buffer {
        Some(size) => NackResponderBuilder::new().with_size(size),
        None => NackResponderBuilder::new(),
    };
    let registry = Registry::new()
        .with(Slot::NackResponder, responder.build())
        .with(
            Slot::NackGenerator,
            NackGeneratorBuilder::new()
                .with_max_nacks_per_packet(MAX_NACKS_PER_PACKET)
                .build(),
        );
    configure_simulcast_extension_headers(&mut engine)?;
    let registry = configure_twcc_receiver_only(registry, &mut engine)?;
    let registry = configure_rtcp_reports(registry);
    // Application-most, so the interceptors above have seen all inbound RTCP first.
    let registry = registry.with(Slot::from(14_000), KeyframeRequestTap::default());
    Ok((engine, registry))
}

/// How often the SFU asks a publisher for one lost packet at most (every 100 ms): enough to
/// recover from a burst of loss, not so often that a narrow uplink carries nothing but
/// retransmissions.
const MAX_NACKS_PER_PACKET: u16 = 3;

fn feedback(typ: &str, parameter: &str) -> RTCPFeedback {
    RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    }
}

/// Hands inbound keyframe requests (PLI, FIR) to the application and lets the rest of the
/// inbound RTCP end in the interceptor chain.
///
/// Inbound RTCP is only delivered to a track's `poll()` when an interceptor marks it with
/// [`Attribute::DeliverToApplication`]; a subscriber's keyframe request must reach the
/// publisher, and only the SFU's forwarding code can relay it. Modelled on the crate's
/// `rtcp-processing` example.
#[derive(Default)]
pub(crate) struct KeyframeRequestTap {
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

fn is_keyframe_request(packet: &dyn rtc::rtcp::Packet) -> bool {
    let any = packet.as_any();
    any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>()
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for KeyframeRequestTap {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            let requests: Vec<Box<dyn rtc::rtcp::Packet>> = packets
                .iter()
                .filter(|p| is_keyframe_request(p.as_ref()))
                .cloned()
                .collect();
            if requests.is_empty() {
                return Ok(());
            }
            msg.message.packet = Packet::Rtcp(requests);
            msg.message.add(Attribute::DeliverToApplication);
        }
        self.read_queue.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read_queue.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write_queue.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write_queue.pop_front()
    }
}

impl Interceptor for KeyframeRequestTap {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
