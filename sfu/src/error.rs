//! The SFU's error type.

/// Everything that can go wrong in the SFU.
#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    /// The room already holds `max` participants.
    #[error("room is full ({max} participants)")]
    RoomFull {
        /// The configured limit.
        max: usize,
    },
    /// This node is shutting down and starts no new call; another node (or this one after
    /// its restart) will.
    #[error("this media server is shutting down")]
    Draining,
    /// The participant's peer connection was replaced or closed.
    #[error("peer connection is closed")]
    Closed,
    /// The client sent an SDP or candidate we cannot use.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was invalid ("answer", "candidate").
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// This instance hosts no calls ([`crate::Sfu::without_media`], an `--role api`
    /// instance): its calls run on the media nodes.
    #[error("this instance hosts no calls")]
    NoMedia,
    /// A media socket could not be bound.
    #[error("cannot bind the media port: {0}")]
    NoPort(String),
    /// An error from the WebRTC stack.
    #[error("webrtc: {0}")]
    WebRtc(#[from] rtc::shared::error::Error),
}
