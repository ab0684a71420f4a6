//! Issue 16 on real SQLite and PostgreSQL: booking with a phone number only, booking codes,
//! finding an appointment with code and phone or date (one answer for every mismatch, guesses
//! limited), and a clerk acting for a caller (book, move, cancel, resend, search), each in the
//! resident's access log and only within the clerk's services and municipality.

#[macro_use]
mod common;

use booking::auth::hash_password;
use booking::domain::booking_code::BookingCode;
use booking::domain::catalog::Clerk;
use booking::domain::ids::ClerkId;
use booking::domain::staff::StaffRole;
use common::{spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";

on_both_stores!(
    phone_only_booking_and_finding_it_again,
    guesses_are_limited_per_code,
    clerk_acts_for_a_caller_and_each_act_is_logged,
    clerks_of_other_services_or_municipalities_see_nothing,
);

struct Demo {
    t: TestApp,
    services: Vec<Value>,
}

impl Demo {
    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.t.base)
    }

    fn service(&self, prefix: &str) -> &Value {
        self.services
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with(prefix))
            .unwrap()
    }

    async fn clerk(&self, email: &str, password: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let resp = client
            .post(self.api("/auth/login"))
            .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        client
    }

    async fn access_log(&self, token: &str) -> Vec<Value> {
        let resp = self
            .t
            .client
            .get(self.api(&format!("/personal/{token}/access-log")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }

    async fn find(&self, body: Value) -> reqwest::Response {
        self.t
            .client
            .post(self.api("/tenants/voorbeeld/appointments/find"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

async fn demo_with(t: TestApp) -> Demo {
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let services = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Demo { t, services }
}

async fn demo(store: Store) -> Demo {
    demo_with(spawn(store, ts(NOW), None).await).await
}

async fn problem(resp: reqwest::Response, status: StatusCode) -> Value {
    let got = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

fn actions(log: &[Value]) -> Vec<String> {
    log.iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect()
}

async fn phone_only_booking_and_finding_it_again(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let book = |body: Value| {
        let url = d.api("/tenants/voorbeeld/appointments");
        let client = d.t.client.clone();
        async move { client.post(url).json(&body).send().await.unwrap() }
    };
    // Neither e-mail nor phone: a plain 422 at /email, nothing booked.
    let refused = problem(
        book(json!({"service_id": passport["id"], "start": "2026-03-20T14:00:00+01:00", "name": "Jan"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["field"], "/email", "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("mobiel nummer"),
        "{refused}"
    );
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    assert_eq!(d.t.app.db().count_booked(tenant.id).await.unwrap(), 0);

    // A phone number alone is enough.
    let resp = book(
        json!({"service_id": passport["id"], "start": "2026-03-20T14:00:00+01:00",
        "name": "Jan Zonder Mail", "phone": "06-12345678"}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booked: Value = resp.json().await.unwrap();
    let a = &booked["appointment"];
    assert!(a["email"].is_null());
    assert_eq!(a["phone"], "+31612345678");
    let code = a["booking_code"].as_str().unwrap().to_string();
    assert!(BookingCode::parse(&code).is_ok(), "{code}");
    // No mail went out: there is no address.
    let mails = std::fs::read_dir(common::mail_dir(&d.t))
        .map(|r| r.count())
        .unwrap_or(0);
    assert_eq!(mails, 0);

    // Code + phone (typed differently) finds it, with a new working link.
    let found = d
        .find(json!({"code": code.to_lowercase().replace('-', " "), "phone": "+31 6 12345678"}))
        .await;
    assert_eq!(found.status(), StatusCode::OK);
    let found: Value = found.json().await.unwrap();
    assert_eq!(found["appointment"]["id"], a["id"]);
    let new_token = found["token"].as_str().unwrap();
    assert_ne!(new_token, booked["token"].as_str().unwrap());
    // Both links open the appointment.
    for token in [new_token, booked["token"].as_str().unwrap()] {
        let resp =
            d.t.client
                .get(d.api(&format!("/personal/{token}")))
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    // Code + date works too.
    let by_date = d.find(json!({"code": code, "date": "2026-03-20"})).await;
    assert_eq!(by_date.status(), StatusCode::OK);
    // Logged in the resident's access log, without a clerk.
    let log = d.access_log(new_token).await;
    assert_eq!(
        actions(&log),
        vec!["found_by_resident", "found_by_resident"]
    );
    assert!(log[0]["sentence"]
        .as_str()
        .unwrap()
        .contains("afspraakcode"));

    // Wrong phone, wrong date and an unknown (well-formed) code: one and the same answer.
    let unknown = loop {
        let c = BookingCode::generate();
        if c.as_str() != BookingCode::parse(&code).unwrap().as_str() {
            break c;
        }
    };
    let mut answers = Vec::new();
    for body in [
        json!({"code": code, "phone": "06-87654321"}),
        json!({"code": code, "date": "2026-03-21"}),
        json!({"code": unknown.grouped(), "phone": "06-12345678"}),
    ] {
        let p = problem(d.find(body).await, StatusCode::NOT_FOUND).await;
        answers.push((p["title"].clone(), p["detail"].clone()));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // A mistyped code (check character) is a 422 at /code, before any lookup.
    let mut typo: Vec<char> = code.replace('-', "").chars().collect();
    typo.swap(0, 1);
    if typo[0] != typo[1] {
        let typo: String = typo.into_iter().collect();
        let p = problem(
            d.find(json!({"code": typo, "phone": "0612345678"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], "/code");
    }
    // Code without phone or date: 422.
    problem(
        d.find(json!({"code": code})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Appointments from before migration 0024 get their code at start-up.
    sqlx::query("UPDATE appointments SET booking_code = NULL")
        .execute(&d.t.app.db().pool)
        .await
        .unwrap();
    assert_eq!(d.t.app.db().backfill_booking_codes().await.unwrap(), 1);
    let id = a["id"].as_str().unwrap().parse().unwrap();
    let again = d.t.app.db().appointment(tenant.id, id).await.unwrap();
    assert_ne!(again.code.grouped(), code, "a fresh code was drawn");
}

async fn guesses_are_limited_per_code(store: Store) {
    let quotas = booking::limits::FloodQuotas::default();
    let mut t = spawn(store, ts(NOW), None).await;
    t.app = t.app.clone().with_flood_limits(&quotas);
    // The served router holds the first App; serve a second one with limits.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    t.base = format!("http://{}", listener.local_addr().unwrap());
    let router = booking::api::router(t.app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let d = demo_with(t).await;
    let passport = d.service("Paspoort").clone();
    let booked: Value = d.t.client.post(d.api("/tenants/voorbeeld/appointments"))
        .json(&json!({"service_id": passport["id"], "start": "2026-03-20T14:00:00+01:00", "name": "Jan", "phone": "0612345678"}))
        .send().await.unwrap().json().await.unwrap();
    let code = booked["appointment"]["booking_code"]
        .as_str()
        .unwrap()
        .to_string();
    let per_code = quotas.per_contact.get();
    for _ in 0..per_code {
        problem(
            d.find(json!({"code": code, "phone": "0699999999"})).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Over the limit even with the right phone number: 429 in plain words, Retry-After.
    let resp = d.find(json!({"code": code, "phone": "0612345678"})).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    let p: Value = resp.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("afspraakcode"),
        "{p}"
    );
}

async fn clerk_acts_for_a_caller_and_each_act_is_logged(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let anna = d.clerk("anna@voorbeeld.nl", "welkom-anna").await;
    let bookable: Vec<Value> = anna
        .get(d.api("/staff/bookable-services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(bookable.iter().any(|s| s["id"] == passport["id"]));
    let slots: Vec<Value> = anna
        .get(d.api(&format!(
            "/staff/services/{}/slots?from=2026-03-23&to=2026-03-23",
            passport["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(slots.len() >= 2);
    let (first, second) = (slots[0]["start"].clone(), slots[1]["start"].clone());

    // Neither e-mail nor phone: 422.
    problem(
        anna.post(d.api("/staff/bookings"))
            .json(&json!({"service_id": passport["id"], "start": first, "name": "Beller"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let resp = anna
        .post(d.api("/staff/bookings"))
        .json(&json!({"service_id": passport["id"], "start": first, "name": "Beller Zonder Mail", "phone": "06 11122233"}))
        .send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booked: Value = resp.json().await.unwrap();
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();
    let code = booked["appointment"]["booking_code"]
        .as_str()
        .unwrap()
        .to_string();
    let token = booked["token"].as_str().unwrap().to_string();
    let log = d.access_log(&token).await;
    assert_eq!(actions(&log), vec!["booked_by_clerk"]);
    assert!(
        log[0]["sentence"]
            .as_str()
            .unwrap()
            .contains("gemaakt door een medewerker aan de telefoon"),
        "{log:?}"
    );

    // Search by code, phone and name finds it; each search is logged.
    for q in [code.as_str(), "0611122233", "zonder mail"] {
        let found: Vec<Value> = anna
            .get(d.api("/staff/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{q}");
        assert_eq!(found[0]["id"], id.as_str());
    }
    problem(
        anna.get(d.api("/staff/search"))
            .query(&[("q", "x")])
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Move, resend, cancel.
    let moved: Value = anna
        .post(d.api(&format!("/staff/appointments/{id}/reschedule")))
        .json(&json!({"start": second}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["appointment"]["start"], second);
    let resent = anna
        .post(d.api(&format!("/staff/appointments/{id}/resend")))
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), StatusCode::OK);
    let resent: Value = resent.json().await.unwrap();
    let fresh = resent["token"].as_str().unwrap();
    assert_ne!(fresh, token);
    assert_eq!(resent["appointment"]["booking_code"], code.as_str());
    let cancelled: Value = anna
        .post(d.api(&format!("/staff/appointments/{id}/cancel")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["appointment"]["status"], "cancelled");
    problem(
        anna.post(d.api(&format!("/staff/appointments/{id}/cancel")))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;

    // The test clock stands still, so the entries share one time: compared as a set.
    let mut logged = actions(&d.access_log(fresh).await);
    logged.sort();
    assert_eq!(
        logged,
        vec![
            "booked_by_clerk",
            "cancelled_by_clerk",
            "found_by_clerk",
            "found_by_clerk",
            "found_by_clerk",
            "rescheduled_by_clerk",
            "resent_by_clerk"
        ]
    );
    // The resident's mail-less appointment: the resident finds it with code + phone.
    let found = d.find(json!({"code": code, "phone": "0611122233"})).await;
    assert_eq!(found.status(), StatusCode::OK);

    // With an e-mail address the resend mails the new link.
    let resp = anna.post(d.api("/staff/bookings"))
        .json(&json!({"service_id": passport["id"], "start": first, "name": "Met Mail", "email": "met@example.nl"}))
        .send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let with_mail: Value = resp.json().await.unwrap();
    let id2 = with_mail["appointment"]["id"].as_str().unwrap();
    let resent: Value = anna
        .post(d.api(&format!("/staff/appointments/{id2}/resend")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = resent["personal_link"].as_str().unwrap();
    // The resend goes through the message outbox (issue 16 item 3): worker rounds send it.
    let sms_dir = tempfile::tempdir().unwrap();
    let worker = booking::usecases::messages::MessageWorker::new(
        d.t.app.clone(),
        booking::usecases::messages::MessageConfig::with_sms_files(sms_dir.path().into()).unwrap(),
    );
    let mailed = || {
        std::fs::read_dir(common::mail_dir(&d.t))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("=\r\n", "")
            .replace("=\n", "")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !mailed().contains(&link[link.len() - 20..]) {
        assert!(
            std::time::Instant::now() < deadline,
            "the resent mail carries the new link"
        );
        worker.run_once().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn clerks_of_other_services_or_municipalities_see_nothing(store: Store) {
    let d = demo(store).await;
    let passport = d.service("Paspoort").clone();
    let moving = d.service("Verhuizing").clone();
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let carla = Clerk {
        id: ClerkId::new(),
        tenant_id: tenant.id,
        name: "Carla".into(),
        email: "carla@voorbeeld.nl".into(),
        role: StaffRole::Clerk,
        services: vec![moving["id"].as_str().unwrap().parse().unwrap()],
    };
    d.t.app
        .db()
        .create_clerk(&carla, &hash_password("welkom-carla").unwrap())
        .await
        .unwrap();
    let carla = d.clerk("carla@voorbeeld.nl", "welkom-carla").await;

    let booked: Value = d.t.client.post(d.api("/tenants/voorbeeld/appointments"))
        .json(&json!({"service_id": passport["id"], "start": "2026-03-20T14:00:00+01:00", "name": "Paspoort Piet", "phone": "0612345678"}))
        .send().await.unwrap().json().await.unwrap();
    let id = booked["appointment"]["id"].as_str().unwrap();
    let code = booked["appointment"]["booking_code"].as_str().unwrap();

    // Carla handles moving house only: passport is not bookable for her, and the passport
    // appointment is "not found" for every act and absent from her searches.
    let bookable: Vec<Value> = carla
        .get(d.api("/staff/bookable-services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(bookable.iter().all(|s| s["id"] != passport["id"]));
    problem(
        carla
            .get(d.api(&format!(
                "/staff/services/{}/slots?from=2026-03-23&to=2026-03-23",
                passport["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(carla.post(d.api("/staff/bookings"))
        .json(&json!({"service_id": passport["id"], "start": "2026-03-23T10:00:00+01:00", "name": "X", "phone": "0612345670"}))
        .send().await.unwrap(), StatusCode::NOT_FOUND).await;
    for act in ["resend", "cancel"] {
        problem(
            carla
                .post(d.api(&format!("/staff/appointments/{id}/{act}")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        carla
            .post(d.api(&format!("/staff/appointments/{id}/reschedule")))
            .json(&json!({"start": "2026-03-23T10:00:00+01:00"}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    for q in [code, "0612345678", "Piet"] {
        let found: Vec<Value> = carla
            .get(d.api("/staff/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(found.is_empty(), "{q}: {found:?}");
    }

    // A clerk of another municipality does not find it either.
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    d.t.app.db().save_tenant(&other).await.unwrap();
    let elsewhere = Clerk {
        id: ClerkId::new(),
        tenant_id: other.id,
        name: "E".into(),
        email: "e@elders.nl".into(),
        role: StaffRole::Admin,
        services: vec![],
    };
    d.t.app
        .db()
        .create_clerk(&elsewhere, &hash_password("welkom-elders").unwrap())
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = client
        .post(d.api("/auth/login"))
        .json(&json!({"tenant": "elders", "email": "e@elders.nl", "password": "welkom-elders"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let found: Vec<Value> = client
        .get(d.api("/staff/search"))
        .query(&[("q", code)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(found.is_empty());
    problem(
        client
            .post(d.api(&format!("/staff/appointments/{id}/resend")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // Nor can a resident of "elders" find it with the right code and phone.
    problem(
        client
            .post(d.api("/tenants/elders/appointments/find"))
            .json(&json!({"code": code, "phone": "0612345678"}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // The passport resident's log shows none of these attempts.
    let log = d.access_log(booked["token"].as_str().unwrap()).await;
    assert!(log.is_empty(), "{log:?}");
}
