//! The skills matrix (SPEC §4): active Lotsen × topics with their levels. One computation for
//! the screen `/buero/matrix` and the download `matrix.csv`, which differ only in how they
//! show it. Before, each computed its own: the screen left inactive Lotsen out and ordered
//! categories by their spelling, the CSV listed inactive ones and ordered them folded.

use std::collections::HashMap;

use crate::model::{Level, Lotse, Topic};
use crate::normalize::fold;

/// Which part of the matrix; an empty field lets everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatrixFilter {
    pub department: String,
    pub category: String,
}

/// Whether `value` passes `filter`: compared folded ("buergerbuero" is "Bürgerbüro"), so that
/// an address typed by hand finds what the select offers.
pub fn matches(filter: &str, value: &str) -> bool {
    let filter = filter.trim();
    filter.is_empty() || fold(filter) == fold(value.trim())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixColumn {
    pub topic: String,
    pub name: String,
    pub category: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    pub lotse: String,
    pub name: String,
    pub department: String,
    /// When the Lotse last confirmed the profile (`YYYY-MM-DD`), for the "not confirmed" mark.
    pub confirmed_at: Option<String>,
    /// The level per column, in the order of [`Matrix::columns`].
    pub levels: Vec<Option<Level>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matrix {
    /// The topics of the filter's category, by category, then name (both folded).
    pub columns: Vec<MatrixColumn>,
    /// The active Lotsen of the filter's department, by department, then name (folded).
    /// Inactive ones help nobody and count for no coverage.
    pub rows: Vec<MatrixRow>,
}

impl Matrix {
    pub fn build<'a>(
        topics: impl IntoIterator<Item = (&'a str, &'a Topic)>,
        lotsen: impl IntoIterator<Item = (&'a str, &'a Lotse)>,
        filter: &MatrixFilter,
    ) -> Matrix {
        let mut columns: Vec<MatrixColumn> = topics
            .into_iter()
            .filter(|(_, t)| matches(&filter.category, &t.category))
            .map(|(id, t)| MatrixColumn {
                topic: id.to_owned(),
                name: t.name.clone(),
                category: t.category.trim().to_owned(),
            })
            .collect();
        columns.sort_by_cached_key(|c| (fold(&c.category), fold(&c.name), c.topic.clone()));
        let index: HashMap<&str, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.topic.as_str(), i))
            .collect();
        let mut rows: Vec<MatrixRow> = lotsen
            .into_iter()
            .filter(|(_, l)| l.active && matches(&filter.department, &l.department))
            .map(|(id, l)| {
                let mut levels = vec![None; columns.len()];
                for s in &l.skills {
                    if let Some(&i) = index.get(s.topic.as_str()) {
                        // A topic listed twice counts with its higher level.
                        levels[i] = levels[i].max(Some(s.level));
                    }
                }
                MatrixRow {
                    lotse: id.to_owned(),
                    name: l.name.clone(),
                    department: l.department.trim().to_owned(),
                    confirmed_at: l.confirmed_at.clone(),
                    levels,
                }
            })
            .collect();
        rows.sort_by_cached_key(|r| (fold(&r.department), fold(&r.name), r.lotse.clone()));
        Matrix { columns, rows }
    }

    /// The categories in column order, each with its number of columns.
    pub fn categories(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for c in &self.columns {
            match out.last_mut() {
                Some((category, n)) if *category == c.category => *n += 1,
                _ => out.push((c.category.clone(), 1)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn topic(name: &str, category: &str) -> Topic {
        Topic {
            name: name.into(),
            slug: fold(name),
            category: category.into(),
            synonyms: Vec::new(),
            description: String::new(),
        }
    }

    #[test]
    fn active_lotsen_by_department_topics_by_category() {
        let topics = [
            ("t1", topic("Teams", "Zusammenarbeit")),
            ("t2", topic("E-Akte", "Verwaltung digital")),
            ("t3", topic("Öffentlichkeit", "Öffentlich")),
            ("t4", topic("Word", "Office")),
        ];
        let lotsen = [
            (
                "a",
                Lotse::for_test(
                    "Jörg",
                    "Bürgerbüro",
                    true,
                    &[("t1", 1), ("t2", 3), ("t1", 2)],
                ),
            ),
            ("b", Lotse::for_test("Eva", "Bauamt", true, &[("t1", 2)])),
            ("c", Lotse::for_test("Ina", "Bauamt", false, &[("t2", 3)])),
        ];
        let m = Matrix::build(
            topics.iter().map(|(id, t)| (*id, t)),
            lotsen.iter().map(|(id, l)| (*id, l)),
            &MatrixFilter::default(),
        );
        let names: Vec<&str> = m.columns.iter().map(|c| c.name.as_str()).collect();
        // "Öffentlich" sorts as "offentlich", before "Office" (by its spelling it came last).
        assert_eq!(names, ["Öffentlichkeit", "Word", "E-Akte", "Teams"]);
        assert_eq!(
            m.categories(),
            [
                ("Öffentlich".to_owned(), 1),
                ("Office".to_owned(), 1),
                ("Verwaltung digital".to_owned(), 1),
                ("Zusammenarbeit".to_owned(), 1)
            ]
        );
        let rows: Vec<(&str, Vec<Option<u8>>)> = m
            .rows
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.levels.iter().map(|l| l.map(Level::get)).collect(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Eva", vec![None, None, None, Some(2)]),
                ("Jörg", vec![None, None, Some(3), Some(2)]),
            ]
        );
        let only = Matrix::build(
            topics.iter().map(|(id, t)| (*id, t)),
            lotsen.iter().map(|(id, l)| (*id, l)),
            &MatrixFilter {
                department: "buergerbuero".into(),
                category: " zusammenarbeit ".into(),
            },
        );
        assert_eq!(only.columns.len(), 1);
        assert_eq!(only.rows.len(), 1);
        assert_eq!(only.rows[0].levels, [Level::new(2)]);
    }

    proptest! {
        /// Whatever the data, every row has a level per column, and a filter only ever keeps
        /// rows and columns of the whole matrix, with the same levels.
        #[test]
        fn a_filtered_matrix_is_a_part_of_the_whole(
            skills in prop::collection::vec(prop::collection::vec((0usize..6, 1u8..4), 0..6), 0..12),
            departments in prop::collection::vec(0usize..3, 12),
            active in prop::collection::vec(any::<bool>(), 12),
            department in 0usize..4,
            category in 0usize..3,
        ) {
            let cats = ["Office", "Zusammenarbeit", "Verwaltung digital"];
            let depts = ["Bauamt", "Bürgerbüro", "Kämmerei", ""];
            let topics: Vec<(String, Topic)> = (0..6)
                .map(|i| (format!("t{i}"), topic(&format!("Thema {i}"), cats[i % 3])))
                .collect();
            let lotsen: Vec<(String, Lotse)> = skills
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let s: Vec<(String, u8)> = s.iter().map(|(t, l)| (format!("t{t}"), *l)).collect();
                    let s: Vec<(&str, u8)> = s.iter().map(|(t, l)| (t.as_str(), *l)).collect();
                    (format!("l{i}"), Lotse::for_test(&format!("L {i}"), depts[departments[i]], active[i], &s))
                })
                .collect();
            let build = |filter: &MatrixFilter| Matrix::build(
                topics.iter().map(|(id, t)| (id.as_str(), t)),
                lotsen.iter().map(|(id, l)| (id.as_str(), l)),
                filter,
            );
            let whole = build(&MatrixFilter::default());
            let part = build(&MatrixFilter {
                department: depts[department].into(),
                category: if category == 0 { String::new() } else { cats[category].into() },
            });
            for m in [&whole, &part] {
                prop_assert!(m.rows.iter().all(|r| r.levels.len() == m.columns.len()));
            }
            prop_assert_eq!(whole.rows.len(), active.iter().take(skills.len()).filter(|a| **a).count());
            for r in &part.rows {
                let w = whole.rows.iter().find(|w| w.lotse == r.lotse).unwrap();
                for (c, level) in part.columns.iter().zip(&r.levels) {
                    let i = whole.columns.iter().position(|x| x.topic == c.topic).unwrap();
                    prop_assert_eq!(&w.levels[i], level);
                }
            }
        }
    }
}
