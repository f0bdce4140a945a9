//! Audit lists and assignments: who may see which audit, the shopper's home, and creating assignments.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use validator::Validate;

use super::AppState;
use super::csrf_form::{CsrfForm, field_errors};
use crate::answers::FieldErrors;
use crate::audits::{Status, parse_date};
use crate::auth::CurrentUser;
use crate::db::audits::{self, AuditRow, NewAssignment};
use crate::db::{stores, users};
use crate::error::{Error, Result};
use crate::i18n::Msg;
use crate::views::audits::{AssignmentValues, Choices, audits_page, new_assignment_page};

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
        _ => Err(Error::not_found(Msg::both("巡店", "audit"), id)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<maud::Markup> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| Error::BadRequest(format!("Unknown status '{s}'.").into()))?,
        ),
    };
    let shopper = (!user.role.is_staff()).then_some(user.id);
    let rows = audits::list(&state.db.read, shopper, status).await?;
    let viewer = user.viewer().await?;
    let today = time::OffsetDateTime::now_utc().date();
    let notice = match q.done.as_deref() {
        Some("saved") => Some("Draft saved. You can continue on any device."),
        Some("submitted") => Some("Audit submitted for review. Thank you."),
        Some("assigned") => Some("Assignment created."),
        _ => None,
    };
    Ok(audits_page(&viewer, &rows, status, today, notice))
}

async fn choices(state: &AppState) -> Result<Choices> {
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
            .map(|s| (s.id.clone(), s.title.get(s.default_lang).to_owned()))
            .collect(),
    })
}

async fn new_assignment(State(state): State<AppState>, user: CurrentUser) -> Result<maud::Markup> {
    user.require_staff()?;
    let viewer = user.viewer().await?;
    Ok(new_assignment_page(
        &viewer,
        &choices(&state).await?,
        &AssignmentValues::default(),
        &FieldErrors::new(),
    ))
}

fn check_date(s: &str) -> std::result::Result<(), validator::ValidationError> {
    parse_date(s).map(|_| ()).ok_or_else(|| {
        validator::ValidationError::new("date").with_message("Enter a date as YYYY-MM-DD.".into())
    })
}

#[derive(Debug, Deserialize, Validate)]
struct AssignmentForm {
    #[serde(default)]
    shopper: String,
    #[serde(default)]
    store: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    #[validate(custom(function = "check_date"))]
    window_from: String,
    #[serde(default)]
    #[validate(custom(function = "check_date"))]
    window_to: String,
    #[serde(default)]
    #[validate(length(max = 1000, message = "Keep the scenario under 1000 characters."))]
    scenario: String,
}

async fn create_assignment(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<AssignmentForm>,
) -> Result<Response> {
    user.require_staff()?;
    let mut errors = form
        .validate()
        .err()
        .map(|e| field_errors(&e))
        .unwrap_or_default();
    let shopper = form.shopper.parse::<i64>().ok();
    let shopper_ok = match shopper {
        Some(id) => users::by_id(&state.db.read, id)
            .await?
            .is_some_and(|u| u.role == crate::auth::Role::Shopper && !u.disabled),
        None => false,
    };
    if !shopper_ok {
        errors.insert("shopper".into(), "Choose an active shopper.".into());
    }
    if !stores::exists(&state.db.read, &form.store).await? {
        errors.insert("store".into(), "Choose a store from the registry.".into());
    }
    if !state
        .catalog
        .get(&form.checklist)
        .is_some_and(|s| s.is_audit())
    {
        errors.insert("checklist".into(), "Choose a checklist.".into());
    }
    if let (Some(from), Some(to)) = (parse_date(&form.window_from), parse_date(&form.window_to))
        && to < from
    {
        errors.insert(
            "window_to".into(),
            "The window must end on or after its first day.".into(),
        );
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
        let page = new_assignment_page(&viewer, &choices(&state).await?, &values, &errors);
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
