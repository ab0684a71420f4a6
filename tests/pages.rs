//! The resident pages over HTTP on SQLite and PostgreSQL: what a stale or altered form gets
//! back (issue 14): a plain message on the page, never a 5xx or parser text.

#[path = "../booking/tests/common/mod.rs"]
mod common;

use common::{ts, Store, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1); on Sunday 29 March the clocks go to UTC+2.
const NOW: &str = "2026-03-20T09:00:00Z";
const START: &str = "2026-03-27T09:00:00+01:00";

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() { super::$name(Store::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() { super::$name(Store::Postgres).await }
        }
    )*};
}

on_both_stores!(
    a_reschedule_in_the_wrong_offset_is_a_plain_message_on_the_page,
    the_municipalitys_phone_and_introduction_are_on_its_pages,
);

struct Site {
    app: booking::App,
    base: String,
    client: reqwest::Client,
    _db: TestDb,
}

/// The API and the pages, as the binary merges them, over the demo municipality.
async fn site(store: Store) -> Site {
    use booking::adapters::live_updates::QueueEvents;
    use booking::adapters::mail::{MailConfig, Mailer};
    let test_db = TestDb::new(store).await;
    assert!(booking::demo::seed_if_empty(&test_db.db).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = booking::App::new(
        test_db.db.clone(),
        booking::clock::Clock::fixed(ts(NOW)),
        Mailer::new(&MailConfig::Files(test_db.dir.path().join("mail"))).unwrap(),
        booking::auth::SessionKeys::from_secret(b"test secret test secret test sec"),
        base.clone(),
        QueueEvents::start(&test_db.db).await.unwrap(),
    );
    let router = booking::api::router(app.clone()).merge(web::router(app.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Site {
        app,
        base,
        client,
        _db: test_db,
    }
}

async fn a_reschedule_in_the_wrong_offset_is_a_plain_message_on_the_page(store: Store) {
    let s = site(store).await;
    let services: Value = s
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let passport = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap()
        .clone();
    let booked: Value = s
        .client
        .post(format!("{}/api/v1/tenants/voorbeeld/appointments", s.base))
        .json(
            &json!({"service_id": passport["id"], "start": START, "name": "Jan",
                      "email": "jan@example.nl"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = booked["token"].as_str().unwrap();
    let url = format!("{}/a/{token}/verzetten", s.base);
    // Monday 30 March is in summer time (+02:00); +01:00 is a time the page never offered.
    for (start, day) in [
        ("2026-03-30T09:00:00+01:00", "2026-03-30"),
        ("2026-03-30T09:00:00+02:00[Mars/Olympus]", "2026-03-30"),
        ("2026-03-30T09:00:00+25:00", "2026-03-30"),
    ] {
        let response = s
            .client
            .post(&url)
            .form(&[("start", start), ("day", day)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{start}"
        );
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Deze tijd kan niet worden gekozen. Kies een tijd uit de lijst."),
            "{start}: {page}"
        );
        for parser_words in ["RFC 3339", "offset", "parse", "Mars"] {
            assert!(!page.contains(parser_words), "{start}: {parser_words}");
        }
    }
    // Without a day to show, back to the day list; still no error.
    let response = s
        .client
        .post(&url)
        .form(&[("start", "2026-03-30T09:00:00+01:00"), ("day", "maandag")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The appointment is unchanged.
    let shown = s
        .client
        .get(format!("{}/api/v1/personal/{token}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(shown["start"], START, "{shown}");
}

async fn the_municipalitys_phone_and_introduction_are_on_its_pages(store: Store) {
    use booking::usecases::admin::settings::{update_settings, SettingsInput};
    let s = site(store).await;
    let tenant = booking::usecases::booking::municipality(&s.app, "voorbeeld")
        .await
        .unwrap();
    let page = |path: &str| {
        let url = format!("{}{path}", s.base);
        let client = s.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    // No number of its own yet: the government's general line stands in (issue 16 item 10).
    let before = page("/voorbeeld").await;
    assert!(before.contains("href=\"tel:1400\""), "{before}");
    assert!(!before.contains("tel:14030"), "{before}");
    let mut input = SettingsInput::of(&tenant);
    input.phone = "14 030".into();
    input.intro_nl = "Welkom <b>bij</b> ons.".into();
    input.intro_en = "Welcome.".into();
    input.opening_hours = "Ma-vr 9:00-17:00".into();
    update_settings(&s.app, tenant.id, &input).await.unwrap();
    let start = page("/voorbeeld").await;
    assert!(
        start.contains(r#"<a href="tel:14030">14 030</a>"#),
        "{start}"
    );
    assert!(start.contains("Bel ons: "), "{start}");
    assert!(
        start.contains("Welkom &lt;b&gt;bij&lt;/b&gt; ons."),
        "escaped: {start}"
    );
    assert!(start.contains("Ma-vr 9:00-17:00"), "{start}");
    let english = page("/voorbeeld?lang=en").await;
    assert!(english.contains("Welcome."), "{english}");
    assert!(english.contains("Call us: "), "{english}");
    let services = booking::usecases::booking::offered_services(&s.app, tenant.id)
        .await
        .unwrap();
    let booking_page = page(&format!("/voorbeeld/{}", services[0].id)).await;
    assert!(
        booking_page.contains(r#"href="tel:14030""#),
        "on every resident page"
    );
}
