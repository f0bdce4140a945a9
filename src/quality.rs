//! Quality flags: the checks that hold a response back from the indicators until a manager looks at it.

use std::fmt;

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
}
