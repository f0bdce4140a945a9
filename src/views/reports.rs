//! The report dashboard: filters, the headline indicators with n and intervals, and every chart inline.

use maud::{Markup, PreEscaped, html};

use super::staff::{Viewer, staff_page_in};
use crate::charts::render_svg;
use crate::db::stores::Store;
use crate::i18n::Lang;
use crate::indicators::Reading;
use crate::reports::{ChartName, Data, Filter, Metric, chart, headline};
use crate::survey::Catalog;

pub struct Dashboard<'a> {
    pub viewer: &'a Viewer,
    pub lang: Lang,
    pub filter: &'a Filter,
    pub data: &'a Data,
    pub catalog: &'a Catalog,
    pub stores: &'a [Store],
    pub regions: &'a [String],
    pub forms: &'a [(String, String)],
    /// Responses over the same forms, stores and days that the quality checks held back.
    pub held: i64,
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

fn value_text(r: &Reading, lang: Lang) -> Markup {
    match r.estimate() {
        Some(e) if (e.high - e.low).abs() < 1e-9 => {
            html! { strong { (format!("{:.1}", e.value)) } " " span.hint { "n = " (e.n) } }
        }
        Some(e) => html! {
            strong { (format!("{:.1}", e.value)) }
            " " span.hint { "95% CI " (format!("{:.1}–{:.1}", e.low, e.high)) ", n = " (e.n) }
        },
        None => {
            html! { span.tag { (t(lang, "数据不足", "not enough data")) } " " span.hint { "n = " (r.n()) } }
        }
    }
}

fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: Option<&str>,
    all: &str,
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

pub fn dashboard(d: &Dashboard) -> Markup {
    let lang = d.lang;
    let f = d.filter;
    let query = f.query(lang);
    let periods: Vec<(String, String)> = [
        ("week", "最近 7 天", "Last 7 days"),
        ("month", "最近 30 天", "Last 30 days"),
        ("quarter", "最近一季", "Last quarter (91 days)"),
        ("year", "最近一年", "Last year"),
        ("custom", "自定义", "Custom range"),
    ]
    .iter()
    .map(|(v, zh, en)| ((*v).to_owned(), t(lang, zh, en).to_owned()))
    .collect();
    let groups: Vec<(String, String)> = [
        ("day", "按日", "By day"),
        ("week", "按周", "By week"),
        ("month", "按月", "By month"),
    ]
    .iter()
    .map(|(v, zh, en)| ((*v).to_owned(), t(lang, zh, en).to_owned()))
    .collect();
    let stores: Vec<(String, String)> = d
        .stores
        .iter()
        .map(|s| (s.code.clone(), format!("{} {}", s.code, s.name)))
        .collect();
    let regions: Vec<(String, String)> = d.regions.iter().map(|r| (r.clone(), r.clone())).collect();
    let all = t(lang, "全部", "All");
    let charts: Vec<ChartName> = Metric::ALL
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
        .collect();
    let body = html! {
        form.wide method="get" action="/reports" {
            input type="hidden" name="lang" value=(lang);
            div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:0 .75rem" {
                (select("period", t(lang, "时间范围", "Period"), &periods, Some(&f.period), "—"))
                div.field { label for="from" { (t(lang, "从", "From")) } input type="date" id="from" name="from" value=(f.from); }
                div.field { label for="to" { (t(lang, "到", "To")) } input type="date" id="to" name="to" value=(f.to); }
                (select("group", t(lang, "分组", "Group by"), &groups, Some(f.grouping.as_str()), "—"))
                (select("region", t(lang, "区域", "Region"), &regions, f.region.as_deref(), all))
                (select("store", t(lang, "门店", "Store"), &stores, f.store.as_deref(), all))
                (select("form", t(lang, "问卷", "Survey"), d.forms, f.form.as_deref(), all))
            }
            button type="submit" { (t(lang, "应用", "Apply")) }
            " "
            a href={ "/reports?" (query.replace(&format!("lang={lang}"), &format!("lang={}", if lang == Lang::Zh { "en" } else { "zh" }))) } {
                (t(lang, "English", "中文"))
            }
        }
        p.hint { (f.from) " – " (f.to) " · " (t(lang, "与上一同长时段比较", "compared with the range of the same length before it")) " · "
            (t(lang, "少于", "fewer than")) " " (f.min_n) " " (t(lang, "个回答时不显示数值", "answers show no number")) }
        @if d.held > 0 {
            p role="status" {
                a href={ "/responses/held?" (held_query(f)) } {
                    strong { (d.held) } " " (t(lang, "份回答暂缓计入", "held back"))
                }
                span.hint { " · " (t(lang, "质量检查标记的回答不计入任何指标，经理接受后才计入", "flagged by the quality checks; they count in no number here until a manager accepts them")) }
            }
        }
        div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.75rem" {
            @for m in Metric::ALL {
                @let (now, before) = headline(d.data, m);
                div style="border:1px solid #c4c7cc;border-radius:8px;padding:.5rem .75rem" {
                    div { (m.name(lang)) }
                    div { (value_text(&now, lang)) }
                    div.hint {
                        (t(lang, "上期：", "Previous: "))
                        @match (now.estimate(), before.estimate()) {
                            (Some(a), Some(b)) => { (format!("{:.1} ({:+.1})", b.value, a.value - b.value)) }
                            (_, Some(b)) => { (format!("{:.1}", b.value)) }
                            _ => { (t(lang, "数据不足", "not enough data")) }
                        }
                    }
                }
            }
        }
        @for name in charts {
            @let c = chart(name, d.data, d.catalog, lang);
            section {
                h2 { (c.title) }
                // SVG we drew ourselves; plotters escapes every text it writes, and our title/desc are escaped.
                div style="max-width:100%;overflow-x:auto" { (PreEscaped(render_svg(&c))) }
                p.hint {
                    a href={ "/reports/" (name.slug()) "/chart.svg?" (query) } { "SVG" } " · "
                    a href={ "/reports/" (name.slug()) "/data.csv?" (query) } { "CSV" }
                }
            }
        }
    };
    staff_page_in(
        d.viewer,
        lang,
        t(lang, "满意度报告", "Satisfaction report"),
        body,
    )
}
