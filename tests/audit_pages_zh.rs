//! The audit pages in Chinese, on a phone's terms: lists with filters and pages, the checklist form's chrome, the review page and its refusals.

mod common;

use std::collections::HashMap;

use common::{Browser, TestApp};
use manyi::answers::{Scope, check};
use manyi::audits::Status;
use manyi::auth::Role;
use manyi::db::audits::{NewAssignment, Submission};

const ZH: &str = "zh-CN,zh;q=0.9";

struct World {
    app: TestApp,
    base: String,
    mia: i64,
    sam: i64,
    zoe: i64,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let mia = app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let zoe = app.add_user("zoe", Role::Shopper).await;
    let base = app.spawn().await;
    World {
        app,
        base,
        mia,
        sam,
        zoe,
    }
}

impl World {
    /// An assignment straight into the database, as the assignment route stores it.
    async fn assign(&self, shopper: i64, store: &str, from: &str, to: &str) -> i64 {
        manyi::db::audits::create(
            &self.app.db.write,
            NewAssignment {
                shopper_id: shopper,
                store_code: store,
                checklist_id: "store-audit",
                window_from: from,
                window_to: to,
                scenario: Some("问一台适合四口之家的洗衣机"),
                created_by: self.mia,
            },
        )
        .await
        .unwrap()
    }

    async fn set(&self, id: i64, sql: &str) {
        sqlx::query(&format!("update audit set {sql} where id = ?"))
            .bind(id)
            .execute(&self.app.pool)
            .await
            .unwrap();
    }

    /// Checks, scores and stores a full set of answers, as a shopper's submit does.
    async fn submit(&self, id: i64, changes: &[(&str, &str)], visit_date: &str) {
        let survey = self.app.state.catalog.get("store-audit").unwrap().clone();
        let mut raw: HashMap<String, Vec<String>> = HashMap::new();
        for section in ANSWERS {
            for (k, v) in section {
                raw.insert((*k).into(), vec![(*v).into()]);
            }
        }
        for (k, v) in changes {
            raw.insert((*k).into(), vec![(*v).into()]);
        }
        let checked = check(&survey, &raw, Scope::All, manyi::i18n::Lang::Zh);
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        let score = manyi::scoring::score(&survey, &checked.answers);
        let comments = vec![("price_matched".to_owned(), "收银价高于标价".to_owned())];
        manyi::db::audits::submit(
            &self.app.db.write,
            id,
            self.sam,
            Status::InProgress,
            Submission {
                survey: &survey,
                answers: &checked.answers,
                comments: &comments,
                score: &score,
                visit: (visit_date, "10:00", "10:40"),
                flags: &["The visit lasted 3 minute(s), under the 5 expected.".to_owned()],
            },
        )
        .await
        .unwrap();
    }
}

/// Every section passing; the farewell's bonus item earned.
const ANSWERS: [&[(&str, &str)]; 6] = [
    &[
        ("seconds_to_greet", "20"),
        ("greet_smile", "yes"),
        ("staff_uniform", "yes"),
    ],
    &[
        ("entrance_clean", "yes"),
        ("shelves_stocked", "yes"),
        ("price_tags", "yes"),
        ("restroom_clean", "na"),
    ],
    &[
        ("product_answers", "expert"),
        ("explained_energy", "yes"),
        ("confidence", "5"),
    ],
    &[
        ("asked_needs", "yes"),
        ("suitable_offer", "yes"),
        ("no_pressure", "yes"),
    ],
    &[
        ("minutes_waiting", "3"),
        ("price_matched", "yes"),
        ("receipt_given", "yes"),
    ],
    &[
        ("thanked", "yes"),
        ("aftercare_explained", "yes"),
        ("follow_up_offered", "yes"),
    ],
];

/// The text inside each `<tag …>…</tag>` of the page, tags stripped, with the opening
/// tag's attributes. Enough for our own markup (no nesting of the same tag).
fn elements<'a>(page: &'a str, tag: &str) -> Vec<(&'a str, String)> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<th` must not match `<thead`.
        if !after.starts_with([' ', '>']) {
            rest = after;
            continue;
        }
        let Some(attrs_end) = after.find('>') else {
            break;
        };
        let attrs = &after[..attrs_end];
        let body = &after[attrs_end + 1..];
        let end = body.find(&close).unwrap_or(0);
        found.push((attrs, strip_tags(&body[..end])));
        rest = &body[end..];
    }
    found
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Latin words in a text, other than names we show as they are (usernames, store codes,
/// the brand, units).
fn english_words(text: &str) -> Vec<String> {
    const NAMES: [&str; 9] = ["manyi", "mia", "sam", "zoe", "KB", "MB", "HH", "MM", "West"];
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .filter(|w| !NAMES.contains(w))
        .filter(|w| *w != "Lake" && *w != "Tianhe")
        .map(str::to_owned)
        .collect()
}

/// No English in the page's headings, nav, table headers, buttons, labels and tags. The
/// language switch (marked `lang="en"`) names English in English on purpose.
fn assert_chinese_chrome(page: &str, what: &str) {
    for tag in ["h1", "h2", "th", "button", "label", "summary", "nav", "a"] {
        for (attrs, text) in elements(page, tag) {
            let text = text.replace("English", "");
            if attrs.contains("lang=\"en\"") {
                continue;
            }
            let words = english_words(&text);
            assert!(
                words.is_empty(),
                "{what}: <{tag}{attrs}> has English {words:?}: {text}"
            );
        }
    }
    for (attrs, text) in elements(page, "span") {
        if attrs.contains("class=\"tag") {
            assert!(english_words(&text).is_empty(), "{what}: tag {text}");
        }
    }
}

/// Every cell of every `table.cards` says which column it is.
fn assert_cards(page: &str, what: &str) {
    assert!(
        page.contains(r#"<table class="cards""#),
        "{what}: no cards table"
    );
    for (attrs, _) in elements(page, "td") {
        assert!(
            attrs.contains("data-label="),
            "{what}: td without data-label"
        );
    }
}

/// The rows of the page's audit list.
fn rows(page: &str) -> usize {
    let Some(body) = page.split("<tbody>").nth(1) else {
        return 0;
    };
    body.split("</tbody>")
        .next()
        .unwrap_or("")
        .matches("<tr>")
        .count()
}

/// Where the page's own content starts: after the nav bar (which has its own small forms).
fn content(page: &str) -> &str {
    page.split_once("</nav>").map_or(page, |(_, c)| c)
}

#[tokio::test]
async fn the_lists_and_the_assignment_form_are_in_chinese_and_fold_into_cards() {
    let w = world().await;
    let done = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    w.submit(done, &[], "2026-11-20").await;
    w.assign(w.sam, "S002", "2026-01-01", "2099-12-31").await;

    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    let (status, list) = mia.get_text("/audits").await;
    assert_eq!(status, 200);
    assert!(list.contains("<h1>巡店审核</h1>"), "{list}");
    assert_chinese_chrome(&list, "/audits (manager)");
    assert_cards(&list, "/audits (manager)");
    for words in ["已提交，待审核", "已分配", "审核", "共 2 条", "100.0%"] {
        assert!(list.contains(words), "the list lacks {words}");
    }
    // The Review link and the score sit in labelled cells, not off-screen columns.
    assert!(list.contains(r#"<td data-label="得分">"#));
    assert!(list.contains(&format!(r#"href="/audits/{done}/review""#)));

    let (status, form) = mia.get_text("/assignments/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("<h1>新建任务</h1>"));
    assert!(form.contains("创建任务") && form.contains("最晚到店日期"));
    assert_chinese_chrome(&form, "/assignments/new");

    let sam = Browser::logged_in_speaking(&w.base, "sam", ZH).await;
    let (_, mine) = sam.get_text("/audits").await;
    assert!(mine.contains("<h1>我的任务</h1>"));
    assert_chinese_chrome(&mine, "/audits (shopper)");
    assert_cards(&mine, "/audits (shopper)");
    assert!(mine.contains(">开始<") && mine.contains(">待完成<"));
    assert!(mine.contains("2026年1月1日 – 2099年12月31日"));
}

#[tokio::test]
async fn the_checklist_form_speaks_the_readers_language_and_its_buttons_keep_their_words() {
    let w = world().await;
    let id = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    let sam = Browser::logged_in_speaking(&w.base, "sam", ZH).await;
    let (status, visit) = sam.get_text(&format!("/audits/{id}")).await;
    assert_eq!(status, 200);
    assert!(visit.contains(r#"<html lang="zh-CN">"#));
    assert!(visit.contains("到店信息") && visit.contains("进店时间") && visit.contains("小票照片"));
    assert!(visit.contains("第 1 页，共 7 页"));
    assert!(visit.contains("情景：问一台适合四口之家的洗衣机"));
    assert_chinese_chrome(&visit, "visit page");

    let (_, last) = sam.get_text(&format!("/audits/{id}?page=6")).await;
    assert_chinese_chrome(&last, "last page");
    let submit = elements(&last, "button")
        .into_iter()
        .find(|(_, t)| t == "提交")
        .expect("a submit button");
    assert!(
        submit.0.contains("white-space:nowrap"),
        "提交 must not wrap: {}",
        submit.0
    );
    assert!(last.contains("备注（未达标时必填）"));

    // An English reader of the same checklist: chrome and content in English, and a
    // post from that page answers in English too.
    let (_, en) = sam.get_text(&format!("/audits/{id}?lang=en")).await;
    assert!(en.contains(r#"<html lang="en">"#));
    assert!(en.contains("Time in") && en.contains("Save, finish later"));
    assert!(en.contains(&format!(r#"action="/audits/{id}?lang=en""#)));
}

#[tokio::test]
async fn lists_show_fifty_a_page_with_the_count_and_a_shopper_sees_only_their_own() {
    let w = world().await;
    for i in 0..120 {
        let store = if i % 2 == 0 { "S001" } else { "S002" };
        w.assign(w.sam, store, "2026-01-01", "2099-12-31").await;
    }
    for _ in 0..3 {
        w.assign(w.zoe, "S101", "2026-01-01", "2099-12-31").await;
    }
    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    let (_, first) = mia.get_text("/audits").await;
    assert_eq!(rows(&first), 50);
    assert!(first.contains("共 123 条") && first.contains("第 1 页 / 3"));
    assert!(first.contains(r#"href="/audits?page=2""#));
    let (_, second) = mia.get_text("/audits?page=2").await;
    assert_eq!(rows(&second), 50);
    assert!(second.contains(r#"href="/audits?page=3""#) && second.contains("上一页"));
    let (_, third) = mia.get_text("/audits?page=3").await;
    assert_eq!(rows(&third), 23);
    // Past the end: the last page.
    let (_, past) = mia.get_text("/audits?page=99").await;
    assert_eq!(rows(&past), 23);

    // Filters stay on the pager's links.
    let (_, s002) = mia.get_text("/audits?store=S002").await;
    assert!(s002.contains("共 60 条"));
    assert!(s002.contains(r#"href="/audits?store=S002&amp;page=2""#));
    let (_, s002_2) = mia.get_text("/audits?store=S002&page=2").await;
    assert_eq!(rows(&s002_2), 10);

    let zoe = Browser::logged_in_speaking(&w.base, "zoe", ZH).await;
    let (_, mine) = zoe.get_text("/audits").await;
    assert_eq!(rows(&mine), 3);
    assert!(mine.contains("共 3 条") && !mine.contains("S001"));
    let (_, theirs) = zoe.get_text("/audits?store=S001").await;
    assert_eq!(rows(&theirs), 0);
    assert!(theirs.contains("共 0 条") && theirs.contains("没有符合条件的记录。"));
}

#[tokio::test]
async fn filters_narrow_by_store_status_and_visit_or_due_date() {
    let w = world().await;
    // Visited 2026-11-10 (window to 2026-11-30), approved.
    let a = w.assign(w.sam, "S001", "2026-11-01", "2026-11-30").await;
    w.submit(a, &[], "2026-11-10").await;
    w.set(a, "status = 'approved'").await;
    // Not visited yet, due 2026-12-15.
    let b = w.assign(w.sam, "S002", "2026-12-01", "2026-12-15").await;
    // Not visited yet, due 2027-01-31.
    let c = w.assign(w.zoe, "S002", "2027-01-01", "2027-01-31").await;

    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    let count = |page: &str| rows(page);
    let has = |page: &str, id: i64| page.contains(&format!("href=\"/audits/{id}"));
    let (_, p) = mia.get_text("/audits?store=S002").await;
    assert_eq!(count(&p), 2);
    assert!(has(&p, b) && has(&p, c) && !has(&p, a));
    let (_, p) = mia.get_text("/audits?status=approved").await;
    assert_eq!(count(&p), 1);
    assert!(has(&p, a) && p.contains("共 1 条"));
    let (_, p) = mia.get_text("/audits?status=assigned&store=S002").await;
    assert_eq!(count(&p), 2);
    // The visit date counts for a visited audit (10 Nov, not its window's 30 Nov).
    let (_, p) = mia.get_text("/audits?from=2026-11-01&to=2026-11-15").await;
    assert_eq!(count(&p), 1);
    assert!(has(&p, a));
    // Before a visit, the last day of the window.
    let (_, p) = mia.get_text("/audits?from=2026-12-01&to=2026-12-31").await;
    assert_eq!(count(&p), 1);
    assert!(has(&p, b));
    let (_, p) = mia.get_text("/audits?from=2026-12-01").await;
    assert_eq!(count(&p), 2);
    let (_, p) = mia.get_text("/audits?to=2026-12-31").await;
    assert_eq!(count(&p), 2);
    // The form keeps what was chosen, with a way back to everything.
    let (_, p) = mia.get_text("/audits?store=S002&from=2026-12-01").await;
    assert!(p.contains(r#"<option value="S002" selected>"#));
    assert!(p.contains(r#"value="2026-12-01""#) && p.contains("清除筛选"));
    // Blank fields are no filter.
    let (_, p) = mia.get_text("/audits?store=&status=&from=&to=").await;
    assert_eq!(count(&p), 3);
}

#[tokio::test]
async fn bad_filter_values_answer_400_in_the_readers_language() {
    let w = world().await;
    w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    for (query, message) in [
        ("status=bogus", "请从列表中选择状态。"),
        ("from=2026-13-01", "请按 年-月-日 输入日期"),
        ("to=yesterday", "请按 年-月-日 输入日期"),
        (
            "from=2026-12-10&to=2026-12-01",
            "截止日期不能早于起始日期。",
        ),
    ] {
        let (status, page) = mia.get_text(&format!("/audits?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(page.contains(message), "{query}: {page}");
        let alert = page.find("role=\"alert\"").expect("an alert");
        let form = content(&page)
            .find("<form")
            .map(|i| i + page.len() - content(&page).len());
        assert!(
            Some(alert) < form,
            "{query}: the alert comes before the filter form"
        );
        assert_eq!(rows(&page), 0, "{query}: no list under a bad filter");
    }
    let en = Browser::logged_in(&w.base, "mia").await;
    let (status, page) = en.get_text("/audits?status=bogus").await;
    assert_eq!(status, 400);
    assert!(page.contains("Choose a status from the list."));
}

#[tokio::test]
async fn due_and_overdue_work_comes_first_then_the_newest() {
    let w = world().await;
    let approved = w.assign(w.sam, "S001", "2025-01-01", "2025-01-31").await;
    w.submit(approved, &[], "2025-01-10").await;
    w.set(approved, "status = 'approved'").await;
    let upcoming = w.assign(w.sam, "S001", "2099-01-01", "2099-06-30").await;
    let due = w.assign(w.sam, "S001", "2020-01-01", "2099-12-31").await;
    let overdue = w.assign(w.sam, "S001", "2020-01-01", "2020-01-31").await;
    let revision = w.assign(w.sam, "S001", "2020-02-01", "2020-02-28").await;
    w.set(revision, "status = 'revision_requested'").await;

    let expected = [overdue, revision, due, upcoming, approved];
    for who in ["sam", "mia"] {
        let b = Browser::logged_in_speaking(&w.base, who, ZH).await;
        let (_, page) = b.get_text("/audits").await;
        let at: Vec<usize> = expected
            .iter()
            .map(|id| {
                page.find(&format!("href=\"/audits/{id}"))
                    .unwrap_or_else(|| panic!("{who}: audit {id} missing"))
            })
            .collect();
        assert!(at.windows(2).all(|p| p[0] < p[1]), "{who}: order {at:?}");
        if who == "sam" {
            assert!(page.contains(">已逾期<") && page.contains(">需要修改<"));
            assert!(page.contains(">未开始<") && page.contains(">已完成<"));
        }
    }
}

#[tokio::test]
async fn the_review_page_follows_the_checklist_with_labels_bonus_and_knock_out_scope() {
    let w = world().await;
    let both = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    // The price did not match (a visit knock-out) and the shopper was pushed (a section one).
    w.submit(
        both,
        &[("price_matched", "no"), ("no_pressure", "no")],
        "2026-11-20",
    )
    .await;
    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    let (status, page) = mia.get_text(&format!("/audits/{both}/review")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>审核：门店神秘顾客检查</h1>"), "{page}");
    assert_chinese_chrome(&page, "review");
    assert_cards(&page, "review");
    // Sections in the checklist's order, not alphabetical (appearance < checkout < farewell …).
    let order = ["迎接", "店面形象", "产品知识", "需求了解", "收银", "送别"];
    let summary = page.split("</table>").next().unwrap();
    let at: Vec<usize> = order
        .iter()
        .map(|s| {
            summary
                .find(&format!(">{s}<"))
                .unwrap_or_else(|| panic!("{s}"))
        })
        .collect();
    assert!(at.windows(2).all(|p| p[0] < p[1]), "section order {at:?}");
    // Answers as their labels, in Chinese.
    let answers: Vec<String> = elements(&page, "td")
        .into_iter()
        .filter(|(a, _)| a.contains("data-label=\"回答\""))
        .map(|(_, t)| t)
        .collect();
    assert!(answers.iter().any(|a| a == "是") && answers.iter().any(|a| a == "否"));
    assert!(answers.iter().any(|a| a == "清楚准确，并能比较不同型号"));
    assert!(answers.iter().any(|a| a == "不适用"));
    assert!(
        !answers
            .iter()
            .any(|a| ["yes", "no", "na", "expert"].contains(&a.as_str()))
    );
    // The bonus as "+1", and no "1.00 / 0.00".
    assert!(
        page.contains("+1 <span class=\"tag\">加分项</span>"),
        "bonus"
    );
    assert!(!content(&page).contains("1.00") && !content(&page).contains("0.00"));
    assert!(page.contains(">2 / 2<"));
    // The knock-outs by scope: the whole visit in the heading, the section on its row, and
    // each failed critical item marked with its scope.
    let h2 = elements(&page, "h2")
        .into_iter()
        .find(|(_, t)| t.starts_with("得分："))
        .unwrap()
        .1;
    assert!(
        h2.contains("0.0%") && h2.contains("一票否决：整次巡店记 0 分"),
        "{h2}"
    );
    assert!(page.contains("一票否决：本部分记 0 分"));
    assert!(
        page.contains(r#"<span class="tag critical flag" lang="zh">关键项（整次巡店）</span>"#)
    );
    assert!(page.contains(r#"<span class="tag critical flag" lang="zh">关键项（本部分）</span>"#));
    assert!(page.contains("到店仅 3 分钟，少于预期的 5 分钟。"));
    assert!(page.contains("退回修改") && page.contains("驳回") && page.contains("通过"));

    // A section knock-out alone names the section, not the visit.
    let section = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    w.submit(section, &[("no_pressure", "no")], "2026-11-20")
        .await;
    let (_, page) = mia.get_text(&format!("/audits/{section}/review")).await;
    let h2 = elements(&page, "h2")
        .into_iter()
        .find(|(_, t)| t.starts_with("得分："))
        .unwrap()
        .1;
    assert!(
        h2.contains("80.0%") && h2.contains("一票否决：有部分记 0 分"),
        "{h2}"
    );
    assert!(!page.contains("一票否决：整次巡店记 0 分"));
    // A passed critical item is still shown as critical, without the failure colour.
    assert!(page.contains(r#"<span class="tag critical" lang="zh">关键项（整次巡店）</span>"#));
}

#[tokio::test]
async fn refused_decisions_and_assignments_show_their_message_at_the_top() {
    let w = world().await;
    let id = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    w.submit(id, &[], "2026-11-20").await;
    let mia = Browser::logged_in_speaking(&w.base, "mia", ZH).await;
    let path = format!("/audits/{id}/review");
    let alert_first = |page: &str, message: &str| {
        let c = content(page);
        let alert = c.find("role=\"alert\"").expect("an alert");
        let form = c.find("<form").expect("a form");
        assert!(alert < form, "the message comes before the first form");
        assert!(
            c[alert..form].contains(message),
            "{message}: {}",
            &c[alert..form]
        );
    };

    // Send back without a reason: refused, the message on top and beside the field.
    let res = mia
        .post_with_csrf(&path, &path, &[("action", "revise"), ("reason", "  ")])
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    alert_first(&page, "审核决定未记录：请填写原因");
    assert!(page.contains(r#"<p class="err" id="err-reason">请填写原因"#));
    // An unknown action, then an action the status does not allow.
    let res = mia
        .post_with_csrf(&path, &path, &[("action", "archive"), ("reason", "x")])
        .await;
    assert_eq!(res.status(), 400);
    alert_first(&res.text().await.unwrap(), "请从页面上的按钮中选择");
    let res = mia
        .post_with_csrf(&path, &path, &[("action", "include"), ("reason", "x")])
        .await;
    assert_eq!(res.status(), 400);
    alert_first(&res.text().await.unwrap(), "只有已通过的巡店");

    // Approving works; the notice is on top of the page it lands on.
    let res = mia
        .post_with_csrf(&path, &path, &[("action", "approve"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = mia.get_text(&to).await;
    let c = content(&page);
    let notice = c.find("审核决定已记录。").expect("a notice");
    assert!(notice < c.find("<form").unwrap_or(usize::MAX));
    assert!(page.contains("已通过"));
    // Approving twice: refused at the top.
    let res = mia
        .post_with_csrf(&path, &path, &[("action", "approve"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 400);
    alert_first(&res.text().await.unwrap(), "只有已提交的巡店");

    // A refused assignment: the summary on top, each message beside its field, in Chinese.
    let res = mia
        .post_with_csrf(
            "/assignments/new",
            "/assignments",
            &[
                ("shopper", ""),
                ("store", "NOPE"),
                ("checklist", "store-audit"),
                ("window_from", "2026-12-10"),
                ("window_to", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    alert_first(&page, "任务未创建");
    for message in [
        "请选择一位在用的神秘顾客。",
        "请从门店登记中选择门店。",
        "期限的最后一天不能早于第一天。",
    ] {
        assert!(page.contains(message), "{message}");
    }
    // A created one lands on the list with its notice on top.
    let res = mia
        .post_with_csrf(
            "/assignments/new",
            "/assignments",
            &[
                ("shopper", &w.sam.to_string()),
                ("store", "S002"),
                ("checklist", "store-audit"),
                ("window_from", "2026-12-01"),
                ("window_to", "2026-12-10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = mia.get_text("/audits?done=assigned").await;
    let c = content(&page);
    assert!(c.find("任务已创建。").unwrap() < c.find("<form").unwrap());
}

#[tokio::test]
async fn a_shopper_still_cannot_see_another_shoppers_audit() {
    let w = world().await;
    let id = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    let done = w.assign(w.sam, "S001", "2026-01-01", "2099-12-31").await;
    w.submit(done, &[], "2026-11-20").await;
    let zoe = Browser::logged_in_speaking(&w.base, "zoe", ZH).await;
    for path in [format!("/audits/{id}"), format!("/audits/{done}")] {
        let (status, page) = zoe.get_text(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains("找不到该页面"), "{page}");
    }
    assert_eq!(
        zoe.get(&format!("/audits/{done}/review")).await.status(),
        403
    );
    for query in ["", "?store=S001", "?status=submitted", "?from=2026-01-01"] {
        let (status, page) = zoe.get_text(&format!("/audits{query}")).await;
        assert_eq!(status, 200);
        assert_eq!(rows(&page), 0, "{query}");
        assert!(
            page.contains("共 0 条") || page.contains("您目前没有任务。"),
            "{query}"
        );
        assert!(!page.contains("南京路店"), "{query}");
    }
}

#[test]
#[should_panic(expected = "has English")]
fn the_chinese_check_catches_an_english_word() {
    assert_chinese_chrome(
        "<nav><a href=\"/\">巡店</a></nav><h2>得分 Score</h2>",
        "sample",
    );
}

#[test]
fn the_element_reader_finds_cells_and_skips_longer_tags() {
    let cells = elements(
        "<thead><th>门店</th></thead><td data-label=\"x\"><span>是</span></td>",
        "th",
    );
    assert_eq!(cells, vec![("", "门店".to_owned())]);
    let cells = elements("<td data-label=\"x\"><span>是</span></td>", "td");
    assert_eq!(cells, vec![(" data-label=\"x\"", "是".to_owned())]);
}

/// Posts one page of the checklist form as the browser would.
async fn post_page(b: &Browser, id: i64, fields: &[(&str, &str)]) -> (u16, String) {
    let token = b.csrf("/audits").await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = b
        .http
        .post(format!("{}/audits/{id}", b.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_forms_messages_follow_the_reader_and_sit_beside_their_fields() {
    let w = world().await;
    let id = w.assign(w.sam, "S001", "2026-11-01", "2026-11-07").await;
    let visit = [
        ("_page", "0"),
        ("_nav", "next"),
        ("visit_date", "2026-11-20"),
        ("time_in", "11:00"),
        ("time_out", "10:00"),
    ];
    let submit = [("_page", "6"), ("_nav", "submit"), ("thanked", "yes")];
    for (accept, messages) in [
        (
            "en-GB,en;q=0.9",
            [
                "The visit must fall inside the window, 1 Nov 2026 to 7 Nov 2026.",
                "The time out must be after the time in.",
                "Please check the entries marked below.",
            ],
        ),
        (
            ZH,
            [
                "到店日期必须在期限内：2026年11月1日 至 2026年11月7日。",
                "离店时间必须晚于进店时间。",
                "请检查下面标出的问题。",
            ],
        ),
    ] {
        let b = Browser::logged_in_speaking(&w.base, "sam", accept).await;
        assert_eq!(post_page(&b, id, &visit).await.0, 200);
        let (status, page) = post_page(&b, id, &submit).await;
        assert_eq!(status, 422, "{accept}");
        for m in messages {
            assert!(page.contains(m), "{accept}: {m}");
        }
        // The summary on top, the message beside its field.
        let c = content(&page);
        assert!(c.find("role=\"alert\"").unwrap() < c.find("<form").unwrap());
        assert!(page.contains(r#"<p class="err" id="err-time_out">"#));
        assert!(page.contains(r#"aria-describedby="err-time_out""#));
    }
}
