//! The complaint-handling section's downloads, with the dashboard's filters (a store manager's stores only): the Pareto chart as SVG, and the Pareto, the indicators and the per-store backlog as CSV.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::super::AppState;
use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::i18n::Msg;
use crate::reports::FilterQuery;
use crate::reports::cases::CaseReport;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/cases/pareto/chart.svg", get(svg))
        .route("/reports/cases/{table}/data.csv", get(csv))
}

/// Reads the section's data for the request's filter, as the dashboard does.
pub async fn load(state: &AppState, f: &crate::reports::Filter) -> sqlx::Result<CaseReport> {
    CaseReport::load(
        &state.db.read,
        f,
        state.settings.utc_offset,
        time::OffsetDateTime::now_utc(),
        &state.settings.case_categories,
    )
    .await
}

async fn report(state: &AppState, user: &CurrentUser, q: &FilterQuery) -> Result<CaseReport> {
    let f = super::filter(state, user, q).await?;
    Ok(load(state, &f).await?)
}

fn with_type(body: String, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    res
}

async fn svg(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FilterQuery>,
) -> Result<Response> {
    let c = report(&state, &user, &q).await?;
    let body = crate::charts::pareto::render(&c.pareto_chart(user.lang));
    Ok(with_type(body, "image/svg+xml; charset=utf-8"))
}

async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(table): Path<String>,
    Query(q): Query<FilterQuery>,
) -> Result<Response> {
    if !matches!(table.as_str(), "pareto" | "kpis" | "stores") {
        super::require_reader(&user)?;
        return Err(Error::not_found(Msg::both("表格", "table"), &table));
    }
    let c = report(&state, &user, &q).await?;
    let body = match table.as_str() {
        "pareto" => c.pareto_csv(user.lang),
        "kpis" => c.kpis_csv(),
        _ => {
            let stores = crate::db::stores::list(&state.db.read).await?;
            c.stores_csv(&|code| {
                stores
                    .iter()
                    .find(|s| s.code == code)
                    .map(|s| s.name.clone())
            })
        }
    };
    let mut res = with_type(body, "text/csv; charset=utf-8");
    let disposition = format!("attachment; filename=\"cases-{table}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
