//! Notify's inbound-text callback: a resident answers a text with "annuleren" and their one
//! upcoming appointment is cancelled (`usecases::messages::inbound_sms`). Notify sends the
//! bearer token configured for the callback (`--notify-inbound-token-file`), compared in
//! constant time; without a configured token the route does not exist. Every authenticated
//! callback gets 204, whatever became of it, so the answer reveals nothing about numbers.

use super::{Json, Path};
use crate::error::{Error, Result};
use crate::usecases::messages::{self, InboundSms};
use crate::App;
use axum::extract::{FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::routing::post;
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The callback's bearer token, kept as its SHA-256 so comparing takes the same time whatever
/// the length of what was sent.
#[derive(Clone)]
pub struct InboundToken(Arc<[u8; 32]>);

impl InboundToken {
    pub fn new(raw: &str) -> std::result::Result<Self, String> {
        let token = raw.trim();
        if token.len() < 16 {
            return Err("the inbound SMS token must be at least 16 characters".into());
        }
        Ok(Self(Arc::new(Sha256::digest(token.as_bytes()).into())))
    }

    fn admits(&self, sent: &str) -> bool {
        let sent: [u8; 32] = Sha256::digest(sent.as_bytes()).into();
        bool::from(self.0.as_slice().ct_eq(sent.as_slice()))
    }
}

#[derive(Clone)]
struct InboundState {
    app: App,
    token: InboundToken,
}

struct FromNotify;

impl FromRequestParts<InboundState> for FromNotify {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &InboundState) -> Result<Self> {
        let sent = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthenticated)?;
        if !state.token.admits(sent.trim()) {
            tracing::warn!("inbound SMS callback: wrong token");
            return Err(Error::Unauthenticated);
        }
        Ok(FromNotify)
    }
}

/// `POST /api/v1/tenants/{slug}/inbound-sms`, answering only `token`.
pub fn router(app: App, token: InboundToken) -> Router {
    Router::new()
        .route("/api/v1/tenants/{slug}/inbound-sms", post(receive))
        .layer(axum::middleware::from_fn(
            super::problem::speak_the_clients_language,
        ))
        .with_state(InboundState { app, token })
}

async fn receive(
    _: FromNotify,
    State(state): State<InboundState>,
    Path(slug): Path<String>,
    Json(sms): Json<InboundSms>,
) -> Result<StatusCode> {
    let outcome = messages::inbound_sms(&state.app, &slug, &sms).await?;
    tracing::info!(?outcome, "inbound text handled");
    Ok(StatusCode::NO_CONTENT)
}
