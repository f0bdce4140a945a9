//! The shopper's audit pages (visit details, then one page per section) and the summary after submission.

use std::collections::HashSet;

use maud::{Markup, html};
use time::UtcOffset;

use super::audits::day;
use super::form::{Fields, question};
use super::staff::{Viewer, csrf, staff_page_in};
use crate::answers::{FieldErrors, RawAnswers};
use crate::audits::{Draft, Status};
use crate::db::audits::{AuditRow, EventRow};
use crate::db::evidence::EvidenceInfo;
use crate::i18n::audits::{Audit, event_name, status_name};
use crate::i18n::{Lang, Ui, format};
use crate::survey::Survey;

pub struct AuditPage<'a> {
    pub viewer: &'a Viewer,
    pub audit: &'a AuditRow,
    pub survey: &'a Survey,
    /// The checklist's own text (sections, items, their options) is in this language;
    /// the page's chrome and messages are in `viewer.lang`.
    pub lang: Lang,
    /// `?lang=` the page was opened with, kept on the form's address so the answer to a
    /// post is in the same language.
    pub asked_lang: Option<Lang>,
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

/// A row of buttons that never squeezes a label to one character per line: each keeps its
/// words on one line and the row wraps, so on a phone they stack full width.
const BUTTON_ROW: &str = "flex-wrap:wrap";
const BUTTON: &str = "white-space:nowrap;flex:1 0 auto";

/// The store, the window and the scenario, in the reader's words.
fn assignment_line(a: &AuditRow, ui: Lang) -> Markup {
    html! {
        p { strong { (a.store_name) } " (" (a.store_code) ") · " (day(&a.window_from, ui)) " – " (day(&a.window_to, ui)) }
        @if let Some(s) = &a.scenario { p { (Audit::Scenario.text(ui)) (s) } }
    }
}

pub fn audit_page(p: &AuditPage) -> Markup {
    let a = p.audit;
    let lang = p.lang;
    let ui = p.viewer.lang;
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
    let progress = Audit::Progress
        .fill(ui, p.page_number)
        .replace("{total}", &p.page_total.to_string());
    let action = match p.asked_lang {
        Some(l) => format!("/audits/{}?lang={l}", a.id),
        None => format!("/audits/{}", a.id),
    };
    let body = html! {
        (assignment_line(a, ui))
        @if let Some(r) = p.revision_reason { p.alert role="alert" { (Audit::SentBack.text(ui)) (r) } }
        @if !p.errors.is_empty() { div.summary role="alert" id="alert" { p.err { (Audit::ErrorSummary.text(ui)) } } }
        p.hint id="progress" { (progress) }
        progress value=(p.page_number) max=(p.page_total) aria-labelledby="progress" {}
        form method="post" action=(action) enctype="multipart/form-data" {
            (csrf(&p.viewer.csrf))
            input type="hidden" name="_page" value=(p.page);
            input type="hidden" name="_lang" value=(lang);
            @if p.page == 0 {
                h2 lang=(ui.code()) { (Audit::VisitHeading.text(ui)) }
                div lang=(ui.code()) {
                    (input("visit_date", Audit::VisitDate.text(ui), "date", &p.draft.visit.visit_date, p.errors))
                    (input("time_in", Audit::TimeIn.text(ui), "time", &p.draft.visit.time_in, p.errors))
                    (input("time_out", Audit::TimeOut.text(ui), "time", &p.draft.visit.time_out, p.errors))
                }
            } @else {
                @let group = &p.survey.groups[p.page - 1];
                h2 { (group.label.get(lang)) }
                @for q in group.questions.iter().filter(|q| p.relevant.contains(&q.name)) {
                    (question(q, &fields, true))
                    @if q.scoring.is_some() {
                        @let name = format!("comment_{}", q.name);
                        @let comment = p.draft.comments.get(&q.name).map(String::as_str).unwrap_or("");
                        @let needed = q.scoring.as_ref().is_some_and(|s| s.comment_on_fail);
                        details.q open[!comment.is_empty() || p.errors.contains_key(&name)] lang=(ui.code()) {
                            summary { @if needed { (Audit::CommentIfFailed.text(ui)) } @else { (Audit::Comment.text(ui)) } }
                            (err(p.errors, &name))
                            textarea name=(name) aria-label=(Audit::CommentOn.fill(ui, q.label.get(lang))) maxlength="2000"
                                aria-invalid=[p.errors.get(&name).map(|_| "true")]
                                aria-describedby=[p.errors.get(&name).map(|_| format!("err-{name}"))] { (comment) }
                        }
                    }
                }
            }
            div.q lang=(ui.code()) {
                label for="evidence" { @if p.page == 0 { (Audit::ReceiptPhoto.text(ui)) } @else { (Audit::PhotoEvidence.text(ui)) } }
                (err(p.errors, "evidence"))
                input type="file" id="evidence" name="evidence" accept="image/jpeg,image/png,image/webp,image/gif" multiple
                    aria-invalid=[p.errors.get("evidence").map(|_| "true")]
                    aria-describedby=[p.errors.get("evidence").map(|_| "err-evidence")];
                @for (i, e) in photos.iter().enumerate() {
                    div {
                        img src={ "/audits/" (a.id) "/evidence/" (e.id) } width="96" alt=(Audit::PhotoN.fill(ui, i + 1));
                        " " span.hint { (format::thousands(e.size / 1024)) " KB" } " "
                        button.sec type="submit" name="_nav" value={ "delete-" (e.id) } formnovalidate { (Audit::Remove.text(ui)) }
                    }
                }
            }
            div.nav style=(BUTTON_ROW) lang=(ui.code()) {
                @if p.is_last {
                    button type="submit" name="_nav" value="submit" style=(BUTTON) { (Ui::Submit.text(ui)) }
                } @else {
                    button type="submit" name="_nav" value="next" style=(BUTTON) { (Ui::Next.text(ui)) }
                }
                @if p.page_number > 1 {
                    button.sec type="submit" name="_nav" value="back" formnovalidate style=(BUTTON) { (Ui::Back.text(ui)) }
                }
                button.sec type="submit" name="_nav" value="save" formnovalidate style=(BUTTON) { (Audit::SaveLater.text(ui)) }
            }
        }
    };
    staff_page_in(p.viewer, lang, p.survey.title.get(lang), body)
}

/// The history of an audit: every state change with who, when (in the stores' time zone) and why.
pub fn history(events: &[EventRow], lang: Lang, offset: UtcOffset) -> Markup {
    let (when, who, what, why) = (
        Audit::ThWhen.text(lang),
        Audit::ThWho.text(lang),
        Audit::ThWhat.text(lang),
        Audit::ThWhy.text(lang),
    );
    let status = |s: &str| {
        Status::parse(s).map_or_else(|| s.to_owned(), |s| status_name(s, lang).to_owned())
    };
    html! {
        table.cards lang=(lang.code()) {
            thead { tr { th { (when) } th { (who) } th { (what) } th { (why) } } }
            tbody {
                @for e in events {
                    tr {
                        td data-label=(when) { (format::stored_time(&e.at, offset, lang)) }
                        td data-label=(who) { (e.actor) }
                        td data-label=(what) {
                            span {
                                (event_name(&e.action, lang))
                                @if let Some(f) = &e.from_status { span.hint { " (" (status(f)) " → " (status(&e.to_status)) ")" } }
                            }
                        }
                        td data-label=(why) { (e.reason.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

/// What a shopper (or staff, before submission) sees of an audit they do not edit.
pub fn audit_summary(
    viewer: &Viewer,
    a: &AuditRow,
    survey: &Survey,
    lang: Lang,
    events: &[EventRow],
    offset: UtcOffset,
) -> Markup {
    let ui = viewer.lang;
    staff_page_in(
        viewer,
        lang,
        survey.title.get(lang),
        html! {
            div lang=(ui.code()) {
                (assignment_line(a, ui))
                p { (Audit::StatusIs.text(ui)) strong { (status_name(a.status(), ui)) } }
                @if let Some(d) = &a.visit_date {
                    p { (Audit::Visited.text(ui)) (day(d, ui)) " " (a.time_in.as_deref().unwrap_or("?")) "–" (a.time_out.as_deref().unwrap_or("?")) }
                }
                h2 { (Audit::History.text(ui)) }
                (history(events, ui, offset))
            }
        },
    )
}
