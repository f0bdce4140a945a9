//! The customer's side of a case, with no login: the signed status link (`/c/{code}?k=`) and the one-time recovery survey (`/c/{code}/recovery?k=`).
//!
//! A link is the case code plus an HMAC-SHA256 of it under the server's case-link key
//! (purpose-bound, so a status link never opens the recovery survey). A forged or
//! altered link gets the same 404 as an unknown code.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use time::OffsetDateTime;

use super::AppState;
use super::lang::RequestLang;
use crate::auth::signed::{sign, verify};
use crate::db::cases::{self, CaseRow};
use crate::error::{Error, Result};
use crate::i18n::cases::Case as T;
use crate::views::case_public as view;

const STATUS: &str = "case-status";
const RECOVERY: &str = "case-recovery";

pub fn routes() -> Router<AppState> {
    Router::new().route("/c/{code}", get(status)).route(
        "/c/{code}/recovery",
        get(recovery_form).post(recovery_answer),
    )
}

/// A case's two customer links, as absolute URLs.
#[derive(Debug, Clone)]
pub struct Links {
    pub status: String,
    pub recovery: String,
}

fn tag(key: &[u8; 32], purpose: &str, code: &str) -> String {
    let signed = sign(key, purpose, code);
    signed
        .rsplit_once('.')
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default()
}

/// The status link's signature (what `?k=` carries).
pub fn status_tag(key: &[u8; 32], code: &str) -> String {
    tag(key, STATUS, code)
}

pub fn links(key: &[u8; 32], code: &str, public_url: &str) -> Links {
    let base = public_url.trim_end_matches('/');
    Links {
        status: format!("{base}/c/{code}?k={}", tag(key, STATUS, code)),
        recovery: format!("{base}/c/{code}/recovery?k={}", tag(key, RECOVERY, code)),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct LinkQuery {
    k: Option<String>,
}

/// The case behind a genuine link; anything else is "no such case".
async fn genuine(state: &AppState, code: &str, k: Option<&str>, purpose: &str) -> Result<CaseRow> {
    let key = state.intake.case_key(&state.db.write).await?;
    let token = format!("{code}.{}", k.unwrap_or(""));
    let ok = code.len() <= 32 && verify(key, purpose, &token) == Some(code);
    if !ok {
        return Err(Error::NotFound(T::ErrLink.msg()));
    }
    cases::by_code(&state.db.read, code)
        .await?
        .ok_or_else(|| Error::NotFound(T::ErrLink.msg()))
}

async fn status(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    RequestLang(lang): RequestLang,
) -> Result<Response> {
    let case = genuine(&state, &code, q.k.as_deref(), STATUS).await?;
    let events = cases::events(&state.db.read, case.id, true).await?;
    let page = view::status_page(
        &case,
        &events,
        state.settings.utc_offset,
        lang,
        q.k.as_deref().unwrap_or(""),
    );
    Ok(page.into_response())
}

async fn recovery_form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    RequestLang(lang): RequestLang,
) -> Result<Response> {
    let case = genuine(&state, &code, q.k.as_deref(), RECOVERY).await?;
    let k = q.k.as_deref().unwrap_or("");
    Ok(match view_state(&case) {
        Ready::Ask => view::recovery_page(&case.code, k, lang, None).into_response(),
        Ready::Done => view::recovery_done(lang, T::ErrRecoveryDone).into_response(),
        Ready::NotYet => (
            StatusCode::CONFLICT,
            view::recovery_done(lang, T::ErrRecoveryOpen),
        )
            .into_response(),
    })
}

enum Ready {
    Ask,
    Done,
    NotYet,
}

fn view_state(case: &CaseRow) -> Ready {
    if case.recovery_at.is_some() {
        Ready::Done
    } else if case.step().is_open() {
        Ready::NotYet
    } else {
        Ready::Ask
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct RecoveryPost {
    satisfied: Option<String>,
    will_return: Option<String>,
}

fn yes_no(v: Option<&str>) -> Option<bool> {
    match v {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// Customer pages post plain forms with no session: the signed link is the credential,
/// and the answers are taken once.
async fn recovery_answer(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    RequestLang(lang): RequestLang,
    Form(f): Form<RecoveryPost>,
) -> Result<Response> {
    let case = genuine(&state, &code, q.k.as_deref(), RECOVERY).await?;
    let k = q.k.as_deref().unwrap_or("");
    match view_state(&case) {
        Ready::Ask => {}
        Ready::Done => {
            return Ok((
                StatusCode::CONFLICT,
                view::recovery_done(lang, T::ErrRecoveryDone),
            )
                .into_response());
        }
        Ready::NotYet => {
            return Ok((
                StatusCode::CONFLICT,
                view::recovery_done(lang, T::ErrRecoveryOpen),
            )
                .into_response());
        }
    }
    let (Some(satisfied), Some(will_return)) = (
        yes_no(f.satisfied.as_deref()),
        yes_no(f.will_return.as_deref()),
    ) else {
        let page = view::recovery_page(&case.code, k, lang, Some(T::ErrChoose.text(lang)));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let now = OffsetDateTime::now_utc();
    if !cases::record_recovery(&state.db.write, case.id, satisfied, will_return, None, now).await? {
        return Ok((
            StatusCode::CONFLICT,
            view::recovery_done(lang, T::ErrRecoveryDone),
        )
            .into_response());
    }
    let back = format!("/c/{}/recovery?k={k}&lang={}", case.code, lang.code());
    Ok(Redirect::to(&back).into_response())
}
