//! Copying a whole SQLite database into an empty PostgreSQL one (`manyi migrate-db`): every table in foreign-key order inside one transaction, the identity sequences moved past the copied ids, then row counts and rollup sums compared on both sides.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use sqlx::{PgPool, QueryBuilder, Row, SqlitePool, ValueRef};

/// Tables that are not data: the migrator's own bookkeeping (each side has its own),
/// and staff sessions (everyone signs in again on the new database).
const SKIPPED: [&str; 2] = ["_sqlx_migrations", "tower_sessions"];

/// What was copied, table by table, and what the check compared.
#[derive(Debug, Default)]
pub struct Copied {
    /// (table, rows) in the order copied.
    pub tables: Vec<(String, u64)>,
    /// Responses counted in the daily and the monthly rollups, the same on both sides.
    pub rolled_daily: i64,
    pub rolled_monthly: i64,
}

/// One table to copy: its columns and each column's PostgreSQL type.
struct Table {
    name: String,
    columns: Vec<(String, String)>,
    rows: u64,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQLite tables to copy, parents before the tables that refer to them.
async fn tables_in_order(from: &SqlitePool) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .fetch_all(from)
    .await?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !SKIPPED.contains(&n.as_str()))
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let refs: Vec<String> =
            sqlx::query_scalar(r#"select "table" from pragma_foreign_key_list($1)"#)
                .bind(name)
                .fetch_all(from)
                .await?;
        parents.insert(
            name.clone(),
            refs.into_iter().filter(|r| r != name).collect(),
        );
    }
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let ready: Vec<String> = names
            .iter()
            .filter(|n| !ordered.contains(n))
            .filter(|n| parents[*n].iter().all(|p| ordered.contains(p)))
            .cloned()
            .collect();
        if ready.is_empty() {
            bail!("the SQLite tables refer to each other in a circle; cannot order the copy");
        }
        ordered.extend(ready);
    }
    Ok(ordered)
}

/// Fails unless every table of the (migrated) target is empty.
async fn ensure_empty(to: &PgPool, tables: &[String]) -> anyhow::Result<()> {
    for t in tables {
        let any: bool = sqlx::query_scalar(&format!("select exists (select 1 from {})", quoted(t)))
            .fetch_one(to)
            .await
            .with_context(|| format!("the target has no table {t}: is it a manyi database?"))?;
        if any {
            bail!(
                "the target database already holds data (table {t}); migrate-db copies into an \
                 empty database only: create a new one and point --to at it"
            );
        }
    }
    Ok(())
}

async fn describe(from: &SqlitePool, to: &PgPool, name: &str) -> anyhow::Result<Table> {
    let names: Vec<String> =
        sqlx::query_scalar("select name from pragma_table_info($1) order by cid")
            .bind(name)
            .fetch_all(from)
            .await?;
    let types: BTreeMap<String, String> = sqlx::query_as(
        "select column_name::text, data_type::text from information_schema.columns \
         where table_schema = current_schema() and table_name = $1",
    )
    .bind(name)
    .fetch_all(to)
    .await?
    .into_iter()
    .collect();
    let mut columns = Vec::new();
    for c in names {
        let Some(t) = types.get(&c) else {
            bail!("column {name}.{c} exists in SQLite but not in PostgreSQL; upgrade both first");
        };
        columns.push((c, t.clone()));
    }
    let rows: i64 = sqlx::query_scalar(&format!("select count(*) from {}", quoted(name)))
        .fetch_one(from)
        .await?;
    Ok(Table {
        name: name.to_owned(),
        columns,
        rows: rows.max(0) as u64,
    })
}

/// One value read from SQLite, typed for its PostgreSQL column.
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Float(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

fn read(row: &sqlx::sqlite::SqliteRow, i: usize, pg_type: &str) -> anyhow::Result<Value> {
    let null = row.try_get_raw(i)?.is_null();
    Ok(match pg_type {
        "bigint" | "integer" | "smallint" => Value::Int(row.try_get(i)?),
        "boolean" => Value::Bool(if null {
            None
        } else {
            Some(row.try_get::<i64, _>(i)? != 0)
        }),
        "double precision" | "real" => Value::Float(row.try_get(i)?),
        "bytea" => Value::Bytes(row.try_get(i)?),
        _ => Value::Text(row.try_get(i)?),
    })
}

/// Copies everything from `from` into `to`, which must hold the migrated schema and no
/// rows; `progress(table, rows copied so far, rows in all)` is called after every chunk. All in
/// one PostgreSQL transaction: a failure leaves the target empty, ready for another try.
pub async fn sqlite_to_postgres(
    from: &SqlitePool,
    to: &PgPool,
    mut progress: impl FnMut(&str, u64, u64),
) -> anyhow::Result<Copied> {
    let order = tables_in_order(from).await?;
    ensure_empty(to, &order).await?;
    let mut tables = Vec::new();
    for name in &order {
        tables.push(describe(from, to, name).await?);
    }
    let total: u64 = tables.iter().map(|t| t.rows).sum();
    progress("", 0, total);
    let mut tx = to.begin().await?;
    let mut done = 0u64;
    let mut copied = Copied::default();
    for t in &tables {
        let list: Vec<String> = t.columns.iter().map(|(c, _)| quoted(c)).collect();
        let list = list.join(", ");
        // PostgreSQL takes at most 65,535 bound values per statement.
        let per_insert = (30_000 / t.columns.len().max(1)).max(1);
        let select = format!("select {list} from {}", quoted(&t.name));
        let mut rows = sqlx::query(&select).fetch(from);
        let mut pending: Vec<Vec<Value>> = Vec::with_capacity(per_insert);
        let mut n = 0u64;
        loop {
            let next = rows.try_next().await?;
            if let Some(row) = &next {
                let mut values = Vec::with_capacity(t.columns.len());
                for (i, (_, pg_type)) in t.columns.iter().enumerate() {
                    values.push(read(row, i, pg_type)?);
                }
                pending.push(values);
            }
            if pending.len() == per_insert || (next.is_none() && !pending.is_empty()) {
                let mut q = QueryBuilder::new(format!("insert into {} ({list}) ", quoted(&t.name)));
                q.push_values(pending.drain(..), |mut b, values| {
                    for v in values {
                        match v {
                            Value::Int(x) => b.push_bind(x),
                            Value::Bool(x) => b.push_bind(x),
                            Value::Float(x) => b.push_bind(x),
                            Value::Text(x) => b.push_bind(x),
                            Value::Bytes(x) => b.push_bind(x),
                        };
                    }
                });
                let added = q.build().execute(&mut *tx).await?.rows_affected();
                n += added;
                done += added;
                progress(&t.name, done, total);
            }
            if next.is_none() {
                break;
            }
        }
        copied.tables.push((t.name.clone(), n));
    }
    // Copied ids were given explicitly, which leaves the identity sequences at 1.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text from information_schema.columns \
         where table_schema = current_schema() and is_identity = 'YES'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "select setval(pg_get_serial_sequence($1, $2), coalesce(max({c}), 0) + 1, false) from {t}",
            c = quoted(&column),
            t = quoted(&table)
        ))
        .bind(quoted(&table))
        .bind(&column)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    verify(from, to, &tables, &mut copied).await?;
    Ok(copied)
}

/// Every table's row count, and the responses the rollups count, match on both sides.
async fn verify(
    from: &SqlitePool,
    to: &PgPool,
    tables: &[Table],
    copied: &mut Copied,
) -> anyhow::Result<()> {
    for t in tables {
        let sql = format!("select count(*) from {}", quoted(&t.name));
        let there: i64 = sqlx::query_scalar(&sql).fetch_one(to).await?;
        if there.max(0) as u64 != t.rows {
            bail!(
                "{}: {} rows in SQLite but {there} in PostgreSQL",
                t.name,
                t.rows
            );
        }
    }
    for (table, field) in [("daily_stat", 0), ("monthly_stat", 1)] {
        let sql = format!("select cast(coalesce(sum(responses), 0) as bigint) from {table}");
        let here: i64 = sqlx::query_scalar(&sql).fetch_one(from).await?;
        let there: i64 = sqlx::query_scalar(&sql).fetch_one(to).await?;
        if here != there {
            bail!("{table} counts {here} responses in SQLite but {there} in PostgreSQL");
        }
        if field == 0 {
            copied.rolled_daily = there;
        } else {
            copied.rolled_monthly = there;
        }
    }
    Ok(())
}
