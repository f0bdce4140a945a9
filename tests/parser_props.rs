//! Property tests for the parsers the fuzz targets in `fuzz/` exercise, on stable and in the
//! normal suite: the survey loader, the expression parser, the form-body decoder and the
//! multipart reader. Inputs the fuzzers once crashed on are kept here as plain tests.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Request, header};
use manyi::answers::{self, RawAnswers, Scope};
use manyi::audits::UploadLimits;
use manyi::expr::{Env, Expr, ParseError, Value};
use manyi::i18n::Lang;
use manyi::survey::{LoadError, Survey, parse_survey};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use proptest::sample::Index;

const POST_PURCHASE: &str = include_str!("../surveys/post-purchase.toml");
const AFTER_SERVICE: &str = include_str!("../surveys/after-service.toml");
const STORE_AUDIT: &str = include_str!("../surveys/store-audit.toml");
const SHIPPED: [&str; 3] = [POST_PURCHASE, AFTER_SERVICE, STORE_AUDIT];

static SURVEY: LazyLock<Survey> = LazyLock::new(|| {
    parse_survey("post-purchase.toml", POST_PURCHASE).expect("the shipped survey loads")
});

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Failures are reported with their input; no files are written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ----- Survey loader -------------------------------------------------------------------------

/// A refusal must say why, and every placed error must point inside the file.
fn check_load(text: &str) -> Result<Survey, Vec<LoadError>> {
    let loaded = parse_survey("props.toml", text);
    if let Err(errors) = &loaded {
        assert!(!errors.is_empty(), "refused without a reason");
        let lines = text.matches('\n').count() + 1;
        for e in errors {
            if let Some(line) = e.line {
                assert!(
                    line >= 1 && line <= lines,
                    "{e} is past the end of the file"
                );
            }
            let _ = e.to_string();
        }
    }
    loaded
}

/// Byte edits on a shipped file: each overwrites, inserts or deletes one byte.
fn edited_survey() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SHIPPED.len(),
        proptest::collection::vec((any::<Index>(), any::<u8>(), 0u8..3), 1..8),
    )
        .prop_map(|(which, edits)| {
            let mut bytes = SHIPPED[which].as_bytes().to_vec();
            for (at, byte, how) in edits {
                let i = at.index(bytes.len());
                match how {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            bytes
        })
}

/// The line of post-purchase.toml that holds `relevant = "${complaint} = 'yes'"`.
const RELEVANT_LINE: &str = "relevant = \"${complaint} = 'yes'\"";

/// post-purchase.toml with one `relevant` value replaced by `toml` (as written in the file),
/// and the 1-based line it is on.
fn with_relevant_toml(toml: &str) -> (String, usize) {
    let line = POST_PURCHASE
        .lines()
        .position(|l| l == RELEVANT_LINE)
        .expect("the survey has the relevant line")
        + 1;
    let text = POST_PURCHASE.replacen(RELEVANT_LINE, &format!("relevant = {toml}"), 1);
    (text, line)
}

/// The same with the expression `expr`, written as TOML writes strings (escapes, literal or
/// multi-line strings).
fn with_relevant(expr: &str) -> (String, usize) {
    with_relevant_toml(&toml::Value::String(expr.to_owned()).to_string())
}

#[test]
fn every_shipped_survey_loads() {
    for text in SHIPPED {
        assert!(check_load(text).is_ok());
    }
}

/// Regression (found by review during the fuzzing work; 4.6 million survey_load runs missed
/// it): the parse error's offset into the unescaped expression was added to the string's
/// place in the file, so after `\t` it landed inside the 3-byte U+3000 and the loader
/// panicked slicing the file there.
#[test]
fn an_expression_error_after_an_escape_is_reported_at_the_string() {
    let (text, line) = with_relevant_toml("\"\\t\u{3000}#\"");
    assert!(text.contains("relevant = \"\\t\u{3000}#\""));
    let errors = check_load(&text).expect_err("`#` is not an expression");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains("unexpected character '#'"),
        "{}",
        errors[0]
    );
    // `relevant = "` is 12 characters: the error points at the string's first character.
    assert_eq!((errors[0].line, errors[0].column), (Some(line), Some(13)));
}

/// More spellings where the file's bytes and the expression's differ; each panicked before.
#[test]
fn expression_errors_in_multi_line_or_escaped_strings_are_reported_at_the_string() {
    for toml in [
        "\"\"\"\u{3000}#\"\"\"",
        "'''\u{3000}#'''",
        "\"\\\"\\\"\u{3000}#\"",
    ] {
        let (text, line) = with_relevant_toml(toml);
        let errors = check_load(&text).expect_err("`#` is not an expression");
        assert_eq!(errors.len(), 1, "{toml}: {errors:?}");
        assert_eq!(
            (errors[0].line, errors[0].column),
            (Some(line), Some(13)),
            "{toml}"
        );
    }
}

#[test]
fn an_expression_error_written_as_is_still_points_into_the_expression() {
    let (text, line) = with_relevant_toml("\"${complaint} = \u{3000}#\"");
    let errors = check_load(&text).expect_err("`#` is not an expression");
    // `relevant = "${complaint} = ` is 27 characters and U+3000 one more.
    assert_eq!((errors[0].line, errors[0].column), (Some(line), Some(29)));
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_shipped_survey_with_random_byte_edits_loads_or_is_refused(bytes in edited_survey()) {
        let _ = check_load(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn a_shipped_survey_cut_short_anywhere_loads_or_is_refused(which in 0..SHIPPED.len(), at in any::<Index>()) {
        let text = SHIPPED[which];
        let mut cut = at.index(text.len() + 1);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let _ = check_load(&text[..cut]);
    }

    #[test]
    fn any_text_as_an_expression_in_a_survey_is_refused_at_its_line_or_loads(
        expr in prop_oneof![
            any::<String>(),
            "[ \\t\\n\\u{3000}\\u{a0}é中'\"\\\\${}()a-z0-9=<>!.,+*-]{0,30}",
        ]
    ) {
        let (text, line) = with_relevant(&expr);
        if let Err(errors) = check_load(&text) {
            // Only the expression changed, so that is where every problem is; a multi-line
            // string may place it on a later line of the same value.
            let last = line + expr.matches('\n').count() + 1;
            for e in &errors {
                let at = e.line.expect("an expression error is placed");
                prop_assert!((line..=last).contains(&at), "{e} is not on lines {line}..={last}");
            }
        }
    }
}

// ----- Expression parser ---------------------------------------------------------------------

/// A parse error must point at a character of the source: the loader adds its offset to the
/// expression's place in the file and slices there.
fn check_parse(src: &str) -> Result<Expr, ParseError> {
    let parsed = Expr::parse(src);
    if let Err(e) = &parsed {
        assert!(e.offset <= src.len(), "{e}: offset past the end");
        assert!(
            src.is_char_boundary(e.offset),
            "{e}: offset inside a character"
        );
        assert_eq!(e.column, src[..e.offset].chars().count() + 1);
    }
    parsed
}

/// Answers of a different type for names of different lengths.
struct Mixed;

impl Env for Mixed {
    fn answer(&self, name: &str) -> Value {
        match name.len() % 5 {
            0 => Value::Null,
            1 => Value::Num(name.len() as f64 - 2.5),
            2 => Value::Str(name.to_owned()),
            3 => Value::List(vec![name.to_owned(), "b".into()]),
            _ => Value::Bool(name.len().is_multiple_of(2)),
        }
    }
    fn current(&self) -> Value {
        Value::Num(3.0)
    }
}

/// A well-formed expression, built as a tree so the test knows what it refers to.
#[derive(Debug, Clone)]
enum G {
    Num(String),
    Str(String),
    Ref(String),
    Current,
    Bin(Box<G>, &'static str, Box<G>),
    Neg(Box<G>),
    Call(&'static str, Vec<G>),
}

impl G {
    /// The source text; `pad` adds spaces and parentheses that must change nothing.
    fn render(&self, pad: bool) -> String {
        let s = match self {
            G::Num(n) => n.clone(),
            G::Str(s) => format!("'{s}'"),
            G::Ref(n) => format!("${{{n}}}"),
            G::Current => ".".into(),
            G::Bin(a, op, b) => format!("({} {op} {})", a.render(pad), b.render(pad)),
            G::Neg(a) => format!("-{}", a.render(pad)),
            G::Call(f, args) => {
                let args: Vec<String> = args.iter().map(|a| a.render(pad)).collect();
                format!("{f}({})", args.join(", "))
            }
        };
        if pad { format!(" ( {s} ) ") } else { s }
    }

    fn refs(&self, out: &mut Vec<String>) {
        match self {
            G::Ref(n) if !out.contains(n) => out.push(n.clone()),
            G::Bin(a, _, b) => {
                a.refs(out);
                b.refs(out);
            }
            G::Neg(a) => a.refs(out),
            G::Call(_, args) => args.iter().for_each(|a| a.refs(out)),
            _ => {}
        }
    }

    fn uses_current(&self) -> bool {
        match self {
            G::Current => true,
            G::Bin(a, _, b) => a.uses_current() || b.uses_current(),
            G::Neg(a) => a.uses_current(),
            G::Call(_, args) => args.iter().any(G::uses_current),
            _ => false,
        }
    }
}

const OPS: [&str; 13] = [
    "or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod",
];

fn well_formed() -> impl Strategy<Value = G> {
    let leaf = prop_oneof![
        (0u32..1000).prop_map(|n| G::Num(n.to_string())),
        (0u32..100, 0u32..100).prop_map(|(a, b)| G::Num(format!("{a}.{b}"))),
        "[a-z 中]{0,6}".prop_map(G::Str),
        "[a-z_][a-z0-9_]{0,5}".prop_map(G::Ref),
        Just(G::Current),
        Just(G::Call("true", vec![])),
        Just(G::Call("false", vec![])),
    ];
    leaf.prop_recursive(5, 48, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                proptest::sample::select(&OPS[..]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| G::Bin(Box::new(a), op, Box::new(b))),
            inner.clone().prop_map(|a| G::Neg(Box::new(a))),
            (
                proptest::sample::select(&["not", "count-selected", "string-length", "number"][..]),
                inner.clone()
            )
                .prop_map(|(f, a)| G::Call(f, vec![a])),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| G::Call("selected", vec![a, b])),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(a, b, c)| G::Call("if", vec![a, b, c])),
        ]
    })
}

/// Text that looks like an expression, with the characters the lexer treats specially.
fn expression_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[-+*=!<>().,'\"${}&|/ 0-9a-z_]",
            Just("${a}".to_owned()),
            Just("count-selected(".to_owned()),
            Just(" and ".to_owned()),
            Just(" mod ".to_owned()),
            Just("\u{3000}".to_owned()),
            Just("中".to_owned()),
            Just("1e308".to_owned()),
            Just("9".repeat(400)),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_string_parses_or_is_refused_at_a_character(src in any::<String>()) {
        if let Ok(expr) = check_parse(&src) {
            let _ = expr.eval(&Mixed);
        }
    }

    #[test]
    fn expression_like_text_parses_or_is_refused_at_a_character(src in expression_like()) {
        if let Ok(expr) = check_parse(&src) {
            let _ = expr.eval(&Mixed).to_string();
        }
    }

    #[test]
    fn a_well_formed_expression_parses_and_knows_its_references(g in well_formed()) {
        let src = g.render(false);
        let expr = check_parse(&src).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
        let mut refs = Vec::new();
        g.refs(&mut refs);
        prop_assert_eq!(expr.references(), refs);
        prop_assert_eq!(expr.uses_current(), g.uses_current());
    }

    #[test]
    fn spaces_and_parentheses_do_not_change_a_value(g in well_formed()) {
        let plain = Expr::parse(&g.render(false)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let padded = Expr::parse(&g.render(true)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Debug, not ==, so NaN compares equal to itself.
        prop_assert_eq!(format!("{:?}", plain.eval(&Mixed)), format!("{:?}", padded.eval(&Mixed)));
    }
}

// ----- Form-body decoder ---------------------------------------------------------------------

/// Decodes and checks a body as the form's `submit` does; answers only relevant questions.
fn check_body(survey: &Survey, body: &[u8]) -> Option<(usize, RawAnswers)> {
    let (page, raw) = manyi::web::decode_body(survey, body).ok()?;
    assert!(page < survey.groups.len());
    assert!(raw.keys().all(|n| survey.question(n).is_some()));
    for (scope, lang) in [(Scope::Group(page), Lang::Zh), (Scope::All, Lang::En)] {
        let checked = answers::check(survey, &raw, scope, lang);
        assert!(
            checked
                .answers
                .iter()
                .all(|(n, _)| checked.relevant.contains(n))
        );
        assert!(checked.errors.keys().all(|n| survey.question(n).is_some()));
    }
    Some((page, raw))
}

fn question_names() -> Vec<String> {
    SURVEY.questions().map(|q| q.name.clone()).collect()
}

/// A key a body may carry: a question, a hidden field, or anything.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(question_names()),
        proptest::sample::select(vec![
            "_page".to_owned(),
            "_nav".into(),
            "_token".into(),
            "_lang".into(),
            "_seen".into(),
            "_store".into(),
        ]),
        ".{0,8}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}",
        "-?[0-9]{1,20}(\\.[0-9]{0,5})?(e[0-9]{1,3})?",
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        "(yes|no|na|friend|online|ad)",
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}",
        ".{0,12}",
    ]
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// Raw body text: encoded pairs with stray separators and broken escapes mixed in.
fn body_like() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            (key(), value())
                .prop_map(|(k, v)| format!("{}={}", encode(&k), encode(&v)).into_bytes()),
            (key(), value()).prop_map(|(k, v)| format!("{k}={v}").into_bytes()),
            proptest::sample::select(vec![
                b"&".to_vec(),
                b"=".to_vec(),
                b"+".to_vec(),
                b"%".to_vec(),
                b"%F".to_vec(),
                b"%FF".to_vec(),
                b"%E5%BE".to_vec(),
                b"\xff".to_vec(),
            ]),
        ],
        0..12,
    )
    .prop_map(|parts| parts.join(&b'&'))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_as_a_form_body_are_refused_or_checked(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = check_body(&SURVEY, &body);
    }

    #[test]
    fn form_shaped_bodies_are_refused_or_checked(body in body_like()) {
        let _ = check_body(&SURVEY, &body);
    }

    #[test]
    fn encoded_answers_decode_to_what_was_posted(
        pairs in proptest::collection::vec((proptest::sample::select(question_names()), ".{0,12}"), 0..12),
        page in 0usize..10,
        plus in any::<bool>(),
    ) {
        let mut body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                let v = if plus { encode(v).replace("%20", "+") } else { encode(v) };
                format!("{k}={v}")
            })
            .collect();
        body.push(format!("_page={page}"));
        let (got_page, raw) = check_body(&SURVEY, body.join("&").as_bytes())
            .ok_or_else(|| TestCaseError::fail("a well-encoded body was refused"))?;
        let mut want: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            want.entry(k).or_default().push(v);
        }
        prop_assert_eq!(raw, want);
        prop_assert_eq!(got_page, if page < SURVEY.groups.len() { page } else { 0 });
    }
}

// ----- Multipart reader ----------------------------------------------------------------------

const BOUNDARY: &str = "propb";

/// Small caps, so bodies of a few hundred bytes reach them.
const LIMITS: UploadLimits = UploadLimits {
    photos_per_post: 2,
    photos_per_section: 5,
    photos_per_audit: 30,
    photo_bytes: 64,
    audit_bytes: 4096,
};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
});

fn part(name: &str, file: Option<&str>, data: &[u8]) -> Vec<u8> {
    let mut p = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"");
    if let Some(f) = file {
        p.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: image/jpeg"));
    }
    p.push_str("\r\n\r\n");
    let mut p = p.into_bytes();
    p.extend_from_slice(data);
    p.extend_from_slice(b"\r\n");
    p
}

/// A multipart body of fields and files, then byte edits anywhere in it.
fn multipart_like() -> impl Strategy<Value = Vec<u8>> {
    let one = prop_oneof![
        ("[_a-z]{1,6}", "[a-z0-9 ]{0,20}").prop_map(|(n, v)| part(&n, None, v.as_bytes())),
        ("[a-z]{0,5}", proptest::collection::vec(any::<u8>(), 0..100)).prop_map(|(f, d)| part(
            "evidence",
            Some(&f),
            &d
        )),
    ];
    (
        proptest::collection::vec(one, 0..6),
        any::<bool>(),
        proptest::collection::vec((any::<Index>(), any::<u8>()), 0..4),
    )
        .prop_map(|(parts, close, edits)| {
            let mut body = parts.concat();
            if close {
                body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
            }
            for (at, byte) in edits {
                if !body.is_empty() {
                    let i = at.index(body.len());
                    body[i] = byte;
                }
            }
            body
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_multipart_body_is_read_within_the_caps_or_refused(body in multipart_like()) {
        let request = Request::post("/audits/1")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(body))
            .expect("a valid request");
        match RUNTIME.block_on(manyi::web::read_multipart(request, &LIMITS)) {
            Ok(posted) => {
                prop_assert!(posted.files.len() <= LIMITS.photos_per_post);
                prop_assert!(posted.files.iter().all(|(_, b)| b.len() <= LIMITS.photo_bytes));
            }
            Err(unread) => {
                let _ = unread.error(&LIMITS);
            }
        }
    }
}
