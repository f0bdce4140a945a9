//! Report pages for managers and admins: the dashboard, and each chart as SVG and as CSV with the same filters.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use crate::auth::CurrentUser;
use crate::charts::{render_svg, to_csv};
use crate::db::stores::Store;
use crate::error::{Error, Result};
use crate::i18n::reports::Report;
use crate::i18n::{Lang, Msg};
use crate::reports::{ChartName, Data, Filter, FilterQuery, chart};
use crate::views::reports::{Dashboard, dashboard};

mod cases;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(show))
        .route("/reports/{chart}/chart.svg", get(svg))
        .route("/reports/{chart}/data.csv", get(csv))
        .merge(cases::routes())
}

fn filter(state: &AppState, q: &FilterQuery) -> Result<Filter> {
    Filter::parse(q, state.settings.today(), state.settings.min_n).map_err(Error::BadRequest)
}

/// What the dashboard and a chart take beside the filter.
#[derive(Debug, Default, Deserialize)]
struct Show {
    /// The dashboard: the slug of the league to draw with every store. A chart: any value.
    all: Option<String>,
}

/// A store outside the chosen region would give an empty report: the store is dropped, and
/// the page says so at the top.
fn store_in_region(f: &mut Filter, stores: &[Store]) -> Option<Msg> {
    let (Some(code), Some(region)) = (f.store.clone(), f.region.clone()) else {
        return None;
    };
    if stores.iter().any(|s| s.code == code && s.region == region) {
        return None;
    }
    f.store = None;
    let fill = |lang: Lang| {
        Report::StoreNotInRegion
            .text(lang)
            .replace("{store}", &code)
            .replace("{region}", &region)
    };
    Some(Msg::both(fill(Lang::Zh), fill(Lang::En)))
}

#[tracing::instrument(skip_all)]
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FilterQuery>,
    Query(extra): Query<Show>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    // The viewer's language (the account's, or `?lang=`) is the report's.
    let lang = user.lang;
    let mut f = filter(&state, &q)?;
    let stores = crate::db::stores::list(&state.db.read).await?;
    let notice = store_in_region(&mut f, &stores);
    // One count of held responses per dashboard, beside the rollup reads, never per chart.
    let (data, held, cases) = tokio::try_join!(
        Data::load(&state.db.read, &f),
        crate::db::held::count_for_report(&state.db.read, &f, state.settings.utc_offset),
        cases::load(&state, &f),
    )?;
    let viewer = user.viewer().await?;
    let regions = crate::db::reports::regions(&state.db.read).await?;
    let forms: Vec<(String, String)> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| (s.id.clone(), s.title.get(lang).to_owned()))
        .collect();
    let catalog = state.catalog.clone();
    let all = extra.all.as_deref().and_then(ChartName::parse);
    // Building a dozen charts is CPU work: keep it off the async threads.
    let page = tokio::task::spawn_blocking(move || {
        dashboard(&Dashboard {
            viewer: &viewer,
            filter: &f,
            data: &data,
            catalog: &catalog,
            stores: &stores,
            regions: &regions,
            forms: &forms,
            held,
            cases: &cases,
            notice,
            all,
        })
    })
    .await
    .map_err(|e| Error::Other(anyhow::anyhow!("dashboard rendering: {e}")))?;
    Ok(page)
}

async fn one_chart(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    q: &FilterQuery,
    all: bool,
) -> Result<crate::charts::Chart> {
    user.require_staff()?;
    let name =
        ChartName::parse(name).ok_or_else(|| Error::not_found(Msg::both("图表", "chart"), name))?;
    let f = filter(state, q)?;
    let data = Data::load_for(&state.db.read, &f, name.parts()).await?;
    let c = chart(name, &data, &state.catalog, user.lang);
    Ok(if all { c.with_all_rows() } else { c })
}

async fn svg(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<FilterQuery>,
    Query(extra): Query<Show>,
) -> Result<Response> {
    let c = one_chart(&state, &user, &name, &q, extra.all.is_some()).await?;
    let body = tokio::task::spawn_blocking(move || render_svg(&c))
        .await
        .map_err(|e| Error::Other(anyhow::anyhow!("chart rendering: {e}")))?;
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(res)
}

async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<FilterQuery>,
    Query(extra): Query<Show>,
) -> Result<Response> {
    let c = one_chart(&state, &user, &name, &q, extra.all.is_some()).await?;
    let mut res = to_csv(&c).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
