//! Shared by the outcome and ZGW tests: a demo municipality with a logged-in clerk and admin,
//! appointments inserted directly (hundreds, without going through the slot engine), recording
//! through the HTTP API, and a fast delivery worker configuration.
#![allow(dead_code)]

use crate::common::{spawn, ts, Store, TestApp};
use booking::adapters::case_store::CaseStore;
use booking::domain::appointment::{reservation_units, Appointment, AppointmentStatus, Resident};
use booking::domain::catalog::Service;
use booking::domain::email::Email;
use booking::domain::ids::{AppointmentId, ClerkId};
use booking::domain::outbox::Backoff;
use booking::domain::tenant::Tenant;
use booking::store::NewAppointment;
use booking::usecases::delivery::DeliveryConfig;
use jiff::SignedDuration;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Friday 20 March 2026, 10:00 in Amsterdam.
pub const NOW: &str = "2026-03-20T09:00:00Z";

pub struct Fixture {
    pub t: TestApp,
    pub tenant: Tenant,
    pub service: Service,
    pub clerk: ClerkId,
    /// The test app's own client is logged in as the clerk; this one as the admin.
    pub admin: reqwest::Client,
}

pub async fn login(t: &TestApp, client: &reqwest::Client, email: &str, password: &str) {
    let resp = client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": "voorbeeld", "email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login {email}");
}

pub async fn fixture(store: Store) -> Fixture {
    let t = spawn(store, ts(NOW), None).await;
    assert!(booking::demo::seed_if_empty(t.app.db()).await.unwrap());
    let tenant = t.app.db().tenant_by_slug("voorbeeld").await.unwrap();
    let service = t.app.db().services(tenant.id).await.unwrap().remove(0);
    let clerk = t
        .app
        .db()
        .clerks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.email == "anna@voorbeeld.nl")
        .unwrap()
        .id;
    login(&t, &t.client, "anna@voorbeeld.nl", "welkom-anna").await;
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    login(&t, &admin, "bram@voorbeeld.nl", "welkom-bram").await;
    Fixture {
        t,
        tenant,
        service,
        clerk,
        admin,
    }
}

impl Fixture {
    /// `n` booked appointments of the clerk, back to back from now on, whose residents checked
    /// in and were called by the clerk: an outcome is recorded only once the call started.
    pub async fn appointments(&self, n: usize) -> Vec<AppointmentId> {
        let ids = self.booked(n).await;
        for &id in &ids {
            crate::common::start_call(
                self.t.app.db(),
                self.tenant.id,
                id,
                self.clerk,
                self.t.app.clock.now(),
            )
            .await;
        }
        ids
    }

    /// `n` booked appointments of the clerk, back to back from now on; nobody called yet.
    pub async fn booked(&self, n: usize) -> Vec<AppointmentId> {
        self.booked_with_links(n, SignedDuration::ZERO)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// As `booked`, from `ahead` on, with each appointment's personal link token (for the
    /// resident's use cases, which need an appointment that has not started yet).
    pub async fn booked_with_links(
        &self,
        n: usize,
        ahead: SignedDuration,
    ) -> Vec<(AppointmentId, String)> {
        let created = self.t.app.clock.now();
        let now = created + ahead;
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let step = self.service.duration_minutes + self.service.buffer_minutes;
            let start = now + SignedDuration::from_mins(step * i as i64);
            let end = start + SignedDuration::from_mins(self.service.duration_minutes);
            let appointment = Appointment {
                id: AppointmentId::new(),
                tenant_id: self.tenant.id,
                service_id: self.service.id,
                clerk_id: self.clerk,
                start,
                end,
                status: AppointmentStatus::Booked,
                sequence: 0,
                resident: Resident {
                    name: format!("Inwoner {i}"),
                    contact: booking::domain::appointment::Contact::Email(
                        Email::parse(&format!("inwoner{i}@example.nl")).unwrap(),
                    ),
                    note: None,
                    language: None,
                },
                code: booking::domain::booking_code::BookingCode::generate(),
                created_at: created,
            };
            let units = reservation_units(
                start,
                end + SignedDuration::from_mins(self.service.buffer_minutes),
            );
            let token = booking::domain::personal_link::PersonalToken::generate();
            self.t
                .app
                .db()
                .insert_appointment(
                    &NewAppointment {
                        appointment: appointment.clone(),
                        link_hash: token.hash(),
                        units,
                    },
                    created,
                )
                .await
                .unwrap();
            ids.push((appointment.id, token.as_str().to_string()));
        }
        ids
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.t.base)
    }

    /// Records (or with `corrects`, corrects) an outcome as the clerk.
    pub async fn record(&self, id: AppointmentId, body: Value) -> reqwest::Response {
        self.t
            .client
            .post(self.url(&format!("/api/v1/staff/appointments/{id}/outcomes")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn history(&self, id: AppointmentId) -> Value {
        let resp = self
            .t
            .client
            .get(self.url(&format!("/api/v1/staff/appointments/{id}/outcomes")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// Records a "complete" outcome for each appointment, `parallel` requests at a time.
    pub async fn record_all(&self, ids: &[AppointmentId], parallel: usize) {
        for chunk in ids.chunks(parallel) {
            let mut set = tokio::task::JoinSet::new();
            for id in chunk {
                let (client, url) = (
                    self.t.client.clone(),
                    self.url(&format!("/api/v1/staff/appointments/{id}/outcomes")),
                );
                set.spawn(async move {
                    let resp = client.post(url).json(&complete()).send().await.unwrap();
                    assert_eq!(resp.status(), 201);
                });
            }
            while let Some(r) = set.join_next().await {
                r.unwrap();
            }
        }
    }

    /// (pending, delivered, failing)
    pub async fn counts(&self) -> (i64, i64, i64) {
        self.t
            .app
            .db()
            .delivery_counts(self.tenant.id)
            .await
            .unwrap()
    }
}

pub fn complete() -> Value {
    json!({"result": "complete", "notes": "Paspoort aangevraagd.", "follow_up": {"kind": "none"}, "sources": ["BRP"]})
}

/// A worker that polls every 10 ms and retries after about a second, so a test moves time
/// instead of waiting.
pub fn fast_config(store: Option<Arc<dyn CaseStore>>) -> DeliveryConfig {
    DeliveryConfig {
        poll_interval: Duration::from_millis(10),
        batch: 32,
        lease: SignedDuration::from_secs(60),
        backoff: Backoff {
            base: SignedDuration::from_secs(1),
            cap: SignedDuration::from_secs(30),
        },
        request_timeout: Duration::from_secs(5),
        store_override: store,
        ..Default::default()
    }
}

/// Polls `check` until it holds; panics with `what` after `limit`.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Like [`wait_until`], but `check` also describes what it saw, and a timeout panics with the
/// last description: a test that hangs on a loaded machine then says where it stood.
pub async fn wait_until_seen<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, String)>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let (done, seen) = check().await;
        if done {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting until {what}; last seen: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
