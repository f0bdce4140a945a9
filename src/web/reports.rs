//! Report pages for managers and admins (every store) and store managers (their own): the dashboard, and each chart as SVG and as CSV with the same filters.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use crate::auth::{CurrentUser, Role};
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

/// Which stores a reader's reports cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Every,
    Own,
}

/// Managers and admins read every store; a store manager their own; nobody else any.
fn reach(role: Role) -> Option<Reach> {
    match role {
        Role::Admin | Role::Manager => Some(Reach::Every),
        Role::StoreManager => Some(Reach::Own),
        Role::Shopper => None,
    }
}

/// Refuses readers who may see no report (before their filter is even read).
fn require_reader(user: &CurrentUser) -> Result<Reach> {
    reach(user.role).ok_or_else(Error::forbidden_role)
}

/// The request's filter, narrowed to a store manager's own stores: every report route
/// reads its figures through this, so the restriction is in every query's WHERE.
async fn filter(state: &AppState, user: &CurrentUser, q: &FilterQuery) -> Result<Filter> {
    let reach = require_reader(user)?;
    let f = Filter::parse(q, state.settings.today(), state.settings.min_n)
        .map_err(Error::BadRequest)?;
    match reach {
        Reach::Every => Ok(f),
        Reach::Own => {
            let own = crate::db::user_stores::user_stores(&state.db.read, user.id).await?;
            f.restrict(own).map_err(Error::Forbidden)
        }
    }
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
    // The viewer's language (the account's, or `?lang=`) is the report's.
    let lang = user.lang;
    let mut f = filter(&state, &user, &q).await?;
    // The store select and every store name show the reader's stores only.
    let mut stores = crate::db::stores::list(&state.db.read).await?;
    stores.retain(|s| f.sees(&s.code));
    let notice = store_in_region(&mut f, &stores);
    // One count of held responses per dashboard, beside the rollup reads, never per chart.
    let (data, held, cases) = tokio::try_join!(
        Data::load(&state.db.read, &f),
        crate::db::held::count_for_report(&state.db.read, &f, state.settings.utc_offset),
        cases::load(&state, &f),
    )?;
    let viewer = user.viewer().await?;
    let mut regions = crate::db::reports::regions(&state.db.read).await?;
    if f.only_stores.is_some() {
        regions.retain(|r| stores.iter().any(|s| &s.region == r));
    }
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
    require_reader(user)?;
    let name =
        ChartName::parse(name).ok_or_else(|| Error::not_found(Msg::both("图表", "chart"), name))?;
    let f = filter(state, user, q).await?;
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
