//! Coverage of topics by Lotsen per department (SPEC §4): a topic is covered in a department
//! when at least [`MIN_HELPERS`] active Lotsen of that department have level ≥ 2 ("kann
//! helfen") in it; 0–1 is a gap. Only counts per topic and department leave this module —
//! never figures about one person (staff-council rule).

use std::collections::{HashMap, HashSet};

use crate::model::{Level, Lotse};

/// Helpers a topic needs per department to count as covered.
pub const MIN_HELPERS: usize = 2;

/// Months after which a profile counts as no longer confirmed.
pub const STALE_MONTHS: u32 = 12;

/// Helper counts for every topic × department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// Topic ids, in the order given.
    pub topics: Vec<String>,
    /// Departments (trimmed) of all Lotsen given, active or not, sorted: a department whose
    /// only Lotse went inactive is exactly a gap to show.
    pub departments: Vec<String>,
    /// `helpers[t * departments.len() + d]`.
    helpers: Vec<usize>,
    topic_index: HashMap<String, usize>,
}

impl Coverage {
    /// Counts, per topic and department, the active Lotsen with level ≥ 2. Skills on topics not
    /// in `topics` are ignored; a topic listed twice in one profile counts once.
    pub fn compute<'a, T, L>(topics: T, lotsen: L) -> Coverage
    where
        T: IntoIterator<Item = &'a str>,
        L: IntoIterator<Item = &'a Lotse> + Clone,
    {
        let mut topic_list = Vec::new();
        let mut topic_index = HashMap::new();
        for t in topics {
            if !topic_index.contains_key(t) {
                topic_index.insert(t.to_owned(), topic_list.len());
                topic_list.push(t.to_owned());
            }
        }
        let mut departments: Vec<String> = lotsen
            .clone()
            .into_iter()
            .map(|l| l.department.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        departments.sort();
        let dept_index: HashMap<&str, usize> = departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_str(), i))
            .collect();
        let width = departments.len();
        let mut helpers = vec![0; topic_list.len() * width];
        for l in lotsen.into_iter().filter(|l| l.active) {
            let Some(&d) = dept_index.get(l.department.trim()) else {
                continue;
            };
            let mut seen = HashSet::new();
            for s in l.skills.iter().filter(|s| s.level >= Level::HELPS) {
                if let Some(&t) = topic_index.get(&s.topic) {
                    if seen.insert(t) {
                        helpers[t * width + d] += 1;
                    }
                }
            }
        }
        Coverage {
            topics: topic_list,
            departments,
            helpers,
            topic_index,
        }
    }

    fn row(&self, topic: &str) -> &[usize] {
        let width = self.departments.len();
        match self.topic_index.get(topic) {
            Some(&t) => &self.helpers[t * width..(t + 1) * width],
            None => &[],
        }
    }

    /// Active Lotsen with level ≥ 2 in `topic` in `department` (0 for unknown ones).
    pub fn helpers(&self, topic: &str, department: &str) -> usize {
        let department = department.trim();
        self.departments
            .iter()
            .position(|d| d == department)
            .and_then(|d| self.row(topic).get(d).copied())
            .unwrap_or(0)
    }

    /// Whether `topic` is a gap in `department`.
    pub fn is_gap(&self, topic: &str, department: &str) -> bool {
        self.helpers(topic, department) < MIN_HELPERS
    }

    /// In how many departments `topic` is a gap (all of them for a topic not computed).
    pub fn gap_departments(&self, topic: &str) -> usize {
        if !self.topic_index.contains_key(topic) {
            return self.departments.len();
        }
        self.row(topic).iter().filter(|&&n| n < MIN_HELPERS).count()
    }

    /// Active Lotsen with level ≥ 2 in `topic`, all departments together.
    pub fn total_helpers(&self, topic: &str) -> usize {
        self.row(topic).iter().sum()
    }
}

/// Whether a profile last confirmed on `confirmed_at` (`YYYY-MM-DD`) is older than
/// [`STALE_MONTHS`] on `today` (`YYYY-MM-DD`, or a timestamp starting with it). A profile
/// never confirmed, or with an unreadable date, is stale; if `today` is unreadable nothing is
/// judged stale, since nothing can be judged at all.
pub fn is_stale(confirmed_at: Option<&str>, today: &str) -> bool {
    let Some(today) = today.get(..10).filter(|d| crate::time::is_date(d)) else {
        return false;
    };
    let Some(confirmed) = confirmed_at.filter(|d| crate::time::is_date(d)) else {
        return true;
    };
    // Dates of the same fixed width compare as text. The same calendar day a year ago is the
    // boundary ("2024-02-29" against a Feb 29 that does not exist still orders correctly).
    let year: u32 = today[..4].parse().unwrap_or(0);
    let cutoff = format!(
        "{:04}{}",
        year.saturating_sub(STALE_MONTHS / 12),
        &today[4..]
    );
    confirmed < cutoff.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lotse(department: &str, active: bool, skills: &[(&str, u8)]) -> Lotse {
        Lotse::for_test("x", department, active, skills)
    }

    #[test]
    fn gaps_per_topic_and_department() {
        let lotsen = [
            lotse("Bauamt", true, &[("dms", 2), ("ozg", 1)]),
            lotse("Bauamt", true, &[("dms", 3), ("ozg", 3)]),
            lotse("Bauamt", false, &[("ozg", 3)]),
            lotse(" Kämmerei ", true, &[("dms", 2), ("dms", 3)]),
            lotse("Kämmerei", true, &[("teams", 2)]),
        ];
        let c = Coverage::compute(["dms", "ozg", "teams"], lotsen.iter());
        assert_eq!(c.departments, ["Bauamt", "Kämmerei"]);
        assert_eq!(c.helpers("dms", "Bauamt"), 2);
        assert!(!c.is_gap("dms", "Bauamt"));
        // Level 1 and inactive Lotsen do not help.
        assert_eq!(c.helpers("ozg", "Bauamt"), 1);
        assert!(c.is_gap("ozg", "Bauamt"));
        // A topic listed twice in one profile is one helper.
        assert_eq!(c.helpers("dms", "Kämmerei"), 1);
        assert_eq!(c.gap_departments("dms"), 1);
        assert_eq!(c.gap_departments("ozg"), 2);
        assert_eq!(c.total_helpers("dms"), 3);
        assert_eq!(c.total_helpers("unbekannt"), 0);
        assert!(c.is_gap("dms", "Ordnungsamt"));
    }

    #[test]
    fn stale_after_twelve_months() {
        assert!(!is_stale(Some("2025-05-09"), "2026-05-09"));
        assert!(is_stale(Some("2025-05-08"), "2026-05-09"));
        assert!(!is_stale(Some("2026-01-01"), "2026-05-09T10:00:00Z"));
        assert!(is_stale(None, "2026-05-09"));
        assert!(is_stale(Some("gestern"), "2026-05-09"));
        assert!(!is_stale(Some("2020-01-01"), "heute"));
        assert!(!is_stale(Some("2023-03-01"), "2024-02-29"));
        assert!(is_stale(Some("2023-02-28"), "2024-02-29"));
    }

    fn arb_lotse() -> impl Strategy<Value = Lotse> {
        (
            prop::sample::select(vec!["A", "B", "C"]),
            any::<bool>(),
            prop::collection::vec(
                (prop::sample::select(vec!["t0", "t1", "t2", "t3"]), 1u8..=3),
                0..5,
            ),
        )
            .prop_map(|(d, a, s)| {
                let skills: Vec<(&str, u8)> = s.iter().map(|(t, l)| (*t, *l)).collect();
                lotse(d, a, &skills)
            })
    }

    proptest! {
        /// The counts equal a direct count, do not depend on the order of the Lotsen, and a
        /// gap is exactly a count below two.
        #[test]
        fn counts_match_a_direct_count(mut lotsen in prop::collection::vec(arb_lotse(), 0..30)) {
            let topics = ["t0", "t1", "t2", "t3"];
            let c = Coverage::compute(topics, lotsen.iter());
            for t in topics {
                for d in ["A", "B", "C"] {
                    let direct = lotsen
                        .iter()
                        .filter(|l| l.active && l.department == d)
                        .filter(|l| l.skills.iter().any(|s| s.topic == t && s.level >= Level::HELPS))
                        .count();
                    prop_assert_eq!(c.helpers(t, d), direct);
                    prop_assert_eq!(c.is_gap(t, d), direct < 2);
                }
            }
            lotsen.reverse();
            prop_assert_eq!(Coverage::compute(topics, lotsen.iter()), c);
        }

        #[test]
        fn staleness_is_monotonic(y in 2000u32..2100, m in 1u32..=12, d in 2u32..=28, back in 0u32..800) {
            let today = format!("{y:04}-{m:02}-{d:02}");
            // A day more than a year back, or any further: stale; today: fresh.
            let older = format!("{:04}-{m:02}-{:02}", y - (back / 365 + 1), d - 1);
            prop_assert!(is_stale(Some(&older), &today));
            prop_assert!(!is_stale(Some(&today), &today));
        }
    }
}
