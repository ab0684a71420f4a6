//! Documents in the conversation (issue 22) on real SQLite and PostgreSQL: the resident uploads
//! a photo and a PDF for the sources they supply themselves; hostile files are refused with a
//! reason and nothing is stored; the stored copy is sealed (not the upload's bytes, no GPS);
//! only the clerks of the service in the same municipality read them, each read in the access
//! log; another appointment's or municipality's document is "not found"; the built-in case store
//! keeps them with the case and retention erases the platform's copy.

#[macro_use]
mod common;
mod privacy_support;

use booking::auth::SessionClaims;
use booking::domain::access_log::Action;
use booking::domain::consent::Choice;
use booking::domain::document::DocumentKind;
use booking::domain::ids::{AppointmentId, ClerkId, TenantId};
use booking::error::Conflict;
use booking::usecases::booking::unlock;
use booking::usecases::documents;
use booking::Error;
use common::{ts, Store};
use privacy_support::{fixture, Fixture};

on_both_stores!(
    a_photo_and_a_pdf_are_stored_sealed_and_listed,
    hostile_files_are_refused_and_nothing_is_stored,
    only_sources_chosen_self_take_files_and_only_before_the_call,
    clerks_of_the_service_read_each_read_logged_others_get_not_found,
    the_builtin_case_store_keeps_them_until_retention_erases_them,
    the_clerk_in_the_call_keeps_a_photo_logged_others_are_refused,
);

fn claims(tenant: TenantId, clerk: ClerkId) -> SessionClaims {
    SessionClaims {
        sub: clerk,
        tenant,
        role: booking::domain::staff::StaffRole::Clerk,
        iat: 0,
        exp: i64::MAX,
        jti: "test".into(),
    }
}

/// A resident who chose to supply `brp` and `inkomen` themselves.
async fn supplying(f: &Fixture, start: &str) -> (AppointmentId, String) {
    f.configure_sources().await;
    let booked = f.book(ts(start), "Inwoner Documenten").await;
    let u = unlock(&f.t.app, &booked.token).await.unwrap();
    booking::usecases::consent::choose(
        &f.t.app,
        &u.tenant,
        &u.appointment,
        &[
            ("brp".into(), Choice::SelfSupplied),
            ("inkomen".into(), Choice::SelfSupplied),
            ("duo".into(), Choice::Municipality),
        ],
    )
    .await
    .unwrap();
    (booked.id, booked.token)
}

/// A small real JPEG with EXIF carrying a GPS position, as a phone makes them.
fn photo_with_gps() -> Vec<u8> {
    use image::{ImageEncoder, RgbImage};
    let picture = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .write_image(&picture, 40, 30, image::ExtendedColorType::Rgb8)
        .unwrap();
    // APP1 "Exif" with a little-endian TIFF whose only entry is the marker text as Artist.
    let marker = b"GPS 52.0907N 5.1214E\0";
    let mut tiff = b"II*\0\x08\0\0\0\x01\0".to_vec();
    tiff.extend_from_slice(&0x013bu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(marker.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(marker);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn plain_pdf(with_javascript: bool) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT ET".to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1},
        ),
    );
    let mut catalog = dictionary! {"Type" => "Catalog", "Pages" => pages_id};
    if with_javascript {
        catalog.set(
            "OpenAction",
            dictionary! {"S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)")},
        );
    }
    let root = doc.add_object(catalog);
    doc.trailer.set("Root", root);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_photo_and_a_pdf_are_stored_sealed_and_listed(store: Store) {
    let f = fixture(store).await;
    let (id, token) = supplying(&f, "2026-03-23T09:00:00Z").await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    let photo = photo_with_gps();
    let stored = documents::upload(&f.t.app, &u, "brp", &photo, Some("IMG_0042.jpg"))
        .await
        .unwrap();
    assert_eq!(stored.kind, DocumentKind::Jpeg);
    let pdf = plain_pdf(false);
    documents::upload(&f.t.app, &u, "inkomen", &pdf, Some("loonstrook.pdf"))
        .await
        .unwrap();

    let mine = documents::for_resident(&f.t.app, &u).await.unwrap();
    assert!(mine.can_change);
    let slots: Vec<(&str, Option<DocumentKind>)> = mine
        .slots
        .iter()
        .map(|s| (s.source.code.as_str(), s.document.as_ref().map(|d| d.kind)))
        .collect();
    assert_eq!(
        slots,
        [
            ("brp", Some(DocumentKind::Jpeg)),
            ("inkomen", Some(DocumentKind::Pdf))
        ]
    );

    // The resident's copy: the photo without its EXIF, the PDF as sent.
    let (_, copy) = documents::resident_copy(&f.t.app, &u, stored.id)
        .await
        .unwrap();
    assert!(contains(&photo, b"GPS 52.0907N"));
    assert!(!contains(&copy, b"GPS 52.0907N"));
    assert!(!contains(&copy, b"Exif"));
    assert_eq!(image::load_from_memory(&copy).unwrap().width(), 40);

    // In the database the content is sealed: neither the upload nor the copy is readable there.
    let (_, sealed) =
        f.t.app
            .db()
            .document(f.tenant.id, id, stored.id)
            .await
            .unwrap();
    let sealed = sealed.unwrap();
    assert!(!contains(&sealed, &copy[..64]));
    let (pdf_record, _) = {
        let all = f.t.app.db().documents(f.tenant.id, id).await.unwrap();
        let pdf_record = all
            .into_iter()
            .find(|d| d.source_code == "inkomen")
            .unwrap();
        f.t.app
            .db()
            .document(f.tenant.id, id, pdf_record.id)
            .await
            .unwrap()
    };
    let (_, raw) =
        f.t.app
            .db()
            .document(f.tenant.id, id, pdf_record.id)
            .await
            .unwrap();
    assert!(!contains(&raw.unwrap(), b"%PDF-"));

    // Replacing keeps one document per source.
    documents::upload(&f.t.app, &u, "brp", &photo, None)
        .await
        .unwrap();
    assert_eq!(
        f.t.app.db().documents(f.tenant.id, id).await.unwrap().len(),
        2
    );
    // Removing takes it away.
    documents::remove(&f.t.app, &u, "brp").await.unwrap();
    let left = f.t.app.db().documents(f.tenant.id, id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].source_code, "inkomen");
}

async fn hostile_files_are_refused_and_nothing_is_stored(store: Store) {
    let f = fixture(store).await;
    let (id, token) = supplying(&f, "2026-03-23T09:00:00Z").await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    // A PNG claiming 100,000 x 100,000 pixels.
    let mut bomb = {
        use image::{ImageEncoder, RgbImage};
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&RgbImage::new(1, 1), 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    };
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let mut too_large = photo_with_gps();
    too_large.resize(booking::domain::document::MAX_UPLOAD_BYTES + 1, 0);
    let cases: Vec<(&str, Vec<u8>, Option<&str>, &str)> = vec![
        ("bomb", bomb, Some("scan.png"), "beeldpunten"),
        (
            "javascript",
            plain_pdf(true),
            Some("brief.pdf"),
            "programmacode",
        ),
        (
            "name disagrees",
            photo_with_gps(),
            Some("loonstrook.pdf"),
            ".pdf",
        ),
        ("empty", Vec::new(), Some("leeg.pdf"), "leeg"),
        ("too large", too_large, Some("groot.jpg"), "10 MB"),
        (
            "not a document",
            b"MZ\x90\0 a program".to_vec(),
            Some("foto.jpg"),
            "niet aannemen",
        ),
    ];
    for (what, upload, name, says) in cases {
        match documents::upload(&f.t.app, &u, "brp", &upload, name).await {
            Err(Error::Invalid { field, message }) => {
                assert_eq!(field, "/file", "{what}");
                assert!(message.dutch.contains(says), "{what}: {}", message.dutch);
                assert!(!message.english.is_empty(), "{what}");
            }
            other => panic!("{what}: expected a refusal, got {other:?}"),
        }
    }
    assert!(f
        .t
        .app
        .db()
        .documents(f.tenant.id, id)
        .await
        .unwrap()
        .is_empty());
}

async fn only_sources_chosen_self_take_files_and_only_before_the_call(store: Store) {
    let f = fixture(store).await;
    let (id, token) = supplying(&f, "2026-03-20T09:30:00Z").await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    let pdf = plain_pdf(false);
    // "duo" is left to the municipality; "paspoort" is no source of the service.
    for source in ["duo", "paspoort"] {
        assert!(
            matches!(
                documents::upload(&f.t.app, &u, source, &pdf, None).await,
                Err(Error::Invalid { ref field, .. }) if field == "/source"
            ),
            "{source}"
        );
    }
    documents::upload(&f.t.app, &u, "brp", &pdf, None)
        .await
        .unwrap();
    // The clerk calls the resident: from then on nothing changes.
    f.start_call(id).await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    assert!(matches!(
        documents::upload(&f.t.app, &u, "inkomen", &pdf, None).await,
        Err(Error::Conflict(Conflict::DocumentsClosed))
    ));
    assert!(matches!(
        documents::remove(&f.t.app, &u, "brp").await,
        Err(Error::Conflict(Conflict::DocumentsClosed))
    ));
    assert!(
        !documents::for_resident(&f.t.app, &u)
            .await
            .unwrap()
            .can_change
    );
    assert_eq!(
        f.t.app.db().documents(f.tenant.id, id).await.unwrap().len(),
        1
    );
}

async fn clerks_of_the_service_read_each_read_logged_others_get_not_found(store: Store) {
    let f = fixture(store).await;
    let (id, token) = supplying(&f, "2026-03-23T09:00:00Z").await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    let doc = documents::upload(&f.t.app, &u, "inkomen", &plain_pdf(false), None)
        .await
        .unwrap();
    let anna = claims(f.tenant.id, f.clerk);

    let listed = documents::for_clerk(&f.t.app, &anna, id).await.unwrap();
    assert_eq!(listed.len(), 1);
    let (_, bytes) = documents::clerk_copy(&f.t.app, &anna, id, doc.id)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    documents::clerk_copy(&f.t.app, &anna, id, doc.id)
        .await
        .unwrap();
    let log = f.t.app.db().access_log(f.tenant.id, id).await.unwrap();
    let reads: Vec<_> = log
        .iter()
        .filter(|e| e.action == Action::ViewedDocument)
        .collect();
    assert_eq!(reads.len(), 2, "every read is logged");
    assert_eq!(reads[0].clerk_id, Some(f.clerk));
    assert_eq!(reads[0].source.as_deref(), Some("Inkomensgegevens"));

    // Another municipality's admin: not found, and nothing logged.
    let olga = claims(f.other_tenant.id, f.other_clerk);
    assert!(matches!(
        documents::clerk_copy(&f.t.app, &olga, id, doc.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        documents::for_clerk(&f.t.app, &olga, id).await,
        Err(Error::NotFound(_))
    ));
    // The document asked for through another appointment (one the clerk may open): not found.
    let other = f.book(ts("2026-03-23T10:00:00Z"), "Andere Inwoner").await;
    assert!(matches!(
        documents::clerk_copy(&f.t.app, &anna, other.id, doc.id).await,
        Err(Error::NotFound(_))
    ));
    // And the other resident's personal link does not open it either.
    let other_u = unlock(&f.t.app, &other.token).await.unwrap();
    assert!(matches!(
        documents::resident_copy(&f.t.app, &other_u, doc.id).await,
        Err(Error::NotFound(_))
    ));
    let after = f.t.app.db().access_log(f.tenant.id, id).await.unwrap();
    assert_eq!(
        after
            .iter()
            .filter(|e| e.action == Action::ViewedDocument)
            .count(),
        2
    );
}

async fn the_builtin_case_store_keeps_them_until_retention_erases_them(store: Store) {
    let f = fixture(store).await;
    let (id, token) = supplying(&f, "2026-03-20T09:30:00Z").await;
    let u = unlock(&f.t.app, &token).await.unwrap();
    let doc = documents::upload(&f.t.app, &u, "brp", &plain_pdf(false), None)
        .await
        .unwrap();
    // The call and its outcome, delivered to the built-in case store.
    f.start_call(id).await;
    let anna = claims(f.tenant.id, f.clerk);
    let results = f.t.app.db().service_results(f.service.id).await.unwrap();
    booking::usecases::outcome::record(
        &f.t.app,
        &anna,
        id,
        booking::domain::outcome::OutcomeDraft {
            result: results[0].code.clone(),
            notes: String::new(),
            follow_up: booking::domain::outcome::FollowUp::None,
            sources: vec![],
        },
        None,
    )
    .await
    .unwrap();
    let worker = booking::usecases::delivery::Worker::new(
        f.t.app.clone(),
        booking::usecases::delivery::DeliveryConfig {
            outbound: booking::domain::outbound::OutboundRule::public_only(),
            ..Default::default()
        },
    );
    worker.run_once().await.unwrap();
    let stored = f.t.app.db().documents(f.tenant.id, id).await.unwrap();
    assert_eq!(stored[0].delivered_to.as_deref(), Some("builtin"));
    assert!(stored[0].erased_at.is_none(), "kept with the case");
    documents::clerk_copy(&f.t.app, &anna, id, doc.id)
        .await
        .unwrap();

    // The retention period passes: the content goes, the record of what was supplied stays.
    let later = f.t.app.clock.now() + jiff::SignedDuration::from_hours(24 * 400);
    f.t.app
        .db()
        .erase_ended_before(f.tenant.id, later, later)
        .await
        .unwrap();
    let stored = f.t.app.db().documents(f.tenant.id, id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].erased_at.is_some());
    let (_, content) =
        f.t.app
            .db()
            .document(f.tenant.id, id, doc.id)
            .await
            .unwrap();
    assert_eq!(content, None);
    assert!(matches!(
        documents::clerk_copy(&f.t.app, &anna, id, doc.id).await,
        Err(Error::NotFound(_))
    ));
}

/// Issue 22 item 2: the still the clerk's page takes after the resident's yes. Only the clerk
/// in the call with the resident keeps one; it is checked and re-encoded like an upload (no
/// EXIF), a PDF is refused, and each photo is a document with its line in the access log.
async fn the_clerk_in_the_call_keeps_a_photo_logged_others_are_refused(store: Store) {
    let f = fixture(store).await;
    let (id, _) = supplying(&f, "2026-03-20T09:30:00Z").await;
    let anna = claims(f.tenant.id, f.clerk);
    // Before the call: nobody is in a call with the resident.
    assert!(matches!(
        documents::clerk_photo(&f.t.app, &anna, id, &photo_with_gps()).await,
        Err(Error::Conflict(Conflict::NotInCallWithYou))
    ));
    f.start_call(id).await;
    // Another clerk of the municipality is not in this call.
    let other = claims(f.tenant.id, ClerkId::new());
    assert!(
        documents::clerk_photo(&f.t.app, &other, id, &photo_with_gps())
            .await
            .is_err()
    );
    // A PDF is no photo; a hostile file is refused as for uploads.
    assert!(matches!(
        documents::clerk_photo(&f.t.app, &anna, id, &plain_pdf(false)).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        documents::clerk_photo(&f.t.app, &anna, id, b"").await,
        Err(Error::Invalid { .. })
    ));
    assert!(f
        .t
        .app
        .db()
        .documents(f.tenant.id, id)
        .await
        .unwrap()
        .is_empty());

    let first = documents::clerk_photo(&f.t.app, &anna, id, &photo_with_gps())
        .await
        .unwrap();
    let second = documents::clerk_photo(&f.t.app, &anna, id, &photo_with_gps())
        .await
        .unwrap();
    assert_eq!(first.kind, DocumentKind::Jpeg);
    assert_eq!(first.source_label, "Foto 1 tijdens het gesprek");
    assert_eq!(second.source_label, "Foto 2 tijdens het gesprek");
    let (_, kept) = documents::clerk_copy(&f.t.app, &anna, id, first.id)
        .await
        .unwrap();
    assert!(
        !contains(&kept, b"GPS 52.0907N"),
        "re-encoded: the EXIF is gone"
    );
    assert!(image::load_from_memory(&kept).is_ok());
    let log = f.t.app.db().access_log(f.tenant.id, id).await.unwrap();
    let taken: Vec<_> = log
        .iter()
        .filter(|e| e.action == Action::TookPhoto)
        .collect();
    assert!(taken.iter().all(|e| e.clerk_id == Some(f.clerk)));
    // Both in the same second: the order in the log is not the point.
    let mut labels: Vec<_> = taken.iter().filter_map(|e| e.source.as_deref()).collect();
    labels.sort_unstable();
    assert_eq!(
        labels,
        ["Foto 1 tijdens het gesprek", "Foto 2 tijdens het gesprek"]
    );
}
