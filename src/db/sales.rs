//! SQL for sales data and the API tokens that may send it.

use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use crate::db::now_rfc3339;
use crate::sales::SaleRow;

/// Stores all rows in one transaction; a store and day already stored is replaced.
pub async fn upsert_all(pool: &SqlitePool, rows: &[SaleRow]) -> sqlx::Result<()> {
    let mut tx = pool.begin_with("begin immediate").await?;
    let now = now_rfc3339();
    for chunk in rows.chunks(1000) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into sales (store_code, day, transactions, revenue, imported_at) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(&r.store)
                .push_bind(r.day.to_string())
                .push_bind(r.transactions)
                .push_bind(r.revenue)
                .push_bind(&now);
        });
        q.push(
            " on conflict (store_code, day) do update set transactions = excluded.transactions,
              revenue = excluded.revenue, imported_at = excluded.imported_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token and returns it; only its digest is stored, so it is shown once.
pub async fn create_token(pool: &SqlitePool, name: &str, created_by: i64) -> sqlx::Result<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("manyi_{}", hex::encode(bytes));
    sqlx::query(
        "insert into api_token (name, token_hash, created_by, created_at) values (?, ?, ?, ?)",
    )
    .bind(name)
    .bind(digest(&token))
    .bind(created_by)
    .bind(now_rfc3339())
    .execute(pool)
    .await?;
    Ok(token)
}

/// The token's id when it exists and is not revoked.
pub async fn check_token(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select id from api_token where token_hash = ? and revoked = 0")
        .bind(digest(token))
        .fetch_optional(pool)
        .await
}

/// (id, name, created_at, revoked)
pub async fn tokens(pool: &SqlitePool) -> sqlx::Result<Vec<(i64, String, String, bool)>> {
    sqlx::query_as("select id, name, created_at, revoked from api_token order by id")
        .fetch_all(pool)
        .await
}

pub async fn revoke(pool: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("update api_token set revoked = 1 where id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every store code, to check rows against.
pub async fn store_codes(pool: &SqlitePool) -> sqlx::Result<std::collections::HashSet<String>> {
    Ok(sqlx::query_scalar::<_, String>("select code from store")
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect())
}
