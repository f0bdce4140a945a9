//! Unit tests of the complaint-log import: the entry step, each refusal and the numbering order.

use super::*;
use time::macros::{datetime, offset};

const HEAD: &str = "opened_at,store,channel,category,description,first_reply_at,closed_at,resolved,recovery_satisfied,recovery_return\n";

struct World {
    stores: HashSet<String>,
    taxonomy: Taxonomy,
    policy: Policy,
    already: HashMap<Key, String>,
}

fn world() -> World {
    World {
        stores: ["S001", "S002"].iter().map(|s| s.to_string()).collect(),
        taxonomy: Taxonomy::shipped(),
        policy: Policy::default(),
        already: HashMap::new(),
    }
}

fn run(w: &World, rows: &str) -> Result<Vec<ImportedCase>, Vec<(u64, String)>> {
    let cx = Context {
        stores: &w.stores,
        taxonomy: &w.taxonomy,
        policy: &w.policy,
        offset: offset!(+08:00),
        now: datetime!(2026-06-01 00:00 UTC),
        already: &w.already,
    };
    parse(&format!("{HEAD}{rows}"), &cx)
}

fn refused(rows: &str) -> Vec<(u64, String)> {
    run(&world(), rows).expect_err("refused")
}

#[test]
fn each_case_enters_at_the_step_its_fields_reach() {
    let cases = run(
        &world(),
        "2026-03-01T10:00:00+08:00,S001,phone,delivery,Late sofa,2026-03-01T12:00:00+08:00,2026-03-04T09:00:00+08:00,yes,yes,no\n\
         2026-03-02T10:00:00+08:00,S001,walk_in,product_quality,Fridge noisy,,,,,\n\
         2026-03-03T10:00:00+08:00,S002,web,,Rude cashier,2026-03-03T11:00:00Z,,,,\n",
    )
    .expect("good file");
    let steps: Vec<Step> = cases.iter().map(|c| c.step).collect();
    assert_eq!(steps, [Step::Closed, Step::Solution, Step::Validity]);
    let closed = &cases[0];
    assert_eq!(closed.resolved, Some(true));
    assert_eq!(closed.recovery_satisfied, Some(true));
    assert_eq!(closed.recovery_return, Some(false));
    assert_eq!(closed.closed_at, Some(datetime!(2026-03-04 01:00 UTC)));
    assert_eq!(closed.valid(), Some(true));
    assert!(closed.reply_given);
    assert_eq!(cases[1].category.as_deref(), Some("product_quality"));
    assert_eq!(cases[1].valid(), Some(true));
    assert_eq!(cases[2].valid(), None);
    assert_eq!(
        cases[2].first_reply_at,
        Some(datetime!(2026-03-03 11:00 UTC))
    );
    assert!(cases.iter().all(|c| c.case.kind == Kind::Complaint
        && c.case.priority == Priority::Normal
        && c.case.contact.is_none()));
}

#[test]
fn deadlines_and_the_code_year_count_from_the_real_opening_in_local_time() {
    // 01:00 on 1 January 2026 at +08:00 is 17:00 UTC on 31 December 2025.
    let cases = run(
        &world(),
        "2026-01-01T01:00:00+08:00,S001,phone,,Queue,,,,,\n",
    )
    .unwrap();
    let c = &cases[0].case;
    assert_eq!(c.opened_at, datetime!(2025-12-31 17:00 UTC));
    assert_eq!(c.year, 2026);
    // Reply: 24 h later. Resolve: 7 local days, 8 January 23:59:59 +08:00.
    assert_eq!(c.due.reply, datetime!(2026-01-01 17:00 UTC));
    assert_eq!(c.due.resolve, datetime!(2026-01-08 15:59:59 UTC));
}

#[test]
fn a_closed_case_without_a_reply_was_answered_when_it_closed() {
    let cases = run(
        &world(),
        "2026-03-01T10:00:00+08:00,S001,phone,,Broken,,2026-03-02T10:00:00+08:00,,,\n",
    )
    .unwrap();
    assert_eq!(cases[0].first_reply_at, cases[0].closed_at);
    assert!(!cases[0].reply_given);
    assert_eq!(cases[0].resolved, None);
}

#[test]
fn cases_come_out_oldest_first_so_codes_follow_time() {
    let cases = run(
        &world(),
        "2026-03-05T10:00:00+08:00,S001,phone,,B,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,A,,,,,\n",
    )
    .unwrap();
    assert_eq!(
        cases
            .iter()
            .map(|c| (c.line, c.case.description.as_str()))
            .collect::<Vec<_>>(),
        [(3, "A"), (2, "B")]
    );
}

#[test]
fn every_bad_line_is_listed_with_its_number_and_reason() {
    let p = refused(
        "2026-03-01T10:00:00+08:00,S001,phone,,Fine,,,,,\n\
         2026-03-01T10:00:00+08:00,S999,phone,,Unknown store,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,fax,,Unknown channel,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,parking,Unknown category,,,,,\n\
         2026-03-01 10:00,S001,phone,,Bad time,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Closed early,,2026-02-28T10:00:00+08:00,yes,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Replied early,2026-03-01T09:00:00+08:00,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Resolved open,,,yes,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Recovery open,,,,yes,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Maybe,,2026-03-02T10:00:00+08:00,maybe,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Short row\n\
         2027-03-01T10:00:00+08:00,S001,phone,,Future,,,,,\n\
         2026-03-01T10:00:00+08:00,S001,phone,,Reply after close,2026-03-03T10:00:00+08:00,2026-03-02T10:00:00+08:00,,,\n",
    );
    let expect = [
        (3, "unknown store 'S999'"),
        (4, "unknown channel 'fax'"),
        (5, "unknown category 'parking'"),
        (6, "not an RFC 3339 time"),
        (7, "closed_at is before opened_at"),
        (8, "first_reply_at is before opened_at"),
        (9, "resolved is given, but the case is open"),
        (10, "recovery answer is given, but the case is not closed"),
        (11, "description is empty"),
        (12, "resolved is 'maybe'"),
        (13, "5 fields, but the header has 10"),
        (14, "is in the future"),
        (15, "first_reply_at is after closed_at"),
    ];
    assert_eq!(p.len(), expect.len(), "{p:?}");
    for ((line, reason), (want_line, want)) in p.iter().zip(expect) {
        assert_eq!(*line, want_line, "{reason}");
        assert!(reason.contains(want), "line {line}: {reason}");
    }
}

#[test]
fn one_line_with_several_faults_lists_them_all() {
    let p = refused("2026-03-01T10:00:00+08:00,S999,fax,,,,,,,\n");
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p.iter().all(|(line, _)| *line == 2));
}

#[test]
fn a_case_already_imported_or_twice_in_the_file_is_refused() {
    let mut w = world();
    w.already.insert(
        key("S001", datetime!(2026-03-01 02:00 UTC), "Late sofa"),
        "TS-2026-000001".into(),
    );
    let p = run(
        &w,
        "2026-03-01T10:00:00+08:00,S001,phone,,Late sofa,,,,,\n\
         2026-03-02T10:00:00+08:00,S001,phone,,Twice,,,,,\n\
         2026-03-02T02:00:00Z,S001,web,,Twice,,,,,\n",
    )
    .unwrap_err();
    assert_eq!(p[0], (2, "already imported as TS-2026-000001".into()));
    assert_eq!(p[1].0, 4);
    assert!(p[1].1.contains("same case as line 3"), "{}", p[1].1);
}

#[test]
fn a_wrong_header_is_refused_on_line_1() {
    let w = world();
    let cx = Context {
        stores: &w.stores,
        taxonomy: &w.taxonomy,
        policy: &w.policy,
        offset: offset!(+08:00),
        now: datetime!(2026-06-01 00:00 UTC),
        already: &w.already,
    };
    let lacks = parse("opened_at,store,channel\n", &cx).unwrap_err();
    assert_eq!(lacks.len(), 1);
    assert_eq!(lacks[0].0, 1);
    assert!(
        lacks[0].1.contains("lacks category, description"),
        "{lacks:?}"
    );
    let extra = parse(&HEAD.replace('\n', ",priority\n"), &cx).unwrap_err();
    assert!(
        extra[0].1.contains("unknown column 'priority'"),
        "{extra:?}"
    );
    let only_header = parse(HEAD, &cx).unwrap_err();
    assert!(only_header[0].1.contains("only its header"));
    // Excel's byte-order mark and reordered columns are fine.
    let reordered = "\u{feff}store,opened_at,channel,category,description,first_reply_at,closed_at,resolved,recovery_satisfied,recovery_return\n\
                     S001,2026-03-01T10:00:00+08:00,phone,,Fine,,,,,\n";
    assert_eq!(parse(reordered, &cx).unwrap().len(), 1);
}

#[test]
fn quoted_fields_and_blank_lines_are_read() {
    let cases = run(
        &world(),
        "2026-03-01T10:00:00+08:00,S001,phone,,\"Said \"\"never again\"\", left\",,,,,\n\n",
    )
    .unwrap();
    assert_eq!(cases[0].case.description, "Said \"never again\", left");
}

#[test]
fn entry_step_rule() {
    assert_eq!(entry_step(true, true), Step::Closed);
    assert_eq!(entry_step(true, false), Step::Closed);
    assert_eq!(entry_step(false, true), Step::Solution);
    assert_eq!(entry_step(false, false), Step::Validity);
}
