//! Logging in and out: the sessionless CSRF check, the rate limit, the bounded password check, session renewal and the device cookie.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;
use tower_sessions::cookie::{Cookie, SameSite};

use super::AppState;
use super::body::FormBody;
use super::csrf_form::CsrfForm;
use super::lang::RequestLang;
use crate::auth::session_error;
use crate::auth::signed::{self, DEVICE_TOKEN_TTL, LOGIN_TOKEN_TTL, unix_now};
use crate::auth::{
    CSRF_FIELD, CurrentUser, SESSION_EPOCH, SESSION_LANG, SESSION_USER, csrf_refused,
};
use crate::db::users;
use crate::error::{Error, Result, with_retry_after};
use crate::i18n::Lang;
use crate::i18n::staff::Staff;
use crate::views::login::login_page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(show_login).post(login))
        .route("/logout", post(logout))
        .route("/home", get(home))
}

/// The client's address for the rate limit: the socket's, or behind a trusted proxy the
/// last X-Forwarded-For entry (earlier entries are whatever the client chose to send).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let forwarded = state
            .settings
            .trust_proxy
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(
            forwarded.or(socket).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Cookie names. Over HTTPS the `__Host-` prefix makes browsers refuse the cookie
/// unless it is Secure, host-only and for `/`, so a sibling subdomain cannot plant one.
fn cookie_name(state: &AppState, base: &'static str) -> String {
    if state.settings.secure_cookies {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}
const LOGIN_COOKIE: &str = "manyi_login";
const DEVICE_COOKIE: &str = "manyi_device";

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(std::result::Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// HttpOnly (scripts never need them) and SameSite=Strict (only our own login page
/// posts them back).
fn set_cookie(res: &mut Response, state: &AppState, name: String, value: String, ttl: u64) {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .max_age(time::Duration::seconds(
            i64::try_from(ttl).unwrap_or(i64::MAX),
        ))
        .build();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The login form. It touches no session: its CSRF token is a signed cookie, so
/// anonymous visitors leave nothing in the database.
async fn show_login(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    headers: HeaderMap,
) -> Result<Response> {
    let key = state.limiter.key(&state.db.write).await?;
    let now = unix_now();
    let name = cookie_name(&state, LOGIN_COOKIE);
    // A token with most of its life left is reused, so two open login tabs both work.
    let kept = read_cookie(&headers, &name)
        .filter(|t| signed::login_token_age(&key, t, now).is_some_and(|a| a < LOGIN_TOKEN_TTL / 2));
    let token = kept
        .clone()
        .unwrap_or_else(|| signed::login_token(&key, now));
    let mut res = login_page(lang, &token, "", None).into_response();
    if kept.is_none() {
        set_cookie(&mut res, &state, name, token, LOGIN_TOKEN_TTL);
    }
    Ok(res)
}

#[tracing::instrument(skip_all)]
async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    RequestLang(lang): RequestLang,
    headers: HeaderMap,
    FormBody(pairs): FormBody,
) -> Result<Response> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let lang = field("lang").and_then(Lang::parse).unwrap_or(lang);
    // The CSRF check comes first: nothing else about a forged post is looked at.
    let key = state.limiter.key(&state.db.write).await?;
    let now = unix_now();
    let token = field(CSRF_FIELD).unwrap_or_default().to_owned();
    let cookie = read_cookie(&headers, &cookie_name(&state, LOGIN_COOKIE));
    if !signed::login_post_genuine(&key, cookie.as_deref(), Some(&token), now) {
        return Err(csrf_refused());
    }
    let username = field("username").unwrap_or_default().trim().to_owned();
    let password = field("password").unwrap_or_default().to_owned();
    let known_device = read_cookie(&headers, &cookie_name(&state, DEVICE_COOKIE))
        .is_some_and(|t| signed::device_token_valid(&key, &t, &username, now));

    // The slot is taken before the password is checked and counts as a failure until
    // the check ends, so simultaneous guesses get no more checks than the limit.
    let slot = match state.limiter.reserve(&username, &addr, known_device) {
        Ok(slot) => slot,
        Err(refusal) => {
            tracing::warn!(%addr, "login rate limit reached");
            let mut res = login_again(
                lang,
                &token,
                &username,
                StatusCode::TOO_MANY_REQUESTS,
                &refusal.message(lang),
            );
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(refusal.wait().as_secs().max(1)),
            );
            return Ok(res);
        }
    };
    let user = users::by_username(&state.db.read, &username).await?;
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone());
    let Ok(right) = state.limiter.check_password(hash, password).await else {
        // Not the client's fault: the slot is given back uncounted.
        drop(slot);
        tracing::warn!("every password check is busy; login refused");
        return Ok(with_retry_after(login_again(
            lang,
            &token,
            &username,
            StatusCode::SERVICE_UNAVAILABLE,
            Staff::ErrLoginBusy.text(lang),
        )));
    };
    let Some(user) = user.filter(|_| right) else {
        slot.failed();
        return Ok(login_again(
            lang,
            &token,
            &username,
            StatusCode::UNAUTHORIZED,
            Staff::ErrWrongLogin.text(lang),
        ));
    };
    slot.succeeded();
    // A new session id at login, so a session fixed before login is worthless after
    // it, and nothing of an earlier session's data (another user, a CSRF token) stays.
    if session.id().is_some() {
        session.cycle_id().await.map_err(session_error)?;
    }
    session.clear().await;
    session
        .insert(SESSION_USER, user.id)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_EPOCH, user.session_epoch)
        .await
        .map_err(session_error)?;
    if let Some(lang) = user.lang {
        session
            .insert(SESSION_LANG, lang.code())
            .await
            .map_err(session_error)?;
    }
    tracing::info!(user = user.id, "logged in");
    Ok(Redirect::to("/home").into_response())
}

/// The login form again, with the name and the form's token kept, and one message
/// for both causes of a wrong login.
fn login_again(
    lang: Lang,
    token: &str,
    username: &str,
    status: StatusCode,
    message: &str,
) -> Response {
    (status, login_page(lang, token, username, Some(message))).into_response()
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn logout(session: Session, CsrfForm(_): CsrfForm<Empty>) -> Result<Redirect> {
    session.flush().await.map_err(session_error)?;
    Ok(Redirect::to("/login"))
}

/// Where each role starts. The device cookie is given here, on the first page after
/// login, so only a browser that kept the session gets it, and the login answer's one
/// cookie stays the session's.
async fn home(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let key = state.limiter.key(&state.db.write).await?;
    let token = signed::device_token(&key, &user.username, unix_now());
    // A store manager's work is their stores' cases; everyone else starts at the audits.
    let start = match user.role {
        crate::auth::Role::StoreManager => "/cases",
        _ => "/audits",
    };
    let mut res = Redirect::to(start).into_response();
    let name = cookie_name(&state, DEVICE_COOKIE);
    set_cookie(&mut res, &state, name, token, DEVICE_TOKEN_TTL);
    Ok(res)
}
