//! Complaints: closing one with a note, marking a comment as one.

use crate::domain::feedback::Feedback;
use crate::domain::ids::{ClerkId, TenantId};
use crate::error::{Error, Result};
use crate::App;

/// Closes an open complaint with a note on how it was handled.
pub async fn handle_complaint(
    app: &App,
    tenant: TenantId,
    by: ClerkId,
    complaint: &str,
    note: &str,
) -> Result<()> {
    let note = crate::domain::feedback::parse_note(note)?;
    let id: uuid::Uuid = complaint
        .parse()
        .map_err(|_| Error::NotFound("complaint"))?;
    app.db
        .handle_complaint(tenant, id, by, &note, app.clock.now())
        .await
}

/// Puts a resident's comment on the complaints list, to be followed up like a complaint.
pub async fn mark_complaint(app: &App, tenant: TenantId, comment: &str) -> Result<()> {
    let id: uuid::Uuid = comment.parse().map_err(|_| Error::NotFound("comment"))?;
    app.db.mark_complaint(tenant, id).await
}

/// Feedback with a comment, newest first.
pub async fn comments(app: &App, tenant: TenantId) -> Result<Vec<Feedback>> {
    app.db.comments(tenant).await
}

/// The complaints, oldest first: the open ones, or all with `all`.
pub async fn complaints(app: &App, tenant: TenantId, all: bool) -> Result<Vec<Feedback>> {
    app.db.complaints(tenant, all).await
}
