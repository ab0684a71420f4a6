//! Closing days (`booking::usecases::admin::closing_days` and `/api/v1/admin/closing-days`) on
//! real SQLite and PostgreSQL: the public holidays are preloaded once per municipality (a
//! removed one stays removed, also when many requests preload at once), a closing day removes
//! its slots and refuses a direct booking, adding one names the appointments already booked,
//! and everything stays within the own municipality.

#[macro_use]
mod common;

use booking::domain::tenant::Tenant;
use booking::usecases;
use booking::usecases::admin::closing_days::ClosingDayInput;
use booking::Error;
use common::{ts, Store, TestApp};
use jiff::civil::{date, Date};
use serde_json::{json, Value};

/// Monday 30 November 2026, 08:00 in Amsterdam.
const NOW: &str = "2026-11-30T07:00:00Z";

on_both_stores!(
    holidays_are_preloaded_once_and_stay_removed,
    a_closing_day_removes_its_slots_and_names_the_bookings,
    closing_days_stay_within_the_own_municipality,
    residents_on_a_closing_day_are_messaged_once,
);

async fn demo(store: Store) -> (TestApp, Tenant) {
    let t = common::spawn(store, ts(NOW), None).await;
    booking::demo::seed_if_empty(t.app.db()).await.unwrap();
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    (t, tenant)
}

async fn passport(t: &TestApp, tenant: &Tenant) -> booking::domain::catalog::Service {
    usecases::booking::offered_services(&t.app, tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.starts_with("Paspoort"))
        .unwrap()
}

async fn times_on(t: &TestApp, tenant: &Tenant, day: Date) -> Vec<jiff::Timestamp> {
    let service = passport(t, tenant).await;
    usecases::booking::slots(&t.app, tenant, &service, day, day)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.start)
        .collect()
}

async fn book(t: &TestApp, tenant: &Tenant, start: jiff::Timestamp) -> reqwest::Response {
    let service = passport(t, tenant).await;
    reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tenants/{}/appointments",
            t.base,
            tenant.slug.as_str()
        ))
        .json(&json!({
            "service_id": service.id.to_string(),
            // The municipality's own offset, as the slot list gives it (a `Z` time is refused).
            "start": start
                .to_zoned(tenant.time_zone.tz().clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            "name": "Sara Sluiting",
            "email": "sara@example.nl",
        }))
        .send()
        .await
        .unwrap()
}

async fn holidays_are_preloaded_once_and_stay_removed(store: Store) {
    let (t, tenant) = demo(store).await;
    assert!(times_on(&t, &tenant, date(2026, 12, 25)).await.is_empty());
    assert!(!times_on(&t, &tenant, date(2026, 12, 24)).await.is_empty());

    // Many requests preloading at once still give each holiday once.
    let lists = futures::future::join_all(
        (0..6).map(|_| usecases::admin::closing_days::closing_days(&t.app, &tenant)),
    )
    .await;
    for list in lists {
        list.unwrap();
    }
    let list = usecases::admin::closing_days::closing_days(&t.app, &tenant)
        .await
        .unwrap();
    // 2026: both Christmas days are still ahead; 2027 and 2028: all eleven.
    assert_eq!(list.len(), 2 + 11 + 11, "{list:#?}");
    assert!(list.iter().all(|d| d.day.holiday && d.day.part.is_none()));
    let christmas = list
        .iter()
        .find(|d| d.day.date == date(2026, 12, 25))
        .unwrap();
    assert_eq!(christmas.day.name, "Eerste Kerstdag");
    let kings_day_2027 = list
        .iter()
        .find(|d| d.day.name == "Koningsdag" && d.day.date.year() == 2027)
        .unwrap();
    assert_eq!(kings_day_2027.day.date, date(2027, 4, 27));

    usecases::admin::closing_days::remove_closing_day(
        &t.app,
        &tenant,
        &christmas.day.id.to_string(),
        tenant.id,
    )
    .await
    .unwrap();
    assert!(!times_on(&t, &tenant, date(2026, 12, 25)).await.is_empty());
    let again = usecases::admin::closing_days::closing_days(&t.app, &tenant)
        .await
        .unwrap();
    assert_eq!(
        again.len(),
        list.len() - 1,
        "a removed holiday is not loaded again"
    );
}

async fn a_closing_day_removes_its_slots_and_names_the_bookings(store: Store) {
    let (t, tenant) = demo(store).await;
    let day = date(2026, 12, 8);
    let free = times_on(&t, &tenant, day).await;
    assert!(free.len() > 4);
    assert_eq!(book(&t, &tenant, free[1]).await.status(), 201);
    let open = times_on(&t, &tenant, day).await;

    let input = |date: &str, from: &str, to: &str, name: &str| ClosingDayInput {
        date: date.into(),
        from: from.into(),
        to: to.into(),
        name: name.into(),
    };
    let refused = usecases::admin::closing_days::add_closing_day(
        &t.app,
        &tenant,
        &input("2026-11-29", "", "", "Gisteren"),
        tenant.id,
    )
    .await;
    assert!(matches!(refused, Err(Error::Invalid { field, .. }) if field == "/date"));

    let added = usecases::admin::closing_days::add_closing_day(
        &t.app,
        &tenant,
        &input("2026-12-08", "", "", "Studiedag"),
        tenant.id,
    )
    .await
    .unwrap();
    assert_eq!(added.appointments.len(), 1);
    assert_eq!(added.appointments[0].resident.name, "Sara Sluiting");
    assert!(times_on(&t, &tenant, day).await.is_empty());
    assert_eq!(
        book(&t, &tenant, free[3]).await.status(),
        422,
        "a closed time is refused even when asked for directly"
    );

    // A part day: closed from 12:00 local, the morning stays bookable.
    let afternoon = usecases::admin::closing_days::add_closing_day(
        &t.app,
        &tenant,
        &input("2026-12-09", "12:00", "24:00", "Middag dicht"),
        tenant.id,
    )
    .await
    .unwrap();
    assert!(afternoon.appointments.is_empty());
    let tz = tenant.time_zone.tz().clone();
    let left = times_on(&t, &tenant, date(2026, 12, 9)).await;
    assert!(!left.is_empty());
    assert!(left
        .iter()
        .all(|s| s.to_zoned(tz.clone()).time() < jiff::civil::time(12, 0, 0, 0)));

    // The JSON API lists the booking with the day, and removes the day again.
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = admin
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": "voorbeeld", "email": "bram@voorbeeld.nl", "password": "welkom-bram"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let list: Vec<Value> = admin
        .get(format!("{}/api/v1/admin/closing-days", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let studiedag = list.iter().find(|d| d["name"] == "Studiedag").unwrap();
    assert_eq!(studiedag["date"], "2026-12-08");
    assert_eq!(studiedag["from"], Value::Null);
    assert_eq!(
        studiedag["appointments"][0]["resident_name"],
        "Sara Sluiting"
    );
    let middag = list.iter().find(|d| d["name"] == "Middag dicht").unwrap();
    assert_eq!(
        (middag["from"].as_str(), middag["to"].as_str()),
        (Some("12:00"), Some("24:00"))
    );
    let wrong = admin
        .post(format!("{}/api/v1/admin/closing-days", t.base))
        .json(&json!({"date": "2026-12-10", "from": "14:00", "to": "13:00", "name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong["field"], "/to");
    let removed = admin
        .delete(format!(
            "{}/api/v1/admin/closing-days/{}",
            t.base,
            studiedag["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(
        times_on(&t, &tenant, day).await,
        open,
        "the day is open again"
    );
}

async fn closing_days_stay_within_the_own_municipality(store: Store) {
    let (t, tenant) = demo(store).await;
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    t.app.db().save_tenant(&other).await.unwrap();
    let theirs = usecases::admin::closing_days::closing_days(&t.app, &other)
        .await
        .unwrap();
    let ours = usecases::admin::closing_days::closing_days(&t.app, &tenant)
        .await
        .unwrap();
    assert_eq!(
        theirs.len(),
        ours.len(),
        "each municipality has its own holidays"
    );
    let result = usecases::admin::closing_days::remove_closing_day(
        &t.app,
        &tenant,
        &theirs[0].day.id.to_string(),
        tenant.id,
    )
    .await;
    assert!(matches!(result, Err(Error::NotFound(_))));
    let result =
        usecases::admin::closing_days::remove_closing_day(&t.app, &tenant, "not-an-id", tenant.id)
            .await;
    assert!(matches!(result, Err(Error::NotFound(_))));
    assert_eq!(
        usecases::admin::closing_days::closing_days(&t.app, &other)
            .await
            .unwrap()
            .len(),
        theirs.len()
    );
}

/// The mails in the test app's mail directory to `address`, as text.
fn mails_to(t: &TestApp, address: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(common::mail_dir(t)) else {
        return Vec::new();
    };
    dir.filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        // Unfolded headers and soft line breaks, so a sentence reads as one.
        .map(|b| {
            String::from_utf8_lossy(&b)
                .replace("=\r\n", "")
                .replace("\r\n ", " ")
        })
        .filter(|m| m.contains(&format!("<{address}>")))
        .collect()
}

async fn residents_on_a_closing_day_are_messaged_once(store: Store) {
    let (t, tenant) = demo(store).await;
    let day = date(2026, 12, 10);
    let free = times_on(&t, &tenant, day).await;
    assert_eq!(book(&t, &tenant, free[2]).await.status(), 201);
    // The confirmation leaves through the message outbox; wait for it before counting.
    common::mails_written(&t, 1).await;
    let confirmations = mails_to(&t, "sara@example.nl").len();
    assert_eq!(confirmations, 1);
    let added = usecases::admin::closing_days::add_closing_day(
        &t.app,
        &tenant,
        &ClosingDayInput {
            date: "2026-12-10".into(),
            from: String::new(),
            to: String::new(),
            name: "Verhuizing".into(),
        },
        tenant.id,
    )
    .await
    .unwrap();
    assert_eq!(added.appointments.len(), 1);
    let id = added.day.id.to_string();

    let done = usecases::admin::closing_days::message_residents(&t.app, &tenant, &id, tenant.id)
        .await
        .unwrap();
    assert_eq!((done.sent, done.earlier, done.failed), (1, 0, 0));
    let mails = mails_to(&t, "sara@example.nl");
    assert_eq!(mails.len(), confirmations + 1);
    let mail = mails
        .iter()
        .find(|m| m.contains("gaat niet door"))
        .expect("the closing day mail");
    assert!(mail.contains("kan niet doorgaan"), "{mail}");
    assert!(
        !mail.contains("BEGIN:VCALENDAR"),
        "no invite: the appointment stands until moved"
    );

    // Pressing again messages nobody twice; the list says who was messaged.
    let again = usecases::admin::closing_days::message_residents(&t.app, &tenant, &id, tenant.id)
        .await
        .unwrap();
    assert_eq!((again.sent, again.earlier), (0, 1));
    assert_eq!(mails_to(&t, "sara@example.nl").len(), confirmations + 1);
    let listed = usecases::admin::closing_days::closing_days(&t.app, &tenant)
        .await
        .unwrap();
    let listed = listed.iter().find(|d| d.day.id == added.day.id).unwrap();
    assert_eq!(listed.messaged, vec![listed.appointments[0].id]);

    // Another municipality's admin cannot use this day's id.
    let mut other = booking::demo::demo_tenant();
    other.slug = booking::domain::tenant::Slug::parse("elders").unwrap();
    t.app.db().save_tenant(&other).await.unwrap();
    assert!(matches!(
        usecases::admin::closing_days::message_residents(&t.app, &other, &id, other.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        usecases::admin::closing_days::message_residents(&t.app, &tenant, "nonsense", tenant.id)
            .await,
        Err(Error::NotFound(_))
    ));
}
