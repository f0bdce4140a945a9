//! The group-commit writer on its own: keys within one batch, a bad response among good ones, queue bounds, shutdown and recovery.

mod common;

use std::sync::Arc;
use std::time::Duration;

use manyi::answers::Answer;
use manyi::db::responses::Submission;
use manyi::db::{Db, WriteError, WriterConfig};
use manyi::survey::Survey;

fn survey() -> Arc<Survey> {
    common::shipped_catalog()
        .get("post-purchase")
        .expect("shipped survey")
        .clone()
}

fn submission(survey: &Arc<Survey>, key: Option<&str>, satisfaction: i64) -> Submission {
    Submission {
        survey: survey.clone(),
        store: Some("S001".into()),
        lang: "zh",
        answers: vec![
            ("overall_satisfaction".into(), Answer::Int(satisfaction)),
            ("recommend".into(), Answer::Int(9)),
        ],
        submission_key: key.map(str::to_owned),
        submitted_at: "2026-11-30T02:00:00Z".into(),
        day: time::macros::date!(2026 - 11 - 30),
        checks: Default::default(),
    }
}

async fn open(dir: &tempfile::TempDir, config: WriterConfig) -> Db {
    Db::open(
        &dir.path().join("w.db").as_path().into(),
        manyi::db::OpenOptions {
            writer: config,
            ..Default::default()
        },
    )
    .await
    .expect("database opens")
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.read.as_sqlite().unwrap())
        .await
        .expect("count")
}

#[tokio::test]
async fn the_same_key_twice_in_one_batch_stores_once_with_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, WriterConfig::default()).await;
    let s = survey();
    // Both are queued before the writer task runs, so they land in one batch.
    let (a, b, c) = tokio::join!(
        db.writer.submit(submission(&s, Some("k1"), 5)),
        db.writer.submit(submission(&s, Some("k1"), 5)),
        db.writer.submit(submission(&s, None, 4)),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(a.id, b.id);
    assert!(a.created ^ b.created, "exactly one of the two stored it");
    assert_ne!(a.id, c.id);
    assert_eq!(count(&db, "select count(*) from response").await, 2);
    assert_eq!(
        count(&db, "select sum(responses) from daily_stat").await,
        2,
        "the repeat is not counted"
    );
    // And a later batch with the same key finds the stored one.
    let again = db
        .writer
        .submit(submission(&s, Some("k1"), 5))
        .await
        .unwrap();
    assert_eq!((again.id, again.created), (a.id, false));
    db.close().await;
}

#[tokio::test]
async fn one_bad_response_fails_alone_and_the_rest_of_its_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, WriterConfig::default()).await;
    let s = survey();
    let mut bad = submission(&s, Some("bad"), 3);
    // The same question twice breaks the answer table's primary key.
    bad.answers.push(("recommend".into(), Answer::Int(2)));
    let (a, b, c) = tokio::join!(
        db.writer.submit(submission(&s, Some("good-1"), 5)),
        db.writer.submit(bad),
        db.writer.submit(submission(&s, Some("good-2"), 2)),
    );
    assert!(a.unwrap().created);
    assert!(matches!(b, Err(WriteError::Unavailable(_))), "{b:?}");
    assert!(c.unwrap().created);
    assert_eq!(count(&db, "select count(*) from response").await, 2);
    assert_eq!(
        count(
            &db,
            "select count(*) from response where submission_key = 'bad'"
        )
        .await,
        0
    );
    // Rollups count exactly the two stored: satisfaction 5 (top-2) and 2.
    let (n, sat_n, top2): (i64, i64, i64) =
        sqlx::query_as("select sum(responses), sum(sat_n), sum(sat_top2) from daily_stat")
            .fetch_one(db.read.as_sqlite().unwrap())
            .await
            .unwrap();
    assert_eq!((n, sat_n, top2), (2, 2, 1));
    let monthly: i64 = count(&db, "select sum(responses) from monthly_stat").await;
    assert_eq!(monthly, 2);
    db.close().await;
}

#[tokio::test]
async fn many_at_once_get_distinct_ids_and_exact_rollups() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, WriterConfig::default()).await;
    let s = survey();
    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let w = db.writer.clone();
            let sub = submission(&s, Some(&format!("key-{i}")), 1 + i % 5);
            tokio::spawn(async move { w.submit(sub).await })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 300);
    let (n, top2, promoters): (i64, i64, i64) =
        sqlx::query_as("select sum(responses), sum(sat_top2), sum(nps_promoters) from daily_stat")
            .fetch_one(db.read.as_sqlite().unwrap())
            .await
            .unwrap();
    // Satisfaction cycles 1..=5, so 4 and 5 are two fifths of 300.
    assert_eq!((n, top2, promoters), (300, 120, 300));
    db.close().await;
}

#[tokio::test]
async fn a_full_queue_refuses_at_once_and_the_waiting_entries_still_land() {
    let dir = tempfile::tempdir().unwrap();
    let config = WriterConfig {
        max_batch: 8,
        max_queue: 1,
        max_wait: Duration::from_millis(50),
    };
    let db = open(&dir, config).await;
    let s = survey();
    // Hold the one write connection, as a long staff write would.
    let held = db.write.as_sqlite().unwrap().acquire().await.unwrap();
    let w = db.writer.clone();
    let first_sub = submission(&s, Some("first"), 5);
    let first = tokio::spawn(async move { w.submit(first_sub).await });
    // Let the writer take `first` and block on the connection, then fill the queue.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let w = db.writer.clone();
    let second_sub = submission(&s, Some("second"), 5);
    let second = tokio::spawn(async move { w.submit(second_sub).await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(db.writer.queued(), 1);
    let started = std::time::Instant::now();
    let third = db.writer.submit(submission(&s, Some("third"), 5)).await;
    assert_eq!(third, Err(WriteError::Busy), "queue full");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused at once"
    );
    drop(held);
    assert!(first.await.unwrap().unwrap().created);
    assert!(second.await.unwrap().unwrap().created);
    assert_eq!(count(&db, "select count(*) from response").await, 2);

    db.close().await;
}

#[tokio::test]
async fn a_queue_whose_oldest_entry_waited_too_long_refuses_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = WriterConfig {
        max_batch: 8,
        max_queue: 100,
        max_wait: Duration::from_millis(50),
    };
    let db = open(&dir, config).await;
    let s = survey();
    let held = db.write.as_sqlite().unwrap().acquire().await.unwrap();
    let w = db.writer.clone();
    let a_sub = submission(&s, Some("a"), 5);
    let a = tokio::spawn(async move { w.submit(a_sub).await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let w = db.writer.clone();
    let b_sub = submission(&s, Some("b"), 5);
    let b = tokio::spawn(async move { w.submit(b_sub).await });
    // Young queue: a new entry is still taken.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let w = db.writer.clone();
    let c_sub = submission(&s, Some("c"), 5);
    let c = tokio::spawn(async move { w.submit(c_sub).await });
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(db.writer.queued(), 2);
    let late = db.writer.submit(submission(&s, Some("late"), 5)).await;
    assert_eq!(late, Err(WriteError::Busy), "oldest waited past max_wait");
    drop(held);
    for t in [a, b, c] {
        assert!(t.await.unwrap().unwrap().created);
    }
    assert_eq!(count(&db, "select count(*) from response").await, 3);
    db.close().await;
}

#[tokio::test]
async fn shutdown_writes_what_is_queued_and_then_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, WriterConfig::default()).await;
    let s = survey();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let w = db.writer.clone();
            let sub = submission(&s, Some(&format!("s-{i}")), 3);
            tokio::spawn(async move { w.submit(sub).await })
        })
        .collect();
    tokio::task::yield_now().await;
    db.writer.shutdown().await;
    let mut stored = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => stored += 1,
            Err(WriteError::Unavailable(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(count(&db, "select count(*) from response").await, stored);
    let late = db.writer.submit(submission(&s, None, 3)).await;
    assert!(matches!(late, Err(WriteError::Unavailable(_))), "{late:?}");
    db.close().await;
    // The WAL was checkpointed: the database file alone holds every response.
    let wal = dir.path().join("w.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL left behind"
    );
}

#[tokio::test]
async fn a_full_database_answers_full_and_the_next_batch_after_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, WriterConfig::default()).await;
    let s = survey();
    db.writer
        .submit(submission(&s, Some("before"), 5))
        .await
        .unwrap();
    // Cap the file at its current size on the one write connection: the next batch
    // needs new pages and gets SQLITE_FULL, as on a full disk.
    {
        let mut conn = db.write.as_sqlite().unwrap().acquire().await.unwrap();
        let pages: i64 = sqlx::query_scalar("pragma page_count")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        sqlx::query(&format!("pragma max_page_count = {pages}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let big: Vec<Submission> = (0..200)
        .map(|i| {
            let mut sub = submission(&s, Some(&format!("full-{i}")), 4);
            sub.answers
                .push(("suggestion".into(), Answer::Text("x".repeat(1500))));
            sub
        })
        .collect();
    let results =
        futures_util::future::join_all(big.into_iter().map(|sub| db.writer.submit(sub))).await;
    assert!(
        results.contains(&Err(WriteError::Full)),
        "some batch hit the cap: {:?}",
        results.iter().find(|r| r.is_err())
    );
    let refused: Vec<String> = (0..200)
        .filter(|i| results[*i as usize].is_err())
        .map(|i| format!("full-{i}"))
        .collect();
    // The failed connection was closed, so the writer starts over on a fresh one
    // (without the cap, as after freeing the disk): no restart needed.
    let after = db.writer.submit(submission(&s, Some("after"), 5)).await;
    assert!(after.unwrap().created);
    for key in &refused {
        let n: i64 = sqlx::query_scalar("select count(*) from response where submission_key = ?")
            .bind(key)
            .fetch_one(db.read.as_sqlite().unwrap())
            .await
            .unwrap();
        assert_eq!(n, 0, "a refused response must not be stored: {key}");
    }
    let stored = count(&db, "select count(*) from response").await;
    assert_eq!(
        count(&db, "select sum(responses) from daily_stat").await,
        stored,
        "rollups match the rows after the failure"
    );
    assert!(db.writer.health().await.is_none());
    db.close().await;
}
