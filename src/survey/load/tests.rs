use super::*;
use crate::survey::{Indicator, Kind, ReceiptMode};

const VALID: &str = r#"
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
type = "nps"
name = "recommend"
label = { zh = "推荐", en = "Recommend" }
required = true
indicator = "reputation"

[[group.question]]
type = "select_multiple colour"
name = "colours"
label = { zh = "颜色", en = "Colours" }
relevant = "${recommend} >= 7"
constraint = "count-selected(.) <= 1"
"#;

fn errors(src: &str) -> Vec<LoadError> {
    parse_survey("t.toml", src).expect_err("should be refused")
}

fn one_error(src: &str) -> LoadError {
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    errs.into_iter().next().unwrap()
}

#[test]
fn a_valid_file_becomes_a_typed_survey() {
    let s = parse_survey("t.toml", VALID).expect("valid");
    assert_eq!(s.id, "t");
    assert_eq!(s.languages, vec![Lang::Zh, Lang::En]);
    assert_eq!(s.groups.len(), 1);
    let q = s.question("colours").unwrap();
    assert!(matches!(&q.kind, Kind::SelectMultiple(c) if c.len() == 2));
    assert_eq!(q.label.get(Lang::En), "Colours");
    assert_eq!(
        s.question("recommend").unwrap().indicator,
        Some(Indicator::Reputation)
    );
    assert_eq!(s.hash.len(), 64);
}

#[test]
fn malformed_toml_reports_line_and_column() {
    let e = one_error("[settings]\nid = \"t\nversion = 1\n");
    assert_eq!(e.line, Some(2));
    assert!(e.column.is_some());
    assert!(e.to_string().starts_with("t.toml:2:"), "{e}");
}

#[test]
fn an_unknown_key_is_named() {
    let src = VALID.replace("required = true", "requird = true");
    let e = one_error(&src);
    assert!(e.message.contains("requird"), "{e}");
}

#[test]
fn duplicate_question_names_are_refused() {
    let src = VALID.replace("name = \"colours\"", "name = \"recommend\"");
    let errs = errors(&src);
    assert!(
        errs.iter().any(|e| e.message.contains("defined twice")),
        "{errs:#?}"
    );
}

#[test]
fn an_unknown_question_type_lists_the_known_ones() {
    let src = VALID.replace("type = \"nps\"", "type = \"stars\"");
    let errs = errors(&src);
    let e = errs
        .iter()
        .find(|e| e.message.contains("unknown question type 'stars'"))
        .expect("type error");
    assert!(e.message.contains("select_one LIST"));
    assert_eq!(e.field, "question 'recommend'.type");
    assert_eq!(e.line, Some(20));
}

#[test]
fn an_expression_naming_an_unknown_question_is_refused_with_its_position() {
    let src = VALID.replace("${recommend} >= 7", "${recomend} >= 7");
    let e = one_error(&src);
    assert!(
        e.message.contains("${recomend}, which is not a question"),
        "{e}"
    );
    assert_eq!(e.field, "question 'colours'.relevant");
    assert_eq!(e.line, Some(30));
}

#[test]
fn an_expression_naming_a_later_question_is_a_forward_reference() {
    let src = VALID.replace(
        "required = true\n",
        "required = true\nrelevant = \"${colours} != ''\"\n",
    );
    let e = one_error(&src);
    assert!(e.message.contains("comes later in the form"), "{e}");
}

#[test]
fn a_broken_expression_reports_the_parse_error_column() {
    let src = VALID.replace("${recommend} >= 7", "${recommend} >= (7");
    let e = one_error(&src);
    assert!(e.message.contains("cannot parse"), "{e}");
    assert!(e.message.contains("')'"), "{e}");
}

#[test]
fn the_current_answer_dot_is_only_allowed_in_constraints() {
    let src = VALID.replace("${recommend} >= 7", ". >= 7");
    let e = one_error(&src);
    assert!(
        e.message.contains("only has a meaning in a constraint"),
        "{e}"
    );
}

#[test]
fn a_choice_question_without_its_list_is_refused() {
    let src = VALID.replace("select_multiple colour", "select_multiple");
    assert!(one_error(&src).message.contains("needs a choice list"));
    let src = VALID.replace("select_multiple colour", "select_multiple color");
    assert!(one_error(&src).message.contains("'color' is not defined"));
}

#[test]
fn an_empty_choice_list_is_refused() {
    let src = VALID.replace(
        "colour = [\n  { name = \"red\", label = { zh = \"红\", en = \"Red\" } },\n  { name = \"blue\", label = { zh = \"蓝\", en = \"Blue\" } },\n]",
        "colour = []",
    );
    assert!(
        errors(&src)
            .iter()
            .any(|e| e.message.contains("no choices"))
    );
}

#[test]
fn a_label_missing_a_language_is_refused() {
    let src = VALID.replace(
        "label = { zh = \"推荐\", en = \"Recommend\" }",
        "label = { zh = \"推荐\" }",
    );
    let e = one_error(&src);
    assert_eq!(e.message, "missing the 'en' text");
    assert_eq!(e.field, "question 'recommend'.label");
}

#[test]
fn a_plain_string_label_needs_a_single_language_survey() {
    let src = VALID.replace(
        "label = { zh = \"推荐\", en = \"Recommend\" }",
        "label = \"Recommend\"",
    );
    assert!(one_error(&src).message.contains("every language"));
}

#[test]
fn an_indicator_on_the_wrong_question_type_is_refused() {
    let src = VALID.replace("type = \"nps\"", "type = \"rating\"");
    let e = one_error(&src);
    assert_eq!(
        e.message,
        "indicator 'reputation' goes on a nps question, not rating"
    );
}

#[test]
fn an_indicator_may_appear_once() {
    let src = VALID
        .replace("constraint = ", "indicator = \"awareness\"\nconstraint = ")
        .replace("indicator = \"awareness\"", "indicator = \"reputation\"");
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("already on another question")),
        "{errs:#?}"
    );
}

#[test]
fn an_expectation_needs_its_experience_pair() {
    let src = format!(
        "{VALID}\n[[group.question]]\ntype = \"rating\"\nname = \"e\"\nlabel = {{ zh = \"期望\", en = \"Expected\" }}\nindicator = \"expectation\"\naspect = \"price\"\n"
    );
    let e = one_error(&src);
    assert!(
        e.message
            .contains("aspect 'price' has no experience question"),
        "{e}"
    );
}

#[test]
fn unsupported_languages_and_a_bad_default_are_refused() {
    let src = VALID.replace(
        "languages = [\"zh\", \"en\"]",
        "languages = [\"zh\", \"fr\"]",
    );
    assert!(
        errors(&src)
            .iter()
            .any(|e| e.message.contains("'fr' is not supported"))
    );
    let src = VALID.replace("default_language = \"zh\"", "default_language = \"de\"");
    assert!(
        errors(&src)
            .iter()
            .any(|e| e.field == "settings.default_language")
    );
}

#[test]
fn a_form_id_must_be_url_safe() {
    let src = VALID.replace("id = \"t\"", "id = \"Post Purchase!\"");
    assert_eq!(one_error(&src).field, "settings.id");
}

#[test]
fn ranges_and_defaults_are_checked_against_the_type() {
    let src = VALID
        .replace("type = \"nps\"", "type = \"integer\"\nmin = 5\nmax = 1")
        .replace("indicator = \"reputation\"\n", "");
    assert!(errors(&src).iter().any(|e| e.message.contains("below min")));
    let src = VALID.replace("required = true", "default = 11");
    let e = one_error(&src);
    assert_eq!(e.field, "question 'recommend'.default");
}

#[test]
fn a_note_cannot_be_required() {
    let src = VALID
        .replace("type = \"nps\"", "type = \"note\"")
        .replace("indicator = \"reputation\"\n", "");
    let errs = errors(&src);
    assert!(
        errs.iter().any(|e| e.message.contains("display-only")),
        "{errs:#?}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let src = VALID.replace("type = \"nps\"", "type = \"stars\"").replace(
        "label = { zh = \"颜色\", en = \"Colours\" }",
        "label = { zh = \"颜色\" }",
    );
    assert!(errors(&src).len() >= 2);
}

#[test]
fn the_shipped_surveys_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let catalog = crate::survey::load_dir(&dir).expect("shipped surveys are valid");
    assert!(catalog.get("post-purchase").is_some());
    assert!(catalog.len() >= 2);
}

fn with_receipt(value: &str) -> String {
    VALID.replace(
        "languages = [\"zh\", \"en\"]\n",
        &format!("languages = [\"zh\", \"en\"]\nreceipt = \"{value}\"\n"),
    )
}

#[test]
fn a_survey_asks_for_no_receipt_unless_it_says_so() {
    let s = parse_survey("t.toml", VALID).expect("valid");
    assert_eq!(s.receipt, ReceiptMode::Off);
}

#[test]
fn a_receipt_may_be_required_or_optional() {
    let s = parse_survey("t.toml", &with_receipt("required")).expect("valid");
    assert_eq!(s.receipt, ReceiptMode::Required);
    let s = parse_survey("t.toml", &with_receipt("optional")).expect("valid");
    assert_eq!(s.receipt, ReceiptMode::Optional);
}

#[test]
fn an_unknown_receipt_setting_is_refused_with_its_position() {
    let e = one_error(&with_receipt("yes"));
    assert_eq!(e.field, "settings.receipt");
    assert_eq!(e.line, Some(8));
    assert!(
        e.message.contains("'yes'") && e.message.contains("\"required\" or \"optional\""),
        "{e}"
    );
}

#[test]
fn an_audit_takes_no_receipt() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys/store-audit.toml");
    let audit = std::fs::read_to_string(path).unwrap();
    parse_survey("a.toml", &audit).expect("the shipped audit loads");
    let src = audit.replace(
        "kind = \"audit\"\n",
        "kind = \"audit\"\nreceipt = \"optional\"\n",
    );
    let e = one_error(&src);
    assert_eq!(e.field, "settings.receipt");
    assert!(e.message.contains("audit"), "{e}");
}

#[test]
fn a_survey_asks_for_the_store_only_when_it_says_so() {
    let s = parse_survey("t.toml", VALID).expect("valid");
    assert!(!s.ask_store);
    let src = VALID.replace(
        "languages = [\"zh\", \"en\"]\n",
        "languages = [\"zh\", \"en\"]\nask_store = true\n",
    );
    assert!(parse_survey("t.toml", &src).expect("valid").ask_store);
}

#[test]
fn an_audit_does_not_ask_for_the_store() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys/store-audit.toml");
    let audit = std::fs::read_to_string(path).unwrap();
    let src = audit.replace("kind = \"audit\"\n", "kind = \"audit\"\nask_store = true\n");
    let e = one_error(&src);
    assert_eq!(e.field, "settings.ask_store");
    assert!(e.message.contains("audit"), "{e}");
}
