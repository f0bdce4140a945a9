//! Mystery-shop findings as cases: an approved audit whose knock-out items failed opens a case for its store.
//!
//! A knock-out (`critical`) item is something that must never happen: an unlabelled
//! price, a pushy sale. When the manager approves the audit, the failures stop being a
//! shopper's claim and become the store's to fix, so they go through the same 8 steps
//! as a customer's complaint. A failed visit-level item (the whole visit scores 0) opens
//! it at high priority; section-level ones at normal. Scored-but-not-critical misses
//! only lower the score: they open nothing, or every audit would be a case.

use crate::i18n::Lang;
use crate::scoring::AuditScore;
use crate::survey::{Critical, Survey};

use super::rule::Opening;
use super::{Channel, Kind, Priority, Request};

/// What an approved audit opens, if any of its knock-out items failed. `comments` are
/// the shopper's per-item comments (question name, text); `visit` names the visit, e.g.
/// "#12, 2026-11-30"; the text is in the checklist's language.
pub fn opening(
    survey: &Survey,
    score: &AuditScore,
    comments: &[(String, String)],
    visit: &str,
) -> Option<Opening> {
    let lang = survey.default_lang;
    let mut lines = Vec::new();
    let mut whole_visit = false;
    for item in score.sections.iter().flat_map(|s| &s.items) {
        if !item.failed {
            continue;
        }
        let Some(q) = survey.question(&item.name) else {
            continue;
        };
        let Some(critical) = q.scoring.as_ref().and_then(|s| s.critical) else {
            continue;
        };
        whole_visit |= critical == Critical::Visit;
        let scope = match (critical, lang) {
            (Critical::Visit, Lang::Zh) => "整次访问",
            (Critical::Section, Lang::Zh) => "本部分",
            (Critical::Visit, Lang::En) => "whole visit",
            (Critical::Section, Lang::En) => "section",
        };
        let mut line = format!("- {} ({scope})", q.label.get(lang));
        if let Some((_, c)) = comments.iter().find(|(n, _)| n == &item.name) {
            let c = c.trim();
            if !c.is_empty() {
                line.push_str(match lang {
                    Lang::Zh => "：",
                    Lang::En => ": ",
                });
                line.push_str(c);
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        return None;
    }
    let head = match lang {
        Lang::Zh => format!("神秘顾客访问 {visit} 未通过关键项："),
        Lang::En => format!("Mystery-shop visit {visit} failed knock-out items:"),
    };
    Some(Opening {
        kind: Kind::Complaint,
        channel: Channel::MysteryShop,
        priority: if whole_visit {
            Priority::High
        } else {
            Priority::Normal
        },
        description: format!("{head}\n{}", lines.join("\n")),
        request: Request::Nothing,
        contact: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{ItemScore, SectionScore};

    fn survey() -> Survey {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
        crate::survey::load_dir(&dir)
            .expect("shipped surveys")
            .get("store-audit")
            .expect("store-audit")
            .as_ref()
            .clone()
    }

    fn item(name: &str, failed: bool) -> ItemScore {
        ItemScore {
            name: name.into(),
            earned: 0.0,
            possible: 1.0,
            na: false,
            failed,
        }
    }

    fn scored(items: Vec<ItemScore>) -> AuditScore {
        AuditScore {
            sections: vec![SectionScore {
                name: "s".into(),
                earned: 0.0,
                possible: 1.0,
                percent: Some(0.0),
                critical_fail: true,
                items,
            }],
            overall: Some(0.0),
            critical_fail: true,
        }
    }

    #[test]
    fn a_failed_visit_knock_out_opens_a_high_priority_case_with_its_label_and_comment() {
        let s = survey();
        let comments = vec![("price_matched".to_owned(), "收银多收了 50 元".to_owned())];
        let o = opening(
            &s,
            &scored(vec![
                item("price_matched", true),
                item("no_pressure", false),
            ]),
            &comments,
            "#7",
        )
        .expect("a case");
        assert_eq!(o.channel, Channel::MysteryShop);
        assert_eq!(o.priority, Priority::High);
        assert_eq!(o.request, Request::Nothing);
        assert_eq!(
            o.description,
            "神秘顾客访问 #7 未通过关键项：\n- 实收金额是否与标价或承诺一致？ (整次访问)：收银多收了 50 元"
        );
    }

    #[test]
    fn a_section_knock_out_opens_at_normal_priority_and_plain_misses_open_nothing() {
        let s = survey();
        let o = opening(&s, &scored(vec![item("no_pressure", true)]), &[], "#8").unwrap();
        assert_eq!(o.priority, Priority::Normal);
        assert!(o.description.ends_with("(本部分)"), "{}", o.description);
        // receipt_given is scored but no knock-out; minutes_waiting failed its pass rule.
        let misses = scored(vec![
            item("receipt_given", true),
            item("minutes_waiting", true),
        ]);
        assert_eq!(opening(&s, &misses, &[], "#9"), None);
        assert_eq!(opening(&s, &scored(vec![]), &[], "#10"), None);
    }
}
