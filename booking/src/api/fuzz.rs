//! Property-based fuzzing (issue 13) of the booking request as it arrives: arbitrary bytes and
//! JSON-ish bodies through the real `Json` extractor into `BookingBody`, then into
//! `BookingRequest::parse` as the handler does. Nothing panics, every refusal is a typed
//! `Error` the problem mapping answers with a 4xx, and nothing accepted carries a control
//! character. (`booking/tests/fuzz.rs` fuzzes the text types and the invite.)
//!
//! Bounded for CI by proptest's default of 256 cases per property; run longer with
//! `PROPTEST_CASES=100000 cargo test -p booking --lib --release fuzz` (see docs/security.md).

use super::public::BookingBody;
use super::Json;
use crate::error::{BodyProblem, Error};
use crate::usecases::booking::BookingRequest;
use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::Request;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Values for the body's fields and their neighbours, with the right keys most of the time.
fn json_ish() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        4 => prop::sample::select(vec![
            "service_id", "start", "name", "email", "phone", "note", "language", "consents", "source", "choice",
        ])
        .prop_map(str::to_string),
        1 => ".{0,10}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "2026-03-27T09:00:00+01:00",
            "jan@example.nl",
            "06 12345678",
            "Jan de Vries",
            "municipality",
            "self",
            "not_needed",
            "brp",
            "0b7e7a8e-2f4a-4a8e-9d7b-0e6c1f2a3b4c",
            "",
            "\u{0}",
            "a\r\nb",
            "\u{202e}",
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 40, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The body through the real extractor, then parsed as the booking handler parses it.
fn receive(bytes: Vec<u8>) -> Result<BookingRequest, Error> {
    let request = Request::builder()
        .method("POST")
        .header("content-type", "application/json")
        .body(Body::from(bytes))
        .expect("a request");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let Json(body) = runtime.block_on(<Json<BookingBody> as FromRequest<()>>::from_request(
        request,
        &(),
    ))?;
    BookingRequest::parse(
        &body.start,
        &body.name,
        body.email.as_deref().unwrap_or(""),
        body.phone.as_deref(),
        body.note.as_deref(),
    )?
    .with_language(body.language.as_deref())
}

fn check(outcome: Result<BookingRequest, Error>) -> Result<(), TestCaseError> {
    match outcome {
        Ok(request) => {
            let r = &request.resident;
            prop_assert!(!r.name.chars().any(char::is_control), "{:?}", r.name);
            prop_assert!(r
                .email()
                .is_none_or(|e| !e.as_str().chars().any(char::is_control)));
            prop_assert!(r
                .phone()
                .is_none_or(|p| !p.as_str().chars().any(char::is_control)));
            prop_assert!(r
                .note
                .as_deref()
                .is_none_or(|n| !n.chars().any(|c| c.is_control() && c != '\n')));
            prop_assert!(r
                .language
                .as_deref()
                .is_none_or(|l| l.chars().count() <= 80 && !l.chars().any(char::is_control)));
        }
        // The refusals a body can earn: all typed, all answered with a 4xx.
        Err(Error::Body(
            BodyProblem::NotJson
            | BodyProblem::NotAnObject
            | BodyProblem::Missing { .. }
            | BodyProblem::WrongValue { .. },
        ))
        | Err(Error::Invalid { .. })
        | Err(Error::TooLarge(_)) => {}
        Err(other) => prop_assert!(false, "not a typed refusal: {other:?}"),
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_bytes_are_a_booking_or_a_typed_refusal(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(receive(bytes))?;
    }

    #[test]
    fn any_json_is_a_booking_or_a_typed_refusal(value in json_ish()) {
        check(receive(value.to_string().into_bytes()))?;
    }

    #[test]
    fn a_well_formed_body_with_any_field_values_never_panics(
        name in any::<String>(),
        email in prop_oneof![any::<String>(), Just("jan@example.nl".to_string())],
        phone in proptest::option::of(any::<String>()),
        note in proptest::option::of(any::<String>()),
        language in proptest::option::of(any::<String>()),
        start in prop_oneof![any::<String>(), Just("2026-03-27T09:00:00+01:00".to_string())],
    ) {
        let body = serde_json::json!({"service_id": "0b7e7a8e-2f4a-4a8e-9d7b-0e6c1f2a3b4c",
            "start": start, "name": name, "email": email, "phone": phone, "note": note,
            "language": language});
        check(receive(body.to_string().into_bytes()))?;
    }
}
