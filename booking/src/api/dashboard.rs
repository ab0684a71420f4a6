//! The admin dashboard of the own municipality, per service and week, as JSON and as CSV.

use super::{Json, Path, Query};
use crate::auth::Admin;
use crate::charts::{self, Metric};
use crate::dashboard::{self, WeekRow};
use crate::error::{Error, Problem, Result};
use crate::tenant::Tenant;
use crate::App;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/admin/dashboard", get(json))
        .route("/api/v1/admin/dashboard.csv", get(csv))
        .route("/api/v1/admin/dashboard/charts/{metric}", get(chart))
}

/// Without dates: the 12 weeks up to and including this one.
pub const DEFAULT_WEEKS: i64 = 12;
/// A longer period is a report, not a dashboard; it would also make one request read a lot.
pub const MAX_DAYS: i32 = 732;

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First local date, YYYY-MM-DD (counted from its week's Monday).
    pub from: Option<String>,
    /// Last local date, YYYY-MM-DD, inclusive.
    pub to: Option<String>,
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
    pub id: crate::ids::ServiceId,
    pub name: String,
}

fn parse_date(field: &'static str, raw: &str) -> Result<Date> {
    raw.parse()
        .map_err(|_| Error::invalid(field, "give a date as YYYY-MM-DD"))
}

async fn rows(app: &App, tenant: &Tenant, q: &PeriodQuery) -> Result<(Date, Date, Vec<WeekRow>)> {
    let tz = tenant.time_zone.tz().clone();
    let internal = |e: jiff::Error| Error::Internal(e.to_string());
    let now = app.clock.now();
    let today = now.to_zoned(tz.clone()).date();
    let to = match &q.to {
        Some(raw) => parse_date("to", raw)?,
        None => today,
    };
    let from = match &q.from {
        Some(raw) => parse_date("from", raw)?,
        None => to
            .checked_sub(jiff::Span::new().weeks(DEFAULT_WEEKS - 1))
            .map_err(internal)?,
    };
    let from = dashboard::week_start(
        from.to_zoned(tz.clone()).map_err(internal)?.timestamp(),
        &tz,
    );
    if to < from || from.until(to).map_err(internal)?.get_days() > MAX_DAYS {
        return Err(Error::invalid(
            "to",
            format!("give a period of at most {MAX_DAYS} days, from before to"),
        ));
    }
    let start: Timestamp = from.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let end: Timestamp = to
        .tomorrow()
        .map_err(internal)?
        .to_zoned(tz.clone())
        .map_err(internal)?
        .timestamp();
    let facts = app.db.dashboard_facts(tenant.id, start, end).await?;
    let grace = SignedDuration::from_mins(tenant.no_show_grace_minutes);
    Ok((from, to, dashboard::weekly(&facts, &tz, grace, now)))
}

#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "dashboard", params(PeriodQuery),
    responses((status = 200, body = DashboardView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn json(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<DashboardView>> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let (from, to, weeks) = rows(&app, &tenant, &q).await?;
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
        from: from.to_string(),
        to: to.to_string(),
        weeks,
        services,
    }))
}

#[utoipa::path(get, path = "/api/v1/admin/dashboard.csv", tag = "dashboard", params(PeriodQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn csv(
    State(app): State<App>,
    Admin(claims): Admin,
    Query(q): Query<PeriodQuery>,
) -> Result<impl IntoResponse> {
    let tenant = app.db.tenant(claims.tenant).await?;
    let (from, to, weeks) = rows(&app, &tenant, &q).await?;
    let services = app.db.services(tenant.id).await?;
    let body = dashboard::to_csv(&weeks, |id| {
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
    let tenant = app.db.tenant(claims.tenant).await?;
    let (from, to, rows) = rows(&app, &tenant, &q).await?;
    let mut weeks = Vec::new();
    let mut monday = from;
    while monday <= to {
        let iso = monday.iso_week_date();
        weeks.push(format!("{}-W{:02}", iso.year(), iso.week()));
        monday = monday
            .checked_add(jiff::Span::new().weeks(1))
            .map_err(|e| Error::Internal(e.to_string()))?;
    }
    let services: Vec<_> = app
        .db
        .services(tenant.id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let svg = charts::line_chart(metric, &weeks, &rows, &services)?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    ))
}
