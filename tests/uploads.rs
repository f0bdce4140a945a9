//! Evidence upload caps and damaged photos through a real server: per post, per section, per audit, and each message.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;
use manyi::db::audits::NewAssignment;
use reqwest::multipart::{Form, Part};

/// A JPEG the cleaner reads: JFIF header, a 1×1 frame, a scan, the end.
fn jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    j.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    j.extend([0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    j.extend([
        0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9,
    ]);
    j
}

struct World {
    app: TestApp,
    shopper: Browser,
    audit: i64,
}

/// One assignment for shopper `sam`, created directly; `sam` logged in over a real socket.
async fn world() -> World {
    let app = TestApp::new().await;
    let mia = app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let audit = manyi::db::audits::create(
        &app.db.write,
        NewAssignment {
            shopper_id: sam,
            store_code: "S001",
            checklist_id: "store-audit",
            window_from: "2026-01-01",
            window_to: "2099-12-31",
            scenario: None,
            created_by: mia,
        },
    )
    .await
    .unwrap();
    let base = app.spawn().await;
    let shopper = Browser::logged_in_speaking(&base, "sam", "zh-CN,zh;q=0.9").await;
    World {
        app,
        shopper,
        audit,
    }
}

impl World {
    /// Posts audit page `page` in `lang` (the checklist's and the reader's, as a page opened
    /// with `?lang=`) with `nav` and these files as `evidence`.
    async fn post(
        &self,
        page: usize,
        lang: &str,
        nav: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> (u16, String) {
        let token = self.shopper.csrf("/audits").await;
        let mut form = Form::new()
            .text("_csrf", token)
            .text("_page", page.to_string())
            .text("_lang", lang.to_owned())
            .text("_nav", nav.to_owned());
        for (name, bytes) in files {
            form = form.part("evidence", Part::bytes(bytes).file_name(name));
        }
        let res = self
            .shopper
            .http
            // The page was opened in `lang` (`?lang=`), so its messages are in it too.
            .post(format!(
                "{}/audits/{}?lang={lang}",
                self.shopper.base, self.audit
            ))
            .multipart(form)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    async fn count(&self, section: &str) -> i64 {
        sqlx::query_scalar(
            "select count(*) from evidence where audit_id = ? and (? = '' or section = ?)",
        )
        .bind(self.audit)
        .bind(section)
        .bind(section)
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }

    /// Photos stored before, straight into the table: `n` of `size` bytes each, one per section.
    async fn stored_before(&self, n: usize, size: i64) {
        for i in 0..n {
            sqlx::query(
                "insert into evidence (audit_id, section, content_type, size, bytes, uploaded_at)
                 values (?, ?, 'image/jpeg', ?, zeroblob(?), '2026-11-20T10:00:00Z')",
            )
            .bind(self.audit)
            .bind(format!("earlier-{i}"))
            .bind(size)
            .bind(size)
            .execute(&self.app.pool)
            .await
            .unwrap();
        }
    }
}

fn photos(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names.iter().map(|n| ((*n).to_owned(), jpeg())).collect()
}

#[tokio::test]
async fn a_post_with_three_photos_stores_two_and_names_the_third_in_the_pages_language() {
    let w = world().await;
    let (status, page) = w
        .post(0, "en", "next", photos(&["a.jpg", "b.jpg", "c.jpg"]))
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not saved: c.jpg. Send at most 2 photos at a time."),
        "{page}"
    );
    assert_eq!(w.count("visit").await, 2);
    let (status, page) = w
        .post(0, "zh", "next", photos(&["d.jpg", "e.jpg", "f.jpg"]))
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("未保存：f.jpg。每次最多上传 2 张照片。"),
        "{page}"
    );
    assert_eq!(w.count("visit").await, 4);
}

#[tokio::test]
async fn a_section_holds_five_photos_and_a_removal_makes_room_in_the_same_post() {
    let w = world().await;
    for pair in [["a.jpg", "b.jpg"], ["c.jpg", "d.jpg"]] {
        assert_eq!(w.post(1, "en", "next", photos(&pair)).await.0, 200);
    }
    let (status, page) = w.post(1, "en", "next", photos(&["e.jpg", "f.jpg"])).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not saved: f.jpg. This section already has 5 photos, the most allowed; remove one to add another."),
        "{page}"
    );
    assert_eq!(w.count("greeting").await, 5);
    // Another section has its own five.
    assert_eq!(w.post(2, "en", "next", photos(&["g.jpg"])).await.0, 200);
    // Remove one and add one in a single post: the removal goes first.
    let first: i64 = sqlx::query_scalar("select min(id) from evidence where section = 'greeting'")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    let (status, page) = w
        .post(1, "en", &format!("delete-{first}"), photos(&["h.jpg"]))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(w.count("greeting").await, 5);
}

#[tokio::test]
async fn an_audit_holds_thirty_photos() {
    let w = world().await;
    w.stored_before(29, 1000).await;
    let (status, page) = w
        .post(0, "en", "next", photos(&["last.jpg", "over.jpg"]))
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not saved: over.jpg. This audit already has 30 photos, the most allowed."),
        "{page}"
    );
    assert_eq!(w.count("").await, 30);
    let (_, page) = w.post(0, "zh", "next", photos(&["more.jpg"])).await;
    assert!(
        page.contains("未保存：more.jpg。本次检查已有 30 张照片，已达上限。"),
        "{page}"
    );
}

#[tokio::test]
async fn an_audit_holds_sixty_megabytes_of_photos() {
    let w = world().await;
    let mb = 1024 * 1024;
    // 11 photos of 5 MB and one just under: 60 MB less 1,000 bytes.
    w.stored_before(11, 5 * mb).await;
    sqlx::query(
        "insert into evidence (audit_id, section, content_type, size, bytes, uploaded_at)
         values (?, 'earlier-last', 'image/jpeg', ?, zeroblob(?), '2026-11-20T10:00:00Z')",
    )
    .bind(w.audit)
    .bind(5 * mb - 1000)
    .bind(5 * mb - 1000)
    .execute(&w.app.pool)
    .await
    .unwrap();
    let mut big = jpeg();
    big.splice(
        2..2,
        [0xFF, 0xFE, 0x04, 0x00].into_iter().chain([b'x'; 1022]),
    );
    let (status, page) = w.post(0, "en", "next", vec![("big.jpg".into(), big)]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not saved: big.jpg. The photos of this audit would exceed 60 MB in all."),
        "{page}"
    );
    // A small one still fits.
    assert_eq!(w.post(0, "en", "next", photos(&["small.jpg"])).await.0, 200);
    assert_eq!(w.count("visit").await, 1);
}

#[tokio::test]
async fn hundreds_of_parts_store_nothing_beyond_the_cap() {
    let w = world().await;
    // 500 tiny photos in one 20 KB post: refused unread, nothing stored.
    let many: Vec<String> = (0..500).map(|i| format!("p{i}.jpg")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    let (status, page) = w.post(0, "en", "next", photos(&names)).await;
    assert_eq!(status, 413);
    assert!(
        page.contains("Nothing was saved: the form sent more than 400 parts."),
        "{page}"
    );
    assert_eq!(w.count("").await, 0);
    // 300 are read, two kept, the rest named.
    let (status, page) = w.post(0, "en", "next", photos(&names[..300])).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Not saved: p2.jpg, p3.jpg, p4.jpg, p5.jpg, p6.jpg, and 293 more. Send at most 2 photos at a time."),
        "{page}"
    );
    assert_eq!(w.count("").await, 2);
}

#[tokio::test]
async fn a_post_over_its_byte_budget_is_refused_unread() {
    let w = world().await;
    let mut big = jpeg();
    big.resize(4 * 1024 * 1024, 0);
    let files = vec![
        ("1.jpg".into(), big.clone()),
        ("2.jpg".into(), big.clone()),
        ("3.jpg".into(), big),
    ];
    let (status, page) = w.post(0, "en", "next", files.clone()).await;
    assert_eq!(status, 413);
    assert!(page.contains("Nothing was saved: this page sent too much. Send at most 2 photos of 5 MB each at a time."), "{page}");
    let (status, page) = w.post(0, "zh", "next", files).await;
    assert_eq!(status, 413);
    assert!(
        page.contains("本页未保存：一次提交的数据过多。每次最多上传 2 张照片，每张不超过 5 MB。"),
        "{page}"
    );
    assert_eq!(w.count("").await, 0);
}

/// The 22-byte "JPEG": a JFIF header and an end marker, no picture.
const BROKEN_22: [u8; 22] = [
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

#[tokio::test]
async fn a_damaged_photo_gets_400_with_a_message_and_the_server_keeps_answering() {
    let w = world().await;
    // A segment length of 0, which used to panic the handler and drop the connection.
    let zero_length = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00, 0xFF, 0xD9];
    // An EXIF block whose first directory points far past its end.
    let mut garbled = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10];
    garbled.extend(b"Exif\0\0II\x2a\0\xff\xff\xff\x7f");
    garbled.extend(&jpeg()[2..]);
    for (name, bytes) in [
        ("broken.jpg", BROKEN_22.to_vec()),
        ("zero.jpg", zero_length),
        ("exif.jpg", garbled),
    ] {
        let (status, page) = w.post(0, "en", "next", vec![(name.into(), bytes)]).await;
        assert_eq!(status, 400, "{name}");
        let message = format!(
            "Not saved: {name}. The photo could not be read (the file is damaged or cut short); take or export it again."
        );
        assert!(page.contains(&message), "{name}: {page}");
    }
    let (status, page) = w
        .post(
            0,
            "zh",
            "next",
            vec![("bad.jpg".into(), BROKEN_22.to_vec())],
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        page.contains(
            "未保存：bad.jpg。无法读取这张照片（文件已损坏或不完整），请重新拍摄或导出。"
        ),
        "{page}"
    );
    assert_eq!(w.count("").await, 0);
    // A good photo alongside a damaged one is still stored.
    let files = vec![
        ("ok.jpg".into(), jpeg()),
        ("broken.jpg".into(), BROKEN_22.to_vec()),
    ];
    assert_eq!(w.post(0, "en", "next", files).await.0, 400);
    assert_eq!(w.count("visit").await, 1);
}

#[tokio::test]
async fn what_the_caps_do_not_count_is_bounded_too() {
    let w = world().await;
    let junk = vec![b'a'; 11 * 1024 * 1024];
    // A part header that never ends, and a preamble before the first boundary: the
    // parser would buffer either for ever; the body's ceiling cuts both off.
    let endless_header = [
        &b"--B\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Junk: "[..],
        &junk,
    ]
    .concat();
    let preamble = [&junk[..], b"\r\n--B--\r\n"].concat();
    for body in [endless_header, preamble] {
        let res = w
            .shopper
            .http
            .post(format!("{}/audits/{}", w.shopper.base, w.audit))
            .header("content-type", "multipart/form-data; boundary=B")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        let page = res.text().await.unwrap();
        assert!(page.contains("本页未保存：一次提交的数据过多。"), "{page}");
    }
    assert_eq!(w.count("").await, 0);
}
