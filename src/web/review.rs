//! The manager's review of a submitted audit: answers, comments, evidence, flags, scores and the decision.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::audits::visible_audit;
use super::csrf_form::CsrfForm;
use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::audits::ReviewAction;
use crate::auth::CurrentUser;
use crate::db::audits;
use crate::db::evidence;
use crate::error::{Error, Result};
use crate::i18n::Msg;
use crate::scoring;
use crate::views::review::{ReviewPage, review_page};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audits/{id}/review", get(show).post(decide))
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: &FieldErrors,
) -> Result<maud::Markup> {
    let audit = visible_audit(state, user, id).await?;
    if audit.submitted_at.is_none() {
        return Err(Error::not_found(
            Msg::both("已提交的巡店", "submitted audit"),
            id,
        ));
    }
    let survey = state.survey(&audit.checklist_id).map_err(|_| {
        Error::Other(anyhow::anyhow!(
            "checklist '{}' is no longer loaded",
            audit.checklist_id
        ))
    })?;
    let mut raw = RawAnswers::new();
    for (q, v) in audits::answers(&state.db.read, id).await? {
        raw.entry(q).or_default().push(v);
    }
    // The item breakdown is recomputed from the stored answers; the section and
    // overall figures shown are the exact values stored at submission.
    let checked = answers::check(&survey, &raw, Scope::All, survey.default_lang);
    let items = scoring::score(&survey, &checked.answers);
    let sections = audits::section_scores(&state.db.read, id).await?;
    let viewer = user.viewer().await?;
    Ok(review_page(&ReviewPage {
        viewer: &viewer,
        audit: &audit,
        survey: &survey,
        answers: &checked,
        items: &items,
        sections: &sections,
        comments: &audits::comments(&state.db.read, id).await?,
        evidence: &evidence::list(&state.db.read, id).await?,
        events: &audits::events(&state.db.read, id).await?,
        errors,
    }))
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    render(&state, &user, id, &FieldErrors::new()).await
}

#[derive(Debug, Deserialize)]
struct Decision {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Decision>,
) -> Result<Response> {
    user.require_staff()?;
    let audit = visible_audit(&state, &user, id).await?;
    let action = ReviewAction::parse(&form.action).ok_or_else(|| {
        Error::BadRequest(format!("Unknown review action '{}'.", form.action).into())
    })?;
    let reason = form.reason.trim();
    let mut errors = FieldErrors::new();
    if action.needs_reason() && reason.is_empty() {
        errors.insert(
            "reason".into(),
            format!(
                "Give a reason: it is shown with the audit ({}).",
                action.name()
            ),
        );
    } else if reason.chars().count() > 1000 {
        errors.insert(
            "reason".into(),
            "Keep the reason under 1000 characters.".into(),
        );
    }
    let to = match action.apply(audit.status(), audit.excluded) {
        Ok(to) => to,
        Err(why) => return Err(Error::BadRequest(why.into())),
    };
    if !errors.is_empty() {
        let page = render(&state, &user, id, &errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let excluded = match action {
        ReviewAction::Exclude => true,
        ReviewAction::Include => false,
        _ => audit.excluded,
    };
    let reason = Some(reason).filter(|r| !r.is_empty());
    audits::review(
        &state.db.write,
        id,
        user.id,
        action.name(),
        (audit.status(), to),
        excluded,
        reason,
    )
    .await?;
    Ok(Redirect::to(&format!("/audits/{id}/review")).into_response())
}
