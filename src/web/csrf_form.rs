//! `CsrfForm<T>` and `CsrfPairs`: a staff form body whose CSRF token is checked before its fields are read.

use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tower_sessions::Session;

use super::body::FormBody;
use crate::auth::{CSRF_FIELD, verify_csrf};
use crate::error::Error;

/// Every state-changing staff form is read through this, so none can skip the CSRF check.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let CsrfPairs(pairs) = CsrfPairs::from_request(req, state).await?;
        let fields: Map<String, Value> = pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        serde_json::from_value(Value::Object(fields))
            .map(CsrfForm)
            .map_err(|e| Error::BadRequest(format!("The form is incomplete: {e}.").into()))
    }
}

/// The same check for a form with repeated keys (a checkbox per row): the posted pairs in
/// order, without the `_`-prefixed ones (the token).
pub struct CsrfPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for CsrfPairs {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| Error::Other(anyhow::anyhow!("the session layer is missing")))?;
        let FormBody(pairs) =
            FormBody::from_request(Request::from_parts(parts, body), state).await?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        verify_csrf(&session, token).await?;
        Ok(CsrfPairs(
            pairs
                .into_iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .collect(),
        ))
    }
}
