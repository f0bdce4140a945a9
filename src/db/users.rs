//! SQL for user accounts.

use crate::db::Pool;

use crate::auth::Role;
use crate::db::now_rfc3339;
use crate::i18n::Lang;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
    /// Stored in a session at login; a session holding another value is no longer valid.
    pub session_epoch: i64,
    /// The language chosen for staff pages, if any.
    pub lang: Option<Lang>,
}

type Row = (i64, String, String, bool, String, i64, Option<String>);

fn from_row((id, username, role, disabled, password_hash, session_epoch, lang): Row) -> User {
    // The CHECK constraint keeps role to the three names; shopper is the least privilege.
    let role = Role::parse(&role).unwrap_or(Role::Shopper);
    User {
        id,
        username,
        role,
        disabled,
        password_hash,
        session_epoch,
        lang: lang.as_deref().and_then(Lang::parse),
    }
}

const COLUMNS: &str = "id, username, role, disabled, password_hash, session_epoch, lang";

pub async fn by_id(pool: &Pool, id: i64) -> sqlx::Result<Option<User>> {
    let sql = format!("select {COLUMNS} from \"user\" where id = $1");
    Ok(crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await)?
    .map(from_row))
}

pub async fn by_username(pool: &Pool, username: &str) -> sqlx::Result<Option<User>> {
    let sql = format!("select {COLUMNS} from \"user\" where username = $1");
    Ok(crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(&sql)
        .bind(username)
        .fetch_optional(ex)
        .await)?
    .map(from_row))
}

pub async fn list(pool: &Pool) -> sqlx::Result<Vec<User>> {
    let sql = format!("select {COLUMNS} from \"user\" order by role, username");
    Ok(crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(&sql)
        .fetch_all(ex)
        .await)?
    .into_iter()
    .map(from_row)
    .collect())
}

/// Which accounts the Users page lists: by role and by status, `None` meaning any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// One page of the accounts matching `f`, by role then username, and how many match in all.
#[tracing::instrument(skip_all)]
pub async fn page(
    pool: &Pool,
    f: UserFilter,
    page: crate::paging::Page,
) -> sqlx::Result<(Vec<User>, u64)> {
    // `?1 is null` lets one statement serve every combination of filters.
    const WHERE: &str = "where ($1 is null or role = $1) and ($2 is null or disabled = $2)";
    let role = f.role.map(Role::as_str);
    let total: i64 = crate::with_pool!(pool, ex => sqlx::query_scalar(&format!("select count(*) from \"user\" {WHERE}"))
        .bind(role)
        .bind(f.disabled)
        .fetch_one(ex)
        .await)?;
    let total = u64::try_from(total).unwrap_or(0);
    let page = page.clamp(total);
    let sql = format!(
        "select {COLUMNS} from \"user\" {WHERE} order by role, username limit $3 offset $4"
    );
    let rows = crate::with_pool!(pool, ex => sqlx::query_as::<_, Row>(&sql)
        .bind(role)
        .bind(f.disabled)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(ex)
        .await)?;
    Ok((rows.into_iter().map(from_row).collect(), total))
}

pub async fn shoppers(pool: &Pool) -> sqlx::Result<Vec<User>> {
    Ok(list(pool)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Shopper && !u.disabled)
        .collect())
}

/// Creates an account; `Ok(None)` when the username is taken.
pub async fn create(
    pool: &Pool,
    username: &str,
    hash: &str,
    role: Role,
) -> sqlx::Result<Option<i64>> {
    let result = crate::with_pool!(pool, ex => sqlx::query_scalar(
        r#"insert into "user" (username, password_hash, role, created_at) values ($1, $2, $3, $4)
          on conflict do nothing returning id"#,
    )
    .bind(username)
    .bind(hash)
    .bind(role.as_str())
    .bind(now_rfc3339())
    .fetch_optional(ex)
    .await)?;
    Ok(result)
}

// Each change below bumps `session_epoch` in the same UPDATE as the change itself, so no
// request can see the new password, role or status together with an old session. Each
// returns the new epoch, `None` when there is no such account.

/// Disables or enables an account. A real change ends its sessions; setting the status
/// it already has does not. Enabling never brings an old session back: the disable
/// already moved the epoch past it.
pub async fn set_disabled(pool: &Pool, id: i64, disabled: bool) -> sqlx::Result<Option<i64>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        r#"update "user" set session_epoch = session_epoch + case when disabled <> $1 then 1 else 0 end, disabled = $1
          where id = $2 returning session_epoch"#,
    )
    .bind(disabled)
    .bind(id)
    .fetch_optional(ex)
    .await)
}

/// Sets a new password hash and ends every session of the account.
pub async fn set_password(pool: &Pool, id: i64, hash: &str) -> sqlx::Result<Option<i64>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        "update \"user\" set password_hash = $1, session_epoch = session_epoch + 1 where id = $2 returning session_epoch",
    )
    .bind(hash)
    .bind(id)
    .fetch_optional(ex)
    .await)
}

/// Changes an account's role; a real change ends its sessions. (No page offers this
/// yet; whatever does later gets the session ending with it.)
pub async fn set_role(pool: &Pool, id: i64, role: Role) -> sqlx::Result<Option<i64>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        r#"update "user" set session_epoch = session_epoch + case when role <> $1 then 1 else 0 end, role = $1
          where id = $2 returning session_epoch"#,
    )
    .bind(role.as_str())
    .bind(id)
    .fetch_optional(ex)
    .await)
}

/// Saves the language the user chose for staff pages.
pub async fn set_lang(pool: &Pool, id: i64, lang: Lang) -> sqlx::Result<bool> {
    let done = crate::with_pool!(pool, ex => sqlx::query("update \"user\" set lang = $1 where id = $2")
        .bind(lang.code())
        .bind(id)
        .execute(ex)
        .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}
