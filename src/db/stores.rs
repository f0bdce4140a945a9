//! SQL for the store registry.

use crate::db::{Pool, Tx};

use serde::Deserialize;

use crate::db::now_rfc3339;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Store {
    pub code: String,
    pub name: String,
    pub region: String,
    pub address: Option<String>,
    pub opening_hours: Option<String>,
}

type Row = (String, String, String, Option<String>, Option<String>);

fn from_row((code, name, region, address, opening_hours): Row) -> Store {
    Store {
        code,
        name,
        region,
        address,
        opening_hours,
    }
}

pub async fn get(pool: &Pool, code: &str) -> sqlx::Result<Option<Store>> {
    let row = crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(
        "select code, name, region, address, opening_hours from store where code = $1",
    )
    .bind(code)
    .fetch_optional(ex)
    .await)?;
    Ok(row.map(from_row))
}

pub async fn exists(pool: &Pool, code: &str) -> sqlx::Result<bool> {
    crate::with_pool!(pool, ex => sqlx::query_scalar("select exists(select 1 from store where code = $1)")
        .bind(code)
        .fetch_one(ex)
        .await)
}

/// Store codes recently seen in the registry. Every customer submission names a
/// store; under load, asking SQLite each time would make the read pool the queue.
/// Only hits are remembered (stores are added, never deleted), so a store registered
/// by another process is found at once, and a renamed code expires within the TTL.
#[derive(Debug, Default)]
pub struct KnownStores {
    seen: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

/// How long a code found in the registry is trusted without asking again.
const KNOWN_STORE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl KnownStores {
    pub async fn exists(&self, pool: &Pool, code: &str) -> sqlx::Result<bool> {
        let fresh = {
            let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.get(code)
                .is_some_and(|at| at.elapsed() < KNOWN_STORE_TTL)
        };
        if fresh {
            return Ok(true);
        }
        let found = exists(pool, code).await?;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if found {
            seen.insert(code.to_owned(), std::time::Instant::now());
        } else {
            seen.remove(code);
        }
        Ok(found)
    }
}

pub async fn list(pool: &Pool) -> sqlx::Result<Vec<Store>> {
    let rows = crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(
        "select code, name, region, address, opening_hours from store order by region, code",
    )
    .fetch_all(ex)
    .await)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Which stores the Stores page lists: a region, and text found in the code or the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreFilter {
    pub region: Option<String>,
    pub search: Option<String>,
}

/// One page of the stores matching `f`, by region then code, and how many match in all.
#[tracing::instrument(skip_all)]
pub async fn page(
    pool: &Pool,
    f: &StoreFilter,
    page: crate::paging::Page,
) -> sqlx::Result<(Vec<Store>, u64)> {
    // A substring search finds the text as typed, with no wildcard of its own (`like`
    // would read `%` and `_`); `lower` folds ASCII letters only on SQLite, which is what
    // codes and Latin names need (PostgreSQL folds more, which only finds more).
    let b = pool.backend();
    let where_ = format!(
        "where ($1 is null or region = $1) and ($2 is null or {} or {})",
        super::dialect::contains(b, "lower(code)", "lower($2)"),
        super::dialect::contains(b, "lower(name)", "lower($2)")
    );
    let total: i64 = crate::with_pool!(pool, ex => sqlx::query_scalar(&format!("select count(*) from store {where_}"))
        .bind(&f.region)
        .bind(&f.search)
        .fetch_one(ex)
        .await)?;
    let total = u64::try_from(total).unwrap_or(0);
    let page = page.clamp(total);
    let rows = crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(&format!(
        "select code, name, region, address, opening_hours from store {where_} \
         order by region, code limit $3 offset $4"
    ))
    .bind(&f.region)
    .bind(&f.search)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(ex)
    .await)?;
    Ok((rows.into_iter().map(from_row).collect(), total))
}

/// Inserts or updates by code, so importing the same file twice changes nothing.
pub async fn upsert(pool: &Pool, s: &Store) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    upsert_in(&mut tx, s).await?;
    tx.commit().await
}

/// [`upsert`] inside the caller's transaction.
pub async fn upsert_in(tx: &mut Tx<'_>, s: &Store) -> sqlx::Result<()> {
    crate::with_tx!(&mut *tx, ex => sqlx::query(
        r"insert into store (code, name, region, address, opening_hours, updated_at)
          values ($1, $2, $3, $4, $5, $6)
          on conflict (code) do update set name = excluded.name, region = excluded.region,
            address = excluded.address, opening_hours = excluded.opening_hours,
            updated_at = excluded.updated_at",
    )
    .bind(&s.code)
    .bind(&s.name)
    .bind(&s.region)
    .bind(&s.address)
    .bind(&s.opening_hours)
    .bind(now_rfc3339())
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Imports many stores in one transaction: all of them, or none.
pub async fn upsert_all(pool: &Pool, stores: &[Store]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    for s in stores {
        upsert_in(&mut tx, s).await?;
    }
    tx.commit().await
}
