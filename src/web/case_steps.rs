//! Taking a case's steps: `POST /cases/{code}/step` (the current step's form), replies to the customer, internal notes, erasing the contact, the staff-recorded return visit, and the overdue sweep.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use time::OffsetDateTime;

use super::AppState;
use super::cases::{actor, visible_case};
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::cases::flow::{Action, Actor, Refusal, decide};
use crate::cases::page::StepValues;
use crate::db::cases::{self, CaseRow};
use crate::error::{Error, Result};
use crate::held::blank;
use crate::i18n::cases::Case as T;
use crate::views::case_page::{self, CasePage};
use crate::views::staff::Viewer;
use crate::webhooks::Event;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{code}/step", post(step))
        .route("/cases/{code}/reply", post(reply))
        .route("/cases/{code}/note", post(note))
        .route("/cases/{code}/erase", post(erase))
        .route("/cases/{code}/recovery", post(recovery))
}

fn yes_no(v: Option<&str>) -> Option<bool> {
    match v {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// Reads the posted step into an action; a missing choice is a field error.
fn parse_action(f: &StepValues) -> std::result::Result<Action, Refusal> {
    let choose = |field: &'static str| Refusal::Field(field, T::ErrChoose.msg());
    Ok(match f.action.as_str() {
        "judge" => Action::Judge {
            valid: yes_no(f.valid.as_deref()).ok_or(choose("valid"))?,
            reason: f.reason.clone(),
        },
        "assign" => Action::Assign {
            owner: f
                .owner
                .trim()
                .parse()
                .map_err(|_| Refusal::Field("owner", T::ErrOwner.msg()))?,
            department: blank(Some(&f.department)).map(str::to_owned),
        },
        "cause" => Action::Cause {
            category: f.category.trim().to_owned(),
            root_cause: f.root_cause.clone(),
        },
        "propose" => Action::Propose {
            solution: f.solution.clone(),
            remedy: f.remedy.clone(),
            compensation: blank(Some(&f.compensation)).map(str::to_owned),
        },
        "approve" => Action::Approve {
            note: blank(Some(&f.approval_note)).map(str::to_owned),
        },
        "send_back" => Action::SendBack {
            reason: f.back_reason.clone(),
        },
        "implement" => Action::Implement {
            note: f.implementation.clone(),
        },
        "close" => Action::Close {
            summary: f.summary.clone(),
            customer_accepted: yes_no(f.customer_accepted.as_deref()),
            resolved: yes_no(f.resolved.as_deref()).ok_or(choose("resolved"))?,
        },
        _ => return Err(Refusal::Step(T::ErrNotInFlow.msg())),
    })
}

async fn step(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(code): Path<String>,
    CsrfForm(f): CsrfForm<StepValues>,
) -> Result<Response> {
    act(&state, &user, &code, f, parse_action).await
}

async fn reply(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(code): Path<String>,
    CsrfForm(mut f): CsrfForm<StepValues>,
) -> Result<Response> {
    f.action = "reply".into();
    act(&state, &user, &code, f, |f| {
        Ok(Action::Reply {
            message: f.message.clone(),
        })
    })
    .await
}

async fn note(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(code): Path<String>,
    CsrfForm(mut f): CsrfForm<StepValues>,
) -> Result<Response> {
    f.action = "note".into();
    act(&state, &user, &code, f, |f| {
        Ok(Action::Note {
            text: f.text.clone(),
        })
    })
    .await
}

/// One posted action on a case this person handles: `action_of` reads it from the form.
async fn act(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    code: &str,
    f: StepValues,
    action_of: impl FnOnce(&StepValues) -> std::result::Result<Action, Refusal>,
) -> Result<Response> {
    let actor = actor(state, user).await?;
    let case = visible_case(state, &actor, code).await?;
    let viewer = user.viewer().await?;
    let action = action_of(&f);
    take(state, &actor, &viewer, &case, action, &f).await
}

/// Decides, stores and answers one action: back to the case page on success, or the
/// page again with the refusal at the top and beside its field, and `typed` in its form.
async fn take(
    state: &AppState,
    actor: &Actor,
    viewer: &Viewer,
    case: &CaseRow,
    action: std::result::Result<Action, Refusal>,
    typed: &StepValues,
) -> Result<Response> {
    let decided = action.and_then(|a| {
        if let Action::Assign { owner, .. } = &a
            && *owner <= 0
        {
            return Err(Refusal::Field("owner", T::ErrOwner.msg()));
        }
        decide(
            case.kind(),
            &case.store,
            case.step(),
            actor,
            &a,
            &state.settings.case_categories,
        )
        .map(|t| (a, t))
    });
    let (action, transition) = match decided {
        Ok(ok) => ok,
        Err(refusal) => return refused(state, actor, viewer, case, refusal, typed).await,
    };
    if let Action::Assign { owner, .. } = &action {
        let owners = crate::db::user_stores::owners_for(&state.db.read, &case.store).await?;
        if !owners.iter().any(|(id, _, _)| id == owner) {
            let r = Refusal::Field("owner", T::ErrOwner.msg());
            return refused(state, actor, viewer, case, r, typed).await;
        }
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = state.db.write.begin().await?;
    let moved = !cases::take_step(&mut tx, case, actor.id, &action, transition, now).await?;
    if moved {
        drop(tx);
        return Ok(Redirect::to(&format!("/cases/{}?error=moved", case.code)).into_response());
    }
    if transition.to == crate::cases::Step::Closed {
        crate::db::case_hooks::queue_event(&mut tx, case.id, Event::CaseClosed).await?;
    }
    tx.commit().await?;
    tracing::info!(case = %case.code, by = actor.id, action = action.word(), "case step taken");
    Ok(Redirect::to(&format!("/cases/{}?done=1", case.code)).into_response())
}

async fn refused(
    state: &AppState,
    actor: &Actor,
    viewer: &Viewer,
    case: &CaseRow,
    refusal: Refusal,
    typed: &StepValues,
) -> Result<Response> {
    let lang = viewer.lang;
    let (message, errors, status) = match refusal {
        Refusal::Hidden => return Err(Error::NotFound(T::ErrNoCase.msg())),
        Refusal::Role(m) => return Err(Error::Forbidden(m)),
        Refusal::Step(m) => (m, FieldErrors::new(), StatusCode::CONFLICT),
        Refusal::Field(field, m) => {
            let mut errors = FieldErrors::new();
            errors.insert(field.into(), m.get(lang).to_owned());
            (m, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let shown = Shown {
        notice: None,
        refused: Some(message.get(lang)),
        errors: &errors,
        typed: Some(typed),
    };
    draw(state, actor, viewer, case, shown, status).await
}

/// What the case page shows beside the case: a notice, or a refusal with its fields'
/// messages and what was typed.
struct Shown<'a> {
    notice: Option<&'a str>,
    refused: Option<&'a str>,
    errors: &'a FieldErrors,
    typed: Option<&'a StepValues>,
}

/// Draws the case page with its history, for this person.
#[allow(clippy::too_many_arguments)]
pub async fn draw_case(
    state: &AppState,
    actor: &Actor,
    viewer: &Viewer,
    case: &CaseRow,
    notice: Option<&str>,
    refused: Option<&str>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let shown = Shown {
        notice,
        refused,
        errors,
        typed: None,
    };
    draw(state, actor, viewer, case, shown, status).await
}

async fn draw(
    state: &AppState,
    actor: &Actor,
    viewer: &Viewer,
    case: &CaseRow,
    shown: Shown<'_>,
    status: StatusCode,
) -> Result<Response> {
    let events = cases::events(&state.db.read, case.id, false).await?;
    let owners = crate::db::user_stores::owners_for(&state.db.read, &case.store).await?;
    let key = state.intake.case_key(&state.db.write).await?;
    let links = super::case_public::links(key, &case.code, &state.settings.public_url);
    let page = case_page::case_page(&CasePage {
        viewer,
        actor,
        case,
        events: &events,
        owners: &owners,
        taxonomy: &state.settings.case_categories,
        now: OffsetDateTime::now_utc(),
        offset: state.settings.utc_offset,
        notice: shown.notice,
        refused: shown.refused,
        errors: shown.errors,
        typed: shown.typed,
        links: &links,
    });
    Ok((status, page).into_response())
}

async fn erase(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<StepValues>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let case = visible_case(&state, &actor, &code).await?;
    cases::erase_contact(
        &state.db.write,
        case.id,
        actor.id,
        OffsetDateTime::now_utc(),
    )
    .await?;
    tracing::info!(case = %case.code, by = actor.id, "contact erased on request");
    Ok(Redirect::to(&format!("/cases/{}?done=1", case.code)).into_response())
}

/// A return visit: staff record the customer's two answers.
async fn recovery(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(code): Path<String>,
    CsrfForm(mut f): CsrfForm<StepValues>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let case = visible_case(&state, &actor, &code).await?;
    let viewer = user.viewer().await?;
    f.action = "recovery".into();
    let lang = viewer.lang;
    let (Some(satisfied), Some(will_return)) = (
        yes_no(f.satisfied.as_deref()),
        yes_no(f.will_return.as_deref()),
    ) else {
        let mut errors = FieldErrors::new();
        let field = if yes_no(f.satisfied.as_deref()).is_none() {
            "satisfied"
        } else {
            "will_return"
        };
        errors.insert(field.into(), T::ErrChoose.text(lang).into());
        let shown = Shown {
            notice: None,
            refused: Some(T::ErrChoose.text(lang)),
            errors: &errors,
            typed: Some(&f),
        };
        return draw(
            &state,
            &actor,
            &viewer,
            &case,
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if case.step().is_open() {
        let shown = Shown {
            notice: None,
            refused: Some(T::ErrRecoveryOpen.text(lang)),
            errors: &FieldErrors::new(),
            typed: None,
        };
        return draw(&state, &actor, &viewer, &case, shown, StatusCode::CONFLICT).await;
    }
    let now = OffsetDateTime::now_utc();
    if !cases::record_recovery(
        &state.db.write,
        case.id,
        satisfied,
        will_return,
        Some(actor.id),
        now,
    )
    .await?
    {
        return Ok(
            Redirect::to(&format!("/cases/{}?error=recovery-done", case.code)).into_response(),
        );
    }
    Ok(Redirect::to(&format!("/cases/{}?done=1", case.code)).into_response())
}

/// Escalates open cases newly past a deadline: flagged on the list and dashboard, logged,
/// and their "overdue" webhook queued. Returns how many.
pub async fn sweep_overdue(state: &AppState) -> sqlx::Result<usize> {
    let now = OffsetDateTime::now_utc();
    let late = crate::db::case_list::escalate_overdue(&state.db.write, now).await?;
    for c in &late {
        tracing::warn!(case = %c.code, store = %c.store, "case overdue: escalated");
    }
    Ok(late.len())
}

/// The sweep, once a minute for the life of the server.
pub async fn sweep_overdue_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = sweep_overdue(&state).await {
            tracing::error!(error = %e, "the overdue sweep failed; retrying in a minute");
        }
    }
}
