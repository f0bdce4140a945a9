//! SQL for user accounts.

use sqlx::SqlitePool;

use crate::auth::Role;
use crate::db::now_rfc3339;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
}

type Row = (i64, String, String, bool, String);

fn from_row((id, username, role, disabled, password_hash): Row) -> User {
    // The CHECK constraint keeps role to the three names; shopper is the least privilege.
    let role = Role::parse(&role).unwrap_or(Role::Shopper);
    User {
        id,
        username,
        role,
        disabled,
        password_hash,
    }
}

const COLUMNS: &str = "id, username, role, disabled, password_hash";

pub async fn by_id(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<User>> {
    let sql = format!("select {COLUMNS} from user where id = ?");
    Ok(sqlx::query_as::<_, Row>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(from_row))
}

pub async fn by_username(pool: &SqlitePool, username: &str) -> sqlx::Result<Option<User>> {
    let sql = format!("select {COLUMNS} from user where username = ?");
    Ok(sqlx::query_as::<_, Row>(&sql)
        .bind(username)
        .fetch_optional(pool)
        .await?
        .map(from_row))
}

pub async fn list(pool: &SqlitePool) -> sqlx::Result<Vec<User>> {
    let sql = format!("select {COLUMNS} from user order by role, username");
    Ok(sqlx::query_as::<_, Row>(&sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

pub async fn shoppers(pool: &SqlitePool) -> sqlx::Result<Vec<User>> {
    Ok(list(pool)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Shopper && !u.disabled)
        .collect())
}

/// Creates an account; `Ok(None)` when the username is taken.
pub async fn create(
    pool: &SqlitePool,
    username: &str,
    hash: &str,
    role: Role,
) -> sqlx::Result<Option<i64>> {
    let result = sqlx::query_scalar(
        r"insert into user (username, password_hash, role, created_at) values (?, ?, ?, ?)
          on conflict (username) do nothing returning id",
    )
    .bind(username)
    .bind(hash)
    .bind(role.as_str())
    .bind(now_rfc3339())
    .fetch_optional(pool)
    .await?;
    Ok(result)
}

pub async fn set_disabled(pool: &SqlitePool, id: i64, disabled: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("update user set disabled = ? where id = ?")
        .bind(disabled)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(pool: &SqlitePool, id: i64, hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("update user set password_hash = ? where id = ?")
        .bind(hash)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
