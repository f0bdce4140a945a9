use super::parse::MAX_NESTING;
use super::*;
use std::collections::HashMap;

struct TestEnv {
    answers: HashMap<String, Value>,
    current: Value,
}

impl Env for TestEnv {
    fn answer(&self, name: &str) -> Value {
        self.answers.get(name).cloned().unwrap_or(Value::Null)
    }
    fn current(&self) -> Value {
        self.current.clone()
    }
}

fn env(answers: &[(&str, Value)]) -> TestEnv {
    let answers = answers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    TestEnv {
        answers,
        current: Value::Null,
    }
}

fn s(x: &str) -> Value {
    Value::Str(x.to_string())
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| i.to_string()).collect())
}

fn eval_in(src: &str, e: &TestEnv) -> Value {
    match Expr::parse(src) {
        Ok(expr) => expr.eval(e),
        Err(err) => panic!("{src:?} failed to parse: {err}"),
    }
}

fn eval_empty(src: &str) -> Value {
    eval_in(src, &env(&[]))
}

fn is_true(src: &str, e: &TestEnv) -> bool {
    match Expr::parse(src) {
        Ok(expr) => expr.eval_bool(e),
        Err(err) => panic!("{src:?} failed to parse: {err}"),
    }
}

fn parse_err(src: &str) -> ParseError {
    match Expr::parse(src) {
        Ok(expr) => panic!("{src:?} unexpectedly parsed as {expr:?}"),
        Err(err) => err,
    }
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(eval_empty("1 + 2 * 3"), Value::Num(7.0));
    assert_eq!(eval_empty("1 + 2 * 3 = 7"), Value::Bool(true));
    assert_eq!(eval_empty("(1 + 2) * 3"), Value::Num(9.0));
}

#[test]
fn subtraction_and_division_are_left_associative() {
    assert_eq!(eval_empty("10 - 3 - 2"), Value::Num(5.0));
    assert_eq!(eval_empty("12 div 3 div 2"), Value::Num(2.0));
}

#[test]
fn and_binds_tighter_than_or_and_comparisons_tighter_than_equality() {
    assert_eq!(
        eval_empty("true() or false() and false()"),
        Value::Bool(true)
    );
    assert_eq!(eval_empty("1 < 2 = 2 > 1"), Value::Bool(true));
}

#[test]
fn div_and_mod_work_and_return_null_when_dividing_by_zero() {
    assert_eq!(eval_empty("7 div 2"), Value::Num(3.5));
    assert_eq!(eval_empty("7 mod 3"), Value::Num(1.0));
    assert_eq!(eval_empty("-7 mod 3"), Value::Num(-1.0));
    assert_eq!(eval_empty("1 div 0"), Value::Null);
    assert_eq!(eval_empty("1 mod 0"), Value::Null);
}

#[test]
fn mod_followed_by_minus_is_not_a_single_word() {
    assert_eq!(eval_empty("7 mod-2"), Value::Num(1.0));
}

#[test]
fn unary_minus_negates_and_can_repeat() {
    assert_eq!(eval_empty("-3 + 5"), Value::Num(2.0));
    assert_eq!(eval_empty("- - 4"), Value::Num(4.0));
    assert_eq!(eval_empty("-(2 * 3)"), Value::Num(-6.0));
    assert_eq!(eval_empty("-${missing}"), Value::Null);
}

#[test]
fn numbers_with_decimals_and_leading_dot_are_accepted() {
    assert_eq!(eval_empty("2.5 * 2"), Value::Num(5.0));
    assert_eq!(eval_empty(".5 + 1"), Value::Num(1.5));
}

#[test]
fn string_literals_use_either_quote() {
    assert_eq!(eval_empty("'it\"s'"), s("it\"s"));
    assert_eq!(eval_empty("\"it's\""), s("it's"));
}

#[test]
fn number_answer_equals_numeric_string_literal() {
    let e = env(&[("q", Value::Num(5.0))]);
    assert!(is_true("${q} = '5'", &e));
    assert!(is_true("${q} = '5.0'", &e));
    assert!(is_true("${q} != 'five'", &e));
    assert!(is_true("${q} = 5", &e));
}

#[test]
fn two_strings_compare_as_text_so_choice_codes_stay_distinct() {
    let e = env(&[("q", s("01"))]);
    assert!(is_true("${q} = '01'", &e));
    assert!(!is_true("${q} = '1'", &e));
    assert!(is_true("${q} = 1", &e));
}

#[test]
fn booleans_compare_by_truthiness() {
    assert_eq!(eval_empty("true() = 1"), Value::Bool(true));
    assert_eq!(eval_empty("false() = 0"), Value::Bool(true));
    assert_eq!(eval_empty("true() = 'yes'"), Value::Bool(true));
}

#[test]
fn list_equals_its_items_joined_by_spaces() {
    let e = env(&[("m", list(&["a", "b"]))]);
    assert!(is_true("${m} = 'a b'", &e));
    assert!(!is_true("${m} = 'a'", &e));
}

#[test]
fn unanswered_question_equals_empty_string_but_not_zero() {
    let e = env(&[]);
    assert!(is_true("${q} = ''", &e));
    assert!(is_true("${q} = ${other}", &e));
    assert!(!is_true("${q} = 0", &e));
    assert!(is_true("${q} != 0", &e));
}

#[test]
fn comparison_with_unanswered_question_is_false() {
    let e = env(&[]);
    for src in ["${q} < 5", "${q} <= 5", "${q} > 5", "${q} >= 5", "5 > ${q}"] {
        assert!(!is_true(src, &e), "{src}");
    }
}

#[test]
fn comparison_with_non_numeric_string_is_false() {
    let e = env(&[("q", s("abc"))]);
    assert!(!is_true("${q} > 1", &e));
    assert!(!is_true("${q} < 1", &e));
    assert!(!is_true("'inf' > 1", &e));
    assert!(!is_true("'NaN' = 'NaN' and 'NaN' < 1", &e));
}

#[test]
fn arithmetic_with_unanswered_or_non_numeric_values_is_null() {
    let e = env(&[("t", s("abc")), ("n", Value::Num(f64::NAN))]);
    assert_eq!(eval_in("${q} + 1", &e), Value::Null);
    assert_eq!(eval_in("${t} * 2", &e), Value::Null);
    assert_eq!(eval_in("${n} + 1", &e), Value::Null);
    assert!(!is_true("${n} = ${n}", &e));
}

#[test]
fn numeric_strings_take_part_in_arithmetic() {
    let e = env(&[("a", s(" 4 ")), ("b", Value::Num(1.5))]);
    assert_eq!(eval_in("${a} + ${b}", &e), Value::Num(5.5));
    assert_eq!(eval_in("true() + 1", &e), Value::Num(2.0));
}

#[test]
fn overflowing_arithmetic_is_null() {
    let big = "9".repeat(300);
    assert_eq!(eval_empty(&format!("{big} * {big}")), Value::Null);
}

#[test]
fn truthiness_follows_value_kind() {
    let e = env(&[
        ("zero", Value::Num(0.0)),
        ("nan", Value::Num(f64::NAN)),
        ("empty", s("")),
        ("text", s("x")),
        ("none", Value::List(vec![])),
        ("some", list(&["a"])),
    ]);
    for (name, expected) in [
        ("missing", false),
        ("zero", false),
        ("nan", false),
        ("empty", false),
        ("text", true),
        ("none", false),
        ("some", true),
    ] {
        assert_eq!(is_true(&format!("${{{name}}}"), &e), expected, "{name}");
    }
    assert!(is_true("not(0)", &e));
    assert!(is_true("'a' and 1", &e));
}

#[test]
fn selected_finds_choice_in_list_and_space_separated_string() {
    let e = env(&[
        ("l", list(&["red", "blue"])),
        ("s", s("red blue")),
        ("one", s("red")),
    ]);
    assert!(is_true("selected(${l}, 'blue')", &e));
    assert!(!is_true("selected(${l}, 'green')", &e));
    assert!(is_true("selected(${s}, 'blue')", &e));
    assert!(!is_true("selected(${s}, 'blu')", &e));
    assert!(is_true("selected(${one}, 'red')", &e));
    assert!(!is_true("selected(${missing}, 'red')", &e));
}

#[test]
fn count_selected_counts_items_tokens_and_treats_null_as_zero() {
    let e = env(&[
        ("l", list(&["a", "b", "c"])),
        ("s", s(" a  b ")),
        ("none", Value::List(vec![])),
    ]);
    assert_eq!(eval_in("count-selected(${l})", &e), Value::Num(3.0));
    assert_eq!(eval_in("count-selected(${s})", &e), Value::Num(2.0));
    assert_eq!(eval_in("count-selected(${missing})", &e), Value::Num(0.0));
    assert_eq!(eval_in("count-selected(${none})", &e), Value::Num(0.0));
}

#[test]
fn string_length_counts_characters_not_bytes() {
    let e = env(&[("name", s("Zoë"))]);
    assert_eq!(eval_in("string-length(${name})", &e), Value::Num(3.0));
    assert_eq!(eval_in("string-length(${missing})", &e), Value::Num(0.0));
    assert_eq!(eval_in("string-length(12.5)", &e), Value::Num(4.0));
}

#[test]
fn if_picks_a_branch_by_truthiness() {
    let e = env(&[("age", Value::Num(20.0))]);
    assert_eq!(
        eval_in("if(${age} >= 18, 'adult', 'minor')", &e),
        s("adult")
    );
    assert_eq!(eval_in("if(${missing}, 1, 2)", &e), Value::Num(2.0));
}

#[test]
fn number_converts_or_yields_null() {
    assert_eq!(eval_empty("number('42')"), Value::Num(42.0));
    assert_eq!(eval_empty("number('4x')"), Value::Null);
    assert_eq!(eval_empty("number(true())"), Value::Num(1.0));
    assert_eq!(eval_empty("number(${missing})"), Value::Null);
}

#[test]
fn current_value_is_available_as_dot() {
    let mut e = env(&[]);
    e.current = Value::Num(7.0);
    let expr = Expr::parse(". > 5 and . < 10").unwrap_or_else(|err| panic!("{err}"));
    assert!(expr.uses_current());
    assert!(expr.eval_bool(&e));
}

#[test]
fn uses_current_is_false_without_dot() {
    let expr = Expr::parse("${a} > 5.5").unwrap_or_else(|err| panic!("{err}"));
    assert!(!expr.uses_current());
}

#[test]
fn references_are_in_order_of_first_appearance_without_duplicates() {
    let expr = Expr::parse("${b} + ${a} * ${b} + if(${c}, ${a}, ${_d9})")
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(expr.references(), ["b", "a", "c", "_d9"]);
}

#[test]
fn source_returns_the_original_text() {
    let src = " ${a}  = 'x' ";
    let expr = Expr::parse(src).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(expr.source(), src);
}

#[test]
fn values_display_like_form_answers() {
    assert_eq!(Value::Null.to_string(), "");
    assert_eq!(Value::Num(5.0).to_string(), "5");
    assert_eq!(Value::Num(-0.0).to_string(), "0");
    assert_eq!(Value::Num(2.5).to_string(), "2.5");
    assert_eq!(Value::Bool(true).to_string(), "true");
    assert_eq!(list(&["a", "b"]).to_string(), "a b");
}

#[test]
fn whitespace_is_insignificant() {
    assert_eq!(eval_empty("\t( 1+2 )*\n3"), Value::Num(9.0));
    assert_eq!(eval_empty("count-selected ( 'a b' )"), Value::Num(2.0));
}

#[test]
fn parse_errors_have_precise_messages_and_offsets() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "expression is empty"),
        ("   ", 0, "expression is empty"),
        (
            "1 + (2 * 3",
            10,
            "expected ')' to close '(' opened at column 5",
        ),
        (
            "foo(1)",
            0,
            "unknown function 'foo'; known: not, selected, count-selected, string-length, if, true, false, number",
        ),
        (
            "1 + selected(${a})",
            4,
            "selected() takes 2 arguments, got 1",
        ),
        ("not(1, 2)", 0, "not() takes 1 argument, got 2"),
        ("true(1)", 0, "true() takes no arguments, got 1"),
        ("'abc", 0, "unterminated string"),
        ("${a} = \"x", 7, "unterminated string"),
        ("${1a}", 2, "expected a question name after '${'"),
        ("${}", 2, "expected a question name after '${'"),
        ("${a-b}", 3, "expected '}' to close '${' opened at column 1"),
        (
            "$a",
            1,
            "expected '{' after '$'; questions are referenced as ${name}",
        ),
        ("1 # 2", 2, "unexpected character '#'"),
        ("1 && 2", 2, "unexpected character '&'; use 'and'"),
        ("1 + ", 4, "unexpected end of expression"),
        (
            "1 2",
            2,
            "unexpected number 2; expected an operator or the end of the expression",
        ),
        ("(1))", 3, "unexpected ')' with no matching '('"),
        (
            "1 AND 2",
            2,
            "operators are lowercase: write 'and' instead of 'AND'",
        ),
        ("${a} == 1", 5, "use '=' to compare, not '=='"),
        (
            "age > 3",
            0,
            "unexpected word 'age'; to refer to a question write ${age}",
        ),
        ("true", 0, "'true' is a function; write true()"),
        ("and 1", 0, "expected a value before 'and'"),
        ("1 + )", 4, "expected a value but found ')'"),
        (
            "if(1, 2 3)",
            8,
            "expected ',' or ')' in call to if() opened at column 1",
        ),
        ("not(", 4, "unexpected end of expression"),
    ];
    for &(src, offset, message) in cases {
        let err = parse_err(src);
        assert_eq!(
            (err.offset, err.message.as_str()),
            (offset, message),
            "{src:?}"
        );
    }
}

#[test]
fn keywords_are_case_sensitive() {
    assert_eq!(
        parse_err("1 Or 2").message,
        "operators are lowercase: write 'or' instead of 'Or'"
    );
    assert_eq!(
        parse_err("7 DIV 2").message,
        "operators are lowercase: write 'div' instead of 'DIV'"
    );
    assert!(Expr::parse("NOT(1)").is_err());
}

#[test]
fn error_display_uses_character_columns() {
    let err = parse_err("'é' + #");
    assert_eq!(err.offset, 7);
    assert_eq!(err.column, 7);
    assert_eq!(err.to_string(), "at column 7: unexpected character '#'");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for src in [
        "(".repeat(10_000),
        format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{}1", "-".repeat(10_000)),
        format!("{}1{}", "not(".repeat(10_000), ")".repeat(10_000)),
    ] {
        let err = parse_err(&src);
        assert!(err.message.contains("nested too deeply"), "{}", err.message);
    }
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    let depth = MAX_NESTING - 1;
    let src = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(eval_empty(&src), Value::Num(1.0));
}

#[test]
fn long_operator_chains_are_capped_but_reasonable_ones_work() {
    let sum = vec!["1"; 200].join(" + ");
    assert_eq!(eval_empty(&sum), Value::Num(200.0));
    let huge = vec!["1"; 100_000].join(" + ");
    assert!(parse_err(&huge).message.contains("too long"));
    // Parenthesised chains stack their heights, so each level below adds five.
    let nest = |levels: usize| {
        (0..levels).fold("1".to_string(), |e, _| format!("({e}) + 1 + 1 + 1 + 1 + 1"))
    };
    assert_eq!(eval_empty(&nest(50)), Value::Num(251.0));
    assert!(parse_err(&nest(60)).message.contains("too long"));
}

#[test]
fn arbitrary_garbage_never_panics() {
    let inputs = [
        "",
        "(",
        ")",
        "$",
        "${",
        "${a",
        "'",
        "\"",
        ".",
        "..",
        "1..2",
        "-",
        "--",
        "()",
        "(,)",
        "f(",
        "not(,",
        "if(1,,2)",
        "selected(",
        "1 +* 2",
        "* 1",
        "= =",
        "!",
        "<=>",
        "\u{0}",
        "é",
        "${é}",
        "'unterminated é",
        "1e5",
        "9999999999999999999999999999999999999e999",
        "count-",
        "count-selected",
        "string-length(",
        "a-",
        "_",
        "mod",
        "div div div",
        "((((((((((",
        "))))))))",
        "${a}${b}",
        ". . .",
        "1 = = 2",
        "\u{feff}1",
        "1\u{a0}+ 2",
    ];
    let e = env(&[]);
    for src in inputs {
        if let Ok(expr) = Expr::parse(src) {
            let _ = expr.eval(&e);
            let _ = expr.references();
        }
    }
    // Every prefix of a real expression must also be handled gracefully.
    let real = "if(selected(${fruits}, 'apple') and string-length(.) >= 2, -${n} mod 3, 'ü')";
    for (i, _) in real.char_indices() {
        if let Ok(expr) = Expr::parse(&real[..i]) {
            let _ = expr.eval(&e);
        }
    }
}

/// Tokio and std threads default to 2 MiB; the largest accepted inputs must fit well inside that
/// even in unoptimised builds, where stack frames are several times larger.
#[test]
fn worst_case_inputs_fit_in_a_quarter_of_a_thread_stack() {
    let run = || {
        let limit = MAX_NESTING - 1;
        let inputs = [
            format!("{}1{}", "(".repeat(limit), ")".repeat(limit)),
            format!("{}1{}", "not(".repeat(limit), ")".repeat(limit)),
            format!("{}1{}", "(-".repeat(limit / 2), ")".repeat(limit / 2)),
            (0..50).fold("1".to_string(), |e, _| format!("({e}) + 1 + 1 + 1 + 1 + 1")),
        ];
        inputs
            .iter()
            .all(|src| Expr::parse(src).is_ok_and(|e| e.eval(&env(&[])) != Value::Null))
    };
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run);
    assert!(handle.is_ok_and(|h| h.join().is_ok_and(|ok| ok)));
}
