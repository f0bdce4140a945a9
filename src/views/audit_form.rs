//! The shopper's audit pages (visit details, then one page per section) and the summary after submission.

use std::collections::HashSet;

use maud::{Markup, html};

use super::form::{Fields, question};
use super::staff::{Viewer, csrf, staff_page_in};
use crate::answers::{FieldErrors, RawAnswers};
use crate::audits::Draft;
use crate::db::audits::{AuditRow, EventRow};
use crate::db::evidence::EvidenceInfo;
use crate::i18n::{Lang, Ui};
use crate::survey::Survey;

pub struct AuditPage<'a> {
    pub viewer: &'a Viewer,
    pub audit: &'a AuditRow,
    pub survey: &'a Survey,
    pub lang: Lang,
    /// 0 is the visit page, then one page per section.
    pub page: usize,
    pub page_number: usize,
    pub page_total: usize,
    pub is_last: bool,
    pub relevant: &'a HashSet<String>,
    pub draft: &'a Draft,
    pub values: &'a RawAnswers,
    pub errors: &'a FieldErrors,
    pub evidence: &'a [EvidenceInfo],
    pub revision_reason: Option<&'a str>,
}

fn err(errors: &FieldErrors, name: &str) -> Markup {
    html! { @if let Some(e) = errors.get(name) { p.err id={ "err-" (name) } { (e) } } }
}

fn input(name: &str, label: &str, kind: &str, value: &str, errors: &FieldErrors) -> Markup {
    html! {
        div.q {
            label for=(name) { (label) }
            (err(errors, name))
            input type=(kind) id=(name) name=(name) value=(value)
                aria-invalid=[errors.get(name).map(|_| "true")]
                aria-describedby=[errors.get(name).map(|_| format!("err-{name}"))];
        }
    }
}

pub fn audit_page(p: &AuditPage) -> Markup {
    let a = p.audit;
    let lang = p.lang;
    let section = if p.page == 0 {
        "visit"
    } else {
        p.survey.groups[p.page - 1].name.as_str()
    };
    let photos: Vec<&EvidenceInfo> = p.evidence.iter().filter(|e| e.section == section).collect();
    let fields = Fields {
        lang,
        values: p.values,
        errors: p.errors,
    };
    let progress = Ui::Progress
        .text(lang)
        .replace("{n}", &p.page_number.to_string())
        .replace("{total}", &p.page_total.to_string());
    let body = html! {
        p { strong { (a.store_name) } " (" (a.store_code) ") · " (a.window_from) " – " (a.window_to) }
        @if let Some(s) = &a.scenario { p { "Scenario: " (s) } }
        @if let Some(r) = p.revision_reason { p.err role="alert" { "Sent back for revision: " (r) } }
        @if !p.errors.is_empty() { div.summary role="alert" { p.err { (Ui::ErrorSummary.text(lang)) } } }
        p.hint id="progress" { (progress) }
        progress value=(p.page_number) max=(p.page_total) aria-labelledby="progress" {}
        form method="post" action={ "/audits/" (a.id) } enctype="multipart/form-data" {
            (csrf(&p.viewer.csrf))
            input type="hidden" name="_page" value=(p.page);
            input type="hidden" name="_lang" value=(lang);
            @if p.page == 0 {
                h2 { "Visit · 到店信息" }
                (input("visit_date", "Visit date · 到店日期", "date", &p.draft.visit.visit_date, p.errors))
                (input("time_in", "Time in · 进店时间", "time", &p.draft.visit.time_in, p.errors))
                (input("time_out", "Time out · 离店时间", "time", &p.draft.visit.time_out, p.errors))
            } @else {
                @let group = &p.survey.groups[p.page - 1];
                h2 { (group.label.get(lang)) }
                @for q in group.questions.iter().filter(|q| p.relevant.contains(&q.name)) {
                    (question(q, &fields, true))
                    @if q.scoring.is_some() {
                        @let name = format!("comment_{}", q.name);
                        @let comment = p.draft.comments.get(&q.name).map(String::as_str).unwrap_or("");
                        @let needed = q.scoring.as_ref().is_some_and(|s| s.comment_on_fail);
                        details.q open[!comment.is_empty() || p.errors.contains_key(&name)] {
                            summary { @if needed { "Comment (required if failed) · 备注" } @else { "Comment · 备注" } }
                            (err(p.errors, &name))
                            textarea name=(name) aria-label={ "Comment on " (q.name) } maxlength="2000" { (comment) }
                        }
                    }
                }
            }
            div.q {
                label for="evidence" { @if p.page == 0 { "Receipt photo · 小票照片" } @else { "Photo evidence · 照片证据" } }
                (err(p.errors, "evidence"))
                input type="file" id="evidence" name="evidence" accept="image/jpeg,image/png,image/webp,image/gif" multiple;
                @for (i, e) in photos.iter().enumerate() {
                    div {
                        img src={ "/audits/" (a.id) "/evidence/" (e.id) } width="96" alt={ "Photo " (i + 1) };
                        " " span.hint { (e.size / 1024) " KB" } " "
                        button.sec type="submit" name="_nav" value={ "delete-" (e.id) } formnovalidate { "Remove" }
                    }
                }
            }
            div.nav {
                @if p.is_last {
                    button type="submit" name="_nav" value="submit" { (Ui::Submit.text(lang)) }
                } @else {
                    button type="submit" name="_nav" value="next" { (Ui::Next.text(lang)) }
                }
                @if p.page_number > 1 {
                    button.sec type="submit" name="_nav" value="back" formnovalidate { (Ui::Back.text(lang)) }
                }
                button.sec type="submit" name="_nav" value="save" formnovalidate { "Save, finish later" }
            }
        }
    };
    staff_page_in(p.viewer, lang, p.survey.title.get(lang), body)
}

/// The history of an audit: every state change with who, when and why.
pub fn history(events: &[EventRow]) -> Markup {
    html! {
        div.wide { table {
            thead { tr { th { "When (UTC)" } th { "Who" } th { "What" } th { "Why" } } }
            tbody {
                @for e in events {
                    tr {
                        td { (e.at) } td { (e.actor) }
                        td { (e.action) @if let Some(f) = &e.from_status { span.hint { " (" (f) " → " (e.to_status) ")" } } }
                        td { (e.reason.as_deref().unwrap_or("")) }
                    }
                }
            }
        } }
    }
}

/// What a shopper sees of an audit they can no longer edit.
pub fn audit_summary(
    viewer: &Viewer,
    a: &AuditRow,
    survey: &Survey,
    lang: Lang,
    events: &[EventRow],
) -> Markup {
    staff_page_in(
        viewer,
        lang,
        survey.title.get(lang),
        html! {
            p { strong { (a.store_name) } " (" (a.store_code) ") · " (a.window_from) " – " (a.window_to) }
            p { "Status: " strong { (a.status().label()) } }
            @if let Some(d) = &a.visit_date {
                p { "Visited " (d) " from " (a.time_in.as_deref().unwrap_or("?")) " to " (a.time_out.as_deref().unwrap_or("?")) }
            }
            h2 { "History" }
            (history(events))
        },
    )
}
