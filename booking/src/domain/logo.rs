//! A municipality's logo (issue 17 item 5): PNG or SVG, decided from the content, never the
//! file name. What is kept is never the upload itself but a copy rebuilt from it:
//!
//! - PNG: decoded within a memory limit (no decompression bombs) and encoded again, so text,
//!   EXIF and every other ancillary chunk are gone;
//! - SVG: parsed by `usvg` and written out again as plain shapes, so scripts, event handlers,
//!   links, external images, fonts and styles that fetch anything are gone. A DTD is refused
//!   outright (entity expansion), and so is compressed SVG.
//!
//! The page serves the copy with its own strict CSP as well (web `pages::logo`).

use crate::error::Words;
use std::io::Cursor;

/// Largest upload accepted, in bytes. A logo is a small picture.
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024;
/// Largest PNG width or height, in pixels.
pub const MAX_SIDE_PIXELS: u32 = 2000;

/// The two kinds of logo a municipality can upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    Png,
    Svg,
}

impl LogoKind {
    pub fn media_type(self) -> &'static str {
        match self {
            LogoKind::Png => "image/png",
            LogoKind::Svg => "image/svg+xml",
        }
    }

    pub fn parse_media_type(raw: &str) -> Option<Self> {
        match raw {
            "image/png" => Some(LogoKind::Png),
            "image/svg+xml" => Some(LogoKind::Svg),
            _ => None,
        }
    }
}

/// A logo that passed the checks: safe to store and to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    kind: LogoKind,
    bytes: Vec<u8>,
}

/// Why an upload is not taken as a logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoRefusal {
    Empty,
    TooLarge,
    NotPngOrSvg,
    /// A PNG wider or taller than `MAX_SIDE_PIXELS`, or one that needs too much memory.
    TooManyPixels,
    /// It looks like PNG or SVG but cannot be read as one.
    Unreadable,
    /// An SVG with a document type definition.
    SvgWithDtd,
}

impl LogoRefusal {
    pub fn words(self) -> Words {
        match self {
            LogoRefusal::Empty => Words::new("Kies een bestand.", "Choose a file."),
            LogoRefusal::TooLarge => Words::new(
                "Het bestand is te groot. Een logo mag hoogstens 256 kB zijn.",
                "The file is too large. A logo may be at most 256 kB.",
            ),
            LogoRefusal::NotPngOrSvg => Words::new(
                "Dit is geen PNG- of SVG-bestand. Kies een logo als PNG of SVG.",
                "This is not a PNG or SVG file. Choose a logo as PNG or SVG.",
            ),
            LogoRefusal::TooManyPixels => Words::new(
                "Het plaatje is te groot. Een logo mag hoogstens 2000 bij 2000 beeldpunten zijn.",
                "The picture is too large. A logo may be at most 2000 by 2000 pixels.",
            ),
            LogoRefusal::Unreadable => Words::new(
                "Dit bestand is beschadigd of kan niet gelezen worden. Kies een ander bestand.",
                "This file is damaged or cannot be read. Choose another file.",
            ),
            LogoRefusal::SvgWithDtd => Words::new(
                "Dit SVG-bestand bevat een DOCTYPE of entiteiten. Sla het logo op als gewone SVG.",
                "This SVG file contains a DOCTYPE or entities. Save the logo as a plain SVG.",
            ),
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

impl Logo {
    /// Reads an upload as a logo and rebuilds it (see the module comment).
    pub fn parse(upload: &[u8]) -> Result<Logo, LogoRefusal> {
        if upload.is_empty() {
            return Err(LogoRefusal::Empty);
        }
        if upload.len() > MAX_UPLOAD_BYTES {
            return Err(LogoRefusal::TooLarge);
        }
        if upload.starts_with(PNG_SIGNATURE) {
            return rebuild_png(upload).map(|bytes| Logo {
                kind: LogoKind::Png,
                bytes,
            });
        }
        let text = std::str::from_utf8(upload).map_err(|_| LogoRefusal::NotPngOrSvg)?;
        let text = text.trim_start_matches('\u{feff}');
        if !text.contains("<svg") {
            return Err(LogoRefusal::NotPngOrSvg);
        }
        rebuild_svg(text).map(|bytes| Logo {
            kind: LogoKind::Svg,
            bytes,
        })
    }

    /// A logo as stored earlier (already rebuilt when it was uploaded).
    pub fn from_stored(kind: LogoKind, bytes: Vec<u8>) -> Logo {
        Logo { kind, bytes }
    }

    pub fn kind(&self) -> LogoKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

fn rebuild_png(upload: &[u8]) -> Result<Vec<u8>, LogoRefusal> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(upload),
        // 2000 x 2000 RGBA at 16 bits is 32 MB; the decoder refuses to allocate more.
        png::Limits {
            bytes: 32 * 1024 * 1024,
        },
    );
    // Palettes and small bit depths become plain 8-bit pixels, so any PNG can be written back.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(png_refusal)?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if width == 0 || height == 0 || width > MAX_SIDE_PIXELS || height > MAX_SIDE_PIXELS {
        return Err(LogoRefusal::TooManyPixels);
    }
    let size = reader
        .output_buffer_size()
        .ok_or(LogoRefusal::TooManyPixels)?;
    let mut pixels = vec![0; size];
    let frame = reader.next_frame(&mut pixels).map_err(png_refusal)?;
    pixels.truncate(frame.buffer_size());

    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, frame.width, frame.height);
        encoder.set_color(frame.color_type);
        encoder.set_depth(frame.bit_depth);
        let mut writer = encoder
            .write_header()
            .map_err(|_| LogoRefusal::Unreadable)?;
        writer
            .write_image_data(&pixels)
            .map_err(|_| LogoRefusal::Unreadable)?;
    }
    Ok(out)
}

fn png_refusal(e: png::DecodingError) -> LogoRefusal {
    match e {
        png::DecodingError::LimitsExceeded => LogoRefusal::TooManyPixels,
        _ => LogoRefusal::Unreadable,
    }
}

fn rebuild_svg(text: &str) -> Result<Vec<u8>, LogoRefusal> {
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(LogoRefusal::SvgWithDtd);
    }
    let options = usvg::Options {
        // usvg's default resolver reads local files named in <image href>; a logo gets nothing
        // from outside itself, not even embedded pictures.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(text, &options).map_err(|_| LogoRefusal::Unreadable)?;
    Ok(tree.to_string(&usvg::WriteOptions::default()).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(width: u32, height: u32, text_chunk: Option<&str>) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgba);
            encoder.set_depth(png::BitDepth::Eight);
            if let Some(text) = text_chunk {
                encoder
                    .add_text_chunk("Comment".into(), text.into())
                    .unwrap();
            }
            let mut writer = encoder.write_header().unwrap();
            writer
                .write_image_data(&vec![200; (width * height * 4) as usize])
                .unwrap();
        }
        out
    }

    #[test]
    fn a_png_is_rebuilt_without_its_text_chunks() {
        let upload = png_bytes(40, 20, Some("GPS 52.09,5.12 secret"));
        assert!(upload.windows(6).any(|w| w == b"secret"));
        let logo = Logo::parse(&upload).unwrap();
        assert_eq!(logo.kind(), LogoKind::Png);
        assert!(!logo.bytes().windows(6).any(|w| w == b"secret"));
        assert!(!logo.bytes().windows(4).any(|w| w == b"tEXt"));
        // Still the same picture.
        let reader = png::Decoder::new(Cursor::new(logo.bytes()))
            .read_info()
            .unwrap();
        assert_eq!((reader.info().width, reader.info().height), (40, 20));
    }

    #[test]
    fn a_png_that_claims_a_huge_size_is_refused_before_decoding() {
        // A valid 1x1 PNG whose header is changed to claim 100,000 x 100,000 pixels.
        let mut upload = png_bytes(1, 1, None);
        upload[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        upload[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // The header's checksum must match or the decoder stops at that instead.
        let crc = crc32(&upload[12..29]);
        upload[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(Logo::parse(&upload), Err(LogoRefusal::TooManyPixels));
    }

    #[test]
    fn a_truncated_png_is_unreadable() {
        let upload = png_bytes(30, 30, None);
        assert_eq!(
            Logo::parse(&upload[..upload.len() / 2]),
            Err(LogoRefusal::Unreadable)
        );
    }

    #[test]
    fn scripts_handlers_links_and_outside_images_leave_an_svg() {
        let upload = br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40" onload="alert(1)">
            <script>alert(2)</script>
            <a href="javascript:alert(3)"><rect width="120" height="40" fill="#00529b"/></a>
            <image href="/etc/passwd" width="10" height="10"/>
            <image xlink:href="https://tracker.example/pixel.png" width="10" height="10"/>
            <foreignObject><iframe src="https://evil.example"/></foreignObject>
            <circle cx="20" cy="20" r="10" fill="white" style="background:url(https://evil.example/x)"/>
        </svg>"##;
        let logo = Logo::parse(upload).unwrap();
        assert_eq!(logo.kind(), LogoKind::Svg);
        let out = String::from_utf8(logo.bytes().to_vec()).unwrap();
        for gone in [
            "script",
            "onload",
            "alert",
            "javascript",
            "image",
            "passwd",
            "tracker",
            "iframe",
            "foreignObject",
            "evil",
        ] {
            assert!(!out.contains(gone), "{gone} is still in {out}");
        }
        // The shapes stay.
        assert!(out.contains("<path"), "{out}");
        assert!(out.contains("#00529b") || out.contains("#00529B"), "{out}");
    }

    #[test]
    fn an_svg_with_entities_is_refused() {
        let upload = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
            <svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"#;
        assert_eq!(Logo::parse(upload), Err(LogoRefusal::SvgWithDtd));
    }

    #[test]
    fn other_files_empty_ones_and_large_ones_are_refused() {
        assert_eq!(Logo::parse(b""), Err(LogoRefusal::Empty));
        assert_eq!(
            Logo::parse(b"\xff\xd8\xff\xe0 a jpeg"),
            Err(LogoRefusal::NotPngOrSvg)
        );
        assert_eq!(Logo::parse(b"%PDF-1.7"), Err(LogoRefusal::NotPngOrSvg));
        assert_eq!(Logo::parse(b"<svg unclosed"), Err(LogoRefusal::Unreadable));
        // gzip (svgz) is not taken: it could unpack to anything.
        assert_eq!(
            Logo::parse(b"\x1f\x8b\x08\x00"),
            Err(LogoRefusal::NotPngOrSvg)
        );
        let mut large = b"<svg xmlns=\"http://www.w3.org/2000/svg\">".to_vec();
        large.resize(MAX_UPLOAD_BYTES + 1, b' ');
        assert_eq!(Logo::parse(&large), Err(LogoRefusal::TooLarge));
    }

    /// CRC-32 as PNG uses it (ISO 3309), for the forged header above.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
