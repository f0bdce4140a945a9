//! Every catalogue key in both languages: present, different where words differ, and each in its own script.

use super::Catalogued;
use super::staff::{ErrorTitle, Staff};

/// Every table in the catalogue. A new table is added here.
fn all_entries() -> Vec<(String, &'static str, &'static str)> {
    let mut all = Vec::new();
    all.extend(Staff::entries());
    all.extend(ErrorTitle::entries());
    // Area tables (one line each):
    all.extend(super::audits::Audit::entries());
    all.extend(super::admin::Admin::entries());
    all.extend(super::reports::Report::entries());
    all
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_key_has_both_languages_in_their_own_script() {
    let entries = all_entries();
    assert!(
        entries.len() > 40,
        "the catalogue looks empty: {}",
        entries.len()
    );
    for (key, zh, en) in entries {
        assert!(!zh.trim().is_empty(), "{key} has no Chinese text");
        assert!(!en.trim().is_empty(), "{key} has no English text");
        // English text never carries Han characters, except where it names the other
        // language or the product ("中文", "满意 manyi").
        let names_chinese = en.contains("中文") || en.contains("满意");
        assert!(
            !has_han(en) || names_chinese,
            "{key}: English text {en:?} has Chinese in it"
        );
        // Chinese text is written in Chinese, unless it is a name, a unit or a symbol
        // shared by both ("English", "API", "n < 5").
        let shared = zh == en
            || zh == "English"
            || !zh
                .chars()
                .any(|c| c.is_ascii_alphabetic() && c.is_lowercase());
        assert!(
            has_han(zh) || shared,
            "{key}: Chinese text {zh:?} is not in Chinese"
        );
    }
}

#[test]
fn keys_are_unique_across_tables() {
    let mut keys: Vec<String> = all_entries().into_iter().map(|(k, _, _)| k).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a key is declared twice");
}
