//! `manyi cases import` through the built binary (steps, codes, history, all-or-nothing refusals, re-imports), and the demo's year of cases.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::SqlitePool;

const BIN: &str = env!("CARGO_BIN_EXE_manyi");
const HEAD: &str = "opened_at,store,channel,category,description,first_reply_at,closed_at,resolved,recovery_satisfied,recovery_return\n";

fn manyi(args: &[&str], db: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("MANYI_UTC_OFFSET")
        .env_remove("MANYI_CASE_CATEGORIES")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A database with stores S001 and S002, and the folder to put files in.
fn registry() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    let stores = dir.path().join("stores.csv");
    std::fs::write(
        &stores,
        "code,name,region\nS001,Harbour,North\nS002,Hill,South\n",
    )
    .unwrap();
    let out = manyi(&["stores", "import", stores.to_str().unwrap()], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (dir, db)
}

fn file(dir: &Path, name: &str, rows: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEAD}{rows}")).unwrap();
    path.to_str().unwrap().to_owned()
}

async fn pool(db: &Path) -> SqlitePool {
    SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap()
}

async fn count(db: &Path) -> (i64, i64) {
    let p = pool(db).await;
    let cases = sqlx::query_scalar("select count(*) from complaint_case")
        .fetch_one(&p)
        .await
        .unwrap();
    let events = sqlx::query_scalar("select count(*) from case_event")
        .fetch_one(&p)
        .await
        .unwrap();
    p.close().await;
    (cases, events)
}

/// Oldest last in the file: the codes follow time, not lines.
const GOOD: &str = "\
2026-01-01T01:00:00+08:00,S001,phone,delivery,Late sofa,2026-01-01T03:00:00+08:00,2026-01-03T10:00:00+08:00,yes,yes,no
2025-12-31T23:00:00+08:00,S002,walk_in,product_quality,Fridge noisy,,,,,
2025-06-01T10:00:00+08:00,S001,web,,Rude cashier,,,,,
";

type Row = (String, String, Option<bool>, Option<String>, Option<bool>);

async fn cases(db: &Path) -> Vec<Row> {
    let p = pool(db).await;
    let rows = sqlx::query_as(
        "select code, step, valid, category, resolved from complaint_case where imported order by id",
    )
    .fetch_all(&p)
    .await
    .unwrap();
    p.close().await;
    rows
}

fn row(code: &str, step: &str, valid: Option<bool>, cat: Option<&str>, res: Option<bool>) -> Row {
    (code.into(), step.into(), valid, cat.map(Into::into), res)
}

#[tokio::test]
async fn a_good_file_imports_each_case_at_its_step_with_its_code_and_history() {
    let (dir, db) = registry();
    let out = manyi(
        &["cases", "import", &file(dir.path(), "log.csv", GOOD)],
        &db,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("imported 3 cases"), "{said}");
    assert_eq!(
        cases(&db).await,
        [
            row("TS-2025-000001", "validity", None, None, None),
            row(
                "TS-2025-000002",
                "solution",
                Some(true),
                Some("product_quality"),
                None
            ),
            // 01:00 on 1 January at +08:00 numbers in 2026.
            row(
                "TS-2026-000001",
                "closed",
                Some(true),
                Some("delivery"),
                Some(true)
            ),
        ]
    );
    let p = pool(&db).await;
    // Deadlines count from the real opening: 10:00 +08:00 on 1 June is 02:00 UTC; the
    // reply 24 h later, the resolution 7 local days later at 23:59:59 +08:00.
    let due: (String, String, String) = sqlx::query_as(
        "select opened_at, reply_due, resolve_due from complaint_case where code = 'TS-2025-000001'",
    )
    .fetch_one(&p)
    .await
    .unwrap();
    assert_eq!(
        due,
        (
            "2025-06-01T02:00:00Z".into(),
            "2025-06-02T02:00:00Z".into(),
            "2025-06-08T15:59:59Z".into()
        )
    );
    let closed: (String, String, Option<bool>, Option<bool>, Option<String>) = sqlx::query_as(
        "select first_reply_at, closed_at, recovery_satisfied, recovery_return, recovery_at \
         from complaint_case where code = 'TS-2026-000001'",
    )
    .fetch_one(&p)
    .await
    .unwrap();
    assert_eq!(
        closed,
        (
            "2025-12-31T19:00:00Z".into(),
            "2026-01-03T02:00:00Z".into(),
            Some(true),
            Some(false),
            Some("2026-01-03T02:00:00Z".into())
        )
    );
    let log: Vec<(String, String, String, Option<i64>, bool)> = sqlx::query_as(
        "select e.at, e.step, e.action, e.actor_id, e.public from case_event e \
         join complaint_case c on c.id = e.case_id where c.code = 'TS-2026-000001' order by e.id",
    )
    .fetch_all(&p)
    .await
    .unwrap();
    assert_eq!(
        log,
        [
            (
                "2025-12-31T17:00:00Z".into(),
                "validity".into(),
                "opened".into(),
                None,
                true
            ),
            (
                "2025-12-31T19:00:00Z".into(),
                "validity".into(),
                "reply".into(),
                None,
                true
            ),
            (
                "2026-01-03T02:00:00Z".into(),
                "summary".into(),
                "closed".into(),
                None,
                true
            ),
            (
                "2026-01-03T02:00:00Z".into(),
                "closed".into(),
                "recovery".into(),
                None,
                false
            ),
        ]
    );
    p.close().await;
}

#[tokio::test]
async fn the_utc_offset_flag_sets_the_year_in_the_code() {
    let (dir, db) = registry();
    let f = file(dir.path(), "log.csv", GOOD);
    let out = manyi(&["cases", "import", &f, "--utc-offset", "+00:00"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // At UTC the New Year's case opened at 17:00 on 31 December 2025.
    let codes: Vec<String> = cases(&db).await.into_iter().map(|r| r.0).collect();
    assert_eq!(
        codes,
        ["TS-2025-000001", "TS-2025-000002", "TS-2025-000003"]
    );
}

#[tokio::test]
async fn a_file_with_three_bad_lines_changes_nothing_and_lists_all_three() {
    let (dir, db) = registry();
    let f = file(
        dir.path(),
        "bad.csv",
        "2025-03-01T10:00:00+08:00,S001,phone,,Fine,,,,,\n\
         2025-03-01T10:00:00+08:00,S404,phone,,No such store,,,,,\n\
         2025-03-02T10:00:00+08:00,S002,web,delivery,Fine too,,,,,\n\
         2025-03-03T10:00:00+08:00,S001,phone,,Closed before opened,,2025-03-02T10:00:00+08:00,yes,,\n\
         2025-03-04T10:00:00+08:00,S001,phone,,Recovery while open,,,,yes,yes\n",
    );
    let out = manyi(&["cases", "import", &f], &db);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.csv: line 3: unknown store 'S404'"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv: line 5: closed_at is before opened_at"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv: line 6: a recovery answer is given, but the case is not closed"),
        "{err}"
    );
    assert!(err.contains("nothing imported: 3 bad line(s)"), "{err}");
    assert_eq!(err.matches(": line ").count(), 3, "{err}");
    assert_eq!(count(&db).await, (0, 0));
}

#[tokio::test]
async fn importing_the_same_cases_again_is_refused_whole() {
    let (dir, db) = registry();
    let f = file(dir.path(), "log.csv", GOOD);
    assert!(manyi(&["cases", "import", &f], &db).status.success());
    let before = count(&db).await;
    let again = manyi(&["cases", "import", &f], &db);
    assert_eq!(again.status.code(), Some(1));
    let err = text(&again.stderr);
    assert!(
        err.contains("line 2: already imported as TS-2026-000001"),
        "{err}"
    );
    assert!(
        err.contains("line 4: already imported as TS-2025-000001"),
        "{err}"
    );
    assert!(err.contains("is this the same file again?"), "{err}");
    // A later export that overlaps the first: the new case waits until the old are taken out.
    let overlap = file(
        dir.path(),
        "later.csv",
        "2025-06-01T10:00:00+08:00,S001,web,,Rude cashier,,,,,\n\
         2026-02-01T10:00:00+08:00,S001,web,,New one,,,,,\n",
    );
    let out = manyi(&["cases", "import", &overlap], &db);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 2: already imported as TS-2025-000001"));
    assert_eq!(count(&db).await, before);
}

#[tokio::test]
async fn categories_come_from_the_taxonomy_flag() {
    let (dir, db) = registry();
    let f = file(
        dir.path(),
        "parking.csv",
        "2025-03-01T10:00:00+08:00,S001,phone,parking,No space,,,,,\n",
    );
    let out = manyi(&["cases", "import", &f], &db);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("line 2: unknown category 'parking'; one of product_quality")
    );
    let categories = dir.path().join("categories.toml");
    std::fs::write(
        &categories,
        "[[category]]\nname = \"parking\"\nlabel = { zh = \"停车\", en = \"Parking\" }\n",
    )
    .unwrap();
    let out = manyi(
        &[
            "cases",
            "import",
            &f,
            "--case-categories",
            categories.to_str().unwrap(),
        ],
        &db,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(cases(&db).await[0].3.as_deref(), Some("parking"));
}

#[tokio::test]
async fn a_wrong_header_or_a_missing_database_is_refused() {
    let (dir, db) = registry();
    let f = dir.path().join("short.csv");
    std::fs::write(
        &f,
        "opened_at,store,description\n2025-03-01T10:00:00+08:00,S001,x\n",
    )
    .unwrap();
    let out = manyi(&["cases", "import", f.to_str().unwrap()], &db);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 1: the header lacks channel, category"));
    let good = file(dir.path(), "log.csv", GOOD);
    let nowhere = dir.path().join("typo.db");
    let out = manyi(&["cases", "import", &good], &nowhere);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no database"));
    assert!(!nowhere.exists());
}

/// A year of demo data with few responses: the cases do not depend on their number.
async fn demo(path: &Path) -> SqlitePool {
    let catalog = manyi::survey::load_dir(Path::new(&format!(
        "{}/surveys",
        env!("CARGO_MANIFEST_DIR")
    )))
    .unwrap();
    let db = manyi::db::connect(path).await.unwrap();
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    let today = time::OffsetDateTime::now_utc().to_offset(offset).date();
    let spec = manyi::demo::Spec {
        responses: 1_500,
        ..manyi::demo::Spec::demo(today, offset)
    };
    let started = std::time::Instant::now();
    let report = manyi::demo::generate(&db.write, &catalog, &spec, |_| {})
        .await
        .unwrap();
    eprintln!("demo generated in {:?}", started.elapsed());
    assert_eq!(
        report.cases as i64,
        sqlx::query_scalar::<_, i64>("select count(*) from complaint_case")
            .fetch_one(db.read.as_sqlite().unwrap())
            .await
            .unwrap()
    );
    db.read.as_sqlite().unwrap().clone()
}

async fn share(pool: &SqlitePool, part: &str, of: &str) -> f64 {
    let (a, b): (i64, i64) = sqlx::query_as(&format!(
        "select (select count(*) from complaint_case where {of} and {part}), \
         (select count(*) from complaint_case where {of})"
    ))
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(b > 0, "no case where {of}");
    a as f64 / b as f64
}

#[tokio::test]
async fn the_demo_has_a_realistic_year_of_cases() {
    let dir = tempfile::tempdir().unwrap();
    let p = demo(&dir.path().join("demo.db")).await;
    let one = |sql: &'static str| {
        let p = p.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&p)
                .await
                .unwrap()
        }
    };
    let total = one("select count(*) from complaint_case").await;
    assert!((200..=800).contains(&total), "{total} cases");
    assert_eq!(
        one("select count(distinct store) from complaint_case").await,
        24
    );
    assert!(one("select count(*) from complaint_case where kind = 'suggestion'").await >= 10);
    // A few open cases past a deadline, each escalated once as the sweep would have.
    let now = manyi::db::cases::stamp(time::OffsetDateTime::now_utc());
    let overdue: i64 = sqlx::query_scalar(
        "select count(*) from complaint_case where step <> 'closed' \
         and ((first_reply_at is null and reply_due < ?1) or resolve_due < ?1)",
    )
    .bind(&now)
    .fetch_one(&p)
    .await
    .unwrap();
    assert!(
        (3..=total / 10).contains(&overdue),
        "{overdue} overdue of {total}"
    );
    assert_eq!(one("select count(*) from complaint_case where step <> 'closed' and resolve_due < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day') and overdue_at is null").await, 0);
    // Mostly handled, and in time.
    assert!(share(&p, "step = 'closed'", "1").await > 0.8);
    assert!(share(&p, "resolved", "step = 'closed' and valid").await > 0.8);
    assert!(share(&p, "closed_at <= resolve_due", "step = 'closed'").await > 0.8);
    assert!(
        share(
            &p,
            "first_reply_at <= reply_due",
            "first_reply_at is not null"
        )
        .await
            > 0.85
    );
    // A Pareto of causes: three categories carry about 80%, and the tail is long.
    let counts: Vec<i64> = sqlx::query_scalar(
        "select count(*) from complaint_case where category is not null group by category order by 1 desc",
    )
    .fetch_all(&p)
    .await
    .unwrap();
    let all: i64 = counts.iter().sum();
    let top3 = counts.iter().take(3).sum::<i64>() as f64 / all as f64;
    assert!((0.7..0.9).contains(&top3), "top three carry {top3}");
    assert!(counts.len() >= 8, "{counts:?}");
    // Recovery answers on about half the closed complaints.
    let answered = share(
        &p,
        "recovery_satisfied is not null",
        "step = 'closed' and valid and kind = 'complaint'",
    )
    .await;
    assert!((0.35..0.65).contains(&answered), "{answered}");
    // Obviously fake contacts, some of them complaining again.
    let contacts: Vec<String> =
        sqlx::query_scalar("select contact from complaint_case where contact is not null")
            .fetch_all(&p)
            .await
            .unwrap();
    assert!(contacts.len() as i64 > total / 4);
    assert!(
        contacts.iter().all(|c| c.len() == 11 && &c[3..7] == "****"),
        "{contacts:?}"
    );
    assert!(one("select count(*) from (select contact from complaint_case where contact is not null group by contact having count(*) > 1)").await >= 2);
    // Every case's log starts with its opening, and every closed one says how it closed.
    assert_eq!(one("select count(*) from complaint_case c where not exists (select 1 from case_event e where e.case_id = c.id and e.action = 'opened' and e.at = c.opened_at)").await, 0);
    assert_eq!(one("select count(*) from complaint_case c where c.step = 'closed' and not exists (select 1 from case_event e where e.case_id = c.id and e.action in ('closed', 'invalid') and e.at = c.closed_at)").await, 0);
    assert_eq!(
        one("select count(*) from case_event where at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
            .await,
        0
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_cases() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for name in ["a.db", "b.db"] {
        let p = demo(&dir.path().join(name)).await;
        let rows: Vec<String> = sqlx::query_scalar(
            "select concat_ws('|', code, store, step, opened_at, closed_at, category, contact, \
             recovery_satisfied) from complaint_case order by id",
        )
        .fetch_all(&p)
        .await
        .unwrap();
        seen.push(rows);
    }
    assert!(!seen[0].is_empty());
    assert_eq!(seen[0], seen[1]);
}
