//! Shared by the privacy and feedback tests: the demo municipality (clerk and admin logged in),
//! a second municipality with its own admin, and appointments with a real personal link.
#![allow(dead_code)]

use crate::common::{spawn, ts, Store, TestApp};
use booking::auth::hash_password;
use booking::domain::appointment::{reservation_units, Appointment, AppointmentStatus, Resident};
use booking::domain::catalog::{Clerk, Service};
use booking::domain::email::Email;
use booking::domain::ids::{AppointmentId, ClerkId, ServiceId, TenantId};
use booking::domain::personal_link::PersonalToken;
use booking::domain::staff::StaffRole;
use booking::domain::tenant::{Slug, Tenant};
use booking::store::NewAppointment;
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

/// Friday 20 March 2026, 10:00 in Amsterdam.
pub const NOW: &str = "2026-03-20T09:00:00Z";

pub struct Fixture {
    pub t: TestApp,
    pub tenant: Tenant,
    pub service: Service,
    pub clerk: ClerkId,
    /// The test app's own client is the demo clerk; this one the demo admin.
    pub admin: reqwest::Client,
    /// Logged in as the admin of "anderstad", another municipality.
    pub other_admin: reqwest::Client,
    pub other_tenant: Tenant,
    pub other_service: Service,
    pub other_clerk: ClerkId,
}

pub struct Booked {
    pub id: AppointmentId,
    pub token: String,
}

pub async fn login(t: &TestApp, tenant: &str, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"tenant": tenant, "email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login {email}");
    client
}

pub async fn fixture(store: Store) -> Fixture {
    let mut t = spawn(store, ts(NOW), None).await;
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
    t.client = login(&t, "voorbeeld", "anna@voorbeeld.nl", "welkom-anna").await;
    let admin = login(&t, "voorbeeld", "bram@voorbeeld.nl", "welkom-bram").await;

    let mut other_tenant = booking::demo::demo_tenant();
    other_tenant.id = TenantId::new();
    other_tenant.slug = Slug::parse("anderstad").unwrap();
    other_tenant.name = "Gemeente Anderstad".into();
    t.app.db().save_tenant(&other_tenant).await.unwrap();
    let other_service = Service {
        id: ServiceId::new(),
        tenant_id: other_tenant.id,
        name: "Verhuizing".into(),
        description: "Verhuizing doorgeven.".into(),
        duration_minutes: 15,
        buffer_minutes: 5,
        active: true,
        party: Default::default(),
    };
    t.app.db().save_service(&other_service).await.unwrap();
    let other_clerk = ClerkId::new();
    t.app
        .db()
        .create_clerk(
            &Clerk {
                id: other_clerk,
                tenant_id: other_tenant.id,
                name: "Olga".into(),
                email: "olga@anderstad.nl".into(),
                role: StaffRole::Admin,
                services: vec![other_service.id],
            },
            &hash_password("welkom-olga").unwrap(),
        )
        .await
        .unwrap();
    let other_admin = login(&t, "anderstad", "olga@anderstad.nl", "welkom-olga").await;
    Fixture {
        t,
        tenant,
        service,
        clerk,
        admin,
        other_admin,
        other_tenant,
        other_service,
        other_clerk,
    }
}

impl Fixture {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.t.base)
    }

    /// A booked appointment of the demo clerk starting at `start`, with a working personal link.
    pub async fn book(&self, start: Timestamp, name: &str) -> Booked {
        self.book_with(&self.service, self.clerk, start, name).await
    }

    /// The same in the other municipality.
    pub async fn book_other(&self, start: Timestamp, name: &str) -> Booked {
        self.book_with(&self.other_service, self.other_clerk, start, name)
            .await
    }

    async fn book_with(
        &self,
        service: &Service,
        clerk: ClerkId,
        start: Timestamp,
        name: &str,
    ) -> Booked {
        let token = PersonalToken::generate();
        let end = start + SignedDuration::from_mins(service.duration_minutes);
        let appointment = Appointment {
            id: AppointmentId::new(),
            tenant_id: service.tenant_id,
            service_id: service.id,
            clerk_id: clerk,
            start,
            end,
            status: AppointmentStatus::Booked,
            sequence: 0,
            resident: Resident {
                name: name.into(),
                contact: booking::domain::appointment::Contact::Both {
                    email: Email::parse("inwoner@example.nl").unwrap(),
                    phone: booking::domain::text::PhoneNumber::parse("0612345678").unwrap(),
                },
                note: Some("Ik heb een vraag over mijn paspoort.".into()),
                language: None,
            },
            code: booking::domain::booking_code::BookingCode::generate(),
            created_at: self.t.app.clock.now(),
        };
        let units = reservation_units(
            start,
            end + SignedDuration::from_mins(service.buffer_minutes),
        );
        self.t
            .app
            .db()
            .insert_appointment(
                &NewAppointment {
                    appointment: appointment.clone(),
                    link_hash: token.hash(),
                    units,
                },
                self.t.app.clock.now(),
            )
            .await
            .unwrap();
        Booked {
            id: appointment.id,
            token: token.as_str().to_string(),
        }
    }

    /// The resident checked in and the demo clerk called them (see `common::start_call`).
    pub async fn start_call(&self, id: AppointmentId) -> booking::domain::queue::QueueEntryId {
        crate::common::start_call(
            self.t.app.db(),
            self.tenant.id,
            id,
            self.clerk,
            self.t.app.clock.now(),
        )
        .await
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> (u16, Value) {
        let resp = client.get(self.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let resp = client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// The demo service's sources: population register, income data and education data.
    pub async fn configure_sources(&self) {
        let (status, body) = self
            .send(
                &self.admin,
                reqwest::Method::PUT,
                &format!("/admin/services/{}/sources", self.service.id),
                json!({"sources": [
                    {"code": "brp", "label": "BRP", "reason": "Om uw naam en adres te controleren."},
                    {"code": "inkomen", "label": "Inkomensgegevens", "reason": "Om te zien of u recht heeft op korting."},
                    {"code": "duo", "label": "Onderwijsgegevens", "reason": "Om uw diploma te controleren."}
                ]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}
