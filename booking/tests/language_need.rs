//! Issue 21, the language or interpreter a resident needs, on real SQLite and PostgreSQL: given
//! in the JSON booking (by the resident or by a clerk for a caller), shown to the clerk through
//! the staff API and the work lists' use case (`desk::along`), refused with plain words at
//! `/language` when too long, over two lines or with a control character (nothing booked), and
//! erased with the resident's other data, by retention or at the resident's request.

#[macro_use]
mod common;

use booking::usecases::desk;
use common::{spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";
const START: &str = "2026-03-27T09:00:00+01:00";
const LATER: &str = "2026-03-27T11:00:00+01:00";

on_both_stores!(
    a_language_need_booked_by_json_reaches_the_clerk,
    a_wrong_language_need_is_refused_in_plain_words_and_nothing_is_booked,
    retention_erases_the_language_need_with_the_residents_data,
);

struct Demo {
    t: TestApp,
    passport: Value,
    anna: reqwest::Client,
}

impl Demo {
    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.t.base)
    }

    async fn book(&self, start: &str, name: &str, language: Option<&str>) -> reqwest::Response {
        let mut body = json!({"service_id": self.passport["id"], "start": start, "name": name,
            "email": "inwoner@example.nl"});
        if let Some(language) = language {
            body["language"] = json!(language);
        }
        self.t
            .client
            .post(self.api("/tenants/voorbeeld/appointments"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn staff_get(&self, path: &str) -> Value {
        let resp = self.anna.get(self.api(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.json().await.unwrap()
    }

    /// What the clerk's work lists show in the "language or interpreter" column.
    async fn along(&self, id: &str) -> Option<desk::Along> {
        let id = id.parse().unwrap();
        desk::along(&self.t.app, &[id]).await.unwrap().remove(&id)
    }
}

async fn demo(store: Store) -> Demo {
    let t = spawn(store, ts(NOW), None).await;
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let services: Vec<Value> = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let passport = services
        .into_iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap();
    let anna = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = anna
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    Demo { t, passport, anna }
}

async fn created(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn problem(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    resp.json().await.unwrap()
}

async fn a_language_need_booked_by_json_reaches_the_clerk(store: Store) {
    let d = demo(store).await;
    // Trimmed and normalised like every typed text; accents and Arabic script stay.
    let booked = created(
        d.book(
            START,
            "Samira El Amrani",
            Some("  Arabisch (العربية), tolk nodig "),
        )
        .await,
    )
    .await;
    let need = "Arabisch (العربية), tolk nodig";
    assert_eq!(booked["appointment"]["language"], need);
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();

    // Without a language need (left out or blank): none, and nothing in the column.
    let plain = created(d.book(LATER, "Jan de Vries", Some("   ")).await).await;
    assert_eq!(plain["appointment"]["language"], Value::Null);
    let plain_id = plain["appointment"]["id"].as_str().unwrap().to_string();

    // The clerk opens the appointment and the day list through the staff API.
    let opened = d.staff_get(&format!("/staff/appointments/{id}")).await;
    assert_eq!(opened["language"], need);
    let day: Vec<Value> =
        serde_json::from_value(d.staff_get("/staff/appointments?date=2026-03-27").await).unwrap();
    let line = |id: &str| day.iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(line(&id)["language"], need);
    assert_eq!(line(&plain_id)["language"], Value::Null);

    // The work lists' use case: the need beside the invited interpreters.
    let along = d.along(&id).await.expect("shown in the column");
    assert_eq!(along.language.as_deref(), Some(need));
    assert!(along.interpreters.is_empty());
    assert_eq!(d.along(&plain_id).await, None, "an empty column shows —");

    // The clerk invites an interpreter: both are shown.
    let resp = d
        .anna
        .post(d.api(&format!("/staff/appointments/{id}/interpreters")))
        .json(&json!({"name": "Tolk Tamara"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let along = d.along(&id).await.unwrap();
    assert_eq!(along.language.as_deref(), Some(need));
    assert_eq!(along.interpreters, vec!["Tolk Tamara".to_string()]);

    // A clerk booking for a caller on the phone gives it the same way.
    let slots: Vec<Value> = serde_json::from_value(
        d.staff_get(&format!(
            "/staff/services/{}/slots?from=2026-03-23&to=2026-03-23",
            d.passport["id"].as_str().unwrap()
        ))
        .await,
    )
    .unwrap();
    let by_phone = created(
        d.anna
            .post(d.api("/staff/bookings"))
            .json(
                &json!({"service_id": d.passport["id"], "start": slots[0]["start"],
                "name": "Beller", "phone": "06 11122233", "language": "Engels"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(by_phone["appointment"]["language"], "Engels");
    let by_phone_id = by_phone["appointment"]["id"].as_str().unwrap();
    assert_eq!(
        d.along(by_phone_id).await.unwrap().language.as_deref(),
        Some("Engels")
    );
}

async fn a_wrong_language_need_is_refused_in_plain_words_and_nothing_is_booked(store: Store) {
    let d = demo(store).await;
    let too_long = "Arabisch ".repeat(9) + "tolk";
    assert!(too_long.chars().count() > 80);
    for (language, dutch, english) in [
        (
            too_long.as_str(),
            "hoogstens 80 tekens",
            "at most 80 characters",
        ),
        ("Engels\u{7}", "stuurteken", "control character"),
        ("Engels\u{0}", "stuurteken", "control character"),
        ("Engels\ntolk nodig", "één regel", "one line"),
    ] {
        let mut details = Vec::new();
        for accept in ["nl-NL,nl;q=0.9", "en-GB,en;q=0.8"] {
            let body = json!({"service_id": d.passport["id"], "start": START, "name": "Jan",
                "email": "jan@example.nl", "language": language});
            let resp =
                d.t.client
                    .post(d.api("/tenants/voorbeeld/appointments"))
                    .header("accept-language", accept)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
            let p = problem(resp).await;
            assert_eq!(p["field"], "/language", "{language:?}: {p}");
            let detail = p["detail"].as_str().unwrap().to_string();
            assert!(
                !detail.chars().any(char::is_control),
                "no control character echoed: {detail:?}"
            );
            details.push(detail);
        }
        assert!(details[0].contains(dutch), "{language:?}: {}", details[0]);
        assert!(details[1].contains(english), "{language:?}: {}", details[1]);

        // The clerk's phone booking refuses it the same way.
        let p = problem(
            d.anna
                .post(d.api("/staff/bookings"))
                .json(&json!({"service_id": d.passport["id"], "start": START,
                    "name": "Beller", "phone": "06 11122233", "language": language}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(p["field"], "/language", "{p}");
    }
    // Not a string at all: refused as a wrong value, not booked.
    let resp =
        d.t.client
            .post(d.api("/tenants/voorbeeld/appointments"))
            .json(
                &json!({"service_id": d.passport["id"], "start": START, "name": "Jan",
            "email": "jan@example.nl", "language": ["Engels"]}),
            )
            .send()
            .await
            .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());

    // Nothing was written: the day is empty and the time is still free, also for 80 characters.
    let day = d.staff_get("/staff/appointments?date=2026-03-27").await;
    assert_eq!(day, json!([]));
    let eighty = "é".repeat(80);
    let booked = created(d.book(START, "Jan", Some(&eighty)).await).await;
    assert_eq!(booked["appointment"]["language"], eighty.as_str());
}

async fn retention_erases_the_language_need_with_the_residents_data(store: Store) {
    let d = demo(store).await;
    let booked = created(d.book(START, "Samira", Some("Tigrinya, tolk nodig")).await).await;
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();
    assert!(d.along(&id).await.is_some());

    // A resident who cancels and erases their own data takes the language need with it.
    let own = created(d.book(LATER, "Omar", Some("Somalisch")).await).await;
    let own_id = own["appointment"]["id"].as_str().unwrap().to_string();
    let token = own["token"].as_str().unwrap();
    for step in ["cancel", "erase"] {
        let resp =
            d.t.client
                .post(d.api(&format!("/personal/{token}/{step}")))
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{step}");
    }
    assert_eq!(
        d.along(&own_id).await,
        None,
        "erased at the resident's request"
    );

    // Past the municipality's retention period after the appointment.
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    d.t.app
        .clock
        .advance(jiff::SignedDuration::from_hours(24 * 200));
    assert_eq!(
        booking::usecases::retention::apply(&d.t.app).await.unwrap(),
        1
    );
    let stored =
        d.t.app
            .db()
            .appointment(tenant.id, id.parse().unwrap())
            .await
            .unwrap();
    assert_eq!(
        stored.resident.name,
        booking::domain::retention::ERASED_NAME
    );
    assert_eq!(stored.resident.language, None, "erased with the name");
    let raw: (Option<String>,) =
        sqlx::query_as("SELECT language_need FROM appointments WHERE id = $1")
            .bind(&id)
            .fetch_one(&d.t.app.db().pool)
            .await
            .unwrap();
    assert_eq!(raw.0, None);
    assert_eq!(d.along(&id).await, None, "the column shows —");
}
