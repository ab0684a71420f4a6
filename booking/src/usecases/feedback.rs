//! The rating use cases behind the personal link, shared by the JSON API and the resident's
//! pages: where the resident stands (may rate, already rated, not yet) and giving the rating.
//! The rules themselves are the pure functions in `feedback`.

use crate::auth::SessionClaims;
use crate::domain::appointment::AppointmentStatus;
use crate::domain::feedback::{self, Feedback, FeedbackForm};
use crate::domain::ids::ServiceId;
use crate::error::{Conflict, Error, Result};
use crate::usecases::booking::Unlocked;
use crate::App;
use uuid::Uuid;

/// What the rating page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RatingState {
    /// The call has started (or is over) and nothing was given yet: show the form.
    Open,
    /// Given before: show it instead of the form.
    Given(Feedback),
    /// The call has not started yet.
    NotYet,
    /// The appointment was cancelled: there was no call.
    Cancelled,
}

impl RatingState {
    pub fn may_rate(&self) -> bool {
        matches!(self, RatingState::Open)
    }
}

/// The feedback given for this appointment, if any.
pub async fn given(app: &App, u: &Unlocked) -> Result<Option<Feedback>> {
    app.db
        .feedback_for_appointment(u.tenant.id, u.appointment.id)
        .await
}

/// Whether the resident may rate now, following the pure rule in `feedback::may_give`.
async fn check(app: &App, u: &Unlocked) -> Result<()> {
    let entry = app
        .db
        .queue_entry_for_appointment(u.appointment.id)
        .await?
        .map(|e| e.status);
    feedback::may_give(
        u.appointment.status,
        u.appointment.start,
        entry,
        app.clock.now(),
    )
}

pub async fn state(app: &App, u: &Unlocked) -> Result<RatingState> {
    if let Some(f) = given(app, u).await? {
        return Ok(RatingState::Given(f));
    }
    if u.appointment.status == AppointmentStatus::Cancelled {
        return Ok(RatingState::Cancelled);
    }
    Ok(match check(app, u).await {
        Ok(()) => RatingState::Open,
        Err(Error::Conflict(Conflict::NothingToRate | Conflict::RatingNotYet)) => {
            RatingState::NotYet
        }
        Err(other) => return Err(other),
    })
}

/// Gives the rating: 409 before the call, for a cancelled appointment or when already given;
/// 422 for a rating outside 1..=10 or a complaint without words.
pub async fn give(
    app: &App,
    u: &Unlocked,
    rating: i64,
    comment: &str,
    complaint: bool,
) -> Result<Feedback> {
    check(app, u).await?;
    let form = FeedbackForm::parse(rating, comment, complaint)?;
    let given = Feedback {
        id: Uuid::new_v4(),
        tenant_id: u.tenant.id,
        appointment_id: u.appointment.id,
        service_id: u.appointment.service_id,
        rating: form.rating,
        comment: form.comment,
        complaint: form.complaint,
        given_at: app.clock.now(),
        handled_at: None,
        handled_by: None,
        handled_note: None,
        answer: None,
    };
    // One per appointment: the store's unique key turns a second one into a conflict.
    app.db.insert_feedback(&given).await?;
    tracing::info!(appointment = %u.appointment.id, rating = given.rating, complaint = given.complaint, "feedback given");
    Ok(given)
}

/// The ratings and comments on the clerk's own calls, newest first (the last 200), to learn
/// from. Without the residents' names: a clerk sees how calls went, not who said what.
pub async fn on_my_calls(app: &App, claims: &SessionClaims) -> Result<Vec<MyCallRating>> {
    let given = app
        .db
        .feedback_on_calls_of(claims.tenant, claims.sub, 200)
        .await?;
    Ok(given
        .into_iter()
        .map(|f| MyCallRating {
            service_id: f.service_id,
            rating: f.rating,
            comment: f.comment,
            given_at: f.given_at,
        })
        .collect())
}

/// One rating on a clerk's call, as the clerk sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyCallRating {
    pub service_id: ServiceId,
    pub rating: u8,
    /// Empty when the resident gave none; "Verwijderd" after the retention period.
    pub comment: String,
    pub given_at: jiff::Timestamp,
}
