//! The answers every operation shares, added to the OpenAPI document in one place because they
//! come from the shared extractors rather than from the handler: problem+json for every
//! failure, 400/413/422 from the [`Json`](super::Json) body, 400 from the
//! [`Query`](super::Query) string, 404 from the [`Path`](super::Path), 401/403 and the session
//! cookie from the `Staff` and `Admin` extractors, 500 from [`Error`](crate::error::Error).

use crate::auth::SESSION_COOKIE;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

const PROBLEM_JSON: &str = "application/problem+json";
const SECURITY_SCHEME: &str = "session";

pub struct SharedAnswers;

impl utoipa::Modify for SharedAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                SECURITY_SCHEME,
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    SESSION_COOKIE,
                    "The session set by `POST /api/v1/auth/login` (HttpOnly, 10 hours).",
                ))),
            );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let area = Area::of(path);
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_shared_answers(operation, area);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Area {
    Public,
    Staff,
    Admin,
}

impl Area {
    fn of(path: &str) -> Self {
        if path.starts_with("/api/v1/admin/") {
            Area::Admin
        } else if path.starts_with("/api/v1/staff/") {
            Area::Staff
        } else {
            Area::Public
        }
    }
}

fn add_shared_answers(operation: &mut Operation, area: Area) {
    let responses = &mut operation.responses.responses;
    // Handlers name their failures with `body = Problem`; the server sends them as problem+json.
    for (status, response) in responses.iter_mut() {
        if let (false, RefOr::T(response)) = (status.starts_with('2'), response) {
            if let Some(json) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_string(), json);
            }
        }
    }
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let has_body = operation.request_body.is_some();

    let mut shared = Vec::new();
    if has_body {
        shared.push((
            "400",
            "The body is not JSON, or not sent as `application/json`",
        ));
        shared.push(("413", "The body is larger than 64 KiB"));
        shared.push((
            "422",
            "A field is missing, has the wrong type or is refused (`field` names it)",
        ));
    }
    if has_query {
        shared.push((
            "400",
            "The query string is malformed or lacks a required parameter",
        ));
    }
    if has_path {
        shared.push((
            "404",
            "Not found (also for an identifier that is malformed)",
        ));
    }
    if area != Area::Public {
        shared.push(("401", "No valid session cookie"));
    }
    if area == Area::Admin {
        shared.push(("403", "The session is a clerk's, not an admin's"));
    }
    shared.push(("500", "Something went wrong on the server's side"));
    for (status, description) in shared {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(problem(description)));
    }

    if area != Area::Public {
        operation.security = Some(vec![SecurityRequirement::new::<_, _, String>(
            SECURITY_SCHEME,
            [],
        )]);
    }
}

fn problem(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(
        PROBLEM_JSON.to_string(),
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    response
}
