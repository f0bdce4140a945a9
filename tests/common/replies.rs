//! Talking to the real binary in the fault tests: replies as status, headers and body, posts
//! through the API and the form, and checks of what was stored for each submission.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::server::{API, Answers, FORM, stored_answers};

/// The parts of an answer the tests look at.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub content_type: String,
    pub location: String,
    pub body: String,
}

pub async fn reply(res: reqwest::Response) -> Result<Reply, reqwest::Error> {
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = res.status().as_u16();
    let retry_after = header("retry-after");
    let content_type = header("content-type").unwrap_or_default();
    let location = header("location").unwrap_or_default();
    Ok(Reply {
        status,
        retry_after,
        content_type,
        location,
        body: res.text().await?,
    })
}

pub async fn post_api(
    http: &reqwest::Client,
    url: &str,
    answers: &Answers,
    key: &str,
) -> Result<Reply, reqwest::Error> {
    let res = http
        .post(format!("{url}{API}"))
        .header("Idempotency-Key", key)
        .json(&answers.json())
        .send()
        .await?;
    reply(res).await
}

pub async fn post_form(
    http: &reqwest::Client,
    url: &str,
    fields: &[(String, String)],
) -> Result<Reply, reqwest::Error> {
    let res = http
        .post(format!("{url}{FORM}"))
        .form(fields)
        .send()
        .await?;
    reply(res).await
}

/// A refusal tells the client when to come back: `Retry-After` in whole seconds.
pub fn assert_retry_after(r: &Reply) {
    let secs = r.retry_after.as_deref().and_then(|v| v.parse::<u64>().ok());
    assert!(
        secs.is_some_and(|s| s >= 1),
        "{} without a usable Retry-After: {:?}",
        r.status,
        r.retry_after
    );
}

/// The public id the API answered with.
pub fn api_id(r: &Reply) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&r.body)
        .ok()?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}

/// The public id of the stored response with this row id.
pub async fn public_id(pool: &sqlx::SqlitePool, id: i64) -> String {
    sqlx::query_scalar("select public_id from response where id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("a stored response has a public id")
}

/// The stored response for an API key or a form token, if any.
pub async fn stored_id(pool: &sqlx::SqlitePool, submission_key: &str) -> Vec<i64> {
    sqlx::query_scalar("select id from response where submission_key = ?")
        .bind(submission_key)
        .fetch_all(pool)
        .await
        .unwrap()
}

pub fn api_key(key: &str) -> String {
    // `t1`: the database's first token, the one the setup made.
    format!("api:post-purchase:t1:{key}")
}

pub fn seeded() -> StdRng {
    let seed: u64 = rand::thread_rng().r#gen();
    println!("seed {seed}");
    StdRng::seed_from_u64(seed)
}

/// Each acknowledged response is in `pool` once, with its id (when the API gave one) and answers.
pub async fn assert_all_stored(
    pool: &sqlx::SqlitePool,
    acked: &[(String, Answers, Option<String>)],
) {
    for (key, answers, id) in acked {
        let ids = stored_id(pool, key).await;
        assert_eq!(ids.len(), 1, "{key} stored {} times", ids.len());
        if let Some(id) = id {
            assert_eq!(&public_id(pool, ids[0]).await, id, "{key}");
        }
        let (store, stored) = stored_answers(pool, ids[0]).await;
        assert_eq!(store.as_deref(), answers.store, "{key}");
        assert_eq!(stored, answers.sorted(), "{key}");
    }
}
