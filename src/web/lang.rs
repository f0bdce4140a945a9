//! Which language a request's pages are in, the nav bar's language switch, and error pages
//! drawn again in the reader's language.
//!
//! The order is: `?lang=` for one page, then the account's saved choice (kept in the session
//! too), then the browser's Accept-Language, then Chinese, the chains' language of work.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Router, extract::State};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::auth::{CurrentUser, SESSION_LANG, session_error};
use crate::db::users;
use crate::error::{Error, ErrorPage, Result};
use crate::i18n::Lang;
use crate::i18n::staff::Staff;
use crate::views;

/// The language `localize` settled on for this request, before any account is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestLang>()
            .copied()
            .unwrap_or_else(|| RequestLang(browser_lang(&parts.uri, &parts.headers, None))))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/lang", post(choose))
}

/// `?lang=zh` or `?lang=en` in the query, if present and known.
pub fn query_lang(uri: &Uri) -> Option<Lang> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::parse)
}

/// `?lang=`, then the session's saved choice, then Accept-Language, then Chinese.
fn browser_lang(uri: &Uri, headers: &HeaderMap, saved: Option<Lang>) -> Lang {
    if let Some(lang) = query_lang(uri).or(saved) {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(None, accept, &Lang::ALL, Lang::Zh)
}

/// The language of a logged-in user's page: `?lang=`, then the account's choice, then what
/// `localize` found (the session's copy, or the browser's).
pub fn for_account(parts: &Parts, saved: Option<Lang>) -> Lang {
    query_lang(&parts.uri).or(saved).unwrap_or_else(|| {
        parts
            .extensions
            .get::<RequestLang>()
            .map_or_else(|| browser_lang(&parts.uri, &parts.headers, None), |l| l.0)
    })
}

/// Settles the request's language, and draws an error page again in it. Runs inside the
/// session layer; a request without a session cookie reads nothing from the database.
pub async fn localize(mut req: Request, next: Next) -> Response {
    let saved = match req.extensions().get::<Session>() {
        Some(session) => session
            .get::<String>(SESSION_LANG)
            .await
            .ok()
            .flatten()
            .as_deref()
            .and_then(Lang::parse),
        None => None,
    };
    let lang = browser_lang(req.uri(), req.headers(), saved);
    req.extensions_mut().insert(RequestLang(lang));
    let mut response = next.run(req).await;
    if let Some(page) = response.extensions().get::<ErrorPage>().cloned()
        && lang != Lang::Zh
    {
        let body = views::error_page(page.status, &page.message, lang).into_string();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = axum::body::Body::from(body);
    }
    response
}

#[derive(Debug, Deserialize)]
struct Choice {
    lang: String,
}

/// The nav bar's switch: saves the choice on the account and in the session, and goes back
/// to the page it was pressed on.
async fn choose(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    CsrfForm(choice): CsrfForm<Choice>,
) -> Result<Response> {
    let lang =
        Lang::parse(&choice.lang).ok_or_else(|| Error::BadRequest(Staff::ErrBadLang.msg()))?;
    users::set_lang(&state.db.write, user.id, lang).await?;
    user.session
        .insert(SESSION_LANG, lang.code())
        .await
        .map_err(session_error)?;
    Ok(Redirect::to(&back_to(&headers)).into_response())
}

/// The page the switch was pressed on, from `Referer` when it is this site's, without a
/// `lang=` that would override the new choice; else the start page.
fn back_to(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.parse::<Uri>().ok());
    let Some((referer, host)) = referer.zip(host) else {
        return "/home".into();
    };
    if referer.authority().map(|a| a.as_str()) != Some(host) {
        return "/home".into();
    }
    let path = referer.path();
    let query: Vec<&str> = referer
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "shop.example".parse().unwrap());
        h.insert(header::REFERER, referer.parse().unwrap());
        h
    }

    #[test]
    fn goes_back_to_our_own_page_without_its_lang() {
        assert_eq!(
            back_to(&headers("https://shop.example/audits?page=2&lang=en")),
            "/audits?page=2"
        );
        assert_eq!(
            back_to(&headers("https://shop.example/reports?lang=zh")),
            "/reports"
        );
        assert_eq!(back_to(&headers("https://evil.example/phish")), "/home");
        assert_eq!(back_to(&HeaderMap::new()), "/home");
    }

    #[test]
    fn the_query_wins_then_the_saved_choice_then_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        let plain: Uri = "/audits".parse().unwrap();
        let zh: Uri = "/audits?x=1&lang=zh".parse().unwrap();
        assert_eq!(browser_lang(&plain, &h, None), Lang::En);
        assert_eq!(browser_lang(&plain, &h, Some(Lang::Zh)), Lang::Zh);
        assert_eq!(browser_lang(&zh, &h, Some(Lang::En)), Lang::Zh);
        assert_eq!(browser_lang(&plain, &HeaderMap::new(), None), Lang::Zh);
    }
}
