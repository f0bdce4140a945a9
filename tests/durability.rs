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

use common::server::{self, API, Answers, FORM, Server, client, stored_answers};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// What a request was: a JSON post (with its `Idempotency-Key`, if any) or the form's final submit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Kind {
    Api(Option<String>),
    Form(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// 201 with this id.
    Created(i64),
    /// 200 with this id: a retried key.
    Existing(i64),
    /// 303 to the thank-you page.
    Redirected,
    /// Any other status, with the start of its body.
    Refused(u16, String),
    /// No answer: the server died with the request in flight.
    Unknown(String),
}

impl Outcome {
    fn acknowledged(&self) -> bool {
        matches!(
            self,
            Outcome::Created(_) | Outcome::Existing(_) | Outcome::Redirected
        )
    }
}

#[derive(Debug)]
struct Attempt {
    kind: Kind,
    answers: Answers,
    outcome: Outcome,
}

/// Everything sent and what came back, shared by the workers.
#[derive(Default)]
struct Book {
    attempts: Vec<Attempt>,
    /// The answers each key or token was first sent with; a retry sends the same.
    keys: HashMap<String, Answers>,
    key_list: Vec<String>,
    tokens: HashMap<String, Answers>,
    token_list: Vec<String>,
    /// Keys and tokens some request was acknowledged for.
    acked: HashSet<Kind>,
}

impl Book {
    fn record(&mut self, kind: Kind, answers: Answers, outcome: Outcome) {
        if outcome.acknowledged() {
            self.acked.insert(kind.clone());
        }
        self.attempts.push(Attempt {
            kind,
            answers,
            outcome,
        });
    }

    /// The next request: mostly new ones, some retries of a key or token already used.
    fn next(&mut self, rng: &mut StdRng) -> (Kind, Answers) {
        let roll = rng.gen_range(0..100);
        if roll < 10 && !self.key_list.is_empty() {
            let key = self.key_list.choose(rng).unwrap().clone();
            let answers = self.keys[&key].clone();
            return (Kind::Api(Some(key)), answers);
        }
        if roll < 20 && !self.token_list.is_empty() {
            let token = self.token_list.choose(rng).unwrap().clone();
            let answers = self.tokens[&token].clone();
            return (Kind::Form(token), answers);
        }
        let answers = Answers::random(rng);
        match roll {
            0..50 => (Kind::Api(None), answers),
            50..75 => {
                let key = format!("k-{}", server::token(rng));
                self.keys.insert(key.clone(), answers.clone());
                self.key_list.push(key.clone());
                (Kind::Api(Some(key)), answers)
            }
            _ => {
                let token = server::token(rng);
                self.tokens.insert(token.clone(), answers.clone());
                self.token_list.push(token.clone());
                (Kind::Form(token), answers)
            }
        }
    }

    /// Keys and tokens that no request has been acknowledged for yet.
    fn unsettled(&self) -> Vec<(Kind, Answers)> {
        let keys = self
            .key_list
            .iter()
            .map(|k| (Kind::Api(Some(k.clone())), self.keys[k].clone()));
        let tokens = self
            .token_list
            .iter()
            .map(|t| (Kind::Form(t.clone()), self.tokens[t].clone()));
        keys.chain(tokens)
            .filter(|(kind, _)| !self.acked.contains(kind))
            .collect()
    }
}

async fn send(client: &reqwest::Client, url: &str, kind: &Kind, answers: &Answers) -> Outcome {
    let sent = match kind {
        Kind::Api(key) => {
            let mut req = client.post(format!("{url}{API}")).json(&answers.json());
            if let Some(key) = key {
                req = req.header("Idempotency-Key", key);
            }
            req.send().await
        }
        Kind::Form(token) => {
            client
                .post(format!("{url}{FORM}"))
                .form(&answers.form(token))
                .send()
                .await
        }
    };
    let res = match sent {
        Ok(res) => res,
        Err(e) => return Outcome::Unknown(e.to_string()),
    };
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match res.text().await {
        Ok(body) => body,
        Err(e) => return Outcome::Unknown(format!("status {status}, body lost: {e}")),
    };
    let id = || {
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["id"].as_i64())
    };
    match (kind, status) {
        (Kind::Api(_), 201) if id().is_some() => Outcome::Created(id().unwrap()),
        (Kind::Api(_), 200) if id().is_some() => Outcome::Existing(id().unwrap()),
        (Kind::Form(_), 303) if location.starts_with("/s/post-purchase/thanks") => {
            Outcome::Redirected
        }
        _ => Outcome::Refused(status, body.chars().take(300).collect()),
    }
}

async fn worker(client: reqwest::Client, url: String, book: Arc<Mutex<Book>>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let (kind, answers) = book.lock().unwrap().next(&mut rng);
        let outcome = send(&client, &url, &kind, &answers).await;
        let died = matches!(outcome, Outcome::Unknown(_));
        book.lock().unwrap().record(kind, answers, outcome);
        if died {
            return;
        }
    }
}

/// Sends every key and token whose outcome the last kill left open again, until each is
/// acknowledged: after this, every key and token has a known response.
async fn settle(client: &reqwest::Client, url: &str, book: &Mutex<Book>) {
    let open = book.lock().unwrap().unsettled();
    for (kind, answers) in open {
        let mut tries = 0;
        loop {
            let outcome = send(client, url, &kind, &answers).await;
            let done = outcome.acknowledged();
            let refused = format!("{outcome:?}");
            book.lock()
                .unwrap()
                .record(kind.clone(), answers.clone(), outcome);
            if done {
                break;
            }
            tries += 1;
            assert!(
                tries < 20,
                "a retry of {kind:?} after restart is not acknowledged: {refused}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

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
    server::import_stores(&db);
    let book = Arc::new(Mutex::new(Book::default()));

    for cycle in 0..cycles {
        let mut srv = Server::start(&db, &[]);
        let http = client();
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
    settle(&client(), &srv.url, &book).await;
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
        if let Outcome::Created(id) = a.outcome {
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
        let ids: HashSet<i64> = acks
            .iter()
            .map(|o| match o {
                Outcome::Created(id) | Outcome::Existing(id) => *id,
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
        let id = *ids.iter().next().unwrap();
        claim(id, format!("key {key}"));
        let rows: Vec<i64> = sqlx::query_scalar("select id from response where submission_key = ?")
            .bind(format!("api:post-purchase:{key}"))
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
    let kept = rollups(&db.read).await;
    let (responses, rolled): (i64, i64) = sqlx::query_as(
        "select (select count(*) from response), (select coalesce(sum(responses), 0) from daily_stat)",
    )
    .fetch_one(&db.read)
    .await
    .unwrap();
    assert_eq!(
        rolled, responses,
        "daily_stat counts {rolled} responses, the table holds {responses}"
    );
    for table in ["daily_stat", "daily_channel", "daily_gap"] {
        sqlx::query(&format!("delete from {table}"))
            .execute(&db.write)
            .await
            .unwrap();
    }
    let offset = manyi::web::Settings::default().utc_offset;
    let rebuilt = manyi::db::reports::rebuild_if_empty(&db, offset)
        .await
        .unwrap();
    assert_eq!(rebuilt, responses as u64, "responses recounted");
    let recount = rollups(&db.read).await;
    for ((table, kept), (_, recount)) in kept.iter().zip(&recount) {
        assert!(!recount.is_empty(), "{table} is empty after the recount");
        assert_eq!(kept, recount, "{table}: kept by the server vs recounted");
    }
    db.close().await;
}
