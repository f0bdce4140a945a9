//! The review page: what the shopper recorded, how it scored, what happened to it, and the decision form.

use maud::{Markup, html};
use time::UtcOffset;

use super::audit_form::history;
use super::audits::{day, score_text};
use super::staff::{Viewer, alert, csrf, notice, staff_page_in};
use crate::answers::{Checked, FieldErrors};
use crate::audits::Status;
use crate::db::audits::{AuditRow, EventRow};
use crate::db::evidence::EvidenceInfo;
use crate::i18n::audits::{Audit, flag_text, status_name};
use crate::i18n::{Lang, Ui, format};
use crate::scoring::AuditScore;
use crate::survey::{Critical, Kind, Question, Survey};

pub struct ReviewPage<'a> {
    pub viewer: &'a Viewer,
    pub audit: &'a AuditRow,
    pub survey: &'a Survey,
    /// The checklist's own text is shown in this language (the reader's when offered).
    pub lang: Lang,
    pub answers: &'a Checked,
    pub items: &'a AuditScore,
    /// Stored at submission: (section, percent, earned, possible, critical fail).
    pub sections: &'a [(String, Option<f64>, f64, f64, bool)],
    pub comments: &'a [(String, String)],
    pub evidence: &'a [EvidenceInfo],
    pub events: &'a [EventRow],
    pub errors: &'a FieldErrors,
    /// The reason as typed, kept when the decision was refused.
    pub reason: &'a str,
    /// Why the last decision was refused, shown at the top.
    pub refused: Option<&'a str>,
    /// A decision just recorded, shown at the top.
    pub done: Option<&'a str>,
    pub offset: UtcOffset,
}

/// Points as a reviewer reads them: "2", "1.5", never "2.00".
pub fn points(x: f64) -> String {
    let text = format::number(x, 2);
    match text.split_once('.') {
        Some((whole, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                whole.to_owned()
            } else {
                format!("{whole}.{frac}")
            }
        }
        None => text,
    }
}

/// An answer in words: the option's label rather than its code.
fn answer_text(q: &Question, p: &ReviewPage) -> String {
    let (ui, lang) = (p.viewer.lang, p.lang);
    let Some(answer) = p.answers.get(&q.name) else {
        return "—".into();
    };
    let label = |v: &str| match (&q.kind, v) {
        (Kind::YesNo { .. }, "yes") => Ui::Yes.text(ui).to_owned(),
        (Kind::YesNo { .. }, "no") => Ui::No.text(ui).to_owned(),
        (Kind::YesNo { .. }, "na") => Ui::NotApplicable.text(ui).to_owned(),
        (kind, v) => kind
            .choices()
            .and_then(|c| c.iter().find(|c| c.name == v))
            .map_or_else(|| v.to_owned(), |c| c.label.get(lang).to_owned()),
    };
    answer
        .form_values()
        .iter()
        .map(|v| label(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a failed critical item of visit scope zeroed the whole audit.
fn visit_knocked_out(p: &ReviewPage) -> bool {
    p.survey.groups.iter().zip(&p.items.sections).any(|(g, s)| {
        s.items.iter().any(|i| {
            i.failed
                && g.questions.iter().any(|q| {
                    q.name == i.name
                        && q.scoring.as_ref().and_then(|s| s.critical) == Some(Critical::Visit)
                })
        })
    })
}

/// A row of buttons that wraps rather than squeezing or overflowing on a phone.
const BUTTON_ROW: &str = "flex-wrap:wrap";
const BUTTON: &str = "white-space:nowrap;flex:1 0 auto";

pub fn review_page(p: &ReviewPage) -> Markup {
    let a = p.audit;
    let (ui, lang) = (p.viewer.lang, p.lang);
    let flags = a.flags();
    let minutes = match (
        a.time_in.as_deref().and_then(crate::audits::parse_time),
        a.time_out.as_deref().and_then(crate::audits::parse_time),
    ) {
        (Some(i), Some(o)) => Some((o - i).whole_minutes()),
        _ => None,
    };
    let visit_ko = visit_knocked_out(p);
    let section_ko = p.sections.iter().any(|s| s.4);
    let (th_section, th_score, th_points) = (
        Audit::ThSection.text(ui),
        Audit::ThScore.text(ui),
        Audit::ThPoints.text(ui),
    );
    let (th_item, th_answer, th_comment) = (
        Audit::ThItem.text(ui),
        Audit::ThAnswer.text(ui),
        Audit::ThComment.text(ui),
    );
    let body = html! {
        (alert(p.refused))
        (notice(p.done))
        div lang=(ui.code()) {
            p {
                strong { (a.store_name) } " (" (a.store_code) ") · " (Audit::ShopperIs.text(ui)) strong { (a.shopper) }
                " · " (Audit::WindowIs.text(ui)) (day(&a.window_from, ui)) " – " (day(&a.window_to, ui))
            }
            @if let Some(s) = &a.scenario { p { (Audit::Scenario.text(ui)) (s) } }
            p {
                (Audit::StatusIs.text(ui)) strong { (status_name(a.status(), ui)) }
                @if a.excluded { " " span.tag.flag { (Audit::TagExcluded.text(ui)) } " " (a.exclusion_reason.as_deref().unwrap_or("")) }
            }
            p {
                (Audit::VisitIs.text(ui))
                (a.visit_date.as_deref().map_or_else(|| "?".to_owned(), |d| day(d, ui))) " "
                (a.time_in.as_deref().unwrap_or("?")) "–" (a.time_out.as_deref().unwrap_or("?"))
                @if let Some(m) = minutes { " (" (Audit::Minutes.fill(ui, m)) ")" }
            }
            @if !flags.is_empty() {
                div.summary { strong { (Audit::FlagsTitle.text(ui)) } ul { @for f in &flags { li { (flag_text(f, ui)) } } } }
            }
            h2 {
                (Audit::ScoreIs.text(ui)) (score_text(a.score, ui))
                @if a.critical_fail && visit_ko { " " span.tag.flag.ko-visit { (Audit::KnockoutVisit.text(ui)) } }
                @else if a.critical_fail && section_ko { " " span.tag.flag.ko-section { (Audit::KnockoutInSections.text(ui)) } }
            }
        }
        table.cards {
            thead { tr { th { (th_section) } th { (th_score) } th { (th_points) } } }
            tbody {
                // The checklist's order, not the order the scores were stored in.
                @for group in &p.survey.groups {
                    @if let Some((_, percent, earned, possible, critical)) = p.sections.iter().find(|s| s.0 == group.name) {
                        tr {
                            td data-label=(th_section) { (group.label.get(lang)) }
                            td data-label=(th_score) {
                                span {
                                    (score_text(*percent, ui))
                                    @if *critical { " " span.tag.flag.ko-section lang=(ui.code()) { (Audit::KnockoutSection.text(ui)) } }
                                }
                            }
                            td data-label=(th_points) { (points(*earned)) " / " (points(*possible)) }
                        }
                    }
                }
            }
        }
        @for (group, section) in p.survey.groups.iter().zip(&p.items.sections) {
            h2 { (group.label.get(lang)) }
            table.cards {
                thead { tr { th { (th_item) } th { (th_answer) } th { (th_points) } th { (th_comment) } } }
                tbody {
                    @for q in group.questions.iter().filter(|q| p.answers.relevant.contains(&q.name)) {
                        @let item = section.items.iter().find(|i| i.name == q.name);
                        @let scoring = q.scoring.as_ref();
                        @let critical = scoring.and_then(|s| s.critical);
                        tr {
                            td data-label=(th_item) {
                                span {
                                    (q.label.get(lang))
                                    @match critical {
                                        Some(Critical::Visit) => { " " span.tag.critical.flag[item.is_some_and(|i| i.failed)] lang=(ui.code()) { (Audit::CriticalVisitItem.text(ui)) } }
                                        Some(Critical::Section) => { " " span.tag.critical.flag[item.is_some_and(|i| i.failed)] lang=(ui.code()) { (Audit::CriticalSectionItem.text(ui)) } }
                                        None => {}
                                    }
                                }
                            }
                            td data-label=(th_answer) { (answer_text(q, p)) }
                            td data-label=(th_points) {
                                @if let Some(i) = item {
                                    span lang=(ui.code()) {
                                        @if i.na { (Audit::NotApplicable.text(ui)) }
                                        @else if scoring.is_some_and(|s| s.bonus) {
                                            "+" (points(i.earned)) " " span.tag { (Audit::Bonus.text(ui)) }
                                        }
                                        @else { (points(i.earned)) " / " (points(i.possible)) }
                                        @if i.failed { " " span.tag.flag { (Audit::Failed.text(ui)) } }
                                    }
                                }
                            }
                            td data-label=(th_comment) { (p.comments.iter().find(|(n, _)| *n == q.name).map_or("", |(_, c)| c.as_str())) }
                        }
                    }
                }
            }
            (photos(a.id, p.evidence, &group.name, group.label.get(lang), ui))
        }
        div lang=(ui.code()) {
            h2 { (Audit::Receipt.text(ui)) }
            (photos(a.id, p.evidence, "visit", Audit::Receipt.text(ui), ui))
            h2 { (Audit::History.text(ui)) }
            (history(p.events, ui, p.offset))
            (decision(p))
        }
    };
    let title = Audit::ReviewTitle.fill(ui, p.survey.title.get(lang));
    staff_page_in(p.viewer, lang, &title, body)
}

fn photos(audit: i64, evidence: &[EvidenceInfo], section: &str, label: &str, ui: Lang) -> Markup {
    html! {
        @for (i, e) in evidence.iter().filter(|e| e.section == section).enumerate() {
            a href={ "/audits/" (audit) "/evidence/" (e.id) } {
                img src={ "/audits/" (audit) "/evidence/" (e.id) } width="160" alt={ (Audit::EvidencePhoto.fill(ui, i + 1)) " · " (label) };
            }
            " "
        }
    }
}

fn decision(p: &ReviewPage) -> Markup {
    let a = p.audit;
    let ui = p.viewer.lang;
    let actions: &[(&str, Audit)] = match a.status() {
        Status::Submitted => &[
            ("approve", Audit::Approve),
            ("revise", Audit::SendBack),
            ("reject", Audit::Reject),
        ],
        Status::Approved if a.excluded => &[("include", Audit::Include)],
        Status::Approved => &[("exclude", Audit::Exclude)],
        _ => &[],
    };
    html! {
        @if !actions.is_empty() {
            h2 id="decision" { (Audit::Decision.text(ui)) }
            form method="post" action={ "/audits/" (a.id) "/review" } {
                (csrf(&p.viewer.csrf))
                div.field {
                    label for="reason" { (Audit::ReasonLabel.text(ui)) }
                    @if let Some(e) = p.errors.get("reason") { p.err id="err-reason" { (e) } }
                    textarea id="reason" name="reason" maxlength="1000"
                        aria-invalid=[p.errors.get("reason").map(|_| "true")]
                        aria-describedby=[p.errors.get("reason").map(|_| "err-reason")] { (p.reason) }
                }
                div.nav style=(BUTTON_ROW) {
                    @for (value, label) in actions {
                        button.sec[*value != "approve"] type="submit" name="action" value=(value) style=(BUTTON) { (label.text(ui)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::points;

    #[test]
    fn points_drop_needless_decimals() {
        assert_eq!(points(2.0), "2");
        assert_eq!(points(1.5), "1.5");
        assert_eq!(points(0.0), "0");
        assert_eq!(points(2.0 / 3.0), "0.67");
    }
}
