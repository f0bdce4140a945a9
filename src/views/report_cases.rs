//! The dashboard's "Complaint handling" section: KPI cards with n and interval, the Pareto chart of causes, open and overdue cases per store, and the "N cases overdue" notice.

use maud::{Markup, html};

use crate::charts::pareto;
use crate::db::stores::Store;
use crate::i18n::reports::Report;
use crate::i18n::staff::Staff;
use crate::i18n::{Lang, format};
use crate::reports::cases::{CaseKpi, CaseReport};

fn count(n: u64) -> String {
    format::thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// "n = 12 件案件".
fn n_text(n: u64, counts: Report, lang: Lang) -> String {
    format!("n = {} {}", count(n), counts.text(lang))
}

/// Beside the held-back notice at the top: overdue cases link to their list.
pub fn overdue_notice(c: &CaseReport, lang: Lang) -> Markup {
    html! {
        @if c.summary.overdue > 0 {
            p role="status" {
                a href="/cases?state=overdue" { strong { (Report::CasesOverdue.fill(lang, count(c.summary.overdue))) } }
                span.hint { " · " (Report::CasesOverdueHint.text(lang)) }
            }
        }
    }
}

fn kpi(k: &CaseKpi, lang: Lang) -> Markup {
    html! {
        div.kpi {
            div { (k.name.text(lang)) }
            @match k.reading.estimate() {
                Some(e) => {
                    div { strong { (k.unit.value(e.value, lang)) } }
                    div.hint {
                        @if (e.high - e.low).abs() > 1e-9 {
                            (Report::Interval.text(lang)) " " (format::interval(e.low, e.high, 1)) " · "
                        }
                        (n_text(e.n, k.counts, lang))
                    }
                }
                None => {
                    div { span.tag { (Report::NotEnoughData.text(lang)) } }
                    div.hint { (n_text(k.reading.n(), k.counts, lang)) }
                }
            }
        }
    }
}

fn open_card(c: &CaseReport, lang: Lang) -> Markup {
    let s = &c.summary;
    html! {
        div.kpi {
            div { (Report::CaseOpenCard.text(lang)) }
            div { strong { (count(s.open)) } }
            div.hint { (Report::CaseOverdueOf.fill(lang, count(s.overdue))) " · " (n_text(s.cases, Report::NCases, lang)) }
        }
    }
}

fn links(svg: Option<&str>, csv: &str, lang: Lang) -> Markup {
    html! {
        p.hint {
            (Report::Download.text(lang)) " "
            @if let Some(svg) = svg { a href=(svg) { "SVG" } " · " }
            a href=(csv) { "CSV" }
        }
    }
}

fn stores_table(c: &CaseReport, stores: &[Store], lang: Lang) -> Markup {
    let (th_store, th_open, th_overdue) = (
        Staff::StoreField.text(lang),
        Report::CaseThOpen.text(lang),
        Report::CaseThOverdue.text(lang),
    );
    let name = |code: &str| {
        stores
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.name.as_str())
    };
    html! {
        @if c.summary.stores.is_empty() {
            p { (Report::CaseNoOpen.text(lang)) }
        } @else {
            table.cards {
                thead { tr { th scope="col" { (th_store) } th scope="col" { (th_open) } th scope="col" { (th_overdue) } } }
                tbody {
                    @for s in &c.summary.stores {
                        tr {
                            td data-label=(th_store) { span.wrap { (s.store) @if let Some(n) = name(&s.store) { " " (n) } } }
                            td data-label=(th_open) { (count(s.open)) }
                            td data-label=(th_overdue) {
                                @if s.overdue > 0 { strong { (count(s.overdue)) } } @else { "0" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The whole section; `query` is the dashboard's filter, carried by every link.
pub fn section(c: &CaseReport, query: &str, stores: &[Store], lang: Lang) -> Markup {
    let chart = c.pareto_chart(lang);
    let svg = format!("/reports/cases/pareto/chart.svg?{query}");
    let p = &c.summary.pareto;
    html! {
        section id="cases" {
            h2 { (Report::CasesTitle.text(lang)) }
            p.hint { (Report::CasesIntro.text(lang)) }
            div.kpis {
                @for k in &c.kpis() { (kpi(k, lang)) }
                (open_card(c, lang))
            }
            p.hint { (Report::CasesMethod.text(lang)) }
            (links(None, &format!("/reports/cases/kpis/data.csv?{query}"), lang))
            div.charts {
                section id="cases-pareto" {
                    h2 { (chart.title) }
                    @if let Some(why) = &chart.no_data {
                        p { span.tag { (Report::NotEnoughData.text(lang)) } " " span.hint { (why.trim_start_matches(Report::NotEnoughData.text(lang)).trim()) } }
                    } @else {
                        img src=(svg) loading="lazy" width=(crate::charts::WIDTH) height=(pareto::height(&chart)) alt={ (chart.title) ". " (chart.desc) };
                    }
                    @if p.uncategorised > 0 { p.hint { (Report::CaseUncategorised.fill(lang, count(p.uncategorised))) } }
                    (links(Some(&svg), &format!("/reports/cases/pareto/data.csv?{query}"), lang))
                }
                section id="cases-stores" {
                    h2 { (Report::CaseStoresTitle.text(lang)) }
                    (stores_table(c, stores, lang))
                    (links(None, &format!("/reports/cases/stores/data.csv?{query}"), lang))
                }
            }
        }
    }
}
