//! The platform operator's API: add, list, suspend and resume municipalities. It answers only
//! a bearer token from the platform's configuration (`--operator-token-file`), compared in
//! constant time; without a configured token these routes do not exist. They are described
//! in the README, not in the residents' and municipalities' OpenAPI document.

use super::{Json, Path};
use crate::api::problem::Problem;
use crate::domain::ids::TenantId;
use crate::error::{Error, Result};
use crate::usecases::operator::{self, Listed, NewMunicipality};
use crate::App;
use axum::extract::{FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::routing::{get, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

/// Tokens shorter than this are refused at start: the token is the operator's only key.
pub const MIN_TOKEN_BYTES: usize = 32;

/// The operator's token as configured, kept as its SHA-256 so comparing takes the same time
/// whatever the length of what was sent.
#[derive(Clone)]
pub struct OperatorToken(Arc<[u8; 32]>);

impl OperatorToken {
    /// The token from its configured text (surrounding white space, such as a file's final
    /// newline, is not part of it).
    pub fn new(raw: &str) -> std::result::Result<Self, String> {
        let token = raw.trim();
        if token.len() < MIN_TOKEN_BYTES {
            return Err(format!(
                "the operator token is {} bytes; it must be at least {MIN_TOKEN_BYTES} \
                 (for example the output of `openssl rand -hex 32`)",
                token.len()
            ));
        }
        Ok(Self(Arc::new(Sha256::digest(token.as_bytes()).into())))
    }

    fn admits(&self, sent: &str) -> bool {
        let sent: [u8; 32] = Sha256::digest(sent.as_bytes()).into();
        bool::from(self.0.as_slice().ct_eq(sent.as_slice()))
    }
}

#[derive(Clone)]
pub struct OperatorState {
    app: App,
    token: OperatorToken,
}

/// A request that carried the operator's bearer token.
pub struct Operator;

impl FromRequestParts<OperatorState> for Operator {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &OperatorState) -> Result<Self> {
        let sent = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthenticated)?;
        if !state.token.admits(sent.trim()) {
            tracing::warn!("operator API: wrong token");
            return Err(Error::Unauthenticated);
        }
        Ok(Operator)
    }
}

/// The operator's routes, answering only `token`.
pub fn router(app: App, token: OperatorToken) -> Router {
    Router::new()
        .route("/api/v1/operator/tenants", get(list).post(create))
        .route(
            "/api/v1/operator/tenants/{slug}/suspended",
            put(set_suspended),
        )
        .layer(axum::middleware::from_fn(
            super::problem::speak_the_clients_language,
        ))
        .with_state(OperatorState { app, token })
}

#[derive(Deserialize, ToSchema)]
pub struct CreateBody {
    /// The municipality's address on the platform, e.g. `utrecht`.
    #[schema(pattern = "^[a-z0-9-]{1,63}$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The first admin, who is mailed a link to choose a password.
    #[schema(format = Email, max_length = 254)]
    pub admin_email: String,
    #[serde(default)]
    pub admin_name: String,
    /// IANA time zone; Europe/Amsterdam when absent.
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityView {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub suspended: bool,
}

impl From<Listed> for MunicipalityView {
    fn from(l: Listed) -> Self {
        Self {
            id: l.tenant.id,
            slug: l.tenant.slug.to_string(),
            name: l.tenant.name,
            time_zone: l.tenant.time_zone.as_str().to_string(),
            suspended: l.suspended,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedView {
    #[serde(flatten)]
    pub municipality: MunicipalityView,
    pub admin_email: String,
    /// Until when the first admin's link works (RFC 3339).
    pub link_expires: String,
    /// False when the mail could not be sent (see the log).
    pub mailed: bool,
}

/// Add a municipality (operator)
///
/// Creates the municipality with the platform's defaults and its public holidays, and mails its first admin a one-time link (72 hours) to choose a password.
#[utoipa::path(post, path = "/api/v1/operator/tenants", tag = "operator", request_body = CreateBody,
    responses((status = 201, body = CreatedView), (status = 401, body = Problem),
        (status = 409, body = Problem, description = "The slug is taken"), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<OperatorState>,
    _: Operator,
    Json(body): Json<CreateBody>,
) -> Result<(StatusCode, Json<CreatedView>)> {
    let created = operator::create_municipality(
        &state.app,
        &NewMunicipality {
            slug: body.slug,
            name: body.name,
            admin_email: body.admin_email,
            admin_name: body.admin_name,
            time_zone: body.time_zone,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedView {
            municipality: Listed {
                tenant: created.tenant,
                suspended: false,
            }
            .into(),
            admin_email: created.admin_email,
            link_expires: created.link_expires.to_string(),
            mailed: created.mailed,
        }),
    ))
}

/// List the municipalities (operator)
///
/// Every municipality on the platform, suspended or not.
#[utoipa::path(get, path = "/api/v1/operator/tenants", tag = "operator",
    responses((status = 200, body = Vec<MunicipalityView>), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<OperatorState>,
    _: Operator,
) -> Result<Json<Vec<MunicipalityView>>> {
    let all = operator::municipalities(&state.app).await?;
    Ok(Json(all.into_iter().map(MunicipalityView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct SuspendedBody {
    /// true: residents read that it is not available, logins are refused and sessions end; false: resumed.
    pub suspended: bool,
}

/// Suspend or resume a municipality (operator)
///
/// Nothing is deleted; resuming brings everything back.
#[utoipa::path(put, path = "/api/v1/operator/tenants/{slug}/suspended", tag = "operator", request_body = SuspendedBody,
    params(("slug" = String, Path, description = "The municipality's slug")),
    responses((status = 200, body = MunicipalityView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn set_suspended(
    State(state): State<OperatorState>,
    _: Operator,
    Path(slug): Path<String>,
    Json(body): Json<SuspendedBody>,
) -> Result<Json<MunicipalityView>> {
    Ok(Json(
        operator::set_suspended(&state.app, &slug, body.suspended)
            .await?
            .into(),
    ))
}
