//! The customer form's store picker: a form reached without a store (`settings.ask_store`) asks which one on its first page.

use maud::{Markup, html};

use crate::answers::FieldErrors;
use crate::db::stores::Store;
use crate::i18n::store_pick::StorePick;
use crate::i18n::{Lang, Ui};

/// The field's name in posts and in the error map; it starts with `_` so no question can take it.
pub const FIELD: &str = "_store";

/// The picker's one rule beyond the base sheet: a `<select>` as wide and tall as the other inputs.
pub const CSS: &str = "select{width:100%;min-height:44px;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:6px;background:#fff}";

/// The registered stores as the customer chooses among them, and the one chosen so far.
pub struct StorePicker<'a> {
    pub stores: &'a [Store],
    pub chosen: Option<&'a str>,
}

/// One `<optgroup>`: a region and its stores' (code, label).
type Region<'a> = (&'a str, Vec<(&'a str, String)>);

/// Stores grouped by region, regions and names in order; a name that occurs twice in a
/// region carries its code, so the customer can tell the two apart.
fn regions(stores: &[Store]) -> Vec<Region<'_>> {
    let mut sorted: Vec<&Store> = stores.iter().collect();
    sorted.sort_by(|a, b| (&a.region, &a.name, &a.code).cmp(&(&b.region, &b.name, &b.code)));
    let mut out: Vec<Region<'_>> = Vec::new();
    for s in &sorted {
        let twin = sorted
            .iter()
            .any(|o| o.code != s.code && o.region == s.region && o.name == s.name);
        let label = if twin {
            format!("{} · {}", s.name, s.code)
        } else {
            s.name.clone()
        };
        match out.last_mut() {
            Some((region, list)) if *region == s.region => list.push((&s.code, label)),
            _ => out.push((&s.region, vec![(&s.code, label)])),
        }
    }
    out
}

pub fn picker(p: &StorePicker, lang: Lang, errors: &FieldErrors) -> Markup {
    let error = errors.get(FIELD);
    let id = format!("q-{FIELD}");
    let described = if error.is_some() {
        format!("hint-{FIELD} err-{FIELD}")
    } else {
        format!("hint-{FIELD}")
    };
    html! {
        div.q.bad[error.is_some()] {
            label for=(id) {
                (StorePick::Label.text(lang)) " "
                span.req { "(" (Ui::Required.text(lang)) ")" }
            }
            span.hint id={ "hint-" (FIELD) } { (StorePick::Hint.text(lang)) }
            @if let Some(e) = error { p.err id={ "err-" (FIELD) } { (e) } }
            select id=(id) name=(FIELD) required aria-describedby=(described)
                aria-invalid=[error.map(|_| "true")] {
                option value="" selected[p.chosen.is_none()] { (StorePick::Choose.text(lang)) }
                @for (region, stores) in regions(p.stores) {
                    optgroup label=(region) {
                        @for (code, label) in stores {
                            option value=(code) selected[p.chosen == Some(code)] { (label) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(code: &str, name: &str, region: &str) -> Store {
        Store {
            code: code.into(),
            name: name.into(),
            region: region.into(),
            address: None,
            opening_hours: None,
        }
    }

    #[test]
    fn stores_are_grouped_by_region_and_ordered_by_name() {
        let stores = [
            store("S3", "Zhongshan", "South"),
            store("S1", "West Lake", "East"),
            store("S2", "Bund", "East"),
            store("S4", "Airport", "South"),
        ];
        let got = regions(&stores);
        let names: Vec<(&str, Vec<&str>)> = got
            .iter()
            .map(|(r, l)| (*r, l.iter().map(|(c, _)| *c).collect()))
            .collect();
        assert_eq!(
            names,
            vec![("East", vec!["S2", "S1"]), ("South", vec!["S4", "S3"])]
        );
    }

    #[test]
    fn two_stores_of_one_name_in_a_region_are_told_apart_by_code() {
        let stores = [
            store("S1", "万达店", "East"),
            store("S2", "万达店", "East"),
            store("S3", "万达店", "South"),
        ];
        let got = regions(&stores);
        assert_eq!(got[0].1[0].1, "万达店 · S1");
        assert_eq!(got[0].1[1].1, "万达店 · S2");
        assert_eq!(got[1].1[0].1, "万达店", "alone in its region");
    }

    #[test]
    fn the_chosen_store_is_selected_and_an_error_is_tied_to_the_field() {
        let stores = [store("S1", "Bund", "East"), store("S2", "<b>", "East")];
        let mut errors = FieldErrors::new();
        errors.insert(FIELD.into(), "Please answer this question.".into());
        let html = picker(
            &StorePicker {
                stores: &stores,
                chosen: Some("S1"),
            },
            Lang::En,
            &errors,
        )
        .into_string();
        assert!(
            html.contains(r#"<option value="S1" selected>Bund</option>"#),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;"), "names are escaped: {html}");
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(
            html.contains(r#"<p class="err" id="err-_store">Please answer"#),
            "{html}"
        );
    }
}
