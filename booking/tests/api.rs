//! The JSON API against real SQLite and PostgreSQL: the booking lifecycle, bad input, races
//! and access rules. Every test runs once per store.

#[macro_use]
mod common;

use common::{spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1); the DST change is on Sunday the 29th.
const NOW: &str = "2026-03-20T09:00:00Z";

on_both_stores!(
    booking_lifecycle,
    bad_input_gets_problem_json,
    fifty_concurrent_bookings_one_winner,
    staff_access_is_scoped,
    room_tokens_go_to_the_resident_and_the_assigned_clerk,
    day_list_views_are_logged_once_per_clerk_and_day,
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

async fn book(t: &TestApp, service: &Value, start: &str, name: &str) -> reqwest::Response {
    t.client
        .post(format!("{}/api/v1/tenants/voorbeeld/appointments", t.base))
        .json(&json!({"service_id": service["id"], "start": start, "name": name, "email": "jan@example.nl", "phone": "06 12345678"}))
        .send()
        .await
        .unwrap()
}

async fn slots(t: &TestApp, service: &Value, day: &str) -> Vec<Value> {
    let url = format!(
        "{}/api/v1/tenants/voorbeeld/services/{}/slots?from={day}&to={day}",
        t.base,
        service["id"].as_str().unwrap()
    );
    let resp = t.client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json::<Vec<Value>>().await.unwrap()
}

async fn booking_lifecycle(store: Store) {
    let (t, passport) = demo(store).await;

    // Friday 27 March is still winter time: 09:00 local is 08:00 UTC.
    let friday = slots(&t, &passport, "2026-03-27").await;
    assert_eq!(friday[0]["start"], "2026-03-27T09:00:00+01:00");
    assert_eq!(friday[0]["free_clerks"], 2);
    // 20 minutes + 10 buffer within 09:00-17:00, every 15 minutes: last start 16:30.
    assert_eq!(friday.last().unwrap()["start"], "2026-03-27T16:30:00+01:00");

    let resp = book(&t, &passport, "2026-03-27T09:00:00+01:00", "Jan de Vries").await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booked: Value = resp.json().await.unwrap();
    let token = booked["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 43, "at least 256 bits in base64");
    assert_eq!(booked["personal_link"], format!("{}/a/{token}", t.base));
    assert_eq!(
        booked["appointment"]["when"],
        "vrijdag 27 maart 2026 om 09:00"
    );

    // One clerk is now busy at 09:00, and through the buffer also at 09:15.
    let after = slots(&t, &passport, "2026-03-27").await;
    assert_eq!(after[0]["free_clerks"], 1);
    assert_eq!(after[1]["free_clerks"], 1);
    assert_eq!(after[2]["free_clerks"], 2);

    // The database keeps only a hash of the personal link.
    let hash_stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE link_hash = $1")
            .bind(
                booking::domain::personal_link::PersonalToken::parse(&token)
                    .unwrap()
                    .hash(),
            )
            .fetch_one(&t.app.db().pool)
            .await
            .unwrap();
    assert_eq!(hash_stored, 1);
    let plain_stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE link_hash = $1")
            .bind(&token)
            .fetch_one(&t.app.db().pool)
            .await
            .unwrap();
    assert_eq!(plain_stored, 0);

    // The mail with the invite was written.
    assert_eq!(common::mails_written(&t, 1).await, 1);

    let personal = format!("{}/api/v1/personal/{token}", t.base);
    let read: Value = t
        .client
        .get(&personal)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["status"], "booked");
    assert_eq!(read["sequence"], 0);

    let ics = t
        .client
        .get(format!("{personal}/invite.ics"))
        .send()
        .await
        .unwrap();
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar; method=REQUEST"));
    let ics = ics.text().await.unwrap();
    assert!(ics.contains("DTSTART:20260327T080000Z"));

    // Reschedule across the DST change: Monday 09:00 is 07:00 UTC.
    let moved = t
        .client
        .post(format!("{personal}/reschedule"))
        .json(&json!({"start": "2026-03-30T09:00:00+02:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["sequence"], 1);
    assert_eq!(moved["start"], "2026-03-30T09:00:00+02:00");
    assert_eq!(
        slots(&t, &passport, "2026-03-27").await[0]["free_clerks"],
        2,
        "old time freed"
    );
    assert_eq!(
        slots(&t, &passport, "2026-03-30").await[0]["free_clerks"],
        1,
        "new time taken"
    );
    let ics = t
        .client
        .get(format!("{personal}/invite.ics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ics.contains("SEQUENCE:1") && ics.contains("DTSTART:20260330T070000Z"));

    let cancelled = t
        .client
        .post(format!("{personal}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["sequence"], 2);
    assert_eq!(
        slots(&t, &passport, "2026-03-30").await[0]["free_clerks"],
        2,
        "time freed"
    );
    let again = t
        .client
        .post(format!("{personal}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let ics = t
        .client
        .get(format!("{personal}/invite.ics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("METHOD:CANCEL")
            && ics.contains(&format!(
                "UID:{}@videoloket",
                booked["appointment"]["id"].as_str().unwrap()
            ))
    );
    assert_eq!(
        common::mails_written(&t, 3).await,
        3,
        "booked, moved, cancelled"
    );
}

async fn problem(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

async fn bad_input_gets_problem_json(store: Store) {
    let (t, passport) = demo(store).await;
    let url = format!("{}/api/v1/tenants/voorbeeld/appointments", t.base);
    let post = |body: String| {
        t.client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    problem(
        post("{not json".into()).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        post(json!({"start": "x"}).to_string()).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let body = |service: &Value, start: &str, name: &str, email: &str| {
        json!({"service_id": service, "start": start, "name": name, "email": email}).to_string()
    };
    let ok_start = "2026-03-27T09:00:00+01:00";
    problem(
        post(body(
            &json!(uuid::Uuid::new_v4()),
            ok_start,
            "Jan",
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        post(body(
            &json!("not-a-uuid"),
            ok_start,
            "Jan",
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let past = problem(
        post(body(
            &passport["id"],
            "2026-03-19T09:00:00+01:00",
            "Jan",
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(past["field"], "/start");
    assert!(past["detail"].as_str().unwrap().contains("voorbij"));
    let email = problem(
        post(body(&passport["id"], ok_start, "Jan", "jan@example"))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(email["field"], "/email");
    let name = problem(
        post(body(
            &passport["id"],
            ok_start,
            &"x".repeat(101),
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(name["field"], "/name");
    let odd = problem(
        post(body(
            &passport["id"],
            "2026-03-27T09:07:00+01:00",
            "Jan",
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(odd["field"], "/start");
    let sunday = problem(
        post(body(
            &passport["id"],
            "2026-03-29T10:00:00+02:00",
            "Jan",
            "jan@example.nl",
        ))
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(sunday["field"], "/start");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(100_000));
    assert_eq!(
        post(huge).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Two clerks: the third booking of one time is 409.
    for who in ["A", "B"] {
        assert_eq!(
            book(&t, &passport, ok_start, who).await.status(),
            StatusCode::CREATED
        );
    }
    let taken = problem(
        book(&t, &passport, ok_start, "C").await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(taken["type"].as_str().unwrap().ends_with("slot-taken"));
    assert_eq!(
        t.app
            .db()
            .count_booked(t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id)
            .await
            .unwrap(),
        2,
        "nothing half-written"
    );

    // Wrong personal tokens: all plain 404, no hint.
    let fake = booking::domain::personal_link::PersonalToken::generate();
    for token in [fake.as_str(), "short", "%00"] {
        let resp = t
            .client
            .get(format!("{}/api/v1/personal/{token}", t.base))
            .send()
            .await
            .unwrap();
        let body = problem(resp, StatusCode::NOT_FOUND).await;
        assert_eq!(
            body["detail"],
            "Dit is niet gevonden. Controleer de link of het adres."
        );
    }
    problem(
        t.client
            .get(format!("{}/api/v1/tenants/nowhere/services", t.base))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let range = format!(
        "{}/api/v1/tenants/voorbeeld/services/{}/slots?from=2026-03-01&to=2026-12-01",
        t.base,
        passport["id"].as_str().unwrap()
    );
    problem(
        t.client.get(range).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let no_query = format!(
        "{}/api/v1/tenants/voorbeeld/services/{}/slots",
        t.base,
        passport["id"].as_str().unwrap()
    );
    problem(
        t.client.get(no_query).send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    // Dates at the edge of the calendar hold no slots, and must not break date arithmetic.
    for day in ["9999-12-31", "-009999-01-01"] {
        assert!(slots(&t, &passport, day).await.is_empty(), "{day}");
    }
    let far = book(&t, &passport, "9999-12-31T09:00:00+01:00", "Ver Weg").await;
    assert!(far.status().is_client_error(), "{}", far.status());
}

async fn fifty_concurrent_bookings_one_winner(store: Store) {
    use booking::domain::catalog::{Clerk, Service};
    use booking::domain::ids::{ClerkId, ServiceId};
    use booking::domain::staff::StaffRole;

    let t = spawn(store, ts(NOW), None).await;
    let mut tenant = booking::demo::demo_tenant();
    tenant.slug = booking::domain::tenant::Slug::parse("een-loket").unwrap();
    t.app.db().save_tenant(&tenant).await.unwrap();
    let service = Service {
        id: ServiceId::new(),
        tenant_id: tenant.id,
        name: "Rijbewijs".into(),
        description: String::new(),
        duration_minutes: 30,
        buffer_minutes: 0,
        active: true,
        party: Default::default(),
    };
    t.app.db().save_service(&service).await.unwrap();
    let clerk = Clerk {
        id: ClerkId::new(),
        tenant_id: tenant.id,
        name: "Enige".into(),
        email: "enige@example.nl".into(),
        role: StaffRole::Clerk,
        services: vec![service.id],
    };
    t.app.db().create_clerk(&clerk, "x").await.unwrap();
    t.app
        .db()
        .set_opening_hours(clerk.id, &booking::demo::office_hours())
        .await
        .unwrap();

    let url = format!("{}/api/v1/tenants/een-loket/appointments", t.base);
    let requests = (0..50).map(|i| {
        let (client, url) = (t.client.clone(), url.clone());
        let body = json!({"service_id": service.id, "start": "2026-03-27T10:00:00+01:00", "name": format!("Bewoner {i}"), "email": format!("b{i}@example.nl")});
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().status() })
    });
    let statuses: Vec<StatusCode> = futures_join(requests).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 49), "statuses: {statuses:?}");
    assert_eq!(t.app.db().count_booked(tenant.id).await.unwrap(), 1);
    let reservations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clerk_reservations")
        .fetch_one(&t.app.db().pool)
        .await
        .unwrap();
    assert_eq!(reservations, 6, "30 minutes = six 5-minute units, once");
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

async fn staff_access_is_scoped(store: Store) {
    let (t, passport) = demo(store).await;
    let api = |path: &str| format!("{}/api/v1{path}", t.base);
    problem(
        t.client
            .get(api("/staff/appointments"))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let login = |email: &str, password: &str| {
        t.client
            .post(api("/auth/login"))
            .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
            .send()
    };
    problem(
        login("anna@voorbeeld.nl", "wrong").await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        login("nobody@voorbeeld.nl", "welkom-anna").await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let ok = login("anna@voorbeeld.nl", "welkom-anna").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    let booked: Value = book(&t, &passport, "2026-03-20T14:00:00+01:00", "Jan")
        .await
        .json()
        .await
        .unwrap();
    let today: Vec<Value> = t
        .client
        .get(api("/staff/appointments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(today.len(), 1);
    assert_eq!(today[0]["name"], "Jan");
    let id = booked["appointment"]["id"].as_str().unwrap();
    assert_eq!(
        t.client
            .get(api(&format!("/staff/appointments/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // A clerk is not an admin.
    problem(
        t.client.get(api("/admin/settings")).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;

    // An appointment of another municipality is invisible.
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    t.app.db().save_tenant(&other).await.unwrap();
    let service = booking::domain::catalog::Service {
        id: booking::domain::ids::ServiceId::new(),
        tenant_id: other.id,
        name: "Elders".into(),
        description: String::new(),
        duration_minutes: 30,
        buffer_minutes: 0,
        active: true,
        party: Default::default(),
    };
    t.app.db().save_service(&service).await.unwrap();
    let clerk = booking::domain::catalog::Clerk {
        id: booking::domain::ids::ClerkId::new(),
        tenant_id: other.id,
        name: "E".into(),
        email: "e@elders.nl".into(),
        role: booking::domain::staff::StaffRole::Clerk,
        services: vec![service.id],
    };
    t.app.db().create_clerk(&clerk, "x").await.unwrap();
    t.app
        .db()
        .set_opening_hours(clerk.id, &booking::demo::office_hours())
        .await
        .unwrap();
    let foreign: Value = t.client.post(api("/tenants/elders/appointments"))
        .json(&json!({"service_id": service.id, "start": "2026-03-20T14:00:00+01:00", "name": "Piet", "email": "piet@example.nl"}))
        .send().await.unwrap().json().await.unwrap();
    let foreign_id = foreign["appointment"]["id"].as_str().unwrap();
    problem(
        t.client
            .get(api(&format!("/staff/appointments/{foreign_id}")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // Tampered and expired sessions are refused.
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let fresh = reqwest::Client::new();
    let with_cookie = |value: String| {
        fresh
            .get(api("/staff/me"))
            .header("cookie", format!("videoloket_session={value}"))
            .send()
    };
    assert_eq!(
        with_cookie(token.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    let tampered = format!(
        "{}{}",
        &token[..token.len() - 2],
        if token.ends_with("xx") { "yy" } else { "xx" }
    );
    problem(
        with_cookie(tampered).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    t.app.clock.advance(jiff::SignedDuration::from_hours(11));
    problem(with_cookie(token).await.unwrap(), StatusCode::UNAUTHORIZED).await;

    // The admin may change settings, but not to colours residents cannot read.
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = admin.post(api("/auth/login")).json(&json!({"tenant": "voorbeeld", "email": "bram@voorbeeld.nl", "password": "welkom-bram"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut settings: Value = admin
        .get(api("/admin/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    settings["primary_colour"] = json!("#ffff00");
    let bad = admin
        .put(api("/admin/settings"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    settings["primary_colour"] = json!("#005a00");
    settings["tone"] = json!("je");
    let good: Value = admin
        .put(api("/admin/settings"))
        .json(&settings)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(good["tone"], "je");
    // An absence entered by the admin removes that clerk from the day's slots.
    let clerks: Vec<Value> = admin
        .get(api("/admin/clerks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let anna = clerks
        .iter()
        .find(|c| c["email"] == "anna@voorbeeld.nl")
        .unwrap();
    let absence = admin
        .post(api(&format!("/admin/clerks/{}/absences", anna["id"].as_str().unwrap())))
        .json(&json!({"start": "2026-03-27T00:00:00+01:00", "end": "2026-03-28T00:00:00+01:00", "reason": "ziek"}))
        .send()
        .await
        .unwrap();
    assert_eq!(absence.status(), StatusCode::NO_CONTENT);
    let friday = slots(&t, &passport, "2026-03-27").await;
    assert!(
        friday.iter().all(|s| s["free_clerks"] == 1),
        "only Bram works that Friday"
    );
    assert_eq!(
        slots(&t, &passport, "2026-03-30").await[0]["free_clerks"],
        2
    );
    let view: Value = t
        .client
        .get(api("/tenants/voorbeeld"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["primary_colour"], "#005a00");
}

async fn room_tokens_go_to_the_resident_and_the_assigned_clerk(store: Store) {
    let (t, passport) = demo(store).await;
    let api = |path: &str| format!("{}/api/v1{path}", t.base);
    // Today 14:00 local (13:00 UTC); now is 09:00 UTC.
    let booked: Value = book(&t, &passport, "2026-03-20T14:00:00+01:00", "Jan")
        .await
        .json()
        .await
        .unwrap();
    let token = booked["token"].as_str().unwrap();
    let id = booked["appointment"]["id"].as_str().unwrap();

    let early = t
        .client
        .post(api(&format!("/personal/{token}/room-token")))
        .send()
        .await
        .unwrap();
    let early = problem(early, StatusCode::CONFLICT).await;
    assert!(early["detail"]
        .as_str()
        .unwrap()
        .contains("open om 2026-03-20T12:45:00Z"));

    t.app
        .clock
        .advance(jiff::SignedDuration::from_mins(3 * 60 + 50)); // 12:50 UTC
    let ticket: Value = t
        .client
        .post(api(&format!("/personal/{token}/room-token")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["room"], id);
    assert_eq!(ticket["signaling_path"], "/ws");
    let grant: Value = serde_json::from_str(ticket["token"].as_str().unwrap()).unwrap();
    assert_eq!(grant["role"], "resident");
    assert_eq!(grant["name"], "Jan");
    assert_eq!(grant["tenant"], "voorbeeld");
    assert_eq!(grant["nbf"], ts("2026-03-20T12:45:00Z").as_second());
    assert_eq!(grant["exp"], ts("2026-03-20T13:50:00Z").as_second());
    let bad = booking::domain::personal_link::PersonalToken::generate();
    problem(
        t.client
            .post(api(&format!("/personal/{}/room-token", bad.as_str())))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // Clerks: no session -> 401; the assigned clerk gets a clerk grant; the other clerk is refused.
    problem(
        t.client
            .post(api(&format!("/staff/appointments/{id}/room-token")))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let assigned = t
        .app
        .db()
        .appointment(
            t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id,
            id.parse().unwrap(),
        )
        .await
        .unwrap()
        .clerk_id;
    let clerks = t
        .app
        .db()
        .clerks(t.app.db().tenant_by_slug("voorbeeld").await.unwrap().id)
        .await
        .unwrap();
    let mut outcomes = Vec::new();
    for login in &booking::demo::DEMO_LOGINS {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(api("/auth/login"))
            .json(&json!({"tenant": "voorbeeld", "email": login.email, "password": login.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let resp = client
            .post(api(&format!("/staff/appointments/{id}/room-token")))
            .send()
            .await
            .unwrap();
        let me = clerks.iter().find(|c| c.email == login.email).unwrap();
        if me.id == assigned {
            let ticket: Value = resp.json().await.unwrap();
            let grant: Value = serde_json::from_str(ticket["token"].as_str().unwrap()).unwrap();
            assert_eq!(
                (grant["role"].as_str(), grant["participant"].as_str()),
                (Some("clerk"), Some(me.id.to_string().as_str()))
            );
            outcomes.push("granted");
        } else {
            problem(resp, StatusCode::FORBIDDEN).await;
            outcomes.push("refused");
        }
    }
    outcomes.sort();
    assert_eq!(outcomes, ["granted", "refused"]);
}

/// The resident's access log through the personal link.
async fn access_log(t: &TestApp, token: &str) -> Vec<Value> {
    let resp = t
        .client
        .get(format!("{}/api/v1/personal/{token}/access-log", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// A client with its own cookie jar, logged in.
async fn staff_client(t: &TestApp, tenant: &str, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": tenant, "email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    client
}

async fn day_list(t: &TestApp, clerk: &reqwest::Client, query: &str) -> Vec<Value> {
    let resp = clerk
        .get(format!("{}/api/v1/staff/appointments{query}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn day_list_views_are_logged_once_per_clerk_and_day(store: Store) {
    let (t, passport) = demo(store).await;
    let token = |v: Value| v["token"].as_str().unwrap().to_string();
    let jan = token(
        book(&t, &passport, "2026-03-20T14:00:00+01:00", "Jan")
            .await
            .json()
            .await
            .unwrap(),
    );
    let piet = token(
        book(&t, &passport, "2026-03-20T15:00:00+01:00", "Piet")
            .await
            .json()
            .await
            .unwrap(),
    );
    let monday = token(
        book(&t, &passport, "2026-03-23T09:00:00+01:00", "Maandag")
            .await
            .json()
            .await
            .unwrap(),
    );
    let anna = staff_client(&t, "voorbeeld", "anna@voorbeeld.nl", "welkom-anna").await;

    // The clerk's list of today: one entry per appointment shown, in plain Dutch.
    let today = day_list(&t, &anna, "").await;
    assert_eq!(today.len(), 2);
    for resident in [&jan, &piet] {
        let log = access_log(&t, resident).await;
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0]["action"], "viewed_day_list");
        assert_eq!(
            log[0]["sentence"],
            "Op 20 maart om 10:00 zag een medewerker van de gemeente uw afspraak in de lijst \
             met afspraken van die dag."
        );
    }
    assert!(
        access_log(&t, &monday).await.is_empty(),
        "not shown, not logged"
    );

    // Looking again the same day, also by date, adds nothing.
    day_list(&t, &anna, "").await;
    day_list(&t, &anna, "?date=2026-03-20").await;
    t.app.clock.advance(jiff::SignedDuration::from_hours(8));
    day_list(&t, &anna, "").await;
    assert_eq!(access_log(&t, &jan).await.len(), 1);
    assert_eq!(access_log(&t, &piet).await.len(), 1);

    // Another day's list logs that day's appointments.
    assert_eq!(day_list(&t, &anna, "?date=2026-03-23").await.len(), 1);
    assert_eq!(access_log(&t, &monday).await.len(), 1);

    // Another clerk is another line; the next day is another line.
    let bram = staff_client(&t, "voorbeeld", "bram@voorbeeld.nl", "welkom-bram").await;
    day_list(&t, &bram, "?date=2026-03-20").await;
    assert_eq!(access_log(&t, &jan).await.len(), 2);
    t.app.clock.advance(jiff::SignedDuration::from_hours(16));
    // A session lasts a working day: the next morning the clerk logs in again.
    let anna = staff_client(&t, "voorbeeld", "anna@voorbeeld.nl", "welkom-anna").await;
    day_list(&t, &anna, "?date=2026-03-20").await;
    let log = access_log(&t, &jan).await;
    assert_eq!(log.len(), 3);
    assert!(log[2]["sentence"]
        .as_str()
        .unwrap()
        .starts_with("Op 21 maart om 10:00"));
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM access_log")
            .fetch_one(&t.app.db().pool)
            .await
            .unwrap(),
        3 + 3 + 1,
        "Jan and Piet as Jan, Maandag once, nothing else"
    );

    // Another municipality's clerk neither sees nor logs these appointments.
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    t.app.db().save_tenant(&other).await.unwrap();
    let clerk = booking::domain::catalog::Clerk {
        id: booking::domain::ids::ClerkId::new(),
        tenant_id: other.id,
        name: "E".into(),
        email: "e@elders.nl".into(),
        role: booking::domain::staff::StaffRole::Clerk,
        services: vec![],
    };
    let hash = booking::auth::hash_password("welkom-elders").unwrap();
    t.app.db().create_clerk(&clerk, &hash).await.unwrap();
    let elders = staff_client(&t, "elders", "e@elders.nl", "welkom-elders").await;
    assert!(day_list(&t, &elders, "?date=2026-03-20").await.is_empty());
    assert!(day_list(&t, &elders, "?date=2026-03-23").await.is_empty());
    assert_eq!(access_log(&t, &jan).await.len(), 3);
    assert_eq!(access_log(&t, &monday).await.len(), 1);
}
