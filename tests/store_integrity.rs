//! What the writer stores for the integrity checks: opaque public ids, one response per receipt code, and held responses kept out of the rollups.

mod common;

use std::sync::Arc;

use manyi::answers::Answer;
use manyi::db::responses::{Checks, ReceiptUse, Submission};
use manyi::db::{Db, WriteError, WriterConfig};
use manyi::quality::Flag;
use manyi::survey::Survey;

fn survey() -> Arc<Survey> {
    common::shipped_catalog()
        .get("post-purchase")
        .expect("shipped survey")
        .clone()
}

fn submission(key: &str, checks: Checks) -> Submission {
    Submission {
        survey: survey(),
        store: Some("S001".into()),
        lang: "zh",
        answers: vec![
            ("overall_satisfaction".into(), Answer::Int(1)),
            ("recommend".into(), Answer::Int(0)),
        ],
        submission_key: Some(key.into()),
        submitted_at: "2026-11-30T02:00:00Z".into(),
        day: time::macros::date!(2026 - 11 - 30),
        checks,
    }
}

fn receipt(key: &str) -> Checks {
    Checks {
        case: None,
        receipt: Some(ReceiptUse {
            key: key.into(),
            purchase_day: time::macros::date!(2026 - 11 - 29),
        }),
        flags: vec![],
    }
}

async fn open(dir: &tempfile::TempDir) -> Db {
    Db::open(
        &dir.path().join("i.db").as_path().into(),
        manyi::db::OpenOptions {
            writer: WriterConfig::default(),
            ..Default::default()
        },
    )
    .await
    .expect("database opens")
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.read.as_sqlite().unwrap())
        .await
        .expect("query")
}

#[tokio::test]
async fn public_ids_are_random_and_a_repeat_gets_the_same_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir).await;
    let a = db
        .writer
        .submit(submission("a", Checks::default()))
        .await
        .unwrap();
    let b = db
        .writer
        .submit(submission("b", Checks::default()))
        .await
        .unwrap();
    assert_eq!(a.public_id.len(), 24);
    assert!(a.public_id.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a.public_id, b.public_id);
    assert_ne!(a.public_id, a.id.to_string(), "not the row number");
    let again = db
        .writer
        .submit(submission("a", Checks::default()))
        .await
        .unwrap();
    assert_eq!((again.public_id, again.created), (a.public_id, false));
    db.close().await;
}

#[tokio::test]
async fn a_receipt_stores_one_response_within_a_batch_and_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir).await;
    // Queued together, so they share a batch: the first wins, the second is refused.
    let (first, second) = tokio::join!(
        db.writer
            .submit(submission("k1", receipt("0001261129004711"))),
        db.writer
            .submit(submission("k2", receipt("0001261129004711"))),
    );
    assert!(first.unwrap().created);
    assert_eq!(second.unwrap_err(), WriteError::ReceiptUsed);
    let later = db
        .writer
        .submit(submission("k3", receipt("0001261129004711")))
        .await;
    assert_eq!(later.unwrap_err(), WriteError::ReceiptUsed);
    // Resending the first (same token) is a repeat, not a reuse.
    let repeat = db
        .writer
        .submit(submission("k1", receipt("0001261129004711")))
        .await
        .unwrap();
    assert!(!repeat.created);
    let other = db
        .writer
        .submit(submission("k4", receipt("0001261129004712")))
        .await
        .unwrap();
    assert!(other.created);
    assert_eq!(scalar(&db, "select count(*) from response").await, 2);
    assert_eq!(
        scalar(&db, "select sum(responses) from daily_stat").await,
        2
    );
    assert_eq!(
        scalar(
            &db,
            "select count(*) from response where purchase_day = '2026-11-29'"
        )
        .await,
        2
    );
    db.close().await;
}

#[tokio::test]
async fn a_flagged_response_is_stored_held_and_counts_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir).await;
    let held = Checks {
        case: None,
        receipt: None,
        flags: vec![Flag::TooFast, Flag::Duplicate],
    };
    let h = db.writer.submit(submission("h", held)).await.unwrap();
    assert!(h.created && h.held);
    let c = db
        .writer
        .submit(submission("c", Checks::default()))
        .await
        .unwrap();
    assert!(!c.held);
    assert_eq!(scalar(&db, "select count(*) from response").await, 2);
    assert_eq!(
        scalar(&db, "select sum(responses) from daily_stat").await,
        1
    );
    assert_eq!(
        scalar(&db, "select sum(responses) from monthly_stat").await,
        1
    );
    let flags: String = sqlx::query_scalar("select flags from response where state = 'held'")
        .fetch_one(db.read.as_sqlite().unwrap())
        .await
        .unwrap();
    assert_eq!(flags, "too-fast duplicate");
    db.close().await;
    // A rebuild from the stored responses agrees: held ones stay out.
    let db = open(&dir).await;
    for t in ["daily_stat", "monthly_stat", "daily_channel", "daily_gap"] {
        sqlx::query(&format!("delete from {t}"))
            .execute(db.write.as_sqlite().unwrap())
            .await
            .unwrap();
    }
    let rebuilt = manyi::db::rollups::rebuild_if_empty(&db, time::UtcOffset::UTC)
        .await
        .unwrap();
    assert_eq!(rebuilt, 1);
    assert_eq!(
        scalar(&db, "select sum(responses) from daily_stat").await,
        1
    );
    db.close().await;
}
