//! The customer's form page (one group per page, no JavaScript) and the thank-you page.

use maud::{Markup, html};

use super::layout;
use crate::answers::{FieldErrors, RawAnswers};
use crate::i18n::{Lang, Ui};
use crate::survey::{Choice, Indicator, Kind, Question, Survey};

/// Everything needed to draw one page of a form.
pub struct FormPage<'a> {
    pub survey: &'a Survey,
    pub lang: Lang,
    /// Index of the group shown.
    pub page: usize,
    /// 1-based position among the pages that currently apply, and their count.
    pub page_number: usize,
    pub page_total: usize,
    pub is_last: bool,
    /// The group's questions that are relevant now, in order.
    pub visible: Vec<&'a Question>,
    /// Posted values, to refill inputs and carry other pages' answers along.
    pub values: &'a RawAnswers,
    /// Questions shown at some point; defaults only fill the ones never shown.
    pub seen: &'a [String],
    pub errors: &'a FieldErrors,
    pub token: &'a str,
    pub store: Option<&'a str>,
    /// Shown above the questions, e.g. why a submit was not stored.
    pub notice: Option<Notice>,
    /// The receipt code, for a survey that asks for one (`settings.receipt`).
    pub receipt: Option<ReceiptField<'a>>,
}

/// The receipt code as the page carries it: typed on the first page, hidden after.
pub struct ReceiptField<'a> {
    pub value: &'a str,
    pub required: bool,
    /// Shown as an input (on the first page, until a valid code came from the link).
    pub editable: bool,
}

/// Why a submit was not stored, said in every language of the form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Notice {
    Ui(Ui),
    /// Too many responses from this connection lately: try again in this many minutes.
    Wait {
        minutes: u64,
    },
    /// A receipt code that can't be taken.
    Receipt(crate::receipt::ReceiptError),
}

impl Notice {
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Notice::Ui(ui), _) => ui.text(lang).to_owned(),
            (Notice::Wait { minutes }, Lang::Zh) => format!(
                "这个网络最近已经提交了好几份问卷，您的回答尚未保存。答案都还在，请约 {minutes} 分钟后再点“提交”。"
            ),
            (Notice::Wait { minutes }, Lang::En) => format!(
                "Several responses were sent from this connection recently, so yours is not saved yet. Your answers are all still here: please press Submit again in about {minutes} minute{}.",
                if *minutes == 1 { "" } else { "s" }
            ),
            (Notice::Receipt(e), _) => e.message(lang).to_owned(),
        }
    }
}

pub fn form_page(p: &FormPage) -> Markup {
    let s = p.survey;
    let lang = p.lang;
    let title = s.title.get(lang);
    let group = &s.groups[p.page];
    let progress = Ui::Progress
        .text(lang)
        .replace("{n}", &p.page_number.to_string())
        .replace("{total}", &p.page_total.to_string());
    let fields = Fields {
        lang,
        values: p.values,
        errors: p.errors,
    };
    let seen: Vec<&str> = p
        .seen
        .iter()
        .map(String::as_str)
        .chain(p.visible.iter().map(|q| q.name.as_str()))
        .collect();
    let body = html! {
        form method="post" action={ "/s/" (s.id) } {
            div.top {
                span { (title) }
                @for other in s.languages.iter().filter(|l| **l != lang) {
                    button.link type="submit" name="_nav" value={ "lang-" (other) } formnovalidate lang=(other.code()) {
                        (Ui::OtherLanguage.text(lang))
                    }
                }
            }
            @if p.page_total > 1 {
                p.hint id="progress" { (progress) }
                progress value=(p.page_number) max=(p.page_total) aria-labelledby="progress" {}
            }
            h1 { (group.label.get(lang)) }
            @if p.page_number == 1 {
                @if let Some(d) = &s.description { p { (d.get(lang)) } }
            }
            @if let Some(notice) = &p.notice {
                // Both languages: the respondent may have switched, and this must be read.
                div.summary role="alert" {
                    p.err { (notice.text(lang)) }
                    @for other in s.languages.iter().filter(|l| **l != lang) {
                        p lang=(other.code()) { (notice.text(*other)) }
                    }
                }
            }
            @if !p.errors.is_empty() {
                div.summary role="alert" {
                    p.err { (Ui::ErrorSummary.text(lang)) }
                    ul {
                        @for q in p.visible.iter().filter(|q| p.errors.contains_key(&q.name)) {
                            li { a href={ "#q-" (q.name) } { (q.label.get(lang)) } }
                        }
                    }
                }
            }
            input type="hidden" name="_page" value=(p.page);
            input type="hidden" name="_token" value=(p.token);
            input type="hidden" name="_lang" value=(lang);
            input type="hidden" name="_seen" value=(seen.join(" "));
            @if let Some(store) = p.store { input type="hidden" name="_store" value=(store); }
            @if let Some(r) = &p.receipt {
                @if r.editable && p.page_number == 1 {
                    div.q {
                        label for="q-_receipt" {
                            (Ui::ReceiptLabel.text(lang)) " "
                            span.req { "(" (if r.required { Ui::Required } else { Ui::Optional }.text(lang)) ")" }
                        }
                        p.hint { (Ui::ReceiptHint.text(lang)) }
                        input type="text" id="q-_receipt" name="_receipt" value=(r.value)
                            inputmode="numeric" autocomplete="off" maxlength="40" required[r.required];
                    }
                } @else {
                    input type="hidden" name="_receipt" value=(r.value);
                }
            }
            // Answers from other pages travel along, so Back and Next never lose them.
            @for q in s.answerable().filter(|q| !p.visible.iter().any(|v| v.name == q.name)) {
                @for v in p.values.get(&q.name).into_iter().flatten() {
                    input type="hidden" name=(q.name) value=(v);
                }
            }
            @for q in &p.visible { (question(q, &fields, p.seen.contains(&q.name))) }
            div.nav {
                @if p.is_last {
                    button type="submit" name="_nav" value="submit" { (Ui::Submit.text(lang)) }
                } @else {
                    button type="submit" name="_nav" value="next" { (Ui::Next.text(lang)) }
                }
                @if p.page_number > 1 {
                    button.sec type="submit" name="_nav" value="back" formnovalidate { (Ui::Back.text(lang)) }
                }
            }
        }
    };
    layout(lang, title, body)
}

/// What drawing a question needs besides the question: shared by customer forms and audits.
pub struct Fields<'a> {
    pub lang: Lang,
    pub values: &'a RawAnswers,
    pub errors: &'a FieldErrors,
}

/// One question. `was_seen` tells whether an empty value means "left empty" (no default then).
pub fn question(q: &Question, p: &Fields, was_seen: bool) -> Markup {
    let lang = p.lang;
    let id = format!("q-{}", q.name);
    let error = p.errors.get(&q.name);
    let err_id = format!("err-{}", q.name);
    let hint_id = format!("hint-{}", q.name);
    let described = [
        q.hint.as_ref().map(|_| hint_id.as_str()),
        error.map(|_| err_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described = (!described.is_empty()).then_some(described);
    let posted = p.values.get(&q.name);
    let values: Vec<&str> = match posted {
        Some(v) => v.iter().map(String::as_str).collect(),
        None if !was_seen => q.default.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    let has = |v: &str| values.contains(&v);
    // A conditional question can stop applying after an answer on the same page;
    // a browser-side `required` would then block a valid submit. The server checks it anyway.
    let required = q.required && q.relevant.is_none();
    let first = values.first().copied().unwrap_or("");
    let caption = html! {
        (q.label.get(lang))
        @if !matches!(q.kind, Kind::Note) {
            " " span.req { "(" (if q.required { Ui::Required.text(lang) } else { Ui::Optional.text(lang) }) ")" }
        }
    };
    let hint = html! {
        @if let Some(h) = &q.hint { span.hint id=(hint_id) { (h.get(lang)) } }
    };
    let err = html! {
        @if let Some(e) = error { p.err id=(err_id) { (e) } }
    };
    let options = |choices: Vec<(String, String)>, multi: bool, scale: bool| {
        html! {
            div class=(if scale { "scale" } else { "opts" }) {
                @for (i, (value, label)) in choices.iter().enumerate() {
                    label.opt {
                        input type=(if multi { "checkbox" } else { "radio" }) name=(q.name)
                            value=(value) checked[has(value)] required[required && !multi]
                            id=[(i == 0).then(|| id.clone())] aria-invalid=[error.map(|_| "true")];
                        span { (label) }
                    }
                }
            }
        }
    };
    let labelled = |choices: &[Choice]| -> Vec<(String, String)> {
        choices
            .iter()
            .map(|c| (c.name.clone(), c.label.get(lang).to_owned()))
            .collect()
    };
    let scale = |lo: i64, hi: i64| -> Vec<(String, String)> {
        (lo..=hi).map(|n| (n.to_string(), n.to_string())).collect()
    };
    let group = |body: Markup| {
        html! {
            fieldset.q.bad[error.is_some()] aria-describedby=[described.as_deref()] {
                legend { (caption) @if q.hint.is_some() { br; (hint) } }
                (err)
                (body)
            }
        }
    };
    match &q.kind {
        Kind::Note => html! { div.q { p { (q.label.get(lang)) } (hint) } },
        Kind::SelectOne(c) => group(options(labelled(c), false, false)),
        Kind::SelectMultiple(c) => group(options(labelled(c), true, false)),
        Kind::YesNo { na } => group(options(
            [("yes", Ui::Yes), ("no", Ui::No), ("na", Ui::NotApplicable)]
                .into_iter()
                .filter(|(v, _)| *na || *v != "na")
                .map(|(v, ui)| (v.to_owned(), ui.text(lang).to_owned()))
                .collect(),
            false,
            false,
        )),
        Kind::Rating | Kind::Nps => {
            let (lo, hi, low, high) = match (&q.kind, &q.indicator) {
                (Kind::Rating, Some(Indicator::Expectation(_))) => {
                    (1, 5, Ui::ExpectLow, Ui::ExpectHigh)
                }
                (Kind::Rating, _) => (1, 5, Ui::RatingLow, Ui::RatingHigh),
                _ => (0, 10, Ui::NpsLow, Ui::NpsHigh),
            };
            group(html! {
                (options(scale(lo, hi), false, true))
                div.ends aria-hidden="true" { span { (low.text(lang)) } span { (high.text(lang)) } }
            })
        }
        kind => {
            let input = match kind {
                Kind::Text { multiline: true } => html! {
                    textarea id=(id) name=(q.name) maxlength="2000" required[required]
                        aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] { (first) }
                },
                _ => {
                    let (ty, mode, step, min, max) = match kind {
                        Kind::Integer { min, max } => (
                            "number",
                            Some("numeric"),
                            Some("1".to_owned()),
                            min.map(|v| v.to_string()),
                            max.map(|v| v.to_string()),
                        ),
                        Kind::Decimal { min, max } => (
                            "number",
                            Some("decimal"),
                            Some("any".to_owned()),
                            min.map(|v| v.to_string()),
                            max.map(|v| v.to_string()),
                        ),
                        Kind::Date => ("date", None, None, None, None),
                        _ => ("text", None, None, None, None),
                    };
                    html! {
                        input type=(ty) id=(id) name=(q.name) value=(first) inputmode=[mode] step=[step]
                            min=[min] max=[max] maxlength=[(ty == "text").then_some("2000")] required[required]
                            aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")];
                    }
                }
            };
            html! {
                div.q.bad[error.is_some()] {
                    label for=(id) { (caption) }
                    (hint)
                    (err)
                    (input)
                }
            }
        }
    }
}

pub fn thanks_page(survey: &Survey, lang: Lang) -> Markup {
    let title = Ui::ThanksTitle.text(lang);
    layout(
        lang,
        title,
        html! {
            p.hint { (survey.title.get(lang)) }
            h1 { (title) }
            p { (Ui::ThanksBody.text(lang)) }
        },
    )
}

impl From<Ui> for Notice {
    fn from(ui: Ui) -> Notice {
        Notice::Ui(ui)
    }
}
