//! Issue 16, the rest of "every channel", on real SQLite and PostgreSQL: several people in one
//! appointment (item 8: the longer time, too many refused with nothing written, the names for
//! the clerk, in the invite, erased with the appointment), the follow-up booking after a call
//! (item 9), the service's questions as JSON, the confirmation sent again through the outbox,
//! and the reminder switches in the admin audit log.

#[macro_use]
mod common;

use booking::domain::access_log::Action;
use booking::domain::message::{Channel, MessageKind};
use booking::usecases::admin::audit::By;
use common::{spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";
/// Monday 23 March 2026, in Amsterdam.
const TEN: &str = "2026-03-23T10:00:00+01:00";

on_both_stores!(
    a_booking_for_three_takes_the_longer_time,
    too_many_people_is_refused_with_nothing_written,
    the_extra_names_go_to_the_clerk_and_the_invite_and_are_erased,
    a_clerk_books_a_follow_up_for_the_same_resident,
    the_questions_are_listed_as_json,
    the_confirmation_is_sent_again_through_the_outbox,
    reminder_switches_are_in_the_audit_log,
);

struct Demo {
    t: TestApp,
    passport: String,
    debts: String,
    moving: String,
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
    let id = |prefix: &str| {
        services
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with(prefix))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    Demo {
        passport: id("Paspoort"),
        debts: id("Hulp bij geldzaken"),
        moving: id("Verhuizing"),
        t,
    }
}

impl Demo {
    async fn by(&self) -> By {
        By::from(
            self.t
                .app
                .db()
                .tenant_by_slug("voorbeeld")
                .await
                .unwrap()
                .id,
        )
    }

    /// Passports for up to 3 people, 15 minutes per extra person (20 + 10 buffer alone).
    async fn families_welcome(&self) {
        let by = self.by().await;
        booking::usecases::admin::services::set_party_rule(&self.t.app, by, &self.passport, 3, 15)
            .await
            .unwrap();
    }

    async fn book(&self, body: Value) -> (StatusCode, Value) {
        let resp = self
            .t
            .client
            .post(format!(
                "{}/api/v1/tenants/voorbeeld/appointments",
                self.t.base
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap())
    }

    fn passport_at(&self, start: &str, name: &str, people: &[&str]) -> Value {
        json!({"service_id": self.passport, "start": start, "name": name,
            "email": format!("{}@example.nl", name.to_lowercase().replace(' ', ".")),
            "people": people})
    }

    async fn slots(&self, people: Option<i64>) -> (StatusCode, Value) {
        let mut url = format!(
            "{}/api/v1/tenants/voorbeeld/services/{}/slots?from=2026-03-23&to=2026-03-23",
            self.t.base, self.passport
        );
        if let Some(n) = people {
            url.push_str(&format!("&people={n}"));
        }
        let resp = self.t.client.get(url).send().await.unwrap();
        (resp.status(), resp.json().await.unwrap())
    }

    async fn booked_count(&self) -> i64 {
        let tenant = self.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
        self.t.app.db().count_booked(tenant.id).await.unwrap()
    }

    /// Anna, a clerk of every demo service, logged in.
    async fn anna(&self) -> reqwest::Client {
        let clerk = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let login = clerk
            .post(format!("{}/api/v1/auth/login", self.t.base))
            .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK);
        clerk
    }
}

fn minutes(slot: &Value) -> i64 {
    let start: jiff::Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
    let end: jiff::Timestamp = slot["end"].as_str().unwrap().parse().unwrap();
    start.duration_until(end).as_mins()
}

async fn a_booking_for_three_takes_the_longer_time(store: Store) {
    let d = demo(store).await;
    d.families_welcome().await;
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let audit = d.t.app.db().audit_trail(tenant.id, 20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|l| l.action.as_str() == "service_party_changed"
                && l.subject.contains("hoogstens 3 personen")),
        "the admin's change is audited"
    );

    // The slots for three are 20 + 2 x 15 minutes long; alone, 20.
    let (status, alone) = d.slots(None).await;
    assert_eq!(status, StatusCode::OK, "{alone}");
    assert!(alone.as_array().unwrap().iter().all(|s| minutes(s) == 20));
    let (status, three) = d.slots(Some(3)).await;
    assert_eq!(status, StatusCode::OK, "{three}");
    assert!(!three.as_array().unwrap().is_empty());
    assert!(three.as_array().unwrap().iter().all(|s| minutes(s) == 50));

    // Booked for three at 10:00: the appointment lasts until 10:50.
    let (status, booked) = d
        .book(d.passport_at(TEN, "Els Bakker", &["Sam Bakker", "Noor Bakker"]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["appointment"]["end"], "2026-03-23T10:50:00+01:00");
    assert_eq!(
        booked["appointment"]["people"],
        json!(["Sam Bakker", "Noor Bakker"])
    );

    // The other clerk takes 10:15 (times are on a 15-minute grid). At 10:30 the family's
    // clerk would be free again had the appointment been for one person (10:00 + 20 + 10);
    // for three, neither clerk is.
    let (status, other) = d
        .book(d.passport_at("2026-03-23T10:15:00+01:00", "Piet Smit", &[]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let (status, refused) = d
        .book(d.passport_at("2026-03-23T10:30:00+01:00", "Ria Kok", &[]))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the longer time overlaps: {refused}"
    );
    assert_eq!(d.booked_count().await, 2);
    // 10:45: the other clerk again (10:15 + 20 + 10); then the family's clerk is still
    // busy until 11:00 (10:50 + the buffer), so a second 10:45 is refused too.
    let (status, later) = d
        .book(d.passport_at("2026-03-23T10:45:00+01:00", "Ria Kok", &[]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    let (status, refused) = d
        .book(d.passport_at("2026-03-23T10:45:00+01:00", "Kees Kok", &[]))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let (status, free) = d
        .book(d.passport_at("2026-03-23T11:00:00+01:00", "Kees Kok", &[]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{free}");
}

async fn too_many_people_is_refused_with_nothing_written(store: Store) {
    let d = demo(store).await;
    // A service for one person only (the default): any extra name is too many.
    let (status, problem) = d
        .book(d.passport_at(TEN, "Els Bakker", &["Sam Bakker"]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "/people", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("één persoon"),
        "plain words: {problem}"
    );
    d.families_welcome().await;
    let (status, problem) = d
        .book(d.passport_at(TEN, "Els Bakker", &["Sam", "Noor", "Ties"]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "/people", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("hoogstens 3"),
        "{problem}"
    );
    // An empty name is refused at its place.
    let (status, problem) = d
        .book(d.passport_at(TEN, "Els Bakker", &["Sam", " "]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "/people/1", "{problem}");
    assert_eq!(d.booked_count().await, 0, "nothing written");
    // Slots for more people than allowed: 422 too.
    let (status, problem) = d.slots(Some(4)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "/people", "{problem}");
}

async fn the_extra_names_go_to_the_clerk_and_the_invite_and_are_erased(store: Store) {
    let d = demo(store).await;
    d.families_welcome().await;
    let (status, booked) = d
        .book(d.passport_at(TEN, "Els Bakker", &["Sam Bakker", "Noor Bakker"]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();
    let token = booked["token"].as_str().unwrap().to_string();

    let view: Value = d
        .anna()
        .await
        .get(format!("{}/api/v1/staff/appointments/{id}", d.t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["people"],
        json!(["Sam Bakker", "Noor Bakker"]),
        "{view}"
    );

    let ics =
        d.t.client
            .get(format!("{}/api/v1/personal/{token}/invite.ics", d.t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    // One invite; iCalendar folds long lines, so unfold before looking.
    let unfolded = ics.replace("\r\n ", "").replace("\n ", "");
    // (A comma in a text value is escaped.)
    assert!(unfolded.contains("Sam Bakker\\, Noor Bakker"), "{unfolded}");
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1);

    // Cancelled and erased by the resident: the names go with the rest.
    for step in ["cancel", "erase"] {
        let resp =
            d.t.client
                .post(format!("{}/api/v1/personal/{token}/{step}", d.t.base))
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{step}");
    }
    let left =
        d.t.app
            .db()
            .appointment_people(id.parse().unwrap())
            .await
            .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

async fn a_clerk_books_a_follow_up_for_the_same_resident(store: Store) {
    let d = demo(store).await;
    let (status, first) = d
        .book(
            json!({"service_id": d.passport, "start": TEN, "name": "Jan de Vries",
            "phone": "06 12345678"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first_id = first["appointment"]["id"].as_str().unwrap().to_string();
    let anna = d.anna().await;
    let resp = anna
        .post(format!(
            "{}/api/v1/staff/appointments/{first_id}/follow-up",
            d.t.base
        ))
        .json(&json!({"service_id": d.moving, "start": "2026-03-25T14:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let follow: Value = resp.json().await.unwrap();
    let a = &follow["appointment"];
    assert_eq!(a["name"], "Jan de Vries");
    assert_eq!(a["phone"], "+31612345678");
    assert!(a["email"].is_null());
    assert_eq!(a["service_id"], d.moving.as_str());
    assert_ne!(a["booking_code"], first["appointment"]["booking_code"]);

    // "Made by a clerk" in the new appointment's access log; the confirmation by text queued.
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let new_id: booking::domain::ids::AppointmentId = a["id"].as_str().unwrap().parse().unwrap();
    let log = d.t.app.db().access_log(tenant.id, new_id).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == Action::BookedByClerk && e.clerk_id.is_some()),
        "{log:?}"
    );
    let messages = booking::usecases::messages::for_appointment(&d.t.app, new_id)
        .await
        .unwrap();
    assert!(messages
        .iter()
        .any(|m| m.kind == MessageKind::Confirmation && m.channel == Channel::Sms));

    // A time that is not free, or an appointment the clerk cannot reach: refused.
    let taken = anna
        .post(format!(
            "{}/api/v1/staff/appointments/{first_id}/follow-up",
            d.t.base
        ))
        .json(&json!({"service_id": d.passport, "start": "2026-03-21T10:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        taken.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a Saturday"
    );
    let unknown = anna
        .post(format!(
            "{}/api/v1/staff/appointments/{}/follow-up",
            d.t.base,
            booking::domain::ids::AppointmentId::new()
        ))
        .json(&json!({"service_id": d.moving, "start": "2026-03-25T15:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(d.booked_count().await, 2);
}

async fn the_questions_are_listed_as_json(store: Store) {
    let d = demo(store).await;
    let get = |service: String| {
        let url = format!(
            "{}/api/v1/tenants/voorbeeld/services/{service}/questions",
            d.t.base
        );
        let client = d.t.client.clone();
        async move {
            let resp = client.get(url).send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (status, questions) = get(d.debts.clone()).await;
    assert_eq!(status, StatusCode::OK, "{questions}");
    let stored = booking::demo::debts_question();
    assert_eq!(questions.as_array().unwrap().len(), 1);
    assert_eq!(questions[0]["text"], stored.text.as_str());
    let answers = questions[0]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), stored.answers.len());
    for (i, (shown, kept)) in answers.iter().zip(&stored.answers).enumerate() {
        assert_eq!(shown["index"], i);
        assert_eq!(shown["label"], kept.label.as_str());
    }
    // The answer that routes to the phone says so.
    assert!(
        answers.iter().any(|a| a["verdict"] == "call_us"),
        "{questions}"
    );
    let (status, none) = get(d.passport.clone()).await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));
    let (status, _) = get(booking::domain::ids::ServiceId::new().to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get("geen-dienst".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_confirmation_is_sent_again_through_the_outbox(store: Store) {
    let d = demo(store).await;
    let (status, booked) = d
        .book(
            json!({"service_id": d.passport, "start": TEN, "name": "Jan de Vries",
            "email": "jan@example.nl", "phone": "06 12345678"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let id: booking::domain::ids::AppointmentId = booked["appointment"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let confirmations = |rows: &[booking::store::MessageRow]| {
        rows.iter()
            .filter(|m| m.kind == MessageKind::Confirmation)
            .count()
    };
    let before = booking::usecases::messages::for_appointment(&d.t.app, id)
        .await
        .unwrap();
    assert_eq!(confirmations(&before), 2, "mail and text at booking");
    let anna = d.anna().await;
    for round in 1..=2 {
        let resp = anna
            .post(format!(
                "{}/api/v1/staff/appointments/{id}/resend",
                d.t.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let rows = booking::usecases::messages::for_appointment(&d.t.app, id)
            .await
            .unwrap();
        // Each resend queues its own mail and text; reminders are not queued twice.
        assert_eq!(confirmations(&rows), 2 + 2 * round, "round {round}");
        assert_eq!(
            rows.iter().filter(|m| m.kind.is_reminder()).count(),
            before.iter().filter(|m| m.kind.is_reminder()).count()
        );
    }
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let log = d.t.app.db().access_log(tenant.id, id).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == Action::ResentByClerk)
            .count(),
        2
    );
}

async fn reminder_switches_are_in_the_audit_log(store: Store) {
    let d = demo(store).await;
    let by = d.by().await;
    booking::usecases::messages::save_reminder_settings(
        &d.t.app,
        by,
        booking::domain::message::ReminderSettings {
            day_before: false,
            hour_before: true,
        },
    )
    .await
    .unwrap();
    let tenant = d.t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let audit = d.t.app.db().audit_trail(tenant.id, 20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|l| l.action.as_str() == "reminders_changed"
                && l.subject == "dag ervoor: uit, uur ervoor: aan"),
        "{:?}",
        audit.iter().map(|l| &l.subject).collect::<Vec<_>>()
    );
}
