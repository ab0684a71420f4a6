//! The admin dashboard of the own municipality, per service and week, as JSON and as CSV.

use super::{Json, Path, Query};
use crate::adapters::charts::{self, Metric};
use crate::api::problem::Problem;
use crate::auth::Admin;
use crate::domain::dashboard::{self, WeekRow};
use crate::domain::ids::ServiceId;
use crate::domain::tenant::Tenant;
use crate::error::{Error, Result};
use crate::usecases;
use crate::usecases::admin::dashboard::DashboardPeriod;
use crate::App;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/admin/dashboard", get(json))
        .route("/api/v1/admin/dashboard.csv", get(csv))
        .route("/api/v1/admin/dashboard/charts/{metric}", get(chart))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First local date, YYYY-MM-DD (counted from its week's Monday).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date, YYYY-MM-DD, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only this service (its id); all services when absent.
    #[param(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub service: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardView {
    /// The period's first Monday, YYYY-MM-DD.
    pub from: String,
    /// The period's last day, YYYY-MM-DD.
    pub to: String,
    /// Per service (by id) and ISO week; weeks without any activity are left out.
    pub weeks: Vec<WeekRow>,
    /// Service ids with their names, for the rows.
    pub services: Vec<ServiceName>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceName {
    pub id: crate::domain::ids::ServiceId,
    pub name: String,
}

async fn service_filter(app: &App, tenant: &Tenant, q: &PeriodQuery) -> Result<Option<ServiceId>> {
    match q.service.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Ok(Some(
            usecases::admin::services::own_service(app, tenant.id, raw)
                .await?
                .id,
        )),
        None => Ok(None),
    }
}

async fn rows(app: &App, tenant: &Tenant, q: &PeriodQuery) -> Result<DashboardPeriod> {
    let service = service_filter(app, tenant, q).await?;
    usecases::admin::dashboard::dashboard(app, tenant, q.from.as_deref(), q.to.as_deref(), service)
        .await
}

/// Read the dashboard
///
/// Figures per service and ISO week over the period.
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "dashboard", params(PeriodQuery),
    responses((status = 200, body = DashboardView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "`service` is not one of this municipality's services"), (status = 422, body = Problem)))]
pub async fn json(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<DashboardView>> {
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let period = rows(&app, &tenant, &q).await?;
    let services = app
        .db
        .services(tenant.id)
        .await?
        .into_iter()
        .map(|s| ServiceName {
            id: s.id,
            name: s.name,
        })
        .collect();
    Ok(Json(DashboardView {
        from: period.from.to_string(),
        to: period.to.to_string(),
        weeks: period.rows,
        services,
    }))
}

/// Download the dashboard as CSV
///
/// The same figures as `GET /api/v1/admin/dashboard`.
#[utoipa::path(get, path = "/api/v1/admin/dashboard.csv", tag = "dashboard", params(PeriodQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "`service` is not one of this municipality's services"), (status = 422, body = Problem)))]
pub async fn csv(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<PeriodQuery>,
) -> Result<impl IntoResponse> {
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let DashboardPeriod { from, to, rows, .. } = rows(&app, &tenant, &q).await?;
    let services = crate::usecases::desk::services(&app, tenant.id).await?;
    let body = dashboard::to_csv(&rows, |id| {
        services
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_string())
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"dashboard-{from}-{to}.csv\""),
            ),
        ],
        body,
    ))
}

/// Draw a dashboard chart
///
/// An SVG line chart with a line per service over the weeks.
#[utoipa::path(get, path = "/api/v1/admin/dashboard/charts/{metric}", tag = "dashboard",
    params(("metric" = String, Path,
        description = "calls, average_rating, wait_p50, wait_p90, no_show_rate, missed_calls or complaints_open"), PeriodQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String, description = "A line per service over the weeks"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn chart(
    State(app): State<App>,
    Admin(claims): Admin,
    Path(metric): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<impl IntoResponse> {
    let metric = Metric::parse(&metric).ok_or(Error::NotFound("chart"))?;
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?;
    let only = service_filter(&app, &tenant, &q).await?;
    let period = rows(&app, &tenant, &q).await?;
    let services: Vec<_> = app
        .db
        .services(tenant.id)
        .await?
        .into_iter()
        .filter(|s| only.is_none_or(|o| o == s.id))
        .map(|s| (s.id, s.name))
        .collect();
    let svg = charts::line_chart(metric, &period.weeks, &period.rows, &services)?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    ))
}
