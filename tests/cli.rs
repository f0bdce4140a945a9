//! The `manyi` binary itself: check, refusing bad surveys, durability across kill -9, graceful stop and export.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_manyi");

fn surveys() -> String {
    format!("{}/surveys", env!("CARGO_MANIFEST_DIR"))
}

fn broken_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(format!("{}/post-purchase.toml", surveys())).unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        good.replace(
            "${overall_satisfaction} <= 3",
            "${overall_satisfction} <= 3",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        "[settings]\nid = \"b\"\ntitle = \n",
    )
    .unwrap();
    dir
}

#[test]
fn check_accepts_the_shipped_surveys() {
    let out = Command::new(BIN)
        .args(["check", &surveys()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("post-purchase"));
}

#[test]
fn check_prints_every_error_with_file_line_and_column_and_fails() {
    let dir = broken_dir();
    let out = Command::new(BIN)
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.toml:") && err.contains("${overall_satisfction}, which is not a question"),
        "{err}"
    );
    assert!(err.contains("b.toml:3:"), "{err}");
    assert!(err.contains("2 error(s) found"), "{err}");
}

#[test]
fn the_server_refuses_to_start_with_a_broken_survey() {
    let dir = broken_dir();
    let db = dir.path().join("x.db");
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--surveys"])
        .arg(dir.path())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to start"));
}

/// Starts the real binary on a free port; returns the child and its base URL.
fn start(db: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--surveys", &surveys()])
        .arg("--db")
        .arg(db)
        .env("MANYI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split("Open ")
        .nth(1)
        .expect("prints the URL")
        .trim()
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn an_acknowledged_response_survives_kill_9_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("manyi.db");
    let csv = dir.path().join("stores.csv");
    std::fs::write(&csv, "code,name,region\nS9,Harbour,North\n").unwrap();
    let out = Command::new(BIN)
        .args(["stores", "import"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args([
            "token", "add", "--name", "till", "--scope", "submit", "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let (mut child, url) = start(&db);
    let res = reqwest::Client::new()
        .post(format!("{url}/api/v1/forms/post-purchase/responses"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"store": "S9", "answers": {"overall_satisfaction": 4, "recommend": 10, "first_purchase": "no", "heard_from": ["ad", "friend"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    child.kill().unwrap(); // SIGKILL: no chance to flush anything after the 201.
    child.wait().unwrap();

    let out = Command::new(BIN)
        .args(["export", "--form", "post-purchase", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,submitted_at,store,lang,version,overall_satisfaction,recommend")
    );
    let row = lines.next().expect("the response is on disk");
    assert!(
        row.starts_with("1,") && row.contains(",S9,zh,2026.12.1,4,10,no,friend;ad,"),
        "{row}"
    );
}

#[test]
fn export_of_an_unknown_form_or_database_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["export", "--form", "x", "--db"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no database"));
}

/// A small database that exercises every rule of the export: two versions of a form whose
/// columns differ, a response of another form in between, a multiple choice, a response
/// without a store or any answer, an answer to a question no definition lists, and text
/// that needs CSV quoting.
async fn small_export_database(path: &Path) {
    use manyi::answers::Answer;
    use manyi::db::responses::{Submission, insert_batch};
    let catalog = manyi::survey::load_dir(Path::new(&surveys())).unwrap();
    let v1 = catalog.get("post-purchase").unwrap().clone();
    let other = catalog.get("after-service").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{}/post-purchase.toml", surveys())).unwrap();
    std::fs::write(
        dir.path().join("post-purchase.toml"),
        text.replace("version = \"2026.12.1\"", "version = \"2026.12.2\"")
            .replace("name = \"suggestion\"", "name = \"idea\"")
            .replace(
                "\"complaint_text\", \"suggestion\"]",
                "\"complaint_text\", \"idea\"]",
            ),
    )
    .unwrap();
    let v2 = manyi::survey::load_dir(dir.path())
        .unwrap()
        .get("post-purchase")
        .unwrap()
        .clone();
    let day = time::macros::date!(2026 - 11 - 20);
    let at = |n: u32| format!("2026-11-20T0{n}:00:00.000Z");
    let int = |q: &str, i: i64| (q.to_owned(), Answer::Int(i));
    let text = |q: &str, t: &str| (q.to_owned(), Answer::Text(t.to_owned()));
    let choice = |q: &str, c: &str| (q.to_owned(), Answer::Choice(c.to_owned()));
    let submission = |survey: &std::sync::Arc<manyi::survey::Survey>,
                      n: u32,
                      store: Option<&str>,
                      lang: &'static str,
                      answers: Vec<(String, Answer)>| Submission {
        survey: survey.clone(),
        store: store.map(str::to_owned),
        lang,
        answers,
        submission_key: None,
        submitted_at: at(n),
        day,
        checks: Default::default(),
    };
    let db = manyi::db::connect(path).await.unwrap();
    let first = [
        submission(
            &v1,
            1,
            Some("S1"),
            "zh",
            vec![
                int("overall_satisfaction", 2),
                int("recommend", 10),
                choice("first_purchase", "no"),
                (
                    "heard_from".into(),
                    Answer::Choices(vec!["friend".into(), "online".into(), "ad".into()]),
                ),
                choice("complaint", "yes"),
                text("complaint_text", "排队太久, 收银员说 \"明天再来\"\n第二行"),
                text("suggestion", " 多开一个窗口 "),
            ],
        ),
        submission(&other, 2, Some("S2"), "en", vec![int("overall", 5)]),
        submission(&v1, 3, None, "en", vec![]),
    ];
    insert_batch(&db.write, &first).await.unwrap();
    let second = [
        submission(
            &v2,
            4,
            Some("S2"),
            "en",
            vec![
                int("overall_satisfaction", 5),
                int("recommend", 9),
                ("heard_from".into(), Answer::Choices(vec!["social".into()])),
                text("idea", "\"quoted\""),
                text("ghost", "not a column of any version"),
            ],
        ),
        submission(
            &v1,
            5,
            Some("S1,North"),
            "zh",
            vec![int("expect_price", 3), text("suggestion", "a;b")],
        ),
    ];
    insert_batch(&db.write, &second).await.unwrap();
    db.close().await;
}

/// The export's exact bytes on the small database: the header lists the newest definition's
/// questions first, then those only earlier versions had; rows are oldest first; a multiple
/// choice joins its options with `;` in stored order; CSV quoting as the csv crate does it.
#[tokio::test]
async fn export_writes_the_exact_csv_of_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    small_export_database(&db).await;
    let out = Command::new(BIN)
        .args(["export", "--form", "post-purchase", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "4 response(s) exported\n"
    );
    let expected = concat!(
        "id,submitted_at,store,lang,version,overall_satisfaction,recommend,first_purchase,heard_from,",
        "expect_price,expect_service,expect_quality,expect_environment,",
        "exp_price,exp_service,exp_quality,exp_environment,complaint,complaint_text,idea,complaint_request,contact_consent,contact,suggestion,state\n",
        "1,2026-11-20T01:00:00.000Z,S1,zh,2026.12.1,2,10,no,friend;online;ad,,,,,,,,,yes,",
        "\"排队太久, 收银员说 \"\"明天再来\"\"\n第二行\",,,,, 多开一个窗口 ,counted\n",
        "3,2026-11-20T03:00:00.000Z,,en,2026.12.1,,,,,,,,,,,,,,,,,,,,counted\n",
        "4,2026-11-20T04:00:00.000Z,S2,en,2026.12.2,5,9,,social,,,,,,,,,,,\"\"\"quoted\"\"\",,,,,counted\n",
        "5,2026-11-20T05:00:00.000Z,\"S1,North\",zh,2026.12.1,,,,,3,,,,,,,,,,,,,,a;b,counted\n",
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

/// Runs `manyi export` and parses its CSV into the header and the rows.
fn export_rows(db: &Path, form: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let out = Command::new(BIN)
        .args(["export", "--form", form, "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let header = csv.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = csv
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The export reads a few thousand responses per query: every response comes out once, in
/// order and with its own answers, across chunk boundaries, when the count is an exact
/// multiple of a chunk (4,000) and when it is not (2,001), with the other form's responses
/// interleaved.
#[tokio::test]
async fn export_reads_every_response_across_chunks() {
    use manyi::answers::Answer;
    use manyi::db::responses::{Submission, insert_batch};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let catalog = manyi::survey::load_dir(Path::new(&surveys())).unwrap();
    let post = catalog.get("post-purchase").unwrap();
    let service = catalog.get("after-service").unwrap();
    let mut batch = Vec::new();
    let (mut posts, mut services) = (0, 0);
    while posts < 4000 || services < 2001 {
        // Two post-purchase responses for every after-service one, until each has its count.
        let survey = if services < 2001 && (posts >= 4000 || batch.len() % 3 == 2) {
            services += 1;
            service
        } else {
            posts += 1;
            post
        };
        let n = batch.len() as i64 + 1;
        let answers = if survey.id == "post-purchase" {
            let heard = ["friend", "online", "ad"][..(n % 3 + 1) as usize].iter();
            vec![
                ("recommend".to_owned(), Answer::Int(n % 11)),
                (
                    "heard_from".to_owned(),
                    Answer::Choices(heard.map(|c| (*c).to_owned()).collect()),
                ),
            ]
        } else {
            vec![("days_waited".to_owned(), Answer::Int(n))]
        };
        batch.push(Submission {
            survey: survey.clone(),
            store: Some(format!("S{n}")),
            lang: "zh",
            answers,
            submission_key: None,
            submitted_at: format!("2026-11-20T00:00:00.{n:03}Z"),
            day: time::macros::date!(2026 - 11 - 20),
            checks: Default::default(),
        });
    }
    let db = manyi::db::connect(&path).await.unwrap();
    insert_batch(&db.write, &batch).await.unwrap();
    db.close().await;

    for (form, count) in [("post-purchase", 4000), ("after-service", 2001)] {
        let (header, rows) = export_rows(&path, form);
        assert_eq!(rows.len(), count, "{form}");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let mut last = 0;
        for row in &rows {
            let id: i64 = row[0].parse().unwrap();
            assert!(id > last, "{form}: {id} after {last}");
            last = id;
            assert_eq!(row[col("store")], format!("S{id}"));
            if form == "post-purchase" {
                assert_eq!(row[col("recommend")], (id % 11).to_string());
                let heard = ["friend", "online", "ad"][..(id % 3 + 1) as usize].join(";");
                assert_eq!(row[col("heard_from")], heard);
            } else {
                assert_eq!(row[col("days_waited")], id.to_string());
            }
        }
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = start(&dir.path().join("m.db"));
    assert_eq!(
        reqwest::get(format!("{url}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success(), "exits 0 after SIGTERM");
}

fn run_with_stdin(args: &[&str], db: &Path, stdin: &str) -> std::process::Output {
    common::run_manyi(args, db, stdin)
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_stores_only_an_argon2id_hash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let out = run_with_stdin(
        &["user", "add", "--role", "admin", "--username", "boss"],
        &db,
        "a very long password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_with_stdin(
        &["user", "add", "--role", "admin", "--username", "boss"],
        &db,
        "a very long password\n",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    let out = run_with_stdin(
        &["user", "add", "--role", "admin", "--username", "bob2"],
        &db,
        "short\n",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10"));
    let out = run_with_stdin(
        &["user", "add", "--role", "king", "--username", "bob3"],
        &db,
        "a very long password\n",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));

    let pool = manyi::db::connect(&db).await.unwrap().read;
    let user = manyi::db::users::by_username(&pool, "boss")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, manyi::auth::Role::Admin);
    assert!(
        user.password_hash.starts_with("$argon2id$") && !user.password_hash.contains("very long")
    );
    assert!(
        manyi::db::users::by_username(&pool, "bob2")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn importing_the_same_stores_twice_updates_instead_of_duplicating() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let csv = dir.path().join("stores.csv");
    let import = || {
        Command::new(BIN)
            .args(["stores", "import"])
            .arg(&csv)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap()
    };
    std::fs::write(
        &csv,
        "code,name,region,address\nS1,One,East,\nS2,Two,West,Road 2\n",
    )
    .unwrap();
    assert!(import().status.success());
    std::fs::write(
        &csv,
        "code,name,region,address\nS1,One renamed,East,\nS2,Two,West,Road 2\n",
    )
    .unwrap();
    assert!(import().status.success());
    // A file with a bad row changes nothing, and says which line.
    std::fs::write(
        &csv,
        "code,name,region\nS1,One again,East\nS 3,Three,West\n",
    )
    .unwrap();
    let out = import();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3: code:") && err.contains("nothing imported"),
        "{err}"
    );

    let pool = manyi::db::connect(&db).await.unwrap().read;
    let stores = manyi::db::stores::list(&pool).await.unwrap();
    assert_eq!(stores.len(), 2);
    assert_eq!(
        stores.iter().find(|s| s.code == "S1").unwrap().name,
        "One renamed"
    );
}

#[tokio::test]
async fn sales_import_is_all_or_nothing_and_replaces_a_store_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, "code,name,region\nS1,One,East\nS2,Two,West\n").unwrap();
    assert!(
        Command::new(BIN)
            .args(["stores", "import"])
            .arg(&stores)
            .arg("--db")
            .arg(&db)
            .status()
            .unwrap()
            .success()
    );
    let csv = dir.path().join("sales.csv");
    let import = || {
        Command::new(BIN)
            .args(["sales", "import"])
            .arg(&csv)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap()
    };
    std::fs::write(
        &csv,
        "store,date,transactions,revenue\nS1,2026-11-20,120,35800.50\nS2,2026-11-20,80,20000\n",
    )
    .unwrap();
    let out = import();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 sales row(s)"));
    std::fs::write(
        &csv,
        "store,date,transactions,revenue\nS1,2026-11-20,150,40000\n",
    )
    .unwrap();
    assert!(import().status.success());
    std::fs::write(&csv, "store,date,transactions,revenue\nS2,2026-11-21,10,100\nS9,2026-11-21,1,1\nS1,21/11/2026,x,1\n").unwrap();
    let out = import();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3: store 'S9'")
            && err.contains("line 4: date '21/11/2026'")
            && err.contains("nothing imported: 2 problem(s)"),
        "{err}"
    );

    let pool = manyi::db::connect(&db)
        .await
        .unwrap()
        .read
        .as_sqlite()
        .unwrap()
        .clone();
    let rows: Vec<(String, String, i64, f64)> =
        sqlx::query_as("select store_code, day, transactions, revenue from sales order by 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [
            ("S1".into(), "2026-11-20".into(), 150, 40000.0),
            ("S2".into(), "2026-11-20".into(), 80, 20000.0)
        ]
    );
}

#[tokio::test]
async fn demo_fills_an_empty_database_once_with_every_kind_of_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = Command::new(BIN)
        .args(["demo", "--surveys", &surveys(), "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("login demo-manager (manager) with password "),
        "{stdout}"
    );
    let pool = manyi::db::connect(&db)
        .await
        .unwrap()
        .read
        .as_sqlite()
        .unwrap()
        .clone();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(count("select count(*) from response").await > 30_000);
    assert_eq!(count("select count(distinct region) from store").await, 4);
    assert!(count("select count(*) from sales").await >= 24 * 365);
    assert!(count("select count(*) from audit where status = 'approved'").await >= 24 * 12);
    assert_eq!(
        count("select sum(responses) from daily_stat").await,
        count("select count(*) from response").await,
        "every generated response is in the rollups"
    );
    // The weak stores (every seventh) really are weaker.
    let weak: f64 = sqlx::query_scalar(
        "select avg(score) from audit where store_code in ('S004', 'S011', 'S018')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let rest: f64 = sqlx::query_scalar(
        "select avg(score) from audit where store_code not in ('S004', 'S011', 'S018')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(weak + 5.0 < rest, "weak {weak} vs {rest}");
    // A second run refuses to add to a database that has data.
    let out = Command::new(BIN)
        .args(["demo", "--surveys", &surveys(), "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only fills an empty one"));
}
