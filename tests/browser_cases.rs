//! Complaint cases in a real phone-sized browser (390×844, headless Chromium): staff record a
//! walk-in complaint and walk all 8 steps in Chinese, with a send-back and a manager's
//! approval; a suggestion and an invalid complaint in English; and another store's case
//! refused by URL. Every page is checked for sideways scroll, off-screen controls, English
//! in a Chinese page's headings and serious axe-core violations; every step against the
//! stored `complaint_case.step` and `case_event` rows.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core from npm
//! (`npm ci --prefix tests/browser`); without them it fails on purpose.

mod common;

use common::chrome::Phone;
use common::{PASSWORD, TestApp};
use manyi::auth::Role;
use manyi::i18n::Lang;
use manyi::i18n::cases::Case as T;
use manyi::i18n::staff::ErrorTitle;
use serde_json::json;

const CHECKS: &str = include_str!("browser/page_checks.js");
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/node_modules/axe-core/axe.min.js"
);
const WIDTH: u32 = 390;
const HEIGHT: u32 = 844;
const ZH: &str = "zh-CN,zh";
const EN: &str = "en-GB,en";

fn zh(t: T) -> &'static str {
    t.text(Lang::Zh)
}

fn en(t: T) -> &'static str {
    t.text(Lang::En)
}

fn axe_source() -> String {
    std::fs::read_to_string(AXE)
        .unwrap_or_else(|e| panic!("{AXE} is missing ({e}): run `npm ci --prefix tests/browser`"))
}

async fn phone(lang: &str) -> Phone {
    Phone::open_sized(lang, WIDTH, HEIGHT).await
}

async fn log_in(b: &Phone, base: &str, username: &str) {
    b.goto(&format!("{base}/login")).await;
    b.type_in("#username", username).await;
    b.type_in("#password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.wait_for("nav.bar").await;
}

/// Everything wrong with the page now shown (the phone checks, then axe-core's serious and
/// critical violations); `what` names the page in the failure.
async fn assert_fits(b: &Phone, axe: &str, chinese: bool, what: &str) {
    let width = b.js_i64("return window.innerWidth").await;
    assert_eq!(width, i64::from(WIDTH), "{what}: viewport");
    let overflow = b
        .js_i64("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(overflow <= 1, "{what}: scrolls sideways by {overflow}px");
    let found = b.js(CHECKS, vec![json!(chinese)]).await;
    // A case's reference (TS-…, JY-…) is data, not English: the list and the case
    // page's h1 mark it translate="no", so it is no problem here.
    let mut problems: Vec<String> = found["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p.as_str().unwrap_or_default().to_owned())
        .collect();
    let lang = if chinese { "zh-CN" } else { "en" };
    if found["lang"] != lang {
        problems.push(format!("<html lang> is {}", found["lang"]));
    }
    b.js(axe, vec![]).await;
    let violations = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => `axe ${v.impact} ${v.id}: ${v.help} at ` +
                   v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))))
               .catch((e) => done(['axe failed: ' + e]));",
            vec![],
        )
        .await;
    for v in violations.as_array().into_iter().flatten() {
        problems.push(v.as_str().unwrap_or_default().to_owned());
    }
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

/// Picks an option of a select by its value, as a finger on the list would.
async fn choose(b: &Phone, name: &str, value: &str) {
    b.click(&format!("select[name={name}] option[value='{value}']"))
        .await;
    assert_eq!(
        b.value(&format!("select[name={name}]")).await,
        value,
        "{name}"
    );
}

/// Waits for the case page at `step`: its form's heading says which of its flow's steps
/// it is (a complaint's 8, a suggestion's 2).
async fn expect_step(b: &Phone, lang: Lang, (number, total): (usize, usize), label: T) {
    let h2 = format!("{} · {}", T::step_of(lang, number, total), label.text(lang));
    b.expect(&format!(
        "//section[@id='step']/h2[normalize-space()='{h2}']"
    ))
    .await;
}

/// Waits until the page (after a post lands) shows `n` lines of history.
async fn history_lines(b: &Phone, n: usize) {
    let script = format!("return document.querySelectorAll('ol.hist > li').length === {n}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while b.client.execute(&script, vec![]).await.ok() != Some(json!(true)) {
        assert!(
            std::time::Instant::now() < deadline,
            "never {n} history lines"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn save_step(b: &Phone) {
    b.click("section#step form button[type=submit]").await;
}

/// One row of the case's log.
#[derive(Debug, sqlx::FromRow)]
struct Event {
    action: String,
    actor: Option<String>,
    at: String,
    note: Option<String>,
    public: bool,
}

async fn log_of(app: &TestApp, code: &str) -> Vec<Event> {
    sqlx::query_as(
        "select e.action, u.username as actor, e.at, e.note, e.public from case_event e \
         join complaint_case c on c.id = e.case_id left join user u on u.id = e.actor_id \
         where c.code = ? order by e.id",
    )
    .bind(code)
    .fetch_all(&app.pool)
    .await
    .expect("case events")
}

async fn step_of(app: &TestApp, code: &str) -> String {
    let (step,): (String,) = row(app, "step", code).await;
    step
}

async fn newest_code(app: &TestApp) -> String {
    sqlx::query_scalar("select code from complaint_case order by id desc limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("a case was recorded")
}

/// A case walked through its steps, and how many log rows it had at the last look.
struct Walk<'a> {
    app: &'a TestApp,
    code: String,
    lang: Lang,
    seen: usize,
}

impl Walk<'_> {
    /// The newest case, just recorded (its one row: "opened").
    async fn newest(app: &TestApp, lang: Lang) -> Walk<'_> {
        let code = newest_code(app).await;
        let log = log_of(app, &code).await;
        assert_eq!(log.len(), 1, "{log:?}");
        Walk {
            app,
            code,
            lang,
            seen: 1,
        }
    }

    /// After a step: the case is at `step` and its log grew by one `action` by `who`, just
    /// now, shown with its time and note as the last line of the page's history.
    async fn logged(&mut self, b: &Phone, step: &str, action: &str, who: &str) {
        let (app, lang) = (self.app, self.lang);
        assert_eq!(step_of(app, &self.code).await, step, "complaint_case.step");
        let log = log_of(app, &self.code).await;
        assert_eq!(log.len(), self.seen + 1, "one event more: {log:?}");
        self.seen = log.len();
        let last = log.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_deref()),
            (action, Some(who))
        );
        let at = manyi::db::cases::parse_stamp(&last.at).expect("an RFC 3339 time");
        let age = time::OffsetDateTime::now_utc() - at;
        assert!(age.whole_seconds().abs() < 120, "logged at {}", last.at);
        let shown = b.js_i64("return document.querySelectorAll('ol.hist > li').length");
        assert_eq!(shown.await, log.len() as i64, "history lines on the page");
        let line = b.text("ol.hist > li:last-child").await;
        let when = manyi::i18n::format::stored_time(&last.at, app.state.settings.utc_offset, lang);
        assert!(
            line.contains(T::event(action, lang)) && line.contains(who) && line.contains(&when),
            "last history line: {line}, not {action} by {who} at {when}"
        );
        if let Some(note) = &last.note {
            assert!(line.contains(note.as_str()), "{line} without {note}");
        }
    }

    /// After a refusal: still at `step`, nothing logged.
    async fn unchanged(&self, step: &str) {
        assert_eq!(step_of(self.app, &self.code).await, step);
        let log = log_of(self.app, &self.code).await;
        assert_eq!(log.len(), self.seen, "nothing logged: {log:?}");
    }
}

/// Columns of the case `code` (`c`), with its approver as `u`.
async fn row<R>(app: &TestApp, columns: &str, code: &str) -> R
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let sql = format!(
        "select {columns} from complaint_case c left join user u on u.id = c.approved_by \
         where c.code = ?"
    );
    sqlx::query_as(&sql)
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Sends the new-case form.
async fn record(b: &Phone) {
    b.click("form[action='/cases/new'] button[type=submit]")
        .await;
}

#[tokio::test]
async fn a_walk_in_complaint_goes_through_all_eight_steps_on_a_phone_in_chinese() {
    let axe = axe_source();
    let app = TestApp::new().await;
    app.add_user("mgr", Role::Manager).await;
    let sm = app.add_user("sm1", Role::StoreManager).await;
    manyi::db::user_stores::set_user_stores(&app.db.write, sm, &["S001".into()])
        .await
        .unwrap();
    let base = app.spawn().await;
    let b = phone(ZH).await;
    log_in(&b, &base, "sm1").await;

    // The due list, then step 1: recording the walk-in.
    b.goto(&format!("{base}/cases")).await;
    b.expect_h1(zh(T::ListTitle)).await;
    assert_fits(&b, &axe, true, "the empty case list").await;
    b.tap_link(zh(T::NewCase)).await;
    b.expect_h1(zh(T::NewTitle)).await;
    assert_fits(&b, &axe, true, "the new-case form").await;
    assert_eq!(
        b.value("select[name=store]").await,
        "S001",
        "their one store"
    );
    assert_eq!(b.value("select[name=channel]").await, "walk_in");
    let words = "上周买的冰箱送到时门是凹的，送货员说不是他们弄的。";
    b.type_in("textarea[name=description]", words).await;
    choose(&b, "request", "exchange").await;
    choose(&b, "priority", "high").await;
    b.click("input[name=consent]").await;
    b.type_in("input[name=contact]", "13800001234").await;
    record(&b).await;
    expect_step(&b, Lang::Zh, (2, 8), T::StepValidity).await;
    let mut w = Walk::newest(&app, Lang::Zh).await;
    let code = w.code.clone();
    assert!(code.starts_with("TS-"), "{code}");
    b.expect_h1(&format!("{code} · {}", zh(T::KindComplaint)))
        .await;
    assert_eq!(b.text("p.ok").await, zh(T::Done));
    let columns = "channel, request, priority, contact, description";
    let stored: (String, String, String, String, String) = row(&app, columns, &code).await;
    let (channel, request, priority, contact, description) = stored;
    assert_eq!(
        (channel.as_str(), request.as_str(), priority.as_str()),
        ("walk_in", "exchange", "high")
    );
    assert_eq!(
        (contact.as_str(), description.as_str()),
        ("13800001234", words)
    );
    let log = log_of(&app, &code).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action.as_str(), log[0].actor.as_deref()),
        ("opened", Some("sm1"))
    );
    assert_fits(&b, &axe, true, "step 2").await;

    // Step 2: valid. A reply to the customer and an internal note on the way.
    choose(&b, "valid", "yes").await;
    save_step(&b).await;
    expect_step(&b, Lang::Zh, (3, 8), T::StepAssign).await;
    w.logged(&b, "assign", "valid", "sm1").await;
    let reply = "您好，我们已收到您的反馈，明天会联系您安排换货。";
    b.type_in("section#reply textarea[name=message]", reply)
        .await;
    b.click("section#reply button[type=submit]").await;
    history_lines(&b, 3).await;
    w.logged(&b, "assign", "reply", "sm1").await;
    let internal = "内部：这家承运商本月第三次出问题";
    b.type_in("section#note textarea[name=text]", internal)
        .await;
    b.click("section#note button[type=submit]").await;
    history_lines(&b, 4).await;
    w.logged(&b, "assign", "note", "sm1").await;
    assert_fits(&b, &axe, true, "step 3").await;

    // Step 3: the department and the owner (the store manager themself).
    choose(&b, "owner", &sm.to_string()).await;
    b.type_in("input[name=department]", "物流部").await;
    save_step(&b).await;
    expect_step(&b, Lang::Zh, (4, 8), T::StepCause).await;
    w.logged(&b, "cause", "assigned", "sm1").await;
    let (owner, department): (i64, String) = row(&app, "owner_id, department", &code).await;
    assert_eq!((owner, department.as_str()), (sm, "物流部"));
    assert_fits(&b, &axe, true, "step 4").await;

    // Step 4: a category from the shipped taxonomy and the root cause.
    choose(&b, "category", "delivery").await;
    let category_label = b.text("select[name=category] option:checked").await;
    assert_eq!(category_label, "送货与安装");
    b.type_in(
        "textarea[name=root_cause]",
        "承运商野蛮装卸，签收时未开箱验货",
    )
    .await;
    save_step(&b).await;
    expect_step(&b, Lang::Zh, (5, 8), T::StepSolution).await;
    w.logged(&b, "solution", "cause", "sm1").await;
    assert_fits(&b, &axe, true, "step 5").await;

    // Step 5: solution and remedy.
    b.type_in("textarea[name=solution]", "更换承运商，签收前开箱验货")
        .await;
    b.type_in("textarea[name=remedy]", "上门换新").await;
    save_step(&b).await;
    b.expect_h1(&format!("{code} · {}", zh(T::KindComplaint)))
        .await;
    b.expect(&format!(
        "//p[normalize-space()='{}']",
        zh(T::SupervisorWait)
    ))
    .await;
    w.logged(&b, "approval", "proposed", "sm1").await;
    assert_fits(&b, &axe, true, "step 6, as the store manager").await;

    // Step 6 is not theirs: no control, and a forged approve from their page is refused.
    assert!(b.absent("button[name=action][value=approve]").await);
    assert!(b.absent("button[name=action][value=send_back]").await);
    let forged = format!(
        "const f = document.querySelector('section#reply form');
         f.action = '/cases/{code}/step';
         const i = document.createElement('input');
         i.type = 'hidden'; i.name = 'action'; i.value = 'approve';
         f.appendChild(i); f.submit();"
    );
    b.js(&forged, vec![]).await;
    b.expect_h1(ErrorTitle::Forbidden.text(Lang::Zh)).await;
    assert_eq!(b.status().await, 403);
    let page = b.text("main").await;
    assert!(page.contains(zh(T::ErrSupervisorOnly)), "{page}");
    w.unchanged("approval").await;

    // The manager sends it back with a reason...
    let m = phone(ZH).await;
    log_in(&m, &base, "mgr").await;
    m.goto(&format!("{base}/cases/{code}")).await;
    expect_step(&m, Lang::Zh, (6, 8), T::StepApproval).await;
    assert_fits(&m, &axe, true, "step 6, as the manager").await;
    let why = "补偿不够：请加上延保";
    m.type_in("textarea[name=back_reason]", why).await;
    m.click("button[name=action][value=send_back]").await;
    expect_step(&m, Lang::Zh, (5, 8), T::StepSolution).await;
    w.logged(&m, "solution", "sent_back", "mgr").await;
    assert_eq!(
        log_of(&app, &code).await.last().unwrap().note.as_deref(),
        Some(why)
    );

    // ...the store manager sees why, and proposes again with the earlier text kept...
    b.goto(&format!("{base}/cases/{code}")).await;
    expect_step(&b, Lang::Zh, (5, 8), T::StepSolution).await;
    assert!(b.text("ol.hist > li:last-child").await.contains(why));
    assert_eq!(
        b.value("textarea[name=solution]").await,
        "更换承运商，签收前开箱验货"
    );
    b.find("textarea[name=remedy]").await.clear().await.unwrap();
    b.type_in("textarea[name=remedy]", "上门换新并赠送两年延保")
        .await;
    b.type_in("input[name=compensation]", "延保两年").await;
    assert_fits(&b, &axe, true, "step 5 again").await;
    save_step(&b).await;
    b.expect(&format!(
        "//p[normalize-space()='{}']",
        zh(T::SupervisorWait)
    ))
    .await;
    w.logged(&b, "approval", "proposed", "sm1").await;

    // ...and the manager approves.
    m.goto(&format!("{base}/cases/{code}")).await;
    expect_step(&m, Lang::Zh, (6, 8), T::StepApproval).await;
    m.type_in("textarea[name=approval_note]", "同意").await;
    m.click("button[name=action][value=approve]").await;
    expect_step(&m, Lang::Zh, (7, 8), T::StepImplement).await;
    w.logged(&m, "implement", "approved", "mgr").await;
    m.close().await;
    let (remedy, approved_by): (String, String) = row(&app, "c.remedy, u.username", &code).await;
    assert_eq!(
        (remedy.as_str(), approved_by.as_str()),
        ("上门换新并赠送两年延保", "mgr")
    );

    // Step 7: implementation, by the store manager.
    b.goto(&format!("{base}/cases/{code}")).await;
    expect_step(&b, Lang::Zh, (7, 8), T::StepImplement).await;
    assert_fits(&b, &axe, true, "step 7").await;
    b.type_in("textarea[name=implementation]", "已上门换新，延保卡已寄出")
        .await;
    save_step(&b).await;
    expect_step(&b, Lang::Zh, (8, 8), T::StepSummary).await;
    w.logged(&b, "summary", "implemented", "sm1").await;
    assert_fits(&b, &axe, true, "step 8").await;

    // Step 8: the customer accepted, resolved.
    let summary = "已为您换新并赠送两年延保，感谢您的耐心。";
    b.type_in("textarea[name=summary]", summary).await;
    choose(&b, "customer_accepted", "yes").await;
    choose(&b, "resolved", "yes").await;
    save_step(&b).await;
    b.wait_for("section#recovery").await;
    w.logged(&b, "closed", "closed", "sm1").await;
    assert!(
        b.absent("section#step").await,
        "a closed case has no step form"
    );
    assert_fits(&b, &axe, true, "the closed case").await;
    let (accepted, resolved, first_reply, closed): (bool, bool, Option<String>, Option<String>) =
        row(
            &app,
            "customer_accepted, resolved, first_reply_at, closed_at",
            &code,
        )
        .await;
    assert!(accepted && resolved && first_reply.is_some() && closed.is_some());
    let log = log_of(&app, &code).await;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "opened",
            "valid",
            "reply",
            "note",
            "assigned",
            "cause",
            "proposed",
            "sent_back",
            "proposed",
            "approved",
            "implemented",
            "closed"
        ]
    );
    let public: Vec<&str> = log
        .iter()
        .filter(|e| e.public)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        public,
        ["opened", "reply", "closed"],
        "what the customer may read"
    );

    // The customer's signed status link, as the case page gives it.
    let key = app.state.intake.case_key(&app.db.write).await.unwrap();
    let tag = manyi::web::case_public::status_tag(key, &code);
    let link = format!("a[href*='/c/{code}?k=']");
    let shown = b.find(&link).await.attr("href").await.unwrap();
    assert!(
        shown.is_some_and(|h| h.ends_with(&format!("/c/{code}?k={tag}"))),
        "the page's status link"
    );
    b.close().await;
    let c = phone(ZH).await;
    c.goto(&format!("{base}/c/{code}?k={tag}")).await;
    c.expect_h1(zh(T::StatusTitle)).await;
    assert_eq!(c.status().await, 200);
    assert_fits(&c, &axe, true, "the customer's status page").await;
    let page = c.text("main").await;
    assert!(page.contains(&code), "{page}");
    assert!(page.contains(zh(T::PublicClosed)), "{page}");
    assert!(page.contains(reply) && page.contains(summary), "{page}");
    for secret in [internal, "13800001234", "承运商野蛮装卸", why] {
        assert!(!page.contains(secret), "{secret:?} reached the customer");
    }
    c.close().await;
}

#[tokio::test]
async fn a_suggestion_and_an_invalid_complaint_close_in_english() {
    let axe = axe_source();
    let app = TestApp::new().await;
    let amy = app.add_user("amy", Role::Manager).await;
    let base = app.spawn().await;
    let b = phone(EN).await;
    log_in(&b, &base, "amy").await;

    // A suggestion by phone: the lighter flow, assign then summary.
    b.goto(&format!("{base}/cases/new")).await;
    b.expect_h1(en(T::NewTitle)).await;
    assert_fits(&b, &axe, false, "the new-case form").await;
    choose(&b, "kind", "suggestion").await;
    choose(&b, "channel", "phone").await;
    choose(&b, "store", "S002").await;
    choose(&b, "priority", "low").await;
    let idea = "Please open at nine on Sundays, not eleven.";
    b.type_in("textarea[name=description]", idea).await;
    record(&b).await;
    expect_step(&b, Lang::En, (1, 2), T::StepAssign).await;
    let mut w = Walk::newest(&app, Lang::En).await;
    let code = w.code.clone();
    assert!(code.starts_with("JY-"), "{code}");
    b.expect_h1(&format!("{code} · {}", en(T::KindSuggestion)))
        .await;
    let steps = b.text("ol.steps").await;
    assert!(
        !steps.contains(en(T::StepValidity)) && !steps.contains(en(T::StepCause)),
        "a suggestion's progress lists only its own steps: {steps}"
    );
    assert_fits(&b, &axe, false, "the suggestion at assign").await;
    choose(&b, "owner", &amy.to_string()).await;
    save_step(&b).await;
    expect_step(&b, Lang::En, (2, 2), T::StepSummary).await;
    w.logged(&b, "summary", "assigned", "amy").await;
    assert_fits(&b, &axe, false, "the suggestion at summary").await;
    b.type_in(
        "textarea[name=summary]",
        "Sunday opening at 9 is on trial from March.",
    )
    .await;
    choose(&b, "resolved", "yes").await;
    save_step(&b).await;
    b.wait_for("section#recovery").await;
    w.logged(&b, "closed", "closed", "amy").await;
    let (store, accepted): (String, Option<bool>) =
        row(&app, "store, customer_accepted", &code).await;
    assert_eq!((store.as_str(), accepted), ("S002", None));
    assert_fits(&b, &axe, false, "the closed suggestion").await;

    // A walk-in complaint judged not valid: refused without its reason, then closed with it.
    b.goto(&format!("{base}/cases/new")).await;
    choose(&b, "store", "S001").await;
    let words = "The mall's music is too loud in the corridor.";
    b.type_in("textarea[name=description]", words).await;
    record(&b).await;
    expect_step(&b, Lang::En, (2, 8), T::StepValidity).await;
    let mut v = Walk::newest(&app, Lang::En).await;
    let invalid = v.code.clone();
    assert_ne!(invalid, code);
    choose(&b, "valid", "no").await;
    save_step(&b).await;
    b.wait_for("p.err#err-reason").await;
    assert_eq!(b.status().await, 422);
    assert_eq!(b.text("p.err#err-reason").await, en(T::ErrReasonEmpty));
    assert_eq!(b.text("p.alert").await, en(T::ErrReasonEmpty));
    expect_step(&b, Lang::En, (2, 8), T::StepValidity).await;
    assert_fits(&b, &axe, false, "the refused verdict").await;
    v.unchanged("validity").await;
    let reason = "The music is the mall's, not the store's: passed to the mall office.";
    choose(&b, "valid", "no").await;
    b.type_in("textarea[name=reason]", reason).await;
    save_step(&b).await;
    b.wait_for("section#recovery").await;
    v.logged(&b, "closed", "invalid", "amy").await;
    let last = log_of(&app, &invalid).await.pop().unwrap();
    assert_eq!((last.note.as_deref(), last.public), (Some(reason), true));
    let (valid, stored_reason, closed): (bool, String, Option<String>) =
        row(&app, "valid, invalid_reason, closed_at", &invalid).await;
    assert!(!valid && closed.is_some());
    assert_eq!(stored_reason, reason);
    assert!(b.text("main").await.contains(en(T::StepClosed)));

    // The due list in English, with one case still open beside the two closed ones.
    b.goto(&format!("{base}/cases/new")).await;
    choose(&b, "store", "S101").await;
    b.type_in(
        "textarea[name=description]",
        "Nobody at the till for ten minutes.",
    )
    .await;
    record(&b).await;
    expect_step(&b, Lang::En, (2, 8), T::StepValidity).await;
    let open = newest_code(&app).await;
    b.goto(&format!("{base}/cases?state=all")).await;
    b.expect_h1(en(T::ListTitle)).await;
    let list = b.text("main").await;
    assert!(
        [&code, &invalid, &open]
            .iter()
            .all(|c| list.contains(c.as_str())),
        "{list}"
    );
    assert!(
        list.contains(en(T::ReplyBy)),
        "the open case's deadline: {list}"
    );
    assert_fits(&b, &axe, false, "the list of all cases").await;
    b.close().await;

    // The customer reads the reason on the status page.
    let key = app.state.intake.case_key(&app.db.write).await.unwrap();
    let tag = manyi::web::case_public::status_tag(key, &invalid);
    let c = phone(EN).await;
    c.goto(&format!("{base}/c/{invalid}?k={tag}")).await;
    c.expect_h1(en(T::StatusTitle)).await;
    assert_fits(&c, &axe, false, "the customer's status page").await;
    let page = c.text("main").await;
    assert!(
        page.contains(en(T::PublicClosed)) && page.contains(reason),
        "{page}"
    );
    c.close().await;
}

/// A case opened by a survey answer at `store`, as tests/cases.rs opens them.
async fn survey_case(app: &TestApp, store: &str, words: &str) -> String {
    let token = app.trusted_token().await;
    let body = json!({
        "store": store, "lang": "zh",
        "answers": { "overall_satisfaction": 1, "recommend": 2, "first_purchase": "no",
                     "complaint": "yes", "complaint_text": words, "complaint_request": "refund" }
    });
    let uri = "/api/v1/forms/post-purchase/responses";
    let (status, res) = app.post_json_as(&token, uri, &body.to_string()).await;
    assert_eq!(status, 201, "{res}");
    newest_code(app).await
}

#[tokio::test]
async fn a_store_manager_opening_another_stores_case_by_url_gets_not_found() {
    let axe = axe_source();
    let app = TestApp::new().await;
    let sm = app.add_user("sm1", Role::StoreManager).await;
    manyi::db::user_stores::set_user_stores(&app.db.write, sm, &["S001".into()])
        .await
        .unwrap();
    let theirs = survey_case(&app, "S001", "收银员找错了零钱").await;
    let other = survey_case(&app, "S002", "西湖店的空调坏了一整天").await;
    let base = app.spawn().await;
    let b = phone(ZH).await;
    log_in(&b, &base, "sm1").await;

    // Their own store's case opens: the refusal below is about the store, not the URL.
    b.goto(&format!("{base}/cases/{theirs}")).await;
    b.expect_h1(&format!("{theirs} · {}", zh(T::KindComplaint)))
        .await;
    assert_eq!(b.status().await, 200);

    b.goto(&format!("{base}/cases/{other}")).await;
    b.expect_h1(ErrorTitle::NotFound.text(Lang::Zh)).await;
    assert_eq!(b.status().await, 404);
    let page = b.text("main").await;
    assert!(page.contains(zh(T::ErrNoCase)), "{page}");
    assert!(
        !page.contains("西湖店的空调") && !page.contains(&other),
        "the case leaks: {page}"
    );
    assert!(b.absent("section#step").await && b.absent("form").await);
    assert_fits(&b, &axe, true, "the not-found page").await;

    // Nor is it on their list, nor can a step be posted to it.
    b.goto(&format!("{base}/cases?state=all")).await;
    b.expect_h1(zh(T::ListTitle)).await;
    let list = b.text("main").await;
    assert!(list.contains(&theirs) && !list.contains(&other), "{list}");
    assert_fits(&b, &axe, true, "the store manager's list").await;
    b.close().await;
    assert_eq!(step_of(&app, &other).await, "validity");
    assert_eq!(log_of(&app, &other).await.len(), 1);
}
