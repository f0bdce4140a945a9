//! Server keys kept in the database: random on first use, the same after every restart.

use crate::db::Pool;

use rand::RngCore;

use crate::db::now_rfc3339;

/// The 32-byte key called `name`, created at random the first time it is asked for.
/// Takes the write pool: when the key is missing it inserts, and reading back on the
/// same connection sees the row whoever inserted it (another process's insert wins,
/// `on conflict` keeps it). A key already stored is only read, so a server whose disk
/// is full still signs its login forms.
pub async fn get_or_create(write: &Pool, name: &str) -> sqlx::Result<[u8; 32]> {
    let mut conn = write.acquire().await?;
    let read = "select value from secret where name = $1";
    let mut stored: Option<Vec<u8>> = crate::with_conn!(&mut conn, ex => sqlx::query_scalar(read)
        .bind(name)
        .fetch_optional(&mut *ex)
        .await)?;
    if stored.is_none() {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        crate::with_conn!(&mut conn, ex => sqlx::query(
            "insert into secret (name, value, created_at) values ($1, $2, $3) on conflict (name) do nothing",
        )
        .bind(name)
        .bind(&fresh[..])
        .bind(now_rfc3339())
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
        stored = Some(crate::with_conn!(&mut conn, ex => sqlx::query_scalar(read)
                .bind(name)
                .fetch_one(&mut *ex)
                .await)?);
    }
    // A key of another length was not written by this code: refuse it rather than
    // sign with something shorter than intended.
    let stored = stored.unwrap_or_default();
    stored.try_into().map_err(|v: Vec<u8>| {
        sqlx::Error::Decode(format!("the secret '{name}' has {} bytes, not 32", v.len()).into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_made_once_and_kept_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let db = crate::db::connect(&path).await.unwrap();
        let first = get_or_create(&db.write, "login").await.unwrap();
        assert_eq!(get_or_create(&db.write, "login").await.unwrap(), first);
        assert_ne!(get_or_create(&db.write, "other").await.unwrap(), first);
        db.close().await;
        let db = crate::db::connect(&path).await.unwrap();
        assert_eq!(get_or_create(&db.write, "login").await.unwrap(), first);
        db.close().await;
    }
}
