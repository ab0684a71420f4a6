//! The OpenAPI document says what a client developer needs (issue #14 item 6): a summary, a
//! description and a tag per operation, problem+json for every failure, the session cookie on
//! staff and admin operations, and the answers of the shared extractors. The contract run in
//! `tests/contract/run.py` checks the document against the running server.

use serde_json::Value;
use utoipa::OpenApi;

fn operations() -> Vec<(String, String, Value)> {
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    assert!(out.len() > 60, "only {} operations documented", out.len());
    out
}

#[test]
fn every_operation_has_a_summary_a_description_and_a_tag() {
    for (path, method, op) in operations() {
        for key in ["summary", "description"] {
            let text = op[key].as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{method} {path} has no {key}");
        }
        assert!(op["tags"][0].is_string(), "{method} {path} has no tag");
    }
}

#[test]
fn every_failure_is_documented_as_problem_json() {
    for (path, method, op) in operations() {
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('2') {
                continue;
            }
            let content = response["content"].as_object().unwrap();
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{method} {path} {status}"
            );
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem"
            );
        }
        assert!(
            op["responses"]["500"].is_object(),
            "{method} {path} lacks 500"
        );
    }
}

#[test]
fn staff_and_admin_operations_need_the_session_cookie() {
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    let scheme = &doc["components"]["securitySchemes"]["session"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], "videoloket_session");
    for (path, method, op) in operations() {
        let guarded = path.starts_with("/api/v1/staff/") || path.starts_with("/api/v1/admin/");
        assert_eq!(
            op["security"][0]["session"].is_array(),
            guarded,
            "{method} {path}"
        );
        if guarded {
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} lacks 401"
            );
        }
        if path.starts_with("/api/v1/admin/") {
            assert!(
                op["responses"]["403"].is_object(),
                "{method} {path} lacks 403"
            );
        }
    }
}

#[test]
fn bodies_query_strings_and_paths_document_their_refusals() {
    for (path, method, op) in operations() {
        if op["requestBody"].is_object() {
            for status in ["400", "413", "422"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path} lacks {status}"
                );
            }
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if params.iter().any(|p| p["in"] == "query") {
            assert!(
                op["responses"]["400"].is_object(),
                "{method} {path} lacks 400"
            );
        }
        if params.iter().any(|p| p["in"] == "path") {
            assert!(
                op["responses"]["404"].is_object(),
                "{method} {path} lacks 404"
            );
        }
    }
}

/// The constraints the server enforces are in the schemas, so a generated request that the
/// document allows is not refused for its shape.
#[test]
fn request_schemas_state_the_constraints() {
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let booking = &schemas["BookingBody"]["properties"];
    assert_eq!(booking["start"]["format"], "date-time");
    assert_eq!(booking["email"]["format"], "email");
    assert_eq!(booking["name"]["maxLength"], 100);
    assert_eq!(booking["name"]["minLength"], 1);
    assert_eq!(booking["note"]["maxLength"], 1000);
    // Issue 21: the language or interpreter need, with an example a client developer can copy.
    assert_eq!(booking["language"]["maxLength"], 80);
    assert_eq!(booking["language"]["example"], "Arabisch, tolk nodig");
    assert!(booking["language"]["description"]
        .as_str()
        .unwrap()
        .contains("`/language`"));
    assert_eq!(
        schemas["CallerBookingBody"]["properties"]["language"]["maxLength"],
        80
    );
    assert!(booking["service_id"]["pattern"].is_string());
    let service = &schemas["ServiceBody"]["properties"];
    assert_eq!(service["duration_minutes"]["minimum"], 5);
    assert_eq!(service["duration_minutes"]["maximum"], 240);
    assert_eq!(service["duration_minutes"]["multipleOf"], 5);
    assert_eq!(
        schemas["FeedbackBody"]["properties"]["rating"]["maximum"],
        10
    );
    assert_eq!(
        schemas["ClerkBody"]["properties"]["password"]["minLength"],
        12
    );
    let slots = &doc["paths"]["/api/v1/tenants/{slug}/services/{service}/slots"]["get"];
    let from = slots["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "from")
        .unwrap();
    assert_eq!(from["schema"]["format"], "date");
}

/// A client developer finds the queue call by reading the document: each step names the next.
#[test]
fn the_queue_call_route_is_described() {
    let doc = serde_json::to_value(booking::api::ApiDoc::openapi()).unwrap();
    let description = |path: &str| {
        doc["paths"][path]["post"]["description"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(description("/api/v1/tenants/{slug}/walk-ins").contains("Journey 2"));
    assert!(description("/api/v1/staff/queue/call-next").contains("step 2"));
    assert!(description("/api/v1/queue-entries/{token}/answer").contains("step 3"));
    assert!(description("/api/v1/queue-entries/{token}/room-token").contains("step 4"));
    assert!(description("/api/v1/staff/queue/{id}/room-token").contains("step 4"));
}
