//! The demo municipality a fresh install starts with, so the platform can be tried at once.

use crate::auth::hash_password_async;
use crate::domain::catalog::{Clerk, Service};
use crate::domain::consent::InfoSource;
use crate::domain::ids::{ClerkId, ServiceId, TenantId};
use crate::domain::slots::WeeklyWindow;
use crate::domain::staff::StaffRole;
use crate::domain::tenant::{Colour, Slug, Tenant, TimeZoneName, Tone};
use crate::domain::triage::{Answer, NewQuestion, Verdict};
use crate::error::Result;
use crate::store::Db;
use jiff::civil::Weekday;

pub const DEMO_SLUG: &str = "voorbeeld";

/// A demo login, printed at start-up.
pub struct DemoLogin {
    pub name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub role: StaffRole,
}

pub const DEMO_LOGINS: [DemoLogin; 2] = [
    DemoLogin {
        name: "Anna de Vries",
        email: "anna@voorbeeld.nl",
        password: "welkom-anna",
        role: StaffRole::Clerk,
    },
    DemoLogin {
        name: "Bram Jansen",
        email: "bram@voorbeeld.nl",
        password: "welkom-bram",
        role: StaffRole::Admin,
    },
];

pub fn demo_tenant() -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug: Slug::parse(DEMO_SLUG).expect("valid slug"),
        name: "Gemeente Voorbeeld".into(),
        time_zone: TimeZoneName::parse("Europe/Amsterdam").expect("bundled zone"),
        tone: Tone::U,
        primary_colour: Colour::parse("#154273").expect("contrast ok"),
        secondary_colour: Colour::parse("#8b4a6a").expect("contrast ok"),
        walk_ins_allowed: true,
        lead_time_minutes: 60,
        horizon_days: 60,
        retention_days: 90,
        contact_email: "loket@voorbeeld.nl".into(),
        check_in_minutes: 15,
        no_show_grace_minutes: 15,
        resident_info: Default::default(),
        logo_version: None,
    }
}

/// Office hours Monday to Friday, 09:00-17:00 local time.
pub fn office_hours() -> Vec<WeeklyWindow> {
    [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ]
    .into_iter()
    .map(|weekday| WeeklyWindow {
        weekday,
        start_minute: 9 * 60,
        end_minute: 17 * 60,
    })
    .collect()
}

/// The demo service that shows consent per information source.
pub const MOVING: &str = "Verhuizing doorgeven";

/// What a clerk may need for a move, each with the reason the resident reads when booking.
pub fn moving_sources() -> Vec<InfoSource> {
    vec![
        InfoSource {
            code: "brp".into(),
            label: "Basisregistratie Personen (BRP)".into(),
            reason: "Om uw huidige adres en de mensen die met u verhuizen te controleren.".into(),
        },
        InfoSource {
            code: "woonbewijs".into(),
            label: "Huurcontract of koopakte".into(),
            reason: "Om te zien dat u op het nieuwe adres mag wonen.".into(),
        },
    ]
}

/// The demo service that asks a question before booking (issue 16 item 7).
pub const DEBTS: &str = "Hulp bij geldzaken en schulden";

/// Urgent debt trouble should not wait for a video slot days away: those residents call.
pub fn debts_question() -> NewQuestion {
    NewQuestion {
        text: "Wordt binnen een week uw gas, water of licht afgesloten, of moet u uw huis uit?"
            .into(),
        answers: vec![
            Answer {
                label: "Nee".into(),
                verdict: Verdict::Continue,
            },
            Answer {
                label: "Ja".into(),
                verdict: Verdict::CallUs,
            },
        ],
    }
}

/// Seeds the demo municipality unless any municipality exists. Returns whether it seeded.
pub async fn seed_if_empty(db: &Db) -> Result<bool> {
    if !db.tenants().await?.is_empty() {
        return Ok(false);
    }
    let tenant = demo_tenant();
    db.save_tenant(&tenant).await?;
    let services: [(&str, &str, i64, i64); 3] = [
        ("Paspoort of identiteitskaart aanvragen", "Een nieuw paspoort of een identiteitskaart aanvragen. Houd uw oude document en een pasfoto bij de hand.", 20, 10),
        (MOVING, "Uw nieuwe adres doorgeven, ook als u uit het buitenland komt.", 15, 5),
        (DEBTS, "Een vertrouwelijk gesprek over geldzorgen, schulden of rondkomen.", 45, 15),
    ];
    let mut service_ids: Vec<ServiceId> = Vec::new();
    for (name, description, duration, buffer) in services {
        let service = Service {
            id: ServiceId::new(),
            tenant_id: tenant.id,
            name: name.into(),
            description: description.into(),
            duration_minutes: duration,
            buffer_minutes: buffer,
            active: true,
            party: Default::default(),
        };
        db.save_service(&service).await?;
        if name == MOVING {
            db.set_service_sources(service.id, &moving_sources())
                .await?;
        }
        if name == DEBTS {
            db.add_triage_question(tenant.id, service.id, &debts_question())
                .await?;
        }
        service_ids.push(service.id);
    }
    for login in &DEMO_LOGINS {
        let clerk = Clerk {
            id: ClerkId::new(),
            tenant_id: tenant.id,
            name: login.name.into(),
            email: login.email.into(),
            role: login.role,
            services: service_ids.clone(),
        };
        db.create_clerk(&clerk, &hash_password_async(login.password).await?)
            .await?;
        db.set_opening_hours(clerk.id, &office_hours()).await?;
    }
    Ok(true)
}
