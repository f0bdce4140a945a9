//! The held-back queue's pure side: the query string and its filter checks, and the times, key answers and notice the page shows.

use std::collections::BTreeMap;

use serde::Deserialize;
use time::UtcOffset;

use crate::audits::parse_date;
use crate::db::held::HeldFilter;
use crate::i18n::admin::Admin;
use crate::i18n::{Lang, Msg};
use crate::quality::Flag;
use crate::reports::{EARLIEST, LATEST};
use crate::survey::{Catalog, Kind};
use crate::views::held::Params;

/// The query string as sent: every field optional.
#[derive(Debug, Default, Deserialize)]
pub struct HeldQuery {
    pub form: Option<String>,
    pub store: Option<String>,
    pub region: Option<String>,
    pub flag: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
    pub state: Option<String>,
    // The notice after a decision.
    pub done: Option<String>,
    pub n: Option<String>,
    pub already: Option<String>,
    pub unknown: Option<String>,
    pub remaining: Option<String>,
}

/// The value with its spaces trimmed, or `None` when nothing is left.
pub fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// A form id as survey files spell it (see the survey loader's rule).
fn is_form_id(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Checks the filter fields; the message names the field and what to send instead.
pub fn parse_filter(
    get: impl Fn(&str) -> Option<String>,
    utc_offset: UtcOffset,
) -> Result<(HeldFilter, Params), Msg> {
    let value = |k: &str| get(k).and_then(|v| blank(Some(&v)).map(str::to_owned));
    let form = value("form");
    if let Some(f) = &form
        && !is_form_id(f)
    {
        return Err(Msg::both(
            "`form` 须是问卷编号：小写字母、数字、“-”或“_”，最多 64 个字符。",
            "`form` must be a form id: lowercase letters, digits, '-' or '_', at most 64.",
        ));
    }
    let store = value("store");
    if let Some(s) = &store
        && !crate::stores::is_store_code(s)
    {
        return Err(Msg::both(
            "`store` 须是门店代码：1–32 个字母、数字、“-”或“_”。",
            "`store` must be a store code: 1–32 letters, digits, '-' or '_'.",
        ));
    }
    let region = value("region");
    if let Some(r) = &region
        && (r.chars().count() > 64 || r.chars().any(char::is_control))
    {
        return Err(Msg::both(
            "`region` 须是不超过 64 个字符的区域名称。",
            "`region` must be a region name of at most 64 characters.",
        ));
    }
    let flag = match value("flag") {
        None => None,
        Some(name) => Some(Flag::parse(&name).ok_or_else(|| {
            let names: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
            Msg::both(
                format!("`flag` “{name}”不在这些标记之中：{}。", names.join("、")),
                format!("`flag` '{name}' is not one of {}.", names.join(", ")),
            )
        })?),
    };
    let day = |k: &str| -> Result<Option<time::Date>, Msg> {
        match value(k) {
            None => Ok(None),
            Some(v) => match parse_date(&v) {
                Some(d) if (EARLIEST..=LATEST).contains(&d) => Ok(Some(d)),
                Some(_) => Err(Msg::both(
                    format!("`{k}` 须在 {EARLIEST} 与 {LATEST} 之间。"),
                    format!("`{k}` must be between {EARLIEST} and {LATEST}."),
                )),
                None => Err(Msg::both(
                    format!("`{k}` 须是日期（年-月-日）。"),
                    format!("`{k}` must be a date (YYYY-MM-DD)."),
                )),
            },
        }
    };
    let (from, to) = (day("from")?, day("to")?);
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        return Err(Msg::both(
            "`to` 不能早于 `from`。",
            "`to` must be on or after `from`.",
        ));
    }
    let params = Params {
        form: form.clone().unwrap_or_default(),
        store: store.clone().unwrap_or_default(),
        region: region.clone().unwrap_or_default(),
        flag: flag.map(|f| f.name().to_owned()).unwrap_or_default(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
    };
    Ok((
        HeldFilter {
            form,
            store,
            region,
            flag,
            from,
            to,
            utc_offset,
        },
        params,
    ))
}

/// Pages are numbered from 1 in URLs and from 0 inside.
pub fn parse_page(v: Option<&str>) -> Result<i64, Msg> {
    match blank(v) {
        None => Ok(0),
        Some(p) => match p.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => Ok(n - 1),
            _ => Err(Msg::both(
                "`page` 须是从 1 起的整数。",
                "`page` must be a whole number from 1.",
            )),
        },
    }
}

/// Longest free text shown in the queue; the export has it whole.
const TEXT_SHOWN: usize = 100;

/// The answers worth a glance, in words and in form order: ratings and scores, choices
/// that feed an indicator, free text cut short. Labels come from the loaded survey;
/// answers to questions it no longer has follow, by name.
pub fn key_answers(
    catalog: &Catalog,
    form: &str,
    raw: &[(String, String)],
    reader: Lang,
) -> Vec<(String, String)> {
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (q, v) in raw {
        values.entry(q.as_str()).or_default().push(v.as_str());
    }
    let mut out = Vec::new();
    if let Some(survey) = catalog.get(form) {
        let lang = if survey.languages.contains(&reader) {
            reader
        } else {
            survey.default_lang
        };
        for q in survey.answerable() {
            let shown = match &q.kind {
                Kind::Rating
                | Kind::Nps
                | Kind::Integer { .. }
                | Kind::Decimal { .. }
                | Kind::Text { .. } => true,
                _ => q.indicator.is_some(),
            };
            let Some(given) = values.remove(q.name.as_str()) else {
                continue;
            };
            if !shown {
                continue;
            }
            let words: Vec<String> = given
                .iter()
                .map(|v| {
                    q.kind
                        .choices()
                        .and_then(|c| c.iter().find(|c| c.name == *v))
                        .map_or_else(|| (*v).to_owned(), |c| c.label.get(lang).to_owned())
                })
                .collect();
            let value = match &q.kind {
                Kind::Rating => Admin::ScoreOf5.fill(reader, words.join(", ")),
                Kind::Nps => Admin::ScoreOf10.fill(reader, words.join(", ")),
                _ => cut(&words.join(", ")),
            };
            out.push((q.label.get(lang).to_owned(), value));
        }
    }
    for (name, given) in values {
        out.push((name.to_owned(), cut(&given.join(", "))));
    }
    out
}

/// Free text cut to `TEXT_SHOWN` characters, with `…` when there was more.
pub fn cut(s: &str) -> String {
    if s.chars().count() <= TEXT_SHOWN {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(TEXT_SHOWN).collect();
        t.push('…');
        t
    }
}

fn number(v: Option<&str>) -> Option<u64> {
    blank(v).and_then(|n| n.parse().ok())
}

/// The notice after a decision, in `lang`, from numbers only: nothing from the URL is shown as text.
pub fn notice_text(q: &HeldQuery, lang: Lang) -> Option<String> {
    let verb = match q.done.as_deref()? {
        "accepted" => Admin::NoticeAccepted,
        "excluded" => Admin::NoticeExcluded,
        "none" => return Some(Admin::NoticeNone.text(lang).into()),
        _ => return None,
    };
    let n = number(q.n.as_deref()).unwrap_or(0);
    let mut parts = vec![verb.fill(lang, n)];
    if verb == Admin::NoticeAccepted && n > 0 {
        parts.push(Admin::NoticeCountsNow.text(lang).into());
    }
    for (value, key) in [
        (&q.already, Admin::NoticeAlready),
        (&q.unknown, Admin::NoticeUnknown),
        (&q.remaining, Admin::NoticeRemaining),
    ] {
        if let Some(k) = number(value.as_deref()).filter(|k| *k > 0) {
            parts.push(key.fill(lang, k));
        }
    }
    let sep = if lang == Lang::Zh { "" } else { " " };
    Some(parts.join(sep))
}

/// A public id as the writer makes them: 24 hex digits.
pub fn is_public_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<(HeldFilter, Params), Msg> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        parse_filter(|k| map.get(k).cloned(), UtcOffset::UTC)
    }

    #[test]
    fn a_good_filter_parses_and_blank_values_mean_all() {
        let (f, p) = parse(&[
            ("form", "post-purchase"),
            ("store", "S001"),
            ("flag", "too-fast"),
            ("from", "2026-11-01"),
            ("to", " "),
        ])
        .unwrap();
        assert_eq!(f.form.as_deref(), Some("post-purchase"));
        assert_eq!(f.flag, Some(Flag::TooFast));
        assert_eq!(f.to, None);
        assert_eq!(
            p.query(),
            "form=post%2Dpurchase&store=S001&flag=too%2Dfast&from=2026%2D11%2D01"
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_field_named() {
        for (pairs, says) in [
            (
                &[("flag", "slow")][..],
                "`flag` 'slow' is not one of too-fast",
            ),
            (&[("from", "30/11/2026")][..], "`from` must be a date"),
            (
                &[("from", "2026-11-02"), ("to", "2026-11-01")][..],
                "`to` must be on or after",
            ),
            (&[("store", "S 1")][..], "`store` must be a store code"),
            (&[("form", "Post Purchase")][..], "`form` must be a form id"),
            (&[("to", "0001-01-01")][..], "`to` must be between"),
        ] {
            let e = parse(pairs).unwrap_err();
            assert!(e.to_string().contains(says), "{pairs:?}: {e}");
        }
        assert!(parse_page(Some("0")).is_err());
        assert_eq!(parse_page(Some("3")), Ok(2));
        assert_eq!(parse_page(None), Ok(0));
    }

    #[test]
    fn the_notice_is_made_of_numbers_only() {
        let q = HeldQuery {
            done: Some("accepted".into()),
            n: Some("3".into()),
            already: Some("1".into()),
            remaining: Some("<script>".into()),
            ..HeldQuery::default()
        };
        let text = notice_text(&q, Lang::En).unwrap();
        assert!(text.starts_with("Accepted 3 response(s)."), "{text}");
        assert!(text.contains("1 had already been decided"));
        assert!(!text.contains("script"));
        let odd = HeldQuery {
            done: Some("<b>".into()),
            ..HeldQuery::default()
        };
        assert_eq!(notice_text(&odd, Lang::En), None);
    }

    #[test]
    fn key_answers_come_in_form_order_in_words() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
        let catalog = crate::survey::load_dir(&dir).unwrap();
        // As the database returns them: by question name, then position.
        let raw: Vec<(String, String)> = [
            ("gone_question", "kept"),
            ("heard_from", "friend"),
            ("heard_from", "ad"),
            ("overall_satisfaction", "2"),
            ("recommend", "3"),
        ]
        .iter()
        .map(|(q, v)| ((*q).to_owned(), (*v).to_owned()))
        .collect();
        let shown = key_answers(&catalog, "post-purchase", &raw, Lang::En);
        let values: Vec<&str> = shown.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                "2 of 5",
                "3 of 10",
                "Friends or family, Advert or leaflet",
                "kept"
            ]
        );
        assert_eq!(shown[3].0, "gone_question");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "很".repeat(200);
        let shown = cut(&long);
        assert_eq!(shown.chars().count(), TEXT_SHOWN + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(cut("short"), "short");
    }
}
