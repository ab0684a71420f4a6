//! Percent-encoding for addresses built from values. HTML escaping is maud's: every page is
//! built with `maud::html!`, which escapes every value it puts into the markup.

use std::fmt::Write;

/// Percent-encodes one query or path value (RFC 3986 unreserved characters pass).
pub fn url(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_values_are_percent_encoded() {
        assert_eq!(
            url("2026-11-30T08:00:00Z+1 x"),
            "2026-11-30T08%3A00%3A00Z%2B1%20x"
        );
    }
}
