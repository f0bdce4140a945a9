//! The real binary under more load than it takes: a one-place write queue and a request limit
//! of one shed with 503 and Retry-After, and nothing refused is stored.

mod common;

use common::hidden;
use common::replies::{
    Reply, api_id, api_key, assert_retry_after, post_api, post_form, public_id, seeded, stored_id,
};
use common::server::{
    self, Answers, Server, api_client, open_plain, posted_fields, stored_answers,
};

#[derive(Debug)]
enum Sent {
    Api(String, Answers),
    Form(String, Answers),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tiny_write_queue_sheds_with_503_retry_after_and_stores_nothing_it_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    let token = server::import_stores(&db);
    let mut srv = Server::start(&db, &["--write-queue", "1", "--write-queue-wait-ms", "1"]);
    let url = srv.url.clone();
    let http = api_client(&token);
    let mut rng = seeded();

    let mut results: Vec<(Sent, Reply)> = Vec::new();
    for round in 0..20 {
        let mut tasks = Vec::new();
        for i in 0..48 {
            let answers = Answers::random(&mut rng);
            let t = server::form_token(&answers);
            let (http, url) = (http.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    let r = post_api(&http, &url, &answers, &t).await;
                    (Sent::Api(t, answers), r)
                } else {
                    let r = post_form(&http, &url, &answers.form(&t)).await;
                    (Sent::Form(t, answers), r)
                }
            }));
        }
        for task in tasks {
            let (sent, r) = task.await.unwrap();
            let r = r.unwrap_or_else(|e| panic!("{sent:?} got no answer: {e}"));
            results.push((sent, r));
        }
        let shed = |api: bool| {
            results
                .iter()
                .any(|(s, r)| matches!(s, Sent::Api(..)) == api && r.status == 503)
        };
        if shed(true) && shed(false) {
            println!("both kinds shed after {} round(s)", round + 1);
            break;
        }
    }
    let count = |status: u16| results.iter().filter(|(_, r)| r.status == status).count();
    println!(
        "{} submissions: {} stored, {} shed",
        results.len(),
        count(201) + count(303),
        count(503)
    );
    let mut busy_pages = Vec::new();
    for (sent, r) in &results {
        match (sent, r.status) {
            (Sent::Api(..), 201) | (Sent::Form(..), 303) => {}
            (Sent::Api(..), 503) => {
                assert_retry_after(r);
                assert!(r.content_type.starts_with("application/json"), "{r:?}");
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                let msg = body["errors"]["request"].as_str().unwrap_or_default();
                assert!(msg.contains("The server is busy"), "{}", r.body);
            }
            (Sent::Form(token, answers), 503) => {
                assert_retry_after(r);
                assert!(
                    r.body.contains(
                        "The server is busy and your answers are not saved yet. They are all still here"
                    ),
                    "busy notice: {}",
                    r.body
                );
                // Every answer is still on the page: posting it as it stands sends them all.
                let fields = posted_fields(&r.body);
                let mut answered: Vec<(String, String)> = fields
                    .iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .cloned()
                    .collect();
                answered.sort();
                assert_eq!(answered, answers.sorted(), "answers kept on the 503 page");
                assert_eq!(hidden(&r.body, "_token").as_deref(), Some(token.as_str()));
                busy_pages.push((token.clone(), answers.clone(), fields));
            }
            (sent, status) => panic!("{sent:?} answered {status}: {}", r.body),
        }
    }
    assert!(
        results
            .iter()
            .any(|(s, r)| matches!(s, Sent::Api(..)) && r.status == 503),
        "no API submission was shed with a one-place queue"
    );
    assert!(!busy_pages.is_empty(), "no form submission was shed");

    // Pressing Submit again on a busy page (the load is over) stores it, once.
    let resent: Vec<_> = busy_pages.iter().take(5).collect();
    for (token, _, fields) in &resent {
        let mut fields = fields.clone();
        fields.push(("_nav".into(), "submit".into()));
        let r = post_form(&http, &url, &fields).await.unwrap();
        assert_eq!(r.status, 303, "resubmitting the busy page: {}", r.body);
        let lang = &fields.iter().find(|(k, _)| k == "_lang").expect("_lang").1;
        // Unhappy answers open a case, whose reference follows in the query.
        let thanks = format!("/s/post-purchase/thanks?lang={lang}");
        assert!(
            r.location == thanks || r.location.starts_with(&format!("{thanks}&case=")),
            "token {token}: {}",
            r.location
        );
    }

    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    for (sent, r) in &results {
        let (key, answers) = match sent {
            Sent::Api(t, a) => (api_key(t), a),
            Sent::Form(t, a) => (t.clone(), a),
        };
        let ids = stored_id(&pool, &key).await;
        let resubmitted = resent.iter().any(|(t, _, _)| *t == key);
        if r.status == 503 && !resubmitted {
            assert!(ids.is_empty(), "{key} was answered 503 but is stored");
        } else {
            assert_eq!(
                ids.len(),
                1,
                "{key} ({}) stored {} times",
                r.status,
                ids.len()
            );
            let (_, stored) = stored_answers(&pool, ids[0]).await;
            assert_eq!(stored, answers.sorted(), "{key}");
        }
    }
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_in_flight_1_sheds_concurrent_requests_with_503_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    let token = server::import_stores(&db);
    let mut srv = Server::start(&db, &["--max-in-flight", "1"]);
    let url = srv.url.clone();
    let http = api_client(&token);
    let mut rng = seeded();
    let mut results: Vec<(String, Answers, Reply)> = Vec::new();
    for _ in 0..20 {
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let answers = Answers::random(&mut rng);
                let t = server::form_token(&answers);
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let r = post_api(&http, &url, &answers, &t).await;
                    (t, answers, r)
                })
            })
            .collect();
        for task in tasks {
            let (t, a, r) = task.await.unwrap();
            let r = r.unwrap_or_else(|e| panic!("no answer: {e}"));
            results.push((t, a, r));
        }
        if results.iter().any(|(_, _, r)| r.status == 503) {
            break;
        }
    }
    let shed: Vec<&Reply> = results
        .iter()
        .map(|(_, _, r)| r)
        .filter(|r| r.status == 503)
        .collect();
    println!(
        "{} requests, {} shed at the door",
        results.len(),
        shed.len()
    );
    assert!(!shed.is_empty(), "nothing was shed with --max-in-flight 1");
    for r in &shed {
        assert_retry_after(r);
        // The API answers in JSON even when turned away at the door.
        let body: serde_json::Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|_| panic!("JSON body for a shed API request: {}", r.body));
        let msg = body["errors"]["request"].as_str().unwrap_or_default();
        assert!(msg.contains("The server is busy"), "{}", r.body);
    }
    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    for (t, answers, r) in &results {
        let ids = stored_id(&pool, &api_key(t)).await;
        match r.status {
            201 => {
                assert_eq!(ids.len(), 1, "{t} stored once");
                assert_eq!(Some(public_id(&pool, ids[0]).await), api_id(r));
                assert_eq!(stored_answers(&pool, ids[0]).await.1, answers.sorted());
            }
            503 => assert!(ids.is_empty(), "shed request {t} is stored"),
            other => panic!("{other}: {}", r.body),
        }
    }
    pool.close().await;
}
