//! Quality flags: the checks that hold a response back from the indicators until a manager looks at it.

use std::fmt;

use crate::answers::Answer;
use crate::survey::{Kind, Survey};

/// Why a response was held back. Stored by name in `response.flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// Completed faster than its questions can be read.
    TooFast,
    /// The same answer to every rating of a grid.
    StraightLined,
    /// The same answers from the same address or device a few minutes earlier.
    Duplicate,
    /// The store received far more responses than its own recent rate.
    Burst,
}

impl Flag {
    pub const ALL: [Flag; 4] = [
        Flag::TooFast,
        Flag::StraightLined,
        Flag::Duplicate,
        Flag::Burst,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flag::TooFast => "too-fast",
            Flag::StraightLined => "straight-lined",
            Flag::Duplicate => "duplicate",
            Flag::Burst => "burst",
        }
    }

    pub fn parse(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Flags as stored: space-separated names, `None` when there are none.
pub fn to_column(flags: &[Flag]) -> Option<String> {
    (!flags.is_empty()).then(|| flags.iter().map(|f| f.name()).collect::<Vec<_>>().join(" "))
}

/// Flags read back from the column; unknown names (from a later version) are skipped.
pub fn from_column(column: Option<&str>) -> Vec<Flag> {
    column
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(Flag::parse)
        .collect()
}

/// Seconds a respondent needs per answered question, at the least: reading a short
/// question and tapping one of five options takes a person about two seconds.
pub const SECS_PER_ANSWER: u64 = 2;
/// And never less than this for a whole form.
pub const MIN_FORM_SECS: u64 = 5;

/// The least time a form with `answered` answers can honestly take.
pub fn min_seconds(answered: usize) -> u64 {
    (answered as u64)
        .saturating_mul(SECS_PER_ANSWER)
        .max(MIN_FORM_SECS)
}

/// Completed faster than its questions can be read.
pub fn too_fast(elapsed_secs: u64, answered: usize) -> bool {
    elapsed_secs < min_seconds(answered)
}

/// A page with at least this many rating questions is a rating grid.
pub const GRID_MIN: usize = 4;
/// Straight-lining needs at least this many grid ratings, so one short grid answered
/// "all 5" by a happy customer is not held back.
pub const STRAIGHT_LINE_MIN: usize = 8;

/// The same value for every rating of every grid (at least [`STRAIGHT_LINE_MIN`] of
/// them): the respondent did not read the items.
pub fn straight_lined(survey: &Survey, answers: &[(String, Answer)]) -> bool {
    let grid_questions: Vec<&str> = survey
        .groups
        .iter()
        .filter(|g| {
            g.questions
                .iter()
                .filter(|q| matches!(q.kind, Kind::Rating))
                .count()
                >= GRID_MIN
        })
        .flat_map(|g| g.questions.iter())
        .filter(|q| matches!(q.kind, Kind::Rating))
        .map(|q| q.name.as_str())
        .collect();
    let values: Vec<i64> = answers
        .iter()
        .filter(|(name, _)| grid_questions.contains(&name.as_str()))
        .filter_map(|(_, a)| match a {
            Answer::Int(v) => Some(*v),
            _ => None,
        })
        .collect();
    values.len() >= STRAIGHT_LINE_MIN && values.windows(2).all(|w| w[0] == w[1])
}

/// A digest of an answer set, to find the same answers sent again.
pub fn answers_digest(form_id: &str, answers: &[(String, Answer)]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<String> = answers
        .iter()
        .map(|(q, a)| format!("{q}={}", a.to_value()))
        .collect();
    sorted.sort();
    let mut h = Sha256::new();
    h.update(form_id.as_bytes());
    for line in sorted {
        h.update([0]);
        h.update(line.as_bytes());
    }
    h.finalize().into()
}

/// A store's burst: at least this many responses within [`BURST_WINDOW`] always count
/// as ordinary, whatever its history (a new store, a busy Saturday).
pub const BURST_FLOOR: u64 = 30;
/// Above this multiple of the store's own recent rate, responses are a burst.
pub const BURST_FACTOR: u64 = 10;
/// The window a burst is counted over.
pub const BURST_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether `in_window` responses within [`BURST_WINDOW`] are far above the store's
/// usual `per_window` (its average over recent days, in the same window length).
pub fn burst(in_window: u64, per_window: f64) -> bool {
    let usual = (per_window * BURST_FACTOR as f64).ceil() as u64;
    in_window > usual.max(BURST_FLOOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_through_their_column() {
        assert_eq!(to_column(&[]), None);
        let all = Flag::ALL.to_vec();
        let column = to_column(&all).unwrap();
        assert_eq!(column, "too-fast straight-lined duplicate burst");
        assert_eq!(from_column(Some(&column)), all);
        assert_eq!(from_column(Some("burst later-flag")), vec![Flag::Burst]);
    }

    #[test]
    fn too_fast_is_two_seconds_an_answer_and_five_at_least() {
        assert_eq!(min_seconds(0), 5);
        assert_eq!(min_seconds(2), 5);
        assert_eq!(min_seconds(12), 24);
        assert!(too_fast(23, 12));
        assert!(!too_fast(24, 12));
        assert!(too_fast(4, 1));
    }

    fn shipped() -> std::sync::Arc<Survey> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
        crate::survey::load_dir(&dir)
            .unwrap()
            .get("post-purchase")
            .unwrap()
            .clone()
    }

    fn grid(expect: [i64; 4], exp: [i64; 4]) -> Vec<(String, Answer)> {
        let names = ["price", "service", "quality", "environment"];
        let mut a = vec![("overall_satisfaction".to_owned(), Answer::Int(3))];
        for (n, v) in names.iter().zip(expect) {
            a.push((format!("expect_{n}"), Answer::Int(v)));
        }
        for (n, v) in names.iter().zip(exp) {
            a.push((format!("exp_{n}"), Answer::Int(v)));
        }
        a
    }

    #[test]
    fn straight_lining_needs_every_grid_rating_the_same_and_at_least_eight() {
        let s = shipped();
        assert!(straight_lined(&s, &grid([1; 4], [1; 4])));
        assert!(straight_lined(&s, &grid([5; 4], [5; 4])));
        assert!(
            !straight_lined(&s, &grid([5; 4], [4; 4])),
            "expected 5, got 4"
        );
        assert!(!straight_lined(&s, &grid([3, 3, 3, 2], [3; 4])));
        // Only one grid answered (the other page skipped): too few to judge.
        let mut half = grid([2; 4], [2; 4]);
        half.retain(|(q, _)| !q.starts_with("exp_"));
        assert!(!straight_lined(&s, &half));
        // The overall rating is not in a grid: it may differ or match, it does not count.
        let mut other = grid([4; 4], [4; 4]);
        other[0].1 = Answer::Int(1);
        assert!(straight_lined(&s, &other));
    }

    #[test]
    fn the_digest_ignores_answer_order_but_not_values_or_form() {
        let a = vec![
            ("x".to_owned(), Answer::Int(1)),
            ("y".to_owned(), Answer::Text("hi".into())),
        ];
        let mut b = a.clone();
        b.reverse();
        assert_eq!(answers_digest("f", &a), answers_digest("f", &b));
        assert_ne!(answers_digest("g", &a), answers_digest("f", &a));
        b[0].1 = Answer::Text("hi!".into());
        assert_ne!(answers_digest("f", &a), answers_digest("f", &b));
    }

    #[test]
    fn a_burst_is_ten_times_the_usual_rate_and_more_than_thirty() {
        assert!(!burst(30, 0.0), "a new store may get thirty at once");
        assert!(burst(31, 0.0));
        assert!(!burst(50, 5.0), "ten times five is fifty");
        assert!(burst(51, 5.0));
        assert!(!burst(32, 3.2), "ten times 3.2 is 32, above the floor");
        assert!(burst(33, 3.2));
    }
}
