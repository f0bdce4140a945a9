//! The integration token a JSON API request carries: who the client is, what it may send, and its per-token limit.
//!
//! The extractors read the `Authorization` header alone and are listed before the body
//! in every token-protected handler: axum runs them first, so a request without a
//! valid token is answered 401 (or 403 for the wrong scope) before a byte of its body
//! is read.

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::AppState;
use crate::api_limits::{Class, Permit, Refusal};
use crate::db::tokens::{Scope, TokenInfo};
use crate::error::{ApiError, Error};

/// A client with a valid, unrevoked integration token: the token's identity and rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// The token's id (`api_token.id`): safe to log, unlike the token.
    pub id: i64,
    pub scope: Scope,
    /// The one store it may send for; `None`: any store.
    pub store: Option<String>,
    /// Its own system vouches for its respondents: the per-address, duplicate and burst
    /// checks do not apply, and only the token's own (higher) rate limits it.
    pub trusted: bool,
}

impl From<TokenInfo> for ApiClient {
    fn from(t: TokenInfo) -> Self {
        ApiClient {
            id: t.id,
            scope: t.scope,
            store: t.store,
            trusted: t.trusted,
        }
    }
}

impl ApiClient {
    /// Which per-token limits apply: a store-bound untrusted token is a kiosk.
    pub fn class(&self) -> Class {
        Class::of(self.trusted, self.store.is_some())
    }

    /// Takes a place under this token's limits for one response, just before storing it.
    pub fn reserve<'a>(&self, state: &'a AppState) -> Result<Permit<'a>, ApiError> {
        state
            .api_limits
            .reserve(self.id, self.class(), Instant::now())
            .map_err(refused)
    }

    /// The store a request names, as this token may send it: a store-bound token sends
    /// for its store whether the request names it or not, and never for another one.
    pub fn store_for(&self, requested: Option<String>) -> Result<Option<String>, ApiError> {
        let requested = requested
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        match (&self.store, requested) {
            (None, requested) => Ok(requested),
            (Some(bound), None) => Ok(Some(bound.clone())),
            (Some(bound), Some(code)) if code == *bound => Ok(Some(code)),
            (Some(bound), Some(code)) => Err(ApiError(Error::Forbidden(
                format!(
                    "This token is bound to store '{bound}' and cannot send for store '{code}'. \
                 Send \"store\": \"{bound}\" or leave the store out. Nothing was stored."
                )
                .into(),
            ))),
        }
    }

    /// Reads and checks the token for an endpoint that needs `scope`.
    async fn authenticate(
        parts: &Parts,
        state: &AppState,
        scope: Scope,
    ) -> Result<ApiClient, ApiError> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError(Error::BadToken(how_to_send(scope))));
        };
        let Some(info) = state.tokens.check(&state.db.read, token).await? else {
            return Err(ApiError(Error::BadToken(format!(
                "This API token is not valid: it is unknown or has been revoked. {}",
                how_to_send(scope)
            ))));
        };
        if info.scope != scope {
            return Err(ApiError(Error::Forbidden(
                format!(
                    "This token has scope '{}'; this endpoint needs a token with scope '{scope}'. \
                 An admin creates one on /admin/tokens or with `manyi token add --scope {scope}`.",
                    info.scope
                )
                .into(),
            )));
        }
        Ok(info.into())
    }
}

/// What a client without a usable token is told to send.
pub fn how_to_send(scope: Scope) -> String {
    format!(
        "Send an integration token with scope '{scope}' as `Authorization: Bearer <token>`; \
         an admin creates one on /admin/tokens or with `manyi token add --scope {scope}`."
    )
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A refusal by the per-token limits, as the API answers it: 429 with `Retry-After`.
pub fn refused(r: Refusal) -> ApiError {
    ApiError(Error::RateLimited {
        message: r.message().into(),
        retry_after: r.retry_after_secs(),
    })
}

/// A client whose token has scope `submit`: it may post customer responses.
pub struct SubmitClient(pub ApiClient);

/// A client whose token has scope `sales`: it may send sales data.
pub struct SalesClient(pub ApiClient);

impl FromRequestParts<AppState> for SubmitClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        ApiClient::authenticate(parts, state, Scope::Submit)
            .await
            .map(SubmitClient)
    }
}

impl FromRequestParts<AppState> for SalesClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        ApiClient::authenticate(parts, state, Scope::Sales)
            .await
            .map(SalesClient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(store: Option<&str>, trusted: bool) -> ApiClient {
        ApiClient {
            id: 1,
            scope: Scope::Submit,
            store: store.map(str::to_owned),
            trusted,
        }
    }

    fn parts(authorization: &str) -> Parts {
        let (parts, ()) = axum::http::Request::get("/")
            .header(header::AUTHORIZATION, authorization)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn a_store_bound_token_sends_for_its_store_only() {
        let kiosk = client(Some("S001"), false);
        assert_eq!(kiosk.store_for(None).unwrap().as_deref(), Some("S001"));
        assert_eq!(
            kiosk.store_for(Some(" ".into())).unwrap().as_deref(),
            Some("S001")
        );
        assert_eq!(
            kiosk.store_for(Some("S001".into())).unwrap().as_deref(),
            Some("S001")
        );
        let ApiError(Error::Forbidden(message)) = kiosk.store_for(Some("S002".into())).unwrap_err()
        else {
            panic!("403 expected");
        };
        assert!(
            message.to_string().contains("bound to store 'S001'"),
            "{message}"
        );
        let any = client(None, false);
        assert_eq!(any.store_for(None).unwrap(), None);
        assert_eq!(
            any.store_for(Some("S002".into())).unwrap().as_deref(),
            Some("S002")
        );
    }

    #[test]
    fn only_an_untrusted_store_bound_token_is_a_kiosk() {
        assert_eq!(client(Some("S001"), false).class(), Class::Kiosk);
        assert_eq!(client(Some("S001"), true).class(), Class::Trusted);
        assert_eq!(client(None, false).class(), Class::Integration);
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case_and_nothing_else_is() {
        assert_eq!(bearer(&parts("Bearer manyi_x")), Some("manyi_x"));
        assert_eq!(bearer(&parts("bearer  manyi_x ")), Some("manyi_x"));
        assert_eq!(bearer(&parts("Basic YWRhOnNlY3JldA==")), None);
        assert_eq!(bearer(&parts("Bearer ")), None);
        assert_eq!(bearer(&parts("manyi_x")), None);
    }
}
