//! CSRF tokens: one random token per session, embedded in every staff form that changes state and checked on post (the login form's is in `signed.rs`).

use rand::RngCore;
use tower_sessions::Session;

use crate::error::Error;

/// The hidden field every state-changing form carries.
pub const CSRF_FIELD: &str = "_csrf";
const SESSION_KEY: &str = "csrf";

/// The session's token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, Error> {
    if let Some(token) = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(session_error)?
    {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    session
        .insert(SESSION_KEY, &token)
        .await
        .map_err(session_error)?;
    Ok(token)
}

/// Refuses a post whose token is missing or is not this session's.
pub async fn verify_csrf(session: &Session, submitted: Option<&str>) -> Result<(), Error> {
    let expected = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(session_error)?;
    match (expected, submitted) {
        (Some(e), Some(s)) if constant_time_eq(e.as_bytes(), s.as_bytes()) => Ok(()),
        _ => Err(csrf_refused()),
    }
}

/// The refusal of a post whose token does not check out, for staff forms and the login form alike.
pub fn csrf_refused() -> Error {
    Error::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again."
            .into(),
    )
}

pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn session_error(e: tower_sessions::session::Error) -> Error {
    Error::Other(anyhow::anyhow!("session store: {e}"))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
