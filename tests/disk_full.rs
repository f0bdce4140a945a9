//! The real binary on a full disk: a small tmpfs filled to the brim, refusals with 507 or 503
//! and Retry-After, and recovery without a restart once space is freed.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::hidden;
use common::replies::{
    api_id, api_key, assert_all_stored, assert_retry_after, post_api, post_form, reply, seeded,
    stored_id,
};
use common::server::{self, Answers, Server, api_client, open_plain};

/// A small tmpfs, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let root = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0");
        if !root {
            return Err("not running as root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// Fills the file system holding `path` completely, then gives `keep_free` bytes back.
fn fill_leaving(path: &Path, keep_free: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    let _ = f.sync_all();
    f.set_len(written.saturating_sub(keep_free)).unwrap();
}

#[tokio::test]
async fn a_full_disk_answers_507_or_503_and_recovers_without_a_restart_once_space_is_freed() {
    let fs = match Tmpfs::mount("16m") {
        Ok(fs) => fs,
        Err(why) => {
            println!(
                "SKIPPED a_full_disk_answers_507_or_503_…: needs root and a tmpfs mount ({why})"
            );
            return;
        }
    };
    let db = fs.path().join("manyi.db");
    let token = server::import_stores(&db);
    let filler = fs.path().join("filler");
    fill_leaving(&filler, 192 * 1024);
    let srv = Server::start(&db, &[]);
    let url = srv.url.clone();
    let http = api_client(&token);
    let mut rng = seeded();

    // Submit until the disk is full: every refusal is 507 or 503, with Retry-After.
    let mut acked: Vec<(String, Answers, Option<String>)> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let mut failures_in_a_row = 0;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for i in 0..3000 {
        let answers = Answers::random(&mut rng);
        let t = server::form_token(&answers);
        let api = i % 2 == 0;
        let r = if api {
            post_api(&http, &url, &answers, &t).await
        } else {
            post_form(&http, &url, &answers.form(&t)).await
        };
        let r = r.unwrap_or_else(|e| {
            panic!(
                "submission {i} got no answer on a full disk: {e}\nlog:\n{}",
                srv.log()
            )
        });
        *statuses.entry(r.status).or_default() += 1;
        let key = if api { api_key(&t) } else { t.clone() };
        match (api, r.status) {
            (true, 201) => {
                acked.push((key, answers, api_id(&r)));
                failures_in_a_row = 0;
            }
            (false, 303) => {
                acked.push((key, answers, None));
                failures_in_a_row = 0;
            }
            (_, 507 | 503) => {
                assert_retry_after(&r);
                if api {
                    let body: serde_json::Value = serde_json::from_str(&r.body)
                        .unwrap_or_else(|_| panic!("JSON error body: {}", r.body));
                    let msg = body["errors"]["request"].as_str().unwrap_or_default();
                    assert!(msg.contains("Nothing was stored"), "{}", r.body);
                } else {
                    // The form comes back with the answers, ready to be sent again.
                    assert!(
                        r.body.contains("your answers are not saved yet"),
                        "{}",
                        r.body
                    );
                    assert_eq!(hidden(&r.body, "_token").as_deref(), Some(t.as_str()));
                }
                refused.push(key);
                failures_in_a_row += 1;
            }
            (_, status) => panic!(
                "submission {i} on a full disk answered {status}: {}\nlog:\n{}",
                r.body,
                srv.log()
            ),
        }
        if failures_in_a_row >= 6 {
            break;
        }
    }
    println!(
        "full disk: {} stored, then {} refused; statuses {statuses:?}",
        acked.len(),
        refused.len()
    );
    assert!(
        failures_in_a_row >= 6,
        "the disk never filled up: {statuses:?}"
    );

    let health = reply(http.get(format!("{url}/healthz")).send().await.unwrap())
        .await
        .unwrap();
    if health.status != 503 {
        // Say whether the write path really works again, or only the health check thinks so.
        let answers = Answers::random(&mut rng);
        let t = server::form_token(&answers);
        let next = post_api(&http, &url, &answers, &t).await.unwrap();
        panic!(
            "healthz answers {} {:?} on a full disk after {failures_in_a_row} failed submissions in a row; \
             the next submission answers {} {}",
            health.status, health.body, next.status, next.body
        );
    }
    let reason = health
        .body
        .strip_prefix("write path failing: ")
        .unwrap_or_else(|| panic!("healthz gives no reason: {}", health.body));
    assert!(!reason.trim().is_empty(), "empty reason");
    println!("healthz on a full disk: {}", health.body);

    // Free the space; without a restart, submissions and health come back.
    std::fs::remove_file(&filler).unwrap();
    let mut ok = 0;
    let mut after: HashMap<u16, usize> = HashMap::new();
    for i in 0..200 {
        let answers = Answers::random(&mut rng);
        let t = server::form_token(&answers);
        let r = if i % 2 == 0 {
            post_api(&http, &url, &answers, &t).await
        } else {
            post_form(&http, &url, &answers.form(&t)).await
        };
        let r = r.unwrap_or_else(|e| panic!("submission after freeing space: {e}"));
        *after.entry(r.status).or_default() += 1;
        match r.status {
            201 => {
                ok += 1;
                acked.push((api_key(&t), answers, api_id(&r)));
            }
            303 => {
                ok += 1;
                acked.push((t, answers, None));
            }
            507 | 503 => refused.push(if i % 2 == 0 { api_key(&t) } else { t }),
            other => panic!("after freeing space: {other}: {}", r.body),
        }
    }
    println!("after freeing space: {after:?}");
    assert!(
        ok >= 196,
        "only {ok} of 200 submissions stored after space was freed: {after:?}\nlog:\n{}",
        srv.log()
    );
    let health = reply(http.get(format!("{url}/healthz")).send().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, "ok"),
        "healthz after space was freed"
    );

    // What was acknowledged is stored; what was refused is not.
    let mut srv = srv;
    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    assert_all_stored(&pool, &acked).await;
    for key in &refused {
        assert!(
            stored_id(&pool, key).await.is_empty(),
            "{key} was refused but is stored"
        );
    }
    let total: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total as usize, acked.len());
    let check: String = sqlx::query_scalar("pragma quick_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    pool.close().await;
}
