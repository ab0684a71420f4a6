//! Fix-ups of the SDP offers the SFU sends.

/// Adds the session-level `a=msid-semantic:WMS *` line when the offer lacks it. `rtc` 0.21
/// writes it only once a remote description exists, so the first offer went without, and
/// stacks that follow the spec strictly then ignore the `a=msid` of every m-section.
pub(crate) fn with_msid_semantic(sdp: String) -> String {
    if sdp.lines().any(|line| line.starts_with("a=msid-semantic:")) {
        return sdp;
    }
    match sdp.find("\r\nm=") {
        Some(at) => {
            let (session, media) = sdp.split_at(at);
            format!("{session}\r\na=msid-semantic:WMS *{media}")
        }
        None => sdp,
    }
}

#[cfg(test)]
mod tests {
    use super::with_msid_semantic;

    #[test]
    fn an_offer_without_msid_semantic_gets_it_before_the_first_media_section() {
        let sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
        assert_eq!(
            with_msid_semantic(sdp.to_owned()),
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic:WMS *\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
        );
        let again = with_msid_semantic(with_msid_semantic(sdp.to_owned()));
        assert_eq!(again.matches("a=msid-semantic").count(), 1, "added once");
    }
}
