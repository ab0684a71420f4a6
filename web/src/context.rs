//! What every page needs from the request: the language and the address, for the language
//! switch. `?lang=en` (or `nl`) chooses and is remembered in a cookie.

use crate::i18n::Lang;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

pub struct Ctx {
    pub lang: Lang,
    /// The path of this request.
    pub path: String,
    /// The query pairs other than `lang`, kept when switching language.
    pub query: Vec<(String, String)>,
    /// Set when the query chose a language, so the response stores it in a cookie.
    chosen: Option<Lang>,
    /// The platform's number for municipalities without one (`App::fallback_phone`), put in
    /// the request by the router.
    pub fallback_phone: Option<booking::domain::text::PhoneNumber>,
}

/// The platform's number for municipalities without one, as a request extension.
#[derive(Clone, Debug)]
pub struct FallbackPhone(pub Option<booking::domain::text::PhoneNumber>);

impl Ctx {
    pub fn from_parts(parts: &Parts) -> Self {
        let pairs: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let chosen = pairs
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        Self {
            lang: chosen.or(from_cookie).unwrap_or(Lang::Nl),
            path: parts.uri.path().to_string(),
            query: pairs.into_iter().filter(|(k, _)| k != "lang").collect(),
            chosen,
            fallback_phone: parts
                .extensions
                .get::<FallbackPhone>()
                .and_then(|f| f.0.clone()),
        }
    }

    /// A query value (other than `lang`), if present and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// This page's address in the other language.
    pub fn switch_href(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            q.append_pair(k, v);
        }
        q.append_pair("lang", self.lang.other().code());
        format!("{}?{}", self.path, q.finish())
    }

    /// Adds the language cookie when the query chose a language.
    pub fn finish(&self, response: impl IntoResponse) -> Response {
        let mut response = response.into_response();
        if let Some(lang) = self.chosen {
            let cookie = format!(
                "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                lang.code()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::from_parts(parts))
    }
}
