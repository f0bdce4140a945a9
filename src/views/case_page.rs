//! One case on a phone: what the customer said, where it stands in the 8 steps, the current step's form, replies, notes and the history.

use maud::{Markup, PreEscaped, html};
use time::{OffsetDateTime, UtcOffset};

use super::cases::{CASE_CSS, choice, late_tag, textarea};
use super::staff::{Viewer, alert, csrf, notice, staff_page_h1};
use crate::answers::FieldErrors;
use crate::cases::flow::Actor;
use crate::cases::page::{StepValues, position};
use crate::cases::taxonomy::Taxonomy;
use crate::cases::{Channel, Priority, Request, Step};
use crate::db::cases::{CaseRow, EventRow};
use crate::i18n::Lang;
use crate::i18n::cases::Case as T;
use crate::i18n::format::stored_time;
use crate::web::case_public::Links;

pub struct CasePage<'a> {
    pub viewer: &'a Viewer,
    pub actor: &'a Actor,
    pub case: &'a CaseRow,
    pub events: &'a [EventRow],
    pub owners: &'a [(i64, String, String)],
    pub taxonomy: &'a Taxonomy,
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
    pub notice: Option<&'a str>,
    pub refused: Option<&'a str>,
    pub errors: &'a FieldErrors,
    /// What a refused post carried, drawn back into the form that posted it.
    pub typed: Option<&'a StepValues>,
    pub links: &'a Links,
}

impl CasePage<'_> {
    /// The refused post's values if the form posting `action` sent them.
    fn typed_by(&self, action: &str) -> Option<&StepValues> {
        self.typed.filter(|t| t.action == action)
    }
}

/// A posted choice, or `""` (nothing chosen).
fn chosen(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn yes_no(lang: Lang) -> [(&'static str, &'static str); 2] {
    [("yes", T::Yes.text(lang)), ("no", T::No.text(lang))]
}

fn answered(v: Option<bool>, lang: Lang) -> &'static str {
    match v {
        Some(true) => T::Yes.text(lang),
        Some(false) => T::No.text(lang),
        None => T::NotAsked.text(lang),
    }
}

/// The form of the step the case is at; a step this person may not take says who may.
fn step_form<'a>(p: &CasePage<'a>) -> Markup {
    let lang = p.viewer.lang;
    let c = p.case;
    let e = p.errors;
    let step = c.step();
    let action = format!("/cases/{}/step", c.code);
    // What was typed into this step's form when it was refused, else what is stored.
    let t = p.typed.filter(|t| t.posted_at(step));
    let typed = |f: fn(&StepValues) -> &str| t.map_or("", f);
    let kept = |f: fn(&StepValues) -> &str, stored: &'a Option<String>| {
        t.map_or(stored.as_deref().unwrap_or(""), f)
    };
    let fields = match step {
        Step::Validity => html! {
            input type="hidden" name="action" value="judge";
            (choice("valid", T::StepValidity.text(lang), &[("yes", T::Valid.text(lang)), ("no", T::Invalid.text(lang))], typed(|t| chosen(&t.valid)), e))
            (textarea("reason", T::InvalidReason.text(lang), typed(|t| &t.reason), e))
        },
        Step::Assign => {
            let owners: Vec<(String, String)> = p
                .owners
                .iter()
                .map(|(id, name, role)| {
                    let role = crate::auth::Role::parse(role).map_or("", |r| r.name(lang));
                    (id.to_string(), format!("{name} ({role})"))
                })
                .collect();
            html! {
                input type="hidden" name="action" value="assign";
                (super::staff::select("owner", T::Owner.text(lang), &owners, typed(|t| t.owner.trim()), e))
                (super::staff::field("department", T::Department.text(lang), "text", kept(|t| &t.department, &c.department), e))
            }
        }
        Step::Cause => {
            let cats: Vec<(String, String)> = p
                .taxonomy
                .categories
                .iter()
                .map(|k| (k.name.clone(), k.label(lang).to_owned()))
                .collect();
            html! {
                input type="hidden" name="action" value="cause";
                (super::staff::select("category", T::Category.text(lang), &cats, typed(|t| t.category.trim()), e))
                (textarea("root_cause", T::RootCause.text(lang), typed(|t| &t.root_cause), e))
            }
        }
        Step::Solution => html! {
            input type="hidden" name="action" value="propose";
            (textarea("solution", T::Solution.text(lang), kept(|t| &t.solution, &c.solution), e))
            (textarea("remedy", T::Remedy.text(lang), kept(|t| &t.remedy, &c.remedy), e))
            (super::staff::field("compensation", T::Compensation.text(lang), "text", kept(|t| &t.compensation, &c.compensation), e))
        },
        Step::Approval if !p.actor.supervises() => {
            return html! { p { (T::SupervisorWait.text(lang)) } };
        }
        Step::Approval => html! {
            (textarea("approval_note", T::ApprovalNote.text(lang), typed(|t| &t.approval_note), e))
            button type="submit" name="action" value="approve" { (T::Approve.text(lang)) }
            (textarea("back_reason", T::SendBackReason.text(lang), typed(|t| &t.back_reason), e))
            button.sec type="submit" name="action" value="send_back" { (T::SendBack.text(lang)) }
        },
        Step::Implement => html! {
            input type="hidden" name="action" value="implement";
            (textarea("implementation", T::Implementation.text(lang), typed(|t| &t.implementation), e))
        },
        Step::Summary => html! {
            input type="hidden" name="action" value="close";
            (textarea("summary", T::Summary.text(lang), typed(|t| &t.summary), e))
            (choice("customer_accepted", T::CustomerAccepted.text(lang), &yes_no(lang), typed(|t| chosen(&t.customer_accepted)), e))
            (choice("resolved", T::Resolved.text(lang), &yes_no(lang), typed(|t| chosen(&t.resolved)), e))
        },
        Step::Closed => return html! {},
    };
    html! {
        section id="step" {
            h2 {
                @if let Some((n, total)) = position(c.kind(), step) { (T::step_of(lang, n, total)) " · " }
                (step.label(lang))
            }
            form method="post" action=(action) {
                (csrf(&p.viewer.csrf))
                (fields)
                @if step != Step::Approval { button type="submit" { (T::Save.text(lang)) } }
            }
        }
    }
}

fn progress(c: &CaseRow, lang: Lang) -> Markup {
    let steps = c.kind().steps();
    let at = steps.iter().position(|s| *s == c.step()).unwrap_or(0);
    html! {
        ol.steps {
            @for (i, s) in steps.iter().enumerate() {
                @if let Some((n, _)) = position(c.kind(), *s) {
                    li.now[i == at].done[i < at] { (n) ". " (s.label(lang)) }
                }
            }
        }
    }
}

fn history(p: &CasePage) -> Markup {
    let lang = p.viewer.lang;
    html! {
        h2 { (T::History.text(lang)) }
        ol.hist {
            @for ev in p.events {
                li {
                    span.hint { (stored_time(&ev.at, p.offset, lang)) " · " }
                    strong { (T::event(&ev.action, lang)) }
                    " · " (ev.actor.as_deref().unwrap_or(if ev.action == "opened" || ev.action == "recovery" { T::Customer.text(lang) } else { T::System.text(lang) }))
                    @if ev.public { " " span.tag { (T::StatusLink.text(lang)) } }
                    @if let Some(n) = &ev.note { div.quote { (n) } }
                }
            }
        }
    }
}

pub fn case_page(p: &CasePage) -> Markup {
    let lang = p.viewer.lang;
    let c = p.case;
    let request = Request::parse(&c.request).map_or(c.request.as_str(), |r| r.label(lang));
    let channel = Channel::parse(&c.channel).map_or(c.channel.as_str(), |r| r.label(lang));
    let priority = Priority::parse(&c.priority).map_or(c.priority.as_str(), |r| r.label(lang));
    let title = format!("{} · {}", c.code, c.kind().label(lang));
    // The code is data, not words: a translating browser must leave it alone.
    let h1 = html! { span translate="no" { (c.code) } " · " (c.kind().label(lang)) };
    let body = html! {
        style { (PreEscaped(CASE_CSS)) }
        (alert(p.refused))
        (notice(p.notice))
        p {
            span.tag { (c.step().label(lang)) } (late_tag(c.late(p.now), lang))
            " " span.tag { (priority) } " " span.tag { (channel) }
        }
        (progress(c, lang))
        dl {
            dt { (T::Store.text(lang)) } dd { (c.store) " " (c.store_name.as_deref().unwrap_or("")) }
            dt { (T::OpenedAt.text(lang)) } dd { (stored_time(&c.opened_at, p.offset, lang)) }
            // Each time stays on one line, but the reply's two may not: in English they
            // are wider than a phone.
            dt { (T::ReplyBy.text(lang)) } dd {
                span.due { (stored_time(&c.reply_due, p.offset, lang)) }
                @if let Some(r) = &c.first_reply_at { " · " span.due { (T::Replied.text(lang)) " " (stored_time(r, p.offset, lang)) } }
            }
            dt { (T::ResolveBy.text(lang)) } dd { span.due { (stored_time(&c.resolve_due, p.offset, lang)) } }
            dt { (T::Wants.text(lang)) } dd { (request) }
            @if let Some(o) = &c.owner_name { dt { (T::Owner.text(lang)) } dd { (o) } }
            @if let Some(d) = &c.department { dt { (T::Department.text(lang)) } dd { (d) } }
            @if let Some(k) = &c.category { dt { (T::Category.text(lang)) } dd { (p.taxonomy.label(k, lang)) } }
        }
        h2 { (T::CustomerWords.text(lang)) }
        div.quote { (c.description) }
        h2 { (T::Contact.text(lang)) }
        @if let Some(contact) = &c.contact {
            p.wrap { (contact) }
            form method="post" action={ "/cases/" (c.code) "/erase" } {
                (csrf(&p.viewer.csrf))
                button.sec type="submit" { (T::Erase.text(lang)) }
                span.hint { " " (T::EraseHint.text(lang)) }
            }
        } @else if c.erased_at.is_some() {
            p { (T::ContactErased.text(lang)) }
        } @else {
            p { (T::ContactNone.text(lang)) }
        }
        (step_form(p))
        @if c.step().is_open() {
            section id="reply" {
                h2 { (T::ReplyTitle.text(lang)) }
                form method="post" action={ "/cases/" (c.code) "/reply" } {
                    (csrf(&p.viewer.csrf))
                    (textarea("message", T::ReplyHint.text(lang), p.typed_by("reply").map_or("", |t| &t.message), p.errors))
                    button type="submit" { (T::Send.text(lang)) }
                }
            }
        } @else {
            (recovery(p))
        }
        section id="note" {
            h2 { (T::NoteTitle.text(lang)) }
            form method="post" action={ "/cases/" (c.code) "/note" } {
                (csrf(&p.viewer.csrf))
                (textarea("text", T::NoteHint.text(lang), p.typed_by("note").map_or("", |t| &t.text), p.errors))
                button.sec type="submit" { (T::AddNote.text(lang)) }
            }
        }
        h2 { (T::StatusLink.text(lang)) }
        p.wrap { a href=(p.links.status) { (p.links.status) } }
        (history(p))
    };
    staff_page_h1(p.viewer, &title, h1, body)
}

/// After closing: the recovery answers, or the link and the return-visit form.
fn recovery(p: &CasePage) -> Markup {
    let lang = p.viewer.lang;
    let c = p.case;
    let typed = p.typed_by("recovery");
    html! {
        section id="recovery" {
            h2 { (T::Recovery.text(lang)) }
            @if c.recovery_at.is_some() {
                dl {
                    dt { (T::RecoverySatisfied.text(lang)) } dd { (answered(c.recovery_satisfied, lang)) }
                    dt { (T::RecoveryReturn.text(lang)) } dd { (answered(c.recovery_return, lang)) }
                }
            } @else {
                p { (T::RecoveryLink.text(lang)) }
                p.wrap { a href=(p.links.recovery) { (p.links.recovery) } }
                form method="post" action={ "/cases/" (c.code) "/recovery" } {
                    (csrf(&p.viewer.csrf))
                    (choice("satisfied", T::RecoverySatisfied.text(lang), &yes_no(lang), typed.map_or("", |t| chosen(&t.satisfied)), p.errors))
                    (choice("will_return", T::RecoveryReturn.text(lang), &yes_no(lang), typed.map_or("", |t| chosen(&t.will_return)), p.errors))
                    button type="submit" { (T::RecoveryRecord.text(lang)) }
                }
            }
        }
    }
}
