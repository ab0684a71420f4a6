//! Documents a resident supplies before the call (issue 22): a photo or a PDF per information
//! source they chose to supply themselves. The type is decided from the content, never the
//! file name, and what is kept is a checked copy:
//!
//! - JPEG and PNG are decoded within limits (pixels per side and memory, so a header that
//!   claims 100,000 x 100,000 pixels is refused before anything is allocated), turned upright
//!   by their EXIF orientation and encoded again, so EXIF (with the location), XMP, comments
//!   and every other extra is gone. The same approach as the logo (`domain::logo`), through
//!   the `image` crate because photos are mostly JPEG.
//! - PDF is parsed with `lopdf`: encrypted files, more than `MAX_PDF_PAGES` pages and active
//!   content (JavaScript, actions that run on opening, launch actions, embedded files, forms
//!   that submit) are refused; what passes is kept as uploaded.
//! - HEIC (iPhone photos) is refused with a plain explanation: no maintained pure-Rust crate
//!   reads it. Phones' browsers mostly send JPEG already when the page asks for it.

use crate::error::Words;
use std::io::Cursor;

/// Largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest picture width or height, in pixels (a 48-megapixel phone photo is 8000 x 6000).
pub const MAX_SIDE_PIXELS: u32 = 8_000;
/// Memory the image decoder may use, in bytes.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Most pages a PDF may have.
pub const MAX_PDF_PAGES: usize = 50;

/// What kind of file a checked document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Jpeg,
    Png,
    Pdf,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Jpeg => "jpeg",
            DocumentKind::Png => "png",
            DocumentKind::Pdf => "pdf",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "jpeg" => Some(DocumentKind::Jpeg),
            "png" => Some(DocumentKind::Png),
            "pdf" => Some(DocumentKind::Pdf),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Png => "image/png",
            DocumentKind::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Jpeg => "jpg",
            DocumentKind::Png => "png",
            DocumentKind::Pdf => "pdf",
        }
    }

    /// In words, for lists the resident and the clerk read.
    pub fn words(self) -> Words {
        match self {
            DocumentKind::Jpeg | DocumentKind::Png => Words::new("foto", "photo"),
            DocumentKind::Pdf => Words::new("PDF-document", "PDF document"),
        }
    }

    /// The kind a file name's extension promises, when it names one of ours.
    fn from_name(name: &str) -> Option<Named> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" | "jfif" => Some(Named::Kind(DocumentKind::Jpeg)),
            "png" => Some(Named::Kind(DocumentKind::Png)),
            "pdf" => Some(Named::Kind(DocumentKind::Pdf)),
            "heic" | "heif" => Some(Named::Heic),
            _ => None,
        }
    }
}

enum Named {
    Kind(DocumentKind),
    Heic,
}

/// A document that passed the checks: safe to store and to hand to a clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDocument {
    kind: DocumentKind,
    bytes: Vec<u8>,
}

impl CheckedDocument {
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Why an upload is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentRefusal {
    Empty,
    TooLarge,
    /// Not JPEG, PNG or PDF by its content.
    NotAccepted,
    Heic,
    /// The name says one kind of file, the content is another.
    NameDisagrees {
        named: DocumentKind,
        found: DocumentKind,
    },
    TooManyPixels,
    Unreadable,
    PdfEncrypted,
    PdfTooManyPages,
    /// JavaScript, actions, embedded files or forms in a PDF.
    PdfActiveContent,
}

impl DocumentRefusal {
    pub fn words(self) -> Words {
        match self {
            DocumentRefusal::Empty => Words::new(
                "Het bestand is leeg. Kies een foto of een PDF-bestand.",
                "The file is empty. Choose a photo or a PDF file.",
            ),
            DocumentRefusal::TooLarge => Words::new(
                "Het bestand is te groot. Een bestand mag hoogstens 10 MB zijn.",
                "The file is too large. A file may be at most 10 MB.",
            ),
            DocumentRefusal::NotAccepted => Words::new(
                "Dit bestand kunnen we niet aannemen. Kies een foto (JPEG of PNG) of een PDF-bestand.",
                "We cannot accept this file. Choose a photo (JPEG or PNG) or a PDF file.",
            ),
            DocumentRefusal::Heic => Words::new(
                "Foto's in HEIC-formaat kunnen we niet lezen. Maak een schermafbeelding van de foto, of zet de camera op 'Meest compatibel' (JPEG), en kies die.",
                "We cannot read photos in HEIC format. Take a screenshot of the photo, or set the camera to 'Most compatible' (JPEG), and choose that.",
            ),
            DocumentRefusal::NameDisagrees { named, found } => Words::new(
                format!(
                    "De naam van het bestand eindigt op .{}, maar het is een {}-bestand. Kies het juiste bestand.",
                    named.extension(),
                    found.extension().to_uppercase()
                ),
                format!(
                    "The file name ends in .{}, but it is a {} file. Choose the right file.",
                    named.extension(),
                    found.extension().to_uppercase()
                ),
            ),
            DocumentRefusal::TooManyPixels => Words::new(
                format!("De foto is te groot. Een foto mag hoogstens {MAX_SIDE_PIXELS} bij {MAX_SIDE_PIXELS} beeldpunten zijn."),
                format!("The photo is too large. A photo may be at most {MAX_SIDE_PIXELS} by {MAX_SIDE_PIXELS} pixels."),
            ),
            DocumentRefusal::Unreadable => Words::new(
                "Dit bestand is beschadigd of kan niet gelezen worden. Kies een ander bestand.",
                "This file is damaged or cannot be read. Choose another file.",
            ),
            DocumentRefusal::PdfEncrypted => Words::new(
                "Deze PDF is beveiligd met een wachtwoord. Kies een PDF zonder wachtwoord.",
                "This PDF is protected with a password. Choose a PDF without a password.",
            ),
            DocumentRefusal::PdfTooManyPages => Words::new(
                format!("De PDF heeft te veel bladzijden. Een PDF mag hoogstens {MAX_PDF_PAGES} bladzijden hebben."),
                format!("The PDF has too many pages. A PDF may have at most {MAX_PDF_PAGES} pages."),
            ),
            DocumentRefusal::PdfActiveContent => Words::new(
                "Deze PDF bevat programmacode, formulieren of bijlagen. Sla het document op als gewone PDF (bijvoorbeeld met 'Afdrukken als PDF') en kies die.",
                "This PDF contains program code, forms or attachments. Save the document as a plain PDF (for example with 'Print to PDF') and choose that.",
            ),
        }
    }
}

/// A stored document as the resident and the clerk see it listed (never its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: crate::domain::ids::DocumentId,
    pub tenant_id: crate::domain::ids::TenantId,
    pub appointment_id: crate::domain::ids::AppointmentId,
    pub source_code: String,
    pub source_label: String,
    pub kind: DocumentKind,
    pub size_bytes: u64,
    pub uploaded_at: jiff::Timestamp,
    pub delivered_to: Option<String>,
    pub delivered_at: Option<jiff::Timestamp>,
    /// When the platform's copy was erased (after delivery or the retention period).
    pub erased_at: Option<jiff::Timestamp>,
}

/// Where a document is now, in words for the resident's "Uw gegevens" page.
pub fn whereabouts(record: &DocumentRecord) -> Words {
    match (&record.delivered_to, record.erased_at) {
        (Some(to), Some(_)) if to != BUILTIN => Words::new(
            "Doorgestuurd naar het zaaksysteem van de gemeente; onze kopie is verwijderd.",
            "Sent on to the municipality's case system; our copy has been erased.",
        ),
        (_, Some(_)) => Words::new(
            "Verwijderd na de bewaartermijn.",
            "Erased after the retention period.",
        ),
        (Some(_), None) => Words::new(
            "Bewaard bij de zaak in Videoloket tot het einde van de bewaartermijn.",
            "Kept with the case in Videoloket until the end of the retention period.",
        ),
        (None, None) => Words::new(
            "Bewaard, versleuteld, voor het gesprek. Alleen u en de medewerkers van deze dienst kunnen het openen.",
            "Kept, encrypted, for the call. Only you and the staff of this service can open it.",
        ),
    }
}

/// A document on its way to the case store, opened.
#[derive(Clone, Debug)]
pub struct OutgoingDocument {
    pub record: DocumentRecord,
    pub bytes: Vec<u8>,
}

/// `delivered_to` of a document that stays with the case in the built-in case store.
pub const BUILTIN: &str = "builtin";

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = b"\xff\xd8\xff";

/// What the content is, by its first bytes.
fn sniff(upload: &[u8]) -> Option<Result<DocumentKind, DocumentRefusal>> {
    if upload.starts_with(PNG_SIGNATURE) {
        return Some(Ok(DocumentKind::Png));
    }
    if upload.starts_with(JPEG_SIGNATURE) {
        return Some(Ok(DocumentKind::Jpeg));
    }
    // A PDF's header may follow up to 1024 bytes of anything (PDF 1.7, 7.5.2).
    let head = &upload[..upload.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(Ok(DocumentKind::Pdf));
    }
    // ISO base media files: a box `ftyp` at offset 4 with an image brand.
    if upload.len() >= 12 && &upload[4..8] == b"ftyp" {
        let brand = &upload[8..12];
        if [
            b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Some(Err(DocumentRefusal::Heic));
        }
    }
    None
}

/// Reads an upload and returns the copy to keep (see the module comment). `file_name` is the
/// name the browser sent, used only to notice a file that is not what its name says.
pub fn check(upload: &[u8], file_name: Option<&str>) -> Result<CheckedDocument, DocumentRefusal> {
    if upload.is_empty() {
        return Err(DocumentRefusal::Empty);
    }
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(DocumentRefusal::TooLarge);
    }
    let named = file_name.and_then(DocumentKind::from_name);
    let kind = match sniff(upload) {
        Some(found) => found?,
        None if matches!(named, Some(Named::Heic)) => return Err(DocumentRefusal::Heic),
        None => return Err(DocumentRefusal::NotAccepted),
    };
    if let Some(Named::Kind(named)) = named {
        // .jpg for a PNG (or back) is still a picture, but a "PDF" that is a photo or a
        // "photo" that is a PDF is not what the resident meant to send.
        let both_pictures = named != DocumentKind::Pdf && kind != DocumentKind::Pdf;
        if named != kind && !both_pictures {
            return Err(DocumentRefusal::NameDisagrees { named, found: kind });
        }
    }
    let bytes = match kind {
        DocumentKind::Jpeg | DocumentKind::Png => rebuild_picture(upload, kind)?,
        DocumentKind::Pdf => {
            check_pdf(upload)?;
            upload.to_vec()
        }
    };
    Ok(CheckedDocument { kind, bytes })
}

fn rebuild_picture(upload: &[u8], kind: DocumentKind) -> Result<Vec<u8>, DocumentRefusal> {
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
    let format = match kind {
        DocumentKind::Png => ImageFormat::Png,
        _ => ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PIXELS);
    limits.max_image_height = Some(MAX_SIDE_PIXELS);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(image_refusal)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(DocumentRefusal::Unreadable);
    }
    // An unreadable orientation is no reason to refuse the photo: keep it as it is.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(image_refusal)?;
    picture.apply_orientation(orientation);
    let mut out = Vec::new();
    match kind {
        DocumentKind::Png => picture
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .map_err(image_refusal)?,
        _ => {
            let rgb = DynamicImage::ImageRgb8(picture.to_rgb8());
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, 90,
            ))
            .map_err(image_refusal)?
        }
    }
    Ok(out)
}

fn image_refusal(e: image::ImageError) -> DocumentRefusal {
    match e {
        image::ImageError::Limits(_) => DocumentRefusal::TooManyPixels,
        _ => DocumentRefusal::Unreadable,
    }
}

/// Dictionary keys that make a PDF do something by itself or carry other files.
const ACTIVE_KEYS: &[&[u8]] = &[
    b"JavaScript",
    b"JS",
    b"OpenAction",
    b"AA",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
];
/// Action types (`/S /...`) that run code, open programs or send data.
const ACTIVE_ACTIONS: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"RichMediaExecute",
    b"GoToE",
];

fn check_pdf(upload: &[u8]) -> Result<(), DocumentRefusal> {
    let document = lopdf::Document::load_mem(upload).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) => {
            DocumentRefusal::PdfEncrypted
        }
        _ => DocumentRefusal::Unreadable,
    })?;
    if document.is_encrypted() || document.trailer.has(b"Encrypt") {
        return Err(DocumentRefusal::PdfEncrypted);
    }
    let pages = document.get_pages().len();
    if pages == 0 {
        return Err(DocumentRefusal::Unreadable);
    }
    if pages > MAX_PDF_PAGES {
        return Err(DocumentRefusal::PdfTooManyPages);
    }
    let active = document.objects.values().any(|object| match object {
        lopdf::Object::Dictionary(d) => is_active(d),
        lopdf::Object::Stream(s) => is_active(&s.dict),
        _ => false,
    }) || is_active(&document.trailer);
    if active {
        return Err(DocumentRefusal::PdfActiveContent);
    }
    Ok(())
}

/// Whether a dictionary (or one nested in it) holds an active key or action.
fn is_active(dictionary: &lopdf::Dictionary) -> bool {
    dictionary.iter().any(|(key, value)| {
        ACTIVE_KEYS.contains(&key.as_slice())
            || (key.as_slice() == b"S"
                && matches!(value, lopdf::Object::Name(n) if ACTIVE_ACTIONS.contains(&n.as_slice())))
            || matches!(value, lopdf::Object::Dictionary(inner) if is_active(inner))
            || matches!(value, lopdf::Object::Array(items) if items.iter().any(|item| matches!(item, lopdf::Object::Dictionary(inner) if is_active(inner))))
    })
}

#[cfg(test)]
pub(crate) mod samples {
    //! Files for the tests, hostile ones included, made here so no binary file is checked in.
    use image::{ImageEncoder, RgbImage};
    use lopdf::dictionary;

    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .write_image(&picture, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_pixel(width, height, image::Rgb([10, 200, 30]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&picture, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// A JPEG with an EXIF segment holding a GPS position (52°5'N, 5°7'E: Utrecht) and a
    /// camera owner's name.
    pub fn jpeg_with_gps() -> Vec<u8> {
        let mut tiff: Vec<u8> = Vec::new();
        tiff.extend_from_slice(b"II*\0");
        tiff.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: two entries, then next-IFD 0. Each entry 12 bytes.
        let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&kind.to_le_bytes());
            tiff.extend_from_slice(&count.to_le_bytes());
            tiff.extend_from_slice(&value.to_le_bytes());
        };
        let owner = b"Jan Jansen GPS-TEST\0";
        let ifd0_len = 2 + 2 * 12 + 4;
        let owner_at = 8 + ifd0_len;
        let gps_at = owner_at + owner.len() as u32;
        tiff.extend_from_slice(&2u16.to_le_bytes());
        entry(&mut tiff, 0x013b, 2, owner.len() as u32, owner_at); // Artist
        entry(&mut tiff, 0x8825, 4, 1, gps_at); // GPS IFD pointer
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(owner);
        // GPS IFD: latitude ref, latitude, longitude ref, longitude.
        let gps_len = 2 + 4 * 12 + 4;
        let rationals_at = gps_at + gps_len;
        tiff.extend_from_slice(&4u16.to_le_bytes());
        entry(&mut tiff, 1, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
        entry(&mut tiff, 2, 5, 3, rationals_at);
        entry(&mut tiff, 3, 2, 2, u32::from_le_bytes(*b"E\0\0\0"));
        entry(&mut tiff, 4, 5, 3, rationals_at + 24);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        for (n, d) in [(52u32, 1u32), (5, 1), (0, 1), (5, 1), (7, 1), (0, 1)] {
            tiff.extend_from_slice(&n.to_le_bytes());
            tiff.extend_from_slice(&d.to_le_bytes());
        }
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let plain = jpeg(64, 48);
        let mut out = plain[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A valid PNG whose header claims `width` x `height` pixels.
    pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut upload = png(1, 1);
        upload[16..20].copy_from_slice(&width.to_be_bytes());
        upload[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32fast::hash(&upload[12..29]);
        upload[29..33].copy_from_slice(&crc.to_be_bytes());
        upload
    }

    /// A PDF of `pages` pages, with `catalog_extra` added to its catalog.
    pub fn pdf(pages: usize, catalog_extra: Option<(&str, lopdf::Object)>) -> Vec<u8> {
        use lopdf::{Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 720 Td (Loonstrook) Tj ET".to_vec(),
        ));
        let kids: Vec<Object> = (0..pages)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => pages_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                    "Contents" => content,
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => pages as i64,
            }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        if let Some((key, value)) = catalog_extra {
            catalog.set(key, value);
        }
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    pub fn pdf_with_javascript() -> Vec<u8> {
        pdf(
            1,
            Some((
                "OpenAction",
                lopdf::Object::Dictionary(dictionary! {
                    "S" => "JavaScript",
                    "JS" => lopdf::Object::string_literal("app.alert('hallo')"),
                }),
            )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;
    use image::ImageDecoder;

    fn exif_of(jpeg: &[u8]) -> Option<Vec<u8>> {
        let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(jpeg)).unwrap();
        decoder.exif_metadata().unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_is_kept_as_a_new_jpeg_of_the_same_size() {
        let doc = check(&jpeg(120, 80), Some("paspoort.jpg")).unwrap();
        assert_eq!(doc.kind(), DocumentKind::Jpeg);
        let back = image::load_from_memory(doc.bytes()).unwrap();
        assert_eq!((back.width(), back.height()), (120, 80));
        let png = check(&png(30, 20), None).unwrap();
        assert_eq!(png.kind(), DocumentKind::Png);
    }

    #[test]
    fn gps_exif_is_stripped_from_a_jpeg() {
        let upload = jpeg_with_gps();
        let exif = exif_of(&upload).expect("the sample carries EXIF");
        assert!(contains(&exif, b"GPS-TEST"));
        let doc = check(&upload, Some("IMG_0001.JPG")).unwrap();
        assert_eq!(exif_of(doc.bytes()), None);
        assert!(!contains(doc.bytes(), b"Exif"));
        assert!(!contains(doc.bytes(), b"GPS-TEST"));
    }

    #[test]
    fn a_png_claiming_100000_by_100000_pixels_is_refused_before_decoding() {
        assert_eq!(
            check(&png_claiming(100_000, 100_000), Some("scan.png")),
            Err(DocumentRefusal::TooManyPixels)
        );
    }

    #[test]
    fn a_pdf_with_javascript_is_refused() {
        assert_eq!(
            check(&pdf_with_javascript(), Some("brief.pdf")),
            Err(DocumentRefusal::PdfActiveContent)
        );
        // Nested in a page's additional actions too.
        let launch = pdf(
            1,
            Some((
                "Names",
                lopdf::Object::Dictionary({
                    let mut names = lopdf::Dictionary::new();
                    names.set("EmbeddedFiles", lopdf::Dictionary::new());
                    names
                }),
            )),
        );
        assert_eq!(check(&launch, None), Err(DocumentRefusal::PdfActiveContent));
    }

    #[test]
    fn a_plain_pdf_is_kept_as_it_is() {
        let upload = pdf(2, None);
        let doc = check(&upload, Some("loonstrook.pdf")).unwrap();
        assert_eq!(doc.kind(), DocumentKind::Pdf);
        assert_eq!(doc.bytes(), upload.as_slice());
    }

    #[test]
    fn a_pdf_with_too_many_pages_is_refused() {
        assert_eq!(
            check(&pdf(MAX_PDF_PAGES + 1, None), None),
            Err(DocumentRefusal::PdfTooManyPages)
        );
    }

    #[test]
    fn a_file_whose_name_and_content_disagree_is_refused() {
        assert_eq!(
            check(&jpeg(10, 10), Some("loonstrook.pdf")),
            Err(DocumentRefusal::NameDisagrees {
                named: DocumentKind::Pdf,
                found: DocumentKind::Jpeg
            })
        );
        assert_eq!(
            check(&pdf(1, None), Some("foto.jpg")),
            Err(DocumentRefusal::NameDisagrees {
                named: DocumentKind::Jpeg,
                found: DocumentKind::Pdf
            })
        );
        // A program named like a photo is not a photo.
        assert_eq!(
            check(b"MZ\x90\0 this program", Some("foto.jpg")),
            Err(DocumentRefusal::NotAccepted)
        );
        // A PNG named .jpg is still a picture: kept as a PNG.
        assert_eq!(
            check(&png(5, 5), Some("foto.jpg")).unwrap().kind(),
            DocumentKind::Png
        );
    }

    #[test]
    fn empty_large_broken_and_heic_files_are_refused() {
        assert_eq!(check(b"", Some("a.pdf")), Err(DocumentRefusal::Empty));
        let mut large = jpeg(10, 10);
        large.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(check(&large, None), Err(DocumentRefusal::TooLarge));
        let photo = jpeg(50, 50);
        assert_eq!(
            check(&photo[..photo.len() / 3], None),
            Err(DocumentRefusal::Unreadable)
        );
        assert_eq!(
            check(b"%PDF-1.7 nothing else", None),
            Err(DocumentRefusal::Unreadable)
        );
        assert_eq!(
            check(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", Some("IMG_1.HEIC")),
            Err(DocumentRefusal::Heic)
        );
        assert_eq!(
            check(b"<html><script>", Some("a.heic")),
            Err(DocumentRefusal::Heic)
        );
        for refusal in [
            DocumentRefusal::Empty,
            DocumentRefusal::TooLarge,
            DocumentRefusal::PdfActiveContent,
        ] {
            let words = refusal.words();
            assert!(!words.dutch.is_empty() && !words.english.is_empty());
        }
    }
}
