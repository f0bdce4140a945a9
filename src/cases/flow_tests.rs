//! The flow's rules, one case each: every step in order, the skips, the roles and the fields.

use super::*;

fn manager() -> Actor {
    Actor {
        id: 1,
        role: Role::Manager,
        stores: vec![],
    }
}

fn store_manager(store: &str) -> Actor {
    Actor {
        id: 2,
        role: Role::StoreManager,
        stores: vec![store.to_owned()],
    }
}

fn go(step: Step, actor: &Actor, action: Action) -> Result<Transition, Refusal> {
    decide(
        Kind::Complaint,
        "S001",
        step,
        actor,
        &action,
        &Taxonomy::shipped(),
    )
}

#[test]
fn each_step_leads_to_the_next() {
    let m = manager();
    let cases = [
        (
            Step::Validity,
            Action::Judge {
                valid: true,
                reason: String::new(),
            },
            Step::Assign,
        ),
        (
            Step::Assign,
            Action::Assign {
                owner: 1,
                department: None,
            },
            Step::Cause,
        ),
        (
            Step::Cause,
            Action::Cause {
                category: "delivery".into(),
                root_cause: "x".into(),
            },
            Step::Solution,
        ),
        (
            Step::Solution,
            Action::Propose {
                solution: "a".into(),
                remedy: "b".into(),
                compensation: None,
            },
            Step::Approval,
        ),
        (
            Step::Approval,
            Action::Approve { note: None },
            Step::Implement,
        ),
        (
            Step::Implement,
            Action::Implement {
                note: "done".into(),
            },
            Step::Summary,
        ),
        (
            Step::Summary,
            Action::Close {
                summary: "s".into(),
                customer_accepted: Some(true),
                resolved: true,
            },
            Step::Closed,
        ),
    ];
    for (at, action, to) in cases {
        assert_eq!(go(at, &m, action).map(|t| t.to), Ok(to), "from {at:?}");
    }
}

#[test]
fn invalid_closes_and_send_back_returns_to_the_solution() {
    let m = manager();
    let t = go(
        Step::Validity,
        &m,
        Action::Judge {
            valid: false,
            reason: "重复投诉".into(),
        },
    )
    .unwrap();
    assert_eq!(
        t,
        Transition {
            to: Step::Closed,
            public: true
        }
    );
    let t = go(
        Step::Approval,
        &m,
        Action::SendBack {
            reason: "补偿不够".into(),
        },
    )
    .unwrap();
    assert_eq!(t.to, Step::Solution);
}

#[test]
fn steps_cannot_be_skipped_or_repeated() {
    let m = manager();
    let skip = go(Step::Validity, &m, Action::Implement { note: "x".into() });
    assert!(matches!(skip, Err(Refusal::Step(_))));
    let closed = go(
        Step::Closed,
        &m,
        Action::Reply {
            message: "hi".into(),
        },
    );
    assert!(matches!(closed, Err(Refusal::Step(_))));
    // A suggestion has no validity step.
    let s = decide(
        Kind::Suggestion,
        "S001",
        Step::Assign,
        &m,
        &Action::Judge {
            valid: true,
            reason: String::new(),
        },
        &Taxonomy::shipped(),
    );
    assert!(matches!(s, Err(Refusal::Step(_))));
}

#[test]
fn roles_and_stores() {
    let own = store_manager("S001");
    let other = store_manager("S002");
    let judge = Action::Judge {
        valid: true,
        reason: String::new(),
    };
    assert!(go(Step::Validity, &own, judge.clone()).is_ok());
    assert_eq!(go(Step::Validity, &other, judge), Err(Refusal::Hidden));
    assert!(matches!(
        go(Step::Approval, &own, Action::Approve { note: None }),
        Err(Refusal::Role(_))
    ));
    let shopper = Actor {
        id: 3,
        role: Role::Shopper,
        stores: vec!["S001".into()],
    };
    assert_eq!(
        go(Step::Validity, &shopper, Action::Note { text: "x".into() }),
        Err(Refusal::Hidden)
    );
}

#[test]
fn fields_are_checked() {
    let m = manager();
    let r = go(
        Step::Validity,
        &m,
        Action::Judge {
            valid: false,
            reason: "  ".into(),
        },
    );
    assert!(matches!(r, Err(Refusal::Field("reason", _))));
    let r = go(
        Step::Cause,
        &m,
        Action::Cause {
            category: "nope".into(),
            root_cause: "x".into(),
        },
    );
    assert!(matches!(r, Err(Refusal::Field("category", _))));
    let long = "长".repeat(MAX_TEXT + 1);
    let r = go(
        Step::Implement,
        &m,
        Action::Implement { note: long.clone() },
    );
    assert!(matches!(r, Err(Refusal::Field("implementation", _))));
    // Optional texts may be left out, but are held to the same length.
    let propose = |compensation: Option<String>| Action::Propose {
        solution: "换新机".into(),
        remedy: "上门换新".into(),
        compensation,
    };
    let r = go(Step::Solution, &m, propose(Some(long.clone())));
    assert!(matches!(r, Err(Refusal::Field("compensation", _))));
    assert!(go(Step::Solution, &m, propose(Some("赠券 100 元".into()))).is_ok());
    let r = go(Step::Approval, &m, Action::Approve { note: Some(long) });
    assert!(matches!(r, Err(Refusal::Field("approval_note", _))));
    let reply = go(
        Step::Cause,
        &m,
        Action::Reply {
            message: "明天联系您".into(),
        },
    )
    .unwrap();
    assert_eq!(
        reply,
        Transition {
            to: Step::Cause,
            public: true
        }
    );
    let note = go(
        Step::Cause,
        &m,
        Action::Note {
            text: "内部".into(),
        },
    )
    .unwrap();
    assert!(!note.public);
}
