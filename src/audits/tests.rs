use time::macros::{date, datetime, time};

use super::*;

fn visit(d: &str, i: &str, o: &str) -> VisitInput {
    VisitInput {
        visit_date: d.into(),
        time_in: i.into(),
        time_out: o.into(),
    }
}

#[test]
fn a_visit_inside_the_window_with_time_out_after_time_in_is_accepted() {
    let v = check_visit(
        &visit("2026-11-20", "10:05", "10:32"),
        date!(2026 - 11 - 18),
        date!(2026 - 11 - 25),
    )
    .unwrap();
    assert_eq!(v.minutes(), 27);
    assert_eq!(v.time_in, time!(10:05));
}

#[test]
fn a_visit_outside_the_window_or_ending_before_it_starts_is_refused() {
    let errs = check_visit(
        &visit("2026-11-26", "10:30", "10:30"),
        date!(2026 - 11 - 18),
        date!(2026 - 11 - 25),
    )
    .unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["visit_date", "time_out"]);
    assert!(errs[0].1.contains("2026-11-18 to 2026-11-25"));
    let errs = check_visit(
        &visit("", "x", ""),
        date!(2026 - 11 - 18),
        date!(2026 - 11 - 25),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 3);
}

#[test]
fn short_visits_and_late_reports_are_flagged() {
    let v = check_visit(
        &visit("2026-11-20", "10:00", "10:03"),
        date!(2026 - 11 - 1),
        date!(2026 - 11 - 30),
    )
    .unwrap();
    let flags = flags(&v, 5, datetime!(2026-11-22 12:00));
    assert_eq!(flags.len(), 2, "{flags:?}");
    assert!(flags[0].contains("3 minute(s), under the 5"));
    assert!(
        flags[1].contains("49 hours"),
        "10:03 on the 20th to noon on the 22nd"
    );
    assert!(super::flags(&v, 3, datetime!(2026-11-20 18:00)).is_empty());
}

#[test]
fn review_actions_follow_the_workflow() {
    use ReviewAction::*;
    assert_eq!(
        Approve.apply(Status::Submitted, false),
        Ok(Status::Approved)
    );
    assert_eq!(
        RequestRevision.apply(Status::Submitted, false),
        Ok(Status::RevisionRequested)
    );
    assert!(Approve.apply(Status::InProgress, false).is_err());
    assert!(Reject.apply(Status::Approved, false).is_err());
    assert_eq!(Exclude.apply(Status::Approved, false), Ok(Status::Approved));
    assert!(Exclude.apply(Status::Approved, true).is_err());
    assert!(Exclude.apply(Status::Submitted, false).is_err());
    assert!(Include.apply(Status::Approved, true).is_ok());
    assert!(!Approve.needs_reason() && Reject.needs_reason());
}

#[test]
fn evidence_types_come_from_the_bytes_not_the_name() {
    assert_eq!(
        image_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
        Some("image/jpeg")
    );
    assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
    assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    assert_eq!(
        image_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script>"),
        None
    );
    assert_eq!(image_type(b"%PDF-1.7"), None);
    assert_eq!(image_type(b""), None);
}

#[test]
fn statuses_round_trip_through_their_names() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    assert!(Status::RevisionRequested.editable() && !Status::Submitted.editable());
}

#[test]
fn upload_caps_name_the_first_one_a_photo_would_break() {
    let limits = UploadLimits::default();
    let used = |section_photos, audit_photos, audit_bytes| EvidenceUse {
        section_photos,
        audit_photos,
        audit_bytes,
    };
    assert_eq!(limits.admits(used(4, 29, 0), 5 * 1024 * 1024), Ok(()));
    assert_eq!(limits.admits(used(5, 5, 0), 1), Err(Cap::Section));
    assert_eq!(limits.admits(used(0, 30, 0), 1), Err(Cap::AuditPhotos));
    let full = 60 * 1024 * 1024;
    assert_eq!(limits.admits(used(0, 12, full - 10), 10), Ok(()));
    assert_eq!(
        limits.admits(used(0, 12, full - 10), 11),
        Err(Cap::AuditBytes)
    );
    assert_eq!(
        limits.admits(used(0, 0, usize::MAX), 1),
        Err(Cap::AuditBytes)
    );
    assert_eq!(limits.post_bytes(), 2 * 5 * 1024 * 1024 + FIELD_BYTES);
}
