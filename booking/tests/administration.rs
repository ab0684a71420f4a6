//! The administration use cases (`booking::usecases::admin`) that the admin pages and the JSON
//! API share, on real SQLite and PostgreSQL: every problem of a form at once and nothing saved,
//! scoping to the own municipality, and the effect of hours and absences on the slots.

#[macro_use]
mod common;

use booking::domain::consent::InfoSource;
use booking::domain::feedback::Feedback;
use booking::domain::outcome::ResultOption;
use booking::domain::staff::StaffRole;
use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::usecases::admin::clerks::{ClerkInput, WindowInput};
use booking::usecases::admin::services::ServiceInput;
use booking::usecases::admin::settings::SettingsInput;
use booking::Error;
use common::{ts, Store, TestApp};

/// Monday 30 November 2026, 08:00 in Amsterdam.
const NOW: &str = "2026-11-30T07:00:00Z";

on_both_stores!(
    settings_list_every_problem_and_save_nothing_until_all_are_right,
    services_with_sources_and_results_stay_in_the_own_municipality,
    clerks_hours_and_absences_shape_the_slots,
    complaints_are_handled_once_with_a_note,
    the_dashboard_filters_on_a_service_and_checks_the_period,
    a_stopped_service_is_not_offered_but_its_appointments_stay,
    absences_are_removed_within_the_own_municipality,
    failing_deliveries_are_listed_and_retried_within_the_own_municipality,
    resident_facing_settings_are_parsed_and_kept,
    a_logo_is_rebuilt_stored_served_and_removed_per_municipality,
);

async fn demo(store: Store) -> (TestApp, Tenant) {
    let t = common::spawn(store, ts(NOW), None).await;
    booking::demo::seed_if_empty(t.app.db()).await.unwrap();
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    (t, tenant)
}

/// A second municipality with one service, to check scoping.
async fn elsewhere(t: &TestApp) -> (Tenant, booking::domain::catalog::Service) {
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    t.app.db().save_tenant(&other).await.unwrap();
    let service =
        usecases::admin::services::create_service(&t.app, other.id, &service_input("Elders", 30))
            .await
            .unwrap();
    (other, service)
}

fn service_input(name: &str, minutes: i64) -> ServiceInput {
    ServiceInput {
        name: name.into(),
        description: "Uitleg".into(),
        duration_minutes: minutes,
        buffer_minutes: 5,
    }
}

fn fields(err: Result<impl Sized, Vec<usecases::admin::Problem>>) -> Vec<&'static str> {
    match err {
        Ok(_) => Vec::new(),
        Err(problems) => problems.into_iter().map(|(f, _)| f).collect(),
    }
}

fn invalid_field<T: std::fmt::Debug>(r: booking::Result<T>) -> String {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected a field problem, got {other:?}"),
    }
}

async fn settings_list_every_problem_and_save_nothing_until_all_are_right(store: Store) {
    let (t, tenant) = demo(store).await;
    let mut input = SettingsInput::of(&tenant);
    input.primary_colour = "#ffff00".into();
    input.tone = "jij".into();
    input.check_in_minutes = 241;
    input.contact_email = "geen adres".into();
    assert_eq!(
        fields(usecases::admin::settings::check_settings(&tenant, &input)),
        [
            "tone",
            "primary_colour",
            "check_in_minutes",
            "contact_email"
        ]
    );
    // The use case names the first problem, and saves nothing.
    let err = usecases::admin::settings::update_settings(&t.app, tenant.id, &input).await;
    match err {
        Err(Error::Invalid { field, message }) => {
            assert_eq!(field, "/tone");
            assert!(!message.dutch.is_empty() && !message.english.is_empty());
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    input.tone = "je".into();
    let err = usecases::admin::settings::update_settings(&t.app, tenant.id, &input).await;
    match err {
        Err(Error::Invalid { field, message }) => {
            assert_eq!(field, "/primary_colour");
            assert!(message.english.contains("contrast 1.07:1"), "{message:?}");
            assert!(message.dutch.contains("contrast van 1,07:1"), "{message:?}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let stored = t.app.db().tenant(tenant.id).await.unwrap();
    assert_eq!(stored.primary_colour.as_str(), "#154273");
    assert_eq!(stored.tone, booking::domain::tenant::Tone::U);

    input.primary_colour = "#0B5D1E".into();
    input.check_in_minutes = 20;
    input.contact_email = "balie@voorbeeld.nl".into();
    input.name = "  Gemeente Voorbeeld-Oost ".into();
    let saved = usecases::admin::settings::update_settings(&t.app, tenant.id, &input)
        .await
        .unwrap();
    assert_eq!(saved.primary_colour.as_str(), "#0b5d1e");
    let stored = t.app.db().tenant(tenant.id).await.unwrap();
    assert_eq!(stored.name, "Gemeente Voorbeeld-Oost");
    assert_eq!(stored.tone, booking::domain::tenant::Tone::Je);
    assert_eq!(stored.check_in_minutes, 20);
    assert_eq!(stored.contact_email, "balie@voorbeeld.nl");
    assert_eq!(stored.slug, tenant.slug, "the address does not change");
}

async fn services_with_sources_and_results_stay_in_the_own_municipality(store: Store) {
    let (t, tenant) = demo(store).await;
    let mut bad = service_input("", 7);
    bad.buffer_minutes = 200;
    assert_eq!(
        fields(usecases::admin::services::check_service(tenant.id, &bad)),
        ["name", "duration_minutes", "buffer_minutes"]
    );
    assert_eq!(
        invalid_field(usecases::admin::services::create_service(&t.app, tenant.id, &bad).await),
        "/name"
    );
    assert_eq!(t.app.db().services(tenant.id).await.unwrap().len(), 3);

    let parking = usecases::admin::services::create_service(
        &t.app,
        tenant.id,
        &service_input(" Parkeervergunning ", 30),
    )
    .await
    .unwrap();
    assert_eq!(parking.name, "Parkeervergunning");
    assert_eq!(t.app.db().services(tenant.id).await.unwrap().len(), 4);
    let id = parking.id.to_string();

    let source = |code: &str, label: &str| InfoSource {
        code: code.into(),
        label: label.into(),
        reason: "Om te controleren.".into(),
    };
    let two = vec![source("brp", "BRP"), source("kenteken", "Kentekenregister")];
    usecases::admin::services::set_sources(&t.app, tenant.id, &id, two.clone())
        .await
        .unwrap();
    assert_eq!(t.app.db().service_sources(parking.id).await.unwrap(), two);
    // A list with a code twice is refused whole; the saved list stays.
    let twice = vec![source("brp", "BRP"), source("brp", "Nog eens")];
    assert_eq!(
        invalid_field(usecases::admin::services::set_sources(&t.app, tenant.id, &id, twice).await),
        "/sources/1/code"
    );
    assert_eq!(t.app.db().service_sources(parking.id).await.unwrap(), two);

    let results = vec![ResultOption {
        code: "verleend".into(),
        label: "Vergunning verleend".into(),
    }];
    usecases::admin::services::set_results(&t.app, tenant.id, &id, results.clone())
        .await
        .unwrap();
    assert_eq!(
        t.app.db().service_results(parking.id).await.unwrap(),
        results
    );
    assert_eq!(
        invalid_field(
            usecases::admin::services::set_results(&t.app, tenant.id, &id, Vec::new()).await
        ),
        "/results"
    );

    // Name, explanation and times change in place; a wrong duration changes nothing.
    let mut change = service_input("Parkeervergunning aanvragen", 33);
    assert_eq!(
        invalid_field(
            usecases::admin::services::update_service(&t.app, tenant.id, &id, &change).await
        ),
        "/duration_minutes"
    );
    assert_eq!(
        t.app
            .db()
            .service(tenant.id, parking.id)
            .await
            .unwrap()
            .duration_minutes,
        30
    );
    change.duration_minutes = 45;
    let changed = usecases::admin::services::update_service(&t.app, tenant.id, &id, &change)
        .await
        .unwrap();
    assert_eq!(changed.id, parking.id);
    let stored = t.app.db().service(tenant.id, parking.id).await.unwrap();
    assert_eq!(stored.name, "Parkeervergunning aanvragen");
    assert_eq!(stored.duration_minutes, 45);
    assert_eq!(t.app.db().services(tenant.id).await.unwrap().len(), 4);
    // The same through the JSON API, as an admin.
    let login = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&serde_json::json!({"tenant": "voorbeeld", "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let put = |body: serde_json::Value, service: String| {
        t.client
            .put(format!("{}/api/v1/admin/services/{service}", t.base))
            .json(&body)
            .send()
    };
    let body = |minutes: i64| serde_json::json!({"name": "Parkeren", "description": "", "duration_minutes": minutes, "buffer_minutes": 0});
    assert_eq!(put(body(7), id.clone()).await.unwrap().status(), 422);
    let ok = put(body(20), id.clone()).await.unwrap();
    assert_eq!(ok.status(), 200);
    let view: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(view["name"], "Parkeren");
    assert_eq!(view["duration_minutes"], 20);

    // Another municipality's service is not found, and not changed.
    let (_, theirs) = elsewhere(&t).await;
    assert_eq!(
        put(body(20), theirs.id.to_string()).await.unwrap().status(),
        404
    );
    assert!(matches!(
        usecases::admin::services::update_service(
            &t.app,
            tenant.id,
            &theirs.id.to_string(),
            &change
        )
        .await,
        Err(Error::NotFound(_))
    ));
    let theirs_id = theirs.id.to_string();
    assert!(matches!(
        usecases::admin::services::set_sources(&t.app, tenant.id, &theirs_id, two.clone()).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        usecases::admin::services::set_results(&t.app, tenant.id, &theirs_id, results).await,
        Err(Error::NotFound(_))
    ));
    assert!(t
        .app
        .db()
        .service_sources(theirs.id)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        usecases::admin::services::own_service(&t.app, tenant.id, "geen-id").await,
        Err(Error::NotFound(_))
    ));
}

async fn clerks_hours_and_absences_shape_the_slots(store: Store) {
    let (t, tenant) = demo(store).await;
    let parking = usecases::admin::services::create_service(
        &t.app,
        tenant.id,
        &service_input("Parkeervergunning", 30),
    )
    .await
    .unwrap();
    let (_, theirs) = elsewhere(&t).await;

    let mut input = ClerkInput {
        name: "".into(),
        email: "geen adres".into(),
        password: "kort".into(),
        role: StaffRole::Clerk,
        services: vec![parking.id, theirs.id],
    };
    let own = t.app.db().services(tenant.id).await.unwrap();
    assert_eq!(
        fields(usecases::admin::clerks::check_clerk(
            tenant.id, &own, &input
        )),
        ["name", "email", "password", "services"]
    );
    input.name = "Carla Smit".into();
    input.email = "Carla@Voorbeeld.nl".into();
    input.password = "welkom-carla-123".into();
    assert_eq!(
        invalid_field(usecases::admin::clerks::create_clerk(&t.app, tenant.id, &input).await),
        "/services",
        "another municipality's service cannot be assigned"
    );
    input.services = vec![parking.id];
    let carla = usecases::admin::clerks::create_clerk(&t.app, tenant.id, &input)
        .await
        .unwrap();
    assert_eq!(carla.email, "carla@voorbeeld.nl");
    assert!(matches!(
        usecases::admin::clerks::create_clerk(&t.app, tenant.id, &input).await,
        Err(Error::Conflict(_))
    ));
    // She can log in with the initial password.
    let login = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&serde_json::json!({"tenant": "voorbeeld", "email": "carla@voorbeeld.nl", "password": "welkom-carla-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);

    let id = carla.id.to_string();
    let window = |weekday: i8, start: &str, end: &str| WindowInput {
        weekday,
        start: start.into(),
        end: end.into(),
    };
    for (bad, field) in [
        (window(3, "14:00", "10:00"), "/windows/0/end"),
        (window(3, "8:03", "10:00"), "/windows/0/start"),
        (window(3, "08:00", "25:00"), "/windows/0/end"),
        (window(8, "08:00", "10:00"), "/windows/0/weekday"),
    ] {
        assert_eq!(
            invalid_field(usecases::admin::clerks::set_hours(&t.app, tenant.id, &id, &[bad]).await),
            field
        );
    }
    assert!(t.app.db().opening_hours(carla.id).await.unwrap().is_empty());
    let week = [
        window(1, "13:00", "17:00"),
        window(1, "08:00", "12:00"),
        window(3, "10:00", "14:00"),
    ];
    usecases::admin::clerks::set_hours(&t.app, tenant.id, &id, &week)
        .await
        .unwrap();
    let stored = t.app.db().opening_hours(carla.id).await.unwrap();
    let minutes: Vec<(i8, u16, u16)> = stored
        .iter()
        .map(|w| {
            (
                w.weekday.to_monday_one_offset(),
                w.start_minute,
                w.end_minute,
            )
        })
        .collect();
    assert_eq!(minutes, [(1, 480, 720), (1, 780, 1020), (3, 600, 840)]);

    let slots = |day: &'static str| {
        let app = t.app.clone();
        let tenant = tenant.clone();
        let service = parking.clone();
        async move {
            let day: jiff::civil::Date = day.parse().unwrap();
            booking::usecases::booking::slots(&app, &tenant, &service, day, day)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        slots("2026-12-07").await[0].start,
        ts("2026-12-07T07:00:00Z"),
        "Monday from 08:00 local"
    );
    assert!(slots("2026-12-08").await.is_empty(), "no hours on Tuesday");
    assert_eq!(
        slots("2026-12-09").await.len(),
        15,
        "10:00 to 13:30, every 15 minutes"
    );

    // An absence: the end must be after the start; then Wednesday is off.
    let (from, until) = (ts("2026-12-09T08:00:00Z"), ts("2026-12-09T17:00:00Z"));
    assert_eq!(
        invalid_field(
            usecases::admin::clerks::add_absence(&t.app, tenant.id, &id, until, from, "").await
        ),
        "/end"
    );
    usecases::admin::clerks::add_absence(&t.app, tenant.id, &id, from, until, " Cursus ")
        .await
        .unwrap();
    assert!(slots("2026-12-09").await.is_empty());
    let absences = t.app.db().absences(carla.id, ts(NOW)).await.unwrap();
    assert_eq!(absences.len(), 1);
    assert_eq!(absences[0].reason, "Cursus");
    assert!(t
        .app
        .db()
        .absences(carla.id, ts("2026-12-10T00:00:00Z"))
        .await
        .unwrap()
        .is_empty());

    // Name, role and services change; the e-mail address (the login) stays.
    let passport = passport_of(&t, tenant.id).await;
    let change = usecases::admin::clerks::ClerkChange {
        name: "Carla Smit-de Boer".into(),
        role: StaffRole::Clerk,
        services: vec![parking.id, passport.id, parking.id],
    };
    let changed = usecases::admin::clerks::update_clerk(&t.app, tenant.id, &id, &change)
        .await
        .unwrap();
    assert_eq!(changed.email, "carla@voorbeeld.nl");
    let stored = usecases::admin::clerks::own_clerk(&t.app, tenant.id, &id)
        .await
        .unwrap();
    assert_eq!(stored.name, "Carla Smit-de Boer");
    assert_eq!(stored.services.len(), 2, "each service once");
    assert!(stored.services.contains(&passport.id));
    let foreign = usecases::admin::clerks::ClerkChange {
        services: vec![theirs.id],
        ..change.clone()
    };
    assert_eq!(
        invalid_field(
            usecases::admin::clerks::update_clerk(&t.app, tenant.id, &id, &foreign).await
        ),
        "/services"
    );
    // The last admin stays an admin; with a second admin, the first may step down.
    let bram = t
        .app
        .db()
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.role == StaffRole::Admin)
        .unwrap();
    let bram_id = bram.id.to_string();
    let step_down = usecases::admin::clerks::ClerkChange {
        name: bram.name.clone(),
        role: StaffRole::Clerk,
        services: bram.services.clone(),
    };
    assert!(matches!(
        usecases::admin::clerks::update_clerk(&t.app, tenant.id, &bram_id, &step_down).await,
        Err(Error::Conflict(_))
    ));
    usecases::admin::clerks::update_clerk(
        &t.app,
        tenant.id,
        &id,
        &usecases::admin::clerks::ClerkChange {
            role: StaffRole::Admin,
            ..change.clone()
        },
    )
    .await
    .unwrap();
    usecases::admin::clerks::update_clerk(&t.app, tenant.id, &bram_id, &step_down)
        .await
        .unwrap();
    assert_eq!(
        usecases::admin::clerks::own_clerk(&t.app, tenant.id, &bram_id)
            .await
            .unwrap()
            .role,
        StaffRole::Clerk
    );

    // The same through the JSON API, as an admin (Carla is one now).
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = admin
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&serde_json::json!({"tenant": "voorbeeld", "email": "carla@voorbeeld.nl", "password": "welkom-carla-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let put = |body: serde_json::Value| {
        admin
            .put(format!("{}/api/v1/admin/clerks/{bram_id}", t.base))
            .json(&body)
            .send()
    };
    assert_eq!(
        put(serde_json::json!({"name": "", "role": "clerk", "services": []}))
            .await
            .unwrap()
            .status(),
        422
    );
    let ok =
        put(serde_json::json!({"name": "Bram Jansen", "role": "clerk", "services": [parking.id]}))
            .await
            .unwrap();
    assert_eq!(ok.status(), 200);
    let view: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(view["services"], serde_json::json!([parking.id]));

    // Another municipality cannot touch her.
    let (other, _) = (t.app.db().tenant_by_slug("elders").await.unwrap(), ());
    assert!(matches!(
        usecases::admin::clerks::set_hours(&t.app, other.id, &id, &week).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        usecases::admin::clerks::add_absence(&t.app, other.id, &id, from, until, "").await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        usecases::admin::clerks::update_clerk(&t.app, other.id, &id, &change).await,
        Err(Error::NotFound(_))
    ));
}

async fn complaints_are_handled_once_with_a_note(store: Store) {
    let (t, tenant) = demo(store).await;
    let service = passport_of(&t, tenant.id).await;
    let passport = service.clone();
    let booked = booking::usecases::booking::book(
        &t.app,
        &tenant,
        &passport,
        booking::usecases::booking::BookingRequest::parse(
            "2026-11-30T09:00:00+01:00",
            "Els",
            "els@example.nl",
            None,
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let complaint = Feedback {
        id: uuid::Uuid::new_v4(),
        tenant_id: tenant.id,
        appointment_id: booked.appointment.id,
        service_id: service.id,
        rating: 2,
        comment: "Niemand belde terug.".into(),
        complaint: true,
        given_at: ts("2026-11-30T09:00:00Z"),
        handled_at: None,
        handled_by: None,
        handled_note: None,
        answer: None,
    };
    t.app.db().insert_feedback(&complaint).await.unwrap();
    let admin = t
        .app
        .db()
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.role == StaffRole::Admin)
        .unwrap();
    let id = complaint.id.to_string();

    assert_eq!(
        invalid_field(
            usecases::admin::complaints::handle_complaint(
                &t.app, tenant.id, admin.id, &id, "   ", ""
            )
            .await
        ),
        "/note"
    );
    assert_eq!(
        invalid_field(
            usecases::admin::complaints::handle_complaint(
                &t.app,
                tenant.id,
                admin.id,
                &id,
                "Gebeld",
                &"x".repeat(2001)
            )
            .await
        ),
        "/answer"
    );
    let (other, _) = elsewhere(&t).await;
    assert!(matches!(
        usecases::admin::complaints::handle_complaint(
            &t.app, other.id, admin.id, &id, "Gebeld", ""
        )
        .await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        t.app.db().complaints(tenant.id, false).await.unwrap().len(),
        1
    );

    usecases::admin::complaints::handle_complaint(
        &t.app,
        tenant.id,
        admin.id,
        &id,
        " Gebeld, excuses. ",
        "Het spijt ons dat u zo lang moest wachten.\nWe letten er voortaan beter op.",
    )
    .await
    .unwrap();
    assert!(t
        .app
        .db()
        .complaints(tenant.id, false)
        .await
        .unwrap()
        .is_empty());
    let all = t.app.db().complaints(tenant.id, true).await.unwrap();
    assert_eq!(all[0].handled_note.as_deref(), Some("Gebeld, excuses."));
    assert_eq!(all[0].handled_by, Some(admin.id));
    assert_eq!(all[0].handled_at, Some(ts(NOW)));
    assert_eq!(
        all[0].answer.as_deref(),
        Some("Het spijt ons dat u zo lang moest wachten.\nWe letten er voortaan beter op.")
    );
    // The resident gets the answer by mail.
    let answered = std::fs::read_dir(common::mail_dir(&t))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|m| m.contains("els@example.nl") && m.contains("Antwoord op uw klacht"))
        .count();
    assert_eq!(answered, 1, "one mail with the answer");
    assert!(matches!(
        usecases::admin::complaints::handle_complaint(
            &t.app, tenant.id, admin.id, &id, "Nog eens", ""
        )
        .await,
        Err(Error::Conflict(_))
    ));

    // A plain comment can be put on the list; another municipality cannot do that.
    let second = booking::usecases::booking::book(
        &t.app,
        &tenant,
        &passport,
        booking::usecases::booking::BookingRequest::parse(
            "2026-11-30T10:00:00+01:00",
            "Piet",
            "piet@example.nl",
            None,
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let remark = Feedback {
        id: uuid::Uuid::new_v4(),
        appointment_id: second.appointment.id,
        complaint: false,
        comment: "Het duurde lang.".into(),
        ..complaint
    };
    t.app.db().insert_feedback(&remark).await.unwrap();
    let remark_id = remark.id.to_string();
    assert!(matches!(
        usecases::admin::complaints::mark_complaint(&t.app, other.id, &remark_id).await,
        Err(Error::NotFound(_))
    ));
    assert!(t
        .app
        .db()
        .complaints(tenant.id, false)
        .await
        .unwrap()
        .is_empty());
    usecases::admin::complaints::mark_complaint(&t.app, tenant.id, &remark_id)
        .await
        .unwrap();
    let open = t.app.db().complaints(tenant.id, false).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, remark.id);
}

async fn the_dashboard_filters_on_a_service_and_checks_the_period(store: Store) {
    let (t, tenant) = demo(store).await;
    let services = t.app.db().services(tenant.id).await.unwrap();
    for (service, start) in [
        (&services[0], "2026-11-30T10:00:00+01:00"),
        (&services[1], "2026-12-01T10:00:00+01:00"),
    ] {
        booking::usecases::booking::book(
            &t.app,
            &tenant,
            service,
            booking::usecases::booking::BookingRequest::parse(
                start,
                "Jan",
                "jan@example.nl",
                None,
                None,
            )
            .unwrap()
            // The demo's debt service asks one question first; "no" goes on to book.
            .with_triage(Some("0".into())),
        )
        .await
        .unwrap();
    }
    // Both appointments are over (nobody came): they count as due.
    t.app.clock.advance(jiff::SignedDuration::from_hours(48));
    let all = usecases::admin::dashboard::dashboard(&t.app, &tenant, None, None, None)
        .await
        .unwrap();
    assert_eq!(all.to.to_string(), "2026-12-02");
    assert_eq!(
        all.from.to_string(),
        "2026-09-14",
        "12 weeks, from a Monday"
    );
    assert_eq!(all.weeks.len(), 12);
    assert_eq!(all.weeks.last().unwrap(), "2026-W49");
    let all = usecases::admin::dashboard::dashboard(
        &t.app,
        &tenant,
        Some("2026-11-30"),
        Some("2026-12-06"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(all.rows.len(), 2);
    assert!(all
        .rows
        .iter()
        .all(|r| r.appointments_due == 1 && r.no_shows == 1));
    let one = usecases::admin::dashboard::dashboard(
        &t.app,
        &tenant,
        Some("2026-12-02"),
        Some("2026-12-06"),
        Some(services[1].id),
    )
    .await
    .unwrap();
    assert_eq!(
        one.from.to_string(),
        "2026-11-30",
        "counted from the week's Monday"
    );
    assert_eq!(one.rows.len(), 1);
    assert_eq!(one.rows[0].service_id, services[1].id);
    assert_eq!(
        invalid_field(
            usecases::admin::dashboard::dashboard(
                &t.app,
                &tenant,
                Some("2026-12-31"),
                Some("2026-01-01"),
                None
            )
            .await
        ),
        "/to"
    );
    assert_eq!(
        invalid_field(
            usecases::admin::dashboard::dashboard(&t.app, &tenant, Some("gisteren"), None, None)
                .await
        ),
        "/from"
    );
}

/// A client logged in through the JSON API.
async fn logged_in(t: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&serde_json::json!({"tenant": "voorbeeld", "email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login {email}");
    client
}

async fn a_stopped_service_is_not_offered_but_its_appointments_stay(store: Store) {
    let (t, tenant) = demo(store).await;
    let (other, elders) = elsewhere(&t).await;
    let base = format!("{}/api/v1/tenants/voorbeeld", t.base);
    let listed = |t: &TestApp| {
        let (client, url) = (t.client.clone(), format!("{base}/services"));
        async move {
            let list: Vec<serde_json::Value> =
                client.get(url).send().await.unwrap().json().await.unwrap();
            list.into_iter()
                .map(|s| s["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let passport = passport_of(&t, tenant.id).await;
    assert!(passport.active);
    let id = passport.id.to_string();
    let slots_url = format!("{base}/services/{id}/slots?from=2026-12-01&to=2026-12-01");
    let slots: Vec<serde_json::Value> = t
        .client
        .get(&slots_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(slots.len() >= 2, "the demo offers times on Tuesday");
    let book = |start: &serde_json::Value| {
        t.client
            .post(format!("{base}/appointments"))
            .json(&serde_json::json!({"service_id": id, "start": start, "name": "Jan de Vries", "email": "jan@example.nl"}))
            .send()
    };
    let booked = book(&slots[0]["start"]).await.unwrap();
    assert_eq!(booked.status(), 201);
    let token = booked.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Another municipality cannot stop it, nor can this one stop another's.
    assert!(matches!(
        usecases::admin::services::set_service_offered(&t.app, other.id, &id, false).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        usecases::admin::services::set_service_offered(
            &t.app,
            tenant.id,
            &elders.id.to_string(),
            false
        )
        .await,
        Err(Error::NotFound(_))
    ));
    assert!(listed(&t).await.contains(&id));

    // Stopped through the admin API (a clerk may not).
    let clerk = logged_in(&t, "anna@voorbeeld.nl", "welkom-anna").await;
    let admin = logged_in(&t, "bram@voorbeeld.nl", "welkom-bram").await;
    let active_url = format!("{}/api/v1/admin/services/{id}/active", t.base);
    let resp = clerk
        .put(&active_url)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = admin
        .put(&active_url)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap()["active"],
        false
    );

    // Residents no longer see or book it, by any door.
    assert!(!listed(&t).await.contains(&id));
    assert_eq!(listed(&t).await.len(), 2, "the other services stay");
    assert_eq!(t.client.get(&slots_url).send().await.unwrap().status(), 404);
    let refused = book(&slots[1]["start"]).await.unwrap();
    assert_eq!(refused.status(), 404);
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["status"],
        404
    );
    let sources = format!("{base}/services/{id}/sources");
    assert_eq!(t.client.get(&sources).send().await.unwrap().status(), 404);
    let callback = t
        .client
        .post(format!("{base}/callbacks"))
        .json(&serde_json::json!({"service_id": id, "name": "Bel Mij", "phone": "0612345678", "part_of_day": "morning"}))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 404, "no callback for it either");
    let mut walk_ins = t.app.db().tenant(tenant.id).await.unwrap();
    walk_ins.walk_ins_allowed = true;
    t.app.db().save_tenant(&walk_ins).await.unwrap();
    let walk_in = t
        .client
        .post(format!("{base}/walk-ins"))
        .json(&serde_json::json!({"service_id": id, "name": "Zonder Afspraak"}))
        .send()
        .await
        .unwrap();
    assert_eq!(walk_in.status(), 404, "nor a walk-in");
    assert!(matches!(
        booking::usecases::booking::offered_service(&t.app, tenant.id, passport.id).await,
        Err(Error::NotFound(_))
    ));

    // The appointment already made stays, with its personal link.
    let personal = t
        .client
        .get(format!("{}/api/v1/personal/{token}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(personal.status(), 200);

    // Staff still see it, marked as not offered.
    let all: Vec<serde_json::Value> = admin
        .get(format!("{}/api/v1/admin/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stopped = all.iter().find(|s| s["id"] == id.as_str()).unwrap();
    assert_eq!(stopped["active"], false);
    assert_eq!(all.len(), 3);
    // Editing its details does not offer it again.
    usecases::admin::services::update_service(
        &t.app,
        tenant.id,
        &id,
        &service_input("Paspoort", 20),
    )
    .await
    .unwrap();
    assert!(
        !t.app
            .db()
            .service(tenant.id, passport.id)
            .await
            .unwrap()
            .active
    );

    // Offered again: listed and bookable.
    let again = usecases::admin::services::set_service_offered(&t.app, tenant.id, &id, true)
        .await
        .unwrap();
    assert!(again.active);
    assert!(listed(&t).await.contains(&id));
    assert_eq!(book(&slots[1]["start"]).await.unwrap().status(), 201);
    // Walk-ins are taken while the clerks work: 10:00 rather than 08:00.
    t.app.clock.advance(jiff::SignedDuration::from_hours(2));
    let walk_in = t
        .client
        .post(format!("{base}/walk-ins"))
        .json(&serde_json::json!({"service_id": id, "name": "Zonder Afspraak"}))
        .send()
        .await
        .unwrap();
    assert_eq!(walk_in.status(), 201, "walk-ins for it again");
}

async fn absences_are_removed_within_the_own_municipality(store: Store) {
    let (t, tenant) = demo(store).await;
    let (other, _) = elsewhere(&t).await;
    let clerks = t.app.db().clerks(tenant.id).await.unwrap();
    let anna = clerks
        .iter()
        .find(|c| c.email == "anna@voorbeeld.nl")
        .unwrap();
    let bram = clerks
        .iter()
        .find(|c| c.email == "bram@voorbeeld.nl")
        .unwrap();
    let anna_id = anna.id.to_string();
    let (from, until) = (ts("2026-12-01T07:00:00Z"), ts("2026-12-01T17:00:00Z"));
    let first =
        usecases::admin::clerks::add_absence(&t.app, tenant.id, &anna_id, from, until, "Cursus")
            .await
            .unwrap();
    let second = usecases::admin::clerks::add_absence(
        &t.app,
        tenant.id,
        &anna_id,
        ts("2026-12-02T07:00:00Z"),
        ts("2026-12-02T09:00:00Z"),
        "Tandarts",
    )
    .await
    .unwrap();
    let listed = usecases::admin::clerks::absences(&t.app, tenant.id, &anna_id)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|a| a.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(listed[0].reason, "Cursus");

    // Another municipality, another clerk, or no id: not found, and nothing removed.
    for (tenant_id, clerk, absence) in [
        (other.id, anna_id.clone(), first.to_string()),
        (tenant.id, bram.id.to_string(), first.to_string()),
        (tenant.id, anna_id.clone(), "geen-id".to_string()),
        (tenant.id, anna_id.clone(), uuid::Uuid::new_v4().to_string()),
    ] {
        assert!(matches!(
            usecases::admin::clerks::remove_absence(&t.app, tenant_id, &clerk, &absence).await,
            Err(Error::NotFound(_))
        ));
    }
    assert!(matches!(
        usecases::admin::clerks::absences(&t.app, other.id, &anna_id).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        t.app.db().absences(anna.id, ts(NOW)).await.unwrap().len(),
        2
    );

    // Removed: the list no longer has it (the other stays), and a second removal is not found.
    usecases::admin::clerks::remove_absence(&t.app, tenant.id, &anna_id, &first.to_string())
        .await
        .unwrap();
    let left = t.app.db().absences(anna.id, ts(NOW)).await.unwrap();
    assert_eq!(left.iter().map(|a| a.id).collect::<Vec<_>>(), [second]);
    assert!(matches!(
        usecases::admin::clerks::remove_absence(&t.app, tenant.id, &anna_id, &first.to_string())
            .await,
        Err(Error::NotFound(_))
    ));

    // The same through the API: list, DELETE (204), again (404); a clerk may not.
    let admin = logged_in(&t, "bram@voorbeeld.nl", "welkom-bram").await;
    let clerk = logged_in(&t, "anna@voorbeeld.nl", "welkom-anna").await;
    let url = format!("{}/api/v1/admin/clerks/{anna_id}/absences", t.base);
    let list: Vec<serde_json::Value> = admin.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], second.to_string());
    assert_eq!(list[0]["start"], "2026-12-02T08:00:00+01:00");
    assert_eq!(list[0]["reason"], "Tandarts");
    let one = format!("{url}/{second}");
    assert_eq!(clerk.delete(&one).send().await.unwrap().status(), 403);
    assert_eq!(admin.delete(&one).send().await.unwrap().status(), 204);
    assert_eq!(admin.delete(&one).send().await.unwrap().status(), 404);
    assert!(t
        .app
        .db()
        .absences(anna.id, ts(NOW))
        .await
        .unwrap()
        .is_empty());
}

async fn failing_deliveries_are_listed_and_retried_within_the_own_municipality(store: Store) {
    let (t, tenant) = demo(store).await;
    let (other, _) = elsewhere(&t).await;
    let admin = logged_in(&t, "bram@voorbeeld.nl", "welkom-bram").await;
    let clerk = logged_in(&t, "anna@voorbeeld.nl", "welkom-anna").await;
    // A case store nobody answers at: a closed port on loopback.
    let closed = "http://127.0.0.1:9";
    let settings = serde_json::json!({"kind": "zgw", "zaken_api": format!("{closed}/zaken/api/v1"),
        "client_id": "videoloket", "secret": "geheim-genoeg", "zaaktype": format!("{closed}/zaaktypen/1"),
        "rsin": "002220647", "roltype": format!("{closed}/roltypen/1"), "end_statustype": format!("{closed}/statustypen/1"),
        "resultaattypen": {"complete": format!("{closed}/resultaattypen/1")}, "user": "Videoloket"});
    let resp = admin
        .put(format!("{}/api/v1/admin/case-store", t.base))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    // A booked appointment and its outcome.
    let service = passport_of(&t, tenant.id).await;
    let booked: serde_json::Value = t
        .client
        .post(format!("{}/api/v1/tenants/voorbeeld/appointments", t.base))
        .json(
            &serde_json::json!({"service_id": service.id, "start": "2026-12-01T09:00:00+01:00",
            "name": "Jan de Vries", "email": "jan@example.nl"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let appointment = booked["appointment"]["id"].as_str().unwrap();
    // Anna calls the resident; then the outcome can be recorded.
    let anna = t
        .app
        .db()
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.email == "anna@voorbeeld.nl")
        .unwrap()
        .id;
    common::start_call(
        t.app.db(),
        tenant.id,
        appointment.parse().unwrap(),
        anna,
        t.app.clock.now(),
    )
    .await;
    let code = t.app.db().service_results(service.id).await.unwrap()[0]
        .code
        .clone();
    let resp = clerk
        .post(format!(
            "{}/api/v1/staff/appointments/{appointment}/outcomes",
            t.base
        ))
        .json(&serde_json::json!({"result": code, "notes": "", "follow_up": {"kind": "none"}, "sources": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let overview = usecases::admin::deliveries::delivery_overview(&t.app, tenant.id)
        .await
        .unwrap();
    assert_eq!((overview.pending_count, overview.failing_count), (1, 0));
    assert!(overview.failing.is_empty());

    // One attempt fails: listed with the error and the next attempt.
    let worker = booking::usecases::delivery::Worker::new(
        t.app.clone(),
        booking::usecases::delivery::DeliveryConfig {
            request_timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        },
    );
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let overview = usecases::admin::deliveries::delivery_overview(&t.app, tenant.id)
        .await
        .unwrap();
    assert_eq!((overview.pending_count, overview.failing_count), (0, 1));
    let failing = &overview.failing[0];
    assert_eq!(failing.attempts, 1);
    assert!(failing.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert!(failing.next_attempt_at.is_some_and(|at| at > ts(NOW)));
    let id = failing.id.to_string();
    let bram = t
        .app
        .db()
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.email == "bram@voorbeeld.nl")
        .unwrap()
        .id;

    // Another municipality sees none of it and cannot retry it.
    let theirs = usecases::admin::deliveries::delivery_overview(&t.app, other.id)
        .await
        .unwrap();
    assert!(theirs.failing.is_empty());
    assert_eq!((theirs.pending_count, theirs.failing_count), (0, 0));
    assert!(matches!(
        usecases::admin::deliveries::retry_delivery(&t.app, other.id, bram, &id).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        usecases::admin::deliveries::retry_failing(&t.app, other.id, bram)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        t.app.db().delivery_counts(tenant.id).await.unwrap(),
        (0, 0, 1)
    );

    // Retried: due now (pending); a second retry finds it no longer failing.
    usecases::admin::deliveries::retry_delivery(&t.app, tenant.id, bram, &id)
        .await
        .unwrap();
    assert_eq!(
        t.app.db().delivery_counts(tenant.id).await.unwrap(),
        (1, 0, 0)
    );
    assert!(matches!(
        usecases::admin::deliveries::retry_delivery(&t.app, tenant.id, bram, &id).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(worker.run_once().await.unwrap(), 1, "due at once");
    let again = usecases::admin::deliveries::deliveries(&t.app, tenant.id, None)
        .await
        .unwrap();
    assert_eq!(again[0].attempts, 2);

    // The API calls the same use cases: list, retry all, bad state.
    let url = format!("{}/api/v1/admin/deliveries", t.base);
    let list: Vec<serde_json::Value> = admin.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(
        admin
            .get(format!("{url}?state=weg"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let retried: serde_json::Value = admin
        .post(format!("{url}/retry-failing"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retried["retried"], 1);
    let pending = usecases::admin::deliveries::deliveries(&t.app, tenant.id, Some("pending"))
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        admin
            .post(format!("{url}/{id}/retry"))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "no longer failing"
    );
}

async fn resident_facing_settings_are_parsed_and_kept(store: Store) {
    let (t, tenant) = demo(store).await;
    let mut input = SettingsInput::of(&tenant);
    input.phone = "bel ons maar".into();
    input.intro_nl = "x".repeat(2001);
    input.address = "Markt 1\u{7}".into();
    assert_eq!(
        fields(usecases::admin::settings::check_settings(&tenant, &input)),
        ["phone", "address", "intro_nl"]
    );
    match usecases::admin::settings::update_settings(&t.app, tenant.id, &input).await {
        Err(Error::Invalid { field, message }) => {
            assert_eq!(field, "/phone");
            assert!(message.dutch.contains("14 030"), "{message:?}");
            assert!(message.english.contains("14 030"), "{message:?}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let stored = t.app.db().tenant(tenant.id).await.unwrap();
    assert_eq!(stored.resident_info, Default::default(), "nothing saved");

    input.phone = " 14 030 ".into();
    input.intro_nl = "Welkom bij de gemeente.\n\nBel of kom langs.".into();
    input.intro_en = String::new();
    input.address = "Markt 1\r\n1234 AB Voorbeeld".into();
    input.opening_hours = "Ma-vr 9:00-17:00".into();
    usecases::admin::settings::update_settings(&t.app, tenant.id, &input)
        .await
        .unwrap();
    let stored = t.app.db().tenant(tenant.id).await.unwrap().resident_info;
    assert_eq!(stored.phone.as_deref(), Some("14030"));
    assert_eq!(stored.address, "Markt 1\n1234 AB Voorbeeld");
    assert_eq!(
        stored.intro_nl,
        "Welkom bij de gemeente.\n\nBel of kom langs."
    );
    assert_eq!(stored.opening_hours, "Ma-vr 9:00-17:00");
    // Emptying the phone number removes it.
    let mut input = SettingsInput::of(&t.app.db().tenant(tenant.id).await.unwrap());
    assert_eq!(input.phone, "14030");
    input.phone = " ".into();
    usecases::admin::settings::update_settings(&t.app, tenant.id, &input)
        .await
        .unwrap();
    assert_eq!(
        t.app
            .db()
            .tenant(tenant.id)
            .await
            .unwrap()
            .resident_info
            .phone,
        None
    );
}

async fn a_logo_is_rebuilt_stored_served_and_removed_per_municipality(store: Store) {
    let (t, tenant) = demo(store).await;
    let (other, _) = elsewhere(&t).await;
    assert_eq!(tenant.logo_version, None);

    // A refused upload stores nothing.
    let refused = usecases::logo::upload(&t.app, tenant.id, b"GIF89a not a logo").await;
    assert_eq!(invalid_field(refused), "/logo");
    assert!(matches!(
        usecases::logo::of_municipality(&t.app, "voorbeeld").await,
        Err(Error::NotFound(_))
    ));

    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20" onload="alert(1)"><rect width="80" height="20" fill="#00529b"/></svg>"##;
    usecases::logo::upload(&t.app, tenant.id, svg)
        .await
        .unwrap();
    let stored = usecases::logo::of_municipality(&t.app, "voorbeeld")
        .await
        .unwrap();
    assert_eq!(stored.kind().media_type(), "image/svg+xml");
    let text = String::from_utf8(stored.bytes().to_vec()).unwrap();
    assert!(text.contains("<path") && !text.contains("onload"), "{text}");
    let version = t.app.db().tenant(tenant.id).await.unwrap().logo_version;
    assert_eq!(version, Some(ts(NOW).as_second()));
    // The other municipality has none; saving the settings keeps the logo.
    assert!(usecases::logo::of_municipality(&t.app, other.slug.as_str())
        .await
        .is_err());
    usecases::admin::settings::update_settings(&t.app, tenant.id, &SettingsInput::of(&tenant))
        .await
        .unwrap();
    assert!(usecases::logo::of_municipality(&t.app, "voorbeeld")
        .await
        .is_ok());

    // A PNG replaces the SVG (binary bytes survive the store unchanged).
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 3, 2);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&[
                0, 255, 7, 128, 0, 255, 1, 2, 3, 250, 251, 252, 9, 0, 0, 0, 0, 9,
            ])
            .unwrap();
    }
    let uploaded = usecases::logo::upload(&t.app, tenant.id, &png)
        .await
        .unwrap();
    let stored = usecases::logo::of_municipality(&t.app, "voorbeeld")
        .await
        .unwrap();
    assert_eq!(stored, uploaded);
    assert_eq!(stored.kind().media_type(), "image/png");

    usecases::logo::remove(&t.app, tenant.id).await.unwrap();
    assert!(usecases::logo::of_municipality(&t.app, "voorbeeld")
        .await
        .is_err());
    assert_eq!(
        t.app.db().tenant(tenant.id).await.unwrap().logo_version,
        None
    );
    // Removing again is no error.
    usecases::logo::remove(&t.app, tenant.id).await.unwrap();

    let trail = t.app.db().audit_trail(tenant.id, 500).await.unwrap();
    let actions: Vec<_> = trail.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "logo_changed").count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "logo_removed").count(),
        1,
        "{actions:?}"
    );
}

/// The demo's passport service (it asks no questions before booking, unlike the debt service).
async fn passport_of(
    t: &TestApp,
    tenant: booking::domain::ids::TenantId,
) -> booking::domain::catalog::Service {
    t.app
        .db()
        .services(tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.starts_with("Paspoort"))
        .unwrap()
}
