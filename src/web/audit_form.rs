//! The shopper's audit form: one page per section after a visit page, a draft saved on every page, photo evidence.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::audits::{content_lang, visible_audit};
use super::uploads::{self, read_multipart, store_photos};
use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::audits::{self as rules, Draft, Status, parse_date};
use crate::auth::{CSRF_FIELD, CurrentUser, verify_csrf};
use crate::db::audits::{self, AuditRow, Submission};
use crate::db::evidence;
use crate::error::{Error, Result};
use crate::i18n::audits::Audit;
use crate::i18n::{Lang, format};
use crate::scoring;
use crate::survey::Survey;
use crate::views::audit_form::{AuditPage, audit_page, audit_summary};
use crate::views::staff::Viewer;

pub fn routes() -> Router<AppState> {
    Router::new()
        // The upload reader sets this route's body limit from the caps (see `uploads`).
        .route("/audits/{id}", get(show).post(save))
        .route(
            "/audits/{id}/evidence/{evidence_id}",
            get(uploads::evidence),
        )
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    page: Option<usize>,
    lang: Option<String>,
}

fn checklist(state: &AppState, a: &AuditRow) -> Result<Arc<Survey>> {
    state.survey(&a.checklist_id).map_err(|_| {
        Error::Other(anyhow::anyhow!(
            "checklist '{}' of audit {} is no longer loaded",
            a.checklist_id,
            a.id
        ))
    })
}

/// The checklist's language for a page: the one the page was drawn in (`_lang`, on a post)
/// when the checklist has it, else the reader's when offered, else the checklist's default.
fn lang(survey: &Survey, posted: Option<&str>, reader: Lang) -> Lang {
    posted
        .and_then(Lang::parse)
        .filter(|l| survey.languages.contains(l))
        .unwrap_or_else(|| content_lang(survey, reader))
}

/// The visit checks' messages in the reader's words (the rules say which field failed).
fn visit_errors(
    visit: &crate::audits::VisitInput,
    (from, to): (time::Date, time::Date),
    ui: Lang,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    let time_in = rules::parse_time(&visit.time_in);
    let time_out = rules::parse_time(&visit.time_out);
    match parse_date(&visit.visit_date) {
        None => errors.push(("visit_date", Audit::ErrVisitDate.text(ui).to_owned())),
        Some(d) if d < from || d > to => errors.push((
            "visit_date",
            Audit::ErrVisitWindow
                .text(ui)
                .replace("{from}", &format::date(from, ui))
                .replace("{to}", &format::date(to, ui)),
        )),
        Some(_) => {}
    }
    if time_in.is_none() {
        errors.push(("time_in", Audit::ErrTimeIn.text(ui).to_owned()));
    }
    match (time_in, time_out) {
        (_, None) => errors.push(("time_out", Audit::ErrTimeOut.text(ui).to_owned())),
        (Some(i), Some(o)) if o <= i => {
            errors.push(("time_out", Audit::ErrTimeOrder.text(ui).to_owned()));
        }
        _ => {}
    }
    errors
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let audit = visible_audit(&state, &user, id).await?;
    if user.role.is_staff() && audit.submitted_at.is_some() {
        return Ok(Redirect::to(&format!("/audits/{id}/review")).into_response());
    }
    let survey = checklist(&state, &audit)?;
    let lang = lang(&survey, None, user.lang);
    let viewer = user.viewer().await?;
    let events = audits::events(&state.db.read, id).await?;
    // Only the assigned shopper fills the audit; others (staff, before submission) get the summary.
    if audit.shopper_id != user.id || !audit.status().editable() {
        let offset = state.settings.utc_offset;
        return Ok(audit_summary(&viewer, &audit, &survey, lang, &events, offset).into_response());
    }
    let draft = audit.draft();
    let page = q.page.unwrap_or(draft.page).min(survey.groups.len());
    let draw = Drawer {
        state: &state,
        viewer: &viewer,
        audit: &audit,
        survey: &survey,
        lang,
        asked_lang: q.lang.as_deref().and_then(Lang::parse),
        events: &events,
    };
    draw.page(&draft, page, &FieldErrors::new(), StatusCode::OK)
        .await
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response> {
    let audit = visible_audit(&state, &user, id).await?;
    if audit.shopper_id != user.id {
        return Err(Error::Forbidden(Audit::ErrOnlyShopper.msg()));
    }
    let survey = checklist(&state, &audit)?;
    let limits = uploads::limits(&state);
    let asked_lang = super::lang::query_lang(request.uri());
    let ui = user.lang;
    let posted = read_multipart(request, &limits)
        .await
        .map_err(|u| u.error(&limits))?;
    let field = |name: &str| {
        posted
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    verify_csrf(&user.session, field(CSRF_FIELD)).await?;
    if !audit.status().editable() {
        return Err(Error::BadRequest(Audit::ErrLocked.msg()));
    }
    let lang = lang(&survey, field("_lang"), ui);
    let page = field("_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
        .min(survey.groups.len());
    let nav = field("_nav").unwrap_or("next").to_owned();

    let mut draft = audit.draft();
    merge_page(&mut draft, &survey, page, &posted.fields);
    let section = if page == 0 {
        "visit".to_owned()
    } else {
        survey.groups[page - 1].name.clone()
    };
    // A removal first, so the photo it frees room for can be added in the same post.
    if let Some(evidence_id) = nav
        .strip_prefix("delete-")
        .and_then(|e| e.parse::<i64>().ok())
    {
        evidence::delete_evidence(&state.db.write, id, evidence_id).await?;
    }
    let mut errors = FieldErrors::new();
    let refused = store_photos(&state, id, &section, &posted, &limits, ui).await?;
    let status = refused.as_ref().map(|(s, _)| *s);
    if let Some((_, message)) = refused {
        errors.insert("evidence".into(), message);
    }
    let checked = answers::check(&survey, &draft_raw(&draft), Scope::All, lang);
    let relevant =
        |p: usize| p == 0 || checked.relevant_groups.get(p - 1).copied().unwrap_or(false);
    let last = (0..=survey.groups.len())
        .rev()
        .find(|p| relevant(*p))
        .unwrap_or(0);
    let target = match nav.as_str() {
        "back" => (0..page).rev().find(|p| relevant(*p)).unwrap_or(0),
        "next" => (page + 1..=survey.groups.len())
            .find(|p| relevant(*p))
            .unwrap_or(page),
        _ => page,
    };
    draft.page = if errors.is_empty() { target } else { page };
    audits::save_draft(&state.db.write, id, user.id, audit.status(), &draft).await?;

    let viewer = user.viewer().await?;
    let events = audits::events(&state.db.read, id).await?;
    let draw = Drawer {
        state: &state,
        viewer: &viewer,
        audit: &audit,
        survey: &survey,
        lang,
        asked_lang,
        events: &events,
    };
    if !errors.is_empty() {
        let status = status.unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        return draw.page(&draft, page, &errors, status).await;
    }
    match nav.as_str() {
        "save" => Ok(Redirect::to("/audits?done=saved").into_response()),
        "submit" if page == last => submit(&state, &user, &audit, &survey, &draft, &draw).await,
        _ => draw.page(&draft, draft.page, &errors, StatusCode::OK).await,
    }
}

/// Puts one page's posted fields into the draft. A question on the page with
/// nothing posted (an unticked box) is cleared, not kept from before.
fn merge_page(draft: &mut Draft, survey: &Survey, page: usize, fields: &[(String, String)]) {
    let values = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let first = |name: &str| values(name).into_iter().next().unwrap_or_default();
    if page == 0 {
        draft.visit.visit_date = first("visit_date");
        draft.visit.time_in = first("time_in");
        draft.visit.time_out = first("time_out");
        return;
    }
    for q in &survey.groups[page - 1].questions {
        let v = values(&q.name);
        if v.is_empty() {
            draft.answers.remove(&q.name)
        } else {
            draft.answers.insert(q.name.clone(), v)
        };
        let comment: String = first(&format!("comment_{}", q.name))
            .chars()
            .take(2000)
            .collect();
        if comment.is_empty() {
            draft.comments.remove(&q.name)
        } else {
            draft.comments.insert(q.name.clone(), comment)
        };
    }
}

fn draft_raw(draft: &Draft) -> RawAnswers {
    draft
        .answers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<HashMap<_, _>>()
}

/// Checks the whole audit; stores and scores it, or shows the first page with a problem.
async fn submit(
    state: &AppState,
    user: &CurrentUser,
    audit: &AuditRow,
    survey: &Survey,
    draft: &Draft,
    draw: &Drawer<'_>,
) -> Result<Response> {
    let ui = draw.viewer.lang;
    // Messages in the reader's language (a checklist's own messages in it when it has it).
    let checked = answers::check(survey, &draft_raw(draft), Scope::All, ui);
    let mut errors = checked.errors.clone();
    let window = (parse_date(&audit.window_from), parse_date(&audit.window_to));
    let (Some(from), Some(to)) = window else {
        return Err(Error::Other(anyhow::anyhow!(
            "audit {} has a malformed window",
            audit.id
        )));
    };
    // The rules decide; the messages are said again in the reader's words.
    let visit = rules::check_visit(&draft.visit, from, to).map_err(|_| {
        for (field, message) in visit_errors(&draft.visit, (from, to), ui) {
            errors.insert(field.into(), message);
        }
    });
    for name in scoring::needs_comment(survey, &checked.answers) {
        if !draft.comments.contains_key(&name) {
            errors.insert(
                format!("comment_{name}"),
                Audit::ErrCommentFailed.text(ui).into(),
            );
        }
    }
    let visit = match visit {
        Ok(v) if errors.is_empty() => v,
        _ => {
            let bad = |q: &crate::survey::Question| {
                errors.contains_key(&q.name) || errors.contains_key(&format!("comment_{}", q.name))
            };
            let page = if ["visit_date", "time_in", "time_out"]
                .iter()
                .any(|f| errors.contains_key(*f))
            {
                0
            } else {
                survey
                    .groups
                    .iter()
                    .position(|g| g.questions.iter().any(bad))
                    .map_or(0, |p| p + 1)
            };
            return draw
                .page(draft, page, &errors, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let score = scoring::score(survey, &checked.answers);
    let now = time::OffsetDateTime::now_utc();
    let flags = rules::flags(
        &visit,
        state.settings.min_visit_minutes,
        time::PrimitiveDateTime::new(now.date(), now.time()),
    );
    let comments: Vec<(String, String)> = draft
        .comments
        .iter()
        .filter(|(q, _)| checked.relevant.contains(*q))
        .map(|(q, c)| (q.clone(), c.clone()))
        .collect();
    audits::submit(
        &state.db.write,
        audit.id,
        user.id,
        audit.status(),
        Submission {
            survey,
            answers: &checked.answers,
            comments: &comments,
            score: &score,
            visit: (
                &visit.date.to_string(),
                &draft.visit.time_in,
                &draft.visit.time_out,
            ),
            flags: &flags,
        },
    )
    .await?;
    tracing::info!(audit = audit.id, "audit submitted");
    Ok(Redirect::to("/audits?done=submitted").into_response())
}

/// What stays the same across the pages drawn for one request.
struct Drawer<'a> {
    state: &'a AppState,
    viewer: &'a Viewer,
    audit: &'a AuditRow,
    survey: &'a Survey,
    lang: Lang,
    asked_lang: Option<Lang>,
    events: &'a [audits::EventRow],
}

impl Drawer<'_> {
    async fn page(
        &self,
        draft: &Draft,
        page: usize,
        errors: &FieldErrors,
        status: StatusCode,
    ) -> Result<Response> {
        let raw = draft_raw(draft);
        let checked = answers::check(self.survey, &raw, Scope::All, self.lang);
        let pages: Vec<usize> = (0..=self.survey.groups.len())
            .filter(|p| {
                *p == 0
                    || *p == page
                    || checked.relevant_groups.get(p - 1).copied().unwrap_or(false)
            })
            .collect();
        let evidence = evidence::list(&self.state.db.read, self.audit.id).await?;
        let revision_reason = (self.audit.status() == Status::RevisionRequested)
            .then(|| {
                self.events
                    .iter()
                    .rev()
                    .find(|e| e.to_status == "revision_requested")
                    .and_then(|e| e.reason.clone())
            })
            .flatten();
        let markup = audit_page(&AuditPage {
            viewer: self.viewer,
            audit: self.audit,
            survey: self.survey,
            lang: self.lang,
            asked_lang: self.asked_lang,
            page,
            page_number: pages.iter().position(|p| *p == page).unwrap_or(0) + 1,
            page_total: pages.len(),
            is_last: pages.last() == Some(&page),
            relevant: &checked.relevant,
            draft,
            values: &raw,
            errors,
            evidence: &evidence,
            revision_reason: revision_reason.as_deref(),
        });
        let mut response = (status, markup).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }
}
