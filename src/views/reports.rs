//! The report dashboard: the filters folded into a one-line summary, the headline indicators
//! with units, intervals and n, then the charts (the first inline, the rest as lazy images).

use maud::{Markup, PreEscaped, html};

use super::staff::{Viewer, alert, staff_page};
use crate::charts::{self, Chart, Kind, Unit};
use crate::db::stores::Store;
use crate::i18n::format;
use crate::i18n::reports::Report;
use crate::i18n::staff::Staff;
use crate::i18n::{Lang, Msg};
use crate::reports::{
    ChartName, Data, Filter, Grouping, LEAGUE_KEEP, Metric, chart, headline, value_format,
};
use crate::survey::Catalog;

pub struct Dashboard<'a> {
    pub viewer: &'a Viewer,
    pub filter: &'a Filter,
    pub data: &'a Data,
    pub catalog: &'a Catalog,
    pub stores: &'a [Store],
    pub regions: &'a [String],
    pub forms: &'a [(String, String)],
    /// Responses over the same forms, stores and days that the quality checks held back.
    pub held: i64,
    /// The complaint-handling section (`report_cases`).
    pub cases: &'a crate::reports::cases::CaseReport,
    /// Why the filter was changed (a store outside the chosen region), shown at the top.
    pub notice: Option<Msg>,
    /// The league drawn with every store ("show all").
    pub all: Option<ChartName>,
}

/// Our own constant rules for this page only (never user text), so other pages stay small.
/// The KPI cards sit two a row on a phone; charts one a row there, two on a desktop.
const CSS: &str = "\
.sum{border:1px solid #c4c7cc;border-radius:8px;margin:0 0 .5rem}\
.sum>summary{padding:.6rem .75rem;cursor:pointer;font-weight:600}\
.sum>form{padding:0 .75rem .75rem}\
.fgrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,11rem),1fr));gap:0 .75rem}\
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem;margin:.5rem 0 1rem}\
.kpi{border:1px solid #c4c7cc;border-radius:8px;padding:.3rem .6rem;font-size:.8rem;line-height:1.3}\
.kpi strong{font-size:1.2rem}\
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,22rem),1fr));gap:0 1.5rem}\
.charts h2{font-size:1.05rem;margin:.75rem 0 .35rem}\
.charts svg,.charts img{display:block;width:100%;height:auto}\
.charts p{margin:.25rem 0}\
.charts p a{display:inline-block;min-height:24px;padding:.15rem 0}\
";

fn txt(lang: Lang, key: Report) -> &'static str {
    key.text(lang)
}

fn period_label(f: &Filter, lang: Lang) -> String {
    let key = match f.period.as_str() {
        "week" => Report::PeriodWeek,
        "month" => Report::PeriodMonth,
        "quarter" => Report::PeriodQuarter,
        "year" => Report::PeriodYear,
        _ => {
            return format!(
                "{} – {}",
                format::date(f.from, lang),
                format::date(f.to, lang)
            );
        }
    };
    key.text(lang).to_owned()
}

fn grouping_label(g: Grouping, lang: Lang) -> &'static str {
    match g {
        Grouping::Day => txt(lang, Report::ByDay),
        Grouping::Week => txt(lang, Report::ByWeek),
        Grouping::Month => txt(lang, Report::ByMonth),
    }
}

/// "最近一季 · 按周 · 全部门店": what the report covers, on one line above everything.
fn summary(d: &Dashboard, lang: Lang) -> String {
    let f = d.filter;
    let mut parts = vec![
        period_label(f, lang),
        grouping_label(f.grouping, lang).to_owned(),
    ];
    match (&f.store, &f.region) {
        (Some(code), _) => parts.push(
            d.stores
                .iter()
                .find(|s| &s.code == code)
                .map_or(code.clone(), |s| format!("{} {}", s.code, s.name)),
        ),
        (None, Some(region)) => parts.push(format!("{region} · {}", Staff::AllStores.text(lang))),
        (None, None) => parts.push(Staff::AllStores.text(lang).to_owned()),
    }
    if let Some(form) = &f.form {
        parts.push(
            d.forms
                .iter()
                .find(|(id, _)| id == form)
                .map_or(form.clone(), |(_, t)| t.clone()),
        );
    }
    parts.join(" · ")
}

fn options(
    name: &str,
    label: &str,
    all: &str,
    options: &[(String, String)],
    selected: Option<&str>,
) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { (all) }
                @for (v, l) in options { option value=(v) selected[selected == Some(v.as_str())] { (l) } }
            }
        }
    }
}

/// The store select: only the chosen region's stores, else every store grouped by region.
fn store_select(d: &Dashboard, lang: Lang) -> Markup {
    let f = d.filter;
    let chosen = f.store.as_deref();
    let option = |s: &Store| html! { option value=(s.code) selected[chosen == Some(s.code.as_str())] { (s.code) " " (s.name) } };
    html! {
        div.field {
            label for="store" { (Staff::StoreField.text(lang)) }
            select id="store" name="store" aria-describedby=[f.region.as_ref().map(|_| "store-hint")] {
                option value="" { (Staff::AllStores.text(lang)) }
                @if let Some(region) = &f.region {
                    @for s in d.stores.iter().filter(|s| &s.region == region) { (option(s)) }
                } @else {
                    @for region in d.regions {
                        optgroup label=(region) { @for s in d.stores.iter().filter(|s| &s.region == region) { (option(s)) } }
                    }
                }
            }
            @if f.region.is_some() { p.hint id="store-hint" { (txt(lang, Report::StoresOfRegion)) } }
        }
    }
}

fn filters(d: &Dashboard, lang: Lang) -> Markup {
    let f = d.filter;
    let custom = f.period == "custom";
    let periods: Vec<(String, String)> = [
        ("week", Report::PeriodWeek),
        ("month", Report::PeriodMonth),
        ("quarter", Report::PeriodQuarter),
        ("year", Report::PeriodYear),
        ("custom", Report::PeriodCustom),
    ]
    .map(|(v, k)| (v.to_owned(), k.text(lang).to_owned()))
    .to_vec();
    let groups: Vec<(String, String)> = [Grouping::Day, Grouping::Week, Grouping::Month]
        .map(|g| (g.as_str().to_owned(), grouping_label(g, lang).to_owned()))
        .to_vec();
    let regions: Vec<(String, String)> = d.regions.iter().map(|r| (r.clone(), r.clone())).collect();
    // Dates are filled in only for a custom period: any date makes the period custom.
    let date = |name: &str, label: &str, value: time::Date| {
        html! {
            div.field { label for=(name) { (label) } input type="date" id=(name) name=(name) value=[custom.then(|| value.to_string())] aria-describedby="dates-hint"; }
        }
    };
    html! {
        details.sum {
            summary { (summary(d, lang)) }
            form method="get" action="/reports" {
                input type="hidden" name="lang" value=(lang);
                div.fgrid {
                    (options("period", txt(lang, Report::Period), "—", &periods, Some(&f.period)))
                    (options("group", txt(lang, Report::GroupBy), "—", &groups, Some(f.grouping.as_str())))
                    (date("from", txt(lang, Report::FromField), f.from))
                    (date("to", txt(lang, Report::ToField), f.to))
                }
                p.hint id="dates-hint" { (txt(lang, Report::DatesMakeCustom)) }
                div.fgrid {
                    (options("region", txt(lang, Report::Region), txt(lang, Report::AllRegions), &regions, f.region.as_deref()))
                    (store_select(d, lang))
                    (options("form", txt(lang, Report::Survey), txt(lang, Report::AllSurveys), d.forms, f.form.as_deref()))
                }
                button type="submit" { (txt(lang, Report::Apply)) }
                p.hint { (Report::MinNNote.fill(lang, f.min_n)) }
            }
        }
    }
}

/// The held queue's filter for the report's forms, stores and days.
fn held_query(f: &Filter) -> String {
    let mut q = format!("from={}&to={}", f.from, f.to);
    for (k, v) in [
        ("form", &f.form),
        ("store", &f.store),
        ("region", &f.region),
    ] {
        if let Some(v) = v {
            q.push_str(&format!(
                "&{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
    }
    q
}

/// "+4.5", "−0.3", "±0.0": a change, never "-0.0".
fn change(x: f64, unit: Unit) -> String {
    let text = match unit {
        Unit::Money => format::money(x.abs()),
        _ => format::number(x.abs(), 1),
    };
    if text.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        format!("±{text}")
    } else if x > 0.0 {
        format!("+{text}")
    } else {
        format!("\u{2212}{text}")
    }
}

fn kpi(d: &Dashboard, m: Metric, lang: Lang) -> Markup {
    let (now, before) = headline(d.data, m);
    let (unit, counts) = value_format(m, d.data);
    html! {
        div.kpi {
            div { (m.name(lang)) }
            @match now.estimate() {
                Some(e) => {
                    div {
                        strong { (unit.value(e.value)) }
                        @if let Some(b) = before.estimate() { " " span.hint { "(" (change(e.value - b.value, unit)) ")" } }
                    }
                    div.hint {
                        @if (e.high - e.low).abs() > 1e-9 { (txt(lang, Report::Interval)) " " (unit.interval(e.low, e.high)) " · " }
                        (counts.n(e.n, lang))
                    }
                }
                None => {
                    div { span.tag { (txt(lang, Report::NotEnoughData)) } }
                    div.hint { (counts.n(now.n(), lang)) }
                }
            }
            div.hint {
                (txt(lang, Report::Previous)) " "
                @match before.estimate() { Some(b) => (unit.value(b.value)), None => (txt(lang, Report::NotEnoughData)) }
            }
        }
    }
}

/// The charts in the order a manager reads them: trends, the NPS mix, gaps, channels, leagues, the heat map.
fn chart_names() -> Vec<ChartName> {
    Metric::ALL
        .iter()
        .map(|m| ChartName::Trend(*m))
        .chain([ChartName::NpsMix, ChartName::Gaps, ChartName::Awareness])
        .chain(
            [
                Metric::Csat,
                Metric::Nps,
                Metric::Complaints,
                Metric::Mystery,
            ]
            .map(ChartName::League),
        )
        .chain([ChartName::Heatmap])
        .collect()
}

fn chart_section(d: &Dashboard, name: ChartName, first: bool, query: &str, lang: Lang) -> Markup {
    let mut c: Chart = chart(name, d.data, d.catalog, lang);
    let slug = name.slug();
    let all = d.all == Some(name);
    let stores = match &c.kind {
        Kind::Bars {
            bars,
            keep: Some(k),
            ..
        } if bars.len() > 2 * k => Some(bars.len()),
        _ => None,
    };
    if all {
        c = c.with_all_rows();
    }
    let src = format!(
        "/reports/{slug}/chart.svg?{query}{}",
        if all { "&all=1" } else { "" }
    );
    html! {
        section id=(slug) {
            h2 { (c.title) }
            @if first {
                // SVG we drew ourselves: every text in it is escaped.
                (PreEscaped(charts::render_svg(&c)))
            } @else {
                img src=(src) loading="lazy" width=(charts::WIDTH) height=(charts::height(&c)) alt={ (c.title) ". " (c.desc) };
            }
            p.hint {
                @if let Some(n) = stores {
                    @if all {
                        a href={ "/reports?" (query) "#" (slug) } { (Report::ShowTopBottom.fill(lang, LEAGUE_KEEP)) }
                    } @else {
                        a href={ "/reports?" (query) "&all=" (slug) "#" (slug) } { (Report::ShowAll.fill(lang, n)) }
                    }
                    " · "
                }
                (txt(lang, Report::Download)) " "
                a href=(src) { "SVG" } " · "
                a href={ "/reports/" (slug) "/data.csv?" (query) } { "CSV" }
            }
        }
    }
}

pub fn dashboard(d: &Dashboard) -> Markup {
    let lang = d.viewer.lang;
    let f = d.filter;
    let query = f.query(lang);
    let notice = d.notice.as_ref().map(|m| m.get(lang).to_owned());
    let names = chart_names();
    let body = html! {
        style { (PreEscaped(CSS)) }
        (alert(notice.as_deref()))
        (filters(d, lang))
        p.hint { (format::date(f.from, lang)) " – " (format::date(f.to, lang)) " · " (txt(lang, Report::Compared)) }
        @if d.held > 0 {
            p role="status" {
                // Only managers decide about held responses: a store manager sees the count alone.
                @if d.viewer.role.is_staff() {
                    a href={ "/responses/held?" (held_query(f)) } { strong { (Report::HeldBack.fill(lang, format::thousands(d.held))) } }
                } @else {
                    strong { (Report::HeldBack.fill(lang, format::thousands(d.held))) }
                }
                span.hint { " · " (txt(lang, Report::HeldHint)) }
            }
        }
        (super::report_cases::overdue_notice(d.cases, lang))
        // The first chart comes before the cards, so it is on a phone's first screen.
        div.charts { (chart_section(d, names[0], true, &query, lang)) }
        div.kpis { @for m in Metric::ALL { (kpi(d, m, lang)) } }
        div.charts {
            @for name in &names[1..] { (chart_section(d, *name, false, &query, lang)) }
        }
        (super::report_cases::section(d.cases, &query, d.stores, lang))
    };
    staff_page(d.viewer, txt(lang, Report::PageTitle), body)
}
