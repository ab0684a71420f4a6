//! One module per page group. Handlers load what they need, call the booking use cases, and
//! render; none of them decides anything the booking crate already decides.

pub mod admin;
pub mod booking;
mod call_view;
pub mod callback;
pub mod companion;
pub mod documents;
pub mod feedback;
pub mod find;
pub mod home;
pub mod personal;
mod picker;
pub mod privacy;
pub mod services;
pub mod staff;
pub mod staff_nav;
mod triage;
pub mod video;
pub mod walk_in;

use ::booking::domain::catalog::Service;
use ::booking::domain::tenant::Tenant;
use ::booking::{App, Error, Result};

/// The municipality and one of the services it offers from the path; anything unknown, and a
/// service it stopped offering, is "not found".
pub async fn tenant_and_service(app: &App, slug: &str, service: &str) -> Result<(Tenant, Service)> {
    let tenant = ::booking::usecases::booking::municipality(app, slug).await?;
    let id = service.parse().map_err(|_| Error::NotFound("service"))?;
    let service = ::booking::usecases::booking::offered_service(app, tenant.id, id).await?;
    Ok((tenant, service))
}
