//! The durability test's bookkeeping: every request sent to a server that gets killed, what
//! came back, the workers that send them, and the retries that settle what a kill left open.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::server::{self, API, Answers, FORM};

/// What a request was: a JSON post (with its `Idempotency-Key`, if any) or the form's final submit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    Api(Option<String>),
    Form(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 201 with this public id.
    Created(String),
    /// 200 with this public id: a retried key.
    Existing(String),
    /// 303 to the thank-you page.
    Redirected,
    /// Any other status, with the start of its body.
    Refused(u16, String),
    /// No answer: the server died with the request in flight.
    Unknown(String),
}

impl Outcome {
    pub fn acknowledged(&self) -> bool {
        matches!(
            self,
            Outcome::Created(_) | Outcome::Existing(_) | Outcome::Redirected
        )
    }
}

#[derive(Debug)]
pub struct Attempt {
    pub kind: Kind,
    pub answers: Answers,
    pub outcome: Outcome,
}

/// Everything sent and what came back, shared by the workers.
#[derive(Default)]
pub struct Book {
    pub attempts: Vec<Attempt>,
    /// The answers each key or token was first sent with; a retry sends the same.
    pub keys: HashMap<String, Answers>,
    pub key_list: Vec<String>,
    pub tokens: HashMap<String, Answers>,
    pub token_list: Vec<String>,
    /// Keys and tokens some request was acknowledged for.
    pub acked: HashSet<Kind>,
}

impl Book {
    pub fn record(&mut self, kind: Kind, answers: Answers, outcome: Outcome) {
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
    pub fn next(&mut self, rng: &mut StdRng) -> (Kind, Answers) {
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
                let token = server::form_token(&answers);
                self.tokens.insert(token.clone(), answers.clone());
                self.token_list.push(token.clone());
                (Kind::Form(token), answers)
            }
        }
    }

    /// Keys and tokens that no request has been acknowledged for yet.
    pub fn unsettled(&self) -> Vec<(Kind, Answers)> {
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

pub async fn send(client: &reqwest::Client, url: &str, kind: &Kind, answers: &Answers) -> Outcome {
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
            .and_then(|v| v["id"].as_str().map(str::to_owned))
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

pub async fn worker(client: reqwest::Client, url: String, book: Arc<Mutex<Book>>, seed: u64) {
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
pub async fn settle(client: &reqwest::Client, url: &str, book: &Mutex<Book>) {
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
