//! Long lists in portions (SPEC §10: no screen holds more than ~3,000 DOM nodes): which part of a
//! list a page shows, and how the screens say so in German.

/// One page of a list of `total` items, `per_page` at a time. Pages count from 1; a page beyond
/// the last shows the last (a bookmark of page 9 still works when the list has shrunk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Portion {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    /// Index of the first item shown (0-based); equal to `end` when nothing is shown.
    pub start: usize,
    /// One past the last item shown.
    pub end: usize,
}

impl Portion {
    pub fn of(total: usize, page: usize, per_page: usize) -> Portion {
        let per_page = per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        let page = page.clamp(1, pages);
        let start = ((page - 1) * per_page).min(total);
        let end = (start + per_page).min(total);
        Portion {
            total,
            page,
            pages,
            start,
            end,
        }
    }

    /// The items of this page.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        &items[self.start.min(items.len())..self.end.min(items.len())]
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }

    /// "– 26 bis 50" when the list has more than one page, else nothing: the part of a count
    /// that says which portion is shown ("661 Lotsen gefunden – 26 bis 50").
    pub fn range_de(&self) -> String {
        if self.pages <= 1 {
            String::new()
        } else {
            format!(" – {} bis {}", self.start + 1, self.end)
        }
    }

    /// "Seite 2 von 27".
    pub fn page_de(&self) -> String {
        format!("Seite {} von {}", self.page, self.pages)
    }
}

/// A page number from the URL (`seite=`): anything that is not a number from 1 up is page 1.
pub fn parse_page(raw: Option<&str>) -> usize {
    raw.and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_middle_last_and_beyond() {
        let p = Portion::of(661, 1, 25);
        assert_eq!((p.pages, p.start, p.end), (27, 0, 25));
        assert_eq!(p.range_de(), " – 1 bis 25");
        assert_eq!(p.page_de(), "Seite 1 von 27");
        assert!(!p.has_previous() && p.has_next());
        let p = Portion::of(661, 27, 25);
        assert_eq!((p.start, p.end), (650, 661));
        assert!(p.has_previous() && !p.has_next());
        assert_eq!(Portion::of(661, 99, 25), p);
        assert_eq!(Portion::of(661, 0, 25).page, 1);
    }

    #[test]
    fn short_and_empty_lists_have_one_page_and_no_range() {
        let p = Portion::of(7, 1, 25);
        assert_eq!((p.pages, p.start, p.end), (1, 0, 7));
        assert_eq!(p.range_de(), "");
        let p = Portion::of(0, 3, 25);
        assert_eq!((p.page, p.pages, p.start, p.end), (1, 1, 0, 0));
        assert!(p.slice::<u8>(&[]).is_empty());
    }

    #[test]
    fn pages_from_the_url() {
        assert_eq!(parse_page(None), 1);
        assert_eq!(parse_page(Some("3")), 3);
        assert_eq!(parse_page(Some(" 3 ")), 3);
        for bad in ["0", "-2", "x", "", "99999999999999999999999"] {
            assert_eq!(parse_page(Some(bad)), 1, "{bad}");
        }
    }

    proptest! {
        /// The pages of a list show every item exactly once, in order, none longer than asked.
        #[test]
        fn pages_cover_the_list_once(total in 0usize..2_000, per_page in 1usize..60) {
            let items: Vec<usize> = (0..total).collect();
            let first = Portion::of(total, 1, per_page);
            let mut seen = Vec::new();
            for page in 1..=first.pages {
                let p = Portion::of(total, page, per_page);
                prop_assert_eq!(p.page, page);
                prop_assert!(p.end - p.start <= per_page);
                prop_assert!(total == 0 || p.end > p.start);
                seen.extend_from_slice(p.slice(&items));
            }
            prop_assert_eq!(seen, items);
        }
    }
}
