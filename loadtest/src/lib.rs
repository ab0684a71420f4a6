//! The load test's reusable part: the webrtc-rs peer that speaks Videoloket's signalling,
//! also used by the signalling crate's integration tests.

pub mod testpeer;
