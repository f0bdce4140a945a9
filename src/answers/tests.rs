use super::*;
use crate::survey::parse_survey;

const SURVEY: &str = r#"
[settings]
id = "t"
version = "1"
title = { zh = "标题", en = "Title" }
default_language = "zh"
languages = ["zh", "en"]

[choices]
colour = [
  { name = "red", label = { zh = "红", en = "Red" } },
  { name = "blue", label = { zh = "蓝", en = "Blue" } },
]

[[group]]
name = "one"
label = { zh = "一", en = "One" }

[[group.question]]
type = "rating"
name = "score"
label = { zh = "评分", en = "Score" }
required = true

[[group.question]]
type = "select_multiple colour"
name = "colours"
label = { zh = "颜色", en = "Colours" }
constraint = "count-selected(.) <= 1"
constraint_message = { zh = "只能选一个", en = "Pick one at most" }

[[group]]
name = "two"
label = { zh = "二", en = "Two" }
relevant = "${score} <= 2"

[[group.question]]
type = "text"
name = "why"
label = { zh = "原因", en = "Why" }
required = true

[[group.question]]
type = "integer"
name = "age"
label = { zh = "年龄", en = "Age" }
min = 18
max = 120

[[group.question]]
type = "decimal"
name = "spent"
label = { zh = "金额", en = "Spent" }
min = 0

[[group.question]]
type = "date"
name = "day"
label = { zh = "日期", en = "Day" }
"#;

fn survey() -> Survey {
    parse_survey("t.toml", SURVEY).expect("valid test survey")
}

fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let mut out = RawAnswers::new();
    for (k, v) in pairs {
        out.entry((*k).to_owned())
            .or_default()
            .push((*v).to_owned());
    }
    out
}

#[test]
fn a_complete_valid_submission_becomes_typed_answers_in_form_order() {
    let c = check(
        &survey(),
        &raw(&[
            ("why", "slow"),
            ("score", "2"),
            ("colours", "blue"),
            ("age", "40"),
            ("spent", "12.5"),
            ("day", "2026-11-20"),
        ]),
        Scope::All,
        Lang::En,
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let names: Vec<&str> = c.answers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["score", "colours", "why", "age", "spent", "day"]);
    assert_eq!(c.get("score"), Some(&Answer::Int(2)));
    assert_eq!(
        c.get("colours"),
        Some(&Answer::Choices(vec!["blue".into()]))
    );
    assert_eq!(c.get("spent"), Some(&Answer::Decimal(12.5)));
    assert_eq!(
        c.get("day").map(|a| a.to_value().to_string()),
        Some("2026-11-20".into())
    );
}

#[test]
fn a_missing_required_answer_gets_a_message_in_the_respondents_language() {
    let c = check(&survey(), &raw(&[]), Scope::All, Lang::Zh);
    assert_eq!(
        c.errors.get("score").map(String::as_str),
        Some("请回答这个问题。")
    );
    let c = check(&survey(), &raw(&[]), Scope::All, Lang::En);
    assert_eq!(
        c.errors.get("score").map(String::as_str),
        Some("Please answer this question.")
    );
}

#[test]
fn wrong_types_and_out_of_range_values_are_refused() {
    let c = check(
        &survey(),
        &raw(&[
            ("score", "7"),
            ("colours", "green"),
            ("age", "12"),
            ("spent", "abc"),
            ("day", "20/11/2026"),
        ]),
        Scope::All,
        Lang::En,
    );
    assert_eq!(c.errors["score"], "Please choose a score from 1 to 5.");
    assert_eq!(
        c.errors["colours"],
        "Please choose from the options listed."
    );
    // score is invalid, so the second group's relevance ("score <= 2") is false: nothing there is checked.
    assert!(!c.errors.contains_key("age"));
    let c = check(
        &survey(),
        &raw(&[
            ("score", "1"),
            ("why", "x"),
            ("age", "12"),
            ("spent", "abc"),
            ("day", "20/11/2026"),
        ]),
        Scope::All,
        Lang::En,
    );
    assert_eq!(c.errors["age"], "Must be at least 18.");
    assert_eq!(c.errors["spent"], "Please enter a number.");
    assert!(c.errors["day"].contains("YYYY-MM-DD"));
    let c = check(
        &survey(),
        &raw(&[
            ("score", "1"),
            ("why", "x"),
            ("age", "4.5"),
            ("spent", "inf"),
        ]),
        Scope::All,
        Lang::En,
    );
    assert_eq!(c.errors["age"], "Please enter a whole number.");
    assert_eq!(c.errors["spent"], "Please enter a number.");
}

#[test]
fn a_failed_constraint_uses_the_surveys_own_message() {
    let c = check(
        &survey(),
        &raw(&[("score", "5"), ("colours", "red"), ("colours", "blue")]),
        Scope::All,
        Lang::En,
    );
    assert_eq!(c.errors["colours"], "Pick one at most");
}

#[test]
fn irrelevant_questions_are_neither_required_nor_stored() {
    let c = check(
        &survey(),
        &raw(&[("score", "5"), ("why", "sneaked in"), ("age", "30")]),
        Scope::All,
        Lang::En,
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(c.get("why").is_none());
    assert!(c.get("age").is_none());
    assert_eq!(c.relevant_groups, vec![true, false]);
}

#[test]
fn a_page_check_reports_only_that_pages_errors() {
    let c = check(
        &survey(),
        &raw(&[("score", "1")]),
        Scope::Group(0),
        Lang::En,
    );
    assert!(c.errors.is_empty());
    let c = check(
        &survey(),
        &raw(&[("score", "1")]),
        Scope::Group(1),
        Lang::En,
    );
    assert_eq!(c.errors.keys().collect::<Vec<_>>(), ["why"]);
}

#[test]
fn several_values_for_a_single_choice_are_refused() {
    assert_eq!(
        parse_value(&Kind::YesNo { na: false }, &["yes".into(), "no".into()]),
        Err(Problem::OneOption)
    );
    assert_eq!(parse_value(&Kind::Rating, &["  ".into()]), Ok(None));
}

#[test]
fn multiple_choices_are_deduplicated_into_list_order() {
    let s = survey();
    let kind = &s.question("colours").unwrap().kind;
    let got = parse_value(kind, &["blue".into(), "red".into(), "blue".into()]);
    assert_eq!(
        got,
        Ok(Some(Answer::Choices(vec!["red".into(), "blue".into()])))
    );
}

#[test]
fn overlong_text_is_refused_not_cut() {
    let long = "很".repeat(MAX_TEXT_CHARS + 1);
    assert_eq!(
        parse_value(&Kind::Text { multiline: true }, &[long]),
        Err(Problem::TooLong)
    );
}

#[test]
fn nps_accepts_zero_to_ten_only() {
    assert_eq!(
        parse_value(&Kind::Nps, &["0".into()]),
        Ok(Some(Answer::Int(0)))
    );
    assert_eq!(
        parse_value(&Kind::Nps, &["10".into()]),
        Ok(Some(Answer::Int(10)))
    );
    assert_eq!(parse_value(&Kind::Nps, &["11".into()]), Err(Problem::Nps));
    assert_eq!(parse_value(&Kind::Nps, &["-1".into()]), Err(Problem::Nps));
}
