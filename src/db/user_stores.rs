//! Which stores a store manager handles (`user_store`), and who a case at a store can be assigned to.

use crate::db::Pool;

/// The stores a store manager handles.
pub async fn user_stores(pool: &Pool, user_id: i64) -> sqlx::Result<Vec<String>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar("select store from user_store where user_id = $1 order by store")
        .bind(user_id)
        .fetch_all(ex)
        .await)
}

/// The stores of each of `user_ids` that has any, for a page of the users list.
pub async fn stores_of_users(
    pool: &Pool,
    user_ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out = std::collections::HashMap::<i64, Vec<String>>::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    // A page holds at most a few dozen ids: one query with a bound list.
    let marks: Vec<String> = (1..=user_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "select user_id, store from user_store where user_id in ({}) order by user_id, store",
        marks.join(",")
    );
    let rows = crate::with_pool!(pool, ex => {
        let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
        for id in user_ids {
            q = q.bind(id);
        }
        q.fetch_all(ex).await?
    });
    for (user, store) in rows {
        out.entry(user).or_default().push(store);
    }
    Ok(out)
}

/// Replaces the stores a user handles.
pub async fn set_user_stores(write: &Pool, user_id: i64, stores: &[String]) -> sqlx::Result<()> {
    let mut tx = write.begin().await?;
    crate::with_tx!(&mut tx, ex => sqlx::query("delete from user_store where user_id = $1")
        .bind(user_id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    for s in stores {
        crate::with_tx!(&mut tx, ex => sqlx::query("insert into user_store (user_id, store) values ($1, $2) on conflict do nothing")
            .bind(user_id)
            .bind(s)
            .execute(&mut *ex)
            .await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await
}

/// People a case can be assigned to at `store`: enabled managers and admins, and the
/// store's own managers.
pub async fn owners_for(pool: &Pool, store: &str) -> sqlx::Result<Vec<(i64, String, String)>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        "select u.id, u.username, u.role from \"user\" u where not u.disabled and (u.role in ('admin', 'manager') \
         or (u.role = 'store_manager' and exists (select 1 from user_store us where us.user_id = u.id and us.store = $1))) \
         order by u.role = 'store_manager' desc, u.username",
    )
    .bind(store)
    .fetch_all(ex)
    .await)
}
