//! The webhooks admin page (admins only): endpoints added, disabled, enabled and deleted, and the delivery log with "retry now".

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::AppState;
use super::csrf_form::{CsrfForm, CsrfPairs};
use crate::answers::FieldErrors;
use crate::auth::CurrentUser;
use crate::db::now_rfc3339;
use crate::db::webhooks::{self, Status};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::webhooks::Hook;
use crate::paging::Page;
use crate::views::admin::Listing;
use crate::views::webhooks::{NewHookValues, WebhooksPage, log_url, webhooks_page};
use crate::webhooks::{Event, sign};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(list).post(create))
        .route("/admin/webhooks/{id}/status", post(set_status))
        .route("/admin/webhooks/{id}/delete", post(delete))
        .route("/admin/webhooks/deliveries/{id}/retry", post(retry))
}

/// Longest URL taken; real hook URLs are far shorter.
const URL_MAX: usize = 2000;

/// The URL as stored, when it is http or https and names a host.
pub fn check_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > URL_MAX {
        return None;
    }
    let url = reqwest::Url::parse(raw).ok()?;
    let web = matches!(url.scheme(), "http" | "https");
    let host = url.host_str().is_some_and(|h| !h.is_empty());
    (web && host).then(|| url.to_string())
}

/// The add form, checked: the URL as stored and the events chosen, or each field's problem.
fn check_new(
    pairs: &[(String, String)],
    lang: Lang,
) -> (NewHookValues, Result<String, FieldErrors>) {
    let typed = pairs
        .iter()
        .find(|(k, _)| k == "url")
        .map_or("", |(_, v)| v.as_str());
    let mut events: Vec<Event> = pairs
        .iter()
        .filter(|(k, _)| k == "events")
        .filter_map(|(_, v)| Event::parse(v))
        .collect();
    // In the order the page lists them, each once.
    events.sort_by_key(|e| Event::ALL.iter().position(|a| a == e));
    events.dedup();
    let url = check_url(typed);
    let mut errors = FieldErrors::new();
    if url.is_none() {
        errors.insert("url".into(), Hook::ErrUrl.text(lang).into());
    }
    if events.is_empty() {
        errors.insert("events".into(), Hook::ErrEvents.text(lang).into());
    }
    let values = NewHookValues {
        url: typed.trim().to_owned(),
        events,
    };
    match url {
        Some(url) if errors.is_empty() => (values, Ok(url)),
        _ => (values, Err(errors)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    done: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

fn done_text(done: Option<&str>, lang: Lang) -> Option<&'static str> {
    let key = match done? {
        "enabled" => Hook::DoneEnabled,
        "disabled" => Hook::DoneDisabled,
        "deleted" => Hook::DoneDeleted,
        "retried" => Hook::DoneRetried,
        _ => return None,
    };
    Some(key.text(lang))
}

/// What the page shows besides the lists.
#[derive(Default)]
struct Extra<'a> {
    form: NewHookValues,
    errors: FieldErrors,
    new_secret: Option<&'a str>,
    refused: Option<&'static str>,
    done: Option<&'static str>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    extra: Extra<'_>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| Error::BadRequest(Hook::ErrStatus.msg()))?),
    };
    let status_text = status.map_or("", Status::as_str);
    let asked = Page::parse(q.page.as_deref());
    let pool = &state.db.read;
    let (hooks, (rows, total)) = tokio::try_join!(
        webhooks::list(pool),
        webhooks::deliveries(pool, status, asked)
    )?;
    Ok(webhooks_page(&WebhooksPage {
        viewer: &viewer,
        hooks: &hooks,
        form: &extra.form,
        errors: &extra.errors,
        new_secret: extra.new_secret,
        refused: extra.refused,
        done: extra.done,
        log: Listing {
            rows: &rows,
            total,
            page: asked.clamp(total),
            base: log_url(status_text),
        },
        status: status_text,
        offset: state.settings.utc_offset,
    }))
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<maud::Markup> {
    user.require_admin()?;
    let extra = Extra {
        done: done_text(q.done.as_deref(), user.lang),
        ..Extra::default()
    };
    page(&state, &user, &q, extra).await
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfPairs(pairs): CsrfPairs,
) -> Result<Response> {
    user.require_admin()?;
    let lang = user.lang;
    let (values, checked) = check_new(&pairs, lang);
    let url = match checked {
        Ok(url) => url,
        Err(errors) => {
            let extra = Extra {
                form: values,
                errors,
                refused: Some(Hook::Refused.text(lang)),
                ..Extra::default()
            };
            let page = page(&state, &user, &ListQuery::default(), extra).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let secret = sign::new_secret();
    let id = webhooks::create(
        &state.db.write,
        &url,
        &secret,
        &values.events,
        Some(user.id),
        &now_rfc3339(),
    )
    .await?;
    tracing::info!(webhook = id, by = user.id, "webhook added");
    // Shown straight away rather than after a redirect, so the secret never sits in a URL.
    let extra = Extra {
        new_secret: Some(&secret),
        ..Extra::default()
    };
    Ok(page(&state, &user, &ListQuery::default(), extra)
        .await?
        .into_response())
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<super::users::StatusForm>,
) -> Result<Response> {
    user.require_admin()?;
    let disabled = form.disabled()?;
    webhooks::set_disabled(&state.db.write, id, disabled)
        .await?
        .ok_or_else(|| Error::not_found(Hook::WebhookWord.msg(), id))?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/admin/webhooks?done={done}")).into_response())
}

/// The CSRF token is the only field.
#[derive(Debug, Deserialize)]
struct Empty {}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    user.require_admin()?;
    webhooks::delete(&state.db.write, id)
        .await?
        .ok_or_else(|| Error::not_found(Hook::WebhookWord.msg(), id))?;
    tracing::info!(webhook = id, by = user.id, "webhook deleted");
    Ok(Redirect::to("/admin/webhooks?done=deleted").into_response())
}

async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    user.require_admin()?;
    webhooks::retry(&state.db.write, id, &now_rfc3339())
        .await?
        .ok_or_else(|| Error::not_found(Hook::FailedDeliveryWord.msg(), id))?;
    Ok(Redirect::to("/admin/webhooks?done=retried").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_are_taken() {
        for (typed, stored) in [
            (
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
            ),
            (
                "  http://127.0.0.1:9000/hook ",
                "http://127.0.0.1:9000/hook",
            ),
            ("HTTPS://CRM.Example.com", "https://crm.example.com/"),
        ] {
            assert_eq!(check_url(typed).as_deref(), Some(stored), "{typed}");
        }
        for bad in [
            "",
            "crm.example.com/hook",
            "ftp://example.com/",
            "http://",
            "mailto:a@example.com",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://exa mple.com/",
        ] {
            assert_eq!(check_url(bad), None, "{bad:?}");
        }
        assert_eq!(
            check_url(&format!("https://example.com/{}", "a".repeat(URL_MAX))),
            None
        );
    }

    #[test]
    fn the_add_form_needs_a_url_and_an_event() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let (values, ok) = check_new(
            &pairs(&[
                ("url", "https://crm.example.com/h"),
                ("events", "case.closed"),
                ("events", "case.opened"),
                ("events", "case.closed"),
                ("events", "case.bogus"),
            ]),
            Lang::En,
        );
        assert_eq!(ok, Ok("https://crm.example.com/h".to_owned()));
        assert_eq!(values.events, [Event::CaseOpened, Event::CaseClosed]);
        let (values, refused) = check_new(&pairs(&[("url", "ftp://x")]), Lang::En);
        let errors = refused.unwrap_err();
        assert!(errors.contains_key("url") && errors.contains_key("events"));
        assert_eq!(values.url, "ftp://x");
    }
}
