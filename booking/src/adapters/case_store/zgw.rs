//! The ZGW Zaken API adapter (Common Ground; Open Zaak implements it, version 1.5.1 here).
//!
//! One outcome event becomes: the appointment's zaak (created once), the resident as rol, the
//! resultaat, and only then an end status carrying the clerk's notes (Open Zaak refuses an end
//! status without a resultaat). Every step first looks at what is there, so a retry after
//! any failure or crash continues where the last attempt stopped instead of adding a second
//! zaak, rol or status:
//! - the zaak's `identificatie` is ours (`VL-<appointment id>`) and is searched before creating;
//! - a rol with our roltype is searched before adding;
//! - an existing resultaat is kept, or changed when a correction picked another result;
//! - the status explanation starts with `[videoloket:<event id>]`; a status with that marker
//!   means this event's status was already set.
//!
//! A correction on a closed zaak changes the resultaat and sets the end status again; Open Zaak
//! only allows that to clients with the `zaken.geforceerd-bijwerken` scope.

use super::{CaseDelivery, CaseStore, DeliveryFuture, DocumentDestination, DocumentFuture};
use crate::adapters::outbound_http::{self, OutboundHttp, ReadFailure};
use crate::domain::document::OutgoingDocument;
use crate::domain::outbox::DeliveryError;
use crate::domain::outcome::FollowUp;
use crate::error::{Error, Result};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Coordinates are not used, but the Zaken API demands the CRS headers on `/zaken`.
const CRS: &str = "EPSG:4326";
/// A bound on following `next` links, against a server that never stops paging.
const MAX_PAGES: usize = 100;

/// A municipality's connection to its Zaken API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ZgwConfig {
    /// Base URL of the Zaken API, e.g. `https://openzaak.example.nl/zaken/api/v1`.
    pub zaken_api: String,
    /// The application's client id in the Autorisaties API (JWT `iss` and `client_id`).
    pub client_id: String,
    /// The shared secret the JWT is signed with (HS256).
    pub secret: String,
    /// URL of the zaaktype in the Catalogi API.
    pub zaaktype: String,
    /// The municipality's RSIN (bronorganisatie and verantwoordelijkeOrganisatie).
    pub rsin: String,
    /// URL of the roltype for the resident (e.g. the zaaktype's initiator).
    pub roltype: String,
    /// URL of the zaaktype's end statustype.
    pub end_statustype: String,
    /// Resultaattype URL per result code of our services' result lists.
    pub resultaattypen: BTreeMap<String, String>,
    /// `user_id` and `user_representation` in the JWT: who acts, for the audit trail.
    #[serde(default = "default_user")]
    pub user: String,
    /// Base URL of the Documenten API (issue 22), e.g.
    /// `https://openzaak.example.nl/documenten/api/v1`. Empty: the documents residents supply
    /// stay with the case in Videoloket until the retention period.
    #[serde(default)]
    pub documenten_api: String,
    /// URL of the informatieobjecttype (Catalogi API) the supplied documents get; needed with
    /// `documenten_api`.
    #[serde(default)]
    pub informatieobjecttype: String,
}

fn default_user() -> String {
    "videoloket".into()
}

fn is_url(raw: &str) -> bool {
    (raw.starts_with("https://") || raw.starts_with("http://"))
        && raw.len() > 8
        && raw.len() <= 1000
        && !raw.chars().any(char::is_whitespace)
}

/// The RSIN check: nine digits passing the 11-test (as for a BSN).
pub fn valid_rsin(raw: &str) -> bool {
    let digits: Vec<i64> = raw
        .chars()
        .filter_map(|c| c.to_digit(10).map(i64::from))
        .collect();
    if raw.len() != 9 || digits.len() != 9 {
        return false;
    }
    let sum: i64 = digits[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(d, w)| d * w)
        .sum::<i64>()
        - digits[8];
    sum % 11 == 0
}

impl ZgwConfig {
    pub fn validate(mut self) -> Result<Self> {
        self.zaken_api = self.zaken_api.trim().trim_end_matches('/').to_string();
        for (field, value) in [
            ("zaken_api", &self.zaken_api),
            ("zaaktype", &self.zaaktype),
            ("roltype", &self.roltype),
            ("end_statustype", &self.end_statustype),
        ] {
            if !is_url(value) {
                return Err(Error::invalid(
                    format!("/{field}"),
                    "Geef een http(s)-URL.",
                    "Give an http(s) URL.",
                ));
            }
        }
        self.documenten_api = self.documenten_api.trim().trim_end_matches('/').to_string();
        self.informatieobjecttype = self.informatieobjecttype.trim().to_string();
        // Both or neither: documents go to the Documenten API only with a type to file them as.
        if !(self.documenten_api.is_empty() && self.informatieobjecttype.is_empty()) {
            for (field, value) in [
                ("documenten_api", &self.documenten_api),
                ("informatieobjecttype", &self.informatieobjecttype),
            ] {
                if !is_url(value) {
                    return Err(Error::invalid(
                        format!("/{field}"),
                        "Geef een http(s)-URL, of laat de Documenten API en het informatieobjecttype allebei leeg.",
                        "Give an http(s) URL, or leave both the Documenten API and the informatieobjecttype empty.",
                    ));
                }
            }
        }
        if !valid_rsin(&self.rsin) {
            return Err(Error::invalid(
                "/rsin",
                "Geef het RSIN van negen cijfers (het moet de elfproef doorstaan).",
                "Give the nine-digit RSIN (it must pass the 11-test).",
            ));
        }
        if self.client_id.trim().is_empty() || self.client_id.len() > 200 {
            return Err(Error::invalid(
                "/client_id",
                "Geef de client-id (1 tot 200 tekens).",
                "Give the client id (1 to 200 characters).",
            ));
        }
        if self.secret.len() < 8 {
            return Err(Error::invalid(
                "/secret",
                "Geef het geheim (secret) van minstens 8 tekens.",
                "Give the secret of at least 8 characters.",
            ));
        }
        if self.resultaattypen.is_empty() {
            return Err(Error::invalid(
                "/resultaattypen",
                "Koppel minstens één uitkomstcode aan een resultaattype-URL.",
                "Map at least one result code to a resultaattype URL.",
            ));
        }
        if let Some((code, _)) = self.resultaattypen.iter().find(|(_, url)| !is_url(url)) {
            return Err(Error::invalid(
                format!(
                    "/resultaattypen/{}",
                    code.replace('~', "~0").replace('/', "~1")
                ),
                "Geef een http(s)-URL.",
                "Give an http(s) URL.",
            ));
        }
        let user = self.user.trim();
        self.user = if user.is_empty() {
            default_user()
        } else {
            user.chars().take(100).collect()
        };
        Ok(self)
    }
}

/// The zaak identificatie for an appointment, walk-in or callback; at most 40 characters as
/// the API requires (`Subject::identificatie`).
pub fn identificatie(subject: &crate::domain::outcome::Subject) -> String {
    subject.identificatie()
}

/// What kind of contact the zaak records, in the words of its description.
fn contact_kind(d: &CaseDelivery) -> &'static str {
    match d.subject {
        crate::domain::outcome::Subject::Appointment(_) => "Videoafspraak",
        crate::domain::outcome::Subject::WalkIn(_) => "Videogesprek zonder afspraak",
        crate::domain::outcome::Subject::Callback(_) => "Terugbelverzoek",
    }
}

/// The informatieobject identificatie for a document a resident supplied; 40 characters, the
/// API's limit. Searched before creating, so a retry never files the document twice.
pub fn document_identificatie(document: &crate::domain::ids::DocumentId) -> String {
    format!("VLD-{document}")
}

/// The marker that ties a status to one outbox event.
pub fn status_marker(key: &str) -> String {
    format!("[videoloket:{key}]")
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The status explanation: marker first (so truncation never cuts it), then the outcome.
pub fn status_text(d: &CaseDelivery) -> String {
    let o = &d.outcome;
    let mut text = format!("{} {}", status_marker(&d.key), o.result_label);
    if o.version > 1 {
        text.push_str(&format!(" (correctie {})", o.version - 1));
    }
    match &o.follow_up {
        FollowUp::None => {}
        FollowUp::Callback { on } => text.push_str(&format!(". Terugbellen op {on}")),
        FollowUp::NewAppointment => text.push_str(". Nieuwe afspraak nodig"),
    }
    if !o.sources.is_empty() {
        text.push_str(&format!(". Geraadpleegd: {}", o.sources.join(", ")));
    }
    if !o.notes.is_empty() {
        text.push_str(&format!(". Notities: {}", o.notes));
    }
    truncate(&text, 1000)
}

#[derive(Serialize)]
struct ZgwClaims<'a> {
    iss: &'a str,
    client_id: &'a str,
    iat: i64,
    user_id: &'a str,
    user_representation: &'a str,
}

pub struct ZgwCaseStore {
    config: ZgwConfig,
    http: OutboundHttp,
}

impl ZgwCaseStore {
    pub fn new(config: ZgwConfig, http: OutboundHttp) -> Self {
        Self { config, http }
    }

    /// A fresh token per call: ZGW servers reject tokens whose `iat` is too old, and `iat` is
    /// the real time because the server compares it with its own clock.
    fn token(&self) -> Result<String, DeliveryError> {
        let claims = ZgwClaims {
            iss: &self.config.client_id,
            client_id: &self.config.client_id,
            iat: jiff::Timestamp::now().as_second(),
            user_id: &self.config.user,
            user_representation: &self.config.user,
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.config.secret.as_bytes()),
        )
        .map_err(|e| DeliveryError::Refused(format!("cannot sign the ZGW token: {e}")))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.zaken_api)
    }

    async fn call(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, DeliveryError> {
        self.call_on(&self.config.zaken_api, method, url, query, body)
            .await
    }

    /// A call to the API at `base` (the Zaken or the Documenten API).
    async fn call_on(
        &self,
        base: &str,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, DeliveryError> {
        let what = format!("{method} {}", url.strip_prefix(base).unwrap_or(url));
        // Links in answers (`next`, a resultaat's `url`) are followed only on the store's own
        // origin: the signed token goes nowhere else.
        if !same_origin(url, base) {
            return Err(DeliveryError::Refused(format!(
                "{what}: the case store linked to another address; not followed"
            )));
        }
        let mut request = self
            .http
            .request(method.clone(), url)
            .map_err(|refusal| DeliveryError::Transient(format!("{what}: {refusal}")))?
            .bearer_auth(self.token()?)
            .header("Accept", "application/json")
            .query(query);
        if base == self.config.zaken_api && url.starts_with(&self.url("/zaken")) {
            request = request.header("Accept-Crs", CRS).header("Content-Crs", CRS);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| DeliveryError::Transient(format!("{what}: {}", describe(&e))))?;
        let status = response.status();
        let body = outbound_http::read_capped(response)
            .await
            .map_err(|e| match e {
                ReadFailure::Refused(refusal) => {
                    DeliveryError::Transient(format!("{what}: {refusal}"))
                }
                ReadFailure::Transport(e) => DeliveryError::Transient(format!(
                    "{what}: reading the answer: {}",
                    describe(&e)
                )),
            })?;
        if status.is_success() {
            return if body.trim_ascii().is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_slice(&body).map_err(|e| {
                    DeliveryError::Transient(format!("{what}: answer is not JSON: {e}"))
                })
            };
        }
        let message = format!("{what}: {}", problem_text(status, &body));
        Err(classify(status, message))
    }

    async fn find_zaak(&self, ident: &str) -> Result<Option<String>, DeliveryError> {
        let page = self
            .call(
                Method::GET,
                &self.url("/zaken"),
                &[
                    ("identificatie", ident),
                    ("bronorganisatie", &self.config.rsin),
                ],
                None,
            )
            .await?;
        Ok(results(&page)
            .iter()
            .find(|z| z["identificatie"] == ident)
            .and_then(|z| z["url"].as_str())
            .map(str::to_string))
    }

    async fn zaak(&self, d: &CaseDelivery) -> Result<String, DeliveryError> {
        let ident = identificatie(&d.subject);
        if let Some(url) = self.find_zaak(&ident).await? {
            return Ok(url);
        }
        let body = json!({
            "identificatie": ident,
            "bronorganisatie": self.config.rsin,
            "verantwoordelijkeOrganisatie": self.config.rsin,
            "zaaktype": self.config.zaaktype,
            "startdatum": d.contact_date.to_string(),
            "omschrijving": truncate(&format!("{}: {}", contact_kind(d), d.service_name), 80),
            "toelichting": truncate(&format!("{} {} via Videoloket", contact_kind(d), d.contact_start), 1000),
        });
        let zaak = self
            .call(Method::POST, &self.url("/zaken"), &[], Some(&body))
            .await?;
        zaak["url"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| DeliveryError::Transient("POST /zaken: answer has no url".into()))
    }

    async fn rol(&self, zaak: &str, d: &CaseDelivery) -> Result<(), DeliveryError> {
        let page = self
            .call(
                Method::GET,
                &self.url("/rollen"),
                &[("zaak", zaak), ("roltype", &self.config.roltype)],
                None,
            )
            .await?;
        if !results(&page).is_empty() {
            return Ok(());
        }
        let mut contact = json!({ "naam": truncate(&d.resident_name, 200) });
        // The API wants an e-mail address or none: a resident who gave only a phone number
        // (and every walk-in and callback) has none, and an empty one is refused.
        if !d.resident_email.is_empty() {
            contact["emailadres"] = json!(truncate(&d.resident_email, 254));
        }
        let body = json!({
            "zaak": zaak,
            "betrokkeneType": "natuurlijk_persoon",
            "roltype": self.config.roltype,
            "roltoelichting": format!("Inwoner ({})", contact_kind(d).to_lowercase()),
            // We know a name and perhaps an e-mail address, not a BSN; the name goes as given.
            "afwijkendeNaamBetrokkene": truncate(&d.resident_name, 625),
            "betrokkeneIdentificatie": {
                "geslachtsnaam": truncate(&d.resident_name, 200),
            },
            "contactpersoonRol": contact,
        });
        self.call(Method::POST, &self.url("/rollen"), &[], Some(&body))
            .await?;
        Ok(())
    }

    async fn resultaat(
        &self,
        zaak: &str,
        resultaattype: &str,
        d: &CaseDelivery,
    ) -> Result<(), DeliveryError> {
        let page = self
            .call(
                Method::GET,
                &self.url("/resultaten"),
                &[("zaak", zaak)],
                None,
            )
            .await?;
        let toelichting = truncate(&d.outcome.result_label, 1000);
        match results(&page).first() {
            None => {
                let body = json!({"zaak": zaak, "resultaattype": resultaattype, "toelichting": toelichting});
                self.call(Method::POST, &self.url("/resultaten"), &[], Some(&body))
                    .await?;
            }
            Some(existing) if existing["resultaattype"] != resultaattype => {
                // A correction chose another result: the zaak has one resultaat, change it.
                let url = existing["url"].as_str().ok_or_else(|| {
                    DeliveryError::Transient("GET /resultaten: result has no url".into())
                })?;
                let body = json!({"resultaattype": resultaattype, "toelichting": toelichting});
                self.call(Method::PATCH, url, &[], Some(&body)).await?;
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Every item of a paginated list, following `next`. Needed where the item we look for
    /// may be on a later page (a zaak corrected many times has many statussen).
    async fn list_all(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<Value>, DeliveryError> {
        let mut items = Vec::new();
        let mut page = self.call(Method::GET, &self.url(path), query, None).await?;
        for _ in 0..MAX_PAGES {
            items.extend(results(&page));
            let Some(next) = page["next"].as_str().map(str::to_string) else {
                return Ok(items);
            };
            page = self.call(Method::GET, &next, &[], None).await?;
        }
        Err(DeliveryError::Transient(format!(
            "GET {path}: more than {MAX_PAGES} pages"
        )))
    }

    async fn end_status(&self, zaak: &str, d: &CaseDelivery) -> Result<(), DeliveryError> {
        let statussen = self
            .list_all(
                "/statussen",
                &[("zaak", zaak), ("statustype", &self.config.end_statustype)],
            )
            .await?;
        let marker = status_marker(&d.key);
        if statussen.iter().any(|s| {
            s["statustoelichting"]
                .as_str()
                .is_some_and(|t| t.contains(&marker))
        }) {
            return Ok(());
        }
        let body = json!({
            "zaak": zaak,
            "statustype": self.config.end_statustype,
            "datumStatusGezet": d.outcome.recorded_at.to_string(),
            "statustoelichting": status_text(d),
        });
        self.call(Method::POST, &self.url("/statussen"), &[], Some(&body))
            .await?;
        Ok(())
    }
}

/// Issue 22: a document a resident supplied becomes an EnkelvoudigInformatieObject in the
/// Documenten API and a ZaakInformatieObject linking it to the appointment's zaak. Both steps
/// look first (by the document's identificatie, by zaak and informatieobject), so a retry
/// after a failure or a crash between them finishes the link without a second document.
impl ZgwCaseStore {
    fn documenten_url(&self, path: &str) -> String {
        format!("{}{path}", self.config.documenten_api)
    }

    async fn informatieobject(
        &self,
        d: &CaseDelivery,
        document: &OutgoingDocument,
    ) -> Result<String, DeliveryError> {
        let base = &self.config.documenten_api;
        let record = &document.record;
        let ident = document_identificatie(&record.id);
        let page = self
            .call_on(
                base,
                Method::GET,
                &self.documenten_url("/enkelvoudiginformatieobjecten"),
                &[
                    ("identificatie", &ident),
                    ("bronorganisatie", &self.config.rsin),
                ],
                None,
            )
            .await?;
        if let Some(url) = results(&page)
            .iter()
            .find(|o| o["identificatie"] == ident.as_str())
            .and_then(|o| o["url"].as_str())
        {
            return Ok(url.to_string());
        }
        let uploaded = record.uploaded_at.to_zoned(jiff::tz::TimeZone::UTC).date();
        let author = if d.resident_name.trim().is_empty() {
            "Inwoner".to_string()
        } else {
            truncate(&d.resident_name, 200)
        };
        let body = json!({
            "identificatie": ident,
            "bronorganisatie": self.config.rsin,
            "creatiedatum": uploaded.to_string(),
            "titel": truncate(&record.source_label, 200),
            "auteur": author,
            "taal": "nld",
            "formaat": record.kind.media_type(),
            "bestandsnaam": format!("{}.{}", truncate(&record.source_code, 200), record.kind.extension()),
            "inhoud": BASE64.encode(&document.bytes),
            "bestandsomvang": document.bytes.len(),
            "informatieobjecttype": self.config.informatieobjecttype,
            "vertrouwelijkheidaanduiding": "vertrouwelijk",
            "ontvangstdatum": uploaded.to_string(),
            "beschrijving": truncate(&format!("Aangeleverd door de inwoner via Videoloket voor de videoafspraak {}", d.contact_start), 1000),
        });
        let created = self
            .call_on(
                base,
                Method::POST,
                &self.documenten_url("/enkelvoudiginformatieobjecten"),
                &[],
                Some(&body),
            )
            .await?;
        created["url"].as_str().map(str::to_string).ok_or_else(|| {
            DeliveryError::Transient(
                "POST /enkelvoudiginformatieobjecten: answer has no url".into(),
            )
        })
    }

    async fn link(
        &self,
        zaak: &str,
        informatieobject: &str,
        title: &str,
    ) -> Result<(), DeliveryError> {
        // This list is not paged: the API answers with a plain array.
        let found = self
            .call(
                Method::GET,
                &self.url("/zaakinformatieobjecten"),
                &[("zaak", zaak), ("informatieobject", informatieobject)],
                None,
            )
            .await?;
        let linked = found.as_array().is_some_and(|links| {
            links
                .iter()
                .any(|l| l["informatieobject"] == informatieobject && l["zaak"] == zaak)
        });
        if linked {
            return Ok(());
        }
        let body = json!({"zaak": zaak, "informatieobject": informatieobject, "titel": truncate(title, 200)});
        self.call(
            Method::POST,
            &self.url("/zaakinformatieobjecten"),
            &[],
            Some(&body),
        )
        .await?;
        Ok(())
    }
}

impl CaseStore for ZgwCaseStore {
    fn deliver<'a>(&'a self, d: &'a CaseDelivery) -> DeliveryFuture<'a> {
        Box::pin(async move {
            // Checked before anything is created: a missing mapping is a settings problem.
            let resultaattype = self
                .config
                .resultaattypen
                .get(&d.outcome.result_code)
                .ok_or_else(|| {
                    DeliveryError::Refused(format!(
                        "no resultaattype is configured for result {:?}",
                        d.outcome.result_code
                    ))
                })?;
            let zaak = self.zaak(d).await?;
            self.rol(&zaak, d).await?;
            self.resultaat(&zaak, resultaattype, d).await?;
            self.end_status(&zaak, d).await
        })
    }

    fn deliver_document<'a>(
        &'a self,
        d: &'a CaseDelivery,
        document: &'a OutgoingDocument,
    ) -> DocumentFuture<'a> {
        Box::pin(async move {
            if self.config.documenten_api.is_empty() {
                return Ok(DocumentDestination::KeptWithCase);
            }
            // `deliver` of the same event ran first, so the zaak exists.
            let zaak = self
                .find_zaak(&identificatie(&d.subject))
                .await?
                .ok_or_else(|| DeliveryError::Transient("the zaak is not there yet".into()))?;
            let informatieobject = self.informatieobject(d, document).await?;
            self.link(&zaak, &informatieobject, &document.record.source_label)
                .await?;
            Ok(DocumentDestination::Elsewhere(informatieobject))
        })
    }
}

fn results(page: &Value) -> Vec<Value> {
    page["results"].as_array().cloned().unwrap_or_default()
}

/// 4xx means the server will refuse the same request again; 408 and 429 are about timing and
/// 5xx about the server's health, so those are retried.
fn classify(status: StatusCode, message: String) -> DeliveryError {
    if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        DeliveryError::Refused(message)
    } else {
        DeliveryError::Transient(message)
    }
}

/// What is shown of a refusal: the HTTP status and the store's problem `title` and `code` (ZGW
/// `Fout`), with the `name` and `code` of each invalid parameter, each cut short. Never the raw
/// body: with a misconfigured URL that could be another system's answer, shown to an admin.
fn problem_text(status: StatusCode, body: &[u8]) -> String {
    let mut text = status.to_string();
    let Ok(problem) = serde_json::from_slice::<Value>(body) else {
        return text;
    };
    let field = |v: &Value| {
        v.as_str()
            .map(|s| truncate(s.trim(), 120))
            .filter(|s| !s.is_empty())
    };
    if let Some(title) = field(&problem["title"]) {
        text.push_str(&format!(": {title}"));
    }
    if let Some(code) = field(&problem["code"]) {
        text.push_str(&format!(" ({code})"));
    }
    if let Some(params) = problem["invalidParams"].as_array() {
        for p in params.iter().take(10) {
            text.push_str(&format!(
                "; {}: {}",
                field(&p["name"]).unwrap_or_else(|| "?".into()),
                field(&p["code"]).unwrap_or_else(|| "?".into())
            ));
        }
    }
    text
}

/// Same scheme, host and port.
fn same_origin(url: &str, base: &str) -> bool {
    match (reqwest::Url::parse(url), reqwest::Url::parse(base)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

fn describe(e: &reqwest::Error) -> String {
    if let Some(refusal) = outbound_http::refusal_in(e) {
        refusal.to_string()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsins_pass_the_eleven_test() {
        assert!(valid_rsin("002220647"));
        assert!(!valid_rsin("002220648"));
        assert!(!valid_rsin("00222064"));
        assert!(!valid_rsin("00222064x"));
    }

    #[test]
    fn identificatie_fits_the_api_limit() {
        for subject in [
            crate::domain::outcome::Subject::Appointment(crate::domain::ids::AppointmentId::new()),
            crate::domain::outcome::Subject::WalkIn(crate::domain::ids::QueueEntryId::new()),
            crate::domain::outcome::Subject::Callback(crate::domain::ids::CallbackId::new()),
        ] {
            assert!(identificatie(&subject).len() <= 40);
        }
        assert!(document_identificatie(&crate::domain::ids::DocumentId::new()).len() <= 40);
    }

    #[test]
    fn client_errors_are_refusals_except_timing() {
        let c = |s: u16| classify(StatusCode::from_u16(s).unwrap(), "m".into());
        assert!(matches!(c(400), DeliveryError::Refused(_)));
        assert!(matches!(c(403), DeliveryError::Refused(_)));
        assert!(matches!(c(408), DeliveryError::Transient(_)));
        assert!(matches!(c(429), DeliveryError::Transient(_)));
        assert!(matches!(c(500), DeliveryError::Transient(_)));
        assert!(matches!(c(503), DeliveryError::Transient(_)));
    }

    #[test]
    fn problem_details_become_one_line() {
        let body = r#"{"type":"x","code":"invalid","title":"Invalid input.","status":400,"detail":"","instance":"i",
            "invalidParams":[{"name":"zaaktype","code":"bad-url","reason":"De URL is ongeldig."}]}"#;
        assert_eq!(
            problem_text(StatusCode::BAD_REQUEST, body.as_bytes()),
            "400 Bad Request: Invalid input. (invalid); zaaktype: bad-url"
        );
        // Anything else in the body (another system's answer) is never shown.
        assert_eq!(
            problem_text(StatusCode::BAD_GATEWAY, b"<html>ami-id: secret</html>"),
            "502 Bad Gateway"
        );
        assert_eq!(
            problem_text(StatusCode::OK, br#"{"AccessKeyId":"AKIA","Token":"t"}"#),
            "200 OK"
        );
    }

    #[test]
    fn links_are_followed_on_the_stores_origin_only() {
        let base = "https://zaken.example.nl/api/v1";
        assert!(same_origin(
            "https://zaken.example.nl/api/v1/statussen?page=2",
            base
        ));
        assert!(same_origin("https://zaken.example.nl:443/other", base));
        assert!(!same_origin(
            "http://zaken.example.nl/api/v1/statussen",
            base
        ));
        assert!(!same_origin("https://zaken.example.nl:8443/api/v1", base));
        assert!(!same_origin("http://169.254.169.254/latest", base));
        assert!(!same_origin(
            "https://zaken.example.nl.evil.example/api/v1",
            base
        ));
        assert!(!same_origin("not a url", base));
    }

    #[test]
    fn settings_are_checked() {
        let good = ZgwConfig {
            zaken_api: "https://zaken.example.nl/api/v1/".into(),
            client_id: "videoloket".into(),
            secret: "a long secret".into(),
            zaaktype: "https://catalogi.example.nl/zaaktypen/1".into(),
            rsin: "002220647".into(),
            roltype: "https://catalogi.example.nl/roltypen/1".into(),
            end_statustype: "https://catalogi.example.nl/statustypen/9".into(),
            resultaattypen: [(
                "complete".to_string(),
                "https://catalogi.example.nl/resultaattypen/1".to_string(),
            )]
            .into(),
            user: " ".into(),
            documenten_api: String::new(),
            informatieobjecttype: String::new(),
        };
        let checked = good.clone().validate().unwrap();
        assert_eq!(checked.zaken_api, "https://zaken.example.nl/api/v1");
        assert_eq!(checked.user, "videoloket");
        assert!(ZgwConfig {
            rsin: "123456789".into(),
            ..good.clone()
        }
        .validate()
        .is_err());
        assert!(ZgwConfig {
            zaaktype: "catalogi".into(),
            ..good.clone()
        }
        .validate()
        .is_err());
        assert!(ZgwConfig {
            resultaattypen: BTreeMap::new(),
            ..good.clone()
        }
        .validate()
        .is_err());
        // The Documenten API and its informatieobjecttype come together or not at all.
        assert!(ZgwConfig {
            documenten_api: "https://documenten.example.nl/api/v1".into(),
            ..good.clone()
        }
        .validate()
        .is_err());
        let with_documents = ZgwConfig {
            documenten_api: "https://documenten.example.nl/api/v1/".into(),
            informatieobjecttype: "https://catalogi.example.nl/informatieobjecttypen/1".into(),
            ..good
        }
        .validate()
        .unwrap();
        assert_eq!(
            with_documents.documenten_api,
            "https://documenten.example.nl/api/v1"
        );
    }
}
