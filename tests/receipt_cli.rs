//! `manyi receipt-code` on the real binary: a code for a registered store decodes with the key `--show-key` prints.

use std::path::Path;
use std::process::{Command, Output};

use time::macros::date;

const BIN: &str = env!("CARGO_BIN_EXE_manyi");

fn manyi(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("MANYI_DB")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A database whose registry holds the given store codes.
fn database(dir: &Path, codes: &[&str]) -> std::path::PathBuf {
    let db = dir.join("m.db");
    let mut csv = String::from("code,name,region\n");
    for code in codes {
        csv.push_str(&format!("{code},Store {code},East\n"));
    }
    let file = dir.join("stores.csv");
    std::fs::write(&file, csv).unwrap();
    let out = manyi(&db, &["stores", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

fn key_of(db: &Path) -> [u8; 32] {
    let out = manyi(db, &["receipt-code", "--show-key"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("secret"),
        "{}",
        text(&out.stderr)
    );
    let hex = text(&out.stdout);
    let hex = hex.trim();
    assert_eq!(hex.len(), 64, "{hex}");
    hex::decode(hex).unwrap().try_into().unwrap()
}

#[test]
fn a_printed_code_decodes_with_the_key_show_key_prints() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["S001", "SH-0042"]);
    let out = manyi(
        &db,
        &[
            "receipt-code",
            "--store",
            "SH-0042",
            "--date",
            "2026-11-30",
            "--txn",
            "4711",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let printed = stdout.lines().last().unwrap();
    assert_eq!(printed.len(), 29, "five groups of five: {printed}");
    assert_eq!(printed.split(' ').count(), 5, "{printed}");
    let key = key_of(&db);
    assert_eq!(key_of(&db), key, "the key is the same every time");
    let code = manyi::receipt::decode(&key, printed).unwrap();
    assert_eq!(code.store_number, 42);
    assert_eq!(code.day, date!(2026 - 11 - 30));
    assert_eq!(code.txn, 4711);
    // The key signs, it does not just decorate: another key refuses the code.
    assert_eq!(
        manyi::receipt::decode(&[0u8; 32], printed),
        Err(manyi::receipt::ReceiptError::Forged)
    );
}

#[test]
fn stores_that_cannot_have_a_code_get_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["S001", "T001", "NORTH", "S12345"]);
    for (store, expected) in [
        ("S999", "there is no store 'S999'"),
        ("NORTH", "does not end in a number from 1 to 9999"),
        ("S12345", "does not end in a number from 1 to 9999"),
        ("S001", "both end in the number 1"),
    ] {
        let out = manyi(
            &db,
            &[
                "receipt-code",
                "--store",
                store,
                "--date",
                "2026-11-30",
                "--txn",
                "1",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{store}");
        let err = text(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{store}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{store}: {err}");
        assert!(out.stdout.is_empty(), "{store}");
    }
}

#[test]
fn bad_flags_and_a_missing_database_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.db");
    let out = manyi(&missing, &["receipt-code", "--show-key"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no database"));
    assert!(!missing.exists(), "no database (and no key) is created");

    let db = database(dir.path(), &["S001"]);
    let run = |args: &[&str]| {
        let mut all = vec!["receipt-code"];
        all.extend_from_slice(args);
        manyi(&db, &all)
    };
    let out = run(&["--store", "S001", "--date", "2026-11-31", "--txn", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a date like 2026-11-30"));
    let out = run(&["--store", "S001", "--date", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(2), "a missing --txn");
    let out = run(&[
        "--store",
        "S001",
        "--date",
        "2026-11-30",
        "--txn",
        "1000000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the transaction number 1000000 does not fit"));
    let out = run(&[
        "--store",
        "S001",
        "--date",
        "2026-11-30",
        "--txn",
        "1",
        "--show-key",
    ]);
    assert_eq!(out.status.code(), Some(2), "a code and the key at once");
}
