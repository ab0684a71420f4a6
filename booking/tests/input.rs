//! Hostile but plausible input against the real API on SQLite and PostgreSQL (issue 14): text
//! with control characters and line breaks, NUL, start times that are not RFC 3339, malformed
//! bodies, and values stored before any of this was checked.

#[macro_use]
mod common;

use booking::domain::appointment::{reservation_units, Appointment, AppointmentStatus, Resident};
use booking::domain::email::Email;
use booking::domain::ids::AppointmentId;
use booking::domain::personal_link::PersonalToken;
use booking::store::NewAppointment;
use common::{mail_dir, spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";
const START: &str = "2026-03-27T09:00:00+01:00";

on_both_stores!(
    control_characters_are_refused_and_nothing_is_written,
    a_nul_in_the_address_is_not_found,
    stored_line_breaks_never_cost_the_resident_the_link,
    start_times_are_strict_rfc_3339_in_the_municipalitys_offset,
    body_errors_are_plain_words_in_the_clients_language,
    refusals_are_written_for_people_in_dutch_and_english_at_a_json_pointer,
);

async fn demo(store: Store) -> (TestApp, Value) {
    let t = spawn(store, ts(NOW), None).await;
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let services: Value = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
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
    (t, passport)
}

async fn post(t: &TestApp, path: &str, body: Value) -> reqwest::Response {
    t.client
        .post(format!("{}/api/v1{path}", t.base))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn problem(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let text = resp.text().await.unwrap();
    assert!(
        !text.chars().any(|c| c.is_control()),
        "a problem echoed a control character: {text:?}"
    );
    serde_json::from_str(&text).unwrap()
}

fn booking(service: &Value, start: &str, name: &str) -> Value {
    json!({"service_id": service["id"], "start": start, "name": name,
           "email": "jan@example.nl", "phone": "06-12345678"})
}

async fn control_characters_are_refused_and_nothing_is_written(store: Store) {
    let (t, passport) = demo(store).await;
    for name in [
        "Jan\nORGANIZER:mailto:evil@example.org",
        "Jan\rVries",
        "Jan\u{0}Vries",
        "Jan\u{7}Vries",
        "Jan\u{1b}[31mVries",
        "Jan\u{9b}Vries",
    ] {
        let p = problem(
            post(
                &t,
                "/tenants/voorbeeld/appointments",
                booking(&passport, START, name),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], "/name", "{name:?}");
        for (path, body) in [
            (
                "/tenants/voorbeeld/walk-ins",
                json!({"service_id": passport["id"], "name": name}),
            ),
            (
                "/tenants/voorbeeld/callbacks",
                json!({"service_id": passport["id"], "name": name, "phone": "0612345678", "part_of_day": "morning"}),
            ),
        ] {
            let resp = post(&t, path, body).await;
            let p = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(p["field"], "/name", "{path} {name:?}");
        }
    }
    let mut note = booking(&passport, START, "Jan");
    note["note"] = json!("regel\u{0}");
    let p = problem(
        post(&t, "/tenants/voorbeeld/appointments", note).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/note");
    // Nothing was written: the slot is still free for a name from anywhere.
    let resp = post(
        &t,
        "/tenants/voorbeeld/appointments",
        booking(&passport, START, "Zoë d'Ancona-Brontë محمد 🌷"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

async fn a_nul_in_the_address_is_not_found(store: Store) {
    let (t, passport) = demo(store).await;
    let resp = post(
        &t,
        "/tenants/%00/appointments",
        booking(&passport, START, "Jan"),
    )
    .await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let resp = post(
        &t,
        "/auth/login",
        json!({"tenant": "voor\u{0}beeld", "email": "anna\u{0}@voorbeeld.nl", "password": "x"}),
    )
    .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
}

async fn stored_line_breaks_never_cost_the_resident_the_link(store: Store) {
    let (t, passport) = demo(store).await;
    let db = t.app.db();
    // A municipality's name saved before names were parsed.
    let mut tenant = db.tenant_by_slug("voorbeeld").await.unwrap();
    tenant.name = "Gemeente\r\nBcc: evil@example.org".into();
    db.save_tenant(&tenant).await.unwrap();
    let resp = post(
        &t,
        "/tenants/voorbeeld/appointments",
        booking(&passport, START, "Jan"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booked: Value = resp.json().await.unwrap();
    assert!(
        booked.to_string().contains("/a/"),
        "the answer carries the link: {booked}"
    );

    // A resident's name stored before names were parsed; the cancel mail still goes out.
    let clerk = db.clerks(tenant.id).await.unwrap()[0].id;
    let token = PersonalToken::generate();
    let start = ts("2026-03-27T10:00:00Z");
    let appointment = Appointment {
        id: AppointmentId::new(),
        tenant_id: tenant.id,
        service_id: passport["id"].as_str().unwrap().parse().unwrap(),
        clerk_id: clerk,
        start,
        end: start + jiff::SignedDuration::from_mins(30),
        status: AppointmentStatus::Booked,
        sequence: 0,
        resident: Resident {
            name: "Jan\r\nORGANIZER:mailto:evil@example.org\u{7}".into(),
            contact: booking::domain::appointment::Contact::Email(
                Email::parse("jan@example.nl").unwrap(),
            ),
            note: Some("oud\r\nBcc: x".into()),
            language: None,
        },
        code: booking::domain::booking_code::BookingCode::generate(),
        created_at: ts(NOW),
    };
    db.insert_appointment(
        &NewAppointment {
            appointment,
            link_hash: token.hash(),
            units: reservation_units(start, start + jiff::SignedDuration::from_mins(30)),
        },
        ts(NOW),
    )
    .await
    .unwrap();
    let resp = t
        .client
        .post(format!(
            "{}/api/v1/personal/{}/cancel",
            t.base,
            token.as_str()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut mails = 0;
    common::mails_written(&t, 2).await;
    for entry in std::fs::read_dir(mail_dir(&t)).unwrap() {
        let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc")), "{headers}");
        assert!(!raw.contains("\r\nORGANIZER:mailto:evil"), "{raw}");
        mails += 1;
    }
    assert_eq!(
        mails, 2,
        "the booking and the cancellation were both mailed"
    );
}

async fn start_times_are_strict_rfc_3339_in_the_municipalitys_offset(store: Store) {
    let (t, passport) = demo(store).await;
    for start in [
        "2026-03-27T09:00:00+25:00",
        "2026-03-27T09:00:00+01:00[Mars/Olympus]",
        "2026-03-27T09:00:00+01:00[!Mars/Olympus]",
        "2026-03-27T09:00:00+01:00[Europe/Amsterdam]",
    ] {
        let p = problem(
            post(
                &t,
                "/tenants/voorbeeld/appointments",
                booking(&passport, start, "Jan"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], "/start", "{start}");
    }
    // The same instant in another offset: refused, saying which offset was expected.
    for start in ["2026-03-27T08:00:00Z", "2026-03-27T10:00:00+02:00"] {
        let p = problem(
            post(
                &t,
                "/tenants/voorbeeld/appointments",
                booking(&passport, start, "Jan"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], "/start");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("2026-03-27T09:00:00+01:00"),
            "{p}"
        );
    }
    let resp = post(
        &t,
        "/tenants/voorbeeld/appointments",
        booking(&passport, START, "Jan"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booked: Value = resp.json().await.unwrap();
    let token = booked["token"].as_str().unwrap().to_string();
    for start in [
        "2026-03-30T09:00:00+02:00[Mars/Olympus]",
        "2026-03-30T09:00:00+02:00[!Mars/Olympus]",
        "2026-03-30T09:00:00+26:00",
        "2026-03-30T08:00:00+01:00",
    ] {
        let p = problem(
            post(
                &t,
                &format!("/personal/{token}/reschedule"),
                json!({"start": start}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], "/start", "{start}");
    }
}

async fn body_errors_are_plain_words_in_the_clients_language(store: Store) {
    let (t, passport) = demo(store).await;
    let url = format!("{}/api/v1/tenants/voorbeeld/appointments", t.base);
    let send = |body: String, language: Option<&'static str>| {
        let mut request = t
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(l) = language {
            request = request.header("accept-language", l);
        }
        request.send()
    };
    let p = problem(
        send("{}".into(), None).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/service_id");
    assert_eq!(p["detail"], "Vul het veld service_id in");
    let p = problem(
        send("{}".into(), Some("en-GB,en;q=0.9")).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["detail"], "Fill in service_id");
    let p = problem(
        send(r#"{"service_id": 5}"#.into(), Some("en"))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/service_id");
    for (body, status) in [
        ("[]", StatusCode::UNPROCESSABLE_ENTITY),
        ("{not json", StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
    ] {
        let p = problem(send(body.into(), None).await.unwrap(), status).await;
        let detail = p["detail"].as_str().unwrap();
        for parser_words in ["line", "column", "BookingBody", "deserialize", "expected"] {
            assert!(!detail.contains(parser_words), "{body}: {detail}");
        }
    }
    let p = problem(
        send(
            json!({"service_id": passport["id"], "start": START, "name": "Jan",
                   "email": "jan\r\n@example.nl\u{7}"})
            .to_string(),
            None,
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "/email");
}

async fn refusals_are_written_for_people_in_dutch_and_english_at_a_json_pointer(store: Store) {
    let (t, passport) = demo(store).await;
    let id = passport["id"].as_str().unwrap();
    let with = |overrides: Value| {
        let mut body = booking(&passport, START, "Jan");
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let appointments = "/api/v1/tenants/voorbeeld/appointments";
    let callbacks = "/api/v1/tenants/voorbeeld/callbacks";
    let slots = format!("/api/v1/tenants/voorbeeld/services/{id}/slots?from=morgen&to=2026-03-27");
    let cases: Vec<(Option<Value>, String, &str, &str)> = vec![
        (
            Some(with(json!({"name": "Jan\u{7}Vries"}))),
            appointments.into(),
            "/name",
            "stuurteken",
        ),
        (
            Some(with(json!({"name": "  "}))),
            appointments.into(),
            "/name",
            "leeg",
        ),
        (
            Some(with(json!({"email": "jan@"}))),
            appointments.into(),
            "/email",
            "e-mailadres",
        ),
        (
            Some(with(json!({"phone": "bel me"}))),
            appointments.into(),
            "/phone",
            "telefoonnummer",
        ),
        (
            Some(with(json!({"start": "2026-03-27T10:00:00+02:00"}))),
            appointments.into(),
            "/start",
            "tijdzone van de gemeente",
        ),
        (
            Some(with(
                json!({"start": "2026-03-27T09:00:00+01:00[Mars/Olympus]"}),
            )),
            appointments.into(),
            "/start",
            "RFC 3339",
        ),
        (
            Some(with(json!({"start": "2026-03-19T09:00:00+01:00"}))),
            appointments.into(),
            "/start",
            "voorbij",
        ),
        (
            Some(with(
                json!({"consents": [{"source": "kadaster", "choice": "self"}]}),
            )),
            appointments.into(),
            "/consents/0/source",
            "geen bron",
        ),
        (
            Some(
                json!({"service_id": id, "name": "Jan", "phone": "0612345678", "part_of_day": "nacht"}),
            ),
            callbacks.into(),
            "/part_of_day",
            "ochtend",
        ),
        (None, slots, "/from", "datum"),
    ];
    for (body, path, pointer, dutch_word) in cases {
        let mut details = Vec::new();
        for language in ["nl-NL,nl;q=0.9", "en-GB,en;q=0.8"] {
            let request = match &body {
                Some(body) => t.client.post(format!("{}{path}", t.base)).json(body),
                None => t.client.get(format!("{}{path}", t.base)),
            };
            let p = problem(
                request
                    .header("accept-language", language)
                    .send()
                    .await
                    .unwrap(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(p["field"], pointer, "{path} {body:?}: {p}");
            let detail = p["detail"].as_str().unwrap().to_string();
            for parser_words in [
                "line ",
                "column",
                "deserialize",
                "expected",
                "invalid type",
                "Error",
            ] {
                assert!(!detail.contains(parser_words), "{detail}");
            }
            assert!(detail.ends_with('.'), "a sentence: {detail}");
            details.push(detail);
        }
        assert!(details[0].contains(dutch_word), "{pointer}: {}", details[0]);
        assert_ne!(
            details[0], details[1],
            "{pointer}: Dutch and English differ"
        );
    }
}
