//! Feedback after the call (issue 8) on real SQLite and PostgreSQL: rating and comment through
//! the personal link, complaints on the municipality's follow-up list, and that one
//! municipality never sees or handles another's.

#[macro_use]
mod common;
mod privacy_support;

use common::{ts, Store};
use jiff::SignedDuration;
use privacy_support::{fixture, Fixture};
use reqwest::Method;
use serde_json::{json, Value};

on_both_stores!(
    a_rating_follows_the_call_once,
    a_rating_may_follow_a_call_that_began_before_its_start,
    complaints_are_followed_up_by_the_own_municipality_only,
    erasure_keeps_the_rating_and_open_complaints,
    the_dashboard_counts_the_week_of_the_own_municipality,
    a_clerk_sees_the_ratings_of_their_own_calls_only,
);

async fn give(f: &Fixture, token: &str, body: Value) -> (u16, Value) {
    f.send(
        &reqwest::Client::new(),
        Method::POST,
        &format!("/personal/{token}/feedback"),
        body,
    )
    .await
}

async fn a_rating_follows_the_call_once(store: Store) {
    let f = fixture(store).await;
    let b = f.book(ts("2026-03-20T09:30:00Z"), "Inwoner Een").await;
    let (status, _) = give(&f, &b.token, json!({"rating": 8})).await;
    assert_eq!(status, 409, "not before the call");
    f.t.app.clock.advance(SignedDuration::from_mins(30));
    for bad in [
        json!({"rating": 0}),
        json!({"rating": 11}),
        json!({"rating": 4, "complaint": true}),
    ] {
        let (status, problem) = give(&f, &b.token, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {problem}");
    }
    let (status, _) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{}/feedback", b.token),
        )
        .await;
    assert_eq!(status, 404);
    let (status, given) = give(
        &f,
        &b.token,
        json!({"rating": 9, "comment": " Fijn gesprek. "}),
    )
    .await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(
        (given["rating"].clone(), given["comment"].clone()),
        (json!(9), json!("Fijn gesprek."))
    );
    assert_eq!(given["complaint"], false);
    let (status, _) = give(&f, &b.token, json!({"rating": 1})).await;
    assert_eq!(status, 409, "once per appointment");
    let (status, read) = f
        .get(
            &reqwest::Client::new(),
            &format!("/personal/{}/feedback", b.token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(read["rating"], 9);

    // A cancelled appointment had no call.
    let cancelled = f.book(ts("2026-03-20T13:00:00Z"), "Inwoner Twee").await;
    let (status, _) = f
        .send(
            &reqwest::Client::new(),
            Method::POST,
            &format!("/personal/{}/cancel", cancelled.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    f.t.app.clock.advance(SignedDuration::from_hours(5));
    let (status, _) = give(&f, &cancelled.token, json!({"rating": 5})).await;
    assert_eq!(status, 409);
}

/// Checked in early and called by a clerk before the appointment's start: the call has
/// started, so the resident may rate it at once; a resident still waiting may not.
async fn a_rating_may_follow_a_call_that_began_before_its_start(store: Store) {
    let f = fixture(store).await;
    let anon = reqwest::Client::new();
    // 09:10 while the clock says 09:00: inside the check-in window, before the start.
    let early = f.book(ts("2026-03-20T09:10:00Z"), "Inwoner Vroeg").await;
    let (status, body) = f
        .send(
            &anon,
            Method::POST,
            &format!("/personal/{}/check-in", early.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = give(&f, &early.token, json!({"rating": 9})).await;
    assert_eq!(status, 409, "checked in, not yet called");
    let (status, entry) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/queue/{}/call", entry_id(&f, "Inwoner Vroeg").await),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{entry}");
    // Called (the clerk waits for the answer): the conversation is on its way.
    let (status, given) = give(
        &f,
        &early.token,
        json!({"rating": 9, "comment": "Snel geholpen."}),
    )
    .await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(given["rating"], 9);
    let (status, _) = give(&f, &early.token, json!({"rating": 3})).await;
    assert_eq!(status, 409, "once per appointment");
    let (status, read) = f
        .get(&anon, &format!("/personal/{}/feedback", early.token))
        .await;
    assert_eq!(
        (status, read["comment"].clone()),
        (200, json!("Snel geholpen."))
    );
}

/// The queue entry's id, from the clerk's live queue, by the resident's name.
async fn entry_id(f: &Fixture, name: &str) -> String {
    let (status, queue) = f.get(&f.t.client, "/staff/queue").await;
    assert_eq!(status, 200, "{queue}");
    queue
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resident_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {queue}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn complaints_are_followed_up_by_the_own_municipality_only(store: Store) {
    let f = fixture(store).await;
    let a = f.book(ts("2026-03-20T09:00:00Z"), "Inwoner Een").await;
    let b = f.book(ts("2026-03-20T10:00:00Z"), "Inwoner Twee").await;
    let c = f.book(ts("2026-03-20T11:00:00Z"), "Inwoner Drie").await;
    f.t.app.clock.advance(SignedDuration::from_hours(3));
    let (status, filed) = give(
        &f,
        &a.token,
        json!({"rating": 2, "comment": "Verbinding viel steeds weg.", "complaint": true}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, commented) = give(
        &f,
        &b.token,
        json!({"rating": 3, "comment": "Niemand wist het antwoord."}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = give(&f, &c.token, json!({"rating": 10})).await;
    assert_eq!(status, 201);

    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, open) = f.get(&f.admin, "/admin/complaints").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&open), vec![filed["id"].as_str().unwrap()]);
    // The admin reads the comments (the rating without words is not there) and marks one.
    let (_, comments) = f.get(&f.admin, "/admin/comments").await;
    assert_eq!(ids(&comments).len(), 2);
    let commented_id = commented["id"].as_str().unwrap();
    let (status, _) = f
        .send(
            &f.admin,
            Method::POST,
            &format!("/admin/comments/{commented_id}/complaint"),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, open) = f.get(&f.admin, "/admin/complaints").await;
    assert_eq!(ids(&open).len(), 2);

    // Clerks do not see the list; another municipality neither sees nor handles it.
    let (status, _) = f.get(&f.t.client, "/admin/complaints").await;
    assert_eq!(status, 403);
    let (status, theirs) = f.get(&f.other_admin, "/admin/complaints").await;
    assert_eq!((status, theirs), (200, json!([])));
    let (_, theirs) = f.get(&f.other_admin, "/admin/comments").await;
    assert_eq!(theirs, json!([]));
    let handle = format!(
        "/admin/complaints/{}/handled",
        filed["id"].as_str().unwrap()
    );
    let (status, _) = f
        .send(
            &f.other_admin,
            Method::POST,
            &handle,
            json!({"note": "Gebeld."}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = f
        .send(
            &f.other_admin,
            Method::POST,
            &format!("/admin/comments/{commented_id}/complaint"),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);

    let (status, _) = f
        .send(&f.admin, Method::POST, &handle, json!({"note": " "}))
        .await;
    assert_eq!(status, 422);
    let (status, _) = f
        .send(
            &f.admin,
            Method::POST,
            &handle,
            json!({"note": "Gebeld en uitgelegd."}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = f
        .send(
            &f.admin,
            Method::POST,
            &handle,
            json!({"note": "Nog eens."}),
        )
        .await;
    assert_eq!(status, 409);
    let (_, open) = f.get(&f.admin, "/admin/complaints").await;
    assert_eq!(ids(&open), vec![commented_id]);
    let (_, all) = f.get(&f.admin, "/admin/complaints?state=all").await;
    let handled = all
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == filed["id"])
        .unwrap();
    assert_eq!(handled["handled_note"], "Gebeld en uitgelegd.");
    assert_eq!(handled["handled_at"], "2026-03-20T13:00:00+01:00");
}

async fn erasure_keeps_the_rating_and_open_complaints(store: Store) {
    let f = fixture(store).await;
    let plain = f.book(ts("2026-03-20T09:00:00Z"), "Inwoner Een").await;
    let complained = f.book(ts("2026-03-20T10:00:00Z"), "Inwoner Twee").await;
    f.t.app.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(
        give(
            &f,
            &plain.token,
            json!({"rating": 7, "comment": "Mevrouw Jansen hielp mij goed."}),
        )
        .await
        .0,
        201
    );
    assert_eq!(
        give(
            &f,
            &complained.token,
            json!({"rating": 1, "comment": "Te laat begonnen.", "complaint": true}),
        )
        .await
        .0,
        201
    );
    f.t.app.clock.advance(SignedDuration::from_hours(24 * 91));
    assert_eq!(
        booking::usecases::retention::apply(&f.t.app).await.unwrap(),
        2
    );
    let db = &f.t.app.db();
    let kept = db
        .feedback_for_appointment(f.tenant.id, plain.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.rating, kept.comment.as_str()), (7, ""));
    let open = db
        .feedback_for_appointment(f.tenant.id, complained.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.comment, "Te laat begonnen.");
}

async fn the_dashboard_counts_the_week_of_the_own_municipality(store: Store) {
    let f = fixture(store).await;
    let anon = reqwest::Client::new();
    // Checked in at its start, called 3 minutes later, answered, finished.
    let shown = f.book(ts("2026-03-20T09:00:00Z"), "Inwoner Een").await;
    // Nobody checks in: a no-show once the grace period is over.
    let absent = f.book(ts("2026-03-20T10:00:00Z"), "Inwoner Twee").await;
    let (status, body) = f
        .send(
            &anon,
            Method::POST,
            &format!("/personal/{}/check-in", shown.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    f.t.app.clock.advance(SignedDuration::from_mins(3));
    let (status, entry) = f
        .send(
            &f.t.client,
            Method::POST,
            "/staff/queue/call-next",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{entry}");
    let (status, body) = f
        .send(
            &anon,
            Method::POST,
            &format!("/queue-entries/{}/answer", shown.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let entry_id = entry["id"].as_str().unwrap();
    let (status, _) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/queue/{entry_id}/done"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = give(
        &f,
        &shown.token,
        json!({"rating": 8, "comment": "Kon beter.", "complaint": true}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, callback) = f
        .send(&anon, Method::POST, "/tenants/voorbeeld/callbacks",
            json!({"service_id": f.service.id.to_string(), "name": "Bel Mij", "phone": "0612345678", "part_of_day": "morning"}))
        .await;
    assert_eq!(status, 201);
    f.t.app.clock.advance(SignedDuration::from_mins(60));
    let (status, _) = f
        .send(
            &f.t.client,
            Method::POST,
            &format!("/staff/callbacks/{}/done", callback["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    f.t.app
        .clock
        .advance(ts("2026-03-20T12:00:00Z").duration_since(f.t.app.clock.now()));

    let (status, dash) = f.get(&f.admin, "/admin/dashboard").await;
    assert_eq!(status, 200, "{dash}");
    let weeks = dash["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 1, "{dash}");
    let w = &weeks[0];
    assert_eq!(w["service_id"], f.service.id.to_string());
    assert_eq!(
        (w["week"].clone(), w["week_start"].clone()),
        (json!("2026-W12"), json!("2026-03-16"))
    );
    assert_eq!(
        (w["calls"].clone(), w["missed_calls"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(
        (w["wait_p50_seconds"].clone(), w["wait_p90_seconds"].clone()),
        (json!(180), json!(180))
    );
    assert_eq!(
        (
            w["appointments_due"].clone(),
            w["no_shows"].clone(),
            w["no_show_rate"].clone()
        ),
        (json!(2), json!(1), json!(0.5))
    );
    assert_eq!(
        (
            w["average_rating"].clone(),
            w["rating_distribution"][7].clone()
        ),
        (json!(8.0), json!(1))
    );
    assert_eq!(
        (w["callbacks"].clone(), w["callbacks_on_time"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(w["complaints_open"], 1);
    assert!(absent.id != shown.id);

    let resp = f
        .admin
        .get(f.url("/admin/dashboard.csv?from=2026-03-16&to=2026-03-22"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].starts_with(&format!(
            "\"{}\",2026-W12,2026-03-16,1,1,8.00,",
            f.service.name
        )),
        "{csv}"
    );
    let resp = f
        .admin
        .get(f.url("/admin/dashboard/charts/calls?from=2026-03-02&to=2026-03-22"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    let svg = resp.text().await.unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("Gesprekken per week"),
        "{svg}"
    );
    assert!(
        svg.contains(&f.service.name) && svg.contains("2026-W10") && svg.contains("2026-W12"),
        "{svg}"
    );
    let (status, _) = f.get(&f.admin, "/admin/dashboard/charts/nonsense").await;
    assert_eq!(status, 404);
    let resp = f
        .other_admin
        .get(f.url("/admin/dashboard/charts/calls"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let theirs = resp.text().await.unwrap();
    assert!(!theirs.contains(&f.service.name), "{theirs}");
    // A period before any activity is empty; a reversed one is refused.
    let (_, earlier) = f
        .get(&f.admin, "/admin/dashboard?from=2026-01-05&to=2026-03-15")
        .await;
    assert_eq!(earlier["weeks"], json!([]));
    let (status, _) = f
        .get(&f.admin, "/admin/dashboard?from=2026-03-20&to=2026-03-01")
        .await;
    assert_eq!(status, 422);

    // Admins only, and each municipality sees its own figures.
    let (status, _) = f.get(&f.t.client, "/admin/dashboard").await;
    assert_eq!(status, 403);
    let (status, theirs) = f.get(&f.other_admin, "/admin/dashboard").await;
    assert_eq!(status, 200);
    assert_eq!(theirs["weeks"], json!([]));
    let resp = f
        .other_admin
        .get(f.url("/admin/dashboard.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap().lines().count(), 1);
}

fn claims_of(
    tenant: booking::domain::ids::TenantId,
    clerk: booking::domain::ids::ClerkId,
) -> booking::auth::SessionClaims {
    booking::auth::SessionClaims {
        sub: clerk,
        tenant,
        role: booking::domain::staff::StaffRole::Clerk,
        iat: 0,
        exp: i64::MAX,
        jti: "test".into(),
    }
}

async fn a_clerk_sees_the_ratings_of_their_own_calls_only(store: Store) {
    let f = fixture(store).await;
    let mine = f.book(ts("2026-03-20T09:30:00Z"), "Inwoner Mijn").await;
    let theirs = f
        .book_other(ts("2026-03-20T09:30:00Z"), "Inwoner Elders")
        .await;
    let clerk = claims_of(f.tenant.id, f.clerk);
    assert!(booking::usecases::feedback::on_my_calls(&f.t.app, &clerk)
        .await
        .unwrap()
        .is_empty());
    f.t.app.clock.advance(SignedDuration::from_mins(40));
    let (status, _) = give(
        &f,
        &mine.token,
        json!({"rating": 7, "comment": "Duidelijk uitgelegd."}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = give(
        &f,
        &theirs.token,
        json!({"rating": 3, "comment": "Te lang gewacht."}),
    )
    .await;
    assert_eq!(status, 201);

    let seen = booking::usecases::feedback::on_my_calls(&f.t.app, &clerk)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].rating, seen[0].comment.as_str()),
        (7, "Duidelijk uitgelegd.")
    );
    assert_eq!(seen[0].service_id, f.service.id);
    let other = claims_of(f.other_tenant.id, f.other_clerk);
    let seen = booking::usecases::feedback::on_my_calls(&f.t.app, &other)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].rating, 3);
    // A clerk of another municipality with the same clerk id finds nothing here.
    let stranger = claims_of(f.other_tenant.id, f.clerk);
    assert!(
        booking::usecases::feedback::on_my_calls(&f.t.app, &stranger)
            .await
            .unwrap()
            .is_empty()
    );
}
