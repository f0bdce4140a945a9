//! The held-back queue: responses the quality checks held, why, their key answers, the accept and exclude forms, and the decision log.

use maud::{Markup, html};

use super::staff::{Viewer, csrf, notice, staff_page};
use crate::db::held::{BULK_LIMIT, DecisionRow, PAGE_SIZE};
use crate::quality::Flag;

/// Why a flag holds a response back, in a manager's words. By name, so a flag added
/// later still shows, with a general line, before it gets its own.
pub fn explain(flag: &str) -> &'static str {
    match flag {
        "too-fast" => "finished in less time than its questions take to read",
        "straight-lined" => "gave the same answer to every rating of a grid",
        "duplicate" => {
            "the same answers came from the same address or device a few minutes earlier"
        }
        "burst" => "its store received far more responses than its own recent rate",
        _ => "held by a quality check",
    }
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
    /// Local time, `YYYY-MM-DD HH:MM`.
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
    /// From 0.
    pub page: i64,
    /// Responses (or decisions) matching the filter in all.
    pub total: i64,
    pub items: &'a [Item],
    pub decisions: &'a [(DecisionRow, String)],
    /// The highest held id the bulk form may decide (what was counted for this page).
    pub upto: Option<i64>,
    pub forms: &'a [(String, String)],
    pub stores: &'a [(String, String)],
    pub regions: &'a [String],
    pub notice: Option<&'a str>,
    /// The stores' UTC offset, e.g. `+08:00`, to say which clock the times are on.
    pub offset: String,
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

fn flags_in_words(flags: &[String]) -> Markup {
    html! {
        ul style="margin:.25rem 0 0;padding-left:1.1rem" {
            @for f in flags { li { span.tag.flag { (f) } ": " (explain(f)) } }
        }
    }
}

fn filter_form(p: &HeldPage) -> Markup {
    let flags: Vec<(String, String)> = Flag::ALL
        .iter()
        .map(|f| (f.name().to_owned(), f.name().to_owned()))
        .collect();
    let regions: Vec<(String, String)> = p.regions.iter().map(|r| (r.clone(), r.clone())).collect();
    let q = p.params;
    html! {
        form method="get" action="/responses/held" {
            @if p.view == View::Decided { input type="hidden" name="state" value="decided"; }
            div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:0 .75rem" {
                (select("form", "Survey", p.forms, &q.form, "All"))
                (select("region", "Region", &regions, &q.region, "All"))
                (select("store", "Store", p.stores, &q.store, "All"))
                (select("flag", "Flag", &flags, &q.flag, "Any"))
                div.field { label for="from" { "Submitted from" } input type="date" id="from" name="from" value=(q.from); }
                div.field { label for="to" { "to" } input type="date" id="to" name="to" value=(q.to); }
            }
            button.sec type="submit" { "Filter" }
            @if q.any() {
                " " a href={ "/responses/held" @if p.view == View::Decided { "?state=decided" } } { "Clear the filter" }
            }
        }
    }
}

fn pager(p: &HeldPage) -> Markup {
    let pages = (p.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let link = |page: i64| {
        let mut parts: Vec<String> = Vec::new();
        if p.view == View::Decided {
            parts.push("state=decided".into());
        }
        let q = p.params.query();
        if !q.is_empty() {
            parts.push(q);
        }
        if page > 0 {
            parts.push(format!("page={}", page + 1));
        }
        if parts.is_empty() {
            "/responses/held".to_owned()
        } else {
            format!("/responses/held?{}", parts.join("&"))
        }
    };
    html! {
        @if pages > 1 {
            nav aria-label="Pages" {
                p {
                    @if p.page > 0 { a href=(link(p.page - 1)) rel="prev" { "← Newer" } " · " }
                    "Page " (p.page + 1) " of " (pages)
                    @if p.page + 1 < pages { " · " a href=(link(p.page + 1)) rel="next" { "Older →" } }
                }
            }
        }
    }
}

fn held_list(p: &HeldPage) -> Markup {
    let shown_from = p.page * PAGE_SIZE + 1;
    let shown_to = p.page * PAGE_SIZE + p.items.len() as i64;
    html! {
        @if p.items.is_empty() {
            p { @if p.params.any() { "No held responses match this filter." } @else { "No responses are held back. Every stored response counts." } }
        } @else {
            p.hint { (shown_from) "–" (shown_to) " of " (p.total) " held, newest first. Times are the stores' local time (UTC" (p.offset) ")." }
            form method="post" action="/responses/held/decide" {
                (csrf(&p.viewer.csrf))
                (p.params.hidden())
                input type="hidden" name="scope" value="selected";
                input type="hidden" name="page" value=(p.page + 1);
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
                            (flags_in_words(&it.flags))
                            div style="margin-top:.35rem;overflow-wrap:anywhere" {
                                @if it.answers.is_empty() { span.hint { "No answers." } }
                                @for (q, a) in &it.answers { div { span.hint { (q) ": " } (a) } }
                            }
                        }
                    }
                }
                p style="display:flex;flex-wrap:wrap;gap:.5rem" {
                    button type="submit" name="action" value="accept" { "Accept (count it)" }
                    button.sec type="submit" name="action" value="exclude" { "Exclude" }
                }
                p.hint { "Accepting adds the selected responses to every indicator and chart at once; excluding keeps them out for good. Both are logged with your name." }
            }
            (pager(p))
            @if let Some(upto) = p.upto {
                section {
                    h2 { "Everything matching this filter" }
                    @let n = p.total.min(BULK_LIMIT);
                    form method="post" action="/responses/held/decide" {
                        (csrf(&p.viewer.csrf))
                        (p.params.hidden())
                        input type="hidden" name="scope" value="all";
                        input type="hidden" name="upto" value=(upto);
                        p {
                            @if p.params.any() { "The filter above matches " } @else { "There are " }
                            strong { (p.total) } " held response(s)."
                            @if p.total > BULK_LIMIT { " One decision takes at most " (BULK_LIMIT) " (the newest); repeat it for the rest." }
                            " Responses held after this page was drawn are not included."
                        }
                        p style="display:flex;flex-wrap:wrap;gap:.5rem" {
                            button type="submit" name="action" value="accept" { "Accept all " (n) " (count them)" }
                            button.sec type="submit" name="action" value="exclude" { "Exclude all " (n) }
                        }
                    }
                }
            }
        }
    }
}

fn decision_log(p: &HeldPage) -> Markup {
    html! {
        @if p.decisions.is_empty() {
            p { "No decisions yet." }
        } @else {
            p.hint { (p.total) " decision(s), latest first. Times are UTC as stored (decisions) and the stores' local time (responses, UTC" (p.offset) ")." }
            div.wide { table {
                thead { tr {
                    th scope="col" { "Decided" } th scope="col" { "By" } th scope="col" { "Decision" }
                    th scope="col" { "Response submitted" } th scope="col" { "Store" } th scope="col" { "Survey" } th scope="col" { "Flags" }
                } }
                tbody {
                    @for (d, when) in p.decisions {
                        tr {
                            td { (d.decided_at) }
                            td { (d.decided_by) }
                            td {
                                @if d.decision == "counted" { span.tag { "accepted" } } @else { span.tag.flag { "excluded" } }
                            }
                            td { (when) " " span.hint { (d.public_id) } }
                            td { (d.store.as_deref().unwrap_or("—")) }
                            td { (d.form_id) }
                            td { (d.flags.as_deref().unwrap_or("")) }
                        }
                    }
                }
            } }
            (pager(p))
        }
    }
}

pub fn held_page(p: &HeldPage) -> Markup {
    let other = match p.view {
        View::Held => ("Decision log", "state=decided"),
        View::Decided => ("Held responses", ""),
    };
    let q = p.params.query();
    let switch = match (other.1.is_empty(), q.is_empty()) {
        (true, true) => "/responses/held".to_owned(),
        (true, false) => format!("/responses/held?{q}"),
        (false, true) => format!("/responses/held?{}", other.1),
        (false, false) => format!("/responses/held?{}&{q}", other.1),
    };
    let title = match p.view {
        View::Held => "Held-back responses",
        View::Decided => "Decisions on held responses",
    };
    staff_page(
        p.viewer,
        title,
        html! {
            (notice(p.notice))
            p {
                @if p.view == View::Held {
                    "The quality checks held these responses back: they are stored, but count in no indicator or chart until you accept them. "
                }
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
            assert_ne!(explain(f.name()), explain("a-later-flag"), "{f}");
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
