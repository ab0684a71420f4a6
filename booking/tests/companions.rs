//! Companions and interpreters in the call (issue 15 item 4) on real SQLite and PostgreSQL:
//! the resident invites a companion whose own link admits only into that appointment's call,
//! the clerk invites an interpreter and removes someone (the link admits no more), the room
//! size setting (2..=4) bounds the invitations, and every join is recorded for the resident.

#[macro_use]
mod common;
mod privacy_support;

use booking::domain::rooms::RoomRole;
use booking::usecases::{booking::unlock, companions, rooms};
use common::{ts, Store};
use privacy_support::{fixture, Fixture};
use reqwest::Method;
use serde_json::{json, Value};

on_both_stores!(
    a_companion_link_admits_only_into_its_own_appointments_call,
    a_removed_companion_is_not_admitted_again,
    the_room_size_is_two_to_four_and_bounds_the_invitations,
    every_join_is_recorded_for_the_resident,
    the_clerk_invites_an_interpreter_for_their_own_appointment_only,
    a_companions_name_and_link_go_with_the_residents_data,
);

/// 10:10 in Amsterdam: inside the 15-minute check-in window of the fixture's clock (10:00).
const START: &str = "2026-03-20T09:10:00Z";

async fn invite(f: &Fixture, token: &str, body: Value) -> (u16, Value) {
    f.send(
        &reqwest::Client::new(),
        Method::POST,
        &format!("/personal/{token}/companions"),
        body,
    )
    .await
}

fn companion_token(invited: &Value) -> String {
    let link = invited["link"].as_str().expect("a link");
    link.rsplit("/m/").next().unwrap().to_string()
}

async fn ticket(f: &Fixture, companion: &str) -> (u16, Value) {
    f.send(
        &reqwest::Client::new(),
        Method::POST,
        &format!("/companions/{companion}/room-token"),
        json!({}),
    )
    .await
}

/// The grant inside a ticket (the tests' issuer writes it as JSON).
fn grant(ticket: &Value) -> Value {
    serde_json::from_str(ticket["token"].as_str().unwrap()).unwrap()
}

async fn a_companion_link_admits_only_into_its_own_appointments_call(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let other = f.book(ts("2026-03-20T10:40:00Z"), "Inwoner Twee").await;

    for bad in [
        json!({"name": ""}),
        json!({"name": "Anna", "email": "geen-adres"}),
    ] {
        let (status, problem) = invite(&f, &mine.token, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {problem}");
    }
    let (status, invited) = invite(
        &f,
        &mine.token,
        json!({"name": " Anna ", "email": "anna@example.nl"}),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(
        (invited["name"].as_str(), invited["role"].as_str()),
        (Some("Anna"), Some("companion"))
    );
    let companion = companion_token(&invited);
    assert!(invited["link"].as_str().unwrap().starts_with(&f.t.base));

    // A wrong token is a plain 404; before the clerk calls the resident in, 409 (ask again).
    assert_eq!(ticket(&f, "bm90LWEtdG9rZW4").await.0, 404);
    assert_eq!(
        ticket(&f, &mine.token).await.0,
        404,
        "the resident's link is not a companion's"
    );
    let (status, problem) = ticket(&f, &companion).await;
    assert_eq!(status, 409, "{problem}");

    let other_entry = f.start_call(other.id).await;
    assert_eq!(
        ticket(&f, &companion).await.0,
        409,
        "another appointment's call does not open it"
    );
    let entry = f.start_call(mine.id).await;
    let (status, ticket_json) = ticket(&f, &companion).await;
    assert_eq!(status, 200, "{ticket_json}");
    let g = grant(&ticket_json);
    assert_eq!(g["room"], json!(entry.to_string()));
    assert_ne!(g["room"], json!(other_entry.to_string()));
    assert_eq!(g["role"], json!("companion"));
    assert_eq!(g["name"], json!("Anna"));
    let participant = g["participant"].as_str().unwrap().to_string();
    assert!(participant.starts_with("companion-"), "{participant}");
    assert_ne!(
        participant,
        format!("resident-{entry}"),
        "the resident keeps their own place"
    );
    assert!(
        companions::admits_participant(&f.t.app, "voorbeeld", &participant)
            .await
            .unwrap()
    );
    assert!(
        !companions::admits_participant(&f.t.app, "anderstad", &participant)
            .await
            .unwrap(),
        "not in another municipality's rooms"
    );

    // The invitation went out by mail, and the resident sees it on their list.
    let (status, list) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{}/companions", mine.token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, none) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{}/companions", other.token),
        )
        .await;
    assert_eq!(none, json!([]));
    assert!(common::mails_written(&f.t, 1).await >= 1);

    // Once the conversation is over the link opens nothing.
    f.t.app.clock.advance(jiff::SignedDuration::from_hours(2));
    assert_eq!(ticket(&f, &companion).await.0, 409);
}

async fn a_removed_companion_is_not_admitted_again(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let (_, invited) = invite(&f, &mine.token, json!({"name": "Anna"})).await;
    let companion = companion_token(&invited);
    f.start_call(mine.id).await;
    assert_eq!(ticket(&f, &companion).await.0, 200);
    let id = invited["id"].as_str().unwrap();
    let participant = invited["participant_id"].as_str().unwrap().to_string();

    // Another municipality's admin cannot remove them; the clerk can.
    let path = format!("/staff/appointments/{}/companions/{id}/remove", mine.id);
    let (status, _) = f.send(&f.other_admin, Method::POST, &path, json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        ticket(&f, &companion).await.0,
        200,
        "still in after a refused removal"
    );
    let (status, removed) = f.send(&f.t.client, Method::POST, &path, json!({})).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["removed"], json!(true));

    assert_eq!(
        ticket(&f, &companion).await.0,
        404,
        "the link admits no more"
    );
    assert!(
        !companions::admits_participant(&f.t.app, "voorbeeld", &participant)
            .await
            .unwrap()
    );
    // The room itself still admits the resident and the clerk.
    let entry =
        f.t.app
            .db()
            .queue_entry_for_appointment(mine.id)
            .await
            .unwrap()
            .unwrap();
    assert!(rooms::admits(&f.t.app, "voorbeeld", &entry.id.to_string())
        .await
        .unwrap());
    assert!(companions::admits_participant(
        &f.t.app,
        "voorbeeld",
        &format!("resident-{}", entry.id)
    )
    .await
    .unwrap());

    // A removed companion no longer counts: the resident may invite someone else.
    let (status, again) = invite(&f, &mine.token, json!({"name": "Bert"})).await;
    assert_eq!(status, 201, "{again}");
}

async fn the_room_size_is_two_to_four_and_bounds_the_invitations(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let (status, size) = f.get(&f.admin, "/admin/room-size").await;
    assert_eq!((status, size), (200, json!({"room_size": 3})));
    for bad in [1, 5, -3, 0] {
        let (status, problem) = f
            .send(
                &f.admin,
                Method::PUT,
                "/admin/room-size",
                json!({"room_size": bad}),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {problem}");
    }
    let (status, _) = f
        .send(
            &f.t.client,
            Method::PUT,
            "/admin/room-size",
            json!({"room_size": 4}),
        )
        .await;
    assert_eq!(status, 403, "clerks do not change settings");
    assert_eq!(
        f.get(&f.admin, "/admin/room-size").await.1,
        json!({"room_size": 3})
    );

    // Three: one companion.
    assert_eq!(
        invite(&f, &mine.token, json!({"name": "Anna"})).await.0,
        201
    );
    let (status, problem) = invite(&f, &mine.token, json!({"name": "Bert"})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("hoogstens 3"), "{problem}");

    // Four: a second one; two: none at all.
    let (status, size) = f
        .send(
            &f.admin,
            Method::PUT,
            "/admin/room-size",
            json!({"room_size": 4}),
        )
        .await;
    assert_eq!((status, size), (200, json!({"room_size": 4})));
    assert_eq!(
        invite(&f, &mine.token, json!({"name": "Bert"})).await.0,
        201
    );
    assert_eq!(invite(&f, &mine.token, json!({"name": "Cor"})).await.0, 422);
    assert_eq!(
        companions::room_size_of(&f.t.app, "voorbeeld")
            .await
            .unwrap()
            .get(),
        4
    );
    f.send(
        &f.admin,
        Method::PUT,
        "/admin/room-size",
        json!({"room_size": 2}),
    )
    .await;
    let other = f.book(ts("2026-03-20T10:40:00Z"), "Inwoner Twee").await;
    assert_eq!(
        invite(&f, &other.token, json!({"name": "Anna"})).await.0,
        422
    );
    // Each municipality has its own.
    assert_eq!(
        f.get(&f.other_admin, "/admin/room-size").await.1,
        json!({"room_size": 3})
    );
}

async fn every_join_is_recorded_for_the_resident(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let (_, invited) = invite(&f, &mine.token, json!({"name": "Anna"})).await;
    let entry = f.start_call(mine.id).await;
    let room = entry.to_string();
    let participant = invited["participant_id"].as_str().unwrap();
    companions::record_join(
        &f.t.app,
        "voorbeeld",
        &room,
        &format!("resident-{entry}"),
        RoomRole::Resident,
    )
    .await
    .unwrap();
    companions::record_join(
        &f.t.app,
        "voorbeeld",
        &room,
        &f.clerk.to_string(),
        RoomRole::Clerk,
    )
    .await
    .unwrap();
    f.t.app.clock.advance(jiff::SignedDuration::from_mins(2));
    companions::record_join(
        &f.t.app,
        "voorbeeld",
        &room,
        participant,
        RoomRole::Companion,
    )
    .await
    .unwrap();
    // A walk-in's room has no appointment to record against; an unknown room neither.
    companions::record_join(
        &f.t.app,
        "voorbeeld",
        "nope",
        participant,
        RoomRole::Companion,
    )
    .await
    .unwrap();

    let u = unlock(&f.t.app, &mine.token).await.unwrap();
    let joins = companions::joins(&f.t.app, &u).await.unwrap();
    let tz = f.tenant.time_zone.tz().clone();
    let sentences: Vec<String> = joins
        .iter()
        .map(|j| booking::domain::companion::join_sentence(j, &tz, f.tenant.tone))
        .collect();
    // In time order; the resident and the clerk joined in the same second, either first.
    let mut first_two = sentences[..2].to_vec();
    first_two.sort();
    assert_eq!(
        first_two,
        [
            "Een medewerker van de gemeente kwam in het gesprek om 10:00 op 20 maart.",
            "U kwam in het gesprek om 10:00 op 20 maart.",
        ]
    );
    assert_eq!(
        sentences[2..],
        ["Anna (begeleider) kwam in het gesprek om 10:02 op 20 maart."]
    );
    let other = f.book(ts("2026-03-20T10:40:00Z"), "Inwoner Twee").await;
    let u2 = unlock(&f.t.app, &other.token).await.unwrap();
    assert!(companions::joins(&f.t.app, &u2).await.unwrap().is_empty());

    // The record is append-only in the database itself.
    let pool = &f.t.app.db().pool;
    assert!(sqlx::query("UPDATE call_joins SET at = 0")
        .execute(pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM call_joins")
        .execute(pool)
        .await
        .is_err());
    assert_eq!(companions::joins(&f.t.app, &u).await.unwrap().len(), 3);
}

async fn the_clerk_invites_an_interpreter_for_their_own_appointment_only(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let path = format!("/staff/appointments/{}/interpreters", mine.id);
    let (status, _) = f
        .send(&f.other_admin, Method::POST, &path, json!({"name": "Tolk"}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::POST,
            &path,
            json!({"name": "Tolk"}),
        )
        .await;
    assert_eq!(status, 401);
    let (status, invited) = f
        .send(
            &f.t.client,
            Method::POST,
            &path,
            json!({"name": "Tolk Tamara"}),
        )
        .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(invited["role"], json!("interpreter"));
    f.start_call(mine.id).await;
    let (status, t) = ticket(&f, &companion_token(&invited)).await;
    assert_eq!(status, 200);
    assert_eq!(grant(&t)["role"], json!("interpreter"));
    let (status, list) = f
        .get(
            &f.t.client,
            &format!("/staff/appointments/{}/companions", mine.id),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["name"], json!("Tolk Tamara"));
}

async fn a_companions_name_and_link_go_with_the_residents_data(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts(START), "Inwoner Een").await;
    let kept = f.book(ts("2026-06-20T09:10:00Z"), "Inwoner Later").await;
    let (_, invited) = invite(
        &f,
        &mine.token,
        json!({"name": "Anna Begeleider", "email": "anna@example.nl"}),
    )
    .await;
    let companion = companion_token(&invited);
    let (_, later) = invite(&f, &kept.token, json!({"name": "Bert"})).await;

    // The fixture keeps 90 days after the end of an appointment.
    f.t.app
        .clock
        .advance(jiff::SignedDuration::from_hours(24 * 91));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        1
    );
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT name, email, token_hash FROM companion_links ORDER BY created_at")
            .fetch_all(&f.t.app.db().pool)
            .await
            .unwrap();
    let erased = rows
        .iter()
        .find(|r| r.0 != "Bert")
        .expect("the erased companion's row stays");
    assert_eq!(erased.0, booking::domain::retention::ERASED_NAME);
    assert_eq!(erased.1, None, "the e-mail address is gone");
    assert!(erased.2.starts_with("erased:"), "{}", erased.2);
    assert_eq!(
        ticket(&f, &companion).await.0,
        404,
        "the companion's link is dead"
    );
    assert!(
        rows.iter().any(|r| r.0 == "Bert"),
        "another appointment's companion stays: {later}"
    );
}
