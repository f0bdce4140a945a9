//! A PostgreSQL server for the tests that need one (`MANYI_TEST_PG`): skipped without it, except on CI, and a fresh database per test.

use sqlx::{Connection, Executor, PgConnection};

pub fn server_url() -> Option<String> {
    match std::env::var("MANYI_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("MANYI_TEST_PG is not set, and CI must run the PostgreSQL tests (.ci/postgres)")
        }
        _ => {
            eprintln!(
                "pg_servers: skipped; set MANYI_TEST_PG=postgres://user:password@host/postgres"
            );
            None
        }
    }
}

/// A fresh database on the test server; its URL.
pub async fn fresh_database(server: &str) -> String {
    let mut admin = PgConnection::connect(server)
        .await
        .expect("MANYI_TEST_PG answers");
    let name = format!("manyi_servers_{}", hex::encode(rand::random::<[u8; 6]>()));
    admin
        .execute(format!(r#"create database "{name}""#).as_str())
        .await
        .expect("create database");
    let mut url = url::Url::parse(server).expect("a URL");
    url.set_path(&name);
    url.to_string()
}

/// Drops a database made by [`fresh_database`], ending what still uses it.
pub async fn drop_database(server: &str, url: &str) {
    let mut admin = PgConnection::connect(server)
        .await
        .expect("MANYI_TEST_PG answers");
    let name = url.rsplit('/').next().unwrap_or_default().to_owned();
    admin
        .execute(format!(r#"drop database "{name}" with (force)"#).as_str())
        .await
        .expect("drop database");
}
