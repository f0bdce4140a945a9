//! The start page, where a visitor picks their store and survey, and the site's icon.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::AppState;
use super::lang::RequestLang;
use crate::db::stores::{self, Store};
use crate::error::Result;
use crate::i18n::Lang;
use crate::i18n::admin::Admin;
use crate::i18n::staff::Staff;
use crate::survey::Survey;
use crate::views::staff::public_page;

/// A 32 × 32 PNG in an ICO wrapper (212 bytes): a white smile on the buttons' blue.
const FAVICON: &[u8] = include_bytes!("favicon.ico");

/// It never changes within a release, so browsers keep it for a week without asking.
pub const FAVICON_CACHE: &str = "public, max-age=604800, immutable";

pub async fn favicon() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/x-icon"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(FAVICON_CACHE),
            ),
        ],
        FAVICON,
    )
        .into_response()
}

/// The start page: each customer survey, with a choice of store (a form link needs one
/// to file the answers under), in the visitor's language.
pub async fn home(State(state): State<AppState>, RequestLang(lang): RequestLang) -> Result<Markup> {
    let stores = stores::list(&state.db.read).await?;
    let surveys: Vec<&Survey> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| s.as_ref())
        .collect();
    Ok(start_page(lang, &surveys, &stores))
}

fn start_page(lang: Lang, surveys: &[&Survey], stores: &[Store]) -> Markup {
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    // Stores come ordered by region, then code: one group per region.
    let mut regions: Vec<(&str, Vec<&Store>)> = Vec::new();
    for s in stores {
        match regions.last_mut() {
            Some((r, list)) if *r == s.region => list.push(s),
            _ => regions.push((&s.region, vec![s])),
        }
    }
    let body = html! {
        p { (Admin::StartIntro.text(lang)) }
        p style="display:flex;flex-wrap:wrap;gap:.5rem 1.5rem" {
            a href={ "/?lang=" (other.code()) } lang=(other.code()) style="min-height:44px;display:inline-flex;align-items:center" { (Staff::SwitchToOther.text(lang)) }
            a href="/login" style="min-height:44px;display:inline-flex;align-items:center" { (Admin::StaffLogin.text(lang)) }
        }
        @if surveys.is_empty() {
            p { (Admin::NoSurveys.text(lang)) }
        } @else if stores.is_empty() {
            p { (Admin::NoStoresYet.text(lang)) }
            ul {
                @for s in surveys {
                    @let shown = if s.languages.contains(&lang) { lang } else { s.default_lang };
                    li { a href={ "/s/" (s.id) "?lang=" (shown.code()) } lang=(shown.code()) { (s.title.get(shown)) } }
                }
            }
        } @else {
            p { (Admin::NeedsStore.text(lang)) " " (Admin::PickStore.text(lang)) }
            @for s in surveys {
                @let shown = if s.languages.contains(&lang) { lang } else { s.default_lang };
                @let id = format!("store-{}", s.id);
                section {
                    h2 lang=(shown.code()) { (s.title.get(shown)) }
                    form method="get" action={ "/s/" (s.id) } {
                        input type="hidden" name="lang" value=(shown.code());
                        div.field {
                            label for=(id) { (Staff::StoreField.text(lang)) }
                            select id=(id) name="store" required {
                                option value="" { "—" }
                                @for (region, list) in &regions {
                                    optgroup label=(region) {
                                        @for st in list {
                                            option value=(st.code) { (st.name) " · " (st.code) }
                                        }
                                    }
                                }
                            }
                        }
                        button type="submit" { (Admin::StartSurvey.text(lang)) }
                    }
                }
            }
        }
    };
    public_page(lang, Staff::Brand.text(lang), body)
}
