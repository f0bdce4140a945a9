//! The customer's form: shows a page, moves between pages without JavaScript, and stores the submission.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::auth::ClientAddr;
use super::body::FormBody;
use super::form_draw::Draw;
use super::form_intake;
use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::auth::signed::unix_now;
use crate::db::WriteError;
use crate::db::responses::{Checks, Submission};
use crate::error::{Error, Result};
use crate::i18n::{Lang, Ui};
use crate::intake::checks::{Candidate, Respondent};
use crate::intake::form_token::{self, TokenCheck};
use crate::receipt::ReceiptError;
use crate::survey::{ReceiptMode, Survey};
use crate::views::{self, Notice};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{form_id}", get(show).post(submit))
        .route("/s/{form_id}/thanks", get(thanks))
}

#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    lang: Option<String>,
    store: Option<String>,
    /// A receipt code from the till slip's QR code.
    r: Option<String>,
}

fn query(q: Result<Query<FormQuery>, QueryRejection>) -> Result<FormQuery> {
    q.map(|Query(q)| q).map_err(|e| {
        Error::BadRequest(crate::i18n::Msg::both(
            format!("链接的参数有误：{}", e.body_text()),
            format!("The address has a malformed query: {}", e.body_text()),
        ))
    })
}

fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

fn lang_for(survey: &Survey, asked: Option<&str>, headers: &HeaderMap) -> Lang {
    Lang::negotiate(
        asked,
        accept_language(headers),
        &survey.languages,
        survey.default_lang,
    )
}

/// A fresh signed token for one filling of the form at `store` (see `intake::form_token`).
async fn new_token(state: &AppState, form_id: &str, store: Option<&str>) -> Result<String> {
    let key = state.intake.form_key(&state.db.write).await?;
    Ok(form_token::issue(key, form_id, store, unix_now()))
}

/// Tokens are `issued.nonce.signature`: digits, hex and dots, far below this length.
fn is_token(t: &str) -> bool {
    t.len() <= 160 && t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.')
}

#[tracing::instrument(skip_all, fields(form = %form_id))]
async fn show(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    q: Result<Query<FormQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response> {
    let survey = state.customer_survey(&form_id)?;
    let q = query(q)?;
    let lang = lang_for(&survey, q.lang.as_deref(), &headers);
    // A code from the slip's QR link names the store; a bad one is said at once, and
    // the customer can type it again on the first page.
    let linked = match q
        .r
        .as_deref()
        .filter(|_| survey.receipt != ReceiptMode::Off)
    {
        Some(code) => Some((code, form_intake::check_receipt(&state, code).await?)),
        None => None,
    };
    let receipt_store = linked
        .as_ref()
        .and_then(|(_, r)| r.as_ref().ok().map(|r| r.store.clone()));
    let store = match receipt_store {
        Some(store) => Some(store),
        None => crate::stores::resolve(&state.db, q.store).await?,
    };
    let raw = RawAnswers::new();
    let first = answers::check(&survey, &raw, Scope::All, lang)
        .relevant_groups
        .iter()
        .position(|r| *r)
        .unwrap_or(0);
    let token = new_token(&state, &survey.id, store.as_deref()).await?;
    let receipt_value = linked.as_ref().map(|(code, _)| *code).unwrap_or_default();
    let draw = Draw {
        survey: &survey,
        lang,
        raw: &raw,
        seen: &[],
        token: &token,
        store: store.as_deref(),
        receipt: receipt_value,
        receipt_fixed: linked.as_ref().is_some_and(|(_, r)| r.is_ok()),
    };
    let notice = match &linked {
        Some((_, Err(e))) => Some(Notice::Receipt(*e)),
        _ => None,
    };
    let mut response = draw.page_with(first, &FieldErrors::new(), StatusCode::OK, notice);
    if let Some(cookie) = form_intake::device_cookie(&headers, state.settings.secure_cookies) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The hidden fields a page posts besides the answers.
#[derive(Debug, Default)]
struct Meta {
    page: Option<usize>,
    nav: String,
    token: Option<String>,
    lang: Option<String>,
    store: Option<String>,
    receipt: Option<String>,
    /// Questions shown so far; `None` when the page did not say (a hand-made post).
    seen: Option<Vec<String>>,
}

/// The page posted from, or the first when it is missing or not one of the survey's.
fn posted_page(page: Option<usize>, survey: &Survey) -> usize {
    page.filter(|p| *p < survey.groups.len()).unwrap_or(0)
}

fn split(survey: &Survey, pairs: Vec<(String, String)>) -> (Meta, RawAnswers) {
    let mut meta = Meta::default();
    let mut raw = RawAnswers::new();
    for (key, value) in pairs {
        match key.as_str() {
            "_page" => meta.page = value.parse().ok(),
            "_nav" => meta.nav = value,
            "_token" => meta.token = Some(value).filter(|t| is_token(t)),
            "_lang" => meta.lang = Some(value),
            "_store" => meta.store = Some(value),
            "_receipt" => meta.receipt = Some(value).filter(|r| !r.trim().is_empty()),
            "_seen" => {
                meta.seen = Some(
                    value
                        .split_whitespace()
                        .filter(|n| survey.question(n).is_some())
                        .map(str::to_owned)
                        .collect(),
                );
            }
            // Unknown fields are ignored: only the survey's questions are ever read.
            _ if survey.question(&key).is_some() => raw.entry(key).or_default().push(value),
            _ => {}
        }
    }
    (meta, raw)
}

/// A posted body as `submit` decodes it before any store lookup or write: the page it says
/// it came from (0 when missing or out of range) and the answers to the survey's questions.
/// Public so the fuzz targets and property tests run the handler's own decoder.
pub fn decode_body(survey: &Survey, body: &[u8]) -> Result<(usize, RawAnswers)> {
    let (meta, raw) = split(survey, super::body::parse(body)?);
    Ok((posted_page(meta.page, survey), raw))
}

#[tracing::instrument(skip_all, fields(form = %form_id))]
async fn submit(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    FormBody(pairs): FormBody,
) -> Result<Response> {
    if form_intake::cross_site(&headers) {
        return Err(Error::Forbidden(form_intake::CROSS_SITE.into()));
    }
    let survey = state.customer_survey(&form_id)?;
    let (meta, raw) = split(&survey, pairs);
    let mut lang = lang_for(&survey, meta.lang.as_deref(), &headers);
    let store = crate::stores::resolve(&state.db, meta.store).await?;
    let page = posted_page(meta.page, &survey);
    let key = state.intake.form_key(&state.db.write).await?;
    let lifetime = state.intake.policy.token_lifetime.as_secs();
    let checked_token = meta.token.as_deref().map_or(TokenCheck::Forged, |t| {
        form_token::check(key, t, &survey.id, store.as_deref(), unix_now(), lifetime)
    });
    // A token this server did not issue (or too old) is swapped for a fresh one at
    // once, so the pages that follow carry a good one; only storing needs the original.
    let token = match (checked_token, meta.token) {
        (TokenCheck::Valid { .. }, Some(t)) => t,
        _ => form_token::issue(key, &survey.id, store.as_deref(), unix_now()),
    };
    let nav = meta.nav.as_str();
    if let Some(code) = nav.strip_prefix("lang-") {
        lang = Lang::parse(code)
            .filter(|l| survey.languages.contains(l))
            .unwrap_or(lang);
    }
    let seen = meta.seen.as_deref().unwrap_or_default();
    let draw = Draw {
        survey: &survey,
        lang,
        raw: &raw,
        seen,
        token: &token,
        store: store.as_deref(),
        receipt: meta.receipt.as_deref().unwrap_or_default(),
        receipt_fixed: false,
    };
    let here = answers::check(&survey, &raw, Scope::Group(page), lang);
    match nav {
        "back" => {
            let prev = (0..page)
                .rev()
                .find(|g| here.relevant_groups[*g])
                .unwrap_or(page);
            return Ok(draw.page(prev, &FieldErrors::new(), StatusCode::OK));
        }
        _ if nav.starts_with("lang-") => {
            return Ok(draw.page(page, &FieldErrors::new(), StatusCode::OK));
        }
        "" | "next" | "submit" => {}
        other => {
            return Err(Error::BadRequest(
                format!("Unknown form action '{other}'.").into(),
            ));
        }
    }
    // An answer on this page made another question on it apply: show it before moving on.
    let appeared = meta.seen.as_ref().is_some_and(|seen| {
        survey.groups[page]
            .questions
            .iter()
            .any(|q| here.relevant.contains(&q.name) && !seen.contains(&q.name))
    });
    if appeared {
        return Ok(draw.page(page, &FieldErrors::new(), StatusCode::OK));
    }
    if !here.errors.is_empty() {
        return Ok(draw.page(page, &here.errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if let Some(next) = (page + 1..survey.groups.len()).find(|g| here.relevant_groups[*g]) {
        return Ok(draw.page(next, &FieldErrors::new(), StatusCode::OK));
    }
    let all = answers::check(&survey, &raw, Scope::All, lang);
    if let Some(bad) = survey
        .groups
        .iter()
        .position(|g| g.questions.iter().any(|q| all.errors.contains_key(&q.name)))
    {
        return Ok(draw.page(bad, &all.errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let last = (0..survey.groups.len())
        .rev()
        .find(|g| all.relevant_groups[*g])
        .unwrap_or(page);
    // Nothing is stored below without a token this server issued: the page comes back
    // with every answer, a fresh token and a notice, so one more press stores it.
    if !matches!(checked_token, TokenCheck::Valid { .. }) {
        tracing::info!(
            ?checked_token,
            "form post without a valid token; nothing stored"
        );
        return Ok(draw.page_with(
            last,
            &FieldErrors::new(),
            StatusCode::BAD_REQUEST,
            Some(Notice::Ui(Ui::TokenStale)),
        ));
    }
    // One purchase, one response: a code that doesn't check out sends the customer back
    // to the first page, where it is typed, with every answer kept.
    let receipt = match (survey.receipt, meta.receipt.as_deref()) {
        (ReceiptMode::Off, _) | (ReceiptMode::Optional, None) => None,
        (ReceiptMode::Required, None) => {
            let first = (0..survey.groups.len())
                .find(|g| all.relevant_groups[*g])
                .unwrap_or(0);
            return Ok(draw.page_with(
                first,
                &FieldErrors::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(Notice::Receipt(ReceiptError::Malformed)),
            ));
        }
        (_, Some(code)) => match form_intake::check_receipt(&state, code).await? {
            Ok(r) => Some(r),
            Err(e) => {
                let first = (0..survey.groups.len())
                    .find(|g| all.relevant_groups[*g])
                    .unwrap_or(0);
                return Ok(draw.page_with(
                    first,
                    &FieldErrors::new(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(Notice::Receipt(e)),
                ));
            }
        },
    };
    // The response's store: the receipt's, else the page's.
    let store = match &receipt {
        Some(r) => Some(r.store.clone()),
        None => store.clone(),
    };
    let permit = match state
        .intake
        .addresses
        .reserve(&addr, &survey.id, std::time::Instant::now())
    {
        Ok(permit) => permit,
        Err(wait) => {
            tracing::info!(%addr, wait_secs = wait.secs(), "form limit per address reached; nothing stored");
            let mut response = draw.page_with(
                last,
                &FieldErrors::new(),
                StatusCode::TOO_MANY_REQUESTS,
                Some(Notice::Wait {
                    minutes: wait.minutes(),
                }),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait.secs()));
            return Ok(response);
        }
    };
    let device = form_intake::device(&headers);
    let candidate = Candidate {
        survey: &survey,
        answers: &all.answers,
        store: store.as_deref(),
        who: Respondent {
            address: &addr,
            device: device.as_deref(),
            elapsed_secs: match checked_token {
                TokenCheck::Valid { age_secs } => Some(age_secs),
                _ => None,
            },
        },
    };
    let flags = state
        .intake
        .flags(&state.db.read, state.settings.today(), &candidate)
        .await?;
    let (submitted_at, day) = state.settings.received_now();
    let submission = Submission {
        survey: survey.clone(),
        store: store.clone(),
        lang: lang.code(),
        answers: all.answers.clone(),
        submission_key: Some(token.clone()),
        submitted_at,
        day,
        checks: Checks {
            receipt: receipt.map(|r| r.used),
            flags,
        },
    };
    let stored = match state.db.writer.submit(submission).await {
        Ok(stored) => stored,
        // Nothing was stored: the page comes back with every answer and the same
        // token, so pressing Submit again stores exactly once.
        Err(e) => {
            let (status, notice) = match e {
                WriteError::Full => (StatusCode::INSUFFICIENT_STORAGE, Ui::SaveFull.into()),
                WriteError::Busy => (StatusCode::SERVICE_UNAVAILABLE, Ui::SaveBusy.into()),
                WriteError::ReceiptUsed => {
                    (StatusCode::CONFLICT, Notice::Receipt(ReceiptError::Reused))
                }
                WriteError::Unavailable(cause) => {
                    tracing::error!(%cause, "could not store a form response");
                    (StatusCode::SERVICE_UNAVAILABLE, Ui::SaveFull.into())
                }
            };
            let mut response = draw.page_with(last, &FieldErrors::new(), status, Some(notice));
            if status != StatusCode::CONFLICT {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(Error::RETRY_AFTER_SECONDS),
                );
            }
            return Ok(response);
        }
    };
    // A repeat of a stored token stored nothing new: its place is given back.
    if stored.created {
        permit.stored();
        state.intake.remember(&candidate);
    }
    tracing::info!(
        response = stored.id,
        created = stored.created,
        held = stored.held,
        "response stored"
    );
    // Redirect after POST, so a refresh of the thank-you page cannot post again.
    Ok(Redirect::to(&format!("/s/{}/thanks?lang={lang}", survey.id)).into_response())
}

async fn thanks(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    q: Result<Query<FormQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<maud::Markup> {
    let survey = state.customer_survey(&form_id)?;
    let q = query(q)?;
    Ok(views::thanks_page(
        &survey,
        lang_for(&survey, q.lang.as_deref(), &headers),
    ))
}
