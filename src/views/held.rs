//! The held-back queue: responses the quality checks held, why, their key answers, the accept and exclude forms, and the decision log.

use maud::{Markup, html};

use super::staff::{Viewer, csrf, notice, pager, staff_page};
use crate::db::held::{BULK_LIMIT, DecisionRow};
use crate::i18n::admin::Admin;
use crate::i18n::staff::Staff;
use crate::i18n::{Lang, format};
use crate::paging::Page;
use crate::quality::Flag;

/// A flag's name in the reader's words; a flag added later shows by its stored name.
pub fn flag_name(flag: &str, lang: Lang) -> String {
    let key = match Flag::parse(flag) {
        Some(Flag::TooFast) => Admin::FlagTooFast,
        Some(Flag::StraightLined) => Admin::FlagStraightLined,
        Some(Flag::Duplicate) => Admin::FlagDuplicate,
        Some(Flag::Burst) => Admin::FlagBurst,
        None => return flag.to_owned(),
    };
    key.text(lang).to_owned()
}

/// Why a flag holds a response back, in a manager's words. By name, so a flag added
/// later still shows, with a general line, before it gets its own.
pub fn explain(flag: &str, lang: Lang) -> &'static str {
    match Flag::parse(flag) {
        Some(Flag::TooFast) => Admin::WhyTooFast,
        Some(Flag::StraightLined) => Admin::WhyStraightLined,
        Some(Flag::Duplicate) => Admin::WhyDuplicate,
        Some(Flag::Burst) => Admin::WhyBurst,
        None => Admin::WhyOther,
    }
    .text(lang)
}

/// The filter as the page shows and resends it: the values as typed, already checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    pub form: String,
    pub store: String,
    pub region: String,
    pub flag: String,
    pub from: String,
    pub to: String,
}

impl Params {
    fn pairs(&self) -> [(&'static str, &str); 6] {
        [
            ("form", &self.form),
            ("store", &self.store),
            ("region", &self.region),
            ("flag", &self.flag),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }

    /// The query string of the non-empty values (no leading `?`).
    pub fn query(&self) -> String {
        self.pairs()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Whether any part of the filter is set.
    pub fn any(&self) -> bool {
        self.pairs().iter().any(|(_, v)| !v.is_empty())
    }

    /// The filter as hidden fields, so a decision applies to (and returns to) the same view.
    fn hidden(&self) -> Markup {
        html! {
            @for (k, v) in self.pairs() {
                @if !v.is_empty() { input type="hidden" name=(k) value=(v); }
            }
        }
    }
}

/// One held response as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub public_id: String,
    /// When it was submitted, in the stores' time zone and the reader's words.
    pub when: String,
    pub store: String,
    pub form: String,
    /// Flag names as stored.
    pub flags: Vec<String>,
    /// (question label, answer in words): ratings, scores, choices that feed an
    /// indicator, and free text cut short.
    pub answers: Vec<(String, String)>,
}

/// Which list the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Held,
    Decided,
}

pub struct HeldPage<'a> {
    pub viewer: &'a Viewer,
    pub params: &'a Params,
    pub view: View,
    pub page: Page,
    /// Responses (or decisions) matching the filter in all.
    pub total: u64,
    pub items: &'a [Item],
    /// Each decision with its two times already in words: (row, decided, submitted).
    pub decisions: &'a [(DecisionRow, String, String)],
    /// The highest held id the bulk form may decide (what was counted for this page).
    pub upto: Option<i64>,
    pub forms: &'a [(String, String)],
    pub stores: &'a [(String, String)],
    pub regions: &'a [String],
    pub notice: Option<&'a str>,
    /// The stores' UTC offset, e.g. `+08:00`, to say which clock the times are on.
    pub offset: String,
}

impl HeldPage<'_> {
    /// This list's address with its filter and without `page=`, for the pager.
    fn base(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.view == View::Decided {
            parts.push("state=decided".into());
        }
        let q = self.params.query();
        if !q.is_empty() {
            parts.push(q);
        }
        if parts.is_empty() {
            "/responses/held".to_owned()
        } else {
            format!("/responses/held?{}", parts.join("&"))
        }
    }
}

fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    all: &str,
) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { (all) }
                @for (v, l) in options { option value=(v) selected[selected == v] { (l) } }
            }
        }
    }
}

fn flags_in_words(flags: &[String], lang: Lang) -> Markup {
    html! {
        ul style="margin:.25rem 0 0;padding-left:1.1rem" {
            @for f in flags { li { span.tag.flag { (flag_name(f, lang)) } " " (explain(f, lang)) } }
        }
    }
}

fn filter_form(p: &HeldPage) -> Markup {
    let lang = p.viewer.lang;
    let flags: Vec<(String, String)> = Flag::ALL
        .iter()
        .map(|f| (f.name().to_owned(), flag_name(f.name(), lang)))
        .collect();
    let regions: Vec<(String, String)> = p.regions.iter().map(|r| (r.clone(), r.clone())).collect();
    let q = p.params;
    html! {
        form.filters method="get" action="/responses/held" {
            @if p.view == View::Decided { input type="hidden" name="state" value="decided"; }
            (select("form", Admin::SurveyField.text(lang), p.forms, &q.form, Admin::AllSurveys.text(lang)))
            (select("region", Admin::RegionField.text(lang), &regions, &q.region, Admin::AllRegions.text(lang)))
            (select("store", Staff::StoreField.text(lang), p.stores, &q.store, Staff::AllStores.text(lang)))
            (select("flag", Admin::FlagField.text(lang), &flags, &q.flag, Admin::AnyFlag.text(lang)))
            div.field { label for="from" { (Staff::FromDate.text(lang)) } input type="date" id="from" name="from" value=(q.from); }
            div.field { label for="to" { (Staff::ToDate.text(lang)) } input type="date" id="to" name="to" value=(q.to); }
            button.sec type="submit" { (Staff::Filter.text(lang)) }
            @if q.any() {
                a href={ "/responses/held" @if p.view == View::Decided { "?state=decided" } } { (Staff::ClearFilters.text(lang)) }
            }
        }
    }
}

fn held_list(p: &HeldPage) -> Markup {
    let lang = p.viewer.lang;
    let base = p.base();
    html! {
        @if p.items.is_empty() {
            p { @if p.params.any() { (Admin::NoHeldMatch.text(lang)) } @else { (Admin::NoneHeld.text(lang)) } }
        } @else {
            (pager(lang, p.page, p.total, &base))
            p.hint { (Admin::HeldOrder.fill(lang, &p.offset)) }
            form method="post" action="/responses/held/decide" {
                (csrf(&p.viewer.csrf))
                (p.params.hidden())
                input type="hidden" name="scope" value="selected";
                input type="hidden" name="page" value=(p.page.number);
                // One card per response rather than a table: it stacks at any width, and
                // the whole heading is the checkbox's label, an easy target on a phone.
                ul style="list-style:none;margin:0;padding:0" {
                    @for it in p.items {
                        li style="border:1px solid #c4c7cc;border-radius:8px;padding:.5rem .75rem;margin:0 0 .75rem" {
                            label style="display:flex;gap:.6rem;align-items:flex-start;min-height:44px;cursor:pointer" {
                                input type="checkbox" name="id" value=(it.public_id)
                                    style="width:1.5rem;height:1.5rem;margin:.15rem 0 0;flex:none";
                                span {
                                    strong { (it.when) } " · " (it.store)
                                    br;
                                    span.hint { (it.form) }
                                }
                            }
                            (flags_in_words(&it.flags, lang))
                            div style="margin-top:.35rem;overflow-wrap:anywhere" {
                                @if it.answers.is_empty() { span.hint { (Admin::NoAnswers.text(lang)) } }
                                @for (q, a) in &it.answers { div { span.hint { (q) ": " } (a) } }
                            }
                        }
                    }
                }
                p style="display:flex;flex-wrap:wrap;gap:.5rem" {
                    button type="submit" name="action" value="accept" { (Admin::Accept.text(lang)) }
                    button.sec type="submit" name="action" value="exclude" { (Admin::Exclude.text(lang)) }
                }
                p.hint { (Admin::DecideHint.text(lang)) }
            }
            @if p.page.count(p.total) > 1 { (pager(lang, p.page, p.total, &base)) }
            @if let Some(upto) = p.upto {
                section {
                    h2 { (Admin::AllMatchingTitle.text(lang)) }
                    @let total = i64::try_from(p.total).unwrap_or(i64::MAX);
                    @let n = total.min(BULK_LIMIT);
                    form method="post" action="/responses/held/decide" {
                        (csrf(&p.viewer.csrf))
                        (p.params.hidden())
                        input type="hidden" name="scope" value="all";
                        input type="hidden" name="upto" value=(upto);
                        p {
                            @if p.params.any() { (Admin::BulkFilterMatches.fill(lang, format::thousands(total))) }
                            @else { (Admin::BulkThereAre.fill(lang, format::thousands(total))) }
                            " "
                            @if total > BULK_LIMIT { (Admin::BulkLimit.fill(lang, format::thousands(BULK_LIMIT))) " " }
                            (Admin::BulkLate.text(lang))
                        }
                        p style="display:flex;flex-wrap:wrap;gap:.5rem" {
                            button type="submit" name="action" value="accept" { (Admin::AcceptAll.fill(lang, n)) }
                            button.sec type="submit" name="action" value="exclude" { (Admin::ExcludeAll.fill(lang, n)) }
                        }
                    }
                }
            }
        }
    }
}

fn decision_log(p: &HeldPage) -> Markup {
    let lang = p.viewer.lang;
    let base = p.base();
    let th_decided = Admin::DecidedField.text(lang);
    let th_by = Admin::ByField.text(lang);
    let th_decision = Admin::DecisionField.text(lang);
    let th_submitted = Admin::SubmittedField.text(lang);
    let th_store = Staff::StoreField.text(lang);
    let th_survey = Admin::SurveyField.text(lang);
    let th_flags = Admin::FlagsField.text(lang);
    html! {
        @if p.decisions.is_empty() {
            p { @if p.params.any() { (Staff::NoMatches.text(lang)) } @else { (Admin::NoDecisions.text(lang)) } }
        } @else {
            (pager(lang, p.page, p.total, &base))
            p.hint { (Admin::LogOrder.fill(lang, &p.offset)) }
            table.cards {
                thead { tr {
                    th scope="col" { (th_decided) } th scope="col" { (th_by) } th scope="col" { (th_decision) }
                    th scope="col" { (th_submitted) } th scope="col" { (th_store) } th scope="col" { (th_survey) } th scope="col" { (th_flags) }
                } }
                tbody {
                    @for (d, decided, submitted) in p.decisions {
                        tr {
                            td data-label=(th_decided) { (decided) }
                            td data-label=(th_by) { span.wrap { (d.decided_by) } }
                            td data-label=(th_decision) {
                                @if d.decision == "counted" { span.tag { (Admin::AcceptedTag.text(lang)) } }
                                @else { span.tag.flag { (Admin::ExcludedTag.text(lang)) } }
                            }
                            td data-label=(th_submitted) { span { (submitted) " " span.hint.wrap { (d.public_id) } } }
                            td data-label=(th_store) { (d.store.as_deref().unwrap_or("—")) }
                            td data-label=(th_survey) { span.wrap { (d.form_id) } }
                            td data-label=(th_flags) {
                                span {
                                    @for (i, f) in d.flags.as_deref().unwrap_or("").split_whitespace().enumerate() {
                                        @if i > 0 { " " }
                                        span.tag.flag { (flag_name(f, lang)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if p.page.count(p.total) > 1 { (pager(lang, p.page, p.total, &base)) }
        }
    }
}

pub fn held_page(p: &HeldPage) -> Markup {
    let lang = p.viewer.lang;
    let other = match p.view {
        View::Held => (Admin::DecisionLog.text(lang), "state=decided"),
        View::Decided => (Admin::HeldList.text(lang), ""),
    };
    let q = p.params.query();
    let switch = match (other.1.is_empty(), q.is_empty()) {
        (true, true) => "/responses/held".to_owned(),
        (true, false) => format!("/responses/held?{q}"),
        (false, true) => format!("/responses/held?{}", other.1),
        (false, false) => format!("/responses/held?{}&{q}", other.1),
    };
    let title = match p.view {
        View::Held => Admin::HeldTitle,
        View::Decided => Admin::DecidedTitle,
    }
    .text(lang);
    staff_page(
        p.viewer,
        title,
        html! {
            (notice(p.notice))
            p {
                @if p.view == View::Held { (Admin::HeldIntro.text(lang)) " " }
                a href=(switch) { (other.0) }
            }
            (filter_form(p))
            @match p.view {
                View::Held => (held_list(p)),
                View::Decided => (decision_log(p)),
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_has_its_own_explanation() {
        for f in Flag::ALL {
            for lang in Lang::ALL {
                assert_ne!(
                    explain(f.name(), lang),
                    explain("a-later-flag", lang),
                    "{f}"
                );
                assert_ne!(flag_name(f.name(), Lang::Zh), f.name(), "{f}");
            }
        }
    }

    #[test]
    fn the_query_keeps_only_set_values_and_escapes_them() {
        let p = Params {
            store: "S001".into(),
            region: "East & West".into(),
            ..Params::default()
        };
        assert_eq!(p.query(), "store=S001&region=East%20%26%20West");
        assert!(p.any());
        assert_eq!(Params::default().query(), "");
    }
}
