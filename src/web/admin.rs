//! Administration pages: the store registry (admins edit, managers read) and store posters; accounts are in `users`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role};
use crate::db::stores;
use crate::db::stores::{Store, StoreFilter};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::admin::Admin;
use crate::paging::Page;
use crate::stores::StoreInput;
use crate::views::admin::{
    Listing, Poster, StoreFilterValues, StoresPage, poster_page, stores_page,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::users::routes())
        .route("/admin/stores", get(list_stores).post(save_store))
        .route("/admin/stores/{code}/poster/{form_id}", get(poster))
}

/// The list pages' query: filters, the page, the notice after a change, the store to edit.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    pub done: Option<String>,
    pub edit: Option<String>,
    pub page: Option<String>,
    pub role: Option<String>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub q: Option<String>,
}

/// The value with its spaces trimmed, or `None` when nothing is left.
pub(super) fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// The notices a redirect after a change may ask for; anything else shows nothing.
pub(super) fn done_text(done: Option<&str>, lang: Lang) -> Option<&'static str> {
    let key = match done? {
        "created" => Admin::AccountCreated,
        "status" => Admin::StatusChanged,
        "password" => Admin::PasswordWasReset,
        "store" => Admin::StoreSaved,
        "stores" => Admin::StoresSaved,
        _ => return None,
    };
    Some(key.text(lang))
}

/// Longest text the store search takes.
const SEARCH_MAX: usize = 50;

/// What a Stores page shows besides its list.
struct StoresExtra<'a> {
    edit: &'a Store,
    editing: bool,
    errors: &'a FieldErrors,
    refused: Option<&'static str>,
    done: Option<&'static str>,
}

async fn stores_view(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    extra: StoresExtra<'_>,
) -> Result<(StatusCode, maud::Markup)> {
    let viewer = user.viewer().await?;
    let lang = viewer.lang;
    let forms: Vec<(String, String)> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| (s.id.clone(), s.title.get(lang).to_owned()))
        .collect();
    let mut filter_errors = FieldErrors::new();
    let region = blank(q.region.as_deref()).map(str::to_owned);
    let mut search = blank(q.q.as_deref()).map(str::to_owned);
    if search
        .as_ref()
        .is_some_and(|s| s.chars().count() > SEARCH_MAX)
    {
        filter_errors.insert("q".into(), Admin::ErrSearch.text(lang).into());
        search = None;
    }
    let values = StoreFilterValues {
        region: region.clone().unwrap_or_default(),
        search: search.clone().unwrap_or_default(),
    };
    let filter = StoreFilter { region, search };
    let asked = Page::parse(q.page.as_deref());
    let pool = &state.db.read;
    let ((rows, total), regions) = tokio::try_join!(
        stores::page(pool, &filter, asked),
        crate::db::reports::regions(pool)
    )?;
    let status = if filter_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = stores_page(&StoresPage {
        viewer: &viewer,
        list: Listing {
            rows: &rows,
            total,
            page: asked.clamp(total),
            base: values.url(),
        },
        filter: &values,
        filter_errors: &filter_errors,
        regions: &regions,
        forms: &forms,
        edit: extra.edit,
        editing: extra.editing,
        errors: extra.errors,
        refused: extra
            .refused
            .or_else(|| (!filter_errors.is_empty()).then(|| Admin::ErrSearch.text(lang))),
        done: extra.done,
    });
    Ok((status, page))
}

fn empty_store() -> Store {
    Store {
        code: String::new(),
        name: String::new(),
        region: String::new(),
        address: None,
        opening_hours: None,
    }
}

async fn list_stores(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    user.require_staff()?;
    let edit = match blank(q.edit.as_deref()) {
        Some(code) if user.role == Role::Admin => Some(
            stores::get(&state.db.read, code)
                .await?
                .ok_or_else(|| Error::not_found(Admin::StoreWord.msg(), code))?,
        ),
        _ => None,
    };
    let done = done_text(q.done.as_deref(), user.lang);
    let editing = edit.is_some();
    let edit = edit.unwrap_or_else(empty_store);
    let extra = StoresExtra {
        edit: &edit,
        editing,
        errors: &FieldErrors::new(),
        refused: None,
        done,
    };
    Ok(stores_view(&state, &user, &q, extra).await?.into_response())
}

async fn save_store(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(input): CsrfForm<StoreInput>,
) -> Result<Response> {
    user.require_admin()?;
    match input.clone().parse(user.lang) {
        Ok(store) => {
            stores::upsert(&state.db.write, &store).await?;
            Ok(Redirect::to("/admin/stores?done=store").into_response())
        }
        Err(errors) => {
            let shown = Store {
                code: input.code,
                name: input.name,
                region: input.region,
                address: input.address,
                opening_hours: input.opening_hours,
            };
            let extra = StoresExtra {
                edit: &shown,
                editing: true,
                errors: &errors,
                refused: Some(Admin::ErrStoreRefused.text(user.lang)),
                done: None,
            };
            let (_, page) = stores_view(&state, &user, &ListQuery::default(), extra).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Whether a URL's host names this computer only (a loopback or unspecified address, or
/// `localhost`): a QR code pointing there opens on no customer's phone.
pub fn is_local_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else if host_port.matches(':').count() > 1 {
        // A bare IPv6 address, without brackets or port.
        host_port
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The printable poster for one store and one customer survey, with the form's QR code.
async fn poster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, form_id)): Path<(String, String)>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    let store = stores::get(&state.db.read, &code)
        .await?
        .ok_or_else(|| Error::not_found(Admin::StoreWord.msg(), &code))?;
    let survey = state.survey(&form_id)?;
    if survey.is_audit() {
        return Err(Error::not_found(Admin::CustomerSurveyWord.msg(), &form_id));
    }
    let base = state.settings.public_url.trim_end_matches('/');
    let url = format!("{base}/s/{}?store={}", survey.id, store.code);
    let qr =
        QrCode::new(url.as_bytes()).map_err(|e| Error::Other(anyhow::anyhow!("QR code: {e}")))?;
    let svg = qr.render::<svg::Color>().min_dimensions(240, 240).build();
    // The encoder's XML prolog has no place inside an HTML document.
    let svg = svg
        .find("<svg")
        .map_or(svg.as_str(), |at| &svg[at..])
        .to_owned();
    Ok(poster_page(&Poster {
        lang: user.lang,
        store: &store,
        title_zh: survey.title.get(Lang::Zh),
        title_en: survey.title.get(Lang::En),
        url: &url,
        qr_svg: &svg,
        loopback: is_local_url(base),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_on_this_computer_are_recognised() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.0.0.2",
            "http://localhost:8080/",
            "https://LOCALHOST",
            "http://[::1]:8080",
            "http://0.0.0.0:8080",
            "http://user@127.0.0.1",
            "localhost:8080",
            "http://shop.localhost",
        ] {
            assert!(is_local_url(url), "{url}");
        }
        for url in [
            "https://survey.example.com",
            "http://192.168.1.20:8080",
            "http://[2001:db8::1]:8080",
            "https://127.0.0.1.example.com",
            "http://localhost.example.com",
        ] {
            assert!(!is_local_url(url), "{url}");
        }
    }
}
