//! The manager's review of a submitted audit: answers, comments, evidence, flags, scores and the decision.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::audits::{content_lang, visible_audit};
use super::csrf_form::CsrfForm;
use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::audits::ReviewAction;
use crate::auth::CurrentUser;
use crate::db::audits;
use crate::db::evidence;
use crate::error::{Error, Result};
use crate::i18n::audits::Audit;
use crate::scoring;
use crate::views::review::{ReviewPage, review_page};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audits/{id}/review", get(show).post(decide))
}

/// What the page shows besides the audit: a refused decision's message, or a recorded one.
#[derive(Default)]
struct Outcome<'a> {
    errors: FieldErrors,
    reason: &'a str,
    refused: Option<String>,
    done: Option<&'a str>,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    outcome: &Outcome<'_>,
) -> Result<maud::Markup> {
    let audit = visible_audit(state, user, id).await?;
    if audit.submitted_at.is_none() {
        return Err(Error::not_found(Audit::ErrNotSubmitted.msg(), id));
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
        lang: content_lang(&survey, viewer.lang),
        answers: &checked,
        items: &items,
        sections: &sections,
        comments: &audits::comments(&state.db.read, id).await?,
        evidence: &evidence::list(&state.db.read, id).await?,
        events: &audits::events(&state.db.read, id).await?,
        errors: &outcome.errors,
        reason: outcome.reason,
        refused: outcome.refused.as_deref(),
        done: outcome.done,
        offset: state.settings.utc_offset,
    }))
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    let outcome = Outcome {
        done: (q.done.as_deref() == Some("decided"))
            .then(|| Audit::DecisionRecorded.text(user.lang)),
        ..Outcome::default()
    };
    render(&state, &user, id, &outcome).await
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
    let ui = user.lang;
    let audit = visible_audit(&state, &user, id).await?;
    let reason = form.reason.trim();
    // A refused decision draws the page again with its message at the top (and beside the
    // reason when that is what is wrong), the typed reason kept.
    let refuse = |status: StatusCode, message: &str, errors: FieldErrors| {
        let outcome = Outcome {
            errors,
            reason,
            refused: Some(format!("{}{message}", Audit::DecisionRefused.text(ui))),
            done: None,
        };
        let state = &state;
        let user = &user;
        async move {
            let page = render(state, user, id, &outcome).await?;
            Ok::<_, Error>((status, page).into_response())
        }
    };
    let Some(action) = ReviewAction::parse(&form.action) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            Audit::ErrUnknownAction.text(ui),
            FieldErrors::new(),
        )
        .await;
    };
    let to = match action.apply(audit.status(), audit.excluded) {
        Ok(to) => to,
        Err(_) => {
            let why = match action {
                ReviewAction::Exclude | ReviewAction::Include => Audit::ErrOnlyApproved,
                _ => Audit::ErrOnlySubmitted,
            };
            return refuse(StatusCode::BAD_REQUEST, why.text(ui), FieldErrors::new()).await;
        }
    };
    let problem = if action.needs_reason() && reason.is_empty() {
        Some(Audit::ErrReasonNeeded)
    } else if reason.chars().count() > 1000 {
        Some(Audit::ErrReasonLong)
    } else {
        None
    };
    if let Some(problem) = problem {
        let message = problem.text(ui);
        let mut errors = FieldErrors::new();
        errors.insert("reason".into(), message.into());
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, message, errors).await;
    }
    let excluded = match action {
        ReviewAction::Exclude => true,
        ReviewAction::Include => false,
        _ => audit.excluded,
    };
    let reason = Some(reason).filter(|r| !r.is_empty());
    let finding = match action {
        ReviewAction::Approve => finding_case(&state, &audit).await?,
        _ => None,
    };
    let change = audits::ReviewChange {
        action: action.name(),
        from: audit.status(),
        to,
        excluded,
        reason,
        opens: finding.as_ref(),
    };
    audits::review(&state.db.write, id, user.id, change).await?;
    Ok(Redirect::to(&format!("/audits/{id}/review?done=decided")).into_response())
}

/// The case an audit's failed knock-out items open once approved (see `cases::finding`),
/// scored from its stored answers against the loaded checklist, dated now: the finding
/// becomes the store's to fix when the manager accepts it.
async fn finding_case(
    state: &AppState,
    audit: &audits::AuditRow,
) -> Result<Option<crate::cases::NewCase>> {
    let Ok(survey) = state.survey(&audit.checklist_id) else {
        return Ok(None);
    };
    let mut raw = RawAnswers::new();
    for (q, v) in audits::answers(&state.db.read, audit.id).await? {
        raw.entry(q).or_default().push(v);
    }
    let checked = answers::check(&survey, &raw, Scope::All, survey.default_lang);
    let score = scoring::score(&survey, &checked.answers);
    let comments = audits::comments(&state.db.read, audit.id).await?;
    let visit = match &audit.visit_date {
        Some(day) => format!("#{} ({day})", audit.id),
        None => format!("#{}", audit.id),
    };
    let Some(opening) = crate::cases::finding::opening(&survey, &score, &comments, &visit) else {
        return Ok(None);
    };
    Ok(Some(crate::cases::NewCase::from_opening(
        opening,
        &audit.store_code,
        time::OffsetDateTime::now_utc(),
        &state.settings.case_deadlines,
        state.settings.utc_offset,
    )))
}
