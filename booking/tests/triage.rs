//! Issue 16 item 7 on real SQLite and PostgreSQL: questions before booking per service. An
//! admin adds and removes them (audited, own municipality only); a booking without answers,
//! or with an answer that stops it, is refused with nothing written; the answers given are
//! stored as the resident saw them and shown to the clerk; a clerk booking for a caller may
//! leave them out.

#[macro_use]
mod common;

use booking::domain::triage::AnswerInput;
use booking::usecases::admin::audit::By;
use common::{spawn, ts, Store, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam (UTC+1).
const NOW: &str = "2026-03-20T09:00:00Z";

on_both_stores!(
    answers_decide_whether_a_resident_may_book,
    admins_manage_their_own_services_questions_only,
);

async fn demo(store: Store) -> (TestApp, Vec<Value>) {
    let t = spawn(store, ts(NOW), None).await;
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
    (t, services)
}

fn service<'a>(services: &'a [Value], prefix: &str) -> &'a Value {
    services
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

async fn book(t: &TestApp, body: Value) -> (StatusCode, Value) {
    let resp = t
        .client
        .post(format!("{}/api/v1/tenants/voorbeeld/appointments", t.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

/// The municipality itself (as seeds and the platform act).
async fn admin(t: &TestApp) -> By {
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    By::from(tenant.id)
}

async fn answers_decide_whether_a_resident_may_book(store: Store) {
    let (t, services) = demo(store).await;
    let debts = service(&services, "Hulp bij geldzaken")["id"].clone();
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let body = |start: &str, triage: Option<&str>| {
        let mut b = json!({"service_id": debts, "start": start, "name": "Els Bakker",
            "email": "els@example.nl"});
        if let Some(triage) = triage {
            b["triage"] = json!(triage);
        }
        b
    };

    // Not answered, answered wrongly, or "yes, urgent": refused, nothing written.
    for (triage, why) in [
        (None, "not answered"),
        (Some("0-0"), "two answers to one question"),
        (Some("7"), "no such answer"),
        (Some("1"), "urgent: call us"),
    ] {
        let (status, problem) = book(&t, body("2026-03-23T10:00:00+01:00", triage)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {problem}");
        assert_eq!(problem["field"], "/triage", "{why}: {problem}");
        assert_eq!(
            t.app.db().count_booked(tenant.id).await.unwrap(),
            0,
            "{why}"
        );
    }

    // "No": booked, and the answer is stored as the resident saw it.
    let (status, booked) = book(&t, body("2026-03-23T10:00:00+01:00", Some("0"))).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();
    assert!(
        booked["appointment"].get("triage").is_none(),
        "the resident's answer repeats no answers: {booked}"
    );

    // The admin rewords the question afterwards: the clerk still reads what was asked.
    let by = admin(&t).await;
    let question = &booking::usecases::triage::questions(
        &t.app,
        &t.app
            .db()
            .service(tenant.id, debts.as_str().unwrap().parse().unwrap())
            .await
            .unwrap(),
    )
    .await
    .unwrap()[0];
    let asked = question.text.clone();
    booking::usecases::triage::remove_question(
        &t.app,
        by,
        debts.as_str().unwrap(),
        &question.id.to_string(),
    )
    .await
    .unwrap();

    // The clerk (Anna handles every demo service) sees the answer with the appointment.
    let clerk = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = clerk
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": "voorbeeld", "email": "anna@voorbeeld.nl", "password": "welkom-anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let view: Value = clerk
        .get(format!("{}/api/v1/staff/appointments/{id}", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["triage"],
        json!([{"question": asked, "answer": "Nee"}]),
        "{view}"
    );

    // No questions any more: booking needs no answers.
    let (status, problem) = book(&t, body("2026-03-23T11:00:00+01:00", None)).await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
}

async fn admins_manage_their_own_services_questions_only(store: Store) {
    let (t, services) = demo(store).await;
    let passport = service(&services, "Paspoort")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by = admin(&t).await;
    let a = |label, verdict, text| AnswerInput {
        label,
        verdict,
        text,
    };
    let answers = [
        a(
            "Ja",
            "counter",
            "Kom naar het stadhuis, balie 3, met uw oude paspoort.",
        ),
        a(
            "Nee",
            "inform",
            "Houd uw oude paspoort bij de hand tijdens het gesprek.",
        ),
    ];
    // A bad question is refused and nothing is stored.
    let refused = booking::usecases::triage::add_question(
        &t.app,
        by,
        &passport,
        "Heeft u uw oude paspoort nog?",
        &answers[..1],
    )
    .await;
    assert!(
        matches!(&refused, Err(booking::Error::Invalid { field, .. }) if field == "/answers"),
        "{refused:?}"
    );
    let id = booking::usecases::triage::add_question(
        &t.app,
        by,
        &passport,
        "Woont u in het buitenland?",
        &answers,
    )
    .await
    .unwrap();
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let audit = t.app.db().audit_trail(tenant.id, 20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|l| l.action.as_str() == "service_questions_changed"
                && l.subject.contains("Woont u in het buitenland?")),
        "audited"
    );

    // The counter answer stops a resident's booking; the other lets it through.
    let (status, problem) = book(
        &t,
        json!({"service_id": passport, "start": "2026-03-23T10:00:00+01:00",
            "name": "Els", "email": "els@example.nl", "triage": "0"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, booked) = book(
        &t,
        json!({"service_id": passport, "start": "2026-03-23T10:00:00+01:00",
            "name": "Els", "email": "els@example.nl", "triage": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");

    // Another municipality's admin finds neither the service nor the question.
    let other = booking::domain::ids::TenantId::new();
    let stranger = By::from(other);
    let removed =
        booking::usecases::triage::remove_question(&t.app, stranger, &passport, &id.to_string())
            .await;
    assert!(
        matches!(removed, Err(booking::Error::NotFound(_))),
        "{removed:?}"
    );
    // The wrong service's question is not found either.
    let debts = service(&services, "Hulp bij geldzaken")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let removed =
        booking::usecases::triage::remove_question(&t.app, by, &debts, &id.to_string()).await;
    assert!(
        matches!(removed, Err(booking::Error::NotFound(_))),
        "{removed:?}"
    );
    booking::usecases::triage::remove_question(&t.app, by, &passport, &id.to_string())
        .await
        .unwrap();
}
