//! Audit lists and assignments: who may see which audit, the shopper's home, and creating assignments.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::audits::{Status, parse_date};
use crate::auth::CurrentUser;
use crate::db::audits::{self, AuditRow, ListFilter, NewAssignment};
use crate::db::{stores, users};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::audits::Audit;
use crate::paging::Page;
use crate::views::audits::{
    AssignmentValues, Choices, ListFilters, ListPage, audits_page, new_assignment_page,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audits", get(list))
        .route("/assignments/new", get(new_assignment))
        .route("/assignments", axum::routing::post(create_assignment))
}

/// Loads an audit the user may see: shoppers only their own, staff every one.
/// Someone else's audit looks exactly like a missing one.
pub async fn visible_audit(state: &AppState, user: &CurrentUser, id: i64) -> Result<AuditRow> {
    match audits::get(&state.db.read, id).await? {
        Some(a) if user.role.is_staff() || a.shopper_id == user.id => Ok(a),
        _ => Err(Error::not_found(Audit::AuditNoun.msg(), id)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    store: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

/// The filters as typed, and what they mean, or the field → message map of those that do
/// not parse. A bad value answers 400 with the form and its message, never a silent "all".
fn parse_filters(
    q: &ListQuery,
    lang: Lang,
) -> (ListFilters, std::result::Result<ListFilter, FieldErrors>) {
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let typed = ListFilters {
        store: text(&q.store),
        status: text(&q.status),
        from: text(&q.from),
        to: text(&q.to),
    };
    let mut errors = FieldErrors::new();
    let status = match typed.status.as_str() {
        "" => None,
        s => Status::parse(s).or_else(|| {
            errors.insert("status".into(), Audit::ErrBadStatus.text(lang).into());
            None
        }),
    };
    let mut date = |name: &str, v: &str| match v {
        "" => None,
        v => parse_date(v).or_else(|| {
            errors.insert(name.into(), Audit::ErrBadDate.text(lang).into());
            None
        }),
    };
    let from = date("from", &typed.from);
    let to = date("to", &typed.to);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.insert("to".into(), Audit::ErrDateOrder.text(lang).into());
    }
    let filter = ListFilter {
        shopper: None,
        store: Some(typed.store.clone()).filter(|s| !s.is_empty()),
        status,
        from,
        to,
    };
    let parsed = if errors.is_empty() {
        Ok(filter)
    } else {
        Err(errors)
    };
    (typed, parsed)
}

/// The language a checklist's own text is shown in: the reader's when the checklist offers
/// it, else the checklist's default.
pub fn content_lang(survey: &crate::survey::Survey, reader: Lang) -> Lang {
    if survey.languages.contains(&reader) {
        reader
    } else {
        survey.default_lang
    }
}

/// Today in the stores' time zone: when a window's last day has passed there.
pub fn stores_today(state: &AppState) -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(state.settings.utc_offset)
        .date()
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    // Audits are a manager's and a shopper's work; a store manager reads the approved
    // scores on the reports and handles the findings as cases.
    if user.role == crate::auth::Role::StoreManager {
        return Err(Error::forbidden_role());
    }
    let viewer = user.viewer().await?;
    let lang = viewer.lang;
    let (typed, parsed) = parse_filters(&q, lang);
    // The authorization: a shopper's list (and its store filter) holds their own assignments only.
    let own = (!user.role.is_staff()).then_some(user.id);
    let stores: Vec<(String, String)> = audits::stores_of(&state.db.read, own)
        .await?
        .into_iter()
        .map(|(code, name)| (code.clone(), format!("{code} · {name}")))
        .collect();
    let today = stores_today(&state);
    let notice = match q.done.as_deref() {
        Some("saved") => Some(Audit::DraftSaved.text(lang)),
        Some("submitted") => Some(Audit::SubmittedThanks.text(lang)),
        Some("assigned") => Some(Audit::AssignmentCreated.text(lang)),
        _ => None,
    };
    let (status, rows, total, page, errors) = match parsed {
        Ok(mut filter) => {
            filter.shopper = own;
            let total = audits::count(&state.db.read, &filter).await?;
            let page = Page::parse(q.page.as_deref()).clamp(total);
            let rows =
                audits::list(&state.db.read, &filter, today, page.limit(), page.offset()).await?;
            (StatusCode::OK, rows, total, page, FieldErrors::new())
        }
        Err(errors) => (
            StatusCode::BAD_REQUEST,
            Vec::new(),
            0,
            Page::first(),
            errors,
        ),
    };
    let markup = audits_page(&ListPage {
        viewer: &viewer,
        rows: &rows,
        total,
        page,
        filters: &typed,
        stores: &stores,
        errors: &errors,
        today,
        done: notice,
    });
    Ok((status, markup).into_response())
}

async fn choices(state: &AppState, lang: Lang) -> Result<Choices> {
    Ok(Choices {
        shoppers: users::shoppers(&state.db.read)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.username))
            .collect(),
        stores: stores::list(&state.db.read)
            .await?
            .into_iter()
            .map(|s| {
                (
                    s.code.clone(),
                    format!("{} · {} ({})", s.code, s.name, s.region),
                )
            })
            .collect(),
        checklists: state
            .catalog
            .iter()
            .filter(|s| s.is_audit())
            .map(|s| (s.id.clone(), s.title.get(content_lang(s, lang)).to_owned()))
            .collect(),
    })
}

async fn new_assignment(State(state): State<AppState>, user: CurrentUser) -> Result<maud::Markup> {
    user.require_staff()?;
    let viewer = user.viewer().await?;
    Ok(new_assignment_page(
        &viewer,
        &choices(&state, viewer.lang).await?,
        &AssignmentValues::default(),
        &FieldErrors::new(),
    ))
}

#[derive(Debug, Deserialize)]
struct AssignmentForm {
    #[serde(default)]
    shopper: String,
    #[serde(default)]
    store: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    window_from: String,
    #[serde(default)]
    window_to: String,
    #[serde(default)]
    scenario: String,
}

async fn create_assignment(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<AssignmentForm>,
) -> Result<Response> {
    user.require_staff()?;
    let lang = user.lang;
    let mut errors = FieldErrors::new();
    let mut say = |field: &str, text: Audit| {
        errors.insert(field.into(), text.text(lang).into());
    };
    let from = parse_date(&form.window_from);
    let to = parse_date(&form.window_to);
    if from.is_none() {
        say("window_from", Audit::ErrDate);
    }
    if to.is_none() {
        say("window_to", Audit::ErrDate);
    }
    if form.scenario.chars().count() > 1000 {
        say("scenario", Audit::ErrScenarioLong);
    }
    let shopper = form.shopper.parse::<i64>().ok();
    let shopper_ok = match shopper {
        Some(id) => users::by_id(&state.db.read, id)
            .await?
            .is_some_and(|u| u.role == crate::auth::Role::Shopper && !u.disabled),
        None => false,
    };
    if !shopper_ok {
        say("shopper", Audit::ErrShopper);
    }
    if !stores::exists(&state.db.read, &form.store).await? {
        say("store", Audit::ErrStore);
    }
    if !state
        .catalog
        .get(&form.checklist)
        .is_some_and(|s| s.is_audit())
    {
        say("checklist", Audit::ErrChecklist);
    }
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        say("window_to", Audit::ErrWindow);
    }
    let values = AssignmentValues {
        shopper: form.shopper.clone(),
        store: form.store.clone(),
        checklist: form.checklist.clone(),
        window_from: form.window_from.clone(),
        window_to: form.window_to.clone(),
        scenario: form.scenario.clone(),
    };
    if !errors.is_empty() {
        let viewer = user.viewer().await?;
        let page = new_assignment_page(
            &viewer,
            &choices(&state, viewer.lang).await?,
            &values,
            &errors,
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let scenario = Some(form.scenario.trim()).filter(|s| !s.is_empty());
    audits::create(
        &state.db.write,
        NewAssignment {
            shopper_id: shopper.unwrap_or_default(),
            store_code: &form.store,
            checklist_id: &form.checklist,
            window_from: form.window_from.trim(),
            window_to: form.window_to.trim(),
            scenario,
            created_by: user.id,
        },
    )
    .await?;
    Ok(Redirect::to("/audits?done=assigned").into_response())
}
