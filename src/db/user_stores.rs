//! Which stores a store manager handles (`user_store`), and who a case at a store can be assigned to.

use sqlx::SqlitePool;

/// The stores a store manager handles.
pub async fn user_stores(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("select store from user_store where user_id = ? order by store")
        .bind(user_id)
        .fetch_all(pool)
        .await
}

/// The stores of each of `user_ids` that has any, for a page of the users list.
pub async fn stores_of_users(
    pool: &SqlitePool,
    user_ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out = std::collections::HashMap::<i64, Vec<String>>::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    // A page holds at most a few dozen ids: one query with a bound list.
    let marks = vec!["?"; user_ids.len()].join(",");
    let sql = format!(
        "select user_id, store from user_store where user_id in ({marks}) order by user_id, store"
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    for (user, store) in q.fetch_all(pool).await? {
        out.entry(user).or_default().push(store);
    }
    Ok(out)
}

/// Replaces the stores a user handles.
pub async fn set_user_stores(
    write: &SqlitePool,
    user_id: i64,
    stores: &[String],
) -> sqlx::Result<()> {
    let mut tx = write.begin().await?;
    sqlx::query("delete from user_store where user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for s in stores {
        sqlx::query("insert into user_store (user_id, store) values (?, ?) on conflict do nothing")
            .bind(user_id)
            .bind(s)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// People a case can be assigned to at `store`: enabled managers and admins, and the
/// store's own managers.
pub async fn owners_for(
    pool: &SqlitePool,
    store: &str,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "select u.id, u.username, u.role from user u where not u.disabled and (u.role in ('admin', 'manager') \
         or (u.role = 'store_manager' and exists (select 1 from user_store us where us.user_id = u.id and us.store = ?))) \
         order by u.role = 'store_manager' desc, u.username",
    )
    .bind(store)
    .fetch_all(pool)
    .await
}
