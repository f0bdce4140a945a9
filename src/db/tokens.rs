//! SQL for integration tokens: what a machine client may send, for which store, and whether it vouches for its respondents.
//!
//! Only a SHA-256 of each token is stored, so a token is shown once, when it is made.

use crate::db::Pool;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::db::now_rfc3339;

/// What a token may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Customer responses: `POST /api/v1/forms/{id}/responses`.
    Submit,
    /// Sales data: `POST /api/v1/sales`.
    Sales,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::Submit, Scope::Sales];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Submit => "submit",
            Scope::Sales => "sales",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token as the Tokens page and the API see it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    /// The one store it may submit for; `None`: any store.
    pub store: Option<String>,
    /// Its own system vouches for its respondents (a POS or CRM forwarding answers).
    pub trusted: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub revoked: bool,
}

/// A new token: shown once, then only its digest is kept. `Debug` hides it.
pub struct Created {
    pub id: i64,
    pub token: String,
}

impl fmt::Debug for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Created")
            .field("id", &self.id)
            .field("token", &"<hidden>")
            .finish()
    }
}

type Row = (i64, String, String, Option<String>, bool, String, bool);

const COLUMNS: &str = "id, name, scope, store, trusted, created_at, revoked";

fn from_row(
    (id, name, scope, store, trusted, created_at, revoked): Row,
) -> sqlx::Result<TokenInfo> {
    // The column's check constraint allows only known scopes.
    let scope = Scope::parse(&scope).ok_or_else(|| {
        sqlx::Error::Decode(format!("api_token {id} has the unknown scope '{scope}'").into())
    })?;
    Ok(TokenInfo {
        id,
        name,
        scope,
        store,
        trusted,
        created_at,
        revoked,
    })
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token and returns it. `store`: the one store it may submit for (the caller
/// checks it exists; the foreign key refuses one that does not). `created_by`: the
/// admin who made it, `None` from the command line.
#[tracing::instrument(skip_all, fields(scope = %scope, store = store, trusted))]
pub async fn create(
    pool: &Pool,
    name: &str,
    scope: Scope,
    store: Option<&str>,
    trusted: bool,
    created_by: Option<i64>,
) -> sqlx::Result<Created> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("manyi_{}", hex::encode(bytes));
    let id = crate::with_pool!(pool, ex => sqlx::query_scalar(
        r"insert into api_token (name, token_hash, scope, store, trusted, created_by, created_at)
          values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(name)
    .bind(digest(&token))
    .bind(scope.as_str())
    .bind(store)
    .bind(trusted)
    .bind(created_by)
    .bind(now_rfc3339())
    .fetch_one(ex)
    .await)?;
    Ok(Created { id, token })
}

/// The token's record when it exists and is not revoked.
pub async fn check(pool: &Pool, token: &str) -> sqlx::Result<Option<TokenInfo>> {
    let row: Option<Row> = crate::with_pool!(pool, ex => sqlx::query_as(&format!(
        "select {COLUMNS} from api_token where token_hash = $1 and not revoked"
    ))
    .bind(digest(token))
    .fetch_optional(ex)
    .await)?;
    row.map(from_row).transpose()
}

/// Valid tokens seen lately, so a busy integration's requests skip the token query.
/// Only valid tokens are kept (a made-up one costs its one indexed read and is not
/// remembered), so the cache is as large as the token list. A revoke on this server
/// clears it at once; another process sharing the database sees a revoke within [`CACHE_TTL`].
#[derive(Default)]
pub struct Cache {
    valid: std::sync::Mutex<std::collections::HashMap<String, (TokenInfo, std::time::Instant)>>,
}

/// How long a checked token is trusted without asking the database again.
pub const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl Cache {
    fn map(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (TokenInfo, std::time::Instant)>>
    {
        // One insert or clear at a time: a poisoned map is still consistent.
        self.valid.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// [`check`], answered from memory when the token was valid within [`CACHE_TTL`].
    pub async fn check(&self, pool: &Pool, token: &str) -> sqlx::Result<Option<TokenInfo>> {
        let key = digest(token);
        let now = std::time::Instant::now();
        if let Some((info, at)) = self.map().get(&key)
            && now.saturating_duration_since(*at) < CACHE_TTL
        {
            return Ok(Some(info.clone()));
        }
        let found = check(pool, token).await?;
        let mut map = self.map();
        match &found {
            Some(info) => {
                map.insert(key, (info.clone(), now));
            }
            None => {
                map.remove(&key);
            }
        }
        Ok(found)
    }

    /// Forgets every token: called after a revoke, so it takes effect at once.
    pub fn clear(&self) {
        self.map().clear();
    }
}

/// Every token, oldest first.
pub async fn list(pool: &Pool) -> sqlx::Result<Vec<TokenInfo>> {
    let rows: Vec<Row> = crate::with_pool!(pool, ex => sqlx::query_as(&format!("select {COLUMNS} from api_token order by id"))
        .fetch_all(ex)
        .await)?;
    rows.into_iter().map(from_row).collect()
}

/// Revokes a token; false when there is no such token.
pub async fn revoke(pool: &Pool, id: i64) -> sqlx::Result<bool> {
    let done = crate::with_pool!(pool, ex => sqlx::query("update api_token set revoked = true where id = $1")
        .bind(id)
        .execute(ex)
        .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_from_their_names() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("admin"), None);
        assert_eq!(Scope::parse("Submit"), None);
    }

    #[test]
    fn a_new_token_is_hidden_in_debug_output() {
        let created = Created {
            id: 7,
            token: "manyi_secret".into(),
        };
        assert!(!format!("{created:?}").contains("secret"));
    }
}
