//! The held-back queue for managers and admins: `GET /responses/held` lists held responses (or, with `state=decided`, the decision log) and `POST /responses/held/decide` accepts or excludes them.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use super::csrf_form::CsrfPairs;
use crate::auth::CurrentUser;
use crate::db::held::{self, Decided, Decision, MAX_IDS, Target};
use crate::error::{Error, Result};
use crate::held::{
    HeldQuery, blank, cut, is_public_id, key_answers, notice_text, parse_filter, parse_page,
};
use crate::i18n::admin::Admin;
use crate::i18n::format::stored_time;
use crate::i18n::{Lang, Msg};
use crate::paging::Page;
use crate::views::held::{HeldPage, Item, View, held_page};

/// A message of the admin table with `{n}` filled in, in both languages.
fn both(key: Admin, n: impl std::fmt::Display) -> Msg {
    let n = n.to_string();
    Msg::both(key.fill(Lang::Zh, &n), key.fill(Lang::En, &n))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/responses/held", get(show))
        .route("/responses/held/decide", post(decide))
}

#[tracing::instrument(skip_all)]
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HeldQuery>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    let lang = user.lang;
    let offset = state.settings.utc_offset;
    let field = |k: &str| match k {
        "form" => q.form.clone(),
        "store" => q.store.clone(),
        "region" => q.region.clone(),
        "flag" => q.flag.clone(),
        "from" => q.from.clone(),
        "to" => q.to.clone(),
        _ => None,
    };
    let (filter, params) = parse_filter(field, offset).map_err(Error::BadRequest)?;
    let from_zero = parse_page(q.page.as_deref()).map_err(Error::BadRequest)?;
    let page = Page::parse(Some(&(from_zero + 1).to_string()));
    let view = match blank(q.state.as_deref()) {
        None | Some("held") => View::Held,
        Some("decided") => View::Decided,
        Some(other) => return Err(Error::BadRequest(both(Admin::ErrState, cut(other)))),
    };
    let pool = &state.db.read;
    let mut items = Vec::new();
    let mut decisions = Vec::new();
    let (total, upto) = match view {
        View::Held => {
            let (rows, (total, upto)) =
                tokio::try_join!(held::list(pool, &filter, page), held::count(pool, &filter))?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut tx = pool.begin_read().await?;
            let mut answers: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for (id, question, value) in held::answers(&mut tx, &ids).await? {
                answers.entry(id).or_default().push((question, value));
            }
            drop(tx);
            for r in &rows {
                let form = state
                    .catalog
                    .get(&r.form_id)
                    .map_or_else(|| r.form_id.clone(), |s| s.title.get(lang).to_owned());
                let store = match (&r.store, &r.store_name) {
                    (Some(code), Some(name)) => format!("{code} {name}"),
                    (Some(code), None) => code.clone(),
                    (None, _) => "—".into(),
                };
                let raw = answers.remove(&r.id).unwrap_or_default();
                items.push(Item {
                    public_id: r.public_id.clone(),
                    when: stored_time(&r.submitted_at, offset, lang),
                    store,
                    form,
                    flags: r
                        .flags
                        .as_deref()
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                    answers: key_answers(&state.catalog, &r.form_id, &raw, lang),
                });
            }
            (total, upto)
        }
        View::Decided => {
            let (rows, total) = held::decisions(pool, &filter, page).await?;
            decisions = rows
                .into_iter()
                .map(|d| {
                    let decided = stored_time(&d.decided_at, offset, lang);
                    let submitted = stored_time(&d.submitted_at, offset, lang);
                    (d, decided, submitted)
                })
                .collect();
            (total, None)
        }
    };
    let forms: Vec<(String, String)> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| (s.id.clone(), s.title.get(lang).to_owned()))
        .collect();
    let stores: Vec<(String, String)> = crate::db::stores::list(pool)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), format!("{} {}", s.code, s.name)))
        .collect();
    let regions = crate::db::reports::regions(pool).await?;
    let viewer = user.viewer().await?;
    let notice = notice_text(&q, lang);
    Ok(held_page(&HeldPage {
        viewer: &viewer,
        params: &params,
        view,
        page: page.clamp(u64::try_from(total).unwrap_or(0)),
        total: u64::try_from(total).unwrap_or(0),
        items: &items,
        decisions: &decisions,
        upto,
        forms: &forms,
        stores: &stores,
        regions: &regions,
        notice: notice.as_deref(),
        offset: format!(
            "{}{:02}:{:02}",
            if offset.is_negative() { '-' } else { '+' },
            offset.whole_hours().abs(),
            offset.minutes_past_hour().abs()
        ),
    }))
}

#[tracing::instrument(skip_all, fields(user_id = user.id))]
async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfPairs(pairs): CsrfPairs,
) -> Result<Response> {
    user.require_staff()?;
    let one = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let (filter, params) =
        parse_filter(one, state.settings.utc_offset).map_err(Error::BadRequest)?;
    let page = parse_page(one("page").as_deref()).map_err(Error::BadRequest)?;
    let decision = match blank(one("action").as_deref()) {
        Some("accept") => Decision::Counted,
        Some("exclude") => Decision::Excluded,
        _ => return Err(Error::BadRequest(Admin::ErrAction.msg())),
    };
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.trim().to_ascii_lowercase())
        .collect();
    let back = |extra: &str| {
        let mut parts: Vec<String> = Vec::new();
        let q = params.query();
        if !q.is_empty() {
            parts.push(q);
        }
        if page > 0 {
            parts.push(format!("page={}", page + 1));
        }
        parts.push(extra.to_owned());
        Redirect::to(&format!("/responses/held?{}", parts.join("&"))).into_response()
    };
    let now = crate::db::now_rfc3339();
    let decided: Decided = match blank(one("scope").as_deref()) {
        Some("selected") => {
            if ids.is_empty() {
                return Ok(back("done=none"));
            }
            if ids.len() > MAX_IDS {
                return Err(Error::BadRequest(both(Admin::ErrTooManyIds, MAX_IDS)));
            }
            if let Some(bad) = ids.iter().find(|id| !is_public_id(id)) {
                return Err(Error::BadRequest(both(Admin::ErrNotResponseId, cut(bad))));
            }
            held::decide(
                &state.db.write,
                Target::Ids(&ids),
                decision,
                user.id,
                &now,
                state.settings.utc_offset,
                &state.settings.case_deadlines,
            )
            .await?
        }
        Some("all") => {
            let upto = blank(one("upto").as_deref())
                .and_then(|u| u.parse::<i64>().ok())
                .ok_or_else(|| Error::BadRequest(Admin::ErrUpto.msg()))?;
            held::decide(
                &state.db.write,
                Target::Filter {
                    filter: &filter,
                    upto,
                },
                decision,
                user.id,
                &now,
                state.settings.utc_offset,
                &state.settings.case_deadlines,
            )
            .await?
        }
        _ => {
            return Err(Error::BadRequest(Admin::ErrDecideScope.msg()));
        }
    };
    tracing::info!(
        decision = decision.as_str(),
        changed = decided.changed,
        already = decided.already,
        unknown = decided.unknown,
        "held responses decided"
    );
    let done = match decision {
        Decision::Counted => "accepted",
        Decision::Excluded => "excluded",
    };
    let mut extra = format!("done={done}&n={}", decided.changed);
    if decided.already > 0 {
        extra.push_str(&format!("&already={}", decided.already));
    }
    if decided.unknown > 0 {
        extra.push_str(&format!("&unknown={}", decided.unknown));
    }
    if let Some(r) = decided.remaining {
        extra.push_str(&format!("&remaining={r}"));
    }
    Ok(back(&extra))
}
