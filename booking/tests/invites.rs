//! Invites and mail checked by independent parsers: Python's `icalendar` for the .ics, the
//! stdlib `email` package for the messages, and a real SMTP server (aiosmtpd) on loopback.

mod common;

use booking::adapters::mail::MailConfig;
use common::{require_python, spawn, ts, Store, TestApp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-03-20T09:00:00Z";

fn script(name: &str) -> String {
    format!("{}/../tests/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn mailcheck(python: &str, kind: &str, file: &Path) -> Value {
    let out = Command::new(python)
        .arg(script("mailcheck.py"))
        .arg(kind)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mailcheck failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn passport(t: &TestApp) -> Value {
    booking::demo::seed_if_empty(t.app.db()).await.unwrap();
    let services: Vec<Value> = t
        .client
        .get(format!("{}/api/v1/tenants/voorbeeld/services", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    services
        .into_iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap()
}

async fn book(t: &TestApp, service: &Value, start: &str) -> Value {
    let resp = t.client
        .post(format!("{}/api/v1/tenants/voorbeeld/appointments", t.base))
        .json(&json!({"service_id": service["id"], "start": start, "name": "Jan de Vries, jr.", "email": "jan@example.nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn parsed_invite(t: &TestApp, python: &str, token: &str) -> Value {
    let ics = t
        .client
        .get(format!("{}/api/v1/personal/{token}/invite.ics", t.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let file = t.test_db.dir.path().join(format!("{}.ics", &token[..8]));
    std::fs::write(&file, &ics).unwrap();
    mailcheck(python, "ics", &file)
}

/// Names as residents write them, at the edges of what is valid: every parser reads the
/// invite, the lines are folded at 75 octets, and the name comes back as it was given.
#[tokio::test]
async fn invites_with_hostile_names_pass_the_strict_parsers() {
    let Some(python) = require_python("invites_with_hostile_names_pass_the_strict_parsers") else {
        return;
    };
    let t = spawn(Store::Sqlite, ts(NOW), None).await;
    let service = passport(&t).await;
    let longest = format!("Zoë {}", "é🌷".repeat(48));
    let names = [
        "Jan de Vries, jr.; zoon: de oudste",
        "Zoë d'Ancona-Brontë",
        "محمد العلي",
        "שרה כהן",
        longest.as_str(),
    ];
    let slots: Vec<Value> = t
        .client
        .get(format!(
            "{}/api/v1/tenants/voorbeeld/services/{}/slots?from=2026-03-27&to=2026-03-27",
            t.base,
            service["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts = slots.iter().step_by(2).map(|s| s["start"].clone());
    for (name, start) in names.iter().zip(starts) {
        let resp = t
            .client
            .post(format!("{}/api/v1/tenants/voorbeeld/appointments", t.base))
            .json(&json!({"service_id": service["id"], "start": start, "name": name, "email": "jan@example.nl"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{name}");
        let booked: Value = resp.json().await.unwrap();
        let token = booked["token"].as_str().unwrap();
        let ics = t
            .client
            .get(format!("{}/api/v1/personal/{token}/invite.ics", t.base))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let file = t.test_db.dir.path().join(format!("{}.ics", &token[..8]));
        std::fs::write(&file, &ics).unwrap();
        let read = mailcheck(&python, "strict", &file);
        for parser in ["ical", "vobject", "icalendar"] {
            assert_eq!(
                read[parser]["attendee_cn"],
                json!([name]),
                "{parser}: {read}"
            );
            assert_eq!(
                read[parser]["organizer_cn"], "Gemeente Voorbeeld",
                "{parser}"
            );
        }
    }
}

#[tokio::test]
async fn invites_parse_with_icalendar_across_the_dst_change() {
    let Some(python) = require_python("invites_parse_with_icalendar_across_the_dst_change") else {
        return;
    };
    let t = spawn(Store::Sqlite, ts(NOW), None).await;
    let service = passport(&t).await;

    // The last Friday of winter time and the first Monday of summer time.
    let winter = book(&t, &service, "2026-03-27T16:00:00+01:00").await;
    let summer = book(&t, &service, "2026-03-30T09:00:00+02:00").await;
    for (booked, start, end) in [
        (
            &winter,
            "2026-03-27T15:00:00+00:00",
            "2026-03-27T15:20:00+00:00",
        ),
        (
            &summer,
            "2026-03-30T07:00:00+00:00",
            "2026-03-30T07:20:00+00:00",
        ),
    ] {
        let token = booked["token"].as_str().unwrap();
        let cal = parsed_invite(&t, &python, token).await;
        assert_eq!(cal["method"], "REQUEST");
        assert_eq!(cal["version"], "2.0");
        assert_eq!(
            cal["uid"],
            format!(
                "{}@videoloket",
                booked["appointment"]["id"].as_str().unwrap()
            )
        );
        assert_eq!(cal["sequence"], 0);
        assert_eq!(cal["status"], "CONFIRMED");
        assert_eq!(cal["dtstart"], start);
        assert_eq!(cal["dtend"], end);
        assert_eq!(cal["url"], booked["personal_link"]);
        assert!(cal["description"]
            .as_str()
            .unwrap()
            .contains(booked["personal_link"].as_str().unwrap()));
        assert_eq!(cal["organizer"], "mailto:loket@voorbeeld.nl");
        assert_eq!(cal["organizer_cn"], "Gemeente Voorbeeld");
        assert_eq!(cal["attendee"], "mailto:jan@example.nl");
        assert_eq!(cal["attendee_cn"], "Jan de Vries, jr.");
        assert_eq!(
            cal["alarms"],
            json!([{"action": "DISPLAY", "trigger_seconds": -900.0}])
        );
    }

    // Reschedule the winter one into summer time: same UID, higher SEQUENCE.
    let token = winter["token"].as_str().unwrap();
    let personal = format!("{}/api/v1/personal/{token}", t.base);
    let r = t
        .client
        .post(format!("{personal}/reschedule"))
        .json(&json!({"start": "2026-03-31T11:00:00+02:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let moved = parsed_invite(&t, &python, token).await;
    assert_eq!(moved["sequence"], 1);
    assert_eq!(moved["dtstart"], "2026-03-31T09:00:00+00:00");
    assert_eq!(
        moved["uid"],
        format!(
            "{}@videoloket",
            winter["appointment"]["id"].as_str().unwrap()
        )
    );

    assert_eq!(
        t.client
            .post(format!("{personal}/cancel"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let cancelled = parsed_invite(&t, &python, token).await;
    assert_eq!(cancelled["method"], "CANCEL");
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["sequence"], 2);
    assert_eq!(cancelled["uid"], moved["uid"]);

    // The .eml files written by default carry the same invites as attachments.
    common::mails_written(&t, 4).await;
    let mut mails: Vec<_> = std::fs::read_dir(common::mail_dir(&t))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    mails.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    assert_eq!(mails.len(), 4, "two bookings, one move, one cancellation");
    let methods: Vec<String> = mails
        .iter()
        .map(|m| {
            mailcheck(&python, "eml", m)["calendar_method_param"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(methods.iter().filter(|m| *m == "CANCEL").count(), 1);
    assert_eq!(methods.iter().filter(|m| *m == "REQUEST").count(), 3);
}

/// Kills the SMTP server when the test ends, however it ends.
struct Sink(std::process::Child);
impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn booking_mail_goes_through_a_real_smtp_server() {
    let Some(python) = require_python("booking_mail_goes_through_a_real_smtp_server") else {
        return;
    };
    let outdir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&python)
        .arg(script("smtp_sink.py"))
        .arg(port.to_string())
        .arg(outdir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready");
    let _sink = Sink(child);

    let t = spawn(
        Store::Sqlite,
        ts(NOW),
        Some(MailConfig::Smtp(format!("smtp://127.0.0.1:{port}"))),
    )
    .await;
    let service = passport(&t).await;
    let booked = book(&t, &service, "2026-03-27T10:00:00+01:00").await;

    let mail = outdir.path().join("0001.eml");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !mail.exists() {
        assert!(
            Instant::now() < deadline,
            "no mail arrived at the SMTP server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rcpt = std::fs::read_to_string(outdir.path().join("0001.eml.rcpt")).unwrap();
    assert_eq!(rcpt.trim(), "jan@example.nl");
    let parsed = mailcheck(&python, "eml", &mail);
    assert!(parsed["to"].as_str().unwrap().contains("jan@example.nl"));
    assert!(parsed["from"]
        .as_str()
        .unwrap()
        .contains("loket@voorbeeld.nl"));
    assert_eq!(
        parsed["subject"],
        "Uw videoafspraak: vrijdag 27 maart 2026 om 10:00"
    );
    assert!(parsed["text"]
        .as_str()
        .unwrap()
        .contains(booked["personal_link"].as_str().unwrap()));
    assert_eq!(parsed["calendar_parts"], 1);
    assert_eq!(parsed["calendar_method_param"], "REQUEST");
    assert_eq!(parsed["calendar_filename"], "afspraak.ics");
    assert_eq!(parsed["calendar"]["dtstart"], "2026-03-27T09:00:00+00:00");
    assert_eq!(parsed["calendar"]["method"], "REQUEST");
}
