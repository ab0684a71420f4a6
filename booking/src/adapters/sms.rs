//! Text messages to residents: through the GOV.UK Notify API as the Dutch government runs it
//! (NotifyNL), or into a directory of JSON files when no Notify account is configured (the
//! default, so a demo needs no account).
//!
//! The contract (see `tests/notify/README.md` for the sources): `POST /v2/notifications/sms`
//! with `{phone_number, template_id, personalisation, reference}`, `Authorization: Bearer <JWT>`,
//! the JWT HS256-signed with the API key's secret and holding `iss` (the service id) and `iat`
//! (now; Notify refuses tokens more than 30 s off). An API key reads
//! `<key name>-<service id>-<secret key>`, both ids UUIDs. 201 means accepted; errors come as
//! `{"status_code": n, "errors": [{"error": "...", "message": "..."}]}`.

use crate::adapters::outbound_http::{read_capped, refusal_in, OutboundHttp};
use crate::domain::outbox::DeliveryError;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// One text to one resident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingSms {
    /// E.164 (`+31612345678`).
    pub phone_number: String,
    pub body: String,
    /// Our message id: Notify echoes it, and it ties a Notify notification to our row.
    pub reference: String,
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, sms: &'a OutgoingSms) -> SendFuture<'a>;
}

/// The personalisation field the Notify template must show: its text is `((bericht))`.
pub const TEMPLATE_FIELD: &str = "bericht";

/// Writes each text as `<reference>.json` in the shape Notify would receive.
pub struct FileSink {
    dir: PathBuf,
}

impl FileSink {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }
}

impl SmsSender for FileSink {
    fn send<'a>(&'a self, sms: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            let body = serde_json::json!({
                "phone_number": sms.phone_number,
                "personalisation": {TEMPLATE_FIELD: sms.body},
                "reference": sms.reference,
            });
            // The reference is our uuid; anything else is not used as a file name.
            let name: String = sms
                .reference
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let path = self.dir.join(format!("{name}.json"));
            tokio::fs::write(&path, body.to_string())
                .await
                .map_err(|e| {
                    DeliveryError::Transient(format!("cannot write {}: {e}", path.display()))
                })
        })
    }
}

/// A Notify API key, split into what signs the token and what names the service.
#[derive(Clone)]
pub struct NotifyKey {
    pub service_id: String,
    secret: String,
}

impl std::fmt::Debug for NotifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyKey")
            .field("service_id", &self.service_id)
            .finish_non_exhaustive()
    }
}

impl NotifyKey {
    /// `<key name>-<service id>-<secret key>`: the last 36 characters are the secret, the 36
    /// before the hyphen before it the service id (the name may contain hyphens itself).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        const UUID: usize = 36;
        let bad = || "a Notify API key reads <name>-<service id>-<secret key>".to_string();
        if raw.len() < 2 * UUID + 2 || !raw.is_ascii() {
            return Err(bad());
        }
        let secret = &raw[raw.len() - UUID..];
        let service = &raw[raw.len() - 2 * UUID - 1..raw.len() - UUID - 1];
        let sep = &raw[raw.len() - UUID - 1..raw.len() - UUID];
        if sep != "-"
            || uuid::Uuid::parse_str(secret).is_err()
            || uuid::Uuid::parse_str(service).is_err()
        {
            return Err(bad());
        }
        Ok(Self {
            service_id: service.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The bearer token for one request, issued `now` (Unix seconds).
    pub fn token(&self, now: i64) -> Result<String, DeliveryError> {
        #[derive(serde::Serialize)]
        struct Claims<'a> {
            iss: &'a str,
            iat: i64,
        }
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &Claims {
                iss: &self.service_id,
                iat: now,
            },
            &EncodingKey::from_secret(self.secret.as_bytes()),
        )
        .map_err(|e| DeliveryError::Refused(format!("cannot sign the Notify token: {e}")))
    }
}

/// The Notify client. Calls go through `OutboundHttp`, so the operator's rule on internal
/// addresses holds here as for the case store.
pub struct NotifySms {
    pub base_url: String,
    pub key: NotifyKey,
    pub template_id: String,
    pub http: OutboundHttp,
}

impl SmsSender for NotifySms {
    fn send<'a>(&'a self, sms: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            let url = format!(
                "{}/v2/notifications/sms",
                self.base_url.trim_end_matches('/')
            );
            // The real clock, not the platform's: Notify checks iat against its own.
            let token = self.key.token(jiff::Timestamp::now().as_second())?;
            let request = self
                .http
                .request(reqwest::Method::POST, &url)
                .map_err(|e| DeliveryError::Refused(e.to_string()))?
                .bearer_auth(token)
                .json(&serde_json::json!({
                    "phone_number": sms.phone_number,
                    "template_id": self.template_id,
                    "personalisation": {TEMPLATE_FIELD: sms.body},
                    "reference": sms.reference,
                }));
            let response = request.send().await.map_err(|e| match refusal_in(&e) {
                Some(refusal) => DeliveryError::Refused(refusal.to_string()),
                None if e.is_timeout() => DeliveryError::Transient("timeout".into()),
                None => DeliveryError::Transient(format!("connection failed: {e}")),
            })?;
            let status = response.status();
            let body = read_capped(response)
                .await
                .map_err(|e| DeliveryError::Transient(e.to_string()))?;
            if status.as_u16() == 201 {
                return Ok(());
            }
            let said = notify_error(&body);
            let text = format!("{} {said}", status.as_u16());
            if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                Err(DeliveryError::Transient(text))
            } else {
                Err(DeliveryError::Refused(text))
            }
        })
    }
}

/// "BadRequestError: phone_number Not a UK mobile number" out of Notify's error body.
fn notify_error(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let first = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|e| e.get(0));
    match first {
        Some(e) => format!(
            "{}: {}",
            e.get("error").and_then(|v| v.as_str()).unwrap_or("Error"),
            e.get("message").and_then(|v| v.as_str()).unwrap_or("")
        ),
        None => String::from_utf8_lossy(&body[..body.len().min(200)]).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn api_keys_split_into_service_and_secret() {
        let key = NotifyKey::parse(&format!("my-test-key-{SERVICE}-{SECRET}\n")).unwrap();
        assert_eq!(key.service_id, SERVICE);
        assert_eq!(key.secret, SECRET);
        assert!(!format!("{key:?}").contains(SECRET));
        for bad in [
            "",
            "short",
            &format!("{SERVICE}{SECRET}"),
            &format!("x-{SERVICE}-nope"),
        ] {
            assert!(NotifyKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_carry_iss_and_iat_signed_with_the_secret() {
        let key = NotifyKey::parse(&format!("k-{SERVICE}-{SECRET}")).unwrap();
        let token = key.token(1_700_000_000).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()),
            &validation,
        )
        .unwrap();
        assert_eq!(data.claims["iss"], SERVICE);
        assert_eq!(data.claims["iat"], 1_700_000_000);
    }

    #[test]
    fn notify_errors_are_read_from_their_shape() {
        let body = br#"{"status_code": 400, "errors": [{"error": "BadRequestError", "message": "phone_number is required"}]}"#;
        assert_eq!(
            notify_error(body),
            "BadRequestError: phone_number is required"
        );
        assert_eq!(notify_error(b"oops"), "oops");
    }
}
