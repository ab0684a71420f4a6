//! The outcome a clerk writes during the call (issue 21 item 1), on real SQLite and PostgreSQL:
//! kept as a draft per clerk and queue entry, overwritten by each save, still there after the
//! conversation ended, only the clerk's own, turned into the outcome (and its outbox event) in
//! one transaction and only once, kept when the recording is refused, and erased with the
//! municipality's retention period when never recorded.

#[macro_use]
mod common;
mod outcomes_support;

use booking::auth::SessionClaims;
use booking::domain::ids::{ClerkId, TenantId};
use booking::domain::outcome::UnfinishedOutcome;
use booking::domain::staff::StaffRole;
use booking::usecases::outcome;
use common::Store;
use jiff::SignedDuration;
use outcomes_support::fixture;
use serde_json::json;

on_both_stores!(
    a_draft_survives_the_end_of_the_call_and_becomes_the_outcome_once,
    a_draft_never_recorded_goes_with_the_retention_period,
);

fn claims_of(tenant: TenantId, clerk: ClerkId, role: StaffRole) -> SessionClaims {
    SessionClaims {
        sub: clerk,
        tenant,
        role,
        iat: 0,
        exp: i64::MAX,
        jti: "test".into(),
    }
}

fn written(result: &str, notes: &str) -> UnfinishedOutcome {
    UnfinishedOutcome::parse(result, notes, "none", vec![]).unwrap()
}

async fn a_draft_survives_the_end_of_the_call_and_becomes_the_outcome_once(store: Store) {
    let f = fixture(store).await;
    let app = &f.t.app;
    let a = f.booked(1).await[0];
    let entry = common::start_call(app.db(), f.tenant.id, a, f.clerk, app.clock.now()).await;
    let anna = claims_of(f.tenant.id, f.clerk, StaffRole::Clerk);

    // Nothing kept yet; then two saves during the call, the second over the first.
    assert_eq!(outcome::unfinished(app, &anna, entry).await.unwrap(), None);
    outcome::keep_unfinished(app, &anna, entry, &written("", "Pasfoto mee"))
        .await
        .unwrap();
    let latest = written("complete", "Pasfoto mee.\nAanvraag compleet.");
    outcome::keep_unfinished(app, &anna, entry, &latest)
        .await
        .unwrap();
    assert_eq!(
        outcome::unfinished(app, &anna, entry).await.unwrap(),
        Some(latest.clone())
    );

    // Another member of staff does not see Anna's draft (the admin, who may open the entry).
    let bram = app
        .db()
        .clerks(f.tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.email == "bram@voorbeeld.nl")
        .unwrap()
        .id;
    let admin = claims_of(f.tenant.id, bram, StaffRole::Admin);
    assert_eq!(outcome::unfinished(app, &admin, entry).await.unwrap(), None);
    // A queue entry of another municipality, or none at all, is "not found".
    let stranger = claims_of(TenantId::new(), f.clerk, StaffRole::Clerk);
    assert!(outcome::keep_unfinished(app, &stranger, entry, &latest)
        .await
        .is_err());

    // The clerk ends the conversation: the draft is still there.
    let resp =
        f.t.client
            .post(f.url(&format!("/api/v1/staff/queue/{entry}/done")))
            .send()
            .await
            .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(
        outcome::unfinished(app, &anna, entry).await.unwrap(),
        Some(latest.clone())
    );

    // A refused recording changes nothing: no outcome, no outbox event, the draft stays.
    let resp = f
        .record(
            a,
            json!({"result": "nope", "notes": latest.notes, "follow_up": {"kind": "none"}}),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let history = f.history(a).await;
    assert!(history["outcomes"].as_array().unwrap().is_empty());
    assert!(history["deliveries"].as_array().unwrap().is_empty());
    assert_eq!(
        outcome::unfinished(app, &anna, entry).await.unwrap(),
        Some(latest.clone())
    );

    // Recorded: the outcome with its one outbox event, and the draft is gone.
    let resp = f
        .record(
            a,
            json!({"result": latest.result, "notes": latest.notes, "follow_up": {"kind": "none"}}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let history = f.history(a).await;
    assert_eq!(history["outcomes"].as_array().unwrap().len(), 1);
    assert_eq!(history["outcomes"][0]["notes"], latest.notes);
    assert_eq!(history["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(outcome::unfinished(app, &anna, entry).await.unwrap(), None);

    // Only once: a second recording of the same call is a conflict and adds no event.
    let resp = f
        .record(
            a,
            json!({"result": "complete", "notes": "", "follow_up": {"kind": "none"}}),
        )
        .await;
    assert_eq!(resp.status(), 409);
    assert_eq!(
        f.history(a).await["deliveries"].as_array().unwrap().len(),
        1
    );
}

async fn a_draft_never_recorded_goes_with_the_retention_period(store: Store) {
    let f = fixture(store).await;
    let app = &f.t.app;
    let ids = f.booked(2).await;
    let anna = claims_of(f.tenant.id, f.clerk, StaffRole::Clerk);
    let old = common::start_call(app.db(), f.tenant.id, ids[0], f.clerk, app.clock.now()).await;
    outcome::keep_unfinished(app, &anna, old, &written("", "Oud concept"))
        .await
        .unwrap();

    // The retention period passes for the first draft; the second is written just before the
    // worker runs and stays.
    let days = app.db().tenant(f.tenant.id).await.unwrap().retention_days;
    app.clock.advance(SignedDuration::from_hours(24 * days + 1));
    let fresh = common::start_call(app.db(), f.tenant.id, ids[1], f.clerk, app.clock.now()).await;
    outcome::keep_unfinished(app, &anna, fresh, &written("", "Nieuw concept"))
        .await
        .unwrap();
    booking::usecases::retention::apply(app).await.unwrap();
    assert_eq!(outcome::unfinished(app, &anna, old).await.unwrap(), None);
    assert_eq!(
        outcome::unfinished(app, &anna, fresh)
            .await
            .unwrap()
            .map(|u| u.notes),
        Some("Nieuw concept".to_string())
    );
}
