//! SQL for sales data: daily transactions and revenue per store (tokens that send it live in `db::tokens`).

use crate::db::Pool;

use crate::db::now_rfc3339;
use crate::sales::SaleRow;

/// Stores all rows in one transaction; a store and day already stored is replaced.
pub async fn upsert_all(pool: &Pool, rows: &[SaleRow]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let now = now_rfc3339();
    crate::with_tx!(&mut tx, ex => {
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
            q.build().execute(&mut *ex).await?;
        }
    });
    tx.commit().await
}

/// Every store code, to check rows against.
pub async fn store_codes(pool: &Pool) -> sqlx::Result<std::collections::HashSet<String>> {
    Ok(
        crate::with_pool!(pool, ex => sqlx::query_scalar::<_, String>("select code from store")
        .fetch_all(ex)
        .await)?
        .into_iter()
        .collect(),
    )
}
