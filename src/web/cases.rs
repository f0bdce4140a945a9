//! Staff pages for complaint cases: the due list (`/cases`), recording a walk-in or phone case (`/cases/new`) and the case page (`/cases/{code}`). Steps are posted in `case_steps`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use time::OffsetDateTime;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role};
use crate::cases::flow::Actor;
use crate::cases::{Channel, Kind, NewCase, Priority, Request};
use crate::db::case_list::{self, Filter, State as ListState};
use crate::db::cases::{self, CaseRow};
use crate::error::{Error, Result};
use crate::held::blank;
use crate::i18n::Msg;
use crate::i18n::cases::Case as T;
use crate::paging::Page;
use crate::views::cases::{self as view, ListView, NewForm};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases/export.csv", get(super::case_export::export))
        .route("/cases/new", get(new_form).post(create))
        .route("/cases/{code}", get(show))
        .merge(super::case_steps::routes())
        .merge(super::case_public::routes())
}

/// The person acting, with the stores they handle; refuses roles that handle no cases.
pub(super) async fn actor(state: &AppState, user: &CurrentUser) -> Result<Actor> {
    if !user.role.handles_cases() {
        return Err(Error::forbidden_role());
    }
    let stores = if user.role == Role::StoreManager {
        crate::db::user_stores::user_stores(&state.db.read, user.id).await?
    } else {
        Vec::new()
    };
    Ok(Actor {
        id: user.id,
        role: user.role,
        stores,
    })
}

/// The case, if this person handles its store. Another store's case is answered as if
/// it did not exist, so codes cannot be probed.
pub(super) async fn visible_case(state: &AppState, actor: &Actor, code: &str) -> Result<CaseRow> {
    match cases::by_code(&state.db.read, code).await? {
        Some(c) if actor.handles(&c.store) => Ok(c),
        _ => Err(Error::NotFound(T::ErrNoCase.msg())),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    store: Option<String>,
    state: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    /// The export only: `1` adds the customers' contacts.
    contact: Option<String>,
}

impl ListQuery {
    pub(super) fn with_contact(&self) -> bool {
        matches!(blank(self.contact.as_deref()), Some("1" | "yes" | "true"))
    }
}

fn local_day(raw: Option<&str>) -> std::result::Result<Option<time::Date>, ()> {
    let Some(s) = blank(raw) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format)
        .ok()
        .filter(|d| (1900..3000).contains(&d.year()))
        .map(Some)
        .ok_or(())
}

/// The list's filter as this person may use it, with each field's problem in `lang`.
pub(super) fn list_filter(
    q: &ListQuery,
    actor: &Actor,
    lang: crate::i18n::Lang,
    offset: time::UtcOffset,
) -> (Filter, FieldErrors) {
    let mut errors = FieldErrors::new();
    let list_state = match blank(q.state.as_deref()) {
        None => ListState::Open,
        Some(s) => ListState::parse(s).unwrap_or_else(|| {
            errors.insert("state".into(), T::ErrChoose.text(lang).into());
            ListState::Open
        }),
    };
    let kind = match blank(q.kind.as_deref()) {
        None => None,
        Some(k) => Kind::parse(k).or_else(|| {
            errors.insert("kind".into(), T::ErrChoose.text(lang).into());
            None
        }),
    };
    let bad_date = crate::i18n::audits::Audit::ErrBadDate.text(lang);
    let from = local_day(q.from.as_deref()).unwrap_or_else(|()| {
        errors.insert("from".into(), bad_date.into());
        None
    });
    let to = local_day(q.to.as_deref()).unwrap_or_else(|()| {
        errors.insert("to".into(), bad_date.into());
        None
    });
    let store = blank(q.store.as_deref()).map(str::to_owned);
    if let Some(s) = &store
        && !actor.handles(s)
    {
        errors.insert("store".into(), T::ErrStore.text(lang).into());
    }
    let filter = Filter {
        store: store.filter(|s| actor.handles(s)),
        state: list_state,
        kind,
        from: from.map(|d| d.midnight().assume_offset(offset)),
        until: to
            .and_then(|d| d.next_day())
            .map(|d| d.midnight().assume_offset(offset)),
        only_stores: (actor.role == Role::StoreManager).then(|| actor.stores.clone()),
    };
    (filter, errors)
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let viewer = user.viewer().await?;
    let offset = state.settings.utc_offset;
    let (filter, errors) = list_filter(&q, &actor, viewer.lang, offset);
    let list_state = filter.state;
    let page = Page::parse(q.page.as_deref());
    let now = OffsetDateTime::now_utc();
    let (rows, total) = case_list::page(&state.db.read, &filter, page, now).await?;
    let stores = visible_stores(&state, &actor).await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    let page_markup = view::list_page(&ListView {
        viewer: &viewer,
        rows: &rows,
        total,
        page,
        now,
        offset,
        stores: &stores,
        query: view::ListEcho {
            store: q.store.as_deref().unwrap_or(""),
            state: list_state,
            kind: q.kind.as_deref().unwrap_or(""),
            from: q.from.as_deref().unwrap_or(""),
            to: q.to.as_deref().unwrap_or(""),
        },
        errors: &errors,
    });
    Ok((status, page_markup).into_response())
}

/// The stores this person may pick: their own, or every store.
pub(super) async fn visible_stores(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>> {
    let all = crate::db::stores::list(&state.db.read).await?;
    Ok(all
        .into_iter()
        .filter(|s| actor.handles(&s.code))
        .map(|s| (s.code, s.name))
        .collect())
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct NewCaseForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub store: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub contact: String,
    pub consent: Option<String>,
}

async fn new_form(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let viewer = user.viewer().await?;
    let stores = visible_stores(&state, &actor).await?;
    let form = NewCaseForm {
        kind: "complaint".into(),
        channel: "walk_in".into(),
        priority: "normal".into(),
        request: "none".into(),
        store: if stores.len() == 1 {
            stores[0].0.clone()
        } else {
            String::new()
        },
        ..NewCaseForm::default()
    };
    Ok(view::new_page(&NewForm {
        viewer: &viewer,
        stores: &stores,
        form: &form,
        errors: &FieldErrors::new(),
    })
    .into_response())
}

/// Checks the staff form into a new case, or a message per field.
fn parse_new(
    f: &NewCaseForm,
    actor: &Actor,
    state: &AppState,
    lang: crate::i18n::Lang,
) -> std::result::Result<NewCase, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut need = |name: &str, msg: T| {
        errors.insert(name.into(), msg.text(lang).into());
    };
    let kind = Kind::parse(&f.kind);
    if kind.is_none() {
        need("kind", T::ErrChoose);
    }
    // A survey or the customer's own form opens its cases by itself.
    let channel = Channel::parse(&f.channel).filter(|c| !matches!(c, Channel::Survey));
    if channel.is_none() {
        need("channel", T::ErrChoose);
    }
    let store = f.store.trim();
    if store.is_empty() || !actor.handles(store) {
        need("store", T::ErrStore);
    }
    let description = f.description.trim();
    let n = description.chars().count();
    // Two characters: Chinese is dense, and "冰箱坏了" is a whole complaint.
    if !(2..=crate::cases::flow::MAX_TEXT).contains(&n) {
        need("description", T::ErrDescription);
    }
    let request = Request::parse(&f.request);
    if request.is_none() {
        need("request", T::ErrChoose);
    }
    let priority = Priority::parse(&f.priority);
    if priority.is_none() {
        need("priority", T::ErrChoose);
    }
    let contact = blank(Some(&f.contact)).map(str::to_owned);
    let consent = f.consent.as_deref() == Some("yes");
    if contact.is_some() && !consent {
        need("contact", T::ErrContactConsent);
    }
    if contact.as_ref().is_some_and(|c| c.chars().count() > 200) {
        need("contact", T::ErrTooLong);
    }
    let department = blank(Some(&f.department)).map(str::to_owned);
    if department.as_ref().is_some_and(|d| d.chars().count() > 100) {
        need("department", T::ErrTooLong);
    }
    let (Some(kind), Some(channel), Some(request), Some(priority)) =
        (kind, channel, request, priority)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let now = OffsetDateTime::now_utc();
    let offset = state.settings.utc_offset;
    Ok(NewCase {
        kind,
        channel,
        store: store.to_owned(),
        department,
        description: description.to_owned(),
        request,
        contact,
        priority,
        opened_at: now,
        year: now.to_offset(offset).year(),
        due: state.settings.case_deadlines.due(priority, now, offset),
    })
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<NewCaseForm>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let viewer = user.viewer().await?;
    let new = match parse_new(&f, &actor, &state, viewer.lang) {
        Ok(c) => c,
        Err(errors) => {
            let stores = visible_stores(&state, &actor).await?;
            let page = view::new_page(&NewForm {
                viewer: &viewer,
                stores: &stores,
                form: &f,
                errors: &errors,
            });
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let code = open_case(&state, &new, None, Some(user.id)).await?;
    tracing::info!(case = %code, by = user.id, "case recorded by staff");
    Ok(Redirect::to(&format!("/cases/{code}?done=1")).into_response())
}

/// The case a survey response opens, if its survey's rule holds and it names a store
/// (a case always belongs to a store, whose people handle it).
pub fn survey_case(
    state: &AppState,
    survey: &crate::survey::Survey,
    answers: &[(String, crate::answers::Answer)],
    store: Option<&str>,
    submitted_at: &str,
) -> Option<NewCase> {
    let store = store?;
    let opening = crate::cases::rule::opening(survey, answers)?;
    let now = cases::parse_stamp(submitted_at).unwrap_or_else(OffsetDateTime::now_utc);
    Some(NewCase::from_opening(
        opening,
        store,
        now,
        &state.settings.case_deadlines,
        state.settings.utc_offset,
    ))
}

/// Stores a case opened by staff and queues its "opened" webhook, in one transaction.
pub(super) async fn open_case(
    state: &AppState,
    new: &NewCase,
    response_id: Option<i64>,
    created_by: Option<i64>,
) -> Result<String> {
    let mut tx = state.db.write.begin().await?;
    let (id, code) = cases::insert(&mut tx, new, response_id, created_by).await?;
    crate::db::case_hooks::queue_event(&mut tx, id, crate::webhooks::Event::CaseOpened).await?;
    tx.commit().await?;
    Ok(code)
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
    error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let case = visible_case(&state, &actor, &code).await?;
    let viewer = user.viewer().await?;
    let notice = q.done.as_ref().map(|_| T::Done.text(viewer.lang));
    let refused = q
        .error
        .as_deref()
        .and_then(refusal_text)
        .map(|m| m.get(viewer.lang).to_owned());
    super::case_steps::draw_case(
        &state,
        &actor,
        &viewer,
        &case,
        notice,
        refused.as_deref(),
        &FieldErrors::new(),
        axum::http::StatusCode::OK,
    )
    .await
}

/// The messages a redirect may carry back to the case page (`?error=moved`).
fn refusal_text(key: &str) -> Option<Msg> {
    match key {
        "moved" => Some(T::ErrMoved.msg()),
        "recovery-done" => Some(T::ErrRecoveryDone.msg()),
        _ => None,
    }
}
