//! The held-back queue through a real server: who may use it, accepting and excluding with the rollups checked against the raw answers, bulk decisions by filter, the report's "held back", and the export's state column.

mod common;

use std::process::Command;

use common::{Browser, TestApp};
use manyi::answers::Answer;
use manyi::auth::Role;
use manyi::db::responses::{Checks, Stored, Submission};
use manyi::quality::Flag;

/// Every response below is given at 10:00 on 2026-11-30 in the stores' time zone (the
/// default +08:00), so all count for that day and for November.
const AT: &str = "2026-11-30T02:00:00Z";
const DAY: time::Date = time::macros::date!(2026 - 11 - 30);

struct World {
    app: TestApp,
    base: String,
    manager: Browser,
    manager_id: i64,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let manager_id = app.add_user("mia", Role::Manager).await;
    app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    World {
        app,
        base,
        manager,
        manager_id,
    }
}

fn int(q: &str, v: i64) -> (String, Answer) {
    (q.to_owned(), Answer::Int(v))
}

fn choice(q: &str, v: &str) -> (String, Answer) {
    (q.to_owned(), Answer::Choice(v.to_owned()))
}

fn choices(q: &str, v: &[&str]) -> (String, Answer) {
    (
        q.to_owned(),
        Answer::Choices(v.iter().map(|s| (*s).to_owned()).collect()),
    )
}

/// Stores a response through the writer, held with `flags` (counted when there are none).
async fn store(
    app: &TestApp,
    store: &str,
    answers: Vec<(String, Answer)>,
    flags: Vec<Flag>,
) -> Stored {
    let survey = app.state.catalog.get("post-purchase").unwrap().clone();
    app.db
        .writer
        .submit(Submission {
            survey,
            store: Some(store.to_owned()),
            lang: "en",
            answers,
            submission_key: None,
            submitted_at: AT.into(),
            day: DAY,
            checks: Checks {
                flags,
                receipt: None,
            },
        })
        .await
        .expect("stored")
}

/// C1, counted: satisfied (5), a promoter (10), a repeat customer, heard from a friend,
/// price expected 4 and experienced 3.
async fn counted_one(app: &TestApp) -> Stored {
    store(
        app,
        "S001",
        vec![
            int("overall_satisfaction", 5),
            int("recommend", 10),
            choice("first_purchase", "no"),
            choices("heard_from", &["friend"]),
            int("expect_price", 4),
            int("exp_price", 3),
        ],
        vec![],
    )
    .await
}

/// H1, held as too fast: dissatisfied (2), a detractor (3), a first purchase, heard from
/// an advert, price expected 2 and experienced 5, and a complaint whose text holds markup.
async fn held_one(app: &TestApp) -> Stored {
    store(
        app,
        "S001",
        vec![
            int("overall_satisfaction", 2),
            int("recommend", 3),
            choice("first_purchase", "yes"),
            choices("heard_from", &["ad"]),
            int("expect_price", 2),
            int("exp_price", 5),
            choice("complaint", "yes"),
            (
                "complaint_text".into(),
                Answer::Text("The queue was <b>far</b> too long".into()),
            ),
        ],
        vec![Flag::TooFast],
    )
    .await
}

/// Every row of the six rollup tables, as text, in key order.
async fn rollups(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["daily", "monthly"] {
        for sql in [
            format!(
                "select '{prefix}_stat ' || day || ' ' || store_code || ' ' || form_id || ' responses=' || responses \
                 || ' sat_n=' || sat_n || ' sat_top2=' || sat_top2 || ' nps_n=' || nps_n \
                 || ' nps_promoters=' || nps_promoters || ' nps_detractors=' || nps_detractors \
                 || ' return_n=' || return_n || ' return_repeat=' || return_repeat \
                 || ' complaints=' || complaints || ' awareness_n=' || awareness_n \
                 from {prefix}_stat order by day, store_code, form_id"
            ),
            format!(
                "select '{prefix}_channel ' || day || ' ' || store_code || ' ' || form_id || ' ' || channel || '=' || n \
                 from {prefix}_channel order by day, store_code, form_id, channel"
            ),
            format!(
                "select '{prefix}_gap ' || day || ' ' || store_code || ' ' || form_id || ' ' || aspect \
                 || ' n=' || n || ' sum=' || sum || ' sum_sq=' || sum_sq \
                 from {prefix}_gap order by day, store_code, form_id, aspect"
            ),
        ] {
            out.extend(
                sqlx::query_scalar::<_, String>(&sql)
                    .fetch_all(&app.pool)
                    .await
                    .unwrap(),
            );
        }
    }
    out
}

/// The rollups a full rebuild from the raw answers of the counted responses gives: empties
/// every rollup and rebuilds it (so call it last), and returns the rows.
async fn rebuilt(app: &TestApp) -> Vec<String> {
    for prefix in ["daily", "monthly"] {
        for t in ["stat", "channel", "gap"] {
            sqlx::query(&format!("delete from {prefix}_{t}"))
                .execute(&app.pool)
                .await
                .unwrap();
        }
    }
    manyi::db::rollups::rebuild_if_empty(&app.db, app.state.settings.utc_offset)
        .await
        .unwrap();
    rollups(app).await
}

async fn state_of(app: &TestApp, public_id: &str) -> String {
    sqlx::query_scalar("select state from response where public_id = ?")
        .bind(public_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// (response public id, decision, user id, decided_at) of every logged decision.
async fn decisions(app: &TestApp) -> Vec<(String, String, i64, String)> {
    sqlx::query_as(
        "select r.public_id, d.decision, d.decided_by, d.decided_at from response_decision d \
         join response r on r.id = d.response_id order by d.id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Posts a decision from the queue's own form (its CSRF token), without following the redirect.
async fn decide(b: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    b.post_with_csrf("/responses/held", "/responses/held/decide", fields)
        .await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn recent(at: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(at, &Rfc3339).expect("decided_at is RFC 3339");
    (time::OffsetDateTime::now_utc() - t).abs() < time::Duration::minutes(5)
}

#[tokio::test]
async fn accepting_a_held_response_adds_exactly_its_raw_answers_to_the_rollups() {
    let w = world().await;
    counted_one(&w.app).await;
    let h1 = held_one(&w.app).await;
    assert!(h1.held);

    let (status, page) = w.manager.get_text("/responses/held").await;
    assert_eq!(status, 200);
    assert!(page.contains("1 matching"), "{page}");
    assert!(page.contains("too fast"));
    assert!(page.contains("finished in less time than its questions take to read"));
    assert!(
        page.contains("30 Nov 2026, 10:00"),
        "the stores' local time"
    );
    assert!(page.contains(&format!("value=\"{}\"", h1.public_id)));
    // Key answers: the scores in words, the complaint escaped.
    assert!(
        page.contains("2 of 5") && page.contains("3 of 10"),
        "{page}"
    );
    assert!(page.contains("The queue was &lt;b&gt;far&lt;/b&gt; too long"));
    assert!(!page.contains("<b>far</b>"));

    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "accept"),
            ("id", &h1.public_id),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(
        back.starts_with("/responses/held?done=accepted&n=1"),
        "{back}"
    );
    let (_, page) = w.manager.get_text(&back).await;
    assert!(page.contains("Accepted 1 response(s)."), "{page}");
    assert!(page.contains("No responses are held back."));
    assert_eq!(state_of(&w.app, &h1.public_id).await, "counted");

    // By hand, C1 + H1 for S001 on the day and in the month:
    //   responses 2; sat_n 2, sat_top2 1 (C1's 5; H1's 2 is not top-two);
    //   nps_n 2, promoters 1 (C1's 10), detractors 1 (H1's 3);
    //   return_n 2, return_repeat 1 (C1's "no" to first purchase); complaints 1 (H1);
    //   awareness_n 2, channels friend 1 (C1) and ad 1 (H1);
    //   price gap n 2, Σ = (3 − 4) + (5 − 2) = 2, Σ² = 1 + 9 = 10.
    let stat = "S001 post-purchase responses=2 sat_n=2 sat_top2=1 nps_n=2 nps_promoters=1 \
                nps_detractors=1 return_n=2 return_repeat=1 complaints=1 awareness_n=2";
    let expected = vec![
        format!("daily_stat 2026-11-30 {stat}"),
        "daily_channel 2026-11-30 S001 post-purchase ad=1".to_owned(),
        "daily_channel 2026-11-30 S001 post-purchase friend=1".to_owned(),
        "daily_gap 2026-11-30 S001 post-purchase price n=2 sum=2.0 sum_sq=10.0".to_owned(),
        format!("monthly_stat 2026-11 {stat}"),
        "monthly_channel 2026-11 S001 post-purchase ad=1".to_owned(),
        "monthly_channel 2026-11 S001 post-purchase friend=1".to_owned(),
        "monthly_gap 2026-11 S001 post-purchase price n=2 sum=2.0 sum_sq=10.0".to_owned(),
    ];
    let after = rollups(&w.app).await;
    assert_eq!(after, expected);

    // A second click (or another manager) changes nothing, and says so.
    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "accept"),
            ("id", &h1.public_id),
        ],
    )
    .await;
    assert!(
        location(&res).contains("n=0&already=1"),
        "{}",
        location(&res)
    );
    assert_eq!(rollups(&w.app).await, expected);

    let log = decisions(&w.app).await;
    assert_eq!(log.len(), 1, "one decision, logged once");
    let (id, decision, by, at) = &log[0];
    assert_eq!(
        (id, decision.as_str(), *by),
        (&h1.public_id, "counted", w.manager_id)
    );
    assert!(recent(at), "{at}");

    // And a full rebuild from the raw answers of the counted responses agrees.
    assert_eq!(rebuilt(&w.app).await, expected);
}

#[tokio::test]
async fn excluding_a_held_response_changes_no_rollup_and_is_logged() {
    let w = world().await;
    counted_one(&w.app).await;
    let h1 = held_one(&w.app).await;
    let before = rollups(&w.app).await;
    assert!(
        before[0].contains("responses=1 "),
        "only C1 counts: {before:?}"
    );

    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "exclude"),
            ("id", &h1.public_id),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, page) = w.manager.get_text(&location(&res)).await;
    assert!(page.contains("Excluded 1 response(s)."), "{page}");

    assert_eq!(state_of(&w.app, &h1.public_id).await, "excluded");
    assert_eq!(rollups(&w.app).await, before);
    let log = decisions(&w.app).await;
    assert_eq!(log.len(), 1);
    let (id, decision, by, at) = &log[0];
    assert_eq!(
        (id, decision.as_str(), *by),
        (&h1.public_id, "excluded", w.manager_id)
    );
    assert!(recent(at), "{at}");

    // The decision log shows who decided, and an excluded response cannot be accepted later.
    let (status, page) = w.manager.get_text("/responses/held?state=decided").await;
    assert_eq!(status, 200);
    assert!(page.contains("mia") && page.contains("excluded"), "{page}");
    assert!(page.contains(&h1.public_id));
    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "accept"),
            ("id", &h1.public_id),
        ],
    )
    .await;
    assert!(location(&res).contains("n=0&already=1"));
    assert_eq!(state_of(&w.app, &h1.public_id).await, "excluded");
    assert_eq!(rollups(&w.app).await, before);
    assert_eq!(rebuilt(&w.app).await, before);
}

#[tokio::test]
async fn a_bulk_decision_takes_what_the_filter_matched_when_the_page_was_drawn() {
    let w = world().await;
    counted_one(&w.app).await;
    let mut s001 = Vec::new();
    for sat in [1, 2, 3] {
        s001.push(
            store(
                &w.app,
                "S001",
                vec![
                    int("overall_satisfaction", sat),
                    int("recommend", 9),
                    choice("first_purchase", "no"),
                ],
                vec![Flag::Duplicate],
            )
            .await,
        );
    }
    let other = store(
        &w.app,
        "S101",
        vec![int("overall_satisfaction", 5), int("recommend", 10)],
        vec![Flag::Burst],
    )
    .await;

    let filter = "/responses/held?store=S001&flag=duplicate";
    let (_, page) = w.manager.get_text(filter).await;
    assert!(page.contains("Accept all 3 (count them)"), "{page}");
    assert!(
        !page.contains(&other.public_id),
        "the filter leaves S101 out"
    );
    let token = common::hidden(&page, "_csrf").unwrap();
    let upto = common::hidden(&page, "upto").unwrap();
    // Held after the page was drawn: not in what the manager saw, so not decided.
    let late = store(
        &w.app,
        "S001",
        vec![int("overall_satisfaction", 4), int("recommend", 8)],
        vec![Flag::Duplicate],
    )
    .await;

    let res = w
        .manager
        .post(
            "/responses/held/decide",
            &[
                ("_csrf", token.as_str()),
                ("scope", "all"),
                ("action", "accept"),
                ("upto", upto.as_str()),
                ("store", "S001"),
                ("flag", "duplicate"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(
        back.starts_with("/responses/held?store=S001&flag=duplicate&done=accepted&n=3&remaining=1"),
        "{back}"
    );
    let (_, page) = w.manager.get_text(&back).await;
    assert!(page.contains("Accepted 3 response(s)."), "{page}");
    assert!(page.contains("1 held response(s) still match this filter."));
    for s in &s001 {
        assert_eq!(state_of(&w.app, &s.public_id).await, "counted");
    }
    assert_eq!(state_of(&w.app, &late.public_id).await, "held");
    assert_eq!(state_of(&w.app, &other.public_id).await, "held");
    assert_eq!(decisions(&w.app).await.len(), 3);

    let after = rollups(&w.app).await;
    // C1 and the three accepted: satisfaction 5, 1, 2, 3 → one top-two; 10, 9, 9, 9 → four promoters.
    assert!(
        after[0].starts_with(
            "daily_stat 2026-11-30 S001 post-purchase responses=4 sat_n=4 sat_top2=1 nps_n=4 nps_promoters=4 nps_detractors=0 return_n=4 return_repeat=4"
        ),
        "{after:?}"
    );
    assert_eq!(rebuilt(&w.app).await, after);
}

#[tokio::test]
async fn shoppers_and_strangers_cannot_use_the_queue() {
    let w = world().await;
    let h1 = held_one(&w.app).await;
    let shopper = Browser::logged_in(&w.base, "sam").await;
    assert_eq!(shopper.get("/responses/held").await.status(), 403);
    let token = shopper.csrf("/audits").await;
    let res = shopper
        .post(
            "/responses/held/decide",
            &[
                ("_csrf", token.as_str()),
                ("scope", "selected"),
                ("action", "accept"),
                ("id", h1.public_id.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let anon = Browser::new(&w.base);
    assert_eq!(location(&anon.get("/responses/held").await), "/login");
    assert_eq!(state_of(&w.app, &h1.public_id).await, "held");
    // Managers see the nav link; shoppers do not.
    let (_, page) = w.manager.get_text("/reports").await;
    assert!(page.contains("href=\"/responses/held\""));
    let (_, page) = shopper.get_text("/audits").await;
    assert!(!page.contains("href=\"/responses/held\""));
}

#[tokio::test]
async fn a_decision_without_the_csrf_token_is_refused() {
    let w = world().await;
    let h1 = held_one(&w.app).await;
    let res = w
        .manager
        .post(
            "/responses/held/decide",
            &[
                ("scope", "selected"),
                ("action", "accept"),
                ("id", h1.public_id.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = w
        .manager
        .post(
            "/responses/held/decide",
            &[
                ("_csrf", "0".repeat(64).as_str()),
                ("scope", "selected"),
                ("action", "accept"),
                ("id", h1.public_id.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(state_of(&w.app, &h1.public_id).await, "held");
    assert!(decisions(&w.app).await.is_empty());
}

#[tokio::test]
async fn unknown_ids_are_skipped_and_malformed_ones_refused() {
    let w = world().await;
    let h1 = held_one(&w.app).await;
    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "exclude"),
            ("id", "0123456789abcdef01234567"),
            ("id", &h1.public_id),
        ],
    )
    .await;
    let back = location(&res);
    assert!(back.contains("done=excluded&n=1&unknown=1"), "{back}");
    let (_, page) = w.manager.get_text(&back).await;
    assert!(page.contains("1 matched no stored response."), "{page}");

    for (fields, says) in [
        (
            vec![
                ("scope", "selected"),
                ("action", "accept"),
                ("id", "1 or 1=1"),
            ],
            "is not a response id",
        ),
        (
            vec![("scope", "selected"), ("action", "keep")],
            "`action` must be accept or exclude",
        ),
        (
            vec![("scope", "some"), ("action", "accept")],
            "`scope` must be selected or all",
        ),
        (
            vec![("scope", "all"), ("action", "accept")],
            "`upto` is missing",
        ),
    ] {
        let res = decide(&w.manager, &fields).await;
        assert_eq!(res.status(), 400, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{fields:?}: {body}");
    }
    // Nothing ticked: back to the page with a word about it.
    let res = decide(&w.manager, &[("scope", "selected"), ("action", "accept")]).await;
    assert!(location(&res).ends_with("done=none"));
}

#[tokio::test]
async fn bad_filters_get_a_clear_400() {
    let w = world().await;
    for (query, says) in [
        ("flag=slow", "`flag` &#39;slow&#39; is not one of too-fast"),
        ("from=30.11.2026", "`from` must be a date (YYYY-MM-DD)."),
        (
            "from=2026-11-30&to=2026-11-01",
            "`to` must be on or after `from`.",
        ),
        ("store=%3Cscript%3E", "`store` must be a store code"),
        ("page=0", "`page` must be a whole number from 1."),
        (
            "state=gone",
            "`state` &#39;gone&#39; is not one of held, decided.",
        ),
    ] {
        let (status, page) = w
            .manager
            .get_text(&format!("/responses/held?{query}"))
            .await;
        assert_eq!(status, 400, "{query}");
        let page = page.replace("&#x27;", "&#39;").replace('\'', "&#39;");
        assert!(page.contains(says), "{query}: {page}");
    }
}

#[tokio::test]
async fn the_report_says_how_many_are_held_back_with_a_link_to_them() {
    let w = world().await;
    counted_one(&w.app).await;
    held_one(&w.app).await;
    store(
        &w.app,
        "S101",
        vec![int("overall_satisfaction", 5), int("recommend", 10)],
        vec![Flag::Burst],
    )
    .await;
    let range = "period=custom&from=2026-11-01&to=2026-11-30&lang=en";
    let (status, page) = w.manager.get_text(&format!("/reports?{range}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "<a href=\"/responses/held?from=2026-11-01&amp;to=2026-11-30\"><strong>2 responses held back</strong></a>"
        ),
        "{page}"
    );
    // The same stores and days as the report: one store, one held.
    let (_, page) = w
        .manager
        .get_text(&format!("/reports?{range}&store=S101"))
        .await;
    assert!(
        page.contains("href=\"/responses/held?from=2026-11-01&amp;to=2026-11-30&amp;store=S101\"><strong>1 responses held back"),
        "{page}"
    );
    // The link's page lists exactly those.
    let (_, held) = w
        .manager
        .get_text("/responses/held?from=2026-11-01&to=2026-11-30&store=S101")
        .await;
    assert!(held.contains("1 matching"), "{held}");
    // A range before them, and a region without them, show nothing held.
    let (_, page) = w
        .manager
        .get_text("/reports?period=custom&from=2026-10-01&to=2026-11-29&lang=en")
        .await;
    assert!(!page.contains("held back"));
    // A store outside the region: whatever the report makes of it, its "held back" link
    // lists exactly the number it says.
    let (_, page) = w
        .manager
        .get_text(&format!("/reports?{range}&region=South&store=S001"))
        .await;
    if let Some(link) = page.split("<a href=\"/responses/held?").nth(1) {
        let query = link.split('"').next().unwrap().replace("&amp;", "&");
        let n = link
            .split("<strong>")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap();
        let (_, held) = w
            .manager
            .get_text(&format!("/responses/held?{query}"))
            .await;
        assert!(held.contains(&format!("{n} matching")), "{query}: {held}");
    }
}

/// The real binary's export: counted rows by default, every state with `--include-held`,
/// each marked in the last column.
#[tokio::test]
async fn the_export_marks_each_row_state_and_includes_held_ones_on_request() {
    let w = world().await;
    let c1 = counted_one(&w.app).await;
    let h1 = held_one(&w.app).await;
    let h2 = store(
        &w.app,
        "S101",
        vec![int("overall_satisfaction", 5), int("recommend", 10)],
        vec![Flag::Burst],
    )
    .await;
    let res = decide(
        &w.manager,
        &[
            ("scope", "selected"),
            ("action", "exclude"),
            ("id", &h2.public_id),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let export = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_manyi"))
            .args(["export", "--form", "post-purchase"])
            .args(extra)
            .arg("--db")
            .arg(&w.app.db_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut csv = csv::Reader::from_reader(&out.stdout[..]);
        let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
        let rows: Vec<Vec<String>> = csv
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (
            header,
            rows,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let row_id = |s: &Stored| s.id.to_string();

    let (header, rows, said) = export(&[]);
    assert_eq!(header.last().map(String::as_str), Some("state"));
    assert_eq!(
        &header[..5],
        ["id", "submitted_at", "store", "lang", "version"]
    );
    let state_col = header.len() - 1;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0][0].clone(), rows[0][state_col].as_str()),
        (row_id(&c1), "counted")
    );
    assert!(said.contains("1 response(s) exported"), "{said}");
    assert!(
        said.contains("1 held response(s) not exported; add --include-held"),
        "{said}"
    );

    let (_, rows, said) = export(&["--include-held"]);
    let states: Vec<(String, &str)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[state_col].as_str()))
        .collect();
    assert_eq!(
        states,
        [
            (row_id(&c1), "counted"),
            (row_id(&h1), "held"),
            (row_id(&h2), "excluded")
        ]
    );
    assert!(
        said.contains("3 response(s) exported") && !said.contains("not exported"),
        "{said}"
    );
}

#[tokio::test]
async fn the_queue_pages_by_fifty_oldest_first_with_the_count() {
    let w = world().await;
    let mut held = Vec::new();
    for i in 0..55 {
        let flags = if i % 2 == 0 {
            vec![Flag::Duplicate]
        } else {
            vec![Flag::Burst]
        };
        held.push(store(&w.app, "S001", vec![int("recommend", 7)], flags).await);
    }
    let boxes = |page: &str| page.matches("type=\"checkbox\" name=\"id\"").count();
    let (_, page) = w.manager.get_text("/responses/held").await;
    assert!(page.contains("55 matching"), "{page}");
    assert_eq!(boxes(&page), 50);
    assert!(page.contains("Oldest first"));
    // All were held at the same moment: the first stored comes first.
    let first = page
        .find(&held[0].public_id)
        .expect("the oldest is on page 1");
    assert!(first < page.find(&held[1].public_id).unwrap());
    assert!(!page.contains(&held[54].public_id));
    assert!(page.contains("href=\"/responses/held?page=2\""), "{page}");
    let (_, page) = w.manager.get_text("/responses/held?page=2").await;
    assert_eq!(boxes(&page), 5);
    assert!(page.contains(&held[54].public_id));
    assert!(
        page.contains("name=\"page\" value=\"2\""),
        "a decision returns here"
    );
    // The filter keeps its count and its pages.
    let (_, page) = w.manager.get_text("/responses/held?flag=duplicate").await;
    assert!(page.contains("28 matching"), "{page}");
    assert_eq!(boxes(&page), 28);
    let (_, page) = w.manager.get_text("/responses/held?flag=burst").await;
    assert!(page.contains("27 matching"));
}
