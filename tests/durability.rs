//! Kill -9 under load: the real binary takes mixed concurrent submissions, is SIGKILLed at a
//! random moment and restarted on the same database, again and again. Afterwards every
//! acknowledged response is stored exactly once with its answers, no retried key or form
//! token is stored twice, and the report rollups equal a recount from the raw answers.
//!
//! Three cycles in the normal suite; `MANYI_KILL_CYCLES=1000 cargo test --release --test durability`
//! for many. `MANYI_SEED` replays a run.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::ledger::{Attempt, Book, Kind, Outcome, settle, worker};
use common::server::{self, Server, api_client, stored_answers};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORKERS: u64 = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_responses_survive_repeated_kill_9_under_load_exactly_once() {
    let cycles: usize = std::env::var("MANYI_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("MANYI_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().r#gen());
    println!("durability: {cycles} kill cycle(s), MANYI_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    let token = server::import_stores(&db);
    let book = Arc::new(Mutex::new(Book::default()));

    for cycle in 0..cycles {
        let mut srv = Server::start(&db, &[]);
        let http = api_client(&token);
        settle(&http, &srv.url, &book).await;
        let before = book.lock().unwrap().attempts.len();
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                tokio::spawn(worker(
                    http.clone(),
                    srv.url.clone(),
                    book.clone(),
                    rng.r#gen(),
                ))
            })
            .collect();
        let load_ms = rng.gen_range(100..=700);
        tokio::time::sleep(Duration::from_millis(load_ms)).await;
        srv.kill();
        for w in workers {
            w.await.unwrap();
        }
        let book = book.lock().unwrap();
        let this = &book.attempts[before..];
        let acked = this.iter().filter(|a| a.outcome.acknowledged()).count();
        if cycles <= 10 || cycle % 50 == 0 {
            println!(
                "cycle {cycle}: killed after {load_ms} ms, {} requests, {acked} acknowledged",
                this.len()
            );
        }
    }

    // One last start: settle what the last kill left open, then stop cleanly.
    let mut srv = Server::start(&db, &[]);
    settle(&api_client(&token), &srv.url, &book).await;
    let status = srv.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");

    let book = std::mem::take(&mut *book.lock().unwrap());
    let pool = server::open_plain(&db).await;
    check_exactly_once(&book, &pool).await;
    pool.close().await;
    check_rollups_match_a_recount(&db).await;
}

async fn check_exactly_once(book: &Book, pool: &sqlx::SqlitePool) {
    let attempts = &book.attempts;
    let acked = attempts.iter().filter(|a| a.outcome.acknowledged()).count();
    let unknown_unkeyed = attempts
        .iter()
        .filter(|a| a.kind == Kind::Api(None) && matches!(a.outcome, Outcome::Unknown(_)))
        .count();
    let refused: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Refused(..)))
        .collect();
    println!(
        "{} requests: {acked} acknowledged, {} refused, {} unknown (killed in flight)",
        attempts.len(),
        refused.len(),
        attempts
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Unknown(_)))
            .count()
    );
    assert!(acked > 0, "no request was acknowledged at all");
    // Under this load the only acceptable refusal is 503 (busy), which stores nothing.
    let bad: Vec<_> = refused
        .iter()
        .filter(|a| !matches!(a.outcome, Outcome::Refused(503, _)))
        .take(5)
        .collect();
    assert!(bad.is_empty(), "unexpected answers: {bad:#?}");

    let mut by_kind: HashMap<&Kind, Vec<&Outcome>> = HashMap::new();
    for a in attempts {
        by_kind.entry(&a.kind).or_default().push(&a.outcome);
    }
    let acks_of = |kind: &Kind| -> Vec<&Outcome> {
        by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .copied()
            .filter(|o| o.acknowledged())
            .collect()
    };

    // Which request source claims each stored id: no id may be claimed twice.
    let mut owner: HashMap<i64, String> = HashMap::new();
    let mut claim = |id: i64, by: String| {
        if let Some(other) = owner.get(&id) {
            assert_eq!(other, &by, "response {id} acknowledged to two requests");
        }
        owner.insert(id, by);
    };

    // Unkeyed posts: each 201 is its own response, with the answers sent.
    for a in attempts.iter().filter(|a| a.kind == Kind::Api(None)) {
        if let Outcome::Created(public) = &a.outcome {
            let id = row_of(pool, public).await;
            claim(id, format!("unkeyed post #{id}"));
            let key: Option<String> =
                sqlx::query_scalar("select submission_key from response where id = ?")
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("acknowledged response {id} is not stored"));
            assert_eq!(key, None, "response {id}");
            let (store, answers) = stored_answers(pool, id).await;
            assert_eq!(store.as_deref(), a.answers.store, "store of response {id}");
            assert_eq!(answers, a.answers.sorted(), "answers of response {id}");
        }
    }

    // Keyed posts: every acknowledgement of a key names one id; at most one created it.
    let mut repeats = 0;
    for key in &book.key_list {
        let acks = acks_of(&Kind::Api(Some(key.clone())));
        assert!(!acks.is_empty(), "key {key} was never acknowledged");
        repeats += acks.len() - 1;
        let ids: HashSet<&str> = acks
            .iter()
            .map(|o| match o {
                Outcome::Created(id) | Outcome::Existing(id) => id.as_str(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "key {key} answered with ids {ids:?}: {acks:?}"
        );
        let created = acks
            .iter()
            .filter(|o| matches!(o, Outcome::Created(_)))
            .count();
        assert!(created <= 1, "key {key} got 201 {created} times: {acks:?}");
        let id = row_of(pool, ids.iter().next().unwrap()).await;
        claim(id, format!("key {key}"));
        let rows: Vec<i64> = sqlx::query_scalar("select id from response where submission_key = ?")
            .bind(format!("api:post-purchase:t1:{key}"))
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(rows, [id], "responses stored for key {key}");
        let (store, answers) = stored_answers(pool, id).await;
        assert_eq!(store.as_deref(), book.keys[key].store, "key {key}");
        assert_eq!(answers, book.keys[key].sorted(), "answers of key {key}");
    }

    // Form fillings: a 303 means its token's response is stored, once.
    for token in &book.token_list {
        let acks = acks_of(&Kind::Form(token.clone())).len();
        assert!(acks > 0, "form token {token} was never acknowledged");
        repeats += acks - 1;
        let rows: Vec<i64> = sqlx::query_scalar("select id from response where submission_key = ?")
            .bind(token)
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(
            rows.len(),
            1,
            "responses stored for form token {token}: {rows:?}"
        );
        claim(rows[0], format!("form {token}"));
        let (store, answers) = stored_answers(pool, rows[0]).await;
        assert_eq!(store.as_deref(), book.tokens[token].store, "form {token}");
        assert_eq!(
            answers,
            book.tokens[token].sorted(),
            "answers of form {token}"
        );
    }
    println!("{repeats} acknowledged retries of a key or token");

    // Every stored response belongs to a request. Only unkeyed posts killed in flight
    // may have been stored without their 201 reaching us.
    let rows: Vec<(i64, Option<String>)> =
        sqlx::query_as("select id, submission_key from response order by id")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut unclaimed = Vec::new();
    for (id, key) in &rows {
        if !owner.contains_key(id) {
            assert_eq!(
                key, &None,
                "response {id} has a key that no acknowledgement names"
            );
            unclaimed.push(*id);
        }
    }
    assert!(
        unclaimed.len() <= unknown_unkeyed,
        "{} responses stored without an acknowledgement ({unclaimed:?}), but only {unknown_unkeyed} unkeyed posts were in flight at a kill",
        unclaimed.len()
    );
    assert_eq!(rows.len(), owner.len() + unclaimed.len());
}

/// Every rollup table, one text line per row, in key order.
async fn rollups(pool: &sqlx::SqlitePool) -> Vec<(String, Vec<String>)> {
    let stat = "day || ' ' || store_code || ' ' || form_id || ' ' || responses || ' ' || sat_n || ' ' || sat_top2 \
        || ' ' || nps_n || ' ' || nps_promoters || ' ' || nps_detractors || ' ' || return_n || ' ' || return_repeat \
        || ' ' || complaints || ' ' || awareness_n";
    let channel = "day || ' ' || store_code || ' ' || form_id || ' ' || channel || ' ' || n";
    let gap = "day || ' ' || store_code || ' ' || form_id || ' ' || aspect || ' ' || n || ' ' || sum || ' ' || sum_sq";
    let mut out = Vec::new();
    for (table, columns) in [
        ("daily_stat", stat),
        ("daily_channel", channel),
        ("daily_gap", gap),
        ("monthly_stat", stat),
        ("monthly_channel", channel),
        ("monthly_gap", gap),
    ] {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("select {columns} from {table} order by 1"))
                .fetch_all(pool)
                .await
                .unwrap();
        out.push((table.to_owned(), rows));
    }
    out
}

/// The rollups the killed server kept equal the ones rebuilt from the stored answers alone.
async fn check_rollups_match_a_recount(db: &std::path::Path) {
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.db");
    std::fs::copy(db, &copy).unwrap();
    let wal = server::sibling(db, "-wal");
    if wal.exists() {
        std::fs::copy(&wal, server::sibling(&copy, "-wal")).unwrap();
    }
    let db = manyi::db::connect(&copy).await.unwrap();
    let kept = rollups(db.read.as_sqlite().unwrap()).await;
    let (responses, rolled): (i64, i64) = sqlx::query_as(
        "select (select count(*) from response where state = 'counted'), \
         (select coalesce(sum(responses), 0) from daily_stat)",
    )
    .fetch_one(db.read.as_sqlite().unwrap())
    .await
    .unwrap();
    assert_eq!(
        rolled, responses,
        "daily_stat counts {rolled} responses, the table holds {responses} counted ones \
         (held ones count nowhere until accepted)"
    );
    for table in ["daily_stat", "daily_channel", "daily_gap"] {
        sqlx::query(&format!("delete from {table}"))
            .execute(db.write.as_sqlite().unwrap())
            .await
            .unwrap();
    }
    let offset = manyi::web::Settings::default().utc_offset;
    let rebuilt = manyi::db::rollups::rebuild_if_empty(&db, offset)
        .await
        .unwrap();
    assert_eq!(rebuilt, responses as u64, "responses recounted");
    let recount = rollups(db.read.as_sqlite().unwrap()).await;
    for ((table, kept), (_, recount)) in kept.iter().zip(&recount) {
        assert!(!recount.is_empty(), "{table} is empty after the recount");
        assert_eq!(kept, recount, "{table}: kept by the server vs recounted");
    }
    db.close().await;
}

/// The row of an acknowledged public id; it must be stored.
async fn row_of(pool: &sqlx::SqlitePool, public: &str) -> i64 {
    sqlx::query_scalar("select id from response where public_id = ?")
        .bind(public)
        .fetch_optional(pool)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("acknowledged response {public} is not stored"))
}
