//! Pages of a long list: which page was asked for, its offset and limit, and how many pages there are.

/// At most this many rows on a staff list page.
pub const PER_PAGE: u32 = 50;

/// One page of a list, 1-based. Built from `?page=`; anything unparsable or out of range
/// is page 1, so a hand-edited link still shows something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u32,
    pub per_page: u32,
}

impl Page {
    pub fn parse(raw: Option<&str>) -> Page {
        let number = raw
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|n| (1..=1_000_000).contains(n))
            .unwrap_or(1);
        Page {
            number,
            per_page: PER_PAGE,
        }
    }

    pub fn first() -> Page {
        Page::parse(None)
    }

    /// For SQL `LIMIT ? OFFSET ?`.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.per_page)
    }

    /// How many pages `total` rows fill (at least one, so an empty list has page 1 of 1).
    pub fn count(self, total: u64) -> u32 {
        let pages = total.div_ceil(u64::from(self.per_page)).max(1);
        u32::try_from(pages).unwrap_or(u32::MAX)
    }

    /// The page shown when the asked-for one is past the end: the last.
    pub fn clamp(self, total: u64) -> Page {
        Page {
            number: self.number.min(self.count(total)),
            ..self
        }
    }

    pub fn has_prev(self) -> bool {
        self.number > 1
    }

    pub fn has_next(self, total: u64) -> bool {
        self.number < self.count(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_page_number_and_falls_back_to_the_first() {
        assert_eq!(Page::parse(Some("3")).number, 3);
        for bad in ["0", "-1", "x", "", "99999999999"] {
            assert_eq!(Page::parse(Some(bad)).number, 1, "{bad:?}");
        }
        assert_eq!(Page::parse(None).number, 1);
    }

    #[test]
    fn offsets_and_page_counts() {
        let p = Page::parse(Some("3"));
        assert_eq!((p.limit(), p.offset()), (50, 100));
        assert_eq!(p.count(0), 1);
        assert_eq!(p.count(50), 1);
        assert_eq!(p.count(51), 2);
        assert_eq!(p.count(101), 3);
        assert!(p.has_prev());
        assert!(!p.has_next(101));
        assert!(p.has_next(151));
        assert_eq!(p.clamp(60).number, 2);
        assert_eq!(p.clamp(0).number, 1);
    }
}
