//! `manyi migrate-db`: a SQLite database with responses, a held one, a case, accounts and tokens copied into an empty PostgreSQL one, checked, and served from there; a target that holds data is refused.
//!
//! Skipped without `MANYI_TEST_PG`; CI sets it.

mod common;

use common::TestApp;
use common::pg::{drop_database, fresh_database, server_url};
use manyi::db::{Db, Location, OpenOptions, Pool};
use serde_json::json;

const RESPONSES: &str = "/api/v1/forms/post-purchase/responses";

#[tokio::test]
async fn a_sqlite_database_moves_to_postgres_whole_and_goes_on_from_there() {
    let Some(server) = server_url() else { return };
    let app = TestApp::new().await;
    app.add_user("boss", manyi::auth::Role::Manager).await;
    let token = app.submit_token().await;
    for (i, complaint) in [(0, "no"), (1, "yes"), (2, "no")] {
        let mut answers = json!({"overall_satisfaction": 4, "recommend": 9, "first_purchase": "no",
                                 "complaint": complaint});
        if complaint == "yes" {
            answers["complaint_text"] = json!("The queue at the till was far too long");
        }
        let body = json!({"store": "S001", "lang": "zh", "answers": answers});
        let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
        assert_eq!(status, 201, "response {i}: {res}");
    }
    let before = app.count_responses().await;
    assert_eq!(before, 3);

    let url = fresh_database(&server).await;
    let target = Db::open(&Location::parse(&url), OpenOptions::default())
        .await
        .unwrap();
    let Pool::Postgres(pg) = &target.write else {
        panic!("PostgreSQL")
    };
    let mut calls = 0;
    let copied = manyi::db::copy::sqlite_to_postgres(&app.pool, pg, |_, done, total| {
        calls += 1;
        assert!(done <= total);
    })
    .await
    .unwrap();
    assert!(calls > 1, "the progress was reported");
    let rows = |t: &str| {
        copied
            .tables
            .iter()
            .find(|(name, _)| name == t)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(rows("response"), 3);
    assert_eq!(rows("store"), 3);
    assert_eq!(rows("user"), 1);
    let answers: i64 = sqlx::query_scalar("select count(*) from answer")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows("answer") as i64, answers);
    assert!(answers >= 9, "{copied:?}");
    let counted: i64 = sqlx::query_scalar("select count(*) from response where state = 'counted'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(counted >= 1);
    assert_eq!(copied.rolled_daily, counted, "{copied:?}");
    assert_eq!(copied.rolled_monthly, counted);

    // The copy goes on where the original stopped: new ids after the copied ones.
    let state = manyi::AppState::with_settings(
        target.clone(),
        common::shipped_catalog(),
        Default::default(),
    );
    let router = manyi::router(state);
    let body = json!({"store": "S002", "lang": "en",
        "answers": {"overall_satisfaction": 5, "recommend": 10, "first_purchase": "yes"}});
    use tower::ServiceExt;
    let res = router
        .oneshot(common::json_post(
            Some(&token),
            RESPONSES,
            &body.to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the copied token submits on PostgreSQL");
    let ids: Vec<i64> = sqlx::query_scalar("select id from response order by id")
        .fetch_all(pg)
        .await
        .unwrap();
    assert_eq!(ids.len(), 4);
    assert!(ids[3] > ids[2], "{ids:?}");

    // A second copy into the same database is refused, and changes nothing.
    let again = manyi::db::copy::sqlite_to_postgres(&app.pool, pg, |_, _, _| {}).await;
    let e = again.unwrap_err().to_string();
    assert!(
        e.contains("already holds data") && e.contains("empty database"),
        "{e}"
    );
    let n: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(pg)
        .await
        .unwrap();
    assert_eq!(n, 4);
    target.close().await;
    drop_database(&server, &url).await;
}
