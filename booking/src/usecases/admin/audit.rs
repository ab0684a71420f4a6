//! The admin audit trail: every admin use case records who changed what, and when; the admin
//! page `/beheer/logboek` and `GET /api/v1/admin/audit` read it. Lines are never changed or
//! removed (the database refuses it, migration 0020).

use crate::auth::SessionClaims;
use crate::domain::audit::{Actor, AuditAction, AuditEntry};
use crate::domain::ids::{ClerkId, TenantId};
use crate::error::Result;
use crate::App;

/// Who acts on which municipality. From an admin's session it names the admin; from a bare
/// municipality id (the platform itself: seeds, tests) it names the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct By {
    pub tenant: TenantId,
    pub clerk: Option<ClerkId>,
}

impl From<TenantId> for By {
    fn from(tenant: TenantId) -> Self {
        Self {
            tenant,
            clerk: None,
        }
    }
}

impl From<&SessionClaims> for By {
    fn from(claims: &SessionClaims) -> Self {
        Self {
            tenant: claims.tenant,
            clerk: Some(claims.sub),
        }
    }
}

/// The acting person, with their name as it is now.
pub(crate) async fn actor(app: &App, by: By) -> Result<Actor> {
    let Some(clerk) = by.clerk else {
        return Ok(Actor::operator());
    };
    let name = app
        .db
        .clerks(by.tenant)
        .await?
        .into_iter()
        .find(|c| c.id == clerk)
        .map_or_else(|| clerk.to_string(), |c| c.name);
    Ok(Actor {
        clerk: Some(clerk),
        name,
    })
}

/// The audit line for `action` on `subject` by `by`, now.
pub(crate) async fn entry(
    app: &App,
    by: By,
    action: AuditAction,
    subject: impl Into<String>,
) -> Result<AuditEntry> {
    Ok(AuditEntry {
        tenant: by.tenant,
        at: app.clock.now(),
        actor: actor(app, by).await?,
        action,
        subject: subject.into(),
    })
}

/// Records a change already made. (Changes whose store function takes the line write it in
/// their own transaction instead.)
pub(crate) async fn record(
    app: &App,
    by: By,
    action: AuditAction,
    subject: impl Into<String>,
) -> Result<()> {
    let line = entry(app, by, action, subject).await?;
    app.db.record_audit(&line).await
}

/// The most recent lines of the municipality's trail, newest first.
pub async fn trail(app: &App, claims: &SessionClaims) -> Result<Vec<AuditEntry>> {
    app.db.audit_trail(claims.tenant, 500).await
}
