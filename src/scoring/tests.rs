//! Scoring checked against cases worked out by hand (the arithmetic is in each comment).

use super::*;
use crate::i18n::Lang;
use crate::survey::parse_survey;

/// s1: q1 yes/no 2 pts, q2 yes/no/N/A 1 pt, q3 rating 4 pts.
/// s2: q4 yes/no/N/A 3 pts, q5 yes/no bonus 1 pt, seconds (pass `. <= 30`) 2 pts, choice (a=2, b=1, c=0).
const CHECKLIST: &str = r#"
[settings]
id = "a"
version = "1"
kind = "audit"
title = "Audit"
default_language = "en"
languages = ["en"]

[choices]
abc = [
  { name = "a", label = "A", points = 2 },
  { name = "b", label = "B", points = 1 },
  { name = "c", label = "C", points = 0 },
]

[[group]]
name = "s1"
label = "One"
#W1

[[group.question]]
type = "yes_no"
name = "q1"
label = "Q1"
points = 2
#C1

[[group.question]]
type = "yes_no"
name = "q2"
label = "Q2"
allow_na = true

[[group.question]]
type = "rating"
name = "q3"
label = "Q3"
points = 4
#B3

[[group]]
name = "s2"
label = "Two"
#W2

[[group.question]]
type = "yes_no"
name = "q4"
label = "Q4"
points = 3
allow_na = true
#C4

[[group.question]]
type = "yes_no"
name = "q5"
label = "Q5"
bonus = true

[[group.question]]
type = "integer"
name = "seconds"
label = "Seconds to greet"
points = 2
pass = ". <= 30"
comment_on_fail = true

[[group.question]]
type = "select_one abc"
name = "choice"
label = "Choice"
"#;

fn checklist(edits: &[(&str, &str)]) -> Survey {
    let mut src = CHECKLIST.to_owned();
    for (marker, text) in edits {
        src = src.replace(marker, text);
    }
    parse_survey("a.toml", &src).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn answers(survey: &Survey, pairs: &[(&str, &str)]) -> Vec<(String, Answer)> {
    let mut raw = crate::answers::RawAnswers::new();
    for (k, v) in pairs {
        raw.entry((*k).into()).or_default().push((*v).into());
    }
    let checked = crate::answers::check(survey, &raw, crate::answers::Scope::All, Lang::En);
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    checked.answers
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a score");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn unweighted_items_sum_with_na_and_a_bonus_outside_any_possible() {
    let s = checklist(&[]);
    // q1 yes 2/2, q2 no 0/1, q3 = 4 → 4 × 3/4 = 3/4; q4 N/A 0/0; q5 bonus 1/0;
    // seconds 25 ≤ 30 → 2/2; choice b → 1/2 of the best (2) × 2 points = 1/2.
    let a = answers(
        &s,
        &[
            ("q1", "yes"),
            ("q2", "no"),
            ("q3", "4"),
            ("q4", "na"),
            ("q5", "yes"),
            ("seconds", "25"),
            ("choice", "b"),
        ],
    );
    let score = score(&s, &a);
    // s1: 5 / 7 = 71.428571…%
    close(score.sections[0].percent, 500.0 / 7.0);
    // s2: (0 + 1 + 2 + 1) / (0 + 0 + 2 + 2) = 4 / 4 = 100%
    close(score.sections[1].percent, 100.0);
    // overall: (5 + 4) / (7 + 4) = 9 / 11 = 81.818181…%
    close(score.overall, 900.0 / 11.0);
    assert!(!score.critical_fail);
    assert_eq!(show(score.overall), "81.8%");
    assert!(score.sections[1].items[0].na);
}

#[test]
fn weighted_sections_average_their_percentages() {
    let s = checklist(&[("#W1", "weight = 3"), ("#W2", "weight = 1")]);
    // s1: q1 yes 2, q2 yes 1, q3 = 1 → 0 of 4 → 3 / 7 = 42.857142…%
    // s2: q4 no 0/3, seconds 40 → 0/2, choice a 2/2 → 2 / 7 = 28.571428…%
    let a = answers(
        &s,
        &[
            ("q1", "yes"),
            ("q2", "yes"),
            ("q3", "1"),
            ("q4", "no"),
            ("seconds", "40"),
            ("choice", "a"),
        ],
    );
    let score = score(&s, &a);
    close(score.sections[0].percent, 300.0 / 7.0);
    close(score.sections[1].percent, 200.0 / 7.0);
    // (3 × 300/7 + 1 × 200/7) / 4 = (1100/7) / 4 = 275/7 = 39.285714…%
    close(score.overall, 275.0 / 7.0);
}

#[test]
fn a_weighted_overall_leaves_na_sections_out() {
    let s = checklist(&[("#W1", "weight = 3"), ("#W2", "weight = 1")]);
    // s2 entirely N/A (q4 N/A, the rest unanswered): overall = s1 alone.
    let a = answers(
        &s,
        &[("q1", "yes"), ("q2", "no"), ("q3", "5"), ("q4", "na")],
    );
    let score = score(&s, &a);
    assert_eq!(score.sections[1].percent, None);
    // s1: (2 + 0 + 4) / 7 = 85.714285…%
    close(score.overall, 600.0 / 7.0);
}

#[test]
fn na_counts_nothing_wherever_it_sits_in_a_section() {
    let s = checklist(&[]);
    // q2 is the only N/A-able item in s1; q4 the first in s2. Each N/A drops its points from possible.
    let first = answers(&s, &[("q1", "yes"), ("q2", "na"), ("q3", "3")]);
    // s1: (2 + 0 + 2) / (2 + 0 + 4) = 4 / 6 = 66.666…%
    close(score(&s, &first).sections[0].percent, 400.0 / 6.0);
    let lead = answers(&s, &[("q4", "na"), ("seconds", "10"), ("choice", "c")]);
    // s2: (0 + 2 + 0) / (0 + 2 + 2) = 50%
    close(score(&s, &lead).sections[1].percent, 50.0);
    let last = answers(&s, &[("q4", "yes"), ("seconds", "10")]);
    // choice unanswered (N/A at the end): (3 + 2) / (3 + 2) = 100%
    close(score(&s, &last).sections[1].percent, 100.0);
}

#[test]
fn all_items_na_gives_no_score_at_all() {
    let s = checklist(&[]);
    let a = answers(&s, &[("q2", "na"), ("q4", "na"), ("q5", "yes")]);
    let score = score(&s, &a);
    assert!(score.sections.iter().all(|s| s.percent.is_none()));
    assert_eq!(score.overall, None);
    assert_eq!(show(score.overall), "N/A");
}

#[test]
fn a_bonus_lifts_a_score_to_100_at_most() {
    let s = checklist(&[("#B3", "")]);
    // s2: q4 yes 3/3, q5 bonus +1, seconds 2/2, choice a 2/2 → 8 / 7 → capped at 100%
    let a = answers(
        &s,
        &[
            ("q1", "yes"),
            ("q2", "yes"),
            ("q3", "5"),
            ("q4", "yes"),
            ("q5", "yes"),
            ("seconds", "5"),
            ("choice", "a"),
        ],
    );
    let score = score(&s, &a);
    close(score.sections[1].percent, 100.0);
    // overall: (7 + 8) / (7 + 7) → capped at 100%
    close(score.overall, 100.0);
    // Short of full marks, the bonus closes part of the gap: q1 no → s1 5/7, overall (5 + 8) / 14 = 92.857…%
    let a = answers(
        &s,
        &[
            ("q1", "no"),
            ("q2", "yes"),
            ("q3", "5"),
            ("q4", "yes"),
            ("q5", "yes"),
            ("seconds", "5"),
            ("choice", "a"),
        ],
    );
    close(super::score(&s, &a).overall, 1300.0 / 14.0);
}

#[test]
fn a_failed_section_critical_zeroes_its_section_only() {
    let s = checklist(&[("#C1", "critical = \"section\"")]);
    // q1 fails: s1 → 0% though q2 and q3 earned 1 + 4.
    let a = answers(
        &s,
        &[
            ("q1", "no"),
            ("q2", "yes"),
            ("q3", "5"),
            ("q4", "yes"),
            ("seconds", "5"),
            ("choice", "a"),
        ],
    );
    let score = score(&s, &a);
    close(score.sections[0].percent, 0.0);
    assert!(score.sections[0].critical_fail && score.critical_fail);
    close(score.sections[1].percent, 100.0);
    // unweighted overall: s1's earned counts 0 → (0 + 7) / (7 + 7) = 50%
    close(score.overall, 50.0);
    // weighted: (3 × 0 + 1 × 100) / 4 = 25%
    let w = checklist(&[
        ("#C1", "critical = \"section\""),
        ("#W1", "weight = 3"),
        ("#W2", "weight = 1"),
    ]);
    close(super::score(&w, &a).overall, 25.0);
}

#[test]
fn a_failed_visit_critical_zeroes_the_whole_visit() {
    let s = checklist(&[("#C4", "critical = \"visit\"")]);
    let a = answers(
        &s,
        &[
            ("q1", "yes"),
            ("q2", "yes"),
            ("q3", "5"),
            ("q4", "no"),
            ("seconds", "5"),
            ("choice", "a"),
        ],
    );
    let score = score(&s, &a);
    close(score.sections[0].percent, 100.0);
    // s2 keeps its own arithmetic: (0 + 2 + 2) / 7 = 57.142…%; the visit is what fails.
    close(score.sections[1].percent, 400.0 / 7.0);
    close(score.overall, 0.0);
    assert!(score.critical_fail && !score.sections[1].critical_fail);
    // A critical item answered N/A does not fail.
    let a = answers(&s, &[("q1", "yes"), ("q4", "na")]);
    assert!(!super::score(&s, &a).critical_fail);
}

#[test]
fn a_failed_timed_item_needs_a_comment() {
    let s = checklist(&[]);
    let a = answers(&s, &[("seconds", "45"), ("q1", "no")]);
    assert_eq!(needs_comment(&s, &a), vec!["seconds".to_owned()]);
    assert!(needs_comment(&s, &answers(&s, &[("seconds", "30")])).is_empty());
}

#[test]
fn scoring_keys_are_refused_outside_checklists_and_on_unscored_items() {
    let customer = CHECKLIST.replace("kind = \"audit\"\n", "");
    let errs = parse_survey("a.toml", &customer).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.message.contains("only applies in audit checklists")),
        "{errs:#?}"
    );
    let bad = CHECKLIST.replace(
        "name = \"q3\"\nlabel = \"Q3\"\npoints = 4",
        "name = \"q3\"\nlabel = \"Q3\"\npoints = 4\ncritical = \"store\"",
    );
    let errs = parse_survey("a.toml", &bad).unwrap_err();
    assert!(errs[0].message.contains("use \"section\" or \"visit\""));
    let mixed = CHECKLIST.replace("#W1", "weight = 2");
    let errs = parse_survey("a.toml", &mixed).unwrap_err();
    assert!(errs[0].message.contains("every section a weight, or none"));
}
