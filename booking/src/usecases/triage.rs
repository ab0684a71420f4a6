//! Questions before booking (issue 16 item 7): the resident answers them before choosing a
//! time; the admin sets them per service. The answers are checked again and stored when the
//! appointment is booked (`booking::book`), and shown to the clerk in the call view.

use super::admin::audit::{self, By};
use super::admin::services::own_service;
use crate::domain::audit::AuditAction;
use crate::domain::catalog::Service;
use crate::domain::ids::TriageQuestionId;
use crate::domain::triage::{self, AnswerInput, Given, NewQuestion, Outcome, Question};
use crate::error::{Error, Result};
use crate::App;

/// The questions a resident answers before booking this service (none: go straight on).
pub async fn questions(app: &App, service: &Service) -> Result<Vec<Question>> {
    app.db.triage_questions(service.id).await
}

/// Where the resident's answers (`0-1`, as carried between the steps) lead, against the
/// service's questions as they are now.
pub async fn outcome(app: &App, service: &Service, encoded: Option<&str>) -> Result<Outcome> {
    let questions = questions(app, service).await?;
    triage::outcome(&questions, encoded).map_err(|why| why.error())
}

/// The answers to store with a booking. A resident must have answered and been let through;
/// a clerk booking for a caller (`by_clerk`) asked on the phone and may leave them out.
pub(crate) async fn for_booking(
    app: &App,
    service: &Service,
    encoded: Option<&str>,
    by_clerk: bool,
) -> Result<Vec<Given>> {
    if by_clerk && encoded.is_none() {
        return Ok(Vec::new());
    }
    match outcome(app, service, encoded).await? {
        Outcome::Book { given, .. } => Ok(given),
        Outcome::Counter { .. } | Outcome::CallUs => Err(Error::invalid(
            "/triage",
            "Volgens uw antwoorden kan dit niet met een videogesprek. Bel ons of kom naar de balie.",
            "According to your answers this cannot be done by video call. Call us or come to the counter.",
        )),
    }
}

/// Adds a question to one of the municipality's services.
pub async fn add_question(
    app: &App,
    by: impl Into<By>,
    service: &str,
    text: &str,
    answers: &[AnswerInput<'_>],
) -> Result<TriageQuestionId> {
    let by = by.into();
    let service = own_service(app, by.tenant, service).await?;
    let question = NewQuestion::parse(text, answers)?;
    if questions(app, &service).await?.len() >= triage::MAX_QUESTIONS {
        return Err(Error::invalid(
            "/text",
            format!(
                "Een dienst heeft hoogstens {} vragen vooraf.",
                triage::MAX_QUESTIONS
            ),
            format!(
                "A service has at most {} questions before booking.",
                triage::MAX_QUESTIONS
            ),
        ));
    }
    let id = app
        .db
        .add_triage_question(by.tenant, service.id, &question)
        .await?;
    audit::record(
        app,
        by,
        AuditAction::ServiceQuestionsChanged,
        &format!("{}: {}", service.name, question.text),
    )
    .await?;
    Ok(id)
}

/// Removes a question; the answers given with appointments already booked stay.
pub async fn remove_question(
    app: &App,
    by: impl Into<By>,
    service: &str,
    question: &str,
) -> Result<()> {
    let by = by.into();
    let service = own_service(app, by.tenant, service).await?;
    let id: TriageQuestionId = question.parse().map_err(|_| Error::NotFound("question"))?;
    if !app.db.remove_triage_question(service.id, id).await? {
        return Err(Error::NotFound("question"));
    }
    audit::record(app, by, AuditAction::ServiceQuestionsChanged, &service.name).await?;
    Ok(())
}
