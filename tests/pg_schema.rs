//! The PostgreSQL schema (migrations/postgres) kept in step with SQLite's (migrations/sqlite), and its migrator applying once.
//!
//! The tests that need a server run when `MANYI_TEST_PG` names one whose user may create
//! databases (`.ci/postgres` starts one: `postgres://manyi:manyi@127.0.0.1:5432/postgres`).
//! Each makes a database of its own and drops it afterwards. Without `MANYI_TEST_PG` they
//! pass as skipped on a developer's machine, and fail under CI, which must run them.

#[path = "pg_schema/model.rs"]
mod model;

use std::future::Future;
use std::io::Write;
use std::time::{Duration, Instant};

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Executor};

static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The server's URL, or None (after saying so) when these tests are skipped.
fn server() -> Option<String> {
    match std::env::var("MANYI_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "MANYI_TEST_PG is not set, and CI must run the PostgreSQL schema tests: \
             start a server with .ci/postgres and set \
             MANYI_TEST_PG=postgres://manyi:manyi@127.0.0.1:5432/postgres"
        ),
        _ => {
            // Past the test harness's capture (it takes only print! and eprint!), so
            // the skip shows in a plain `cargo test`; once for all the tests.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "pg_schema: skipped; set MANYI_TEST_PG=postgres://user:password@host/postgres \
                     (a user who may create databases) to run the PostgreSQL schema tests"
                );
            });
            None
        }
    }
}

/// Runs `body` with the options of a new, empty database, then drops the database,
/// also when `body` failed; the failure is reported after the drop.
async fn on_fresh_database<F, Fut>(url: &str, body: F)
where
    F: FnOnce(PgConnectOptions, String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let server: PgConnectOptions = url.parse().expect("MANYI_TEST_PG is a postgres:// URL");
    let mut admin = PgConnection::connect_with(&server)
        .await
        .expect("MANYI_TEST_PG's server accepts the connection");
    let name = format!("manyi_test_{}", hex::encode(rand::random::<[u8; 6]>()));
    admin
        .execute(format!(r#"create database "{name}""#).as_str())
        .await
        .expect("MANYI_TEST_PG's user may create databases");
    let outcome = body(server.database(&name), name.clone()).await;
    // `with (force)` ends connections a failed body left open.
    admin
        .execute(format!(r#"drop database "{name}" with (force)"#).as_str())
        .await
        .expect("the test database drops");
    if let Err(e) = outcome {
        panic!("{e:#}");
    }
}

#[test]
fn every_sqlite_migration_has_a_postgres_twin_with_its_number_and_name() {
    let names = |m: &Migrator| -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    assert_eq!(names(&SQLITE), names(&POSTGRES));
    assert_eq!(SQLITE.iter().count(), 14);
}

#[test]
fn check_terms_read_the_same_from_both_dialects() {
    let sqlite = model::terms("check (role in ('admin', 'store_manager'))");
    let postgres =
        model::terms("CHECK ((role = ANY (ARRAY['admin'::text, 'store_manager'::text])))");
    assert_eq!(sqlite, postgres);
    assert_eq!(
        sqlite,
        ["admin", "in", "store_manager"].map(String::from).into()
    );
    assert_eq!(
        model::terms("CHECK ((revenue >= (0)::double precision))"),
        model::terms("check (revenue >= 0)")
    );
    assert_ne!(
        model::terms("check (revenue > 0)"),
        model::terms("check (revenue >= 0)")
    );
    // Digits inside a name are not literals, nor is a name that starts with "in".
    assert_eq!(
        model::terms("check (sat_top2 >= 0 and index_n = 1)"),
        ["0", "1", "=", ">="].map(String::from).into()
    );
}

#[tokio::test]
async fn postgres_schema_matches_sqlite() {
    let Some(url) = server() else { return };
    on_fresh_database(&url, |pg, _| async move {
        let mut conn = PgConnection::connect_with(&pg).await?;
        POSTGRES.run(&mut conn).await?;
        let dir = tempfile::tempdir()?;
        let sqlite = manyi::db::connect(&dir.path().join("schema.db")).await?;

        let s = model::sqlite(sqlite.write.as_sqlite().unwrap()).await?;
        let p = model::postgres(&mut conn).await?;
        anyhow::ensure!(s.len() >= 27, "SQLite has only {} tables", s.len());
        let diff = model::differences(&s, &p);
        anyhow::ensure!(diff.is_empty(), "the schemas differ:\n{}", diff.join("\n"));

        // The same rows are refused on both: the CHECK'd vocabularies, usernames unique
        // ignoring case, one response per receipt.
        let cases: &[(&str, bool)] = &[
            (r#"insert into "user" (username, password_hash, role, created_at) values ('Alice', 'h', 'store_manager', 't')"#, true),
            (r#"insert into "user" (username, password_hash, role, created_at) values ('alice', 'h', 'admin', 't')"#, false),
            (r#"insert into "user" (username, password_hash, role, created_at) values ('Bob', 'h', 'king', 't')"#, false),
            (r#"insert into "user" (username, password_hash, role, created_at, lang) values ('Bob', 'h', 'shopper', 't', 'fr')"#, false),
            (r#"insert into "user" (username, password_hash, role, created_at, lang) values ('Bob', 'h', 'shopper', 't', 'zh')"#, true),
            ("insert into form_version (hash, form_id, version, questions, source, first_seen) values ('h1', 'f', '1', '[]', '', 't')", true),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id, receipt, state) values ('f', '1', 'h1', 'zh', 't', 'p1', 'r1', 'held')", true),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id, receipt) values ('f', '1', 'h1', 'zh', 't', 'p2', 'r1')", false),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id) values ('f', '1', 'h1', 'zh', 't', 'p3')", true),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id) values ('f', '1', 'h1', 'zh', 't', 'p4')", true),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id, state) values ('f', '1', 'h1', 'zh', 't', 'p5', 'lost')", false),
            ("insert into response (form_id, version, definition_hash, lang, submitted_at, public_id) values ('f', '1', 'nope', 'zh', 't', 'p6')", false),
            ("insert into write_probe (id, at) values (2, 't')", false),
            ("insert into write_probe (id, at) values (1, 't')", true),
            ("insert into store (code, name, region, updated_at) values ('S1', 'n', 'r', 't')", true),
            ("insert into sales (store_code, day, transactions, revenue, imported_at) values ('S1', 'd', -1, 0, 't')", false),
            ("insert into api_token (name, token_hash, scope, trusted, created_at) values ('t', 'x', 'submit', true, 't')", true),
            ("insert into api_token (name, token_hash, scope, created_at) values ('t', 'y', 'everything', 't')", false),
            ("insert into api_token (name, token_hash, trusted, created_at) values ('t', 'z', 2, 't')", false),
        ];
        let mut wrong = Vec::new();
        for &(sql, ok) in cases {
            let on_sqlite = sqlx::query(sql).execute(sqlite.write.as_sqlite().unwrap()).await.map(|_| ());
            let on_postgres = sqlx::query(sql).execute(&mut conn).await.map(|_| ());
            for (backend, got) in [("SQLite", on_sqlite), ("PostgreSQL", on_postgres)] {
                if got.is_ok() != ok {
                    wrong.push(format!("{backend}: {sql}\n  expected {}, got {got:?}", if ok { "success" } else { "refusal" }));
                }
            }
        }
        anyhow::ensure!(wrong.is_empty(), "{}", wrong.join("\n"));
        Ok(())
    })
    .await;
}

/// (version, checksum, installed_on) of every migration the migrator recorded.
async fn applied(conn: &mut PgConnection) -> anyhow::Result<Vec<(i64, Vec<u8>, String)>> {
    Ok(sqlx::query_as(
        "select version, checksum, installed_on::text from _sqlx_migrations where success order by version",
    )
    .fetch_all(conn)
    .await?)
}

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let Some(url) = server() else { return };
    on_fresh_database(&url, |pg, _| async move {
        let mut conn = PgConnection::connect_with(&pg).await?;
        POSTGRES.run(&mut conn).await?;
        let first = applied(&mut conn).await?;
        anyhow::ensure!(
            first.len() == POSTGRES.iter().count(),
            "applied {}",
            first.len()
        );
        POSTGRES.run(&mut conn).await?;
        // A fresh connection, as a restarted server would open.
        let mut again = PgConnection::connect_with(&pg).await?;
        POSTGRES.run(&mut again).await?;
        let second = applied(&mut conn).await?;
        anyhow::ensure!(
            first == second,
            "a second run changed the record:\n{first:?}\n{second:?}"
        );
        Ok(())
    })
    .await;
}

/// The advisory-lock key sqlx's PostgreSQL migrator takes for a database
/// (sqlx-postgres 0.8 `generate_lock_id`). If sqlx changes it, the test below says so.
fn migrator_lock_key(database: &str) -> i64 {
    let mut crc = !0u32;
    for &b in database.as_bytes() {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    0x3d32_ad9e * i64::from(!crc)
}

#[test]
fn the_lock_key_uses_the_standard_crc32() {
    assert_eq!(migrator_lock_key("123456789"), 0x3d32_ad9e * 0xCBF4_3926);
}

#[tokio::test]
async fn two_migrators_on_one_fresh_database_apply_once() {
    let Some(url) = server() else { return };
    on_fresh_database(&url, |pg, name| async move {
        // Hold the migrators' lock first, so both must be seen waiting for it: without
        // the lock they would race through the migrations instead, and by luck of
        // timing might not collide.
        let key = migrator_lock_key(&name);
        let mut holder = PgConnection::connect_with(&pg).await?;
        sqlx::query("select pg_advisory_lock($1)").bind(key).execute(&mut holder).await?;

        let mut pids = Vec::new();
        let mut runs = Vec::new();
        for _ in 0..2 {
            let mut conn = PgConnection::connect_with(&pg).await?;
            pids.push(sqlx::query_scalar::<_, i32>("select pg_backend_pid()").fetch_one(&mut conn).await?);
            runs.push(tokio::spawn(async move { POSTGRES.run_direct(&mut conn).await }));
        }
        let started = Instant::now();
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "select count(*) from pg_locks where locktype = 'advisory' and not granted
                 and pid = any($1) and (classid::bigint << 32 | objid::bigint) = $2",
            )
            .bind(&pids)
            .bind(key)
            .fetch_one(&mut holder)
            .await?;
            if waiting == 2 {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the migrators did not wait for the advisory lock (key {key}); \
                 {waiting} of 2 waited: did sqlx change its lock?"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let untouched: bool = sqlx::query_scalar("select to_regclass('_sqlx_migrations') is null")
            .fetch_one(&mut holder)
            .await?;
        anyhow::ensure!(untouched, "a migrator began while the lock was held");
        sqlx::query("select pg_advisory_unlock($1)").bind(key).execute(&mut holder).await?;

        for run in runs {
            run.await??;
        }
        let done = applied(&mut holder).await?;
        anyhow::ensure!(done.len() == POSTGRES.iter().count(), "applied {} migrations", done.len());
        let tables: i64 = sqlx::query_scalar(
            "select count(*) from pg_tables where schemaname = 'public' and tablename <> '_sqlx_migrations'",
        )
        .fetch_one(&mut holder)
        .await?;
        anyhow::ensure!(tables == 27, "{tables} tables");
        Ok(())
    })
    .await;
}
